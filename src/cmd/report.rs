//! `framescore report`: draws report.html from an existing results folder (a finished run, an
//! older one, or shards merged later), without the models.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use framescore::output::OutLock;

/// Draw report.html from a results folder written by `framescore score`.
///
/// The page is self-contained (no network, fonts or scripts from elsewhere) and opens from
/// disk in any current browser; its charts and tables work with JavaScript off. It shows frame
/// shares, loaded-term density (own voice and quoted) and mean p_biased per source, frames by
/// month when articles have dates, documents that failed, and the most framed articles in full
/// with their framed sentences and loaded terms marked. Numbers are read from the CSVs.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The results folder (the --out of `framescore score`): articles.csv, sentences.csv,
    /// terms.csv, summary.csv and, when present, run.json.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Where to write the page. Default: DIR/report.html.
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Articles shown in full: the N with the most framed sentences (all are listed in the
    /// page's table of articles either way).
    #[arg(long, value_name = "N", default_value_t = framescore::report::DEFAULT_ARTICLES)]
    pub articles: usize,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if !args.dir.is_dir() {
        anyhow::bail!(
            "{} is not a folder; pass the --out folder of a `framescore score` run",
            args.dir.display()
        );
    }
    {
        // A run killed while it moved its files into place left part of its set in a staging
        // folder: complete it first, under the folder's lock (refused while a run writes).
        let _lock = OutLock::acquire(&args.dir)?;
        if framescore::output::recover(&args.dir)? {
            eprintln!(
                "framescore: completed the set of results that an interrupted run left in {}",
                args.dir.display()
            );
        }
    }
    let path = framescore::report::write(&args.dir, args.out.as_deref(), args.articles)?;
    eprintln!("framescore: wrote {}", path.display());
    Ok(ExitCode::SUCCESS)
}
