//! `framescore tune`: fine-tunes the encoder's top layers together with the heads of one or
//! more tasks (the shipped model: frames and sentence bias), multi-task.
//!
//! Why the top layers only: on the frame data, tuning the top 2 of 6 layers reached the test
//! macro-F1 of tuning all 6 (see the README's model card), the bottom layers' states can then be
//! computed once and cached (an epoch costs a third of a full forward and backward), and the
//! tuned layers are small enough to ship (14 MB) while the 90 MB checkpoint stays the installed
//! all-MiniLM-L6-v2. Why multi-task: one tuned encoder serves every shipped head, so scoring
//! still runs one encoder pass per sentence.
//!
//! Rows are split by document into a fitting part and a validation part (`val_share`, seeded).
//! The heads' decision thresholds and a calibration temperature are chosen on the validation
//! part only, never on test data.

use std::path::Path;

use anyhow::{bail, Result};
use indicatif::ProgressBar;
use tch::{nn, nn::OptimizerConfig, Device, Kind, Tensor};
use tokenizers::Encoding;

use crate::encode::{pad_batch, pool_features, Encoder};
use crate::eval::FrameScores;
use crate::frames::{FrameConfig, FrameModel};
use crate::train::{folds_by_group, Labelled};

/// File name of the tuned layers inside a tuned-encoder folder.
pub const LAYERS_FILE: &str = "encoder.safetensors";

/// One task: a labelled CSV whose label columns become one head.
pub struct Task {
    pub name: String,
    pub data: Labelled,
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
    /// Sentences per task in each step.
    pub batch: usize,
    pub seed: u64,
    /// Share of each task's documents held out for thresholds and calibration.
    pub val_share: f64,
}

impl Default for TuneOptions {
    fn default() -> Self {
        TuneOptions {
            layers: 2,
            epochs: 4,
            lr: 1e-4,
            head_lr: 3e-3,
            batch: 16,
            seed: 42,
            val_share: 0.15,
        }
    }
}

/// What tuning produced for one task.
pub struct TunedTask {
    pub name: String,
    pub model: FrameModel,
    /// Scores on the task's validation rows at the chosen thresholds.
    pub validation: Vec<FrameScores>,
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
    targets: Tensor,
}

/// Small reproducible generator for shuffling (the same LCG as `train::folds_by_group`).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize % bound.max(1)
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.next(i + 1));
        }
    }
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

    progress.set_message("encoding the frozen layers");
    let mut prepared = Vec::with_capacity(tasks.len());
    for task in tasks {
        let folds = folds_by_group(&task.data.groups, val_folds, opts.seed);
        let (val, fit): (Vec<usize>, Vec<usize>) =
            (0..task.data.ids.len()).partition(|&i| folds[i] == 0);
        if fit.is_empty() || val.is_empty() {
            bail!(
                "task {} needs rows from at least {val_folds} documents (a `doc` column) to hold some out for validation",
                task.name
            );
        }
        let texts: Vec<&str> = task.data.texts.iter().map(String::as_str).collect();
        let encodings = encoder.tokenize(&texts)?;
        let states = lower_states(encoder, &encodings, first);
        prepared.push(Prepared {
            fit,
            val,
            states,
            targets: task.data.target_tensor(),
        });
    }

    let vs = nn::VarStore::new(Device::Cpu);
    let root = vs.root();
    encoder
        .model_mut()
        .make_trainable(&root.set_group(0).sub("encoder"), first..n_layers);
    let dim = 2 * encoder.dim();
    let heads: Vec<(Tensor, Tensor)> = tasks
        .iter()
        .map(|t| {
            let p = root.set_group(1).sub(format!("head_{}", t.name));
            let k = t.data.labels.len() as i64;
            (p.zeros("weight", &[k, dim]), p.zeros("bias", &[k]))
        })
        .collect();
    let mut opt = nn::AdamW::default().build(&vs, opts.lr)?;

    let steps_per_epoch = prepared
        .iter()
        .map(|p| p.fit.len().div_ceil(opts.batch))
        .max()
        .unwrap_or(0);
    let total = (steps_per_epoch * opts.epochs).max(1);
    progress.set_length(total as u64);
    progress.set_message("fine-tuning");
    let mut rng = Lcg(opts.seed ^ 0x9e37_79b9_7f4a_7c15);
    let mut step = 0usize;
    for _ in 0..opts.epochs {
        let orders: Vec<Vec<usize>> = prepared
            .iter()
            .map(|p| {
                let mut o = p.fit.clone();
                rng.shuffle(&mut o);
                o
            })
            .collect();
        for s in 0..steps_per_epoch {
            // Warm-up over the first 10% of steps, then linear decay to 0.
            let warm = (total as f64 * 0.1).max(1.0);
            let f = ((step + 1) as f64 / warm).min(1.0) * (total - step) as f64 / total as f64;
            opt.set_lr_group(0, opts.lr * f);
            opt.set_lr_group(1, opts.head_lr * f);
            let mut loss = Tensor::zeros([], (Kind::Float, Device::Cpu));
            for ((p, order), (w, b)) in prepared.iter().zip(&orders).zip(&heads) {
                // Smaller tasks wrap around, so every task contributes to every step.
                let batches = order.len().div_ceil(opts.batch);
                let start = (s % batches) * opts.batch;
                let rows = &order[start..(start + opts.batch).min(order.len())];
                let x = features(encoder, &p.states, rows, first..n_layers, true);
                let y = p
                    .targets
                    .index_select(0, &Tensor::from_slice(&to_i64(rows)));
                let logits = x.matmul(&w.tr()) + b;
                loss += logits.binary_cross_entropy_with_logits::<&Tensor>(
                    &y,
                    None,
                    None,
                    tch::Reduction::Mean,
                );
            }
            opt.backward_step(&loss);
            step += 1;
            progress.inc(1);
        }
    }

    progress.set_message("choosing thresholds on the validation rows");
    let mut out = Vec::with_capacity(tasks.len());
    for ((task, p), (w, b)) in tasks.iter().zip(&prepared).zip(&heads) {
        let (w, b) = (w.detach(), b.detach());
        let logits = {
            let _guard = tch::no_grad_guard();
            let mut parts = vec![];
            for rows in p.val.chunks(64) {
                let x = features(encoder, &p.states, rows, first..n_layers, false);
                parts.push(x.matmul(&w.tr()) + &b);
            }
            Tensor::cat(&parts, 0)
        };
        let targets = p
            .targets
            .index_select(0, &Tensor::from_slice(&to_i64(&p.val)));
        // Temperature scaling: one scalar per head, chosen on the validation rows, makes the
        // probabilities honest (a tuned encoder is over-confident) without moving the ranking.
        let temperature = best_temperature(&logits, &targets);
        let probs = crate::encode::rows(&(&logits / temperature).sigmoid());
        let truth = crate::encode::rows(&targets);
        let k = task.data.labels.len();
        let mut thresholds = Vec::with_capacity(k);
        let mut scores = Vec::with_capacity(k);
        for j in 0..k {
            let pj: Vec<f32> = probs.iter().map(|r| r[j]).collect();
            let tj: Vec<bool> = truth.iter().map(|r| r[j] > 0.5).collect();
            let (t, s) = choose_threshold(&pj, &tj, k == 1);
            thresholds.push(t);
            scores.push(s.named(&task.data.labels[j]));
        }
        let config = FrameConfig {
            labels: task.data.labels.clone(),
            thresholds,
            encoder: String::new(),
            layers: None,
            training: serde_json::json!({
                "method": "multi-task fine-tuning of the encoder's top layers with one linear head per task on the mean+max pooled token states (768); thresholds and a temperature chosen on held-out validation documents",
                "tasks": tasks.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
                "tuned_layers": opts.layers,
                "epochs": opts.epochs,
                "lr": opts.lr,
                "head_lr": opts.head_lr,
                "batch": opts.batch,
                "seed": opts.seed,
                "rows_fit": p.fit.len(),
                "rows_validation": p.val.len(),
                "temperature": temperature,
                "validation": scores.iter().map(|s| s.to_json()).collect::<Vec<_>>(),
            }),
        };
        let model = FrameModel::new(config, &w / temperature, &b / temperature)?;
        out.push(TunedTask {
            name: task.name.clone(),
            model,
            validation: scores,
        });
    }
    Ok(Tuned {
        layers: encoder.model().layer_tensors(first..n_layers),
        tasks: out,
    })
}

/// States entering layer `first` for every encoding, one `[len, hidden]` tensor per row,
/// computed once without autograd in length-sorted batches.
fn lower_states(encoder: &Encoder, encodings: &[Encoding], first: usize) -> Vec<Tensor> {
    let _guard = tch::no_grad_guard();
    let model = encoder.model();
    let mut order: Vec<usize> = (0..encodings.len()).collect();
    order.sort_by_key(|&i| encodings[i].get_ids().len());
    let mut states: Vec<Option<Tensor>> = (0..encodings.len()).map(|_| None).collect();
    for batch in order.chunks(32) {
        let encs: Vec<&Encoding> = batch.iter().map(|&i| &encodings[i]).collect();
        let (ids, mask) = pad_batch(&encs);
        let (b, l) = ids.size2().expect("2-D");
        let x = model.run_layers(model.embed(&ids), &mask, 0..first, false);
        let x = x.view([b, l, -1]);
        for (r, &i) in batch.iter().enumerate() {
            let len = encodings[i].get_ids().len() as i64;
            states[i] = Some(x.get(r as i64).narrow(0, 0, len).copy());
        }
    }
    states.into_iter().map(|s| s.expect("every row")).collect()
}

/// Runs `rows`' cached states through the tuned layers and pools them: `[rows, 768]`.
fn features(
    encoder: &Encoder,
    states: &[Tensor],
    rows: &[usize],
    layers: std::ops::Range<usize>,
    train: bool,
) -> Tensor {
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
    pool_features(&hidden, &mask)
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
pub fn save_layers(dir: &Path, layers: &[(String, Tensor)]) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let refs: Vec<(&str, &Tensor)> = layers.iter().map(|(n, t)| (n.as_str(), t)).collect();
    Tensor::write_safetensors(&refs, dir.join(LAYERS_FILE))?;
    Ok(())
}
