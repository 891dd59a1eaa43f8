//! framescore: score news articles for framing and loaded terms.
//!
//! The pipeline, one module per stage, passing one type ([`doc::Doc`]) between them:
//! [`read`] (files to documents), [`segment`] (sentences with offsets), [`encode`] (MiniLM
//! sentence embeddings, batched across the corpus), [`frames`] (trained frame heads),
//! [`lexicon`] (loaded terms), [`quotes`] (the outlet's own voice versus quoted material),
//! [`write`] (CSV output); [`pipeline`] runs them in chunks.
//! [`train`] and [`eval`] fit and score the frame heads; [`explain`] names the words that drove
//! a sentence's top frame.
pub mod bert;
pub mod codebook;
pub mod doc;
pub mod encode;
pub mod eval;
pub mod explain;
pub mod frames;
pub mod lexicon;
pub mod modelfile;
pub mod pipeline;
pub mod quotes;
pub mod read;
pub mod segment;
pub mod tagger;
pub mod train;
pub mod tune;
pub mod write;

use std::path::{Path, PathBuf};

/// Where models live: `$FRAMESCORE_MODELS`, else the checkout's `models/` folder (the build
/// records its location, so the binary works from any working directory).
pub fn models_dir() -> PathBuf {
    std::env::var_os("FRAMESCORE_MODELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/models")))
}

/// The checkout's `datasets/` folder (labelled data for `train` and `eval`).
pub fn datasets_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/datasets"))
}

/// How a model folder `dir` names the tuned encoder layers file `layers`: relative
/// (`../tuned/encoder.safetensors`) when both sit in the same parent folder, so a models folder
/// can move as a whole (the shipped models do this); otherwise the absolute path.
pub fn layers_reference(dir: &Path, layers: &Path) -> String {
    let layers = layers.canonicalize().unwrap_or(layers.to_path_buf());
    let parent = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.parent().map(Path::to_path_buf));
    match parent.and_then(|p| layers.strip_prefix(&p).ok().map(Path::to_path_buf)) {
        Some(rel) => format!("../{}", rel.display()),
        None => layers.display().to_string(),
    }
}

/// Sizes the rayon pool and libtorch's intra-op pool to the same number of threads. The
/// pipeline runs them in turn, so sharing the count keeps every core busy without
/// oversubscription. `None` means all cores.
pub fn set_threads(threads: Option<usize>) {
    let n = threads
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    // Fails only if the pool was already built (tests); keeping the existing pool is fine then.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build_global();
    tch::set_num_threads(n as i32);
    tch::set_num_interop_threads(1);
}
