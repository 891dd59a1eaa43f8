//! `framescore merge`: results folders scored separately into one, as one run would write it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use framescore::output::OutLock;

/// Merge results folders scored separately (shards of one corpus) into the files one run over
/// all their documents writes.
///
/// Give the shards in document order. The rows of articles.csv, sentences.csv, terms.csv (and
/// explanations.csv when every shard has one) follow in that order; article ids that repeat
/// across shards get #2, #3 ... as in one run; summary.csv is computed from the shards'
/// roll-up counts (rollups.json), so its numbers equal one run's. Shards must come from the
/// same models and options; a shard whose files changed since its run is refused.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Results folders written by `framescore score` (or by an earlier merge), in order.
    #[arg(required = true, value_name = "SHARD")]
    pub shards: Vec<PathBuf>,

    /// Output folder (created if missing); its earlier results are replaced only when the
    /// merge completes.
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,

    /// Do not draw report.html for the merged results.
    #[arg(long)]
    pub no_report: bool,

    /// Articles shown in full in report.html (the most framed).
    #[arg(long, value_name = "N", default_value_t = framescore::report::DEFAULT_ARTICLES)]
    pub report_articles: usize,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let lock = OutLock::acquire(&args.out)?;
    let merged = framescore::output::merge::merge(&args.shards, &lock, std::env::args().collect())?;
    if !args.no_report {
        framescore::report::write(&args.out, None, args.report_articles).with_context(|| {
            format!(
                "the merged CSVs are in {}, but the report could not be drawn",
                args.out.display()
            )
        })?;
    }
    eprintln!(
        "framescore: merged {} shards ({} documents{}) into {}",
        merged.shards,
        merged.documents,
        if merged.renamed > 0 {
            format!(", {} ids made unique with #2, #3 ...", merged.renamed)
        } else {
            String::new()
        },
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
