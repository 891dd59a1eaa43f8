//! `framescore eval`: scores a frame model against a gold CSV.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use framescore::learn::data::Labelled;
use framescore::learn::eval;
use framescore::learn::tagging;
use framescore::model::frames::FrameModel;
use framescore::model::tagger::Tagger;

use super::EncoderArgs;

/// Evaluate a frame model on gold labels: per-frame precision, recall, F1 at the model's
/// thresholds, macro-F1, and expected calibration error (10 bins); with --tagger, the
/// loaded-term tagger's word-level and character-overlap scores too.
///
/// For a one-label model (the bias head) it also prints the two-class macro-F1.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Gold CSV (id,text,<frame>... with 0/1 values, as for training).
    #[arg(long, value_name = "CSV", default_value_os_t = framescore::datasets_dir().join("framing/test.csv"))]
    pub data: PathBuf,

    /// Frame model folder.
    #[arg(long, value_name = "DIR", default_value_os_t = framescore::models_dir().join("frames"))]
    pub model: PathBuf,

    /// Also evaluate the loaded-term tagger in DIR on --tagger-data: word-level precision,
    /// recall and F1 (a word is loaded if it overlaps a gold span) and character-overlap F1
    /// (SemEval-2020 Task 11 span identification), per source.
    #[arg(long, value_name = "DIR")]
    pub tagger: Option<PathBuf>,

    /// Gold tagging JSONL for --tagger.
    #[arg(long, value_name = "JSONL", default_value_os_t = framescore::datasets_dir().join("tagging/test.jsonl"))]
    pub tagger_data: PathBuf,

    /// Also write the scores as CSV to this file.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,

    #[command(flatten)]
    pub encoder: EncoderArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let model = FrameModel::load(&args.model)?;
    let gold = Labelled::read(&args.data)?;
    gold.require_gold(&args.data)?;
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
    if let Some(dir) = &args.tagger {
        let tagger = Tagger::load(dir)?;
        let same = |a: Option<&std::path::Path>, b: Option<&std::path::Path>| {
            a.and_then(|p| p.canonicalize().ok()) == b.and_then(|p| p.canonicalize().ok())
        };
        let encoder = if same(tagger.layers_file(), model.layers_file()) {
            encoder
        } else {
            args.encoder.load(tagger.layers_file())?
        };
        let gold = tagging::read_tagged(&args.tagger_data)?;
        let scores = tagging::evaluate(&encoder, &tagger, &gold)?;
        println!(
            "\nloaded-term tagger {} on {} ({} sentences, threshold {:.2}):",
            dir.display(),
            args.tagger_data.display(),
            gold.len(),
            tagger.config.threshold
        );
        tagging::print_table(&mut std::io::stdout(), &scores)?;
    }
    Ok(ExitCode::SUCCESS)
}
