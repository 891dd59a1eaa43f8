//! `framescore distill`: a shallower student of a tuned model set, which the set's heads serve
//! as they are (issue 20: fewer encoder layers for CPUs without fast bf16).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use framescore::learn::distill::{self, DistillOptions};
use framescore::learn::tune;
use framescore::model::encode::{Encoder, DEFAULT_BATCH, TUNED_CARD};

/// Distil a tuned model set into a student with fewer encoder layers that keeps its heads.
///
/// The student keeps some of the teacher's layers (--keep; its first --frozen layers are the
/// checkpoint's own and stay fixed) and trains the rest so that its final token states match
/// the teacher's on unlabelled sentences (--data). The teacher's heads (frames, bias, tagger,
/// stance and mention filter) are copied beside the student's layers and read its states as
/// they read the teacher's; the frame, bias and tagger thresholds are then moved so that the
/// student marks as many sentences and words as the teacher does on up to 5,000 of those
/// sentences (no labels). Writes OUT/tuned/ (the student's layers, tuned.json with its depth,
/// how close it came to the teacher and the thresholds, the int8 activation ranges) and
/// OUT/frames, OUT/bias, OUT/tagger, OUT/stance: a model set that score and eval take with
/// --models OUT. The shipped lite set is `framescore distill --out models/lite` (about 11
/// minutes on 2 cores).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output folder for the student's model set.
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,

    /// The model set to distil (a `framescore tune --out` folder: tuned/, frames/, bias/,
    /// tagger/, stance/).
    #[arg(long, value_name = "DIR", default_value_os_t = framescore::models_dir())]
    pub teacher: PathBuf,

    /// Unlabelled sentences to match the teacher on: CSV files with a `text` column, JSONL files
    /// with a `text` or `sentence_normalized` field per line; repeatable. Duplicates are read
    /// once. Default: the training files of the frame, tagger, stance and mention tasks (about
    /// 26,000 sentences; no test split).
    #[arg(long, value_name = "FILE")]
    pub data: Vec<PathBuf>,

    /// The teacher's layers the student keeps, in order (comma-separated): its depth is their
    /// number.
    #[arg(long, value_name = "LIST", value_delimiter = ',', default_values_t = DistillOptions::default().keep)]
    pub keep: Vec<usize>,

    /// How many of the student's first layers stay as the checkpoint has them (--keep must
    /// start 0, 1, ... up to it).
    #[arg(long, value_name = "N", default_value_t = DistillOptions::default().frozen)]
    pub frozen: usize,

    /// Passes over the sentences.
    #[arg(long, default_value_t = DistillOptions::default().epochs)]
    pub epochs: usize,

    /// Peak learning rate.
    #[arg(long, default_value_t = DistillOptions::default().lr)]
    pub lr: f64,

    /// Sentences held out of training to measure how close the student comes to the teacher.
    #[arg(long, value_name = "N", default_value_t = DistillOptions::default().held_out)]
    pub held_out: usize,

    /// Random seed (order of the sentences, held-out sentences, dropout).
    #[arg(long, default_value_t = DistillOptions::default().seed)]
    pub seed: u64,

    /// Worker threads for libtorch. Default: all cores.
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

/// Sentences the thresholds are matched on (every k-th of the distillation sentences).
const MATCH_SENTENCES: usize = 5000;

/// The default sentences: every training file of the shipped tasks.
fn default_data() -> Vec<PathBuf> {
    let d = framescore::datasets_dir();
    vec![
        d.join("framing/train.csv"),
        d.join("tagging/train.jsonl"),
        d.join("newsmtsc/train.jsonl"),
        d.join("actors/candidates.jsonl"),
    ]
}

/// The sentences of one file (see `--data`).
fn read_texts(path: &Path) -> Result<Vec<String>> {
    let text = |what: &str| format!("cannot read {what} {}", path.display());
    if path.extension().is_some_and(|e| e == "jsonl") {
        let body = std::fs::read_to_string(path).with_context(|| text("JSONL"))?;
        let mut out = vec![];
        for (n, line) in body
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let v: serde_json::Value = serde_json::from_str(line)
                .with_context(|| format!("{} line {} is not JSON", path.display(), n + 1))?;
            match ["text", "sentence_normalized"]
                .iter()
                .find_map(|k| v.get(k).and_then(|t| t.as_str()))
            {
                Some(t) => out.push(t.to_string()),
                None => bail!(
                    "{} line {} has no `text` or `sentence_normalized` field",
                    path.display(),
                    n + 1
                ),
            }
        }
        return Ok(out);
    }
    let mut reader = csv::Reader::from_path(path).with_context(|| text("CSV"))?;
    let column = reader
        .headers()?
        .iter()
        .position(|h| h == "text")
        .with_context(|| format!("{} has no `text` column", path.display()))?;
    let mut out = vec![];
    for row in reader.records() {
        let row = row.with_context(|| text("a row of"))?;
        out.push(row.get(column).unwrap_or_default().to_string());
    }
    Ok(out)
}

pub fn run(args: Args) -> Result<ExitCode> {
    let layers = args.teacher.join("tuned").join(tune::LAYERS_FILE);
    if !layers.is_file() {
        bail!(
            "{} has no tuned layers ({}); --teacher takes a model set made by `framescore tune \
             --out DIR`, such as models/",
            args.teacher.display(),
            layers.display()
        );
    }
    if framescore::model::encode::student_depth(&layers)?.is_some() {
        bail!(
            "{} is itself a distilled student; distil the set it came from",
            args.teacher.display()
        );
    }
    let files = if args.data.is_empty() {
        default_data()
    } else {
        args.data.clone()
    };
    let mut texts = vec![];
    for f in &files {
        texts.extend(read_texts(f)?);
    }
    texts.retain(|t| !t.trim().is_empty());
    texts.sort();
    texts.dedup();
    eprintln!(
        "framescore: distilling {} into {} layers (keeping {:?}) on {} sentences",
        args.teacher.display(),
        args.keep.len(),
        args.keep,
        texts.len()
    );
    framescore::set_threads(args.threads);
    let base = tune::base_encoder_dir(Some(&layers))?;
    let teacher = Encoder::load_tuned(&base, DEFAULT_BATCH, false, Some(&layers))?;
    let mut student = Encoder::load_tuned(&base, DEFAULT_BATCH, false, Some(&layers))?;
    let opts = DistillOptions {
        keep: args.keep.clone(),
        frozen: args.frozen,
        epochs: args.epochs,
        lr: args.lr,
        seed: args.seed,
        held_out: args.held_out,
        ..DistillOptions::default()
    };
    let bar = super::progress_bar(
        0,
        "{elapsed_precise} [{wide_bar}] {pos}/{len} {msg} (eta {eta})",
        false,
    );
    let started = std::time::Instant::now();
    let out = distill::distill(&teacher, &mut student, &texts, &opts, &bar)?;
    bar.finish_and_clear();
    // The trained student's layers are variables now; it is loaded again below from what is
    // written, as `score` will load it. The teacher stays for the threshold matching.
    drop(student);

    let tuned_dir = args.out.join("tuned");
    tune::save_layers(&tuned_dir, &out.layers, false)?;
    let root = framescore::datasets_dir()
        .parent()
        .map(|p| p.to_path_buf())
        .unwrap_or_default();
    let relative = |p: &Path| {
        p.display()
            .to_string()
            .replace(&format!("{}/", root.display()), "")
    };
    let base_name = base
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let card = serde_json::json!({
        "base_encoder": base_name,
        "depth": out.depth,
        "distilled_from": relative(&args.teacher),
        "keep": opts.keep,
        "frozen": opts.frozen,
        "epochs": opts.epochs,
        "lr": opts.lr,
        "seed": opts.seed,
        "data": files.iter().map(|f| relative(f)).collect::<Vec<_>>(),
        "train_sentences": out.train_sentences,
        "held_out_sentences": opts.held_out,
        "closeness_before": out.before,
        "closeness_after": out.after,
        "minutes": (started.elapsed().as_secs_f64() / 60.0 * 10.0).round() / 10.0,
    });
    // Written now, as the student cannot be loaded without its depth; the matched thresholds
    // are added below.
    std::fs::write(
        tuned_dir.join(TUNED_CARD),
        serde_json::to_string_pretty(&card)? + "\n",
    )?;
    // The teacher's heads, unchanged: their configs name ../tuned/encoder.safetensors, which is
    // now the student's.
    for head in ["frames", "bias", "tagger", "stance"] {
        let from = args.teacher.join(head);
        if from.is_dir() {
            copy_dir(&from, &args.out.join(head))?;
        }
    }
    let layers_file = tuned_dir.join(tune::LAYERS_FILE);
    let student = Encoder::load_tuned(&base, DEFAULT_BATCH, false, Some(&layers_file))?;
    student.write_int8_ranges()?;
    // Every head's threshold at the teacher's rate, on up to MATCH_SENTENCES of the sentences.
    let step = texts.len().div_ceil(MATCH_SENTENCES).max(1);
    let sample: Vec<&str> = texts.iter().step_by(step).map(String::as_str).collect();
    let matched = distill::match_thresholds(&teacher, &student, &args.out, &sample)?;
    let mut card = card;
    card["thresholds_matched_on"] = sample.len().into();
    card["thresholds"] = serde_json::to_value(&matched)?;
    std::fs::write(
        tuned_dir.join(TUNED_CARD),
        serde_json::to_string_pretty(&card)? + "\n",
    )?;
    for m in &matched {
        println!(
            "threshold {}: {:.3} (teacher) -> {:.3} (student, the same rate on {} sentences)",
            m.head,
            m.teacher,
            m.student,
            sample.len()
        );
    }
    println!(
        "student of {} layers: mean-pooled cosine to the teacher on {} held-out sentences {:.4} \
         (min {:.4}); before training {:.4} (min {:.4})",
        out.depth,
        opts.held_out,
        out.after.mean_cosine,
        out.after.min_cosine,
        out.before.mean_cosine,
        out.before.min_cosine
    );
    eprintln!(
        "framescore: the student's model set is in {}; score with --models {}",
        args.out.display(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Copies the files of `from` (one level: a model folder) into `to`.
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name()))
                .with_context(|| format!("cannot copy {}", entry.path().display()))?;
        }
    }
    Ok(())
}
