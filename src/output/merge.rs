//! `framescore merge`: results folders scored separately (shards of one corpus, from several
//! machines or a Spark job) into the files one run over all their documents writes: the rows
//! of articles.csv, sentences.csv, terms.csv (and explanations.csv, actors.csv) in shard order,
//! article ids made unique by the same rule as one run, and summary.csv (and the corpus and
//! source rows of actors_summary.csv) from the shards' roll-up counts (`rollups.json`), so its
//! numbers equal a single run's to the last printed digit.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::output::lock::OutLock;
use crate::output::run::RunInfo;
use crate::output::writer::{
    commit, out_dir, recover, remove_leftovers, staging_dir, unique_id, Rollups, ACTORS,
    ACTORS_SUMMARY, ARTICLES, EXPLANATIONS, ROLLUPS, SENTENCES, SUMMARY, TERMS,
};

/// What a merge put together.
pub struct Merged {
    pub shards: usize,
    pub documents: usize,
    /// Documents whose article_id was made unique across shards.
    pub renamed: usize,
}

fn header(path: &Path) -> Result<csv::StringRecord> {
    let mut r = csv::Reader::from_path(path).with_context(|| {
        format!(
            "cannot read {}; every shard must be a folder written by `framescore score`",
            path.display()
        )
    })?;
    Ok(r.headers()?.clone())
}

/// Copies the rows of `name` from every shard into `out`, replacing article ids (column 0) as
/// `maps[shard]` says.
fn concat(
    shards: &[PathBuf],
    name: &str,
    maps: &[HashMap<String, String>],
    out: &Path,
) -> Result<()> {
    let head = header(&shards[0].join(name))?;
    let mut w = csv::Writer::from_path(out.join(name))
        .with_context(|| format!("cannot write {}", out.join(name).display()))?;
    w.write_record(&head)?;
    for (shard, map) in shards.iter().zip(maps) {
        let path = shard.join(name);
        if header(&path)? != head {
            bail!(
                "{} has other columns than {}; shards must be scored with the same models \
                 and options",
                path.display(),
                shards[0].join(name).display()
            );
        }
        let mut r = csv::Reader::from_path(&path)?;
        for rec in r.records() {
            let rec = rec.with_context(|| format!("{} is not valid CSV", path.display()))?;
            match rec.get(0).and_then(|id| map.get(id)) {
                Some(id) => {
                    let mut fields: Vec<&str> = rec.iter().collect();
                    fields[0] = id;
                    w.write_record(&fields)?;
                }
                None => w.write_record(&rec)?,
            }
        }
    }
    w.flush()
        .with_context(|| format!("cannot write {}", out.join(name).display()))?;
    Ok(())
}

/// Merges `shards` (in document order) into the locked output folder.
pub fn merge(shards: &[PathBuf], lock: &OutLock, command: Vec<String>) -> Result<Merged> {
    if shards.is_empty() {
        bail!("give at least one shard folder to merge");
    }
    let dir = out_dir(lock);
    for s in shards {
        if s.canonicalize().ok() == dir.canonicalize().ok() {
            bail!(
                "{} is both a shard and --out; write the merge elsewhere",
                s.display()
            );
        }
    }
    let mut rollups = Vec::new();
    let mut runs = Vec::new();
    for s in shards {
        let run = RunInfo::read(s)?;
        if let Some(run) = &run {
            let changed = run.mismatched(s)?;
            if !changed.is_empty() {
                bail!(
                    "{}: {} changed since the run that wrote it (run.json's checksums); score \
                     that shard again",
                    s.display(),
                    changed.join(", ")
                );
            }
        }
        rollups.push(Rollups::read(s)?);
        runs.push(run);
    }
    let first = &rollups[0];
    for (s, r) in shards.iter().zip(&rollups) {
        if r.labels != first.labels || r.excel_safe != first.excel_safe {
            bail!(
                "{} was scored with other frames or --excel-safe than {}; shards must be \
                 scored with the same models and options",
                s.display(),
                shards[0].display()
            );
        }
    }
    let explain = shards.iter().all(|s| s.join(EXPLANATIONS).is_file());
    let actors = shards.iter().all(|s| s.join(ACTORS).is_file());

    recover(dir)?;
    remove_leftovers(dir, None)?;
    let staging = staging_dir(dir);
    std::fs::create_dir(&staging)
        .with_context(|| format!("cannot create {}", staging.display()))?;

    // Article ids as one run would write them: each shard's own ids (before its own renaming),
    // made unique across all shards in order.
    let mut ids = HashSet::new();
    let mut merged = Rollups::default();
    merged.labels = first.labels.clone();
    merged.excel_safe = first.excel_safe;
    let mut maps = Vec::new();
    let mut documents = 0;
    for (s, r) in shards.iter().zip(&rollups) {
        let own: HashMap<&str, &str> = r
            .renamed
            .iter()
            .map(|(orig, written)| (written.as_str(), orig.as_str()))
            .collect();
        let mut map = HashMap::new();
        let mut rdr = csv::Reader::from_path(s.join(ARTICLES))?;
        for rec in rdr.records() {
            let rec = rec?;
            let written = rec.get(0).unwrap_or_default();
            let orig = own.get(written).copied().unwrap_or(written);
            let id = unique_id(&mut ids, orig);
            if id != orig {
                merged.renamed.push((orig.to_string(), id.clone()));
            }
            if id != written {
                map.insert(written.to_string(), id);
            }
            documents += 1;
        }
        maps.push(map);
        merged.absorb(r);
    }
    let mut names = vec![ARTICLES, SENTENCES, TERMS];
    if explain {
        names.push(EXPLANATIONS);
    }
    if actors {
        names.push(ACTORS);
    }
    for name in &names {
        concat(shards, name, &maps, &staging)?;
    }
    merged.write_summary(&staging.join(SUMMARY))?;
    if actors {
        // The article rows of each shard, in shard order, with the merged article ids; the
        // corpus and source rows come from the merged counts.
        let mut rows = Vec::new();
        for (shard, map) in shards.iter().zip(&maps) {
            let path = shard.join(ACTORS_SUMMARY);
            let mut r = csv::Reader::from_path(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            for rec in r.records() {
                let rec = rec.with_context(|| format!("{} is not valid CSV", path.display()))?;
                if rec.get(0) != Some("article") {
                    continue;
                }
                let mut fields: Vec<String> = rec.iter().map(String::from).collect();
                if let Some(id) = map.get(&fields[2]) {
                    fields[2] = id.clone();
                }
                rows.push(Ok(csv::StringRecord::from(fields)));
            }
        }
        merged.write_actors_summary(&staging.join(ACTORS_SUMMARY), rows.into_iter())?;
        names.push(ACTORS_SUMMARY);
    }
    std::fs::write(staging.join(ROLLUPS), serde_json::to_vec(&merged)?)?;
    names.extend([SUMMARY, ROLLUPS]);

    // The run record: the first shard's models and thresholds, every shard's inputs and counts.
    let run = runs.iter().flatten().next().cloned().map(|mut run| {
        run.command = command;
        run.finished = RunInfo::now();
        run.inputs = runs
            .iter()
            .flatten()
            .flat_map(|r| r.inputs.clone())
            .collect();
        let sum = |f: fn(&RunInfo) -> usize| runs.iter().flatten().map(f).sum();
        run.documents = sum(|r| r.documents);
        run.failed = sum(|r| r.failed);
        run.empty = sum(|r| r.empty);
        run.sentences = sum(|r| r.sentences);
        run.files.clear();
        run
    });
    commit(dir, &staging, &names, run)?;
    Ok(Merged {
        shards: shards.len(),
        documents,
        renamed: merged.renamed.len(),
    })
}
