//! Subcommands, each parsing its own arguments and calling into the library.
pub mod eval;
pub mod score;
pub mod train;

use std::io::IsTerminal;
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};

/// A progress bar on stderr with `template`, or a hidden one when `quiet` or stderr is not a
/// terminal (logs and pipes get no control characters). It ticks on its own, so elapsed time
/// moves while a long first step runs.
pub fn progress_bar(len: u64, template: &str, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(template)
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(250));
    bar
}

/// Arguments shared by every command that runs the encoder.
#[derive(clap::Args, Debug, Clone)]
pub struct EncoderArgs {
    /// Sentence-encoder folder (sentence-transformers layout: config.json, model.safetensors,
    /// tokenizer.json). Default: all-MiniLM-L6-v2 as installed by scripts/setup.sh.
    #[arg(long, value_name = "DIR", default_value_os_t = framescore::models_dir().join("minilm"))]
    pub encoder: PathBuf,

    /// Worker threads, shared by the rayon pool (reading, splitting, matching) and libtorch
    /// (the encoder); the stages take turns, so the cores are never oversubscribed.
    /// Default: all cores.
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,

    /// Run the encoder's matrix multiplies in bfloat16 (fast on CPUs with AMX or AVX512-BF16):
    /// 2.5-3.4x faster encoding; embeddings stay within cosine 0.9998 of fp32, but a frame
    /// decision can flip on a sentence that sits at its threshold. Default: fp32.
    #[arg(long)]
    pub bf16: bool,

    /// Sentences per encoder forward pass.
    #[arg(long, value_name = "N", default_value_t = framescore::encode::DEFAULT_BATCH)]
    pub batch_size: usize,
}

impl EncoderArgs {
    /// Sizes both thread pools and loads the encoder.
    pub fn load(&self) -> anyhow::Result<framescore::encode::Encoder> {
        framescore::set_threads(self.threads);
        framescore::encode::Encoder::load_with(&self.encoder, self.batch_size, self.bf16)
    }
}
