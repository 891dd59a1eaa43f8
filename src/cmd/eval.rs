//! `framescore eval`: scores a frame model against a gold CSV.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use framescore::eval;
use framescore::frames::FrameModel;
use framescore::train::Labelled;

use super::EncoderArgs;

/// Evaluate a frame model on gold labels: per-frame precision, recall, F1 at the model's
/// thresholds, macro-F1, and expected calibration error (10 bins).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Gold CSV (id,text,<frame>... with 0/1 values, as for training).
    #[arg(long, value_name = "CSV", default_value_os_t = framescore::datasets_dir().join("framing/test.csv"))]
    pub data: PathBuf,

    /// Frame model folder.
    #[arg(long, value_name = "DIR", default_value_os_t = framescore::models_dir().join("frames"))]
    pub model: PathBuf,

    /// Also write the scores as CSV to this file.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,

    #[command(flatten)]
    pub encoder: EncoderArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let model = FrameModel::load(&args.model)?;
    let gold = Labelled::read(&args.data)?;
    let encoder = args.encoder.load(model.layers_file())?;
    let scores = eval::evaluate(&encoder, &model, &gold)?;
    println!(
        "{} ({} sentences), model {}",
        args.data.display(),
        gold.ids.len(),
        args.model.display()
    );
    eval::print_table(&mut std::io::stdout(), &scores)?;
    if let Some(path) = &args.csv {
        eval::write_csv(path, &scores)?;
    }
    Ok(ExitCode::SUCCESS)
}
