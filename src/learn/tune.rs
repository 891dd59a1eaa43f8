//! `framescore tune`: fine-tunes the encoder's top layers together with the heads of one or
//! more tasks (the shipped models: frames, sentence bias and the loaded-term tagger), multi-task.
//!
//! Why the top layers only: the bottom layers' states can be computed once and cached (an epoch
//! costs half a full forward and backward), the tuned layers are small enough to ship (21 MB for
//! 3 layers) while the 90 MB checkpoint stays the installed all-MiniLM-L6-v2, and on the frame
//! data tuning all 6 layers gained only about 0.03 test macro-F1 more (README, model card). Why
//! multi-task: one tuned encoder serves every shipped head, so scoring still runs one encoder
//! pass per sentence.
//!
//! Rows are split by document into a fitting part and a validation part (`val_share`, seeded).
//! The heads' decision thresholds and a calibration temperature are chosen on the validation
//! part only, never on test data.

use std::path::Path;

use anyhow::{bail, Result};
use indicatif::ProgressBar;
use tch::{nn, nn::OptimizerConfig, Device, Kind, Tensor};
use tokenizers::Encoding;

use crate::learn::data::{folds_by_group, training_only, Labelled};
use crate::learn::eval::FrameScores;
use crate::learn::stance::{self as stance_data, StanceScores, StanceSentence};
use crate::learn::tagging::{self, TagScores, Tagged};
use crate::model::encode::{pool_features, Encoder, TokenHead};
use crate::model::frames::{FrameConfig, FrameModel};
use crate::model::stance::{self, StanceConfig, StanceHead};
use crate::model::tagger::{self, Tagger, TaggerConfig};

/// Hidden units of the token network (as `framescore train-tagger`'s).
const TOKEN_UNITS: i64 = 256;

/// A token task keeps one in this many of its training sentences that hold no span.
const TOKEN_NEGATIVES: usize = 5;

/// The `doc` of the article framescore was designed around (`datasets/articles/`): the
/// codebook's examples are its sentences, so tuning always trains on it.
pub const DESIGN_ARTICLE: &str = "mondo-2024-01-28-nasa-china-lunar-samples";

/// File name of the tuned layers inside a tuned-encoder folder.
pub const LAYERS_FILE: &str = "encoder.safetensors";

/// The card beside [`LAYERS_FILE`]; its `base_encoder` names the encoder folder (under
/// `models/`) the layers were tuned from.
pub const CARD_FILE: &str = crate::model::encode::TUNED_CARD;

/// The encoder folder that tuned `layers` belong on: `models/<base_encoder>` as their
/// [`CARD_FILE`] records it, or `models/minilm` (the default encoder) without tuned layers or
/// without a card. Layers only fit the encoder they were tuned from, so commands take the
/// encoder from here unless `--encoder` says otherwise.
pub fn base_encoder_dir(layers: Option<&Path>) -> Result<std::path::PathBuf> {
    /// The one field of the card this needs.
    #[derive(serde::Deserialize)]
    struct Card {
        #[serde(default)]
        base_encoder: String,
    }
    let default = crate::models_dir().join("minilm");
    let Some(dir) = layers.and_then(Path::parent) else {
        return Ok(default);
    };
    if !dir.join(CARD_FILE).is_file() {
        return Ok(default);
    }
    let card: Card = crate::model::modelfile::read_config(
        dir,
        CARD_FILE,
        "it names the encoder the tuned layers belong to; pass --encoder DIR",
    )?;
    Ok(match card.base_encoder.as_str() {
        "" => default,
        name => crate::models_dir().join(name),
    })
}

/// One task: one head on the shared tuned layers.
pub struct Task {
    pub name: String,
    pub data: TaskData,
}

pub enum TaskData {
    /// Sentence labels (a labelled CSV): a linear head on the pooled features.
    Sentences(Labelled),
    /// Loaded-wording spans (tagging JSONL): the tagger's token network.
    Tokens(Vec<Tagged>),
    /// Target mentions with the stance towards each (NewsMTSC-format JSONL): the stance head.
    Stance(Vec<StanceSentence>),
}

impl TaskData {
    fn len(&self) -> usize {
        match self {
            TaskData::Sentences(d) => d.ids.len(),
            TaskData::Tokens(d) => d.len(),
            TaskData::Stance(d) => d.len(),
        }
    }

    fn groups(&self) -> Vec<String> {
        match self {
            TaskData::Sentences(d) => d.groups.clone(),
            TaskData::Tokens(d) => d.iter().map(|t| t.doc.clone()).collect(),
            TaskData::Stance(d) => d
                .iter()
                .map(|s| format!("{}/{}", s.source, s.doc))
                .collect(),
        }
    }

    /// Whether row `i` is for fitting only (a declared synthetic sentence, or a distilled row
    /// with a teacher's probabilities as targets): such rows are always fitted, never held out,
    /// so thresholds and calibration rest on real, hand-labelled text alone.
    fn training_only(&self, i: usize) -> bool {
        match self {
            TaskData::Sentences(d) => training_only(&d.sources[i]),
            TaskData::Tokens(d) => training_only(&d[i].source),
            TaskData::Stance(d) => training_only(&d[i].source),
        }
    }

    fn texts(&self) -> Vec<&str> {
        match self {
            TaskData::Sentences(d) => d.texts.iter().map(String::as_str).collect(),
            TaskData::Tokens(d) => d.iter().map(|t| t.text.as_str()).collect(),
            TaskData::Stance(d) => d.iter().map(|s| s.text.as_str()).collect(),
        }
    }
}

pub struct TuneOptions {
    /// How many of the encoder's top layers are tuned.
    pub layers: usize,
    pub epochs: usize,
    /// Peak learning rate of the encoder layers (AdamW, linear warm-up over 10% of the steps,
    /// then linear decay to 0).
    pub lr: f64,
    /// Peak learning rate of the heads.
    pub head_lr: f64,
    /// Sentences per sentence task in each step.
    pub batch: usize,
    /// Sentences of a token (tagger) task in each step.
    pub token_batch: usize,
    /// Sentences of a stance task in each step. A stance task does not set the number of steps
    /// (NewsMTSC's 7,800 sentences would double them): it wraps around like the smaller tasks.
    pub stance_batch: usize,
    /// Times each stance sentence not from NewsMTSC (our own international-news sentences) is
    /// fitted per pass over the stance data.
    pub stance_own_weight: usize,
    pub seed: u64,
    /// Share of each task's documents held out for thresholds and calibration.
    pub val_share: f64,
    /// Weight of the SetFit-style pair loss on sentence tasks (0: off): within each batch, the
    /// cosine between two sentences' embeddings is pulled towards the overlap of their labels.
    pub contrastive: f64,
    /// Run the frozen layers' one-off pass in bf16 (mixed precision, as scoring runs them on
    /// CPUs with native bf16): about 3x faster, states within cosine 0.9999 of fp32's.
    pub frozen_bf16: bool,
    /// Cut each step's batches from sentences of similar length (less padding: the same
    /// epochs in about 60% of the time). Off draws them at random, as the shipped models were
    /// tuned.
    pub bucket: bool,
    /// Documents never held out for validation: the design article, whose sentences are the
    /// codebook's worked examples, must be learned from whatever the seeded split draws.
    pub keep_in_fit: Vec<String>,
}

impl Default for TuneOptions {
    fn default() -> Self {
        TuneOptions {
            layers: 3,
            epochs: 3,
            lr: 1e-4,
            head_lr: 3e-3,
            batch: 16,
            token_batch: 48,
            stance_batch: 8,
            stance_own_weight: 3,
            seed: 42,
            val_share: 0.15,
            contrastive: 0.0,
            frozen_bf16: false,
            bucket: true,
            keep_in_fit: vec![DESIGN_ARTICLE.to_string()],
        }
    }
}

/// What tuning produced for one task.
pub struct TunedTask {
    pub name: String,
    pub model: TunedModel,
}

pub enum TunedModel {
    /// Sentence heads, with their scores on the validation rows at the chosen thresholds.
    Heads(FrameModel, Vec<FrameScores>),
    /// The token tagger, with its validation scores.
    Tagger(Tagger, Vec<TagScores>),
    /// The stance head, with its validation scores.
    Stance(StanceHead, Vec<StanceScores>),
}

pub struct Tuned {
    /// The tuned layers under checkpoint names, ready for [`LAYERS_FILE`].
    pub layers: Vec<(String, Tensor)>,
    pub tasks: Vec<TunedTask>,
}

/// A task's rows, tokenized, with their cached states below the tuned layers.
struct Prepared {
    fit: Vec<usize>,
    val: Vec<usize>,
    /// Per row: `[len, hidden]` states entering the first tuned layer.
    states: Vec<Tensor>,
    targets: Targets,
    encodings: Vec<Encoding>,
    /// Sentences per step.
    batch: usize,
    /// Whether the task's size sets the number of steps per epoch (every task but stance).
    paces: bool,
}

enum Targets {
    /// `[n, k]` 0/1.
    Sentences(Tensor),
    /// Per row, one label per token: 1 loaded, 0 not, -1 special token (ignored).
    Tokens(Vec<Vec<f32>>),
    /// Per row, the targets the encoder kept.
    Stance(Vec<Vec<stance_data::KeptTarget>>),
}

/// A head's parameters: a linear layer for sentence tasks, the token network for token tasks.
enum Head {
    Linear(Tensor, Tensor),
    Tokens(nn::Linear, nn::Linear),
    /// The stance head's trainable tensors (`wq`, `w1`, `b1`, `w2`, `b2`); its input is not
    /// standardised here (`mu` 0, `sd` 1), as the tuned layers move under it.
    Stance([Tensor; 5]),
}

/// Small reproducible generator for shuffling (the same LCG as `train::folds_by_group`).
pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    pub(crate) fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize % bound.max(1)
    }

    pub(crate) fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.next(i + 1));
        }
    }
}

/// The learning rate's factor at `step` of `total`: warm-up over the first 10% of steps, then
/// linear decay to 0 (tuning and distilling alike).
pub(crate) fn lr_factor(step: usize, total: usize) -> f64 {
    let warm = (total as f64 * 0.1).max(1.0);
    ((step + 1) as f64 / warm).min(1.0) * total.saturating_sub(step) as f64 / total.max(1) as f64
}

/// Batches drawn this many at a time are cut from rows of similar length.
const BUCKET_BATCHES: usize = 50;

/// Reorders a shuffled `order` so that each run of `batch` rows holds sentences of similar
/// length: every window of `BUCKET_BATCHES` batches is sorted by length and cut into batches,
/// and the full batches are shuffled (a short last batch stays last, so the batches keep their
/// alignment). A batch is padded to its longest sentence, and with random batches most of a
/// step's work was padding (news and UN sentences run from 5 to 200 tokens); the windows keep
/// the epoch's order random at the scale of the whole data.
pub(crate) fn length_bucketed(
    order: Vec<usize>,
    lens: &[i64],
    batch: usize,
    rng: &mut Lcg,
) -> Vec<usize> {
    let batch = batch.max(1);
    let mut batches: Vec<Vec<usize>> = Vec::with_capacity(order.len().div_ceil(batch));
    for window in order.chunks(batch * BUCKET_BATCHES) {
        let mut w = window.to_vec();
        w.sort_by_key(|&i| lens[i]);
        batches.extend(w.chunks(batch).map(<[usize]>::to_vec));
    }
    let short = match batches.last() {
        Some(b) if b.len() < batch => batches.pop(),
        _ => None,
    };
    rng.shuffle(&mut batches);
    batches.extend(short);
    batches.concat()
}

/// Fine-tunes the top `opts.layers` layers of `encoder` (loaded in fp32) with one head per task.
/// `progress` counts optimiser steps.
pub fn tune(
    encoder: &mut Encoder,
    tasks: &[Task],
    opts: &TuneOptions,
    progress: &ProgressBar,
) -> Result<Tuned> {
    let n_layers = encoder.model().num_layers();
    if opts.layers == 0 || opts.layers > n_layers {
        bail!("--layers must be between 1 and {n_layers}");
    }
    let first = n_layers - opts.layers;
    tch::manual_seed(opts.seed as i64);
    let val_folds = (1.0 / opts.val_share.clamp(0.02, 0.5)).round() as usize;

    // The frozen layers' pass over every sentence takes minutes on a wide encoder: the bar
    // counts sentences first, then steps.
    progress.set_length(tasks.iter().map(|t| t.data.len() as u64).sum());
    progress.set_message("sentences through the frozen layers");
    let bf16_copy = if opts.frozen_bf16 {
        Some(Encoder::load_tuned(
            encoder.dir(),
            crate::model::encode::DEFAULT_BATCH,
            true,
            encoder.tuned_layers(),
        )?)
    } else {
        None
    };
    let frozen = bf16_copy.as_ref().unwrap_or(encoder);
    let mut prepared = Vec::with_capacity(tasks.len());
    let mut rng = Lcg(opts.seed ^ 0x9e37_79b9_7f4a_7c15);
    for task in tasks {
        let (val, mut fit) = validation_split(&task.data, val_folds, opts.seed, &opts.keep_in_fit);
        if fit.is_empty() || val.is_empty() {
            bail!(
                "task {} needs rows from at least {val_folds} documents (a `doc` column) to hold some out for validation",
                task.name
            );
        }
        let encodings = encoder.tokenize(&task.data.texts())?;
        let (targets, batch) = match &task.data {
            TaskData::Sentences(d) => (Targets::Sentences(d.target_tensor()), opts.batch),
            TaskData::Tokens(d) => {
                // Most sentences hold no loaded span; keep one in `TOKEN_NEGATIVES` of those, so
                // an epoch stays about as long as the sentence tasks'.
                fit.retain(|&i| !d[i].spans.is_empty() || rng.next(TOKEN_NEGATIVES) == 0);
                let labels = d
                    .iter()
                    .zip(&encodings)
                    .map(|(t, e)| token_labels(t, e))
                    .collect();
                (Targets::Tokens(labels), opts.token_batch)
            }
            TaskData::Stance(d) => {
                let targets: Vec<Vec<stance_data::KeptTarget>> = d
                    .iter()
                    .zip(&encodings)
                    .map(|(s, e)| stance_data::kept_targets(s, e))
                    .collect();
                fit.retain(|&i| !targets[i].is_empty());
                // Our own sentences are few and the domain the head is for.
                let own: Vec<usize> = fit
                    .iter()
                    .copied()
                    .filter(|&i| d[i].source != "newsmtsc")
                    .collect();
                for _ in 1..opts.stance_own_weight.max(1) {
                    fit.extend(&own);
                }
                (Targets::Stance(targets), opts.stance_batch)
            }
        };
        // Only the rows tuning reads (the tagger keeps a fifth of its span-less sentences).
        let mut used: Vec<usize> = fit.iter().chain(&val).copied().collect();
        used.sort_unstable();
        used.dedup();
        progress.inc((encodings.len() - used.len()) as u64);
        let states = lower_states(frozen, &encodings, &used, first, progress);
        prepared.push(Prepared {
            fit,
            val,
            states,
            targets,
            encodings,
            batch,
            paces: !matches!(task.data, TaskData::Stance(_)),
        });
    }

    drop(bf16_copy);
    let vs = nn::VarStore::new(Device::Cpu);
    let root = vs.root();
    encoder
        .model_mut()
        .make_trainable(&root.set_group(0).sub("encoder"), first..n_layers);
    let dim = 2 * encoder.dim();
    let heads: Vec<Head> = tasks
        .iter()
        .map(|t| {
            let p = root.set_group(1).sub(format!("head_{}", t.name));
            match &t.data {
                TaskData::Sentences(d) => {
                    let k = d.labels.len() as i64;
                    Head::Linear(p.zeros("weight", &[k, dim]), p.zeros("bias", &[k]))
                }
                TaskData::Tokens(_) => Head::Tokens(
                    nn::linear(&p / "l1", dim, TOKEN_UNITS, Default::default()),
                    nn::linear(&p / "l2", TOKEN_UNITS, 1, Default::default()),
                ),
                TaskData::Stance(_) => {
                    let h = encoder.dim();
                    let l1 = nn::linear(&p / "l1", 5 * h, STANCE_UNITS, Default::default());
                    let l2 = nn::linear(&p / "l2", STANCE_UNITS, 3, Default::default());
                    let wq = p.var(
                        "wq",
                        &[h, h],
                        nn::Init::Randn {
                            mean: 0.0,
                            stdev: 0.02,
                        },
                    );
                    let bias = |l: &nn::Linear| l.bs.as_ref().expect("bias").shallow_clone();
                    Head::Stance([
                        wq,
                        l1.ws.shallow_clone(),
                        bias(&l1),
                        l2.ws.shallow_clone(),
                        bias(&l2),
                    ])
                }
            }
        })
        .collect();
    let mut opt = nn::AdamW::default().build(&vs, opts.lr)?;

    // A stance task wraps around beside the others; alone, it sets the pace itself.
    let any_pacer = prepared.iter().any(|p| p.paces);
    let steps_per_epoch = prepared
        .iter()
        .filter(|p| p.paces || !any_pacer)
        .map(|p| p.fit.len().div_ceil(p.batch))
        .max()
        .unwrap_or(0);
    let total = (steps_per_epoch * opts.epochs).max(1);
    progress.set_position(0);
    progress.set_length(total as u64);
    progress.set_message("fine-tuning steps");
    let mut step = 0usize;
    for _ in 0..opts.epochs {
        let orders: Vec<Vec<usize>> = prepared
            .iter()
            .map(|p| {
                let mut o = p.fit.clone();
                rng.shuffle(&mut o);
                if opts.bucket {
                    let lens: Vec<i64> = p.states.iter().map(|t| t.size()[0]).collect();
                    o = length_bucketed(o, &lens, p.batch, &mut rng);
                }
                o
            })
            .collect();
        for s in 0..steps_per_epoch {
            let f = lr_factor(step, total);
            opt.set_lr_group(0, opts.lr * f);
            opt.set_lr_group(1, opts.head_lr * f);
            let mut loss = Tensor::zeros([], (Kind::Float, Device::Cpu));
            for ((p, order), head) in prepared.iter().zip(&orders).zip(&heads) {
                // Smaller tasks wrap around, so every task contributes to every step.
                let batches = order.len().div_ceil(p.batch);
                let start = (s % batches) * p.batch;
                let rows = &order[start..(start + p.batch).min(order.len())];
                let (hidden, mask) = top(encoder, &p.states, rows, first..n_layers, true);
                loss += match (head, &p.targets) {
                    (Head::Linear(w, b), Targets::Sentences(targets)) => {
                        let x = pool_features(&hidden, &mask);
                        let y = targets.index_select(0, &Tensor::from_slice(&to_i64(rows)));
                        let bce = (x.matmul(&w.tr()) + b)
                            .binary_cross_entropy_with_logits::<&Tensor>(
                                &y,
                                None,
                                None,
                                tch::Reduction::Mean,
                            );
                        if opts.contrastive > 0.0 {
                            bce + pair_loss(&x, &y) * opts.contrastive
                        } else {
                            bce
                        }
                    }
                    (Head::Tokens(l1, l2), Targets::Tokens(labels)) => {
                        let logits = token_logits(l1, l2, &hidden, &mask);
                        let (y, keep) = padded_labels(labels, rows, hidden.size()[1]);
                        logits.binary_cross_entropy_with_logits::<&Tensor>(
                            &y,
                            Some(&keep),
                            None,
                            tch::Reduction::Sum,
                        ) / keep.sum(Kind::Float).clamp_min(1.0)
                    }
                    (Head::Stance(params), Targets::Stance(targets)) => {
                        let mut mentions = vec![];
                        let mut classes = vec![];
                        for (r, &i) in rows.iter().enumerate() {
                            for t in &targets[i] {
                                mentions.push((r as i64, t.tokens.clone()));
                                classes.push(t.class as i64);
                            }
                        }
                        let logits = stance::logits(
                            &stance_params(params, encoder.dim()),
                            &hidden,
                            &mask,
                            &mentions,
                            STANCE_DROPOUT,
                            true,
                        );
                        logits.cross_entropy_for_logits(&Tensor::from_slice(&classes))
                    }
                    _ => unreachable!("heads follow their tasks"),
                };
            }
            opt.backward_step(&loss);
            step += 1;
            progress.inc(1);
        }
    }

    progress.set_message("choosing thresholds on the validation rows");
    let mut out = Vec::with_capacity(tasks.len());
    for ((task, p), head) in tasks.iter().zip(&prepared).zip(&heads) {
        let model = match (head, &task.data) {
            (Head::Linear(w, b), TaskData::Sentences(data)) => {
                sentence_model(encoder, tasks, data, p, (w, b), first..n_layers, opts)?
            }
            (Head::Tokens(l1, l2), TaskData::Tokens(data)) => {
                token_model(encoder, data, p, (l1, l2), first..n_layers, opts)
            }
            (Head::Stance(params), TaskData::Stance(data)) => {
                stance_model(encoder, data, p, params, first..n_layers, opts)?
            }
            _ => unreachable!("heads follow their tasks"),
        };
        out.push(TunedTask {
            name: task.name.clone(),
            model,
        });
    }
    Ok(Tuned {
        layers: encoder.model().layer_tensors(first..n_layers),
        tasks: out,
    })
}

/// The sentence heads of `task` after tuning: a temperature and thresholds chosen on its
/// validation rows.
fn sentence_model(
    encoder: &Encoder,
    tasks: &[Task],
    data: &Labelled,
    p: &Prepared,
    (w, b): (&Tensor, &Tensor),
    layers: std::ops::Range<usize>,
    opts: &TuneOptions,
) -> Result<TunedModel> {
    let Targets::Sentences(all_targets) = &p.targets else {
        unreachable!("sentence task")
    };
    let (w, b) = (w.detach(), b.detach());
    let logits = {
        let _guard = tch::no_grad_guard();
        let mut parts = vec![];
        for rows in p.val.chunks(64) {
            let x = features(encoder, &p.states, rows, layers.clone());
            parts.push(x.matmul(&w.tr()) + &b);
        }
        Tensor::cat(&parts, 0)
    };
    let targets = all_targets.index_select(0, &Tensor::from_slice(&to_i64(&p.val)));
    // Temperature scaling: one scalar per head, chosen on the validation rows, makes the
    // probabilities honest (a tuned encoder is over-confident) without moving the ranking.
    let temperature = best_temperature(&logits, &targets);
    let probs = crate::model::encode::rows(&(&logits / temperature).sigmoid());
    let truth = crate::model::encode::rows(&targets);
    let k = data.labels.len();
    let mut thresholds = Vec::with_capacity(k);
    let mut scores = Vec::with_capacity(k);
    for j in 0..k {
        let pj: Vec<f32> = probs.iter().map(|r| r[j]).collect();
        let tj: Vec<bool> = truth.iter().map(|r| r[j] > 0.5).collect();
        let (t, s) = choose_threshold(&pj, &tj, k == 1);
        thresholds.push(t);
        scores.push(s.named(&data.labels[j]));
    }
    let config = FrameConfig {
        labels: data.labels.clone(),
        thresholds,
        encoder: String::new(),
        layers: None,
        codebook: None,
        training: serde_json::json!({
            "method": format!("multi-task fine-tuning of the encoder's top layers with one linear head per task on the mean+max pooled token states ({} values); thresholds and a temperature chosen on held-out validation documents", w.size()[1]),
            "tasks": tasks.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            "tuned_layers": opts.layers,
            "epochs": opts.epochs,
            "lr": opts.lr,
            "head_lr": opts.head_lr,
            "batch": opts.batch,
            "seed": opts.seed,
            "contrastive": opts.contrastive,
            "rows_fit": p.fit.len(),
            "rows_validation": p.val.len(),
            "temperature": temperature,
            "validation": scores.iter().map(|s| s.to_json()).collect::<Vec<_>>(),
        }),
    };
    let model = FrameModel::new(config, &w / temperature, &b / temperature)?;
    Ok(TunedModel::Heads(model, scores))
}

/// Splits a task's rows by document into validation rows (one fold of `val_folds`, seeded) and
/// fitting rows. Documents in `keep_in_fit` and synthetic or distilled rows are always fitted, so
/// the thresholds and the calibration chosen on validation rest on real text.
fn validation_split(
    data: &TaskData,
    val_folds: usize,
    seed: u64,
    keep_in_fit: &[String],
) -> (Vec<usize>, Vec<usize>) {
    let groups = data.groups();
    let folds = folds_by_group(&groups, val_folds, seed);
    (0..data.len()).partition(|&i| {
        folds[i] == 0 && !keep_in_fit.contains(&groups[i]) && !data.training_only(i)
    })
}

/// The token tagger after tuning: its threshold chosen on the validation rows by word-level F1.
fn token_model(
    encoder: &Encoder,
    data: &[Tagged],
    p: &Prepared,
    (l1, l2): (&nn::Linear, &nn::Linear),
    layers: std::ops::Range<usize>,
    opts: &TuneOptions,
) -> TunedModel {
    let _guard = tch::no_grad_guard();
    let (w1, b1) = (l1.ws.detach(), l1.bs.as_ref().expect("bias").detach());
    let (w2, b2) = (
        l2.ws.detach().view([-1]),
        l2.bs.as_ref().expect("bias").detach(),
    );
    let mut tagger = Tagger::new(
        TaggerConfig {
            threshold: 0.5,
            encoder: String::new(),
            layers: None,
            training: serde_json::Value::Null,
        },
        [w1, b1, w2, b2],
    );
    let mut tokens = vec![];
    for rows in p.val.chunks(64) {
        let (hidden, mask) = top(encoder, &p.states, rows, layers.clone(), false);
        let probs = TokenHead::token_probs(&tagger, &hidden, &mask);
        for (r, &i) in rows.iter().enumerate() {
            tokens.push(crate::model::encode::token_probs_of(
                &p.encodings[i],
                &probs.get(r as i64),
            ));
        }
    }
    let refs: Vec<&Tagged> = p.val.iter().map(|&i| &data[i]).collect();
    let (threshold, scores) = tagging::choose_threshold(&refs, &tokens);
    tagger.config.threshold = threshold;
    tagger.config.training = serde_json::json!({
        "method": "trained with the tuned layers (multi-task, `framescore tune`): one-hidden-layer ReLU network on each token's state and its sentence's mean state; threshold with the best mean of word-level and character-overlap F1 over sources, on held-out documents",
        "tuned_layers": opts.layers,
        "epochs": opts.epochs,
        "seed": opts.seed,
        "sentences_fit": p.fit.len(),
        "sentences_validation": p.val.len(),
        "validation": scores.iter().map(|s| s.to_json()).collect::<Vec<_>>(),
    });
    TunedModel::Tagger(tagger, scores)
}

/// Hidden units of the stance head.
const STANCE_UNITS: i64 = 128;

/// Dropout on the stance head's input features while tuning.
const STANCE_DROPOUT: f64 = 0.3;

/// The stance head's seven tensors from its five trainable ones (no standardisation).
fn stance_params(p: &[Tensor; 5], h: i64) -> [Tensor; 7] {
    [
        Tensor::zeros([h], (Kind::Float, Device::Cpu)),
        Tensor::ones([h], (Kind::Float, Device::Cpu)),
        p[0].shallow_clone(),
        p[1].shallow_clone(),
        p[2].shallow_clone(),
        p[3].shallow_clone(),
        p[4].shallow_clone(),
    ]
}

/// The stance head after tuning: a temperature chosen on the validation rows by log-likelihood.
fn stance_model(
    encoder: &Encoder,
    data: &[StanceSentence],
    p: &Prepared,
    params: &[Tensor; 5],
    layers: std::ops::Range<usize>,
    opts: &TuneOptions,
) -> Result<TunedModel> {
    let _guard = tch::no_grad_guard();
    let Targets::Stance(targets) = &p.targets else {
        unreachable!("stance task")
    };
    let params: Vec<Tensor> = stance_params(params, encoder.dim())
        .iter()
        .map(|t| t.detach().copy())
        .collect();
    let params: [Tensor; 7] = params
        .try_into()
        .map_err(|_| anyhow::anyhow!("seven tensors"))?;
    let mut logits = vec![];
    let mut gold = vec![];
    let mut val = vec![];
    for rows in p.val.chunks(64) {
        let rows: Vec<usize> = rows
            .iter()
            .copied()
            .filter(|&i| !targets[i].is_empty())
            .collect();
        if rows.is_empty() {
            continue;
        }
        let (hidden, mask) = top(encoder, &p.states, &rows, layers.clone(), false);
        let mut mentions = vec![];
        for (r, &i) in rows.iter().enumerate() {
            for t in &targets[i] {
                mentions.push((r as i64, t.tokens.clone()));
                gold.push(t.class);
            }
            val.push(stance_data::with_kept(
                &data[i],
                &targets[i],
                &data[i].source,
            ));
        }
        logits.push(stance::logits(
            &params, &hidden, &mask, &mentions, 0.0, false,
        ));
    }
    let logits = Tensor::cat(&logits, 0);
    let temperature = stance_data::best_temperature(&logits, &gold);
    let probs = crate::model::encode::rows(&(&logits / temperature).softmax(-1, Kind::Float));
    let scores = stance_data::scores_by_source(&val, &probs);
    let head = StanceHead::new(
        StanceConfig {
            encoder: String::new(),
            layers: None,
            temperature: temperature as f32,
            training: serde_json::json!({
                "method": "trained with the tuned layers (multi-task, `framescore tune`): target-dependent head on the final token states (the mention's mean state, the sentence attended from it, the mean states left and right of it, the sentence's mean state; one ReLU layer; softmax over negative/neutral/positive); temperature by held-out log-likelihood",
                "tuned_layers": opts.layers,
                "epochs": opts.epochs,
                "seed": opts.seed,
                "stance_batch": opts.stance_batch,
                "own_weight": opts.stance_own_weight,
                "sentences_fit": p.fit.len(),
                "sentences_validation": val.len(),
                "validation": scores.iter().map(|s| serde_json::json!({"source": s.source, "mentions": s.mentions, "f1m": (s.f1m * 1000.0).round() / 1000.0})).collect::<Vec<_>>(),
            }),
        },
        params,
    );
    Ok(TunedModel::Stance(head, scores))
}

/// States entering layer `first` for the encodings in `used`, one `[len, hidden]` tensor per
/// row (an empty one for rows not used), computed once without autograd in length-sorted
/// batches.
fn lower_states(
    encoder: &Encoder,
    encodings: &[Encoding],
    used: &[usize],
    first: usize,
    progress: &ProgressBar,
) -> Vec<Tensor> {
    let subset: Vec<Encoding> = used.iter().map(|&i| encodings[i].clone()).collect();
    let hidden_size = encoder.dim();
    let mut states: Vec<Tensor> = (0..encodings.len())
        .map(|_| Tensor::zeros([0, hidden_size], (Kind::Float, Device::Cpu)))
        .collect();
    encoder.each_batch_through(&subset, first, |rows, hidden, _| {
        progress.inc(rows.len() as u64);
        for (r, &k) in rows.iter().enumerate() {
            let len = subset[k].get_ids().len() as i64;
            states[used[k]] = hidden.get(r as i64).narrow(0, 0, len).copy();
        }
    });
    states
}

/// Runs `rows`' cached states through the tuned layers: token states `[b, l, h]` and the mask.
pub(crate) fn top(
    encoder: &Encoder,
    states: &[Tensor],
    rows: &[usize],
    layers: std::ops::Range<usize>,
    train: bool,
) -> (Tensor, Tensor) {
    let l = rows.iter().map(|&i| states[i].size()[0]).max().unwrap_or(1);
    let h = states[rows[0]].size()[1];
    let b = rows.len() as i64;
    let x = Tensor::zeros([b, l, h], (Kind::Float, Device::Cpu));
    let mut mask = vec![0i64; (b * l) as usize];
    for (r, &i) in rows.iter().enumerate() {
        let len = states[i].size()[0];
        x.get(r as i64).narrow(0, 0, len).copy_(&states[i]);
        for c in 0..len {
            mask[r * l as usize + c as usize] = 1;
        }
    }
    let mask = Tensor::from_slice(&mask).view([b, l]);
    let hidden = encoder
        .model()
        .run_layers(x.view([b * l, h]), &mask, layers, train)
        .view([b, l, h]);
    (hidden, mask)
}

/// Pooled features of `rows` after the tuned layers, without dropout: `[rows, 2 * hidden]`.
fn features(
    encoder: &Encoder,
    states: &[Tensor],
    rows: &[usize],
    layers: std::ops::Range<usize>,
) -> Tensor {
    let (hidden, mask) = top(encoder, states, rows, layers, false);
    pool_features(&hidden, &mask)
}

/// SetFit's pair objective inside one batch: the mean squared gap between the cosine of two
/// sentences' mean-pooled embeddings (the first half of `x`, already unit length) and the
/// Jaccard overlap of their label sets (two sentences with no label count as the same class).
/// It shapes the embedding space by label, which the heads then read.
fn pair_loss(x: &Tensor, y: &Tensor) -> Tensor {
    let b = x.size()[0];
    if b < 2 {
        return Tensor::zeros([], (Kind::Float, Device::Cpu));
    }
    let half = x.size()[1] / 2;
    let z = x.narrow(1, 0, half);
    let cos = z.matmul(&z.tr());
    let both = y.matmul(&y.tr());
    let count = y.sum_dim_intlist([1i64].as_slice(), true, Kind::Float);
    let either = &count + count.tr() - &both;
    let target = (&both / either.clamp_min(1.0)).where_self(&either.gt(0.0), &either.ones_like());
    let off_diagonal = Tensor::ones([b, b], (Kind::Float, Device::Cpu))
        - Tensor::eye(b, (Kind::Float, Device::Cpu));
    ((cos - target).square() * &off_diagonal).sum(Kind::Float) / (b * (b - 1)) as f64
}

/// The token network's logits `[b, l]`.
fn token_logits(l1: &nn::Linear, l2: &nn::Linear, hidden: &Tensor, mask: &Tensor) -> Tensor {
    tagger::token_features(hidden, mask)
        .apply(l1)
        .relu()
        .apply(l2)
        .squeeze_dim(-1)
}

/// One label per token of `e`: 1 if it overlaps a span of `t`, 0 if not, -1 for special tokens.
fn token_labels(t: &Tagged, e: &Encoding) -> Vec<f32> {
    e.get_offsets()
        .iter()
        .zip(e.get_special_tokens_mask())
        .map(|(o, &special)| {
            if special != 0 || o.1 <= o.0 {
                -1.0
            } else if t.spans.iter().any(|s| s.start < o.1 && s.end > o.0) {
                1.0
            } else {
                0.0
            }
        })
        .collect()
}

/// Labels of `rows` padded to `l`: targets `[b, l]` and a 0/1 weight that drops special tokens
/// and padding.
fn padded_labels(labels: &[Vec<f32>], rows: &[usize], l: i64) -> (Tensor, Tensor) {
    let mut y = vec![0f32; rows.len() * l as usize];
    let mut keep = vec![0f32; rows.len() * l as usize];
    for (r, &i) in rows.iter().enumerate() {
        for (c, &v) in labels[i].iter().enumerate() {
            if v >= 0.0 {
                y[r * l as usize + c] = v;
                keep[r * l as usize + c] = 1.0;
            }
        }
    }
    let shape = [rows.len() as i64, l];
    (
        Tensor::from_slice(&y).view(shape),
        Tensor::from_slice(&keep).view(shape),
    )
}

/// The temperature in 0.5-4 (steps of 0.05) with the lowest log loss on `targets`.
fn best_temperature(logits: &Tensor, targets: &Tensor) -> f64 {
    let mut best = (f64::INFINITY, 1.0);
    for i in 10..=80 {
        let t = i as f64 * 0.05;
        let nll = (logits / t)
            .binary_cross_entropy_with_logits::<&Tensor>(targets, None, None, tch::Reduction::Mean)
            .double_value(&[]);
        if nll < best.0 {
            best = (nll, t);
        }
    }
    best.1
}

/// The threshold (0.05 to 0.95 in steps of 0.05) with the best F1; for a one-label task, the
/// best two-class macro-F1 (both classes count, as BABE's published scores do).
fn choose_threshold(probs: &[f32], truth: &[bool], two_class: bool) -> (f32, FrameScores) {
    let score = |t: f32| {
        let s = FrameScores::compute(probs, truth, t);
        let value = if two_class {
            (s.f1 + s.f1_negative) / 2.0
        } else {
            s.f1
        };
        (value, s)
    };
    let mut best = (0.5f32, score(0.5));
    for step in 1..=19 {
        let t = step as f32 * 0.05;
        let v = score(t);
        if v.0 > best.1 .0 + 1e-12 {
            best = (t, v);
        }
    }
    // Two decimals: the grid's steps, without f32 noise in frames.json.
    ((best.0 * 100.0).round() / 100.0, best.1 .1)
}

fn to_i64(rows: &[usize]) -> Vec<i64> {
    rows.iter().map(|&i| i as i64).collect()
}

/// Writes the tuned layers to `dir/encoder.safetensors`.
/// Writes the tuned layers into `dir`/[`LAYERS_FILE`]; `half` stores them as fp16 (half the
/// size, for committing MPNet's wider layers; loading casts them back to fp32).
pub fn save_layers(dir: &Path, layers: &[(String, Tensor)], half: bool) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let kind = if half { Kind::Half } else { Kind::Float };
    let layers: Vec<(&str, Tensor)> = layers
        .iter()
        .map(|(n, t)| (n.as_str(), t.to_kind(kind)))
        .collect();
    let refs: Vec<(&str, &Tensor)> = layers.iter().map(|(n, t)| (*n, t)).collect();
    Tensor::write_safetensors(&refs, dir.join(LAYERS_FILE))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::encode::pad_batch;

    /// Rows of unit-length "mean" halves followed by an ignored "max" half, as pool_features
    /// lays them out.
    fn pooled(rows: &[[f32; 2]]) -> Tensor {
        let flat: Vec<f32> = rows.iter().flat_map(|r| [r[0], r[1], 0.0, 0.0]).collect();
        Tensor::from_slice(&flat).view([rows.len() as i64, 4])
    }

    #[test]
    fn length_bucketed_batches_keep_every_row_and_pad_less() {
        let lens: Vec<i64> = (0..1003).map(|i| (i * 7919 % 200) as i64 + 5).collect();
        let mut rng = Lcg(3);
        let mut order: Vec<usize> = (0..lens.len()).collect();
        rng.shuffle(&mut order);
        let padded = |o: &[usize]| -> i64 {
            o.chunks(16)
                .map(|b| b.iter().map(|&i| lens[i]).max().unwrap() * b.len() as i64)
                .sum()
        };
        let bucketed = length_bucketed(order.clone(), &lens, 16, &mut rng);
        let mut sorted = bucketed.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..lens.len()).collect::<Vec<_>>());
        // Each full batch is a run of one sorted window; 1003 rows leave a short batch of 11,
        // which stays last so the others keep their alignment.
        for b in bucketed[..992].chunks(16) {
            assert!(b.windows(2).all(|w| lens[w[0]] <= lens[w[1]]));
        }
        assert!(
            padded(&bucketed) * 10 < padded(&order) * 7,
            "{} vs {}",
            padded(&bucketed),
            padded(&order)
        );
    }

    #[test]
    fn training_only_rows_and_kept_documents_are_never_validation_rows() {
        let n = 200;
        let data = Labelled {
            ids: (0..n).map(|i| format!("r{i}")).collect(),
            texts: vec![String::new(); n],
            groups: (0..n).map(|i| format!("d{}", i / 2)).collect(),
            weights: vec![1.0; n],
            sources: (0..n)
                .map(|i| match i % 3 {
                    0 => crate::learn::data::SYNTHETIC,
                    1 => crate::learn::data::DISTILLED,
                    _ => "news",
                })
                .map(str::to_string)
                .collect(),
            labels: vec!["a".into()],
            targets: vec![vec![0.0]; n],
        };
        let groups = data.groups.clone();
        let task = TaskData::Sentences(data);
        let keep = vec!["d1".to_string(), "d2".to_string()];
        let (val, fit) = validation_split(&task, 7, 42, &keep);
        assert_eq!(val.len() + fit.len(), n);
        assert!(!val.is_empty());
        assert!(val
            .iter()
            .all(|&i| !task.training_only(i) && !keep.contains(&groups[i])));
        // Whole documents: a document is on one side only.
        for &v in &val {
            assert!(fit
                .iter()
                .all(|&f| groups[f] != groups[v] || task.training_only(f)));
        }
    }

    #[test]
    fn tuned_layers_name_their_base_encoder() {
        let dir = tempfile::tempdir().unwrap();
        let layers = dir.path().join(LAYERS_FILE);
        // No card (or no layers at all): the default encoder.
        let minilm = crate::models_dir().join("minilm");
        assert_eq!(base_encoder_dir(None).unwrap(), minilm);
        assert_eq!(base_encoder_dir(Some(&layers)).unwrap(), minilm);
        std::fs::write(dir.path().join(CARD_FILE), r#"{"base_encoder": "mpnet"}"#).unwrap();
        assert_eq!(
            base_encoder_dir(Some(&layers)).unwrap(),
            crate::models_dir().join("mpnet")
        );
        std::fs::write(dir.path().join(CARD_FILE), "not json").unwrap();
        assert!(base_encoder_dir(Some(&layers)).is_err());
    }

    #[test]
    fn lower_states_match_each_sentence_run_alone() {
        // Batches of two: the longer sentence pads the shorter one, and the cached states must
        // not depend on that.
        let encoder = Encoder::load(&crate::models_dir().join("minilm"), 2).unwrap();
        let texts = [
            "A short one.",
            "China actively shared lunar samples and related data with the world.",
            "The resolution was adopted by a recorded vote.",
        ];
        let encodings = encoder.tokenize(&texts).unwrap();
        let states = lower_states(&encoder, &encodings, &[0, 1, 2], 3, &ProgressBar::hidden());
        for (e, state) in encodings.iter().zip(&states) {
            let (ids, mask) = pad_batch(&[e], 1);
            let alone = encoder.model().forward_through(&ids, &mask, 3).get(0);
            assert_eq!(state.size(), alone.size());
            let diff = (state - alone).abs().max().double_value(&[]);
            assert!(diff < 1e-4, "cached states differ by {diff}");
        }
    }

    #[test]
    fn pair_loss_pulls_cosine_towards_label_overlap() {
        let y = Tensor::from_slice(&[1f32, 0., 0., 1., 0., 0.]).view([3, 2]);
        // Rows 0 and 1 share no label and are orthogonal, as they should be; row 2 has no
        // label but sits on row 1 (cosine 1, target 0): two of the six ordered pairs are off by 1.
        let x = pooled(&[[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]);
        let wrong = pair_loss(&x, &y).double_value(&[]);
        assert!(wrong > 0.3 && wrong < 0.34, "{wrong}");
        let y_same = Tensor::from_slice(&[1f32, 0., 1., 0.]).view([2, 2]);
        let same = pooled(&[[1.0, 0.0], [1.0, 0.0]]);
        assert!(pair_loss(&same, &y_same).double_value(&[]) < 1e-9);
        // Two sentences with no label at all count as the same class.
        let none = Tensor::zeros([2, 2], (Kind::Float, Device::Cpu));
        assert!(pair_loss(&same, &none).double_value(&[]) < 1e-9);
        let apart = pooled(&[[1.0, 0.0], [0.0, 1.0]]);
        assert!((pair_loss(&apart, &none).double_value(&[]) - 1.0).abs() < 1e-9);
    }
}
