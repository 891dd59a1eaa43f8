//! `run.json`: what produced a results folder (version, time, models, thresholds, counts).
//!
//! The CSVs hold the numbers; this record says how they were made, so a report drawn later
//! (`framescore report DIR`) can print the model set and thresholds beside them, and a reader
//! of an old folder can tell which model scored it.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// The file name inside the output folder.
pub const RUN: &str = "run.json";

/// One frame model label and the probability at which it is carried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    pub label: String,
    pub threshold: f32,
}

/// How a results folder was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// `framescore` version that wrote the folder.
    pub framescore: String,
    /// The command line of the run.
    #[serde(default)]
    pub command: Vec<String>,
    /// When the run finished, UTC, RFC 3339.
    pub finished: String,
    /// The inputs as given on the command line.
    pub inputs: Vec<String>,
    pub frame_model: String,
    pub bias_model: String,
    /// `None` with `--no-tagger`.
    pub tagger: Option<String>,
    /// The stance head (`None` without one, or with actors off).
    #[serde(default)]
    pub stance: Option<String>,
    /// The mention filter's threshold, when it dropped gazetteer mentions that name no actor
    /// (`None`: every gazetteer mention was kept).
    #[serde(default)]
    pub mention_filter: Option<f32>,
    /// The actor gazetteer files, the shipped one first (empty with `--no-actors`).
    #[serde(default)]
    pub actors: Vec<String>,
    /// The base encoder folder and the arithmetic it ran in (`bf16` or `fp32`).
    pub encoder: String,
    pub precision: String,
    /// Frame labels in column order, each with its decision threshold.
    pub frames: Vec<Threshold>,
    /// A sentence counts as biased (`share_biased`) at `p_biased` of at least this.
    pub bias_threshold: f32,
    pub documents: usize,
    pub failed: usize,
    pub empty: usize,
    pub sentences: usize,
    /// SHA-256 (hex) of each file the run wrote beside this record, by file name: a file that
    /// does not match was not written by this run.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
}

/// The SHA-256 of a file, in hex, read in blocks (files can be gigabytes).
pub fn sha256_file(path: &Path) -> Result<String> {
    use sha2::{Digest, Sha256};
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

impl RunInfo {
    /// The current time in the `finished` format.
    pub fn now() -> String {
        time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default()
    }

    /// The files in `dir` that differ from their checksums here (empty when all match).
    pub fn mismatched(&self, dir: &Path) -> Result<Vec<String>> {
        let mut bad = Vec::new();
        for (name, sum) in &self.files {
            let path = dir.join(name);
            if !path.exists() || &sha256_file(&path)? != sum {
                bad.push(name.clone());
            }
        }
        Ok(bad)
    }

    /// Reads `DIR/run.json`; `None` when the folder has none (results written before it
    /// existed, or assembled by hand).
    pub fn read(dir: &Path) -> Result<Option<RunInfo>> {
        let path = dir.join(RUN);
        if !path.exists() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let info = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a framescore run record", path.display()))?;
        Ok(Some(info))
    }
}
