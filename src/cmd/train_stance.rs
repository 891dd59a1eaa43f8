//! `framescore train-stance`: fits the stance head (negative, neutral, positive towards each
//! actor mention) on target-sentiment data in NewsMTSC's JSONL format.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use framescore::learn::stance::{self, StanceOptions};

use super::EncoderArgs;

/// Train the stance head from sentences with target mentions and the sentiment towards each.
///
/// The data is JSONL in NewsMTSC's format, one sentence per line: {"primary_gid",
/// "sentence_normalized", "targets": [{"from", "to", "mention", "polarity"}]} with code-point
/// offsets and polarity 2 (negative), 4 (neutral) or 6 (positive); optional `doc` and `source`
/// fields name the article and the data set. Give --data several times to train on several
/// files (the shipped head: NewsMTSC's train.jsonl and datasets/actors/train.jsonl). The head
/// reads the frozen encoder's token states, so it scores in the same pass as the other models.
/// The epoch and a calibration temperature are chosen on held-out documents.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Training JSONL (repeatable).
    #[arg(long, value_name = "JSONL", required = true)]
    pub data: Vec<PathBuf>,

    /// Where to write the head (stance.json + head.safetensors).
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,

    /// Held-out JSONL to score the new head on after training (reporting only; repeatable).
    #[arg(long, value_name = "JSONL")]
    pub test: Vec<PathBuf>,

    /// Passes over the training data (the best held-out epoch is kept).
    #[arg(long, default_value_t = StanceOptions::default().epochs)]
    pub epochs: usize,

    /// Times each sentence of a data set other than NewsMTSC is seen per epoch.
    #[arg(long, default_value_t = StanceOptions::default().own_weight)]
    pub own_weight: usize,

    /// Hidden units of the head's ReLU layer.
    #[arg(long, default_value_t = StanceOptions::default().units)]
    pub units: i64,

    /// Peak learning rate (AdamW).
    #[arg(long, default_value_t = StanceOptions::default().lr)]
    pub lr: f64,

    /// Dropout on the head's input features while fitting.
    #[arg(long, default_value_t = StanceOptions::default().dropout)]
    pub dropout: f64,

    /// Random seed (held-out documents, initialisation, order).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    #[command(flatten)]
    pub layers: super::TunedLayersArgs,

    #[command(flatten)]
    pub encoder: EncoderArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let mut data = Vec::new();
    for path in &args.data {
        data.extend(stance::read(path)?);
    }
    let encoder = args.encoder.load(args.layers.path())?;
    eprintln!(
        "framescore: training the stance head on {} sentences ({} targets) from {} file(s)",
        data.len(),
        data.iter().map(|s| s.targets.len()).sum::<usize>(),
        args.data.len()
    );
    let opts = StanceOptions {
        epochs: args.epochs,
        own_weight: args.own_weight,
        seed: args.seed,
        units: args.units,
        lr: args.lr,
        dropout: args.dropout,
        ..StanceOptions::default()
    };
    let bar = super::progress_bar(0, "{elapsed_precise} [{wide_bar}] {pos}/{len} {msg}", false);
    let (mut head, validation) = stance::train(&encoder, &data, &opts, &bar)?;
    bar.finish_and_clear();
    std::fs::create_dir_all(&args.out)?;
    if let Some(l) = encoder.tuned_layers() {
        head.config.layers = Some(framescore::model::modelfile::layers_reference(&args.out, l));
    }
    head.save(&args.out)?;
    println!(
        "validation scores (held-out documents; temperature {:.1}):",
        head.config.temperature
    );
    stance::print_table(&mut std::io::stdout(), &validation)?;
    for test in &args.test {
        let gold = stance::read(test)?;
        let scores = stance::evaluate(&encoder, &head, &gold)?;
        println!(
            "\nheld-out scores on {} ({} sentences):",
            test.display(),
            gold.len()
        );
        stance::print_table(&mut std::io::stdout(), &scores)?;
    }
    eprintln!("framescore: stance head written to {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
