//! Distilling a tuned encoder into a shallower student (issue 20: fewer layers, the same heads).
//!
//! The student keeps some of the teacher's layers (`keep`, e.g. 0, 1, 4, 5 of six): its first
//! `frozen` layers are the checkpoint's own and stay fixed, the rest start as the teacher's
//! layers they replace and are trained so that the student's final token states match the
//! teacher's on unlabelled text (mean squared error per token, plus one minus the cosine of the
//! mean-pooled states, which the sentence heads read). Every head reads those final states, so
//! the teacher's heads (frames, bias, tagger, stance, mention filter) serve the student as they
//! are: no labels are needed, and the student inherits what the teacher learned from all of
//! them. Trained on labelled heads alone, a 4-layer encoder held its in-domain frame score but
//! lost 0.10 macro-F1 on news from outlets training never saw; matching the teacher on broad
//! text keeps what the teacher does there.

use anyhow::{bail, Result};
use indicatif::ProgressBar;
use tch::{nn, nn::OptimizerConfig, Device, Kind, Tensor};

use crate::learn::tune::{length_bucketed, lr_factor, top, Lcg};
use crate::model::encode::Encoder;

/// How to distil.
#[derive(Debug, Clone)]
pub struct DistillOptions {
    /// The teacher's layers the student keeps, ascending; it starts as these.
    pub keep: Vec<usize>,
    /// How many of the student's first layers stay fixed (they must be the checkpoint's first
    /// layers: `keep` starts 0, 1, ...).
    pub frozen: usize,
    pub epochs: usize,
    /// Peak learning rate (10% warm-up, then linear decay to 0).
    pub lr: f64,
    /// Sentences per step.
    pub batch: usize,
    /// Sentences held out to report how close the student comes (never trained on).
    pub held_out: usize,
    pub seed: u64,
}

impl Default for DistillOptions {
    fn default() -> Self {
        DistillOptions {
            keep: vec![0, 1, 4, 5],
            frozen: 2,
            epochs: 4,
            lr: 1e-4,
            batch: 32,
            held_out: 500,
            seed: 42,
        }
    }
}

/// How close the student's mean-pooled final states come to the teacher's on the held-out
/// sentences (cosine), before and after training.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Closeness {
    pub mean_cosine: f64,
    pub min_cosine: f64,
}

/// The trained student: its own layers (checkpoint names at their positions in the student),
/// its depth, and how close it came.
pub struct Distilled {
    pub layers: Vec<(String, Tensor)>,
    pub depth: usize,
    pub train_sentences: usize,
    pub before: Closeness,
    pub after: Closeness,
}

/// Each sentence's states entering the student's first trained layer and the teacher's final
/// states, both `[len, hidden]` in fp16 (half the memory; training reads them back as fp32).
struct Cached {
    inputs: Vec<Tensor>,
    targets: Vec<Tensor>,
}

fn cache(
    teacher: &Encoder,
    texts: &[&str],
    frozen: usize,
    progress: &ProgressBar,
) -> Result<Cached> {
    let encodings = teacher.tokenize(texts)?;
    let depth = teacher.model().num_layers();
    let empty = || Tensor::zeros([0, teacher.dim()], (Kind::Half, Device::Cpu));
    let mut inputs: Vec<Tensor> = (0..texts.len()).map(|_| empty()).collect();
    let mut targets: Vec<Tensor> = (0..texts.len()).map(|_| empty()).collect();
    teacher.each_batch_through(&encodings, frozen, |rows, hidden, mask| {
        let (b, l, h) = hidden.size3().expect("[b, l, h]");
        let last = teacher
            .model()
            .run_layers(hidden.view([b * l, h]), mask, frozen..depth, false)
            .view([b, l, h]);
        for (r, &i) in rows.iter().enumerate() {
            let len = encodings[i].get_ids().len() as i64;
            inputs[i] = hidden.get(r as i64).narrow(0, 0, len).to_kind(Kind::Half);
            targets[i] = last.get(r as i64).narrow(0, 0, len).to_kind(Kind::Half);
        }
        progress.inc(rows.len() as u64);
    });
    Ok(Cached { inputs, targets })
}

/// `rows`' cached teacher states, padded to `l` tokens: `[b, l, h]` fp32.
fn padded(states: &[Tensor], rows: &[usize], l: i64) -> Tensor {
    let h = states[rows[0]].size()[1];
    let x = Tensor::zeros([rows.len() as i64, l, h], (Kind::Float, Device::Cpu));
    for (r, &i) in rows.iter().enumerate() {
        x.get(r as i64)
            .narrow(0, 0, states[i].size()[0])
            .copy_(&states[i]);
    }
    x
}

/// The mask-weighted mean of token states `[b, l, h]`: `[b, h]`.
fn mean_pool(x: &Tensor, mask: &Tensor) -> Tensor {
    let m = mask.unsqueeze(-1).to_kind(Kind::Float);
    (x * &m).sum_dim_intlist([1i64].as_slice(), false, Kind::Float)
        / m.sum_dim_intlist([1i64].as_slice(), false, Kind::Float)
}

/// Per-token mean squared error plus one minus the mean-pooled cosine, and that cosine `[b]`.
fn loss(student: &Tensor, teacher: &Tensor, mask: &Tensor) -> (Tensor, Tensor) {
    let m = mask.unsqueeze(-1).to_kind(Kind::Float);
    let h = student.size()[2] as f64;
    let mse = ((student - teacher).square() * &m).sum(Kind::Float) / (m.sum(Kind::Float) * h);
    let cos = Tensor::cosine_similarity(
        &mean_pool(student, mask),
        &mean_pool(teacher, mask),
        1,
        1e-8,
    );
    (mse + (1.0 - cos.mean(Kind::Float)), cos)
}

/// Trains `student` (loaded as the teacher's checkpoint and tuned layers, in fp32) to match
/// `teacher` on `texts`. `progress` counts sentences through the teacher, then steps.
pub fn distill(
    teacher: &Encoder,
    student: &mut Encoder,
    texts: &[String],
    opts: &DistillOptions,
    progress: &ProgressBar,
) -> Result<Distilled> {
    let depth = opts.keep.len();
    if opts.frozen >= depth {
        bail!("the student must train at least one layer: --frozen must be below {depth}");
    }
    if opts.keep[..opts.frozen] != (0..opts.frozen).collect::<Vec<_>>()[..] {
        bail!(
            "the student's {} frozen layers must be the checkpoint's first ones: --keep must \
             start 0..{}",
            opts.frozen,
            opts.frozen
        );
    }
    if texts.len() <= opts.held_out + opts.batch {
        bail!(
            "{} sentences are too few to distil on: {} are held out to measure the student",
            texts.len(),
            opts.held_out
        );
    }
    tch::manual_seed(opts.seed as i64);
    let mut rng = Lcg(opts.seed ^ 0x2545_f491_4f6c_dd1d);
    let mut order: Vec<usize> = (0..texts.len()).collect();
    rng.shuffle(&mut order);
    let texts: Vec<&str> = order.iter().map(|&i| texts[i].as_str()).collect();
    let (held, fit) = texts.split_at(opts.held_out);

    progress.set_length(texts.len() as u64);
    progress.set_message("sentences through the teacher");
    let train = cache(teacher, fit, opts.frozen, progress)?;
    let val = cache(teacher, held, opts.frozen, progress)?;

    student.model_mut().keep_layers(&opts.keep)?;
    let layers = opts.frozen..depth;
    let closeness = |student: &Encoder| -> Closeness {
        let _guard = tch::no_grad_guard();
        let rows: Vec<usize> = (0..held.len()).collect();
        let mut cos = vec![];
        for batch in rows.chunks(opts.batch) {
            let (s, mask) = top(student, &val.inputs, batch, layers.clone(), false);
            let t = padded(&val.targets, batch, s.size()[1]);
            cos.push(loss(&s, &t, &mask).1);
        }
        let cos = Tensor::cat(&cos, 0);
        Closeness {
            mean_cosine: cos.mean(Kind::Float).double_value(&[]),
            min_cosine: cos.min().double_value(&[]),
        }
    };
    let before = closeness(student);

    let vs = nn::VarStore::new(Device::Cpu);
    student
        .model_mut()
        .make_trainable(&vs.root().sub("student"), layers.clone());
    let mut opt = nn::AdamW::default().build(&vs, opts.lr)?;
    let lens: Vec<i64> = train.inputs.iter().map(|t| t.size()[0]).collect();
    let steps_per_epoch = fit.len().div_ceil(opts.batch);
    let total = (steps_per_epoch * opts.epochs).max(1);
    progress.set_position(0);
    progress.set_length(total as u64);
    progress.set_message("distilling steps");
    let mut step = 0usize;
    for _ in 0..opts.epochs {
        let mut o: Vec<usize> = (0..fit.len()).collect();
        rng.shuffle(&mut o);
        let o = length_bucketed(o, &lens, opts.batch, &mut rng);
        for rows in o.chunks(opts.batch) {
            opt.set_lr(opts.lr * lr_factor(step, total));
            let (s, mask) = top(student, &train.inputs, rows, layers.clone(), true);
            let t = padded(&train.targets, rows, s.size()[1]);
            opt.backward_step(&loss(&s, &t, &mask).0);
            step += 1;
            progress.inc(1);
        }
    }
    let after = closeness(student);
    Ok(Distilled {
        layers: student.model().layer_tensors(layers),
        depth,
        train_sentences: fit.len(),
        before,
        after,
    })
}

/// The threshold at which the student's `student` values mark as many as the teacher's
/// `teacher` values mark at `threshold` (the same items, in any order): halfway between the
/// student's n-th and (n+1)-th largest value, where n is the teacher's count. Unchanged when
/// the teacher marks none or all.
pub fn matched_threshold(teacher: &[f32], student: &[f32], threshold: f32) -> f32 {
    let n = teacher.iter().filter(|&&p| p >= threshold).count();
    if n == 0 || n >= student.len() {
        return threshold;
    }
    let mut s = student.to_vec();
    s.sort_by(|a, b| b.total_cmp(a));
    (s[n - 1] + s[n]) / 2.0
}

/// One head's decision threshold before and after matching the teacher's rate.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MatchedThreshold {
    pub head: String,
    pub teacher: f32,
    pub student: f32,
}

/// Sets the thresholds of the set's frame, bias and tagger heads in `set` (copies of the
/// teacher's) so that on `texts` the student marks as many sentences with each frame, and as
/// many loaded words, as the teacher does with its own thresholds: the student's probabilities
/// are close to the teacher's but not equal, and a threshold chosen for the teacher's sits at
/// another rate on them (measured: the tagger's recall fell by a quarter). No labels are used.
pub fn match_thresholds(
    teacher: &Encoder,
    student: &Encoder,
    set: &std::path::Path,
    texts: &[&str],
) -> Result<Vec<MatchedThreshold>> {
    use crate::model::frames::FrameModel;
    use crate::model::tagger::{word_probs, Tagger};
    let tagger_dir = set.join("tagger");
    let mut tagger = tagger_dir
        .is_dir()
        .then(|| Tagger::load(&tagger_dir))
        .transpose()?;
    let pass = |encoder: &Encoder| {
        encoder.embed_tagged(
            texts,
            tagger
                .as_ref()
                .map(|t| t as &dyn crate::model::encode::TokenHead),
        )
    };
    let (t_emb, t_tokens) = pass(teacher)?;
    let (s_emb, s_tokens) = pass(student)?;
    let mut changed = vec![];
    for name in ["frames", "bias"] {
        let dir = set.join(name);
        if !dir.is_dir() {
            continue;
        }
        let mut model = FrameModel::load(&dir)?;
        let (t, s) = (
            model.predict(&t_emb.features),
            model.predict(&s_emb.features),
        );
        for k in 0..model.config.labels.len() {
            let column = |rows: &[Vec<f32>]| rows.iter().map(|r| r[k]).collect::<Vec<_>>();
            let old = model.config.thresholds[k];
            let new = matched_threshold(&column(&t), &column(&s), old);
            model.config.thresholds[k] = new;
            changed.push(MatchedThreshold {
                head: format!("{name}/{}", model.config.labels[k]),
                teacher: old,
                student: new,
            });
        }
        model.save(&dir)?;
    }
    if let Some(tagger) = tagger.as_mut() {
        let words = |tokens: &[Vec<crate::model::encode::TokenProb>]| -> Vec<f32> {
            texts
                .iter()
                .zip(tokens)
                .flat_map(|(text, t)| word_probs(text, t).into_iter().map(|(_, p)| p))
                .collect()
        };
        let old = tagger.config.threshold;
        let new = matched_threshold(&words(&t_tokens), &words(&s_tokens), old);
        tagger.config.threshold = new;
        tagger.save(&tagger_dir)?;
        changed.push(MatchedThreshold {
            head: "tagger".into(),
            teacher: old,
            student: new,
        });
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matched_threshold_marks_as_many_as_the_teacher() {
        let teacher = [0.9, 0.6, 0.4, 0.2, 0.1];
        // The student is less sure: at the teacher's 0.5 it would mark one, not two.
        let student = [0.7, 0.45, 0.35, 0.2, 0.1];
        let t = matched_threshold(&teacher, &student, 0.5);
        assert!((t - 0.4).abs() < 1e-6, "{t}");
        assert_eq!(student.iter().filter(|&&p| p >= t).count(), 2);
        // Nothing or everything marked: unchanged.
        assert_eq!(matched_threshold(&teacher, &student, 0.95), 0.95);
        assert_eq!(matched_threshold(&teacher, &student, 0.05), 0.05);
    }

    #[test]
    fn the_loss_is_zero_for_equal_states_and_ignores_padding() {
        let t = Tensor::randn([2, 3, 4], (Kind::Float, Device::Cpu));
        let mask = Tensor::from_slice(&[1i64, 1, 0, 1, 1, 1]).view([2, 3]);
        let (l, cos) = loss(&t, &t, &mask);
        assert!(l.double_value(&[]).abs() < 1e-6);
        assert!((cos.min().double_value(&[]) - 1.0).abs() < 1e-6);
        // A padded position may hold anything.
        let s = t.copy();
        let _ = s.get(0).get(2).fill_(100.0);
        assert!(loss(&s, &t, &mask).0.double_value(&[]).abs() < 1e-6);
        let _ = s.get(1).get(2).fill_(100.0);
        assert!(loss(&s, &t, &mask).0.double_value(&[]) > 1.0);
    }
}
