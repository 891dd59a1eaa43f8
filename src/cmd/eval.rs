//! `framescore eval`: scores a frame model against a gold CSV.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use framescore::learn::data::Labelled;
use framescore::learn::eval;
use framescore::learn::tagging;
use framescore::learn::{mentions, stance};
use framescore::model::frames::FrameModel;
use framescore::model::stance::StanceHead;
use framescore::model::tagger::Tagger;
use framescore::text::actors::Gazetteer;

use super::EncoderArgs;

/// Evaluate a frame model on gold labels: per-frame precision, recall, F1 at the model's
/// thresholds, macro-F1, and expected calibration error (10 bins); with --tagger, the
/// loaded-term tagger's word-level and character-overlap scores too; with --stance, the stance
/// head and the actor gazetteer instead.
///
/// For a one-label model (the bias head) it also prints the two-class macro-F1.
///
/// With --stance FILE it scores the stance head instead (a NewsMTSC-format JSONL with given
/// targets): precision, recall and F1 per class, per source, and as its last line
/// `f1m=<macro-F1>` over all targets; where the file's targets carry actor ids
/// (datasets/actors/), the actor gazetteer's mention precision, recall and F1 first.
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

    /// Score the stance head on this NewsMTSC-format JSONL (targets given) instead of the frame
    /// model; e.g. datasets/newsmtsc/devtest_mt.jsonl or datasets/actors/test.jsonl.
    #[arg(long, value_name = "JSONL")]
    pub stance: Option<PathBuf>,

    /// Stance head folder for --stance. Default: models/stance.
    #[arg(long, value_name = "DIR", default_value_os_t = framescore::models_dir().join("stance"))]
    pub stance_model: PathBuf,

    /// Your own actors files for the gazetteer scored with --stance (as `score --actors`).
    #[arg(long, value_name = "FILE")]
    pub actors: Vec<PathBuf>,

    /// Also write the scores as CSV to this file.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,

    #[command(flatten)]
    pub encoder: EncoderArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if let Some(path) = &args.stance {
        return run_stance(&args, path);
    }
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

/// `eval --stance FILE`: the gazetteer's mentions (where the file names actor ids), then the
/// stance head per class and source, `f1m=` last.
fn run_stance(args: &Args, path: &std::path::Path) -> Result<ExitCode> {
    let gold = stance::read(path)?;
    let head = StanceHead::load(&args.stance_model)?;
    let encoder = args.encoder.load(head.layers_file())?;
    if gold
        .iter()
        .any(|s| s.targets.iter().any(|t| t.actor.is_some()))
    {
        let gazetteer =
            Gazetteer::load_layered(&framescore::models_dir().join("actors.csv"), &args.actors)?;
        let mut tables = vec![(
            "the gazetteer".to_string(),
            stance::score_mentions(&gazetteer, &gold),
        )];
        if let Some(filter) = head.filter() {
            let kept = mentions::filtered_hits(&encoder, &gazetteer, filter, &gold)?;
            tables.push((
                format!(
                    "the gazetteer and the mention filter (threshold {:.2}; what `score` writes)",
                    filter.config.threshold
                ),
                stance::score_found(&gold, &kept),
            ));
        }
        for (what, table) in tables {
            println!(
                "actor mentions found by {what} in {} (a found mention is right when it \
                 overlaps an annotated one with the same actor id):",
                path.display()
            );
            println!(
                "{:<20} {:>7} {:>9} {:>7} {:>7} {:>7} {:>7}",
                "source", "found", "annotated", "right", "P", "R", "F1"
            );
            for (source, [f, a, r, p, rc, f1]) in table {
                println!("{source:<20} {f:>7} {a:>9} {r:>7} {p:>7.3} {rc:>7.3} {f1:>7.3}",);
            }
            println!();
        }
    }
    let scores = stance::evaluate(&encoder, &head, &gold)?;
    println!(
        "stance head {} on {} ({} sentences, {} targets):",
        args.stance_model.display(),
        path.display(),
        gold.len(),
        gold.iter().map(|s| s.targets.len()).sum::<usize>()
    );
    stance::print_table(&mut std::io::stdout(), &scores)?;
    let all = scores.last().map_or(0.0, |s| s.f1m);
    println!("f1m={all:.4}");
    Ok(ExitCode::SUCCESS)
}
