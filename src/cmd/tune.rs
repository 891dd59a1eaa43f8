//! `framescore tune`: fine-tunes the encoder's top layers with the heads of one or more tasks and
//! writes the tuned layers and one model folder per task.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use framescore::learn::data::Labelled;
use framescore::learn::eval;
use framescore::learn::stance;
use framescore::learn::tagging;
use framescore::learn::tune::{self, Task, TaskData, TuneOptions, TunedModel};
use framescore::model::tagger::Tagger;

/// Fine-tune the encoder's top layers with frame, bias and tagger heads (how the shipped models
/// are made).
///
/// Each --task NAME=FILE is a labelled CSV as for `train` (id,text,doc,<label>... with 0/1
/// values), a tagging JSONL as for `train-tagger`, or a stance JSONL in NewsMTSC's format as for
/// `train-stance` (recognised by its `sentence_normalized` field); all tasks share the tuned
/// layers and get one head each. Writes OUT/tuned/ (encoder.safetensors: the tuned layers, 21 MB
/// for 3 layers) and OUT/NAME/ per task (a frame model folder for a CSV, a tagger or stance
/// folder for a JSONL), which score --model / --bias-model / --tagger / --stance and eval read.
/// Each task's documents are split into a fitting part and a validation part (seeded);
/// thresholds and calibration come from the validation part. The defaults rebuild the shipped
/// frame, bias and tagger models (`--out models`; the stance heads are made by `train-stance`).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A task as NAME=FILE; repeatable. A CSV is a sentence task (one head over its label
    /// columns), a JSONL a loaded-wording span task (the tagger's token network, data as for
    /// `train-tagger`). Naming a task again adds another file's rows to it, such as
    /// frames=datasets/framing/distilled.csv (rows of source `distilled` hold a teacher's
    /// probabilities as soft targets; they and `synthetic` rows are always fitted, never
    /// validated). Default: frames=datasets/framing/train.csv,
    /// bias=datasets/babe/train.csv and tagger=datasets/tagging/train.jsonl (the shipped models).
    #[arg(long, value_name = "NAME=FILE")]
    pub task: Vec<String>,

    /// Output folder: receives tuned/ and one folder per task.
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,

    /// A held-out gold file to score a task on after tuning, as NAME=FILE (reporting only;
    /// never used for fitting or tuning); repeatable.
    #[arg(long, value_name = "NAME=FILE")]
    pub test: Vec<String>,

    /// How many of the encoder's top layers to tune (1 to its depth: 6 for all-MiniLM-L6-v2,
    /// 12 for all-mpnet-base-v2).
    #[arg(long, default_value_t = TuneOptions::default().layers)]
    pub layers: usize,

    /// Passes over the largest task's rows.
    #[arg(long, default_value_t = TuneOptions::default().epochs)]
    pub epochs: usize,

    /// Peak learning rate of the tuned layers.
    #[arg(long, default_value_t = TuneOptions::default().lr)]
    pub lr: f64,

    /// Sentences of a stance task in each step. A stance task (a NewsMTSC-format JSONL) wraps
    /// around like a smaller task: it never adds steps.
    #[arg(long, value_name = "N", default_value_t = TuneOptions::default().stance_batch)]
    pub stance_batch: usize,

    /// Times each stance sentence not from NewsMTSC (our own international-news sentences) is
    /// fitted per pass over the stance data (`train-stance` fits them 6 times).
    #[arg(long, value_name = "N", default_value_t = TuneOptions::default().stance_own_weight)]
    pub stance_own_weight: usize,

    /// Sentences of a tagger task in each step (sentence tasks take 16). Each step's cost
    /// grows with it: the accurate set on all-mpnet-base-v2 uses 24 to fit the training budget.
    #[arg(long, value_name = "N", default_value_t = TuneOptions::default().token_batch)]
    pub token_batch: usize,

    /// Weight of a SetFit-style pair loss on the sentence tasks (0: off): within each batch the
    /// cosine between two sentences' embeddings is pulled towards the overlap of their labels.
    #[arg(long, value_name = "WEIGHT", default_value_t = TuneOptions::default().contrastive)]
    pub contrastive: f64,

    /// Random seed (validation split, shuffling, dropout).
    #[arg(long, default_value_t = TuneOptions::default().seed)]
    pub seed: u64,

    /// A document (its `doc` value) that is always trained on, never held out for validation;
    /// repeatable. Default: the design article, whose sentences are the codebook's examples.
    #[arg(long, value_name = "DOC", default_values_t = TuneOptions::default().keep_in_fit)]
    pub keep_in_fit: Vec<String>,

    /// Sentence-encoder folder to start from. Default: all-MiniLM-L6-v2 as installed by
    /// scripts/setup.sh; models/mpnet (all-mpnet-base-v2, `scripts/setup.sh --mpnet`) makes the
    /// accurate models. Its folder name is recorded in OUT/tuned/tuned.json, and scoring finds
    /// the encoder by it (under models/).
    #[arg(long, value_name = "DIR", default_value_os_t = framescore::models_dir().join("minilm"))]
    pub encoder: PathBuf,

    /// Run the frozen lower layers' one-off pass over every sentence in bf16 (mixed precision,
    /// as scoring runs them on CPUs with native bf16): about 3x faster. The shipped fast models
    /// were tuned without it; the accurate ones with it.
    #[arg(long)]
    pub frozen_bf16: bool,

    /// Draw each step's batches at random instead of from sentences of similar length. The
    /// shipped models were tuned this way, so their rebuild commands name it; the default pads
    /// far less and takes about 60% of the time (fast set: 17 instead of 28 minutes) with
    /// scores within run-to-run spread (frame model card).
    #[arg(long)]
    pub random_batches: bool,

    /// Store the tuned layers in fp16: half the size (all-mpnet-base-v2's 768-wide layers are
    /// 28 MB a layer in fp32); scoring reads them back as fp32.
    #[arg(long)]
    pub half: bool,

    /// Worker threads for libtorch. Default: all cores.
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

fn parse_pair(s: &str) -> Result<(String, PathBuf)> {
    let (name, path) = s
        .split_once('=')
        .with_context(|| format!("'{s}' is not NAME=CSV"))?;
    Ok((name.trim().to_string(), PathBuf::from(path)))
}

pub fn run(args: Args) -> Result<ExitCode> {
    let specs: Vec<String> = if args.task.is_empty() {
        let d = framescore::datasets_dir();
        vec![
            format!("frames={}", d.join("framing/train.csv").display()),
            format!("bias={}", d.join("babe/train.csv").display()),
            format!("tagger={}", d.join("tagging/train.jsonl").display()),
        ]
    } else {
        args.task.clone()
    };
    let mut tasks: Vec<Task> = vec![];
    for spec in &specs {
        let (name, path) = parse_pair(spec)?;
        let data = if stance::is_stance_file(&path) {
            let data = stance::read(&path)?;
            eprintln!(
                "framescore: task {name}: {} target mentions with a stance in {} sentences from {}",
                data.iter().map(|s| s.targets.len()).sum::<usize>(),
                data.len(),
                path.display()
            );
            TaskData::Stance(data)
        } else if path.extension().is_some_and(|e| e == "jsonl") {
            let data = tagging::read_tagged(&path)?;
            eprintln!(
                "framescore: task {name}: loaded-wording spans in {} sentences from {}",
                data.len(),
                path.display()
            );
            TaskData::Tokens(data)
        } else {
            let data = Labelled::read(&path)?;
            let distilled = data
                .sources
                .iter()
                .filter(|s| *s == framescore::learn::data::DISTILLED)
                .count();
            eprintln!(
                "framescore: task {name}: {} labels ({}) on {} sentences from {}{}",
                data.labels.len(),
                data.labels.join(", "),
                data.ids.len(),
                path.display(),
                if distilled > 0 {
                    format!(" ({distilled} distilled: soft targets)")
                } else {
                    String::new()
                }
            );
            TaskData::Sentences(data)
        };
        // A task named again takes more rows from another file (annotated + distilled).
        match (tasks.iter_mut().find(|t| t.name == name), data) {
            (
                Some(Task {
                    data: TaskData::Sentences(d),
                    ..
                }),
                TaskData::Sentences(more),
            ) => d.append(more, &path)?,
            (
                Some(Task {
                    data: TaskData::Tokens(d),
                    ..
                }),
                TaskData::Tokens(more),
            ) => d.extend(more),
            (
                Some(Task {
                    data: TaskData::Stance(d),
                    ..
                }),
                TaskData::Stance(more),
            ) => d.extend(more),
            (Some(_), _) => bail!(
                "task {name} is given a CSV and a JSONL; every file of one task must be the same \
                 kind (labelled CSVs for a sentence task, tagging JSONL for the tagger)"
            ),
            (None, data) => tasks.push(Task { name, data }),
        }
    }
    framescore::set_threads(args.threads);
    let mut encoder = framescore::model::encode::Encoder::load(
        &args.encoder,
        framescore::model::encode::DEFAULT_BATCH,
    )?;
    let opts = TuneOptions {
        layers: args.layers,
        epochs: args.epochs,
        lr: args.lr,
        seed: args.seed,
        contrastive: args.contrastive,
        keep_in_fit: args.keep_in_fit,
        frozen_bf16: args.frozen_bf16,
        bucket: !args.random_batches,
        token_batch: args.token_batch.max(1),
        stance_batch: args.stance_batch.max(1),
        stance_own_weight: args.stance_own_weight.max(1),
        ..TuneOptions::default()
    };
    let bar = super::progress_bar(
        0,
        "{elapsed_precise} [{wide_bar}] {pos}/{len} {msg} (eta {eta})",
        false,
    );
    let tuned = tune::tune(&mut encoder, &tasks, &opts, &bar)?;
    bar.finish_and_clear();

    let layers_dir = args.out.join("tuned");
    tune::save_layers(&layers_dir, &tuned.layers, args.half)?;
    // Provenance of the tuned layers, for the model card (paths relative to the repository).
    let root = framescore::datasets_dir()
        .parent()
        .map(|p| p.to_path_buf())
        .unwrap_or_default();
    let base = args
        .encoder
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let card = serde_json::json!({
        "base_encoder": base,
        "tuned_layers": args.layers,
        "epochs": args.epochs,
        "lr": args.lr,
        "seed": args.seed,
        "contrastive": opts.contrastive,
        "keep_in_fit": opts.keep_in_fit,
        "frozen_bf16": opts.frozen_bf16,
        "length_bucketed": opts.bucket,
        "token_batch": opts.token_batch,
        "stance_batch": opts.stance_batch,
        "stance_own_weight": opts.stance_own_weight,
        "half": args.half,
        "tasks": specs
            .iter()
            .map(|s| s.replace(&format!("{}/", root.display()), ""))
            .collect::<Vec<_>>(),
    });
    std::fs::write(
        layers_dir.join(tune::CARD_FILE),
        serde_json::to_string_pretty(&card)? + "\n",
    )?;
    let layers = Some(format!("../tuned/{}", tune::LAYERS_FILE));
    for t in tuned.tasks {
        let dir = args.out.join(&t.name);
        println!("{}: validation scores (thresholds tuned here):", t.name);
        match t.model {
            TunedModel::Heads(mut model, scores) => {
                model.config.encoder = base.clone();
                model.config.layers = layers.clone();
                model.save(&dir)?;
                eval::print_table(&mut std::io::stdout(), &scores)?;
            }
            TunedModel::Tagger(mut model, scores) => {
                model.config.encoder = base.clone();
                model.config.layers = layers.clone();
                model.save(&dir)?;
                tagging::print_table(&mut std::io::stdout(), &scores)?;
            }
            TunedModel::Stance(mut model, scores) => {
                model.config.encoder = base.clone();
                model.config.layers = layers.clone();
                model.save(&dir)?;
                stance::print_table(&mut std::io::stdout(), &scores)?;
            }
        }
    }
    let encoder = framescore::model::encode::Encoder::load_tuned(
        &args.encoder,
        framescore::model::encode::DEFAULT_BATCH,
        false,
        Some(&layers_dir.join(tune::LAYERS_FILE)),
    )?;
    // The int8 path's activation ranges for these layers, so `--precision int8` starts without
    // measuring them.
    encoder.write_int8_ranges()?;
    for spec in &args.test {
        let (name, path) = parse_pair(spec)?;
        let dir = args.out.join(&name);
        println!("\n{name}: held-out scores on {}:", path.display());
        if stance::is_stance_file(&path) {
            let model = framescore::model::stance::StanceHead::load(&dir)?;
            let gold = stance::read(&path)?;
            stance::print_table(
                &mut std::io::stdout(),
                &stance::evaluate(&encoder, &model, &gold)?,
            )?;
        } else if path.extension().is_some_and(|e| e == "jsonl") {
            let model = Tagger::load(&dir)?;
            let gold = tagging::read_tagged(&path)?;
            tagging::print_table(
                &mut std::io::stdout(),
                &tagging::evaluate(&encoder, &model, &gold)?,
            )?;
        } else {
            let model = framescore::model::frames::FrameModel::load(&dir)?;
            let gold = Labelled::read(&path)?;
            gold.require_gold(&path)?;
            eval::print_table(
                &mut std::io::stdout(),
                &eval::evaluate(&encoder, &model, &gold)?,
            )?;
        }
    }
    eprintln!(
        "framescore: tuned layers in {}, models in {}",
        layers_dir.display(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
