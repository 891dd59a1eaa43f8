//! Subcommands, one file each (the binary's part of the layout): each parses its own arguments
//! and calls into the library.
//!
//! May use: everything in the library ([`framescore::pipeline`] for scoring, [`framescore::learn`]
//! for training and evaluation); nothing in the library uses it.
pub mod distill;
pub mod eval;
pub mod merge;
pub mod report;
pub mod score;
pub mod train;
pub mod train_mentions;
pub mod train_stance;
pub mod train_tagger;
pub mod tune;

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
    /// tokenizer.json). Default: the base encoder the models' tuned layers were trained on (their
    /// tuned.json names it: models/minilm, all-MiniLM-L6-v2, for the shipped models; models/mpnet,
    /// all-mpnet-base-v2, for models/accurate), else models/minilm.
    #[arg(long, value_name = "DIR")]
    pub encoder: Option<PathBuf>,

    /// Worker threads, shared by the rayon pool (reading, splitting, matching) and libtorch
    /// (the encoder); the stages take turns, so the cores are never oversubscribed.
    /// Default: all cores.
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,

    /// Encoder arithmetic. `auto` (default) runs the matrix multiplies in bfloat16 when the CPU
    /// has native bf16 (AVX512-BF16 / AMX: Intel Sapphire Rapids and later, AMD Zen 4 and later),
    /// 2.5-3x faster, and fp32 otherwise. bf16 keeps the residual stream and layer norms in fp32:
    /// embeddings stay within cosine 0.9999 of fp32 and no head's test score moves (see README,
    /// Performance). `fp32` forces full precision, for bit-for-bit comparisons with other tools.
    /// `int8` runs the projections as int8 GEMMs: on CPUs without native bf16 the fast choice
    /// (measured end to end: 1.3-1.5x fp32 with AVX-512 VNNI, 1.2-1.4x with AVX2 alone), every
    /// fast-set head's test score within 0.01 of fp32; not with --deterministic. `auto` never
    /// picks it.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = Precision::Auto)]
    pub precision: Precision,

    /// Same as `--precision fp32`.
    #[arg(long, conflicts_with = "precision")]
    pub fp32: bool,

    /// Scores that do not depend on how the corpus is split: every sentence runs in a batch
    /// whose shape depends on its own length alone, so it gets the same probabilities to the
    /// last bit whether it is scored alone, with its corpus, or in a shard merged later
    /// (`framescore merge`, Spark). Without it, matrix kernels that sum in a shape-dependent
    /// order can move a probability in its fourth decimal between runs that batch differently.
    /// Costs some speed (more padding). Shards to be merged should all use it, and so should a
    /// single run they are compared with.
    #[arg(long)]
    pub deterministic: bool,

    /// Sentences per encoder forward pass.
    #[arg(long, value_name = "N", default_value_t = framescore::model::encode::DEFAULT_BATCH)]
    pub batch_size: usize,
}

impl EncoderArgs {
    /// Sizes both thread pools and loads the encoder, with the tuned layers the models name.
    pub fn load(
        &self,
        layers: Option<&std::path::Path>,
    ) -> anyhow::Result<framescore::model::encode::Encoder> {
        framescore::set_threads(self.threads);
        let dir = match &self.encoder {
            Some(dir) => dir.clone(),
            None => framescore::learn::tune::base_encoder_dir(layers)?,
        };
        let mut encoder = framescore::model::encode::Encoder::load_tuned(
            &dir,
            self.batch_size,
            self.bf16(),
            layers,
        )?;
        if self.int8() {
            if self.deterministic {
                anyhow::bail!(
                    "--precision int8 cannot be --deterministic: int8 quantises each batch's \
                     activations with one scale, so a sentence's scores depend on the sentences \
                     it is batched with; use --precision fp32 (or bf16) with --deterministic"
                );
            }
            encoder.quantize_int8()?;
        }
        encoder.set_fixed_shapes(self.deterministic);
        Ok(encoder)
    }

    /// Whether the encoder runs in bf16, after resolving `auto` against this CPU.
    pub fn bf16(&self) -> bool {
        match (self.fp32, self.precision) {
            (true, _) | (_, Precision::Fp32) | (_, Precision::Int8) => false,
            (_, Precision::Bf16) => true,
            (_, Precision::Auto) => framescore::model::bert::bf16_native(),
        }
    }

    /// Whether the encoder's projections run as int8 GEMMs.
    pub fn int8(&self) -> bool {
        !self.fp32 && self.precision == Precision::Int8
    }
}

/// `--precision` values.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// bf16 where the CPU computes it natively, else fp32.
    Auto,
    /// Full precision everywhere.
    Fp32,
    /// bf16 matrix multiplies even without native support (slow there; for testing).
    Bf16,
    /// int8 matrix multiplies (fbgemm; per-channel weights, SmoothQuant-calibrated activation
    /// ranges): faster than fp32 where the CPU has no native bf16, embeddings within cosine
    /// 0.99 of fp32 (see README, Performance).
    Int8,
}

/// Which tuned encoder layers a training command trains on.
#[derive(clap::Args, Debug, Clone)]
pub struct TunedLayersArgs {
    /// Tuned encoder layers to train on (from `framescore tune`); the model records them and
    /// scoring applies them. Default: the shipped models/tuned/encoder.safetensors, which every
    /// shipped model uses, so the new model scores alongside them in one encoder pass.
    #[arg(long, value_name = "FILE", default_value_os_t = framescore::models_dir().join("tuned").join(framescore::learn::tune::LAYERS_FILE))]
    pub encoder_layers: PathBuf,

    /// Train on the plain encoder, without tuned layers (the shipped models cannot then score
    /// in the same run: pass models trained the same way, or --no-tagger and a plain
    /// --bias-model).
    #[arg(long)]
    pub plain_encoder: bool,
}

impl TunedLayersArgs {
    pub fn path(&self) -> Option<&std::path::Path> {
        (!self.plain_encoder).then_some(self.encoder_layers.as_path())
    }
}
