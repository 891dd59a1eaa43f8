//! A lean BERT encoder forward pass: the same function as rust-bert's `BertModel::forward_t`
//! (last hidden state, inference, no pooler), written as a few large libtorch calls on plain
//! tensors loaded straight from `model.safetensors`.
//!
//! Why it is faster on a CPU than rust-bert's module tree:
//! - **Fused QKV.** One `[3*hidden, hidden]` projection per layer instead of three: one GEMM
//!   with a wider output, one pass over the activations.
//! - **2-D activations.** The hidden states stay `[tokens, hidden]` from embedding to output, so
//!   every projection is a single `linear` (GEMM with the bias folded in), with no reshapes.
//! - **`scaled_dot_product_attention`**: libtorch's fused CPU attention kernel, which never
//!   materialises the `[b, heads, l, l]` score tensor (rust-bert's largest temporary) and replaces
//!   six separate ops (scale, matmul, mask add, softmax, matmul, copy).
//! - **Fused, in-place element-wise work.** `gelu("none")` (the exact erf GELU that rust-bert builds
//!   from five ops and four temporaries) and the residual adds run in place.
//! - **Mixed bf16.** On CPUs with AMX-BF16 (or AVX512-BF16), oneDNN runs bf16 matmuls several
//!   times faster than fp32 (measured here: ~120 GFLOPS fp32 vs 450-750 bf16 on two cores). The
//!   projections, attention and GELU run in bf16; the residual stream, layer norms and the
//!   output stay fp32, which keeps embeddings within cosine 0.9999 of the fp32 path.
//!
//! Every op is a parallel region on libtorch's OpenMP pool, so fewer ops also means fewer
//! barriers: on a CPU shared with other busy processes, a spinning worker waits a scheduler time
//! slice for a descheduled one at each barrier, which made two threads 3-6x slower than one.
//! `OMP_WAIT_POLICY=passive` in the environment (libgomp reads it at process start) removes that.
//!
//! Measured on 2,000 real sentences, sorted, batches of 32 (bench/ENCODER_SPEED.md): fp32
//! 1.2-1.3x rust-bert's throughput (1.9x on 256-token inputs), bf16 2.5-3.4x (4.9x), with outputs
//! within 1e-5 of rust-bert's (fp32) and embeddings at cosine >= 0.9999 to fp32's (bf16).
//!
//! The same code runs MPNet (all-mpnet-base-v2, the opt-in accurate encoder), which differs from
//! BERT in three places only: a learned relative-position bias added to every layer's attention
//! scores (32 log-spaced distance buckets, one table shared by all layers), RoBERTa-style
//! position ids (offset past the padding index) with no token-type embedding, and its own
//! weight names. [`Arch`] holds what differs.
//!
//! [`tune_allocator`] is separate and process-wide: it keeps glibc from unmapping the large
//! per-batch activations after every op and faulting them in again on the next batch.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use rust_bert::bert::BertConfig;
use rust_bert::Activation;
use serde::Deserialize;
use tch::{Device, Kind, Tensor};

/// BERT's layer-norm epsilon. rust-bert hard-codes it too (its `BertConfig` has no field for it).
const BERT_LAYER_NORM_EPS: f64 = 1e-12;

/// MPNet's relative-position buckets stop growing at this distance (Hugging Face's value; the
/// checkpoint's config does not record it).
const MPNET_MAX_DISTANCE: i64 = 128;

/// What the encoder's `config.json` says, for either architecture.
#[derive(Debug, Clone)]
pub struct EncoderConfig {
    pub arch: ArchKind,
    pub hidden_size: i64,
    pub num_attention_heads: i64,
    pub num_hidden_layers: i64,
    pub hidden_act: Activation,
    pub layer_norm_eps: f64,
}

/// The architectures the lean forward runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchKind {
    Bert,
    /// MPNet with this many relative-position buckets and this padding token id (its position
    /// ids start after it).
    Mpnet {
        buckets: i64,
        pad_id: i64,
    },
}

/// MPNet's `config.json` fields (rust-bert 0.23 has no MPNet model, so no config type either).
#[derive(Deserialize)]
struct MpnetConfig {
    hidden_size: i64,
    num_attention_heads: i64,
    num_hidden_layers: i64,
    hidden_act: Activation,
    layer_norm_eps: f64,
    relative_attention_num_buckets: i64,
    pad_token_id: i64,
}

impl EncoderConfig {
    /// Reads `config.json`: `model_type` "mpnet" is MPNet, anything else is parsed as BERT
    /// (with rust-bert's `BertConfig`, as MiniLM and every BERT checkpoint are).
    pub fn from_file(path: &Path) -> Result<EncoderConfig> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid JSON", path.display()))?;
        let invalid = || format!("{} is not a BERT or MPNet config", path.display());
        if value.get("model_type").and_then(|v| v.as_str()) == Some("mpnet") {
            let c: MpnetConfig = serde_json::from_value(value).with_context(invalid)?;
            return Ok(EncoderConfig {
                arch: ArchKind::Mpnet {
                    buckets: c.relative_attention_num_buckets,
                    pad_id: c.pad_token_id,
                },
                hidden_size: c.hidden_size,
                num_attention_heads: c.num_attention_heads,
                num_hidden_layers: c.num_hidden_layers,
                hidden_act: c.hidden_act,
                layer_norm_eps: c.layer_norm_eps,
            });
        }
        let c: BertConfig = serde_json::from_value(value).with_context(invalid)?;
        Ok(EncoderConfig::from(&c))
    }
}

impl From<&BertConfig> for EncoderConfig {
    fn from(c: &BertConfig) -> EncoderConfig {
        EncoderConfig {
            arch: ArchKind::Bert,
            hidden_size: c.hidden_size,
            num_attention_heads: c.num_attention_heads,
            num_hidden_layers: c.num_hidden_layers,
            hidden_act: c.hidden_act,
            layer_norm_eps: BERT_LAYER_NORM_EPS,
        }
    }
}

/// Checkpoint names of one layer's parameters (after `encoder.layer.N.`), per architecture.
struct LayerNames {
    q: &'static str,
    k: &'static str,
    v: &'static str,
    attn_out: &'static str,
    attn_norm: &'static str,
}

impl ArchKind {
    fn layer_names(self) -> LayerNames {
        match self {
            ArchKind::Bert => LayerNames {
                q: "attention.self.query",
                k: "attention.self.key",
                v: "attention.self.value",
                attn_out: "attention.output.dense",
                attn_norm: "attention.output.LayerNorm",
            },
            ArchKind::Mpnet { .. } => LayerNames {
                q: "attention.attn.q",
                k: "attention.attn.k",
                v: "attention.attn.v",
                attn_out: "attention.attn.o",
                attn_norm: "attention.LayerNorm",
            },
        }
    }
}

/// MPNet's bucket of each (query, key) pair for sequences of `len` tokens, `[len, len]` int64:
/// exact below 8 tokens apart, log-spaced up to `max_distance`, separately for keys before and
/// after the query. The same tensor ops as Hugging Face's `relative_position_bucket`, in the
/// same order and precision, so the boundary cases (a log that lands on an integer) truncate
/// the same way.
pub fn relative_buckets(len: i64, buckets: i64, max_distance: i64) -> Tensor {
    let opts = (Kind::Int64, Device::Cpu);
    let query = Tensor::arange(len, opts).unsqueeze(1);
    let key = Tensor::arange(len, opts).unsqueeze(0);
    let n = query - key; // -(key - query)
    let half = buckets / 2;
    let ret = n.lt(0).to_kind(Kind::Int64) * half;
    let n = n.abs();
    let max_exact = half / 2;
    let small = n.lt(max_exact);
    let large = ((n.to_kind(Kind::Float) / max_exact).log()
        / ((max_distance as f64) / (max_exact as f64)).ln()
        * (half - max_exact))
        .to_kind(Kind::Int64)
        + max_exact;
    let large = large.clamp_max(half - 1);
    ret + n.where_self(&small, &large)
}

/// A linear layer as `linear` wants it: weight `[out, in]` (the checkpoint's layout, contiguous;
/// oneDNN's bf16 matmul was faster with it than with a pre-transposed `[in, out]` copy, and fp32
/// was the same), bias `[out]`.
struct Linear {
    w: Tensor,
    b: Tensor,
}

impl Linear {
    fn apply(&self, x: &Tensor) -> Tensor {
        x.linear(&self.w, Some(&self.b))
    }
}

/// A layer norm's affine parameters, both `[hidden]`, and its epsilon.
struct Norm {
    w: Tensor,
    b: Tensor,
    eps: f64,
}

impl Norm {
    fn apply(&self, x: &Tensor) -> Tensor {
        let n = self.w.size()[0];
        x.layer_norm([n], Some(&self.w), Some(&self.b), self.eps, false)
    }
}

/// One transformer layer.
struct Layer {
    /// Query, key and value projections stacked: weight `[3*hidden, hidden]`.
    qkv: Linear,
    attn_out: Linear,
    attn_norm: Norm,
    inter: Linear,
    out: Linear,
    out_norm: Norm,
}

/// BERT or MPNet encoder (embeddings and layers, no pooler) on plain tensors. Immutable after
/// loading (except for [`LeanBert::make_trainable`]), so it can be shared by reference.
pub struct LeanBert {
    arch: ArchKind,
    word: Tensor,
    /// `[max_positions, hidden]`: the embedding added at each position. BERT: position plus the
    /// token-type-0 embedding, summed at load time (every token of a single-sentence input has
    /// type 0). MPNet: the position embeddings from the first position after the padding index.
    pos_type: Tensor,
    /// MPNet only: the relative-position bias of every head for every (query, key) pair up to
    /// the longest input, `[heads, max, max]` fp32, looked up once at load time.
    rel_bias: Option<Tensor>,
    emb_norm: Norm,
    layers: Vec<Layer>,
    heads: i64,
    hidden: i64,
    /// Approximation argument of `gelu_` ("none": exact erf; "tanh": `gelu_new`), or `None` for
    /// ReLU.
    gelu: Option<&'static str>,
    kind: Kind,
}

impl LeanBert {
    /// Loads BERT weights from `dir/model.safetensors` (names as in the sentence-transformers
    /// safetensors: `embeddings.word_embeddings.weight`,
    /// `encoder.layer.N.attention.self.query.weight`, ...; a leading `bert.` is accepted too).
    /// With `bf16`, the projection weights and their activations are bfloat16 (faster on
    /// AMX/AVX512-BF16 CPUs, embeddings about 1e-5 cosine away from fp32's); otherwise fp32.
    pub fn load(dir: &Path, config: &EncoderConfig, bf16: bool) -> Result<LeanBert> {
        LeanBert::load_with_overlay(dir, config, bf16, None)
    }

    /// As [`LeanBert::load`], then every tensor in `overlay` (a safetensors file with the same
    /// names, e.g. fine-tuned top layers written by `framescore tune`) replaces the checkpoint's.
    pub fn load_with_overlay(
        dir: &Path,
        config: &EncoderConfig,
        bf16: bool,
        overlay: Option<&Path>,
    ) -> Result<LeanBert> {
        let path = dir.join("model.safetensors");
        let read = |path: &Path| -> Result<Vec<(String, Tensor)>> {
            Ok(Tensor::read_safetensors(path)
                .with_context(|| format!("cannot load weights from {}", path.display()))?
                .into_iter()
                .map(|(name, t)| match name.strip_prefix("bert.") {
                    Some(rest) => (rest.to_string(), t),
                    None => (name, t),
                })
                .collect())
        };
        let mut weights: HashMap<String, Tensor> = read(&path)?.into_iter().collect();
        if let Some(overlay) = overlay {
            for (name, t) in read(overlay)? {
                if !weights.contains_key(&name) {
                    bail!(
                        "{} holds {name}, which the encoder does not have",
                        overlay.display()
                    );
                }
                weights.insert(name, t);
            }
        }
        let gelu = match config.hidden_act {
            Activation::gelu => Some("none"),
            Activation::gelu_new => Some("tanh"),
            Activation::relu => None,
            ref other => bail!("unsupported BERT activation {other:?}"),
        };
        let kind = if bf16 { Kind::BFloat16 } else { Kind::Float };
        let _guard = tch::no_grad_guard();
        // Everything loads as fp32; only the projection weights are cast to `kind` below.
        let mut take = |name: &str| -> Result<Tensor> {
            let t = weights
                .remove(name)
                .with_context(|| format!("{} has no tensor {name}", path.display()))?;
            Ok(t.to_kind(Kind::Float).contiguous())
        };
        let eps = config.layer_norm_eps;
        let word = take("embeddings.word_embeddings.weight")?;
        let positions = take("embeddings.position_embeddings.weight")?;
        let (pos_type, rel_bias) = match config.arch {
            ArchKind::Bert => (
                positions + take("embeddings.token_type_embeddings.weight")?.get(0),
                None,
            ),
            ArchKind::Mpnet { buckets, pad_id } => {
                // Position ids count from pad_id + 1 (RoBERTa's scheme; padding, always at the
                // end here, is masked out of attention, so its own positions do not matter).
                let first = pad_id + 1;
                let max = positions.size()[0] - first;
                let pos = positions.narrow(0, first, max);
                let table = take("encoder.relative_attention_bias.weight")?; // [buckets, heads]
                let index = relative_buckets(max, buckets, MPNET_MAX_DISTANCE).view([-1]);
                let bias = table
                    .index_select(0, &index)
                    .view([max, max, -1])
                    .permute([2, 0, 1])
                    .contiguous();
                (pos, Some(bias))
            }
        };
        let emb_norm = Norm {
            w: take("embeddings.LayerNorm.weight")?,
            b: take("embeddings.LayerNorm.bias")?,
            eps,
        };
        let names = config.arch.layer_names();
        let mut layers = Vec::with_capacity(config.num_hidden_layers.max(0) as usize);
        for i in 0..config.num_hidden_layers {
            let mut t = |name: &str| take(&format!("encoder.layer.{i}.{name}"));
            let mut lin = |name: &str| -> Result<Linear> {
                Ok(Linear {
                    w: t(&format!("{name}.weight"))?.to_kind(kind),
                    b: t(&format!("{name}.bias"))?.to_kind(kind),
                })
            };
            let (q, k, v) = (lin(names.q)?, lin(names.k)?, lin(names.v)?);
            let qkv = Linear {
                w: Tensor::cat(&[q.w, k.w, v.w], 0),
                b: Tensor::cat(&[q.b, k.b, v.b], 0),
            };
            let attn_out = lin(names.attn_out)?;
            let inter = lin("intermediate.dense")?;
            let out = lin("output.dense")?;
            let mut norm = |name: &str| -> Result<Norm> {
                Ok(Norm {
                    w: t(&format!("{name}.weight"))?,
                    b: t(&format!("{name}.bias"))?,
                    eps,
                })
            };
            layers.push(Layer {
                qkv,
                attn_out,
                attn_norm: norm(names.attn_norm)?,
                inter,
                out,
                out_norm: norm("output.LayerNorm")?,
            });
        }
        if config.hidden_size % config.num_attention_heads != 0 {
            bail!("hidden size is not a multiple of the number of attention heads");
        }
        Ok(LeanBert {
            arch: config.arch,
            word,
            pos_type,
            rel_bias,
            emb_norm,
            layers,
            heads: config.num_attention_heads,
            hidden: config.hidden_size,
            gelu,
            kind,
        })
    }

    /// `input_ids`, `attention_mask`: `[b, l]` int64 (mask 1 for real tokens, 0 for padding).
    /// Returns the last hidden states, `[b, l, hidden]`, float32. Runs without autograd.
    pub fn forward(&self, input_ids: &Tensor, attention_mask: &Tensor) -> Tensor {
        self.forward_through(input_ids, attention_mask, self.layers.len())
    }

    /// [`LeanBert::forward`] through the first `layers` layers only: the states entering layer
    /// `layers` (fine-tuning caches those below the layers it trains).
    pub fn forward_through(
        &self,
        input_ids: &Tensor,
        attention_mask: &Tensor,
        layers: usize,
    ) -> Tensor {
        let _guard = tch::no_grad_guard();
        let (b, l) = input_ids
            .size2()
            .expect("input_ids must be [batch, length]");
        let x = self.embed(input_ids);
        self.run_layers(x, attention_mask, 0..layers, false)
            .view([b, l, self.hidden])
    }

    /// Number of transformer layers.
    pub fn num_layers(&self) -> usize {
        self.layers.len()
    }

    /// Width of the hidden states (384 for MiniLM, 768 for MPNet).
    pub fn hidden(&self) -> i64 {
        self.hidden
    }

    /// Longest input, in tokens, the position embeddings cover.
    pub fn max_positions(&self) -> i64 {
        self.pos_type.size()[0]
    }

    /// The embedding layer: word + position (+ type 0 for BERT), then layer norm, as
    /// `[b*l, hidden]` fp32.
    pub fn embed(&self, input_ids: &Tensor) -> Tensor {
        let (b, l) = input_ids
            .size2()
            .expect("input_ids must be [batch, length]");
        let h = self.hidden;
        let x = self
            .word
            .index_select(0, &input_ids.reshape([-1]))
            .view([b, l, h])
            + self.pos_type.narrow(0, 0, l);
        self.emb_norm.apply(&x.view([b * l, h]))
    }

    /// Runs the transformer layers `range` over `x` (`[b*l, hidden]` fp32, as [`LeanBert::embed`]
    /// returns it) and returns their output in the same layout. With `train`, BERT's dropout
    /// (0.1 on attention weights and on each sub-layer's output) is on and every op keeps what
    /// autograd needs; fine-tuning (`crate::tune`) runs the top layers this way.
    pub fn run_layers(
        &self,
        mut x: Tensor,
        attention_mask: &Tensor,
        range: std::ops::Range<usize>,
        train: bool,
    ) -> Tensor {
        let (b, l) = attention_mask
            .size2()
            .expect("attention_mask must be [batch, length]");
        let (h, heads) = (self.hidden, self.heads);
        let d = h / heads;
        const DROPOUT: f64 = 0.1;
        // Additive key mask, broadcast over heads and queries: 0 for real tokens, -10000 for
        // padding (rust-bert's value; its softmax weight is exactly 0 in fp32 and in bf16).
        let mask = ((attention_mask.ones_like() - attention_mask) * -10000.0).view([b, 1, 1, l]);
        // MPNet adds its relative-position bias to the scores of every layer: one additive
        // `[b, heads, l, l]` mask then carries both.
        let mask = match &self.rel_bias {
            Some(bias) => bias.narrow(1, 0, l).narrow(2, 0, l).unsqueeze(0) + mask,
            None => mask,
        }
        .to_kind(self.kind);
        // Mixed precision when `kind` is bf16: the residual stream, the layer norms and the
        // embeddings stay fp32; only the projections (the GEMMs, where AMX pays), attention and GELU
        // run in bf16. Keeping the residual sum in fp32 is what holds the embeddings within
        // cosine 0.99995 of fp32 instead of 0.9998. With fp32, every `to_kind` is a no-op.
        let low = self.kind;
        for layer in &self.layers[range] {
            // [b*l, 3h] -> [3, b, heads, l, d]; q, k and v are strided views, not copies.
            let qkv = layer
                .qkv
                .apply(&x.to_kind(low))
                .view([b, l, 3, heads, d])
                .permute([2, 0, 3, 1, 4]);
            let ctx = Tensor::scaled_dot_product_attention(
                &qkv.get(0),
                &qkv.get(1),
                &qkv.get(2),
                Some(&mask),
                if train { DROPOUT } else { 0.0 },
                false,
                None, // scale: 1/sqrt(d), as BERT's
            );
            drop(qkv);
            // [b, heads, l, d] -> [b*l, h]
            let ctx = ctx.transpose(1, 2).reshape([b * l, h]);
            let a = layer.attn_out.apply(&ctx).to_kind(Kind::Float);
            if train {
                x = layer.attn_norm.apply(&(a.dropout(DROPOUT, true) + &x));
                let inter = match self.gelu {
                    Some(approximate) => layer.inter.apply(&x).gelu(approximate),
                    None => layer.inter.apply(&x).relu(),
                };
                let o = layer.out.apply(&inter).dropout(DROPOUT, true);
                x = layer.out_norm.apply(&(o + &x));
                continue;
            }
            // Inference: the residual adds and the activation run in place.
            let mut a = a;
            let _ = a.g_add_(&x);
            x = layer.attn_norm.apply(&a);
            let mut inter = layer.inter.apply(&x.to_kind(low));
            let _ = match self.gelu {
                Some(approximate) => inter.gelu_(approximate),
                None => inter.relu_(),
            };
            let mut o = layer.out.apply(&inter).to_kind(Kind::Float);
            drop(inter);
            let _ = o.g_add_(&x);
            x = layer.out_norm.apply(&o);
        }
        x
    }

    /// Makes layers `range` trainable: their weights become variables of `root` (copied, fp32),
    /// which an optimiser built on `root`'s var store then updates in place. Returns nothing;
    /// the layers read the variables from then on.
    pub fn make_trainable(&mut self, root: &tch::nn::Path, range: std::ops::Range<usize>) {
        for i in range {
            let layer = &mut self.layers[i];
            let p = root.sub(format!("layer{i}"));
            let var = |name: &str, t: &mut Tensor| {
                *t = p.var_copy(name, &t.to_kind(Kind::Float));
            };
            var("qkv_w", &mut layer.qkv.w);
            var("qkv_b", &mut layer.qkv.b);
            var("attn_out_w", &mut layer.attn_out.w);
            var("attn_out_b", &mut layer.attn_out.b);
            var("attn_norm_w", &mut layer.attn_norm.w);
            var("attn_norm_b", &mut layer.attn_norm.b);
            var("inter_w", &mut layer.inter.w);
            var("inter_b", &mut layer.inter.b);
            var("out_w", &mut layer.out.w);
            var("out_b", &mut layer.out.b);
            var("out_norm_w", &mut layer.out_norm.w);
            var("out_norm_b", &mut layer.out_norm.b);
        }
    }

    /// Layers `range` as checkpoint tensors (`encoder.layer.N.attention.self.query.weight`, ...,
    /// the fused QKV split back), detached fp32 copies: what an overlay file holds.
    pub fn layer_tensors(&self, range: std::ops::Range<usize>) -> Vec<(String, Tensor)> {
        let _guard = tch::no_grad_guard();
        let names = self.arch.layer_names();
        let mut out = vec![];
        for i in range {
            let layer = &self.layers[i];
            let mut put = |name: &str, t: &Tensor| {
                out.push((
                    format!("encoder.layer.{i}.{name}"),
                    t.detach().to_kind(Kind::Float).contiguous(),
                ));
            };
            let w = layer.qkv.w.chunk(3, 0);
            let b = layer.qkv.b.chunk(3, 0);
            for (k, part) in [names.q, names.k, names.v].iter().enumerate() {
                put(&format!("{part}.weight"), &w[k]);
                put(&format!("{part}.bias"), &b[k]);
            }
            put(&format!("{}.weight", names.attn_out), &layer.attn_out.w);
            put(&format!("{}.bias", names.attn_out), &layer.attn_out.b);
            put(&format!("{}.weight", names.attn_norm), &layer.attn_norm.w);
            put(&format!("{}.bias", names.attn_norm), &layer.attn_norm.b);
            put("intermediate.dense.weight", &layer.inter.w);
            put("intermediate.dense.bias", &layer.inter.b);
            put("output.dense.weight", &layer.out.w);
            put("output.dense.bias", &layer.out.b);
            put("output.LayerNorm.weight", &layer.out_norm.w);
            put("output.LayerNorm.bias", &layer.out_norm.b);
        }
        out
    }
}

/// True when this CPU computes bf16 matrix multiplies natively (AVX512-BF16, which every
/// AMX-capable CPU also has), so the bf16 path is faster than fp32 rather than emulated.
pub fn bf16_native() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512bf16")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    /// `mallopt` parameters (malloc.h).
    pub const M_TRIM_THRESHOLD: i32 = -1;
    pub const M_MMAP_THRESHOLD: i32 = -3;

    extern "C" {
        /// `int mallopt(int param, int value)`: 1 on success, 0 on error.
        pub fn mallopt(param: i32, value: i32) -> i32;
        /// `int malloc_trim(size_t pad)`: returns free heap pages (in every arena) to the OS.
        pub fn malloc_trim(pad: usize) -> i32;
    }

    /// Sets both thresholds; true if glibc accepted both.
    pub fn set_thresholds(mmap: i32, trim: i32) -> bool {
        // SAFETY: mallopt only changes the allocator's parameters, under the allocator's own
        // lock, so it is safe to call at any time from any thread.
        unsafe { mallopt(M_MMAP_THRESHOLD, mmap) == 1 && mallopt(M_TRIM_THRESHOLD, trim) == 1 }
    }
}

/// Raises glibc's mmap and trim thresholds so the large per-batch activations are reused instead
/// of being unmapped and faulted in again. Safe to call more than once.
///
/// By default glibc serves each allocation above its mmap threshold (dynamic, at most 32 MiB)
/// with a fresh `mmap`, and unmaps it on `free`; every page is then faulted in and zeroed by the
/// kernel again on the next batch (a `[32*256, 1536]` fp32 FFN activation is 50 MB, 12,800
/// page faults, each time). Freed heap memory above the trim threshold is returned to the OS
/// too. With both thresholds raised, freed activations stay in the heap and the next batch
/// reuses them. The cost: the process keeps up to the peak of one batch's activations (well under
/// 512 MiB) after the encoder is done.
/// A no-op on other platforms.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    glibc::set_thresholds(256 << 20, 512 << 20);
}

/// Returns the heap's free pages to the OS (`malloc_trim`). With the thresholds raised by
/// [`tune_allocator`], freed memory stays mapped, and as batches of new shapes come and go the
/// heap fragments and grows (measured: a 50 MB document crept from 480 to 990 MB). The pipeline
/// calls this before each window of sentences, so the heap holds one window's working set at
/// a time; the encoder's activations are faulted in again once per window (about 4,000
/// sentences), a small cost next to encoding them.
/// A no-op on other platforms.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages, under the allocator's own locks.
    unsafe {
        glibc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_bert::bert::{BertEmbeddings, BertModel};
    use rust_bert::Config;
    use std::time::Instant;
    use tokenizers::{Tokenizer, TruncationParams};

    fn model_dir() -> &'static Path {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/models/minilm"))
    }

    fn config() -> BertConfig {
        BertConfig::from_file(model_dir().join("config.json"))
    }

    fn lean_config() -> EncoderConfig {
        EncoderConfig::from_file(&model_dir().join("config.json")).unwrap()
    }

    /// The encoder's tokenizer settings: truncation at 256, no padding (batches pad themselves).
    fn tokenizer() -> Tokenizer {
        let mut t = Tokenizer::from_file(model_dir().join("tokenizer.json")).unwrap();
        t.with_padding(None);
        t.with_truncation(Some(TruncationParams {
            max_length: 256,
            ..Default::default()
        }))
        .unwrap();
        t
    }

    /// rust-bert's model, loaded as `encode.rs` loads it. The var store must outlive the model.
    fn reference(config: &BertConfig) -> (BertModel<BertEmbeddings>, tch::nn::VarStore) {
        let mut vs = tch::nn::VarStore::new(tch::Device::Cpu);
        let model = BertModel::<BertEmbeddings>::new_with_optional_pooler(vs.root(), config, false);
        vs.load(model_dir().join("model.safetensors")).unwrap();
        vs.freeze();
        (model, vs)
    }

    fn reference_forward(model: &BertModel<BertEmbeddings>, ids: &Tensor, mask: &Tensor) -> Tensor {
        let _guard = tch::no_grad_guard();
        let types = ids.zeros_like();
        model
            .forward_t(
                Some(ids),
                Some(mask),
                Some(&types),
                None,
                None,
                None,
                None,
                false,
            )
            .unwrap()
            .hidden_state
    }

    /// Pads token-id lists into `[b, l]` ids and mask tensors, as `encode.rs` does.
    fn batch(encs: &[Vec<u32>]) -> (Tensor, Tensor) {
        let l = encs.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let mut ids = vec![0i64; encs.len() * l];
        let mut mask = vec![0i64; encs.len() * l];
        for (r, e) in encs.iter().enumerate() {
            for (c, &id) in e.iter().enumerate() {
                ids[r * l + c] = id as i64;
                mask[r * l + c] = 1;
            }
        }
        let shape = [encs.len() as i64, l as i64];
        (
            Tensor::from_slice(&ids).view(shape),
            Tensor::from_slice(&mask).view(shape),
        )
    }

    fn token_ids(tok: &Tokenizer, texts: &[&str]) -> Vec<Vec<u32>> {
        tok.encode_batch(texts.to_vec(), true)
            .unwrap()
            .iter()
            .map(|e| e.get_ids().to_vec())
            .collect()
    }

    /// Largest |a - b| over the real tokens.
    fn max_diff(a: &Tensor, b: &Tensor, mask: &Tensor) -> f64 {
        let real = mask.unsqueeze(-1).to_kind(Kind::Float);
        ((a - b).abs() * real).max().double_value(&[])
    }

    /// Mean pool over real tokens, then unit length (sentence-transformers' embedding).
    fn mean_pool(hidden: &Tensor, mask: &Tensor) -> Tensor {
        let m = mask.unsqueeze(-1).to_kind(Kind::Float);
        let mean = (hidden * &m).sum_dim_intlist([1i64].as_slice(), false, Kind::Float)
            / m.sum_dim_intlist([1i64].as_slice(), false, Kind::Float);
        let norm = mean.norm_scalaropt_dim(2, [1i64].as_slice(), true);
        mean / norm
    }

    /// Row-wise cosines of two sets of unit vectors.
    fn cosines(a: &Tensor, b: &Tensor) -> Tensor {
        (a * b).sum_dim_intlist([1i64].as_slice(), false, Kind::Float)
    }

    /// Real sentences of mixed lengths (3 to ~50 tokens), so the batch has padding.
    const SENTENCES: &[&str] = &[
        "China and the United States should respect each other's core interests.",
        "Win-win cooperation is the only right choice.",
        "The so-called freedom of navigation operations are a pretext for hegemony, military \
         provocation and the suppression and blockading of developing countries, and they \
         undermine regional peace, stability and the security of every nation in the region.",
        "Thanks.",
        "We call on all parties to exercise restraint and resolve disputes through dialogue and \
         consultation.",
    ];

    /// Buckets as Hugging Face's `MPNetEncoder.relative_position_bucket` gives them (printed
    /// from transformers 4.x for 200 tokens): keys after the query, then keys before it.
    #[test]
    fn mpnet_buckets_match_hugging_face() {
        let b = relative_buckets(200, 32, 128);
        let at = [
            0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 199,
        ];
        let after = [
            0, 17, 23, 24, 25, 26, 26, 27, 28, 28, 29, 30, 30, 31, 31, 31,
        ];
        let before = [0, 1, 7, 8, 9, 10, 10, 11, 12, 12, 13, 14, 14, 15, 15, 15];
        for (k, &d) in at.iter().enumerate() {
            assert_eq!(b.int64_value(&[0, d]), after[k], "key {d} after the query");
            assert_eq!(
                b.int64_value(&[d, 0]),
                before[k],
                "key {d} before the query"
            );
        }
    }

    #[test]
    fn fp32_matches_rust_bert() {
        let config = config();
        let (reference, _vs) = reference(&config);
        let lean = LeanBert::load(model_dir(), &lean_config(), false).unwrap();
        let (ids, mask) = batch(&token_ids(&tokenizer(), SENTENCES));
        let want = reference_forward(&reference, &ids, &mask);
        let got = lean.forward(&ids, &mask);
        assert_eq!(got.size(), want.size());
        assert_eq!(got.kind(), Kind::Float);
        let diff = max_diff(&got, &want, &mask);
        eprintln!("fp32 vs rust-bert: max abs diff on real tokens {diff:.2e}");
        assert!(diff < 1e-4, "max abs diff {diff}");
    }

    #[test]
    fn bf16_embeddings_stay_close_to_fp32() {
        let fp32 = LeanBert::load(model_dir(), &lean_config(), false).unwrap();
        let bf16 = LeanBert::load(model_dir(), &lean_config(), true).unwrap();
        let (ids, mask) = batch(&token_ids(&tokenizer(), SENTENCES));
        let got = bf16.forward(&ids, &mask);
        assert_eq!(got.kind(), Kind::Float);
        let cos = cosines(
            &mean_pool(&fp32.forward(&ids, &mask), &mask),
            &mean_pool(&got, &mask),
        );
        let min = cos.min().double_value(&[]);
        eprintln!("bf16 vs fp32 embeddings: min cosine {min:.5}");
        assert!(min >= 0.995, "bf16 cosine {min}");
    }

    #[test]
    fn glibc_accepts_the_thresholds() {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        assert!(glibc::set_thresholds(256 << 20, 512 << 20));
        tune_allocator();
        tune_allocator();
    }

    // ---- Benchmark: cargo test --release --lib bert -- --ignored --nocapture ----
    // Settings: BENCH_N sentences (2000), BENCH_ROUNDS (3), BENCH_THREADS ("1,2"), BENCH_JOIN (1).

    /// glibc's `struct rusage` on 64-bit Linux: two timevals, then 14 longs.
    #[repr(C)]
    #[derive(Default)]
    struct RUsage {
        utime: [i64; 2],
        stime: [i64; 2],
        rest: [i64; 14],
    }

    extern "C" {
        fn getrusage(who: i32, usage: *mut RUsage) -> i32;
    }

    /// (system CPU seconds, minor page faults) of the whole process so far.
    fn sys_and_faults() -> (f64, i64) {
        let mut u = RUsage::default();
        // SAFETY: `RUsage` has the layout of glibc's `struct rusage`; 0 is RUSAGE_SELF.
        unsafe { getrusage(0, &mut u) };
        (u.stime[0] as f64 + u.stime[1] as f64 * 1e-6, u.rest[4])
    }

    /// Puts the allocator back between interleaved variants. glibc's initial state cannot be
    /// restored; this is its steady state on a long run: the dynamic mmap threshold grows to at
    /// most 32 MiB and the trim threshold to twice that. So the untuned numbers are, if
    /// anything, slightly flattered.
    fn untune_allocator() {
        assert!(glibc::set_thresholds(32 << 20, 64 << 20));
    }

    /// `BENCH_N` real sentences: train.csv's `text` column, topped up from test.csv and
    /// candidates.csv (train.csv alone has ~1,100).
    fn bench_sentences(n: usize) -> Vec<String> {
        let mut out = Vec::new();
        for f in ["train.csv", "test.csv", "candidates.csv"] {
            let path = format!("{}/datasets/framing/{f}", env!("CARGO_MANIFEST_DIR"));
            let Ok(mut r) = csv::Reader::from_path(&path) else {
                continue;
            };
            let Some(col) = r.headers().unwrap().iter().position(|c| c == "text") else {
                continue;
            };
            out.extend(r.records().map(|x| x.unwrap()[col].to_string()));
        }
        out.truncate(n);
        out
    }

    fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }

    fn median(mut v: Vec<f64>) -> f64 {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    }

    type Forward<'a> = &'a dyn Fn(&Tensor, &Tensor) -> Tensor;

    struct Variant<'a> {
        name: &'static str,
        threads: i32,
        tuned: bool,
        forward: Forward<'a>,
    }

    /// Seconds, system seconds and minor faults of one variant over one round.
    #[derive(Clone, Copy, Default)]
    struct Cost {
        secs: f64,
        sys: f64,
        faults: i64,
    }

    /// Runs every variant on every batch, rotating which goes first from batch to batch, so all
    /// variants see the same (shared, noisy) machine. Returns each variant's cost per round.
    fn interleaved(
        variants: &[Variant],
        batches: &[(Tensor, Tensor)],
        rounds: usize,
    ) -> Vec<Vec<Cost>> {
        let nv = variants.len();
        let set_up = |v: &Variant| {
            tch::set_num_threads(v.threads);
            if v.tuned {
                tune_allocator()
            } else {
                untune_allocator()
            }
        };
        for v in variants {
            set_up(v);
            for (ids, mask) in [&batches[0], &batches[batches.len() - 1]] {
                let _ = (v.forward)(ids, mask);
            }
        }
        let mut out = vec![vec![]; nv];
        for round in 0..rounds {
            let mut acc = vec![Cost::default(); nv];
            for (bi, (ids, mask)) in batches.iter().enumerate() {
                for k in 0..nv {
                    let vi = (bi + k + round) % nv;
                    set_up(&variants[vi]);
                    let (sys0, faults0) = sys_and_faults();
                    let t = Instant::now();
                    let _ = (variants[vi].forward)(ids, mask);
                    let secs = t.elapsed().as_secs_f64();
                    let (sys1, faults1) = sys_and_faults();
                    acc[vi].secs += secs;
                    acc[vi].sys += sys1 - sys0;
                    acc[vi].faults += faults1 - faults0;
                }
            }
            for (vi, c) in acc.into_iter().enumerate() {
                let v = &variants[vi];
                eprintln!(
                    "  round {round}: {:<22} {}t {:7.2}s",
                    v.name, v.threads, c.secs
                );
                out[vi].push(c);
            }
        }
        out
    }

    /// Writing layers out and loading them back as an overlay reproduces the model exactly, and
    /// the layer-range forward equals the whole forward.
    #[test]
    fn layer_overlay_round_trips() {
        let model = LeanBert::load(model_dir(), &lean_config(), false).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("layers.safetensors");
        let tensors = model.layer_tensors(4..6);
        assert_eq!(tensors.len(), 2 * 16);
        let refs: Vec<(&str, &Tensor)> = tensors.iter().map(|(n, t)| (n.as_str(), t)).collect();
        Tensor::write_safetensors(&refs, &path).unwrap();
        let again =
            LeanBert::load_with_overlay(model_dir(), &lean_config(), false, Some(&path)).unwrap();
        let (ids, mask) = batch(&token_ids(
            &tokenizer(),
            &[
                "The United States is suppressing and blockading China.",
                "Win-win.",
            ],
        ));
        let whole = model.forward(&ids, &mask);
        assert_eq!(max_diff(&whole, &again.forward(&ids, &mask), &mask), 0.0);
        let _guard = tch::no_grad_guard();
        let lower = model.run_layers(model.embed(&ids), &mask, 0..4, false);
        let split = model
            .run_layers(lower, &mask, 4..6, false)
            .view([2, -1, 384]);
        assert!(max_diff(&whole, &split, &mask) < 1e-6);
        // A tensor the checkpoint does not have is refused.
        let bad = dir.path().join("bad.safetensors");
        Tensor::write_safetensors(
            &[("encoder.layer.9.output.dense.bias", &tensors[0].1)],
            &bad,
        )
        .unwrap();
        assert!(
            LeanBert::load_with_overlay(model_dir(), &lean_config(), false, Some(&bad)).is_err()
        );
    }

    /// MPNet's layers written out under their own checkpoint names load back as an overlay
    /// (what `framescore tune --encoder models/mpnet` ships), and its bf16 path (where the
    /// relative-position bias rides in the bf16 attention mask) stays close to fp32.
    #[test]
    fn mpnet_overlay_round_trips_and_bf16_stays_close() {
        let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/models/mpnet"));
        let config = EncoderConfig::from_file(&dir.join("config.json")).unwrap();
        assert!(matches!(
            config.arch,
            ArchKind::Mpnet {
                buckets: 32,
                pad_id: 1
            }
        ));
        let model = LeanBert::load(dir, &config, false).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("layers.safetensors");
        let tensors = model.layer_tensors(11..12);
        assert!(tensors
            .iter()
            .any(|(n, _)| n == "encoder.layer.11.attention.attn.q.weight"));
        let refs: Vec<(&str, &Tensor)> = tensors.iter().map(|(n, t)| (n.as_str(), t)).collect();
        Tensor::write_safetensors(&refs, &path).unwrap();
        let again = LeanBert::load_with_overlay(dir, &config, false, Some(&path)).unwrap();
        let mut tok = Tokenizer::from_file(dir.join("tokenizer.json")).unwrap();
        tok.with_padding(None);
        let (ids, mask) = batch(&token_ids(&tok, SENTENCES));
        let whole = model.forward(&ids, &mask);
        assert_eq!(max_diff(&whole, &again.forward(&ids, &mask), &mask), 0.0);
        let bf16 = LeanBert::load(dir, &config, true).unwrap();
        let cos = cosines(
            &mean_pool(&whole, &mask),
            &mean_pool(&bf16.forward(&ids, &mask), &mask),
        );
        let min = cos.min().double_value(&[]);
        eprintln!("mpnet bf16 vs fp32 embeddings: min cosine {min:.5}");
        assert!(min >= 0.995, "bf16 cosine {min}");
    }

    #[test]
    #[ignore = "benchmark: minutes; run with --ignored --nocapture"]
    fn encoder_speed() {
        let n: usize = env_or("BENCH_N", 2000);
        let rounds: usize = env_or("BENCH_ROUNDS", 3);
        let threads: Vec<i32> = env_or("BENCH_THREADS", "1,2".to_string())
            .split(',')
            .map(|t| t.trim().parse().unwrap())
            .collect();
        let config = config();
        let (reference, _vs) = reference(&config);
        let fp32 = LeanBert::load(model_dir(), &lean_config(), false).unwrap();
        let bf16 = LeanBert::load(model_dir(), &lean_config(), true).unwrap();
        // BENCH_JOIN=k joins every k sentences into one text: long inputs (up to the 256-token
        // truncation), where the activations outgrow glibc's default mmap threshold.
        let join: usize = env_or("BENCH_JOIN", 1).max(1);
        let texts: Vec<String> = bench_sentences(n)
            .chunks(join)
            .map(|c| c.join(" "))
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let mut encs = token_ids(&tokenizer(), &refs);
        encs.sort_by_key(Vec::len);
        let tokens: usize = encs.iter().map(Vec::len).sum();
        let batches: Vec<(Tensor, Tensor)> = encs.chunks(32).map(batch).collect();
        eprintln!(
            "{} texts, {tokens} tokens, {} batches of 32 sorted by length, longest {} tokens",
            encs.len(),
            batches.len(),
            encs.last().map_or(0, Vec::len)
        );

        // Accuracy over the whole set, before timing.
        tch::set_num_threads(threads.iter().copied().max().unwrap_or(1));
        let (mut diff, mut cos_ref, mut cos_bf16) = (0f64, vec![], vec![]);
        for (ids, mask) in &batches {
            let want = reference_forward(&reference, ids, mask);
            let lean = fp32.forward(ids, mask);
            diff = diff.max(max_diff(&lean, &want, mask));
            let lean_emb = mean_pool(&lean, mask);
            cos_ref.push(cosines(&lean_emb, &mean_pool(&want, mask)));
            cos_bf16.push(cosines(
                &lean_emb,
                &mean_pool(&bf16.forward(ids, mask), mask),
            ));
        }
        let stats = |c: &[Tensor]| {
            let c = Tensor::cat(c, 0);
            (
                c.min().double_value(&[]),
                c.mean(Kind::Float).double_value(&[]),
            )
        };
        let (rmin, rmean) = stats(&cos_ref);
        let (bmin, bmean) = stats(&cos_bf16);
        eprintln!("fp32 lean vs rust-bert: max abs diff {diff:.2e}, embedding cosine min {rmin:.6} mean {rmean:.6}");
        eprintln!("bf16 lean vs fp32 lean: embedding cosine min {bmin:.5} mean {bmean:.5}");

        let rust_bert = |i: &Tensor, m: &Tensor| reference_forward(&reference, i, m);
        let lean32 = |i: &Tensor, m: &Tensor| fp32.forward(i, m);
        let lean16 = |i: &Tensor, m: &Tensor| bf16.forward(i, m);
        let mut variants = vec![];
        for &t in &threads {
            let v = |name, tuned, forward| Variant {
                name,
                threads: t,
                tuned,
                forward,
            };
            variants.push(v("rust-bert fp32", false, &rust_bert as Forward));
            variants.push(v("lean fp32", false, &lean32));
            variants.push(v("lean fp32 + tune", true, &lean32));
            variants.push(v("lean bf16", false, &lean16));
            variants.push(v("lean bf16 + tune", true, &lean16));
        }
        let costs = interleaved(&variants, &batches, rounds);
        let rate = |c: &[Cost]| encs.len() as f64 / median(c.iter().map(|c| c.secs).collect());
        eprintln!("\nmedian of {rounds} rounds, {} texts:", encs.len());
        eprintln!(
            "{:<22} threads  texts/s vs rust-bert  sys s/round  minor faults/round",
            "variant"
        );
        for (v, c) in variants.iter().zip(&costs) {
            let base = variants
                .iter()
                .zip(&costs)
                .find(|(b, _)| b.threads == v.threads && b.name == "rust-bert fp32")
                .map(|(_, c)| rate(c))
                .unwrap();
            eprintln!(
                "{:<22} {:>7} {:>7.1} {:>11.2}x {:>12.2} {:>19}",
                v.name,
                v.threads,
                rate(c),
                rate(c) / base,
                median(c.iter().map(|c| c.sys).collect()),
                median(c.iter().map(|c| c.faults as f64).collect()),
            );
        }
        tune_allocator();
    }
}
