//! `framescore eval`: scores a frame model against a gold CSV (same format as training data).
//! Per frame: precision, recall, F1 at the model's thresholds, and expected calibration error.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use crate::learn::data::Labelled;
use crate::model::encode::Encoder;
use crate::model::frames::FrameModel;

/// Scores of one frame.
#[derive(Debug, Clone, Default)]
pub struct FrameScores {
    pub label: String,
    pub support: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Expected calibration error over 10 equal-width probability bins.
    pub ece: f64,
    /// F1 of the negative class (sentences without the label): with `f1`, the two-class
    /// macro-F1 that bias benchmarks such as BABE report.
    pub f1_negative: f64,
}

impl FrameScores {
    pub fn compute(probs: &[f32], truth: &[bool], threshold: f32) -> FrameScores {
        let (mut tp, mut fp, mut fn_, mut tn) = (0usize, 0usize, 0usize, 0usize);
        for (&p, &t) in probs.iter().zip(truth) {
            match (p >= threshold, t) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fn_ += 1,
                (false, false) => tn += 1,
            }
        }
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        FrameScores {
            label: String::new(),
            support: tp + fn_,
            precision,
            recall,
            f1: f1(precision, recall),
            ece: expected_calibration_error(probs, truth, 10),
            f1_negative: f1(ratio(tn, tn + fn_), ratio(tn, tn + fp)),
        }
    }

    pub fn named(mut self, label: &str) -> FrameScores {
        self.label = label.to_string();
        self
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "frame": self.label, "support": self.support,
            "precision": round3(self.precision), "recall": round3(self.recall),
            "f1": round3(self.f1), "ece": round3(self.ece),
        })
    }
}

/// The harmonic mean of precision and recall (0 when both are 0).
pub fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// Weighted mean gap between confidence and accuracy over equal-width bins of P(frame).
pub fn expected_calibration_error(probs: &[f32], truth: &[bool], bins: usize) -> f64 {
    let mut sum_p = vec![0f64; bins];
    let mut sum_t = vec![0f64; bins];
    let mut count = vec![0usize; bins];
    for (&p, &t) in probs.iter().zip(truth) {
        let b = ((p as f64 * bins as f64) as usize).min(bins - 1);
        sum_p[b] += p as f64;
        sum_t[b] += t as u8 as f64;
        count[b] += 1;
    }
    let n = probs.len().max(1) as f64;
    (0..bins)
        .filter(|&b| count[b] > 0)
        .map(|b| (sum_p[b] - sum_t[b]).abs() / n)
        .sum()
}

/// The threshold (on a 0.05..0.95 grid) that maximises F1, and the scores there.
pub fn best_threshold(probs: &[f32], truth: &[bool]) -> (f32, FrameScores) {
    let mut best = (0.5f32, FrameScores::compute(probs, truth, 0.5));
    for step in 1..=19 {
        let t = step as f32 * 0.05;
        let s = FrameScores::compute(probs, truth, t);
        if s.f1 > best.1.f1 + 1e-12 {
            best = (t, s);
        }
    }
    best
}

/// Scores `model` on `gold`; returns per-frame scores in label order.
pub fn evaluate(
    encoder: &Encoder,
    model: &FrameModel,
    gold: &Labelled,
) -> Result<Vec<FrameScores>> {
    let texts: Vec<&str> = gold.texts.iter().map(String::as_str).collect();
    let probs = model.predict(&encoder.embed(&texts)?.features);
    let mut out = Vec::new();
    for (k, label) in model.labels().iter().enumerate() {
        let Some(j) = gold.labels.iter().position(|l| l == label) else {
            anyhow::bail!(
                "the gold file has no column '{label}' (it has: {})",
                gold.labels.join(", ")
            );
        };
        let p: Vec<f32> = probs.iter().map(|r| r[k]).collect();
        let t: Vec<bool> = gold.targets.iter().map(|r| r[j] > 0.5).collect();
        out.push(FrameScores::compute(&p, &t, model.config.thresholds[k]).named(label));
    }
    Ok(out)
}

pub fn macro_f1(scores: &[FrameScores]) -> f64 {
    scores.iter().map(|s| s.f1).sum::<f64>() / scores.len().max(1) as f64
}

/// Prints an aligned table (for people) to `out`.
pub fn print_table(out: &mut dyn Write, scores: &[FrameScores]) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<16} {:>7} {:>9} {:>7} {:>7} {:>7}",
        "frame", "support", "precision", "recall", "f1", "ece"
    )?;
    for s in scores {
        writeln!(
            out,
            "{:<16} {:>7} {:>9.3} {:>7.3} {:>7.3} {:>7.3}",
            s.label, s.support, s.precision, s.recall, s.f1, s.ece
        )?;
    }
    writeln!(
        out,
        "{:<16} {:>7} {:>9} {:>7} {:>7.3}",
        "macro",
        "",
        "",
        "",
        macro_f1(scores)
    )?;
    if let [one] = scores {
        writeln!(
            out,
            "two-class macro-F1 ({0} / not {0}): {1:.3}",
            one.label,
            (one.f1 + one.f1_negative) / 2.0
        )?;
    }
    Ok(())
}

/// Writes the scores as CSV (for scripts).
pub fn write_csv(path: &Path, scores: &[FrameScores]) -> Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(["frame", "support", "precision", "recall", "f1", "ece"])?;
    for s in scores {
        w.write_record([
            s.label.clone(),
            s.support.to_string(),
            format!("{:.4}", s.precision),
            format!("{:.4}", s.recall),
            format!("{:.4}", s.f1),
            format!("{:.4}", s.ece),
        ])?;
    }
    w.write_record(["macro", "", "", "", &format!("{:.4}", macro_f1(scores)), ""])?;
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_count_hits_and_misses() {
        let p = [0.9, 0.8, 0.2, 0.6];
        let t = [true, false, true, true];
        let s = FrameScores::compute(&p, &t, 0.5);
        assert_eq!(s.support, 3);
        assert!((s.precision - 2.0 / 3.0).abs() < 1e-9);
        assert!((s.recall - 2.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn calibration_error_is_zero_when_confidence_matches_frequency() {
        let p = [0.25f32; 4];
        let t = [true, false, false, false];
        assert!(expected_calibration_error(&p, &t, 10) < 1e-9);
        let p = [1.0f32; 2];
        assert!((expected_calibration_error(&p, &[false, false], 10) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn best_threshold_separates_perfectly_separable_scores() {
        let p = [0.1, 0.2, 0.7, 0.9];
        let t = [false, false, true, true];
        let (th, s) = best_threshold(&p, &t);
        assert!(th > 0.2 && th <= 0.7);
        assert_eq!(s.f1, 1.0);
    }
}
