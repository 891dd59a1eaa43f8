//! `framescore train`: fits frame heads on a labelled CSV and saves a model folder.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use framescore::learn::data::Labelled;
use framescore::learn::eval;
use framescore::learn::train::{self, TrainOptions};
use framescore::model::codebook::Codebook;

use super::EncoderArgs;

/// Train frame heads from labelled sentences.
///
/// The CSV has columns id,text and one 0/1 column per frame (any names: they become the frame
/// names); an optional `doc` column groups sentences of one document so cross-validation never
/// splits a document. With --codebook, the CSV's frame columns must be the codebook's frames,
/// and the model keeps the codebook. Regularisation and decision thresholds are chosen on out-of-fold
/// predictions, then the heads are refitted on all rows. Same data and seed, same model.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Labelled training CSV.
    #[arg(long, value_name = "CSV", default_value_os_t = framescore::datasets_dir().join("framing/train.csv"))]
    pub data: PathBuf,

    /// Where to write the model (frames.json + heads.safetensors).
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,

    /// Codebook (TOML: one [[frame]] table with `name` and `description` per frame) that the
    /// CSV's frame columns must match; it sets the column order and is saved with the model so
    /// the model says what each frame means. See the README's "Your own frames".
    #[arg(long, value_name = "TOML")]
    pub codebook: Option<PathBuf>,

    /// Held-out gold CSV to score the new model on after training (reporting only; never used
    /// for fitting or tuning).
    #[arg(long, value_name = "CSV")]
    pub test: Option<PathBuf>,

    /// Random seed for the fold assignment and initialisation.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// Cross-validation folds for choosing regularisation and thresholds.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,

    #[command(flatten)]
    pub layers: super::TunedLayersArgs,

    #[command(flatten)]
    pub encoder: EncoderArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let mut data = Labelled::read(&args.data)?;
    let codebook = match &args.codebook {
        Some(path) => {
            let book = Codebook::read(path)?;
            data.align_to(&book, &args.data)?;
            Some(book)
        }
        None => None,
    };
    let encoder = args.encoder.load(args.layers.path())?;
    eprintln!(
        "framescore: training {} frames ({}) on {} sentences from {}",
        data.labels.len(),
        data.labels.join(", "),
        data.ids.len(),
        args.data.display()
    );
    let opts = TrainOptions {
        seed: args.seed,
        folds: args.folds,
        ..TrainOptions::default()
    };
    let bar = super::progress_bar(0, "{elapsed_precise} [{wide_bar}] {pos}/{len} {msg}", false);
    let (mut model, report) = train::train(&encoder, &data, &opts, &bar)?;
    bar.finish_and_clear();
    model.config.codebook = codebook;
    // Name the tuned layers relative to the new folder where possible (see layers_reference).
    std::fs::create_dir_all(&args.out)?;
    if let Some(l) = encoder.tuned_layers() {
        model.config.layers = Some(framescore::model::modelfile::layers_reference(&args.out, l));
    }
    model.save(&args.out)?;
    println!("out-of-fold scores on the training data (thresholds tuned here):");
    eval::print_table(&mut std::io::stdout(), &report.oof)?;
    if let Some(test) = &args.test {
        let gold = Labelled::read(test)?;
        gold.require_gold(test)?;
        let scores = eval::evaluate(&encoder, &model, &gold)?;
        println!(
            "\nheld-out scores on {} ({} sentences):",
            test.display(),
            gold.ids.len()
        );
        eval::print_table(&mut std::io::stdout(), &scores)?;
    }
    eprintln!("framescore: model written to {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
