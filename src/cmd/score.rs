//! `framescore score`: the main job, folders of articles in, CSV summaries out.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{Context, Result};

use framescore::doc::Status;
use framescore::input;
use framescore::model::frames::FrameModel;
use framescore::model::stance::StanceHead;
use framescore::model::tagger::Tagger;
use framescore::output::{OutLock, RunInfo, Threshold, Writer, WriterOptions};
use framescore::pipeline::{Emit, Options, Pipeline};
use framescore::text::actors::Gazetteer;
use framescore::text::lexicon::Lexicon;

use super::EncoderArgs;

/// Score articles: split into sentences, classify frames, find loaded terms and actors, write CSVs.
///
/// Reads .txt, .md, .html/.htm, .jsonl, .json and .csv (see the README for each format); files
/// of any other type, and files that cannot be read, get a row with status `error` in
/// articles.csv. Writes articles.csv, sentences.csv, terms.csv and summary.csv into --out, the
/// actor mentions with the stance towards each in actors.csv and their roll-ups per actor in
/// actors_summary.csv, with
/// run.json (the models, thresholds and counts of the run) and report.html (charts per source
/// and over time, articles with their framed sentences and loaded terms marked).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files or folders to score. Folders are searched recursively in sorted order; hidden files
    /// and folders (names starting with '.') are skipped.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Output folder (created if missing). Existing results there are replaced only when the run
    /// completes, so an interrupted run leaves them intact; one run at a time may write into a
    /// folder (a second one is refused).
    #[arg(short, long, value_name = "DIR", required_unless_present = "format")]
    pub out: Option<PathBuf>,

    /// Write the results as files into --out (`csv`, the default) or as JSON lines on standard
    /// output (`jsonl`: one object per sentence, term, explanation and article row, with a
    /// `kind` field and the CSV columns as fields, numbers as JSON numbers, in input order; no
    /// summary, run record or report; messages go to standard error). With `score -` (JSON
    /// lines on standard input) this is a filter for Spark's RDD.pipe, Hadoop streaming or GNU
    /// parallel.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<OutputFormat>,

    /// A set of models made together by `framescore tune --out DIR` (or `framescore distill`):
    /// DIR/frames, DIR/bias and DIR/tagger (each overridden by --model, --bias-model,
    /// --tagger). `--models models/accurate` scores with the accurate set on all-mpnet-base-v2
    /// (higher frame and bias scores, about 5x slower; needs `scripts/setup.sh --mpnet`);
    /// `--models models/lite` with the lite set, the fast set distilled into 4 layers (about
    /// 1.5x faster, scores 0.01-0.02 lower; with --precision int8 the fast choice on CPUs
    /// without native bf16). Default: models/, the fast set on all-MiniLM-L6-v2.
    #[arg(long, value_name = "DIR")]
    pub models: Option<PathBuf>,

    /// Frame model folder made by `framescore train` (frames.json + heads.safetensors); its
    /// frame names become the CSV columns. Default: the shipped hegemony/cooperation/security
    /// model (models/frames, or frames/ in --models).
    #[arg(long, value_name = "DIR")]
    pub model: Option<PathBuf>,

    /// Sentence-bias model folder (a one-label model made by `framescore train`; the shipped one
    /// is trained on BABE expert labels). Default: the shipped model (models/bias, or bias/ in
    /// --models).
    #[arg(long, value_name = "DIR")]
    pub bias_model: Option<PathBuf>,

    /// Learned loaded-term tagger folder (made by `framescore train-tagger`): finds loaded
    /// wording the lexicon does not list; its terms have origin `model` in terms.csv. Default:
    /// the shipped tagger, trained on BABE biased words and PTC loaded-language spans
    /// (models/tagger, or tagger/ in --models).
    #[arg(long, value_name = "DIR")]
    pub tagger: Option<PathBuf>,

    /// Loaded terms from the lexicon only (no learned tagger).
    #[arg(long)]
    pub no_tagger: bool,

    /// Your own loaded-term entries (CSV: term,category,note[,action]), applied on top of the
    /// lexicon in the order given; repeatable. action `add` (default) adds a term or changes its
    /// category, `off` switches a term off. See models/LEXICON.md.
    #[arg(long, value_name = "FILE")]
    pub lexicon: Vec<PathBuf>,

    /// Your own actors (CSV: alias,actor[,kind[,action]]), applied on top of the shipped
    /// gazetteer in the order given; repeatable. `add` (default) adds an alias or gives it
    /// another actor id, `off` switches one off. See models/ACTORS.md.
    #[arg(long, value_name = "FILE")]
    pub actors: Vec<PathBuf>,

    /// The base gazetteer the --actors files apply to. Default: the shipped one.
    #[arg(long, value_name = "FILE", default_value_os_t = framescore::models_dir().join("actors.csv"))]
    pub actors_base: PathBuf,

    /// No actor mentions: actors.csv and actors_summary.csv are not written (and no stance is
    /// computed).
    #[arg(long)]
    pub no_actors: bool,

    /// Stance head folder (made by `framescore train-stance`): the stance (negative, neutral,
    /// positive) towards each actor mention, from the same encoder pass. Default: the shipped
    /// head (models/stance, or stance/ in --models); a --models set without one scores actors
    /// without a stance.
    #[arg(long, value_name = "DIR")]
    pub stance: Option<PathBuf>,

    /// Actor mentions without the stance towards them (and without the mention filter, which
    /// rides on the stance head).
    #[arg(long)]
    pub no_stance: bool,

    /// Keep every mention the gazetteer finds. By default the mention filter kept in the stance
    /// head's folder (`framescore train-mentions`) drops those that name no actor in their
    /// sentence: a country as a place ("launched from Kazakhstan"), a body inside a treaty's
    /// name ("the UN Charter"), a demonym of private people ("American contractors").
    #[arg(long)]
    pub no_mention_filter: bool,

    /// The base lexicon the --lexicon files apply to. Default: the shipped lexicon.
    #[arg(long, value_name = "FILE", default_value_os_t = framescore::models_dir().join("lexicon.csv"))]
    pub lexicon_base: PathBuf,

    /// Do not split documents into sentences: score each document (each JSONL line, CSV row,
    /// file) as one sentence, for data that is already segmented.
    #[arg(long)]
    pub no_split: bool,

    /// Also write explanations.csv: for each sentence's top frame, the words that drove it,
    /// found by occlusion (each word removed in turn, the drop in the frame's probability
    /// measured with the real model). About 12x slower than scoring alone.
    #[arg(long)]
    pub explain: bool,

    /// How many words --explain names per sentence.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub explain_top: usize,

    /// Sentences scored, written and freed together: bounds memory on very long documents
    /// (README, Performance). Lower it to use less memory, at some cost in speed.
    #[arg(long, value_name = "N", default_value_t = Options::default().window,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub window: usize,

    /// Prefix text cells that start with =, +, -, @, tab or carriage return with ' so that a
    /// spreadsheet (Excel, LibreOffice, Google Sheets) shows them as text instead of running
    /// them as formulas. Off by default: it changes the text that pandas and R read.
    #[arg(long)]
    pub excel_safe: bool,

    /// Continue the run into --out that was killed (SIGKILL, out of memory, a crash, a power
    /// cut) from its last checkpoint (one per chunk of about --window sentences), ending with
    /// the files an uninterrupted run writes. The inputs, options and models must be the
    /// same. Without an interrupted run it scores from the start. (A run stopped with Ctrl-C or
    /// SIGTERM removes its files, so it cannot be resumed; without --resume, a new run removes
    /// what a killed one left.)
    #[arg(long)]
    pub resume: bool,

    /// Do not write report.html (the HTML report drawn from the CSVs; `framescore report DIR`
    /// draws it later).
    #[arg(long)]
    pub no_report: bool,

    /// Articles shown in full in report.html: the N with the most framed sentences (all articles
    /// are listed in its table either way). Raise it to read more articles in the page; each
    /// adds about 0.6 KB per sentence (8 KB for the sample corpus's average article).
    #[arg(long, value_name = "N", default_value_t = framescore::report::DEFAULT_ARTICLES)]
    pub report_articles: usize,

    /// No progress bar and no end-of-run summary on stderr (errors, and the count of documents
    /// that could not be scored, are still printed).
    #[arg(short, long)]
    pub quiet: bool,

    #[command(flatten)]
    pub encoder: EncoderArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let started = Instant::now();
    let set = args.models.clone().unwrap_or_else(framescore::models_dir);
    let pick =
        |explicit: &Option<PathBuf>, name: &str| explicit.clone().unwrap_or_else(|| set.join(name));
    let (model_dir, bias_dir, tagger_dir) = (
        pick(&args.model, "frames"),
        pick(&args.bias_model, "bias"),
        pick(&args.tagger, "tagger"),
    );
    // A --models folder without a frame model: name the set and --models, not only --model.
    let frames = match (&args.model, &args.models) {
        (None, Some(set)) => FrameModel::load(&model_dir).with_context(|| {
            format!(
                "{} is not a model set (it needs frames/, bias/ and tagger/ folders); pass \
                 --models models/ (the fast set) or models/accurate, or --model DIR for a frame \
                 model alone",
                set.display()
            )
        })?,
        _ => FrameModel::load(&model_dir)?,
    };
    let bias = FrameModel::load(&bias_dir)?;
    if bias.labels().len() != 1 {
        anyhow::bail!(
            "{} must hold a one-label model (it has {})",
            bias_dir.display(),
            bias.labels().len()
        );
    }
    let lexicon = Lexicon::load_layered(&args.lexicon_base, &args.lexicon)?;
    let gazetteer = if args.no_actors {
        None
    } else {
        Some(Gazetteer::load_layered(&args.actors_base, &args.actors)?)
    };
    let stance_dir = pick(&args.stance, "stance");
    let mut stance = match (args.no_actors || args.no_stance, &args.stance) {
        (true, _) => None,
        (false, Some(_)) => Some(StanceHead::load(&stance_dir)?),
        (false, None) if stance_dir.is_dir() => Some(StanceHead::load(&stance_dir)?),
        (false, None) => {
            if !args.quiet {
                eprintln!(
                    "framescore: {} holds no stance head; actors are listed without a stance                      (train one with `framescore train-stance`, pass --stance DIR)",
                    set.display()
                );
            }
            None
        }
    };
    if args.no_mention_filter {
        stance = stance.map(|h| h.with_filter(None));
    }
    let tagger = if args.no_tagger {
        None
    } else {
        Some(Tagger::load(&tagger_dir)?)
    };
    // Every head reads one encoder pass, so all must have been trained on the same encoder.
    let layers = |p: Option<&std::path::Path>| p.and_then(|p| p.canonicalize().ok());
    let mut heads = vec![
        (bias_dir.clone(), layers(bias.layers_file())),
        (model_dir.clone(), layers(frames.layers_file())),
    ];
    if let Some(t) = &tagger {
        heads.push((tagger_dir.clone(), layers(t.layers_file())));
    }
    // The default stance head steps aside for frame models trained on another encoder; one
    // asked for by --stance must match like every other head.
    if let Some(h) = &stance {
        if args.stance.is_some() {
            heads.push((stance_dir.clone(), layers(h.layers_file())));
        } else if layers(h.layers_file()) != heads[0].1 {
            if !args.quiet {
                eprintln!(
                    "framescore: the stance head {} was trained on other tuned layers than the                      frame model; actors are listed without a stance (pass --stance DIR with a                      head trained on the same encoder)",
                    stance_dir.display()
                );
            }
            stance = None;
        }
    }
    if let Some((other, l)) = heads.iter().find(|h| h.1 != heads[0].1) {
        let show = |l: &Option<PathBuf>| {
            l.as_ref()
                .map_or("none".into(), |p| p.display().to_string())
        };
        anyhow::bail!(
            "{} and {} were trained on different encoders (tuned layers {} vs {}); retrain with \
             `framescore train` (it uses the shipped tuned layers by default) or pass models \
             trained on the same encoder (--model, --bias-model, --tagger or --no-tagger)",
            heads[0].0.display(),
            other.display(),
            show(&heads[0].1),
            show(l),
        );
    }
    let encoder = args.encoder.load(frames.layers_file())?;
    // The output folder is never input: with --out inside an input folder, a rerun must not
    // read the previous run's CSVs back in as a corpus.
    let stream = args.format == Some(OutputFormat::Jsonl);
    if stream && (args.out.is_some() || args.resume) {
        anyhow::bail!(
            "--format jsonl writes to standard output: leave out --out{}",
            if args.resume { " and --resume" } else { "" }
        );
    }
    let out = match (&args.out, stream) {
        (Some(out), false) => out.clone(),
        (None, false) => {
            anyhow::bail!("--out DIR is needed for --format csv (or use --format jsonl)")
        }
        _ => PathBuf::new(),
    };
    let inputs = input::discover_excluding(&args.inputs, (!stream).then_some(out.as_path()));
    if !args.quiet && !stream && out_is_inside_an_input(&out, &args.inputs) {
        eprintln!(
            "framescore: the output folder {} is inside the input; its files are not read",
            out.display()
        );
    }
    // Nothing readable at all (a typo in the path, an empty folder) is a usage error: exit 2
    // before the writer touches --out, so earlier results there stay as they were.
    if inputs.iter().all(|i| i.error.is_some()) {
        let why: Vec<&str> = inputs.iter().filter_map(|i| i.error.as_deref()).collect();
        anyhow::bail!(
            "nothing to score: {}; check the input paths (earlier results in {} are left as they \
             were)",
            if why.is_empty() {
                "no files found under the inputs given".to_string()
            } else {
                why.join("; ")
            },
            out.display()
        );
    }
    let total: u64 = inputs.iter().map(|i| i.size).sum();

    let bar = super::progress_bar(
        total,
        "{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {msg} (eta {eta})",
        args.quiet,
    );
    // The bar moves as the encoder works, not only as rows are written (a chunk of thousands
    // of sentences is encoded before its first row): its position is the input bytes of the
    // documents written plus the text bytes encoded for documents not yet written.
    let written = AtomicU64::new(0);
    let docs_written = AtomicU64::new(0);
    let encoded = AtomicU64::new(0);
    let encoded_sentences = AtomicU64::new(0);
    // Input bytes written plus text bytes encoded and not yet written; the bar never moves
    // back (a sentence repeated within a chunk is encoded once but written per document).
    let show_progress = || {
        let at = written.load(Ordering::Relaxed) + encoded.load(Ordering::Relaxed);
        bar.set_position(bar.position().max(at.min(total)));
    };
    let on_batch = |n: usize, bytes: u64| {
        encoded.fetch_add(bytes, Ordering::Relaxed);
        let n = encoded_sentences.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        let d = docs_written.load(Ordering::Relaxed);
        show_progress();
        bar.set_message(format!("{d} docs written, {n} sentences encoded"));
    };

    let pipeline = Pipeline {
        encoder: &encoder,
        frames: &frames,
        bias: Some(&bias),
        tagger: tagger.as_ref(),
        lexicon: &lexicon,
        actors: gazetteer.as_ref(),
        stance: stance.as_ref(),
        options: Options {
            split: !args.no_split,
            explain: args.explain.then_some(args.explain_top),
            window: args.window,
            chunk_sentences: args.window,
        },
        progress: (!args.quiet).then_some(&on_batch as &dyn Fn(usize, u64)),
    };
    // One run per output folder; the lock is held until the process exits.
    let lock = if stream {
        None
    } else {
        Some(OutLock::acquire(&out)?)
    };
    // Ctrl-C or a SIGTERM removes this run's staging folder (earlier results stay in place).
    if !stream {
        let staging = framescore::output::staging_dir(&out);
        let _ = ctrlc::set_handler(move || {
            // The main thread may still be creating files in the staging folder, so removing it
            // in place can race with it (a file made between emptying the folder and removing
            // it leaves the folder behind). Renaming is atomic: the staging folder is gone at
            // once, and what the main thread writes after that fails or lands in the renamed
            // folder, which is removed here (or, if that races too, by the next run: its name
            // keeps the staging prefix).
            let gone = staging.with_file_name(format!(
                "{}-interrupted",
                staging.file_name().unwrap_or_default().to_string_lossy()
            ));
            let target = if std::fs::rename(&staging, &gone).is_ok() {
                &gone
            } else {
                &staging
            };
            for _ in 0..5 {
                if std::fs::remove_dir_all(target).is_ok() || !target.exists() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            eprintln!(
                "framescore: interrupted; earlier results in the output folder are unchanged"
            );
            // Straight out, without the exit handlers: libtorch's thread pools are still at
            // work on the main thread, and tearing them down under it can crash the process.
            // SAFETY: _exit ends the process at once; nothing runs after it.
            unsafe { libc::_exit(130) };
        });
    }
    let writer_options = WriterOptions {
        explain: args.explain,
        excel_safe: args.excel_safe,
        actors: gazetteer.is_some(),
    };
    let fingerprint = fingerprint(
        &args,
        &inputs,
        &[&model_dir, &bias_dir, &tagger_dir, &stance_dir],
        &encoder,
    )?;
    let resumed = if let (true, Some(lock)) = (args.resume, &lock) {
        let r = Writer::resume(lock, frames.labels(), writer_options, &fingerprint)?;
        if r.is_none() && !args.quiet {
            eprintln!(
                "framescore: nothing to resume in {} (no interrupted run left a checkpoint); \
                 scoring from the start",
                out.display()
            );
        }
        r
    } else {
        None
    };
    let (mut writer, skip, counters) = match (resumed, &lock) {
        (Some((w, c)), _) => (w, c.docs_behind, c.counters),
        (None, Some(lock)) => (
            Writer::create(lock, frames.labels(), writer_options)?,
            0,
            Default::default(),
        ),
        (None, None) => (
            Writer::stream(frames.labels(), writer_options)?,
            0,
            Default::default(),
        ),
    };
    // A run that fails (a full disk, an unwritable file) removes its staging folder, so its
    // leftovers do not keep the disk full; earlier results stay in place.
    let mut cleanup = RemoveOnDrop((!stream).then(|| writer.staging().to_path_buf()));
    let count = |k: &str| counters.get(k).copied().unwrap_or(0);
    let (mut docs, mut sentences, mut empty, mut failed) = (
        count("docs") as usize,
        count("sentences") as usize,
        count("empty") as usize,
        count("failed") as usize,
    );
    written.store(count("written_bytes"), Ordering::Relaxed);
    docs_written.store(docs as u64, Ordering::Relaxed);
    encoded_sentences.store(sentences as u64, Ordering::Relaxed);
    bar.set_position(count("written_bytes").min(total));
    if skip > 0 && !args.quiet {
        eprintln!(
            "framescore: resuming the interrupted run in {}: {skip} documents were done",
            out.display()
        );
    }
    pipeline.run_from(&inputs, skip, |emit| {
        match emit {
            Emit::Checkpoint(_) if stream => {}
            Emit::Checkpoint(behind) => {
                let counters = [
                    ("docs", docs as u64),
                    ("sentences", sentences as u64),
                    ("empty", empty as u64),
                    ("failed", failed as u64),
                    ("written_bytes", written.load(Ordering::Relaxed)),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
                writer.checkpoint(&fingerprint, behind, counters)?;
            }
            Emit::Sentences(doc, range) => {
                sentences += range.len();
                writer.write_sentences(doc, range, &|k, p| frames.carries(k, p))?;
            }
            Emit::Done(doc) => {
                // Its input bytes are done; its encoded text no longer counts as pending.
                written.fetch_add(doc.bytes, Ordering::Relaxed);
                let text: u64 = doc.sentences.iter().map(|s| (s.end - s.start) as u64).sum();
                let _ = encoded.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |e| {
                    Some(e.saturating_sub(text))
                });
                show_progress();
                writer.close(doc)?;
                docs += 1;
                docs_written.store(docs as u64, Ordering::Relaxed);
                match doc.status {
                    Status::Ok => {}
                    Status::Empty(_) => empty += 1,
                    Status::Error(_) => failed += 1,
                }
            }
        }
        bar.set_message(format!(
            "{docs} docs written, {} sentences encoded",
            encoded_sentences
                .load(Ordering::Relaxed)
                .max(sentences as u64)
        ));
        Ok(())
    })?;
    let run = RunInfo {
        framescore: env!("CARGO_PKG_VERSION").into(),
        command: std::env::args().collect(),
        finished: RunInfo::now(),
        inputs: args
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        frame_model: absolute(&model_dir),
        bias_model: absolute(&bias_dir),
        tagger: tagger.as_ref().map(|_| absolute(&tagger_dir)),
        stance: stance.as_ref().map(|_| absolute(&stance_dir)),
        mention_filter: stance
            .as_ref()
            .and_then(|h| h.filter())
            .map(|f| f.config.threshold),
        actors: match &gazetteer {
            Some(_) => std::iter::once(&args.actors_base)
                .chain(&args.actors)
                .map(|p| absolute(p))
                .collect(),
            None => vec![],
        },
        encoder: absolute(encoder.dir()),
        precision: encoder.precision().into(),
        frames: frames
            .labels()
            .iter()
            .zip(frames.thresholds())
            .map(|(l, &t)| Threshold {
                label: l.clone(),
                threshold: t,
            })
            .collect(),
        bias_threshold: 0.5,
        documents: docs,
        failed,
        empty,
        sentences,
        files: Default::default(),
    };
    let renamed = writer.renamed().to_vec();
    writer.finish((!stream).then_some(run))?;
    cleanup.0 = None;
    bar.finish_and_clear();
    if !args.no_report && !stream {
        framescore::report::write(&out, None, args.report_articles).with_context(|| {
            format!(
                "the CSVs are in {}, but the report could not be drawn; `framescore report {}` \
                 retries it",
                out.display(),
                out.display()
            )
        })?;
    }

    if !args.quiet {
        eprintln!(
            "framescore: scored {} of {docs} documents ({sentences} sentences) in {:.1}s; results {}",
            docs - empty - failed,
            started.elapsed().as_secs_f64(),
            if stream {
                "on standard output".to_string()
            } else {
                format!("in {}", out.display())
            }
        );
    }
    // Said even with --quiet: rows that could be joined to the wrong document otherwise.
    if let Some((first, as_)) = renamed.first() {
        eprintln!(
            "framescore: {} documents had an article_id that an earlier document already used \
             (the first: {first}, written as {as_}); each was given the next free suffix #2, #3 \
             ..., in input order",
            renamed.len()
        );
    }
    // Said even with --quiet: a silent partial failure is the one thing a user must not miss.
    if empty + failed > 0 {
        eprintln!(
            "framescore: {failed} documents failed and {empty} were empty; see the status and error columns of {}",
            if stream {
                "their article rows".to_string()
            } else {
                out.join(framescore::output::ARTICLES).display().to_string()
            }
        );
    }
    Ok(if empty + failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Removes a folder when dropped, unless emptied first (the staging folder of a run that fails).
struct RemoveOnDrop(Option<PathBuf>);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(dir) = self.0.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Where `score` writes its results.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// The CSV files, run.json, rollups.json and report.html in --out.
    Csv,
    /// JSON lines on standard output.
    Jsonl,
}

/// Identifies what a run scores and how: the framescore version, every input file (path, size,
/// modification time), the options that change the output, the model, lexicon and encoder
/// files. A resumed run must have the same, so its files are those of one uninterrupted run.
fn fingerprint(
    args: &Args,
    inputs: &[input::Input],
    models: &[&Path],
    encoder: &framescore::model::encode::Encoder,
) -> Result<String> {
    use sha2::{Digest, Sha256};
    let stamp = |p: &Path| -> String {
        let m = std::fs::metadata(p).ok();
        let size = m.as_ref().map_or(0, |m| m.len());
        let time = m
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        format!("{} {size} {time}", absolute(p))
    };
    let mut h = Sha256::new();
    let mut add = |s: String| {
        h.update(s.as_bytes());
        h.update(b"\n");
    };
    add(env!("CARGO_PKG_VERSION").into());
    for i in inputs {
        add(format!("{} {:?}", stamp(&i.path), i.error));
    }
    add(format!(
        "split {} explain {:?} top {} excel {} tagger {}",
        !args.no_split, args.explain, args.explain_top, args.excel_safe, !args.no_tagger
    ));
    for dir in models {
        if let Ok(entries) = std::fs::read_dir(dir) {
            let mut files: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
            files.sort();
            files.iter().for_each(|f| add(stamp(f)));
        }
    }
    add(stamp(&args.lexicon_base));
    args.lexicon.iter().for_each(|f| add(stamp(f)));
    add(format!(
        "actors {} stance {} {:?} mention filter {}",
        !args.no_actors, !args.no_stance, args.stance, !args.no_mention_filter
    ));
    add(stamp(&args.actors_base));
    args.actors.iter().for_each(|f| add(stamp(f)));
    add(format!(
        "{} precision {}",
        absolute(encoder.dir()),
        encoder.precision()
    ));
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// A folder as the run record shows it: absolute when it exists.
fn absolute(p: &Path) -> String {
    p.canonicalize()
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}

/// Whether the (existing) folder `out` lies inside one of the input folders.
fn out_is_inside_an_input(out: &Path, inputs: &[PathBuf]) -> bool {
    let Ok(out) = out.canonicalize() else {
        return false;
    };
    inputs
        .iter()
        .filter_map(|i| i.canonicalize().ok())
        .any(|i| out.starts_with(i))
}
