//! Stage: the learned loaded-term tagger. Finds loaded wording the lexicon never listed: a small
//! network reads each token's final state, together with its sentence's mean state (whether a
//! word reads as loaded depends on the sentence around it), from the same encoder pass that feeds
//! the sentence heads; a word takes the highest probability of its tokens, and words at or above
//! the threshold (neighbours joined) become spans. Trained on BABE's expert-marked biased words
//! and PTC's Loaded_Language and Name_Calling spans (`datasets/tagging/`).
//!
//! A model folder holds `tagger.json` (threshold, encoder, training report) and
//! `head.safetensors` (`w1` `[units, 2*hidden]`, `b1` `[units]`, `w2` `[units]`, `b2` `[1]`:
//! one ReLU layer, then a logistic output).

use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

use crate::model::encode::{TokenHead, TokenProb};
use crate::model::modelfile;
use crate::text::words::words;

pub const CONFIG_FILE: &str = "tagger.json";
pub const WEIGHTS_FILE: &str = "head.safetensors";

/// What `tagger.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaggerConfig {
    /// Word probability at or above which a word is loaded.
    pub threshold: f32,
    /// Encoder the head was trained on (folder name).
    pub encoder: String,
    /// Tuned encoder layers the head was trained with (as in `frames.json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers: Option<String>,
    #[serde(default)]
    pub training: serde_json::Value,
}

/// The loaded tagger.
pub struct Tagger {
    pub config: TaggerConfig,
    w1: Tensor,
    b1: Tensor,
    w2: Tensor,
    b2: Tensor,
    layers_file: Option<PathBuf>,
}

const TENSORS: [&str; 4] = ["w1", "b1", "w2", "b2"];

impl Tagger {
    /// A tagger from its network's tensors `[w1, b1, w2, b2]` (as saved).
    pub fn new(config: TaggerConfig, [w1, b1, w2, b2]: [Tensor; 4]) -> Tagger {
        Tagger {
            config,
            w1,
            b1,
            w2,
            b2,
            layers_file: None,
        }
    }

    /// The same tagger, recording the tuned encoder layers its head was trained with.
    pub fn with_layers_file(mut self, layers_file: Option<PathBuf>) -> Tagger {
        self.layers_file = layers_file;
        self
    }

    pub fn load(dir: &Path) -> Result<Tagger> {
        let config: TaggerConfig = modelfile::read_config(
            dir,
            CONFIG_FILE,
            "pass --tagger DIR with a folder made by `framescore train-tagger`, or --no-tagger",
        )?;
        let t = modelfile::Tensors::read(dir, WEIGHTS_FILE)?;
        Ok(Tagger {
            w1: t.get("w1")?,
            b1: t.get("b1")?,
            w2: t.get("w2")?,
            b2: t.get("b2")?,
            layers_file: modelfile::resolve_layers(dir, config.layers.as_deref())?,
            config,
        })
    }

    pub fn save(&self, dir: &Path) -> Result<()> {
        let t = [&self.w1, &self.b1, &self.w2, &self.b2];
        let named: Vec<(&str, &Tensor)> = TENSORS.iter().copied().zip(t).collect();
        modelfile::write(dir, CONFIG_FILE, &self.config, WEIGHTS_FILE, &named)
    }

    /// The tuned encoder layers the head needs, if any.
    pub fn layers_file(&self) -> Option<&Path> {
        self.layers_file.as_deref()
    }

    /// Probabilities for token features `[.., 2*hidden]`.
    fn apply(&self, x: &Tensor) -> Tensor {
        (x.linear(&self.w1, Some(&self.b1)).relu().matmul(&self.w2) + &self.b2).sigmoid()
    }

    /// Loaded spans of `text` (byte ranges, with the highest word probability in each).
    pub fn spans(&self, text: &str, tokens: &[TokenProb]) -> Vec<(Range<usize>, f32)> {
        decode(text, tokens, self.config.threshold)
    }
}

impl TokenHead for Tagger {
    fn token_probs(&self, hidden: &Tensor, mask: &Tensor) -> Tensor {
        self.apply(&token_features(hidden, mask))
    }
}

/// Each token's features: its state and its sentence's unit-length mean state, `[b, l, 2h]`.
pub fn token_features(hidden: &Tensor, mask: &Tensor) -> Tensor {
    let hidden = hidden.to_kind(Kind::Float);
    let (b, l, h) = hidden.size3().expect("[b, l, h]");
    let ctx = crate::model::encode::mean_pool_normalise(&hidden, mask)
        .unsqueeze(1)
        .expand([b, l, h], false);
    Tensor::cat(&[hidden, ctx], 2)
}

/// Each word of `text` with the highest probability among the tokens inside it.
pub fn word_probs(text: &str, tokens: &[TokenProb]) -> Vec<(Range<usize>, f32)> {
    words(text)
        .into_iter()
        .map(|w| {
            let p = tokens
                .iter()
                .filter(|t| t.0 < w.end && t.1 > w.start)
                .map(|t| t.2)
                .fold(0f32, f32::max);
            (w, p)
        })
        .collect()
}

/// Words at or above `threshold`; neighbours separated only by spaces or hyphens join into one
/// span (so "Cold War mentality" is one term), scored by their highest word probability. Spans
/// that are proper names are dropped (see [`proper_name`]).
pub fn decode(text: &str, tokens: &[TokenProb], threshold: f32) -> Vec<(Range<usize>, f32)> {
    let words = word_probs(text, tokens);
    let mut out: Vec<(Range<usize>, f32)> = vec![];
    for (w, p) in &words {
        if *p < threshold {
            continue;
        }
        if let Some(last) = out.last_mut() {
            let gap = &text[last.0.end..w.start];
            if gap.chars().all(|c| c == ' ' || c == '-') && gap.len() <= 2 {
                last.0.end = w.end;
                last.1 = last.1.max(*p);
                continue;
            }
        }
        out.push((w.clone(), *p));
    }
    // The sentence's words are already split: the name rule reads them, and only when there
    // is a span to judge.
    if !out.is_empty() {
        let capital: Vec<(usize, bool)> = words
            .iter()
            .map(|(w, _)| (w.start, text[w.start..].starts_with(char::is_uppercase)))
            .collect();
        if !headline(&capital) {
            out.retain(|(r, _)| !proper_name(&capital, r));
        }
    }
    out
}

/// Whether most words of a sentence (each word's start and whether it is capitalised) start
/// with a capital letter, as in a title-case headline, where capitals say nothing about names
/// ("Unleashes Firestorm", "A Fool's Errand").
fn headline(capital: &[(usize, bool)]) -> bool {
    let caps = capital.iter().filter(|(_, c)| *c).count();
    capital.len() >= 3 && caps * 2 > capital.len()
}

/// Whether a span is a proper name, which the codebook says is never a loaded term ("the Wolf
/// Act", "NASA", "Cold War" as an era): every word in it starts with a capital letter and it
/// does not open the sentence (where any word is capitalised). "Cold War mentality" keeps its
/// lowercase word and stays a span. Not applied to title-case headlines ([`headline`]).
/// Capitalised epithets inside a sentence ("Crooked Hillary") are dropped too: the price of
/// telling names from loaded words without a name tagger. `capital`: the sentence's words, as
/// for [`headline`]; a span starts and ends on word boundaries.
fn proper_name(capital: &[(usize, bool)], span: &Range<usize>) -> bool {
    capital.first().map(|(start, _)| *start) != Some(span.start)
        && capital
            .iter()
            .filter(|(start, _)| span.contains(start))
            .all(|(_, c)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_joins_neighbouring_words_and_keeps_the_highest_probability() {
        let text = "a Cold War mentality, sadly";
        // Tokens: "a", "Cold", "War", "mental", "ity", ",", "sadly".
        let tokens = vec![
            (0, 1, 0.1),
            (2, 6, 0.7),
            (7, 10, 0.6),
            (11, 17, 0.9),
            (17, 20, 0.2),
            (20, 21, 0.0),
            (22, 27, 0.8),
        ];
        let spans = decode(text, &tokens, 0.5);
        let got: Vec<(&str, f32)> = spans.iter().map(|(r, p)| (&text[r.clone()], *p)).collect();
        // The comma breaks the run: "sadly" is its own span.
        assert_eq!(got, vec![("Cold War mentality", 0.9), ("sadly", 0.8)]);
    }

    #[test]
    fn proper_names_are_never_spans_except_where_the_sentence_opens() {
        let text = "Wolf rules bar NASA under the Wolf Act, a Cold War mentality.";
        // One token per word, every one above the threshold.
        let tokens: Vec<TokenProb> = words(text)
            .into_iter()
            .map(|w| (w.start, w.end, 0.9))
            .collect();
        let spans = decode(text, &tokens, 0.5);
        let got: Vec<&str> = spans.iter().map(|(r, _)| &text[r.clone()]).collect();
        // "Wolf rules bar NASA under the Wolf Act" runs on as one span (words joined by spaces);
        // break it at the comma: the tail "a Cold War mentality" keeps its lowercase words.
        assert_eq!(
            got,
            [
                "Wolf rules bar NASA under the Wolf Act",
                "a Cold War mentality"
            ]
        );
        let only_names: Vec<TokenProb> = words(text)
            .into_iter()
            .filter(|w| matches!(&text[w.clone()], "NASA" | "Wolf" | "Act" | "Cold" | "War"))
            .map(|w| (w.start, w.end, 0.9))
            .collect();
        let spans = decode(text, &only_names, 0.5);
        let got: Vec<&str> = spans.iter().map(|(r, _)| &text[r.clone()]).collect();
        // The opening "Wolf" may be any capitalised word; the rest are names.
        assert_eq!(got, ["Wolf"]);
        // In a title-case headline capitals mark nothing: the spans stay.
        let title = "Senator Unleashes Firestorm Over NASA Deal";
        let tokens: Vec<TokenProb> = words(title)
            .into_iter()
            .filter(|w| matches!(&title[w.clone()], "Unleashes" | "Firestorm"))
            .map(|w| (w.start, w.end, 0.9))
            .collect();
        let spans = decode(title, &tokens, 0.5);
        assert_eq!(&title[spans[0].0.clone()], "Unleashes Firestorm");
    }
}
