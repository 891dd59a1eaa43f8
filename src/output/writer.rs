//! Stage: CSV output. Rows are written as documents come out of the pipeline (memory does not
//! grow with the corpus) into a staging folder inside `--out`; [`Writer::finish`] moves the set
//! into place, the run record `run.json` (with every file's checksum) last, so a failed or
//! killed run never leaves half-written files over earlier results, and a folder's `run.json`
//! always names the set beside it.
//!
//! Offsets leave the pipeline as byte offsets and are written as Unicode code points, which is
//! what Python, pandas and R slice strings with.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::doc::{in_quotes, Doc, Status};
use crate::output::lock::OutLock;
use crate::output::run::{sha256_file, RunInfo, RUN};

pub const ARTICLES: &str = "articles.csv";
pub const SENTENCES: &str = "sentences.csv";
pub const TERMS: &str = "terms.csv";
pub const SUMMARY: &str = "summary.csv";
pub const EXPLANATIONS: &str = "explanations.csv";
/// One row per actor mention (with the stance towards it).
pub const ACTORS: &str = "actors.csv";
/// Per actor: mentions, stance shares and frame shares, over the corpus, per source, per article.
pub const ACTORS_SUMMARY: &str = "actors_summary.csv";
/// The article rows of actors_summary.csv while a run writes them (the corpus and source rows
/// are known only at the end, and come first in the finished file).
const ACTORS_ARTICLES: &str = "actors_summary.articles.part";
/// How many of the most frequent loaded terms `summary.csv` lists per row.
pub const TOP_TERMS: usize = 10;

/// One CSV file being written: every error names the file.
struct CsvOut {
    path: PathBuf,
    w: csv::Writer<BufWriter<File>>,
}

impl CsvOut {
    fn create(path: PathBuf) -> Result<CsvOut> {
        let file =
            File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(CsvOut {
            w: csv::Writer::from_writer(BufWriter::new(file)),
            path,
        })
    }

    /// Continues a file a checkpoint left, cut back to `len` bytes (what was written after the
    /// checkpoint belongs to documents that will be scored again).
    fn resume(path: PathBuf, len: u64) -> Result<CsvOut> {
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot reopen {}", path.display()))?;
        file.set_len(len)
            .with_context(|| format!("cannot cut {} back to its checkpoint", path.display()))?;
        Ok(CsvOut {
            w: csv::Writer::from_writer(BufWriter::new(file)),
            path,
        })
    }

    /// Bytes on disk once flushed.
    fn flushed_len(&mut self) -> Result<u64> {
        self.flush()?;
        Ok(self.w.get_ref().get_ref().metadata()?.len())
    }

    fn row<I, T>(&mut self, record: I) -> Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.w.write_record(record).with_context(|| self.failed())
    }

    fn flush(&mut self) -> Result<()> {
        self.w.flush().with_context(|| self.failed())
    }

    /// What a write error says: the file, and what to check.
    fn failed(&self) -> String {
        format!(
            "cannot write {} (check the free space and permissions of the output folder; earlier \
             results there are unchanged)",
            self.path.display()
        )
    }
}

/// JSON lines on standard output (`score --format jsonl`): one object per row, `kind` first,
/// then the CSV columns in order; numeric columns as JSON numbers (empty ones as null).
struct JsonOut {
    kind: &'static str,
    head: Option<Vec<String>>,
    out: std::rc::Rc<std::cell::RefCell<BufWriter<std::io::Stdout>>>,
}

/// Whether a column holds numbers (written as JSON numbers in `--format jsonl`).
pub fn numeric_column(col: &str) -> bool {
    matches!(
        col,
        "sentence_index" | "start" | "end" | "score" | "quoted" | "p" | "rank" | "drop"
    ) || ["n_", "share_", "p_", "loaded_per_1k", "mean_"]
        .iter()
        .any(|p| col.starts_with(p))
}

impl JsonOut {
    fn row<I, T>(&mut self, record: I) -> Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        let cells: Vec<String> = record
            .into_iter()
            .map(|c| String::from_utf8_lossy(c.as_ref()).into_owned())
            .collect();
        let Some(head) = &self.head else {
            // The first row of every file is its header.
            self.head = Some(cells);
            return Ok(());
        };
        let mut line = format!("{{\"kind\":\"{}\"", self.kind);
        for (col, cell) in head.iter().zip(&cells) {
            let value = if numeric_column(col) {
                match cell.parse::<f64>() {
                    Ok(x) if x.is_finite() => cell.trim_start_matches('+').to_string(),
                    _ => "null".to_string(),
                }
            } else {
                serde_json::to_string(cell)?
            };
            line.push_str(&format!(",{}:{value}", serde_json::to_string(col)?));
        }
        line.push_str("}\n");
        use std::io::Write;
        self.out
            .borrow_mut()
            .write_all(line.as_bytes())
            .context("cannot write to standard output")
    }
}

/// Where one kind of row goes: a CSV file, or JSON lines on standard output.
enum Sink {
    Csv(Box<CsvOut>),
    Json(JsonOut),
}

impl Sink {
    fn row<I, T>(&mut self, record: I) -> Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        match self {
            Sink::Csv(c) => c.row(record),
            Sink::Json(j) => j.row(record),
        }
    }

    fn flush(&mut self) -> Result<()> {
        match self {
            Sink::Csv(c) => c.flush(),
            Sink::Json(j) => {
                use std::io::Write;
                j.out
                    .borrow_mut()
                    .flush()
                    .context("cannot write to standard output")
            }
        }
    }

    fn flushed_len(&mut self) -> Result<u64> {
        match self {
            Sink::Csv(c) => c.flushed_len(),
            Sink::Json(_) => Ok(0),
        }
    }
}

/// How the writer writes.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriterOptions {
    /// Also write explanations.csv.
    pub explain: bool,
    /// Also write actors.csv and actors_summary.csv.
    pub actors: bool,
    /// Cells of text that start with `=`, `+`, `-`, `@`, tab or carriage return get a leading
    /// `'`, so a spreadsheet shows them as text instead of running them as formulas.
    pub excel_safe: bool,
}

/// Writes the four contract files into one output folder.
pub struct Writer {
    dir: PathBuf,
    /// Where the files are written until [`Writer::finish`] moves them into `dir`.
    staging: PathBuf,
    options: WriterOptions,
    /// Every article_id written so far, and the documents whose id had been used before, with
    /// the id they were written under.
    ids: HashSet<String>,
    renamed: Vec<(String, String)>,
    labels: Vec<String>,
    articles: Sink,
    sentences: Sink,
    terms: Sink,
    /// Only with `--explain`.
    explanations: Option<Sink>,
    /// actors.csv and the article rows of actors_summary.csv, unless actors are off.
    actors: Option<(Sink, Sink)>,
    /// Rows go to standard output as JSON lines; no files, no summary.
    stream: bool,
    corpus: Tally,
    sources: BTreeMap<String, Tally>,
    /// The document whose sentences are being written.
    open: Open,
}

/// Running counts of the document whose sentences are being written: a long document arrives
/// in windows of sentences, and its `articles.csv` row is written when it closes.
#[derive(Default)]
struct Open {
    frame_counts: Vec<usize>,
    /// The sentence-level counts; `close` fills in the document-level ones.
    counts: DocCounts,
    /// Where offset conversion left off: (byte, code point).
    cursor: (usize, usize),
    /// The document's article_id in the output (its own, or made unique), once assigned.
    id: Option<String>,
    term_counts: HashMap<String, usize>,
    actors: BTreeMap<String, ActorTally>,
}

impl Open {
    /// Nothing counted yet, for `frames` frames.
    fn new(frames: usize) -> Open {
        Open {
            frame_counts: vec![0; frames],
            ..Open::default()
        }
    }
}

/// Counts that roll up into a `summary.csv` row.
#[derive(Default, Clone, Serialize, Deserialize)]
struct Tally {
    n_ok: usize,
    n_not_ok: usize,
    n_sentences: usize,
    n_words: usize,
    frame_counts: Vec<usize>,
    n_terms: usize,
    n_words_quoted: usize,
    n_terms_quoted: usize,
    /// Sum of the sentences' p_biased in units of 1e-9: integers, so shards add up to exactly
    /// what one run over all their documents counts.
    p_biased_nanos: u64,
    n_biased: usize,
    term_counts: HashMap<String, usize>,
    /// Per actor id (results written before actors were counted have none).
    #[serde(default)]
    actors: BTreeMap<String, ActorTally>,
}

/// What the mentions of one actor add up to.
#[derive(Default, Clone, Serialize, Deserialize)]
struct ActorTally {
    mentions: usize,
    /// Mentions with a stance (the stance head loaded, the mention within the encoder's
    /// length limit), and how many of them are negative, neutral, positive.
    with_stance: usize,
    stance: [usize; 3],
    /// Mentions inside quoted material.
    quoted: usize,
    /// Mentions in sentences that carry each frame.
    frames: Vec<usize>,
}

impl ActorTally {
    fn absorb(&mut self, o: &ActorTally) {
        self.mentions += o.mentions;
        self.with_stance += o.with_stance;
        self.quoted += o.quoted;
        for k in 0..3 {
            self.stance[k] += o.stance[k];
        }
        self.frames.resize(self.frames.len().max(o.frames.len()), 0);
        for (a, b) in self.frames.iter_mut().zip(&o.frames) {
            *a += b;
        }
    }

    /// The columns after `actor` in actors_summary.csv.
    fn cells(&self, frames: usize) -> Vec<String> {
        let mut row = vec![self.mentions.to_string(), self.with_stance.to_string()];
        row.extend(
            self.stance
                .iter()
                .map(|&c| format!("{:.4}", ratio(c as f64, self.with_stance))),
        );
        row.push(format!("{:.4}", ratio(self.quoted as f64, self.mentions)));
        for j in 0..frames {
            let c = self.frames.get(j).copied().unwrap_or(0);
            row.push(format!("{:.4}", ratio(c as f64, self.mentions)));
        }
        row
    }
}

/// The header of actors_summary.csv.
fn actors_summary_head(labels: &[String]) -> Vec<String> {
    let mut head: Vec<String> = [
        "scope",
        "source",
        "article_id",
        "actor",
        "n_mentions",
        "n_with_stance",
        "share_negative",
        "share_neutral",
        "share_positive",
        "share_quoted",
    ]
    .map(String::from)
    .to_vec();
    head.extend(labels.iter().map(|l| format!("share_{l}")));
    head
}

/// The stance label of probabilities (negative, neutral, positive): the most probable.
fn stance_label(p: &[f32; 3]) -> usize {
    (0..3).fold(0, |b, k| if p[k] > p[b] { k } else { b })
}

/// The prefix of staging folders inside an output folder (`.staging-<process id>`).
pub const STAGING_PREFIX: &str = ".staging-";

/// The checkpoint file inside a staging folder (see [`Writer::checkpoint`]).
pub const CHECKPOINT: &str = "checkpoint.json";

/// Where an interrupted run stood at its last checkpoint: how far each staged file goes, the
/// roll-ups so far, and what the command counted. Written between chunks, replaced atomically.
#[derive(Serialize, Deserialize)]
pub struct Checkpoint {
    /// Identifies the inputs, options and models of the run (the command makes it); a resumed
    /// run must present the same.
    pub fingerprint: String,
    /// Documents of the input stream that are done.
    pub docs_behind: usize,
    /// Bytes of each staged file at the checkpoint.
    pub files: BTreeMap<String, u64>,
    corpus: Tally,
    sources: BTreeMap<String, Tally>,
    renamed: Vec<(String, String)>,
    /// The command's own counters (documents, sentences, bytes done ...).
    pub counters: BTreeMap<String, u64>,
}

/// The output folder a lock guards.
pub fn out_dir(lock: &OutLock) -> &Path {
    lock.path()
        .parent()
        .expect("the lock file is inside the output folder")
}

/// This process's staging folder inside the output folder `dir`.
pub fn staging_dir(dir: &Path) -> PathBuf {
    dir.join(format!("{STAGING_PREFIX}{}", std::process::id()))
}

/// Removes what killed runs left in `dir`: staging folders, and the `.NAME.partial` files of
/// framescore versions before staging folders. Only call it holding the folder's lock.
pub fn remove_leftovers(dir: &Path, keep: Option<&Path>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if Some(path.as_path()) == keep {
            continue;
        }
        if name.starts_with(STAGING_PREFIX) && path.is_dir() {
            std::fs::remove_dir_all(&path)
                .with_context(|| format!("cannot remove the leftover {}", path.display()))?;
        } else if name.starts_with('.') && name.ends_with(".partial") && path.is_file() {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove the leftover {}", path.display()))?;
        }
    }
    Ok(())
}

/// Completes a set that a killed run was moving into `dir`: [`Writer::finish`] moves the files
/// of a staging folder into place and its `run.json` last, so a staging folder that still holds
/// a `run.json` was stopped between two moves. Its remaining files are moved in (those already
/// moved are checked against the record's checksums), then the record: the folder holds one
/// run's complete set again. Returns whether a set was completed. Only call it holding the
/// folder's lock.
pub fn recover(dir: &Path) -> Result<bool> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(false);
    };
    for entry in entries {
        let staging = entry?.path();
        let name = staging.file_name().unwrap_or_default().to_string_lossy();
        let record = staging.join(RUN);
        if !name.starts_with(STAGING_PREFIX) || !record.is_file() {
            continue;
        }
        let Some(run) = RunInfo::read(&staging)? else {
            continue;
        };
        for (file, sum) in &run.files {
            let (from, to) = (staging.join(file), dir.join(file));
            if from.is_file() {
                std::fs::rename(&from, &to)
                    .with_context(|| format!("cannot move {} into place", to.display()))?;
            } else if !to.is_file() || &sha256_file(&to)? != sum {
                bail!(
                    "{} holds part of an interrupted run's results that cannot be completed \
                     ({file} is missing); score again",
                    dir.display()
                );
            }
        }
        if !run.files.contains_key(EXPLANATIONS) && dir.join(EXPLANATIONS).exists() {
            std::fs::remove_file(dir.join(EXPLANATIONS))?;
        }
        std::fs::rename(&record, dir.join(RUN))
            .with_context(|| format!("cannot move {} into place", dir.join(RUN).display()))?;
        std::fs::remove_dir_all(&staging)
            .with_context(|| format!("cannot remove {}", staging.display()))?;
        return Ok(true);
    }
    Ok(false)
}

/// `id`, or, when `ids` already holds it, `id#2`, `id#3` ... (the first free one); the result is
/// added to `ids`. The one rule for article ids, in a run and in a merge.
pub fn unique_id(ids: &mut HashSet<String>, id: &str) -> String {
    let mut out = id.to_string();
    if ids.contains(id) {
        let mut n = 2;
        while ids.contains(&format!("{id}#{n}")) {
            n += 1;
        }
        out = format!("{id}#{n}");
    }
    ids.insert(out.clone());
    out
}

/// `cell` with a leading `'` when a spreadsheet would read it as a formula.
pub fn excel_safe(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

impl Writer {
    /// Opens the files in a fresh staging folder inside the locked output folder (removing what
    /// killed runs left there); `labels` are the frame names, in column order.
    pub fn create(lock: &OutLock, labels: &[String], options: WriterOptions) -> Result<Writer> {
        let dir = out_dir(lock);
        recover(dir)?;
        remove_leftovers(dir, None)?;
        let staging = staging_dir(dir);
        std::fs::create_dir(&staging)
            .with_context(|| format!("cannot create {}", staging.display()))?;
        let mut w = Writer::assemble(dir, staging, labels, options, &mut |path, _| {
            CsvOut::create(path)
        })?;
        w.write_headers()?;
        Ok(w)
    }

    /// Continues the run that an interrupted `score` left in the locked output folder, from its
    /// last checkpoint: the staging folder becomes this process's, its files are cut back to
    /// the checkpoint and reopened, the roll-ups restored. `None` when no interrupted run left
    /// a checkpoint. Fails when the checkpoint's fingerprint (inputs, options, models) is not
    /// `fingerprint`: that run scored something else.
    pub fn resume(
        lock: &OutLock,
        labels: &[String],
        options: WriterOptions,
        fingerprint: &str,
    ) -> Result<Option<(Writer, Checkpoint)>> {
        let dir = out_dir(lock);
        recover(dir)?;
        let mut found: Option<(PathBuf, Checkpoint)> = None;
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            let record = path.join(CHECKPOINT);
            if !name.starts_with(STAGING_PREFIX) || !record.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&record)
                .with_context(|| format!("cannot read {}", record.display()))?;
            let c: Checkpoint = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a framescore checkpoint", record.display()))?;
            if found
                .as_ref()
                .is_none_or(|f| c.docs_behind > f.1.docs_behind)
            {
                found = Some((path, c));
            }
        }
        let Some((old, checkpoint)) = found else {
            return Ok(None);
        };
        if checkpoint.fingerprint != fingerprint {
            bail!(
                "the interrupted run in {} scored other inputs, options or models than this \
                 command; run it without --resume to start over (the interrupted run's files \
                 are then removed)",
                dir.display()
            );
        }
        let staging = staging_dir(dir);
        if old != staging {
            std::fs::rename(&old, &staging)
                .with_context(|| format!("cannot take over {}", old.display()))?;
        }
        remove_leftovers(dir, Some(&staging))?;
        let lens = &checkpoint.files;
        let mut w = Writer::assemble(dir, staging, labels, options, &mut |path, name| {
            let len = lens.get(name).copied().with_context(|| {
                format!("the checkpoint has no length for {name}; run without --resume")
            })?;
            CsvOut::resume(path, len)
        })?;
        // The ids written so far, so later duplicates get the same suffixes as in one run.
        let mut ids = csv::Reader::from_path(w.staging.join(ARTICLES))?;
        for row in ids.records() {
            if let Some(id) = row?.get(0) {
                w.ids.insert(id.to_string());
            }
        }
        w.corpus = checkpoint.corpus.clone();
        w.sources = checkpoint
            .sources
            .iter()
            .map(|(k, t)| (k.clone(), t.clone()))
            .collect();
        w.renamed = checkpoint.renamed.clone();
        Ok(Some((w, checkpoint)))
    }

    /// Flushes every file and records, in the staging folder, how far each goes, the roll-ups
    /// so far, `docs_behind` (documents of the input stream that are done) and the command's
    /// `counters`: what [`Writer::resume`] continues from. Call it only between documents.
    pub fn checkpoint(
        &mut self,
        fingerprint: &str,
        docs_behind: usize,
        counters: BTreeMap<String, u64>,
    ) -> Result<()> {
        let mut files = BTreeMap::new();
        files.insert(ARTICLES.to_string(), self.articles.flushed_len()?);
        files.insert(SENTENCES.to_string(), self.sentences.flushed_len()?);
        files.insert(TERMS.to_string(), self.terms.flushed_len()?);
        if let Some(e) = &mut self.explanations {
            files.insert(EXPLANATIONS.to_string(), e.flushed_len()?);
        }
        if let Some((a, r)) = &mut self.actors {
            files.insert(ACTORS.to_string(), a.flushed_len()?);
            files.insert(ACTORS_ARTICLES.to_string(), r.flushed_len()?);
        }
        let c = Checkpoint {
            fingerprint: fingerprint.to_string(),
            docs_behind,
            files,
            corpus: self.corpus.clone(),
            sources: self
                .sources
                .iter()
                .map(|(k, t)| (k.clone(), t.clone()))
                .collect(),
            renamed: self.renamed.clone(),
            counters,
        };
        let tmp = self.staging.join(format!("{CHECKPOINT}.tmp"));
        std::fs::write(&tmp, serde_json::to_vec(&c)?)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, self.staging.join(CHECKPOINT))
            .with_context(|| format!("cannot write {}", self.staging.join(CHECKPOINT).display()))
    }

    /// A writer of JSON lines on standard output (`score --format jsonl`): sentence, term,
    /// explanation and article rows, in the order the files would get them; no files, no
    /// summary (a stream's consumer sums what it needs).
    pub fn stream(labels: &[String], options: WriterOptions) -> Result<Writer> {
        let out = std::rc::Rc::new(std::cell::RefCell::new(BufWriter::new(std::io::stdout())));
        let sink = |kind| {
            Sink::Json(JsonOut {
                kind,
                head: None,
                out: out.clone(),
            })
        };
        let mut w = Writer {
            stream: true,
            dir: PathBuf::new(),
            options,
            ids: HashSet::new(),
            renamed: Vec::new(),
            labels: labels.to_vec(),
            articles: sink("article"),
            sentences: sink("sentence"),
            terms: sink("term"),
            explanations: options.explain.then(|| sink("explanation")),
            actors: options
                .actors
                .then(|| (sink("actor"), sink("actor_summary"))),
            staging: PathBuf::new(),
            corpus: Tally::default(),
            sources: BTreeMap::new(),
            open: Open::new(labels.len()),
        };
        w.write_headers()?;
        Ok(w)
    }

    /// The writer over the staging folder's files, opened by `open(path, name)`.
    fn assemble(
        dir: &Path,
        staging: PathBuf,
        labels: &[String],
        options: WriterOptions,
        open: &mut dyn FnMut(PathBuf, &str) -> Result<CsvOut>,
    ) -> Result<Writer> {
        let mut file = |name: &str| open(staging.join(name), name).map(|c| Sink::Csv(Box::new(c)));
        Ok(Writer {
            stream: false,
            dir: dir.to_path_buf(),
            options,
            ids: HashSet::new(),
            renamed: Vec::new(),
            labels: labels.to_vec(),
            articles: file(ARTICLES)?,
            sentences: file(SENTENCES)?,
            terms: file(TERMS)?,
            explanations: if options.explain {
                Some(file(EXPLANATIONS)?)
            } else {
                None
            },
            actors: if options.actors {
                Some((file(ACTORS)?, file(ACTORS_ARTICLES)?))
            } else {
                None
            },
            staging,
            corpus: Tally::default(),
            sources: BTreeMap::new(),
            open: Open::new(labels.len()),
        })
    }

    fn write_headers(&mut self) -> Result<()> {
        let labels = &self.labels.clone();
        let w = self;
        let mut head: Vec<String> = [
            "article_id",
            "path",
            "title",
            "source",
            "date",
            "url",
            "status",
            "error",
        ]
        .map(String::from)
        .to_vec();
        head.extend(["n_sentences", "n_words"].map(String::from));
        head.extend(labels.iter().map(|l| format!("share_{l}")));
        head.extend(
            [
                "dominant_frame",
                "n_loaded_terms",
                "loaded_per_1k_words",
                "share_quoted_words",
                "loaded_per_1k_words_own",
                "loaded_per_1k_words_quoted",
                "mean_p_biased",
                "share_biased",
            ]
            .map(String::from),
        );
        w.articles.row(&head)?;
        let mut head: Vec<String> = ["article_id", "sentence_index", "start", "end", "text"]
            .map(String::from)
            .to_vec();
        head.extend(labels.iter().map(|l| format!("p_{l}")));
        head.push("p_biased".into());
        head.extend(["frames", "loaded_terms", "voice"].map(String::from));
        w.sentences.row(&head)?;
        w.terms.row([
            "article_id",
            "sentence_index",
            "start",
            "end",
            "term",
            "category",
            "score",
            "origin",
            "entry",
            "quoted",
        ])?;
        if let Some(e) = &mut w.explanations {
            e.row([
                "article_id",
                "sentence_index",
                "frame",
                "p",
                "rank",
                "word",
                "start",
                "end",
                "drop",
            ])?;
        }
        if let Some((a, r)) = &mut w.actors {
            a.row([
                "article_id",
                "sentence_index",
                "start",
                "end",
                "mention",
                "actor",
                "stance",
                "p_negative",
                "p_neutral",
                "p_positive",
                "frames",
                "voice",
                "quoted",
            ])?;
            // In a stream, actor_summary rows carry the article scope only; files get the
            // header when the finished file is assembled.
            if w.stream {
                r.row(actors_summary_head(labels))?;
            }
        }
        Ok(())
    }

    /// Writes the rows of sentences `range` of `doc` (sentences.csv, terms.csv,
    /// explanations.csv) and adds them to the document's running counts. `carries(k, p)` says
    /// whether frame `k` holds. Ranges of one document come in order, then [`Writer::close`].
    pub fn write_sentences(
        &mut self,
        doc: &Doc,
        range: std::ops::Range<usize>,
        carries: &dyn Fn(usize, f32) -> bool,
    ) -> Result<()> {
        let k = self.labels.len();
        let id = self.id_of(doc);
        let excel = self.options.excel_safe;
        let safe = |c: &'_ str| -> String {
            if excel {
                excel_safe(c).into_owned()
            } else {
                c.to_string()
            }
        };
        let id_cell = safe(&id);
        let open = &mut self.open;
        let mut cursor = CharCursor::resume(&doc.text, open.cursor);
        for (i, s) in doc.sentences[range.clone()].iter().enumerate() {
            let i = range.start + i;
            let carried: Vec<usize> = (0..k)
                .filter(|&j| s.probs.get(j).is_some_and(|&p| carries(j, p)))
                .collect();
            for &j in &carried {
                open.frame_counts[j] += 1;
            }
            if let Some(p) = s.p_biased {
                open.counts.sum_p_biased += f64::from(p);
                open.counts.p_biased_nanos += (f64::from(p) * 1e9).round() as u64;
                open.counts.n_biased += (p >= 0.5) as usize;
            }
            let start = cursor.at(s.start);
            if let (Some(out), Some(ex)) = (&mut self.explanations, &s.explanation) {
                let text = doc.sentence_text(s);
                for (rank, d) in ex.drivers.iter().enumerate() {
                    let ds = start + text[..d.start].chars().count();
                    let de = ds + text[d.start..d.end].chars().count();
                    out.row([
                        id_cell.as_str(),
                        &i.to_string(),
                        &self.labels[ex.frame],
                        &format!("{:.4}", ex.p),
                        &(rank + 1).to_string(),
                        &safe(&d.word),
                        &ds.to_string(),
                        &de.to_string(),
                        &format!("{:.4}", d.drop),
                    ])?;
                }
            }
            let mut surfaces = Vec::with_capacity(s.terms.len());
            open.counts.n_words_quoted += s
                .quoted
                .iter()
                .map(|r| doc.text[r.clone()].split_whitespace().count())
                .sum::<usize>();
            for t in &s.terms {
                let quoted = in_quotes(&s.quoted, t.start, t.end);
                open.counts.n_terms_quoted += quoted as usize;
                *open.term_counts.entry(t.term.clone()).or_default() += 1;
                let (ts, te) = (cursor.at(t.start), cursor.at(t.end));
                let surface = &doc.text[t.start..t.end];
                surfaces.push(surface);
                self.terms.row([
                    id_cell.as_str(),
                    &i.to_string(),
                    &ts.to_string(),
                    &te.to_string(),
                    &safe(surface),
                    &t.category,
                    &format!("{:.3}", t.score),
                    t.origin.label(),
                    &safe(&t.term),
                    if quoted { "1" } else { "0" },
                ])?;
            }
            open.counts.n_terms += s.terms.len();
            // The `frames` cell of the sentence's row and of its actors' rows.
            let frames = carried
                .iter()
                .map(|&j| self.labels[j].as_str())
                .collect::<Vec<_>>()
                .join(";");
            if let Some((out, _)) = &mut self.actors {
                for m in &s.actors {
                    let quoted = in_quotes(&s.quoted, m.start, m.end);
                    let t = open.actors.entry(m.actor.clone()).or_default();
                    t.mentions += 1;
                    t.quoted += quoted as usize;
                    t.frames.resize(k, 0);
                    for &j in &carried {
                        t.frames[j] += 1;
                    }
                    let (label, probs) = match &m.stance {
                        Some(p) => {
                            let c = stance_label(p);
                            t.with_stance += 1;
                            t.stance[c] += 1;
                            (
                                ["negative", "neutral", "positive"][c],
                                p.map(|v| format!("{v:.4}")),
                            )
                        }
                        None => ("", Default::default()),
                    };
                    let [pn, pu, pp] = probs;
                    out.row([
                        id_cell.as_str(),
                        &i.to_string(),
                        &cursor.at(m.start).to_string(),
                        &cursor.at(m.end).to_string(),
                        &safe(&doc.text[m.start..m.end]),
                        &safe(&m.actor),
                        label,
                        &pn,
                        &pu,
                        &pp,
                        &frames,
                        s.voice.label(),
                        if quoted { "1" } else { "0" },
                    ])?;
                }
            }
            let end = cursor.at(s.end);
            let mut row = vec![
                id_cell.clone(),
                i.to_string(),
                start.to_string(),
                end.to_string(),
            ];
            row.push(safe(doc.sentence_text(s)));
            row.extend(s.probs.iter().map(|p| format!("{p:.4}")));
            row.push(s.p_biased.map(|p| format!("{p:.4}")).unwrap_or_default());
            row.push(frames);
            row.push(safe(&surfaces.join(";")));
            row.push(s.voice.label().to_string());
            self.sentences.row(&row)?;
        }
        open.cursor = (cursor.byte, cursor.chars);
        Ok(())
    }

    /// Writes the `articles.csv` row of `doc`, whose sentences have all been written (a failed
    /// or empty document has none), and adds it to the summary tallies.
    pub fn close(&mut self, doc: &Doc) -> Result<()> {
        let id = self.id_of(doc);
        let open = std::mem::replace(&mut self.open, Open::new(self.labels.len()));
        let frame_counts = open.frame_counts;
        let n_sent = doc.sentences.len();
        let n_words = if doc.status == Status::Ok {
            doc.text.split_whitespace().count()
        } else {
            0
        };
        let share = |c: usize| ratio(c as f64, n_sent);
        let dominant = dominant_frame(&self.labels, &frame_counts);
        let m = &doc.meta;
        let text = |c: &str| -> String {
            if self.options.excel_safe {
                excel_safe(c).into_owned()
            } else {
                c.to_string()
            }
        };
        let mut row: Vec<String> = vec![
            text(&id),
            text(&doc.path),
            text(m.title.as_deref().unwrap_or_default()),
            text(m.source.as_deref().unwrap_or_default()),
            text(m.date.as_deref().unwrap_or_default()),
            text(m.url.as_deref().unwrap_or_default()),
            doc.status.label().into(),
            text(doc.status.reason()),
            n_sent.to_string(),
            n_words.to_string(),
        ];
        row.extend(frame_counts.iter().map(|&c| format!("{:.4}", share(c))));
        row.push(dominant.to_string());
        row.push(open.counts.n_terms.to_string());
        row.push(format!("{:.3}", per_1k(open.counts.n_terms, n_words)));
        let counts = DocCounts {
            ok: doc.status == Status::Ok,
            n_sent,
            n_words,
            ..open.counts
        };
        row.push(format!("{:.4}", counts.share_quoted_words()));
        row.push(format!("{:.3}", counts.own_density()));
        row.push(format!("{:.3}", counts.quoted_density()));
        row.push(format!("{:.4}", counts.mean_p_biased()));
        row.push(format!("{:.4}", counts.share_biased()));
        self.articles.row(&row)?;

        let source = m
            .source
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "(unknown)".into());
        if let Some((_, rows)) = &mut self.actors {
            for (actor, t) in &open.actors {
                let mut row = vec!["article".to_string(), text(&source), text(&id), text(actor)];
                row.extend(t.cells(self.labels.len()));
                rows.row(&row)?;
            }
        }
        let doc = Tally::of_document(&counts, &frame_counts, &open.term_counts, &open.actors);
        for tally in [&mut self.corpus, self.sources.entry(source).or_default()] {
            tally.absorb(&doc);
        }
        Ok(())
    }

    /// The staging folder the files are written into until [`Writer::finish`] (what an
    /// interrupted run must remove).
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// Documents whose article_id had been used by an earlier document: (their own id, the
    /// id they were written under: the same with `#2`, `#3` ...).
    pub fn renamed(&self) -> &[(String, String)] {
        &self.renamed
    }

    /// The document's article_id in the output: its own, or, when an earlier document used it,
    /// the same with the first free suffix `#2`, `#3` ... (in input order, so the same input
    /// always gives the same ids).
    fn id_of(&mut self, doc: &Doc) -> String {
        if let Some(id) = &self.open.id {
            return id.clone();
        }
        let id = unique_id(&mut self.ids, &doc.id);
        if id != doc.id {
            self.renamed.push((doc.id.clone(), id.clone()));
        }
        self.open.id = Some(id.clone());
        id
    }

    /// Writes `summary.csv` and, when `run` is given, `run.json` with every file's SHA-256,
    /// then moves the set into the output folder: the old `run.json` is removed first and the
    /// new one moved in last, so a `run.json` in the folder always describes the files beside
    /// it. An `explanations.csv` left by an earlier `--explain` run is removed when this run has
    /// none, so it is never read beside results it does not belong to.
    pub fn finish(mut self, run: Option<RunInfo>) -> Result<()> {
        if self.stream {
            return self.articles.flush();
        }
        let rollups = Rollups {
            labels: self.labels.clone(),
            excel_safe: self.options.excel_safe,
            corpus: std::mem::take(&mut self.corpus),
            sources: std::mem::take(&mut self.sources),
            renamed: std::mem::take(&mut self.renamed),
        };
        rollups.write_summary(&self.staging.join(SUMMARY))?;
        rollups.write(&self.staging.join(ROLLUPS))?;
        for w in [&mut self.articles, &mut self.sentences, &mut self.terms]
            .into_iter()
            .chain(self.explanations.as_mut())
        {
            w.flush()?;
        }
        let mut names = vec![ARTICLES, SENTENCES, TERMS, SUMMARY, ROLLUPS];
        if self.explanations.is_some() {
            names.push(EXPLANATIONS);
        }
        if let Some((a, r)) = &mut self.actors {
            a.flush()?;
            r.flush()?;
            let part = self.staging.join(ACTORS_ARTICLES);
            let rows = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_path(&part)
                .with_context(|| format!("cannot read {}", part.display()))?
                .into_records()
                .map(|r| r.map_err(anyhow::Error::from));
            rollups.write_actors_summary(&self.staging.join(ACTORS_SUMMARY), rows)?;
            std::fs::remove_file(&part)
                .with_context(|| format!("cannot remove {}", part.display()))?;
            names.extend([ACTORS, ACTORS_SUMMARY]);
        }
        commit(&self.dir, &self.staging, &names, run)
    }
}

/// Moves the files `names` of `staging` into `dir` as one set: `run.json` (when `run` is
/// given, with every file's SHA-256) is written into the staging folder, the old one removed
/// from `dir` first and the new one moved in last, so a `run.json` in `dir` always describes
/// the files beside it (and [`recover`] can finish the moves after a kill). An
/// `explanations.csv` that is not part of the set is removed. The staging folder goes last.
pub fn commit(dir: &Path, staging: &Path, names: &[&str], run: Option<RunInfo>) -> Result<()> {
    let mut names = names.to_vec();
    let record = match run {
        Some(mut run) => {
            for name in &names {
                run.files
                    .insert(name.to_string(), sha256_file(&staging.join(name))?);
            }
            let path = staging.join(RUN);
            std::fs::write(&path, serde_json::to_string_pretty(&run)? + "\n")
                .with_context(|| format!("cannot write {}", path.display()))?;
            true
        }
        None => false,
    };
    let remove = |path: PathBuf| -> Result<()> {
        if path.exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove {}", path.display()))?;
        }
        Ok(())
    };
    remove(dir.join(RUN))?;
    for optional in [EXPLANATIONS, ACTORS, ACTORS_SUMMARY] {
        if !names.contains(&optional) {
            remove(dir.join(optional))?;
        }
    }
    if record {
        names.push(RUN);
    }
    for name in names {
        let (from, to) = (staging.join(name), dir.join(name));
        std::fs::rename(&from, &to)
            .with_context(|| format!("cannot move {} into place", to.display()))?;
    }
    // What is left is the checkpoint, which the finished set no longer needs.
    std::fs::remove_dir_all(staging)
        .with_context(|| format!("cannot remove {}", staging.display()))?;
    Ok(())
}

/// The file that holds a results folder's roll-ups as counts.
pub const ROLLUPS: &str = "rollups.json";

/// The corpus and per-source counts behind summary.csv, kept as counts (not shares) in
/// `rollups.json` so that results folders (shards of one corpus) add up exactly:
/// `framescore merge` sums them and writes the summary one run over all their documents would.
#[derive(Default, Serialize, Deserialize)]
pub struct Rollups {
    /// Frame labels, in column order.
    pub labels: Vec<String>,
    /// Whether text cells were written spreadsheet-safe (`--excel-safe`).
    pub excel_safe: bool,
    corpus: Tally,
    sources: BTreeMap<String, Tally>,
    /// Documents whose article_id had been used before: (their own id, the id written).
    pub renamed: Vec<(String, String)>,
}

impl Rollups {
    /// Reads `DIR/rollups.json`.
    pub fn read(dir: &Path) -> Result<Rollups> {
        let path = dir.join(ROLLUPS);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read {}; results written before framescore kept roll-ups cannot be \
                 merged: score them again",
                path.display()
            )
        })?;
        serde_json::from_str(&text).with_context(|| format!("{} is not valid", path.display()))
    }

    fn write(&self, path: &Path) -> Result<()> {
        std::fs::write(path, serde_json::to_vec(self)?)
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// Adds `other`'s counts (its renamed ids are the caller's business).
    pub fn absorb(&mut self, other: &Rollups) {
        self.corpus.absorb(&other.corpus);
        for (source, t) in &other.sources {
            self.sources.entry(source.clone()).or_default().absorb(t);
        }
    }

    /// Writes actors_summary.csv: per actor the corpus rows, then the rows of each source, then
    /// `articles` (the article rows, as written during the run or taken from shards).
    pub fn write_actors_summary(
        &self,
        path: &Path,
        articles: impl Iterator<Item = Result<csv::StringRecord>>,
    ) -> Result<()> {
        let mut out = CsvOut::create(path.to_path_buf())?;
        out.row(actors_summary_head(&self.labels))?;
        let safe = |c: &str| -> String {
            if self.excel_safe {
                excel_safe(c).into_owned()
            } else {
                c.to_string()
            }
        };
        let k = self.labels.len();
        let scopes = std::iter::once(("corpus", "", &self.corpus))
            .chain(self.sources.iter().map(|(s, t)| ("source", s.as_str(), t)));
        for (scope, source, tally) in scopes {
            let mut actors: Vec<(&String, &ActorTally)> = tally.actors.iter().collect();
            // Most mentioned first, then by id.
            actors.sort_by(|a, b| b.1.mentions.cmp(&a.1.mentions).then(a.0.cmp(b.0)));
            for (actor, t) in actors {
                let mut row = vec![scope.to_string(), safe(source), String::new(), safe(actor)];
                row.extend(t.cells(k));
                out.row(&row)?;
            }
        }
        for rec in articles {
            out.row(&rec?)?;
        }
        out.flush()
    }

    /// Writes summary.csv: the corpus row, then one row per source.
    pub fn write_summary(&self, path: &Path) -> Result<()> {
        let mut summary = CsvOut::create(path.to_path_buf())?;
        let mut head: Vec<String> = [
            "scope",
            "source",
            "n_articles",
            "n_failed",
            "n_sentences",
            "n_words",
        ]
        .map(String::from)
        .to_vec();
        head.extend(self.labels.iter().map(|l| format!("share_{l}")));
        head.extend(
            [
                "n_loaded_terms",
                "loaded_per_1k_words",
                "loaded_per_1k_words_own",
                "loaded_per_1k_words_quoted",
                "mean_p_biased",
                "share_biased",
                "top_loaded_terms",
            ]
            .map(String::from),
        );
        summary.row(&head)?;
        let safe = |mut row: Vec<String>| {
            if self.excel_safe {
                for c in row.iter_mut() {
                    *c = excel_safe(c).into_owned();
                }
            }
            row
        };
        summary.row(safe(self.corpus.row("corpus", "", &self.labels)))?;
        for (source, tally) in &self.sources {
            summary.row(safe(tally.row("source", source, &self.labels)))?;
        }
        summary.flush()
    }
}

impl Tally {
    /// Adds another tally's counts.
    fn absorb(&mut self, o: &Tally) {
        self.n_ok += o.n_ok;
        self.n_not_ok += o.n_not_ok;
        self.n_sentences += o.n_sentences;
        self.n_words += o.n_words;
        self.n_words_quoted += o.n_words_quoted;
        self.n_terms_quoted += o.n_terms_quoted;
        self.p_biased_nanos += o.p_biased_nanos;
        self.n_biased += o.n_biased;
        self.frame_counts
            .resize(self.frame_counts.len().max(o.frame_counts.len()), 0);
        for (a, b) in self.frame_counts.iter_mut().zip(&o.frame_counts) {
            *a += b;
        }
        self.n_terms += o.n_terms;
        for (term, n) in &o.term_counts {
            *self.term_counts.entry(term.clone()).or_default() += n;
        }
        for (actor, t) in &o.actors {
            self.actors.entry(actor.clone()).or_default().absorb(t);
        }
    }

    /// What one document adds to the roll-ups (added with [`Tally::absorb`], as shards are).
    fn of_document(
        c: &DocCounts,
        frames: &[usize],
        terms: &HashMap<String, usize>,
        actors: &BTreeMap<String, ActorTally>,
    ) -> Tally {
        Tally {
            n_ok: c.ok as usize,
            n_not_ok: !c.ok as usize,
            n_sentences: c.n_sent,
            n_words: c.n_words,
            frame_counts: frames.to_vec(),
            n_terms: c.n_terms,
            n_words_quoted: c.n_words_quoted,
            n_terms_quoted: c.n_terms_quoted,
            p_biased_nanos: c.p_biased_nanos,
            n_biased: c.n_biased,
            term_counts: terms.clone(),
            actors: actors.clone(),
        }
    }

    fn row(&self, scope: &str, source: &str, labels: &[String]) -> Vec<String> {
        let mut row = vec![
            scope.to_string(),
            source.to_string(),
            self.n_ok.to_string(),
            self.n_not_ok.to_string(),
            self.n_sentences.to_string(),
            self.n_words.to_string(),
        ];
        for j in 0..labels.len() {
            let c = self.frame_counts.get(j).copied().unwrap_or(0);
            let share = ratio(c as f64, self.n_sentences);
            row.push(format!("{share:.4}"));
        }
        row.push(self.n_terms.to_string());
        row.push(format!("{:.3}", per_1k(self.n_terms, self.n_words)));
        let own = own_per_1k(
            self.n_terms,
            self.n_terms_quoted,
            self.n_words,
            self.n_words_quoted,
        );
        row.push(format!("{own:.3}"));
        row.push(format!(
            "{:.3}",
            per_1k(self.n_terms_quoted, self.n_words_quoted)
        ));
        row.push(format!(
            "{:.4}",
            ratio(self.p_biased_nanos as f64 / 1e9, self.n_sentences)
        ));
        row.push(format!(
            "{:.4}",
            ratio(self.n_biased as f64, self.n_sentences)
        ));
        let mut top: Vec<(&String, &usize)> = self.term_counts.iter().collect();
        top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        row.push(
            top.iter()
                .take(TOP_TERMS)
                .map(|(t, c)| format!("{t} ({c})"))
                .collect::<Vec<_>>()
                .join("; "),
        );
        row
    }
}

/// What one document adds to the roll-ups.
#[derive(Default)]
struct DocCounts {
    ok: bool,
    n_sent: usize,
    n_words: usize,
    /// Words inside quoted material (quotation marks and their content).
    n_words_quoted: usize,
    n_terms: usize,
    /// Loaded terms inside quoted material.
    n_terms_quoted: usize,
    /// Sum of the sentences' p_biased, and how many reach 0.5.
    sum_p_biased: f64,
    /// The same in units of 1e-9, for the roll-ups (see `Tally`).
    p_biased_nanos: u64,
    n_biased: usize,
}

impl DocCounts {
    fn share_quoted_words(&self) -> f64 {
        ratio(self.n_words_quoted as f64, self.n_words)
    }

    /// Loaded terms per 1,000 quoted words (the quoted speakers' wording).
    fn quoted_density(&self) -> f64 {
        per_1k(self.n_terms_quoted, self.n_words_quoted)
    }

    fn mean_p_biased(&self) -> f64 {
        ratio(self.sum_p_biased, self.n_sent)
    }

    fn share_biased(&self) -> f64 {
        ratio(self.n_biased as f64, self.n_sent)
    }

    fn own_density(&self) -> f64 {
        own_per_1k(
            self.n_terms,
            self.n_terms_quoted,
            self.n_words,
            self.n_words_quoted,
        )
    }
}

fn ratio(x: f64, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        x / n as f64
    }
}

/// Loaded terms per 1,000 words of the outlet's own wording (quoted terms and words left out).
fn own_per_1k(terms: usize, terms_quoted: usize, words: usize, words_quoted: usize) -> f64 {
    per_1k(terms - terms_quoted, words.saturating_sub(words_quoted))
}

fn per_1k(n: usize, words: usize) -> f64 {
    if words == 0 {
        0.0
    } else {
        n as f64 * 1000.0 / words as f64
    }
}

/// The frame carried by the most sentences; `none` when no sentence carries any. Ties go to the
/// frame listed first in the model.
pub fn dominant_frame<'a>(labels: &'a [String], counts: &[usize]) -> &'a str {
    let mut best: Option<(usize, usize)> = None;
    for (j, &c) in counts.iter().enumerate() {
        if c > 0 && best.is_none_or(|(_, bc)| c > bc) {
            best = Some((j, c));
        }
    }
    best.map_or("none", |(j, _)| labels[j].as_str())
}

/// Converts increasing byte offsets of one text into code-point offsets in a single pass.
struct CharCursor<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharCursor<'a> {
    #[cfg(test)]
    fn new(text: &'a str) -> Self {
        CharCursor::resume(text, (0, 0))
    }

    /// Continues from `(byte, chars)`, where an earlier cursor over the same text stopped.
    fn resume(text: &'a str, (byte, chars): (usize, usize)) -> Self {
        CharCursor { text, byte, chars }
    }

    fn at(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_cursor_counts_code_points() {
        let t = "“Win-win” — 合作 works";
        let mut c = CharCursor::new(t);
        let b = t.find("works").unwrap();
        assert_eq!(c.at(b), t[..b].chars().count());
        assert_eq!(c.at(0), 0);
        assert_eq!(c.at(t.len()), t.chars().count());
    }

    #[test]
    fn json_lines_type_numeric_columns_as_numbers() {
        for c in [
            "sentence_index",
            "start",
            "p_hegemony",
            "p_biased",
            "share_security",
            "n_words",
            "loaded_per_1k_words_own",
            "mean_p_biased",
            "score",
            "quoted",
        ] {
            assert!(numeric_column(c), "{c}");
        }
        for c in [
            "article_id",
            "text",
            "frames",
            "voice",
            "term",
            "source",
            "dominant_frame",
        ] {
            assert!(!numeric_column(c), "{c}");
        }
    }

    #[test]
    fn unique_ids_take_the_first_free_suffix() {
        let mut ids = HashSet::new();
        assert_eq!(unique_id(&mut ids, "a"), "a");
        assert_eq!(unique_id(&mut ids, "a#2"), "a#2");
        assert_eq!(unique_id(&mut ids, "a"), "a#3");
        assert_eq!(unique_id(&mut ids, "a"), "a#4");
        assert_eq!(excel_safe("=1+1"), "'=1+1");
        assert_eq!(excel_safe("plain"), "plain");
    }

    #[test]
    fn dominant_frame_prefers_most_frequent_then_first() {
        let labels: Vec<String> = ["hegemony", "cooperation", "security"]
            .map(String::from)
            .to_vec();
        assert_eq!(dominant_frame(&labels, &[0, 0, 0]), "none");
        assert_eq!(dominant_frame(&labels, &[1, 3, 2]), "cooperation");
        assert_eq!(dominant_frame(&labels, &[2, 2, 0]), "hegemony");
    }
}
