//! Stage: the report. One self-contained HTML page (`report.html`) drawn from a results folder:
//! the corpus view (frames, loaded terms and bias per source, frames over time, failed
//! documents) and article views (sentences marked by frame, loaded terms underlined, quoted
//! material set apart).
//!
//! It reads the files `score` wrote ([`results`]), never the pipeline's memory, so `framescore
//! report DIR` redraws any results folder and the page's numbers are the CSVs' numbers;
//! [`charts`] draws SVG with plotters, [`page`] fills the minijinja template.
//!
//! May use: [`crate::output`] (file names, the run record), [`crate::text`] (quotations, to set
//! quoted material apart) and [`crate::doc`].
pub mod charts;
pub mod page;
pub mod results;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::output::RunInfo;

/// The file name inside the results folder.
pub const REPORT: &str = "report.html";

/// How many articles are shown in full by default (the most framed).
pub const DEFAULT_ARTICLES: usize = 100;

/// Draws `dir/report.html` (or `out`) from the results in `dir`, showing at most `max_views`
/// articles in full. The page is written under a temporary name and renamed into place, so an
/// earlier report is replaced only by a complete one. Returns the path written.
pub fn write(dir: &Path, out: Option<&Path>, max_views: usize) -> Result<PathBuf> {
    let results = results::read(dir, max_views)?;
    if !results.changed.is_empty() {
        eprintln!(
            "framescore: warning: {} in {} changed since the run that run.json describes; the \
             report says so",
            results.changed.join(", "),
            dir.display()
        );
    }
    let folder = dir
        .canonicalize()
        .unwrap_or_else(|_| dir.to_path_buf())
        .display()
        .to_string();
    let html = page::render(&results, &folder, &RunInfo::now())?;
    let path = out.map_or_else(|| dir.join(REPORT), Path::to_path_buf);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| REPORT.into());
    let tmp = path.with_file_name(format!(".{name}.partial"));
    std::fs::write(&tmp, html).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &path)
        .with_context(|| format!("cannot move {} into place", path.display()))?;
    Ok(path)
}
