//! `framescore train-tagger`: fits the learned loaded-term tagger on span-annotated sentences.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use framescore::learn::tagging::{self, TaggerOptions};

use super::EncoderArgs;

/// Train the loaded-term tagger from sentences with marked loaded wording.
///
/// The data is JSONL, one sentence per line: {"id", "doc", "source", "text", "spans":
/// [[start, end], ...]} with code-point offsets (datasets/tagging/ holds BABE's biased words and
/// PTC's Loaded_Language and Name_Calling spans in this form). A logistic head is fitted on every
/// token's state from the encoder; the threshold is chosen on held-out documents.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Training JSONL.
    #[arg(long, value_name = "JSONL", default_value_os_t = framescore::datasets_dir().join("tagging/train.jsonl"))]
    pub data: PathBuf,

    /// Where to write the tagger (tagger.json + head.safetensors).
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,

    /// Held-out JSONL to score the new tagger on after training (reporting only).
    #[arg(long, value_name = "JSONL")]
    pub test: Option<PathBuf>,

    /// Random seed (held-out documents, initialisation).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    #[command(flatten)]
    pub layers: super::TunedLayersArgs,

    #[command(flatten)]
    pub encoder: EncoderArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let data = tagging::read_tagged(&args.data)?;
    let encoder = args.encoder.load(args.layers.path())?;
    eprintln!(
        "framescore: training the loaded-term tagger on {} sentences ({} spans) from {}",
        data.len(),
        data.iter().map(|t| t.spans.len()).sum::<usize>(),
        args.data.display()
    );
    let opts = TaggerOptions {
        seed: args.seed,
        ..TaggerOptions::default()
    };
    let bar = super::progress_bar(0, "{elapsed_precise} [{wide_bar}] {pos}/{len} {msg}", false);
    let (mut model, validation) = tagging::train(&encoder, &data, &opts, &bar)?;
    bar.finish_and_clear();
    // Name the tuned layers relative to the new folder where possible (see layers_reference).
    std::fs::create_dir_all(&args.out)?;
    if let Some(l) = encoder.tuned_layers() {
        model.config.layers = Some(framescore::model::modelfile::layers_reference(&args.out, l));
    }
    model.save(&args.out)?;
    println!(
        "validation scores (held-out documents; threshold {:.2} tuned here):",
        model.config.threshold
    );
    tagging::print_table(&mut std::io::stdout(), &validation)?;
    if let Some(test) = &args.test {
        let gold = tagging::read_tagged(test)?;
        let scores = tagging::evaluate(&encoder, &model, &gold)?;
        println!(
            "\nheld-out scores on {} ({} sentences):",
            test.display(),
            gold.len()
        );
        tagging::print_table(&mut std::io::stdout(), &scores)?;
    }
    eprintln!("framescore: tagger written to {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
