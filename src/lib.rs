//! framescore: score news articles for framing and loaded terms.
//!
//! The folders are the architecture. One type, [`doc::Doc`], passes between the stages, and
//! dependencies point one way:
//!
//! ```text
//! cmd (binary) -> pipeline, learn, report -> model, text, input, output -> doc
//! ```
//!
//! - [`input`]: files and folders to documents (text, HTML, JSON lines, CSV);
//! - [`text`]: what needs no model: sentences, words, quotes and voice, the lexicon, the actor
//!   gazetteer;
//! - [`model`]: inference: the lean transformer forward, the encoder, frame and bias heads, the
//!   tagger, the stance head on actor mentions, explanations, model folders;
//! - [`learn`]: what only training and evaluation use: labelled data, metrics and thresholds,
//!   `train`, `tune`, the tagger's and the stance head's training;
//! - [`output`]: the CSV writer and its roll-ups, the run record `run.json`;
//! - [`report`]: the HTML report, drawn from a results folder;
//! - [`pipeline`]: runs input, text and model stages over a corpus in windows, batched;
//! - [`doc`]: the shared types.
//!
//! `model` may use `text` (word boundaries for the tagger and explanations), never the reverse;
//! no module imports one that imports it back (`scripts/check-layout.py` checks this).
pub mod doc;
pub mod input;
pub mod learn;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod report;
pub mod text;

use std::path::PathBuf;

/// Where an install made by `scripts/install.sh` keeps its models, relative to the binary.
pub const INSTALLED_MODELS: &str = "../share/framescore/models";

/// Where models live: `$FRAMESCORE_MODELS`; else, for an installed binary,
/// `<bin>/../share/framescore/models` (an install folder can be copied anywhere); else the
/// checkout's `models/` folder (the build records its location, so `target/release/framescore`
/// works from any working directory).
pub fn models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("FRAMESCORE_MODELS") {
        return PathBuf::from(dir);
    }
    let installed = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.canonicalize().ok())
        .and_then(|exe| Some(exe.parent()?.join(INSTALLED_MODELS)))
        .filter(|dir| dir.is_dir());
    installed.unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/models")))
}

/// The checkout's `datasets/` folder (labelled data for `train` and `eval`).
pub fn datasets_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/datasets"))
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
