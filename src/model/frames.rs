//! Stage: frame heads. One logistic head per frame over the sentence embedding, with a decision
//! threshold per frame tuned out-of-fold at training time (see `train`).
//!
//! A model folder holds `frames.json` (labels, thresholds, encoder, training report) and
//! `heads.safetensors` (`weight` `[k, d]`, `bias` `[k]`). Labels are whatever the training CSV
//! named, so users can train their own frames and the output columns follow.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

use crate::model::codebook::Codebook;
use crate::model::modelfile;
use serde::{Deserialize, Serialize};
use tch::Tensor;

pub const CONFIG_FILE: &str = "frames.json";
pub const WEIGHTS_FILE: &str = "heads.safetensors";

/// What `frames.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FrameConfig {
    /// Frame names, in column order.
    pub labels: Vec<String>,
    /// Probability at or above which a sentence carries the frame, per label.
    pub thresholds: Vec<f32>,
    /// Encoder the heads were trained on (folder name, for a sanity check and the model card).
    pub encoder: String,
    /// Fine-tuned encoder layers the heads were trained with (`framescore tune`'s
    /// encoder.safetensors; a path relative to the model folder, or absolute). Scoring applies
    /// them; none means the plain encoder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers: Option<String>,
    /// Free-form training report (data, seed, scores), kept for provenance.
    #[serde(default)]
    pub training: serde_json::Value,
    /// The codebook the frames were trained for (`train --codebook`): what each column means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codebook: Option<Codebook>,
}

/// The loaded frame heads.
pub struct FrameModel {
    pub config: FrameConfig,
    /// `config.layers` resolved against the folder the model was loaded from.
    layers_file: Option<PathBuf>,
    weight: Tensor,
    bias: Tensor,
}

impl FrameModel {
    pub fn new(config: FrameConfig, weight: Tensor, bias: Tensor) -> Result<FrameModel> {
        let k = config.labels.len() as i64;
        if config.thresholds.len() as i64 != k
            || weight.size().first() != Some(&k)
            || bias.size() != [k]
        {
            bail!(
                "frame model is inconsistent: {} labels, weight {:?}, bias {:?}",
                k,
                weight.size(),
                bias.size()
            );
        }
        Ok(FrameModel {
            layers_file: config.layers.as_ref().map(PathBuf::from),
            config,
            weight,
            bias,
        })
    }

    pub fn load(dir: &Path) -> Result<FrameModel> {
        let config: FrameConfig = modelfile::read_config(
            dir,
            CONFIG_FILE,
            "pass --model DIR with a folder made by `framescore train`",
        )?;
        let tensors = modelfile::Tensors::read(dir, WEIGHTS_FILE)?;
        let layers_file = modelfile::resolve_layers(dir, config.layers.as_deref())?;
        let mut model = FrameModel::new(config, tensors.get("weight")?, tensors.get("bias")?)?;
        model.layers_file = layers_file;
        Ok(model)
    }

    /// The tuned encoder layers these heads need (see [`FrameConfig::layers`]), if any.
    pub fn layers_file(&self) -> Option<&Path> {
        self.layers_file.as_deref()
    }

    pub fn save(&self, dir: &Path) -> Result<()> {
        modelfile::write(
            dir,
            CONFIG_FILE,
            &self.config,
            WEIGHTS_FILE,
            &[("weight", &self.weight), ("bias", &self.bias)],
        )
    }

    pub fn labels(&self) -> &[String] {
        &self.config.labels
    }

    /// Embedding dimension the heads expect.
    pub fn dim(&self) -> i64 {
        self.weight.size()[1]
    }

    /// Probabilities `[n, k]` for embeddings `[n, d]`.
    pub fn probabilities(&self, embeddings: &Tensor) -> Tensor {
        // In blocks of a fixed number of rows (the last one padded with zeros), so a row's
        // result does not depend on how many rows it came with: matrix kernels sum in an order
        // that depends on the shape.
        const BLOCK: i64 = 64;
        let n = embeddings.size()[0];
        if n == 0 {
            return self.block(embeddings);
        }
        let blocks: Vec<Tensor> = (0..n)
            .step_by(BLOCK as usize)
            .map(|start| {
                let rows = BLOCK.min(n - start);
                let mut block = embeddings.narrow(0, start, rows);
                if rows < BLOCK {
                    let pad = block
                        .zeros_like()
                        .narrow(0, 0, 1)
                        .expand([BLOCK - rows, block.size()[1]], false);
                    block = Tensor::cat(&[block, pad], 0);
                }
                self.block(&block).narrow(0, 0, rows)
            })
            .collect();
        Tensor::cat(&blocks, 0)
    }

    fn block(&self, embeddings: &Tensor) -> Tensor {
        embeddings
            .matmul(&self.weight.tr())
            .f_add(&self.bias)
            .expect("shapes checked at load")
            .sigmoid()
    }

    /// Probabilities as rows of `k` values, for the pipeline.
    pub fn predict(&self, embeddings: &Tensor) -> Vec<Vec<f32>> {
        crate::model::encode::rows(&self.probabilities(embeddings))
    }

    /// Labels whose probability reaches their threshold.
    pub fn decide<'a>(&'a self, probs: &'a [f32]) -> impl Iterator<Item = &'a str> + 'a {
        self.config
            .labels
            .iter()
            .zip(&self.config.thresholds)
            .zip(probs)
            .filter(|((_, t), p)| **p >= **t)
            .map(|((l, _), _)| l.as_str())
    }

    /// The decision threshold of each label, in label order (chosen on held-out data).
    pub fn thresholds(&self) -> &[f32] {
        &self.config.thresholds
    }

    /// Whether frame `k` is carried at probability `p`.
    pub fn carries(&self, k: usize, p: f32) -> bool {
        p >= self.config.thresholds[k]
    }
}
