//! `framescore train-mentions`: fits the mention filter (which gazetteer mentions name an actor)
//! and writes it into a stance head's folder, where scoring picks it up.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};

use framescore::learn::mentions::{self, FilterOptions};
use framescore::learn::stance;
use framescore::model::stance::StanceHead;
use framescore::text::actors::Gazetteer;

use super::EncoderArgs;

/// Train the mention filter: which of the gazetteer's actor mentions name an actor by the
/// codebook ("China launched" does; "launched from Kazakhstan", "the UN Charter" and "American
/// contractors" do not).
///
/// Training rows are the gazetteer's candidates in two kinds of JSONL: sentences annotated with
/// every actor mention (NewsMTSC's format with an `actor` per target, as datasets/actors/
/// train.jsonl), where a candidate counts as an actor mention when it overlaps an annotated one
/// with the same id; and judged candidates ({"id", "doc", "text", "candidates": [{"from", "to",
/// "mention", "actor", "actor_mention"}]}, as datasets/actors/candidates.jsonl). The filter reads
/// the token states of the stance head's encoder and is written into that head's folder
/// (mentions.json, mentions.safetensors), so `score` applies it in the same encoder pass. Its L2
/// strength and threshold are chosen by out-of-fold F1 over documents.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Training JSONL (repeatable): annotated sentences or judged candidates.
    #[arg(long, value_name = "JSONL", required = true)]
    pub data: Vec<PathBuf>,

    /// The stance head folder the filter is written into (and whose tuned encoder layers it
    /// reads). Default: models/stance.
    #[arg(long, value_name = "DIR", default_value_os_t = framescore::models_dir().join("stance"))]
    pub stance: PathBuf,

    /// Annotated JSONL (actor ids on every target) to report the gazetteer's mentions on, with
    /// and without the new filter (reporting only; repeatable).
    #[arg(long, value_name = "JSONL")]
    pub test: Vec<PathBuf>,

    /// Your own actors files, applied on top of the shipped gazetteer (as `score --actors`).
    #[arg(long, value_name = "FILE")]
    pub actors: Vec<PathBuf>,

    /// Random seed (the documents of each fold).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    #[command(flatten)]
    pub encoder: EncoderArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let gazetteer =
        Gazetteer::load_layered(&framescore::models_dir().join("actors.csv"), &args.actors)?;
    let mut data = Vec::new();
    for path in &args.data {
        if mentions::is_candidates_file(path) {
            data.extend(mentions::read_candidates(path)?);
        } else {
            let annotated = stance::read(path)?;
            if !annotated
                .iter()
                .any(|s| !s.targets.is_empty() && s.targets.iter().all(|t| t.actor.is_some()))
            {
                bail!(
                    "{} names no actor ids: give annotated actor sentences (datasets/actors/*.jsonl) \
                     or judged candidates (datasets/actors/candidates.jsonl)",
                    path.display()
                );
            }
            data.extend(mentions::candidates_of(&gazetteer, &annotated));
        }
    }
    let head = StanceHead::load(&args.stance)?;
    let encoder = args.encoder.load(head.layers_file())?;
    eprintln!(
        "framescore: fitting the mention filter on {} candidates in {} sentences from {} file(s)",
        data.iter().map(|c| c.spans.len()).sum::<usize>(),
        data.len(),
        args.data.len()
    );
    let opts = FilterOptions {
        seed: args.seed,
        ..FilterOptions::default()
    };
    let bar = super::progress_bar(0, "{elapsed_precise} [{wide_bar}] {pos}/{len} {msg}", false);
    let (filter, report) = mentions::train(&encoder, &data, &opts, &bar)?;
    bar.finish_and_clear();
    println!(
        "out of fold ({} candidates, {} of them actor mentions; L2 {}, threshold {:.2}):",
        report.candidates, report.actor_mentions, report.l2, filter.config.threshold
    );
    for (name, (p, r, f)) in [
        ("gazetteer alone", report.unfiltered),
        ("with the filter", report.filtered),
    ] {
        println!("  {name:<16} precision {p:.3}  recall {r:.3}  F1 {f:.3}");
    }
    for (source, n, (bp, br, bf), (p, r, f)) in &report.by_source {
        println!(
            "  {source:<20} {n:>5} candidates: gazetteer {bp:.3} / {br:.3} / {bf:.3}   with the filter {p:.3} / {r:.3} / {f:.3}"
        );
    }
    for test in &args.test {
        let gold = stance::read(test)?;
        let kept = mentions::filtered_hits(&encoder, &gazetteer, &filter, &gold)?;
        println!("\nactor mentions in {} (P / R / F1):", test.display());
        let before = stance::score_mentions(&gazetteer, &gold);
        let after = stance::score_found(&gold, &kept);
        for ((source, b), (_, a)) in before.iter().zip(&after) {
            println!(
                "  {source:<20} gazetteer {:.3} / {:.3} / {:.3}   with the filter {:.3} / {:.3} / {:.3}",
                b[3], b[4], b[5], a[3], a[4], a[5]
            );
        }
    }
    filter.save(&args.stance)?;
    eprintln!(
        "framescore: mention filter written to {}",
        args.stance.display()
    );
    Ok(ExitCode::SUCCESS)
}
