//! The mention filter's data, fitting and scores. Training rows are the gazetteer's candidate
//! mentions, each labelled: an actor mention by the codebook or not. They come from two kinds of
//! file: sentences annotated with every actor mention (`datasets/actors/*.jsonl`, NewsMTSC's
//! format with actor ids), where the gazetteer is run and a candidate is an actor mention when it
//! overlaps an annotated one with the same id; and files of candidates judged one by one
//! (`datasets/actors/candidates.jsonl`). The filter is a logistic unit on frozen token states,
//! its L2 strength and threshold chosen by out-of-fold F1 over documents.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use anyhow::{bail, Result};
use indicatif::ProgressBar;
use serde::Deserialize;
use tch::{nn, nn::OptimizerConfig, Device, Kind, Tensor};

use crate::learn::data::{char_bytes, first_line_has, folds_by_group, read_jsonl};
use crate::learn::eval::{best_threshold, FrameScores};
use crate::learn::stance::StanceSentence;
use crate::model::encode::{Encoder, MentionTokens, SpanHead};
use crate::model::mentions::{self, FilterConfig, MentionFilter};
use crate::text::actors::{ActorHit, Gazetteer};

/// One sentence with the gazetteer's candidate mentions, each labelled.
#[derive(Debug, Clone)]
pub struct Candidates {
    pub doc: String,
    pub source: String,
    pub text: String,
    /// Byte ranges into `text`.
    pub spans: Vec<Range<usize>>,
    /// Per span: whether it names an actor (with the right id).
    pub labels: Vec<bool>,
}

#[derive(Deserialize)]
struct Line {
    id: String,
    doc: String,
    #[serde(default)]
    family: Option<String>,
    text: String,
    candidates: Vec<CandidateLine>,
}

#[derive(Deserialize)]
struct CandidateLine {
    from: usize,
    to: usize,
    mention: String,
    actor_mention: bool,
}

/// Whether `path` is a file of judged candidates (its first line has `candidates`).
pub fn is_candidates_file(path: &Path) -> bool {
    first_line_has(path, "candidates")
}

/// Reads a file of judged candidates (`from`/`to` in code points, as elsewhere).
pub fn read_candidates(path: &Path) -> Result<Vec<Candidates>> {
    let lines: Vec<(usize, Line)> = read_jsonl(
        path,
        "the candidates file",
        "a candidates line (id, doc, text, candidates with from, to, mention, actor_mention)",
    )?;
    let mut out = Vec::new();
    for (n, l) in lines {
        let at = || format!("{}, line {n}", path.display());
        let bytes = char_bytes(&l.text);
        let (mut spans, mut labels) = (vec![], vec![]);
        for c in l.candidates {
            match (bytes.get(c.from), bytes.get(c.to)) {
                (Some(&s), Some(&e)) if s < e && l.text[s..e] == *c.mention => {
                    spans.push(s..e);
                    labels.push(c.actor_mention);
                }
                _ => bail!(
                    "{} ({}): characters {}..{} are not the mention `{}`",
                    at(),
                    l.id,
                    c.from,
                    c.to,
                    c.mention
                ),
            }
        }
        out.push(Candidates {
            doc: l.doc,
            source: l.family.unwrap_or_else(|| "candidates".into()),
            text: l.text,
            spans,
            labels,
        });
    }
    if out.is_empty() {
        bail!("{} holds no sentences", path.display());
    }
    Ok(out)
}

/// The gazetteer's candidates in annotated sentences (every target with an actor id), labelled
/// by whether an annotated mention with the same id overlaps them.
pub fn candidates_of(gazetteer: &Gazetteer, data: &[StanceSentence]) -> Vec<Candidates> {
    data.iter()
        .filter(|s| s.targets.iter().all(|t| t.actor.is_some()))
        .map(|s| {
            let found = gazetteer.find(&s.text);
            let labels = found
                .iter()
                .map(|f| s.targets.iter().any(|t| t.is_found_as(f)))
                .collect();
            Candidates {
                doc: s.doc.clone(),
                source: s.source.clone(),
                text: s.text.clone(),
                spans: found.into_iter().map(|f| f.range).collect(),
                labels,
            }
        })
        .collect()
}

/// The gazetteer's mentions in each sentence of `data` that `filter` keeps (a mention past the
/// encoder's length limit is kept, as in scoring).
pub fn filtered_hits(
    encoder: &Encoder,
    gazetteer: &Gazetteer,
    filter: &MentionFilter,
    data: &[StanceSentence],
) -> Result<Vec<Vec<ActorHit>>> {
    let found: Vec<Vec<ActorHit>> = data.iter().map(|s| gazetteer.find(&s.text)).collect();
    let texts: Vec<&str> = data.iter().map(|s| s.text.as_str()).collect();
    let spans: Vec<Vec<Range<usize>>> = found
        .iter()
        .map(|f| f.iter().map(|h| h.range.clone()).collect())
        .collect();
    let pass = encoder.embed_with(&texts, None, Some((filter, &spans)), &mut |_, _| {})?;
    Ok(found
        .into_iter()
        .zip(pass.spans)
        .map(|(hits, probs)| {
            hits.into_iter()
                .zip(probs)
                .filter(|(_, p)| p.as_ref().is_none_or(|p| filter.keeps(p[0])))
                .map(|(h, _)| h)
                .collect()
        })
        .collect())
}

/// A span head that hands back each mention's raw features (for fitting).
struct Probe;

impl SpanHead for Probe {
    fn span_probs(&self, hidden: &Tensor, mask: &Tensor, mentions: &[MentionTokens]) -> Tensor {
        mentions::features(hidden, mask, mentions)
    }
}

/// Features `[n, d]` of every candidate the encoder kept, their labels, documents and sources.
type Encoded = (Tensor, Vec<bool>, Vec<String>, Vec<String>);

fn encode(encoder: &Encoder, data: &[Candidates]) -> Result<Encoded> {
    let texts: Vec<&str> = data.iter().map(|c| c.text.as_str()).collect();
    let spans: Vec<Vec<Range<usize>>> = data.iter().map(|c| c.spans.clone()).collect();
    let pass = encoder.embed_with(&texts, None, Some((&Probe, &spans)), &mut |_, _| {})?;
    let (mut rows, mut labels, mut docs, mut sources) = (vec![], vec![], vec![], vec![]);
    for (c, found) in data.iter().zip(pass.spans) {
        for (x, &y) in found.into_iter().zip(&c.labels) {
            if let Some(x) = x {
                rows.push(Tensor::from_slice(&x));
                labels.push(y);
                docs.push(c.doc.clone());
                sources.push(c.source.clone());
            }
        }
    }
    if rows.is_empty() {
        bail!("no candidate mentions to fit the filter on");
    }
    Ok((Tensor::stack(&rows, 0), labels, docs, sources))
}

/// How the filter is fitted.
pub struct FilterOptions {
    /// L2 strengths tried (the one with the best out-of-fold F1 is kept).
    pub l2: Vec<f64>,
    pub steps: usize,
    pub folds: usize,
    pub seed: u64,
}

impl Default for FilterOptions {
    fn default() -> Self {
        FilterOptions {
            l2: vec![10.0, 100.0, 300.0, 1000.0, 3000.0],
            steps: 300,
            folds: 5,
            seed: 42,
        }
    }
}

/// A logistic unit on standardised `x` (full-batch AdamW): (weights `[1, d]`, bias `[1]`).
fn fit_logistic(x: &Tensor, y: &Tensor, l2: f64, steps: usize, seed: u64) -> (Tensor, Tensor) {
    tch::manual_seed(seed as i64);
    let vs = nn::VarStore::new(Device::Cpu);
    let d = x.size()[1];
    let w = vs.root().zeros("w", &[1, d]);
    let b = vs.root().zeros("b", &[1]);
    let mut opt = nn::Adam::default().build(&vs, 0.01).expect("an optimiser");
    for _ in 0..steps {
        let logits = x.linear(&w, Some(&b)).squeeze_dim(1);
        let loss =
            logits.binary_cross_entropy_with_logits::<Tensor>(y, None, None, tch::Reduction::Mean)
                + w.square().sum(Kind::Float) * l2 / x.size()[0] as f64;
        opt.backward_step(&loss);
    }
    (w.detach().copy(), b.detach().copy())
}

/// Precision, recall and F1 of keeping the candidates with `p >= t` (positives: the actor
/// mentions among them), as every other head is scored.
fn prf(p: &[f32], y: &[bool], t: f32) -> Prf {
    let s = FrameScores::compute(p, y, t);
    (s.precision, s.recall, s.f1)
}

/// Precision, recall and F1.
pub type Prf = (f64, f64, f64);

/// What fitting reports: out-of-fold scores of every candidate kept or dropped.
#[derive(Debug, Clone)]
pub struct FilterReport {
    pub candidates: usize,
    pub actor_mentions: usize,
    pub l2: f64,
    /// Out-of-fold precision, recall and F1 over the candidates, unfiltered and filtered.
    pub unfiltered: Prf,
    pub filtered: Prf,
    /// The same per source: (source, candidates, unfiltered, filtered).
    pub by_source: Vec<(String, usize, Prf, Prf)>,
}

/// Fits the filter on `data` (frozen encoder): the L2 strength and the threshold by out-of-fold
/// F1 over documents, then the filter on every row.
pub fn train(
    encoder: &Encoder,
    data: &[Candidates],
    opts: &FilterOptions,
    progress: &ProgressBar,
) -> Result<(MentionFilter, FilterReport)> {
    progress.set_message("encoding the candidates");
    let (x, labels, docs, row_sources) = encode(encoder, data)?;
    let n = labels.len();
    let y = Tensor::from_slice(&labels.iter().map(|&b| f32::from(b)).collect::<Vec<_>>());
    let folds = folds_by_group(&docs, opts.folds, opts.seed);
    progress.set_length((opts.l2.len() * opts.folds + 1) as u64);
    progress.set_message("fitting the mention filter");
    let standardise = |rows: &Tensor| {
        let mu = rows.mean_dim([0i64].as_slice(), false, Kind::Float);
        let sd = rows
            .std_dim([0i64].as_slice(), false, false)
            .clamp_min(1e-4);
        (mu, sd)
    };
    let mut best: Option<(f64, f64, f32, Vec<f32>)> = None;
    for &l2 in &opts.l2 {
        let mut oof = vec![0f32; n];
        for k in 0..opts.folds {
            let fit: Vec<i64> = (0..n)
                .filter(|&i| folds[i] != k)
                .map(|i| i as i64)
                .collect();
            let held: Vec<usize> = (0..n).filter(|&i| folds[i] == k).collect();
            if fit.is_empty() || held.is_empty() {
                continue;
            }
            let xf = x.index_select(0, &Tensor::from_slice(&fit));
            let (mu, sd) = standardise(&xf);
            let yf = y.index_select(0, &Tensor::from_slice(&fit));
            let (w, b) = fit_logistic(&((xf - &mu) / &sd), &yf, l2, opts.steps, opts.seed);
            let held_t: Vec<i64> = held.iter().map(|&i| i as i64).collect();
            let xh = (x.index_select(0, &Tensor::from_slice(&held_t)) - &mu) / &sd;
            let p: Vec<f32> =
                Vec::try_from(xh.linear(&w, Some(&b)).squeeze_dim(1).sigmoid()).unwrap_or_default();
            for (&i, p) in held.iter().zip(p) {
                oof[i] = p;
            }
            progress.inc(1);
        }
        let (t, scores) = best_threshold(&oof, &labels);
        let f = scores.f1;
        if best.as_ref().is_none_or(|b| f > b.0 + 1e-12) {
            best = Some((f, l2, t, oof));
        }
    }
    let (_, l2, threshold, oof) = best.expect("at least one L2 strength");
    let (mu, sd) = standardise(&x);
    let (w, b) = fit_logistic(&((&x - &mu) / &sd), &y, l2, opts.steps, opts.seed);
    progress.inc(1);
    let report = FilterReport {
        candidates: n,
        actor_mentions: labels.iter().filter(|&&b| b).count(),
        l2,
        unfiltered: prf(&vec![1.0; n], &labels, 0.5),
        filtered: prf(&oof, &labels, threshold),
        by_source: row_sources
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|src| {
                let rows: Vec<usize> = (0..n).filter(|&i| row_sources[i] == *src).collect();
                let y: Vec<bool> = rows.iter().map(|&i| labels[i]).collect();
                let p: Vec<f32> = rows.iter().map(|&i| oof[i]).collect();
                let all = vec![1.0; rows.len()];
                (
                    src.clone(),
                    rows.len(),
                    prf(&all, &y, 0.5),
                    prf(&p, &y, threshold),
                )
            })
            .collect(),
    };
    let mut sources: BTreeMap<&str, usize> = BTreeMap::new();
    for c in data {
        *sources.entry(c.source.as_str()).or_default() += c.spans.len();
    }
    let round = |v: f64| (v * 1000.0).round() / 1000.0;
    let config = FilterConfig {
        threshold,
        training: serde_json::json!({
            "method": "logistic unit on frozen final token states (the mention's mean state, the tokens just before and after it, the mean states before and after it, the sentence's mean state; standardised); L2 strength and threshold by out-of-fold F1 over documents",
            "candidates": sources,
            "actor_mentions": report.actor_mentions,
            "l2": l2,
            "steps": opts.steps,
            "folds": opts.folds,
            "seed": opts.seed,
            "out_of_fold": {
                "unfiltered": {"precision": round(report.unfiltered.0), "recall": round(report.unfiltered.1), "f1": round(report.unfiltered.2)},
                "filtered": {"precision": round(report.filtered.0), "recall": round(report.filtered.1), "f1": round(report.filtered.2)},
            },
        }),
    };
    Ok((MentionFilter::new(config, [mu, sd, w, b]), report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_candidates_with_code_point_offsets_and_names_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        std::fs::write(
            &path,
            "{\"id\": \"a:1\", \"doc\": \"a\", \"family\": \"ptc\", \"text\": \"Café in Paris: France said\", \
             \"candidates\": [{\"from\": 8, \"to\": 13, \"mention\": \"Paris\", \"actor\": \"FRA\", \"actor_mention\": false}, \
             {\"from\": 15, \"to\": 21, \"mention\": \"France\", \"actor\": \"FRA\", \"actor_mention\": true}]}\n",
        )
        .unwrap();
        assert!(is_candidates_file(&path));
        let c = read_candidates(&path).unwrap();
        assert_eq!(c[0].spans, vec![9..14, 16..22]);
        assert_eq!(c[0].labels, vec![false, true]);
        assert_eq!(c[0].source, "ptc");
        std::fs::write(
            &path,
            "{\"id\": \"a:1\", \"doc\": \"a\", \"text\": \"France\", \"candidates\": [{\"from\": 0, \"to\": 3, \"mention\": \"France\", \"actor\": \"FRA\", \"actor_mention\": true}]}\n",
        )
        .unwrap();
        let e = read_candidates(&path).unwrap_err().to_string();
        assert!(e.contains("line 1") && e.contains("France"), "{e}");
    }

    #[test]
    fn candidates_are_scored_by_keeping_those_over_the_threshold() {
        let p = [0.9, 0.8, 0.3, 0.2, 0.7];
        let y = [true, true, false, false, true];
        let (pr, rc, f1) = prf(&p, &y, 0.0);
        assert_eq!((pr, rc), (0.6, 1.0));
        assert!((f1 - 0.75).abs() < 1e-9);
        assert_eq!(prf(&p, &y, 0.5), (1.0, 1.0, 1.0));
    }

    #[test]
    fn a_logistic_unit_separates_separable_rows() {
        let x = Tensor::from_slice(&[-2f32, -1.0, 1.0, 2.0]).view([4, 1]);
        let y = Tensor::from_slice(&[0f32, 0.0, 1.0, 1.0]);
        let (w, b) = fit_logistic(&x, &y, 1e-3, 200, 1);
        let p: Vec<f32> = Vec::try_from(x.linear(&w, Some(&b)).squeeze_dim(1).sigmoid()).unwrap();
        assert!(p[0] < 0.2 && p[3] > 0.8, "{p:?}");
    }
}
