//! Stage: the stance towards each actor mention (negative, neutral, positive), from the same
//! encoder pass as the frames and the tagger: target-dependent classification on the token
//! states, so a sentence with two actors can cast one as the hegemon and the other as its
//! target.
//!
//! Features of one mention, from the final token states `H` of its sentence (standardised per
//! dimension with the training data's mean and deviation):
//! - `m`: the mean state of the mention's tokens;
//! - `c`: the sentence's states attended from the mention (a learned bilinear score between `m`
//!   and every token, softmax over the sentence), which finds the words that say something about
//!   this actor rather than the other one;
//! - `left`, `right`: the mean states before and after the mention (who acts on whom);
//! - `s`: the sentence's mean state.
//!
//! `[m, c, left, right, s]` go through one ReLU layer to three logits. Trained by `framescore
//! train-stance` on NewsMTSC and our own annotated international-news sentences
//! (`datasets/actors/`). A model folder holds `stance.json` and `head.safetensors`.

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

use crate::model::encode::SpanHead;
pub use crate::model::encode::{mention_tokens, MentionTokens};
use crate::model::mentions::MentionFilter;
use crate::model::modelfile;

pub const CONFIG_FILE: &str = "stance.json";
pub const WEIGHTS_FILE: &str = "head.safetensors";

/// The classes, in the order of the probabilities.
pub const CLASSES: [&str; 3] = ["negative", "neutral", "positive"];

/// What `stance.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StanceConfig {
    /// Encoder the head was trained on (folder name).
    pub encoder: String,
    /// Tuned encoder layers the head was trained with (as in `frames.json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers: Option<String>,
    /// Calibration temperature the logits are divided by.
    #[serde(default = "one")]
    pub temperature: f32,
    #[serde(default)]
    pub training: serde_json::Value,
}

fn one() -> f32 {
    1.0
}

/// The head's tensors, by name in `head.safetensors`.
pub const TENSORS: [&str; 7] = ["mu", "sd", "wq", "w1", "b1", "w2", "b2"];

/// The loaded stance head.
pub struct StanceHead {
    pub config: StanceConfig,
    params: [Tensor; 7],
    layers_file: Option<PathBuf>,
    /// The mention filter kept in the same folder (`framescore train-mentions`), if any: as a
    /// span head, this head then yields a fourth column, the probability that the mention names
    /// an actor.
    filter: Option<MentionFilter>,
}

impl StanceHead {
    /// A head from its tensors, in the order of [`TENSORS`].
    pub fn new(config: StanceConfig, params: [Tensor; 7]) -> StanceHead {
        StanceHead {
            config,
            params,
            layers_file: None,
            filter: None,
        }
    }

    pub fn load(dir: &Path) -> Result<StanceHead> {
        let config: StanceConfig = modelfile::read_config(
            dir,
            CONFIG_FILE,
            "pass --stance DIR with a folder made by `framescore train-stance`, or --no-stance",
        )?;
        let t = modelfile::Tensors::read(dir, WEIGHTS_FILE)?;
        let get = |name: &str| t.get(name);
        Ok(StanceHead {
            params: [
                get("mu")?,
                get("sd")?,
                get("wq")?,
                get("w1")?,
                get("b1")?,
                get("w2")?,
                get("b2")?,
            ],
            layers_file: modelfile::resolve_layers(dir, config.layers.as_deref())?,
            filter: MentionFilter::load_if_present(dir)?,
            config,
        })
    }

    /// The mention filter that rides with this head, if any.
    pub fn filter(&self) -> Option<&MentionFilter> {
        self.filter.as_ref()
    }

    /// Whether a mention is kept, from its row of [`SpanHead::span_probs`]: always without a
    /// filter, else when the filter's column (the fourth) clears its threshold.
    pub fn keeps(&self, row: &[f32]) -> bool {
        self.filter.as_ref().is_none_or(|f| f.keeps(row[3]))
    }

    /// The same head with `filter` (or without one).
    pub fn with_filter(mut self, filter: Option<MentionFilter>) -> StanceHead {
        self.filter = filter;
        self
    }

    pub fn save(&self, dir: &Path) -> Result<()> {
        let named: Vec<(&str, &Tensor)> = TENSORS.iter().copied().zip(&self.params).collect();
        modelfile::write(dir, CONFIG_FILE, &self.config, WEIGHTS_FILE, &named)?;
        if let Some(f) = &self.filter {
            f.save(dir)?;
        }
        Ok(())
    }

    /// The same head, recording the tuned encoder layers it was trained with.
    pub fn with_layers_file(mut self, layers_file: Option<PathBuf>) -> StanceHead {
        self.layers_file = layers_file;
        self
    }

    /// The tuned encoder layers the head needs, if any.
    pub fn layers_file(&self) -> Option<&Path> {
        self.layers_file.as_deref()
    }

    /// Probabilities `[n, 3]` of the mentions of a batch (`hidden [b, l, h]`, `mask [b, l]`).
    pub fn probs(&self, hidden: &Tensor, mask: &Tensor, mentions: &[MentionTokens]) -> Tensor {
        let logits = logits(&self.params, hidden, mask, mentions, 0.0, false);
        (logits / f64::from(self.config.temperature)).softmax(-1, Kind::Float)
    }
}

impl SpanHead for StanceHead {
    /// `[n, 3]`, or `[n, 4]` with the mention filter's probability last.
    fn span_probs(&self, hidden: &Tensor, mask: &Tensor, mentions: &[MentionTokens]) -> Tensor {
        let stance = self.probs(hidden, mask, mentions);
        match &self.filter {
            Some(f) => Tensor::cat(&[stance, f.probs(hidden, mask, mentions).unsqueeze(1)], 1),
            None => stance,
        }
    }
}

/// The head's logits `[n, 3]`; `params` in the order of [`TENSORS`] (trainable ones during
/// training), `dropout` applied to the features when `train`.
pub fn logits(
    params: &[Tensor; 7],
    hidden: &Tensor,
    mask: &Tensor,
    mentions: &[MentionTokens],
    dropout: f64,
    train: bool,
) -> Tensor {
    let [mu, sd, wq, w1, b1, w2, b2] = params;
    let (_, l, h) = hidden.size3().expect("[b, l, h]");
    let n = mentions.len() as i64;
    let rows = Tensor::from_slice(&mentions.iter().map(|m| m.0).collect::<Vec<_>>());
    let states = ((hidden.to_kind(Kind::Float) - mu) / sd).index_select(0, &rows);
    let valid = mask.index_select(0, &rows).to_kind(Kind::Float);
    // Per mention: 1 on its tokens, and on the tokens before / after it.
    let mut inside = vec![0f32; (n * l) as usize];
    let mut before = vec![0f32; (n * l) as usize];
    let mut after = vec![0f32; (n * l) as usize];
    for (k, (_, r)) in mentions.iter().enumerate() {
        let base = k * l as usize;
        for t in 0..l {
            let cell = base + t as usize;
            if r.contains(&t) {
                inside[cell] = 1.0;
            } else if t < r.start {
                before[cell] = 1.0;
            } else {
                after[cell] = 1.0;
            }
        }
    }
    let as_mask = |v: &[f32]| Tensor::from_slice(v).view([n, l]) * &valid;
    let mean = |m: &Tensor| {
        (m.unsqueeze(2) * &states).sum_dim_intlist([1i64].as_slice(), false, Kind::Float)
            / m.sum_dim_intlist([1i64].as_slice(), true, Kind::Float)
                .clamp_min(1.0)
    };
    let m = mean(&as_mask(&inside));
    let left = mean(&as_mask(&before));
    let right = mean(&as_mask(&after));
    let s = mean(&valid);
    let query = m.matmul(&wq.tr());
    let scores = states.matmul(&query.unsqueeze(2)).squeeze_dim(2) / (h as f64).sqrt();
    let scores = scores.masked_fill(&valid.eq(0.0), f64::NEG_INFINITY);
    let attn = scores.softmax(1, Kind::Float);
    let c = (attn.unsqueeze(2) * &states).sum_dim_intlist([1i64].as_slice(), false, Kind::Float);
    let x = Tensor::cat(&[m, c, left, right, s], 1).dropout(dropout, train);
    x.linear(w1, Some(b1)).relu().linear(w2, Some(b2))
}
