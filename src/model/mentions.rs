//! Stage: the mention filter. The gazetteer finds every alias of an actor, but whether an alias
//! names an actor depends on its sentence: "China launched" is the state, "launched from
//! Kazakhstan" a place, "the UN Charter" a treaty, "American contractors" private people. The
//! filter reads each gazetteer mention's token states from the same encoder pass as the stance
//! head and gives the probability that it is an actor mention by the codebook; mentions under its
//! threshold are dropped before `actors.csv` is written.
//!
//! Features of one mention, from the final token states of its sentence: the mean state of the
//! mention's tokens, the states of the token just before and just after it (zeros at the
//! sentence's edges), the mean states before and after it, and the sentence's mean state;
//! standardised with the training data's mean and deviation, then one logistic unit. It lives in
//! the stance head's folder (`mentions.json`, `mentions.safetensors`), since both read the same
//! tuned encoder's states; `framescore train-mentions` fits it.

use std::path::Path;

use anyhow::Result;
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

use crate::model::encode::{MentionTokens, SpanHead};
use crate::model::modelfile;

pub const CONFIG_FILE: &str = "mentions.json";
pub const WEIGHTS_FILE: &str = "mentions.safetensors";

/// The head's tensors, by name in `mentions.safetensors`.
pub const TENSORS: [&str; 4] = ["mu", "sd", "w", "b"];

/// How many token-state vectors make up one mention's features.
pub const PARTS: i64 = 6;

/// What `mentions.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FilterConfig {
    /// Mentions with a probability under this are dropped.
    pub threshold: f32,
    #[serde(default)]
    pub training: serde_json::Value,
}

/// The loaded mention filter.
pub struct MentionFilter {
    pub config: FilterConfig,
    params: [Tensor; 4],
}

impl MentionFilter {
    /// A filter from its tensors, in the order of [`TENSORS`].
    pub fn new(config: FilterConfig, params: [Tensor; 4]) -> MentionFilter {
        MentionFilter { config, params }
    }

    /// The filter in `dir`, if it holds one.
    pub fn load_if_present(dir: &Path) -> Result<Option<MentionFilter>> {
        if !dir.join(CONFIG_FILE).is_file() {
            return Ok(None);
        }
        let config: FilterConfig = modelfile::read_config(
            dir,
            CONFIG_FILE,
            "refit it with `framescore train-mentions`, or pass --no-mention-filter",
        )?;
        let t = modelfile::Tensors::read(dir, WEIGHTS_FILE)?;
        let params = [t.get("mu")?, t.get("sd")?, t.get("w")?, t.get("b")?];
        Ok(Some(MentionFilter { config, params }))
    }

    pub fn save(&self, dir: &Path) -> Result<()> {
        let named: Vec<(&str, &Tensor)> = TENSORS.iter().copied().zip(&self.params).collect();
        modelfile::write(dir, CONFIG_FILE, &self.config, WEIGHTS_FILE, &named)
    }

    /// Probabilities `[n]` that each mention of a batch names an actor.
    pub fn probs(&self, hidden: &Tensor, mask: &Tensor, mentions: &[MentionTokens]) -> Tensor {
        let [mu, sd, w, b] = &self.params;
        let x = (features(hidden, mask, mentions) - mu) / sd;
        x.linear(w, Some(b)).squeeze_dim(1).sigmoid()
    }

    /// Whether a mention with this probability is kept.
    pub fn keeps(&self, p: f32) -> bool {
        p >= self.config.threshold
    }
}

impl SpanHead for MentionFilter {
    /// `[n, 1]`: the probability that each mention names an actor.
    fn span_probs(&self, hidden: &Tensor, mask: &Tensor, mentions: &[MentionTokens]) -> Tensor {
        self.probs(hidden, mask, mentions).unsqueeze(1)
    }
}

/// The raw (unstandardised) features `[n, PARTS * h]` of each mention: its tokens' mean state,
/// the states just before and after it, the mean states before and after it, the sentence's
/// mean state.
pub fn features(hidden: &Tensor, mask: &Tensor, mentions: &[MentionTokens]) -> Tensor {
    let (_, l, _) = hidden.size3().expect("[b, l, h]");
    let n = mentions.len() as i64;
    let rows = Tensor::from_slice(&mentions.iter().map(|m| m.0).collect::<Vec<_>>());
    let states = hidden.to_kind(Kind::Float).index_select(0, &rows);
    let valid = mask.index_select(0, &rows).to_kind(Kind::Float);
    let valid_at: Vec<f32> = Vec::<f32>::try_from(valid.flatten(0, -1)).unwrap_or_default();
    // Per mention, one weight row per part over the sentence's tokens. Token 0 is the
    // encoder's start token and the last valid one its end token: neither counts as a
    // neighbour, so a mention at an edge gets zeros there.
    let mut parts = vec![vec![0f32; (n * l) as usize]; 5];
    for (k, (_, r)) in mentions.iter().enumerate() {
        let base = k * l as usize;
        let len = (0..l)
            .filter(|&t| valid_at.get(base + t as usize).copied().unwrap_or(0.0) > 0.0)
            .count() as i64;
        for t in 0..len {
            let cell = base + t as usize;
            if r.contains(&t) {
                parts[0][cell] = 1.0;
            } else if t < r.start {
                parts[3][cell] = 1.0;
            } else {
                parts[4][cell] = 1.0;
            }
        }
        if r.start >= 2 {
            parts[1][base + r.start as usize - 1] = 1.0;
        }
        if r.end < len - 1 {
            parts[2][base + r.end as usize] = 1.0;
        }
    }
    let mean = |m: &Tensor| {
        (m.unsqueeze(2) * &states).sum_dim_intlist([1i64].as_slice(), false, Kind::Float)
            / m.sum_dim_intlist([1i64].as_slice(), true, Kind::Float)
                .clamp_min(1.0)
    };
    let mut out: Vec<Tensor> = parts
        .iter()
        .map(|p| mean(&Tensor::from_slice(p).view([n, l])))
        .collect();
    out.push(mean(&valid));
    Tensor::cat(&out, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_take_the_mention_its_neighbours_and_the_sides() {
        // One sentence of 6 tokens: [CLS] a b c d [SEP], then padding; states are the token
        // index in every dimension, so each part's mean is easy to read.
        let h = 2;
        let states: Vec<f32> = (0..8).flat_map(|t| vec![t as f32; h]).collect();
        let hidden = Tensor::from_slice(&states).view([1, 8, h as i64]);
        let mask = Tensor::from_slice(&[1i64, 1, 1, 1, 1, 1, 0, 0]).view([1, 8]);
        let x = features(&hidden, &mask, &[(0, 2..4)]);
        let v: Vec<f32> = Vec::try_from(x.flatten(0, -1)).unwrap();
        let part = |k: usize| v[k * h];
        assert_eq!(v.len(), PARTS as usize * h);
        assert_eq!(part(0), 2.5); // the mention: tokens 2 and 3
        assert_eq!(part(1), 1.0); // the token before it
        assert_eq!(part(2), 4.0); // the token after it
        assert_eq!(part(3), 0.5); // before: tokens 0 and 1
        assert_eq!(part(4), 4.5); // after: tokens 4 and 5 (padding left out)
        assert_eq!(part(5), 2.5); // the sentence
                                  // At the edges: no neighbour token is taken from the special tokens.
        let x = features(&hidden, &mask, &[(0, 1..5)]);
        let v: Vec<f32> = Vec::try_from(x.flatten(0, -1)).unwrap();
        assert_eq!((v[h], v[2 * h]), (0.0, 0.0));
    }

    #[test]
    fn the_filter_drops_mentions_under_its_threshold() {
        let params = [
            Tensor::zeros([PARTS * 2], (Kind::Float, tch::Device::Cpu)),
            Tensor::ones([PARTS * 2], (Kind::Float, tch::Device::Cpu)),
            Tensor::ones([1, PARTS * 2], (Kind::Float, tch::Device::Cpu)),
            Tensor::from_slice(&[-30f32]),
        ];
        let filter = MentionFilter::new(
            FilterConfig {
                threshold: 0.5,
                training: serde_json::Value::Null,
            },
            params,
        );
        let states: Vec<f32> = (0..8).flat_map(|t| vec![t as f32; 2]).collect();
        let hidden = Tensor::from_slice(&states).view([1, 8, 2]);
        let mask = Tensor::from_slice(&[1i64, 1, 1, 1, 1, 1, 0, 0]).view([1, 8]);
        // The features sum to 2 * (2.5 + 1 + 4 + 0.5 + 4.5 + 2.5) = 30 for the first mention.
        let p: Vec<f32> =
            Vec::try_from(filter.probs(&hidden, &mask, &[(0, 2..4), (0, 1..2)])).unwrap();
        assert!((p[0] - 0.5).abs() < 1e-4, "{p:?}");
        assert!(filter.keeps(p[0]));
        assert!(!filter.keeps(p[1]));
    }
}
