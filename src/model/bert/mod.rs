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
    /// The weight quantised to int8 ([`LeanBert::quantize_int8`]); `apply` then runs fbgemm's
    /// int8 GEMM instead of the fp32 one.
    int8: Option<Int8Weight>,
}

impl Linear {
    fn new(w: Tensor, b: Tensor) -> Linear {
        Linear { w, b, int8: None }
    }

    fn apply(&self, x: &Tensor) -> Tensor {
        match &self.int8 {
            Some(q) => q.apply(x, &self.b),
            None => x.linear(&self.w, Some(&self.b)),
        }
    }
}

/// An fp32 weight `[out, in]` as int8 with one scale per output row (per-channel: a row with
/// small weights keeps its precision beside one with large ones), for fbgemm's int8 GEMM with
/// fp32 activations (quantised per call, per tensor, to uint8). fbgemm's kernel takes one weight
/// scale, so the rows are quantised at scale 1 after dividing each by its own scale, and the
/// output columns are multiplied back: `y = (x . q^T) * scale + b`.
struct Int8Weight {
    /// `[out, in]` int8: fbgemm reads only its shape; the values live in `packed`.
    q: Tensor,
    packed: Tensor,
    /// `[out]` int32: each row's sum of `q` (the zero point is 0), which fbgemm needs to undo
    /// the activations' zero point.
    col_offsets: Tensor,
    /// `[out]` fp32: each row's scale.
    scale: Tensor,
    /// `[out]` zeros: the kernel adds a bias, which comes after rescaling here.
    zero: Tensor,
    /// `[in]`: what each input channel is multiplied by before quantisation (the inverse of
    /// the SmoothQuant factor folded into the weight's columns), if smoothed.
    smooth: Option<Tensor>,
}

impl Int8Weight {
    /// `smooth`: per input channel, the factor the weight's column is multiplied by and the
    /// activation divided by.
    fn new(w: &Tensor, smooth: Option<Tensor>) -> Int8Weight {
        let w = w.to_kind(Kind::Float);
        let w = match &smooth {
            Some(s) => &w * s.unsqueeze(0),
            None => w,
        };
        let scale = (w.abs().amax([1], true) / 127.0).clamp_min(1e-12);
        let q = (&w / &scale)
            .round()
            .clamp(-127.0, 127.0)
            .to_kind(Kind::Int8)
            .contiguous();
        let packed = q.fbgemm_pack_quantized_matrix();
        let col_offsets = q.sum_dim_intlist([1].as_slice(), false, Kind::Int);
        let out = w.size()[0];
        Int8Weight {
            packed,
            col_offsets,
            scale: scale.view([out]),
            zero: Tensor::zeros([out], (Kind::Float, Device::Cpu)),
            smooth: smooth.map(|s| s.reciprocal()),
            q,
        }
    }

    fn apply(&self, x: &Tensor, b: &Tensor) -> Tensor {
        let x = x.to_kind(Kind::Float);
        let x = match &self.smooth {
            Some(inv) => x * inv,
            None => x,
        };
        let mut y = x.fbgemm_linear_int8_weight_fp32_activation(
            &self.q,
            &self.packed,
            &self.col_offsets,
            tch::Scalar::float(1.0),
            tch::Scalar::int(0),
            &self.zero,
        );
        let _ = y.g_mul_(&self.scale);
        let _ = y.g_add_(b);
        y
    }
}

/// SmoothQuant's migration strength for the QKV, attention-output and FFN-up projections: chosen
/// on 1,000 benchmark sentences with all-MiniLM-L6-v2 (embedding cosine to fp32: 0.5 gave mean
/// 0.99916 with the down-projection in fp32; 0.6 with [`ALPHA_FFN_DOWN`] 0.85 gave mean 0.99739,
/// min 0.99283 with every projection in int8).
const ALPHA: f64 = 0.6;

/// The same for the FFN down-projection: 0 (no smoothing) gave min cosine 0.989, 0.5 gave 0.963,
/// 0.75 0.992, 0.85 0.992-0.993, 0.95 0.975.
const ALPHA_FFN_DOWN: f64 = 0.85;

/// Which projections of a layer [`LeanBert::quantize_int8`] turns into int8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Int8Scope {
    pub qkv: bool,
    pub attn_out: bool,
    pub inter: bool,
    pub out: bool,
}

impl Int8Scope {
    pub const ALL: Int8Scope = Int8Scope {
        qkv: true,
        attn_out: true,
        inter: true,
        out: true,
    };

    /// What `--precision int8` quantises in `layer`: every projection, except the FFN
    /// down-projection after the first [`INT8_FFN_DOWN_LAYERS`] layers. Its inputs (GELU
    /// outputs) hold the widest outliers: quantised in every layer, long UN sentences fell to
    /// embedding cosine 0.982 against fp32; in the first layer only, 0.9947 (4,269 sentences),
    /// at 1.5-1.7x fp32's encoder speed instead of 2.2x.
    pub fn shipped(layer: usize) -> Int8Scope {
        Int8Scope {
            out: layer < INT8_FFN_DOWN_LAYERS,
            ..Int8Scope::ALL
        }
    }
}

/// How many of the first layers run their FFN down-projection in int8 ([`Int8Scope::shipped`]).
const INT8_FFN_DOWN_LAYERS: usize = 1;

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

/// Per (layer, projection), each input channel's largest |activation| on the calibration
/// sentences (see [`LeanBert::activation_ranges`]).
pub type ActivationRanges = HashMap<(usize, usize), Tensor>;

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
                Ok(Linear::new(
                    t(&format!("{name}.weight"))?.to_kind(kind),
                    t(&format!("{name}.bias"))?.to_kind(kind),
                ))
            };
            let (q, k, v) = (lin(names.q)?, lin(names.k)?, lin(names.v)?);
            let qkv = Linear::new(
                Tensor::cat(&[q.w, k.w, v.w], 0),
                Tensor::cat(&[q.b, k.b, v.b], 0),
            );
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
    /// autograd needs; fine-tuning (`crate::learn::tune`) runs the top layers this way.
    pub fn run_layers(
        &self,
        x: Tensor,
        attention_mask: &Tensor,
        range: std::ops::Range<usize>,
        train: bool,
    ) -> Tensor {
        self.run_layers_observed(x, attention_mask, range, train, &mut |_, _, _| {})
    }

    /// [`LeanBert::run_layers`], calling `observe(layer, projection, input)` with the input of
    /// each projection at inference (projection 0: QKV, 1: attention output, 2: FFN up, 3: FFN
    /// down): how [`LeanBert::quantize_int8`] measures activation ranges.
    fn run_layers_observed(
        &self,
        mut x: Tensor,
        attention_mask: &Tensor,
        range: std::ops::Range<usize>,
        train: bool,
        observe: &mut dyn FnMut(usize, usize, &Tensor),
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
        for (i, layer) in range.clone().zip(&self.layers[range]) {
            if !train {
                observe(i, 0, &x);
            }
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
            if !train {
                observe(i, 1, &ctx);
            }
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
            observe(i, 2, &x);
            let mut inter = layer.inter.apply(&x.to_kind(low));
            let _ = match self.gelu {
                Some(approximate) => inter.gelu_(approximate),
                None => inter.relu_(),
            };
            observe(i, 3, &inter);
            let mut o = layer.out.apply(&inter).to_kind(Kind::Float);
            drop(inter);
            let _ = o.g_add_(&x);
            x = layer.out_norm.apply(&o);
        }
        x
    }

    /// Runs the projections `scope(layer)` names in layers `range` as int8 GEMMs (fbgemm, per-channel
    /// weights, activations quantised per call); the others stay as they are. For fp32 models
    /// only: on CPUs without native bf16, int8 is the fast path. The quantised projections drop
    /// their fp32 weights, so such a model cannot be fine-tuned or written out.
    ///
    /// A few input channels of a transformer's projections carry values many times larger than
    /// the rest, and one activation scale per call must cover them, which costs the others their
    /// precision. So the activation ranges are measured once, on `calibration` batches (token
    /// ids and mask), and each channel's range is shared between activation and weight
    /// (SmoothQuant): the activation is divided by `s_j = max|x_j|^a / max|w_j|^(1-a)` and the
    /// weight's column multiplied by it, which leaves the product unchanged in exact arithmetic
    /// and evens out the ranges both sides are quantised over. `a` is [`ALPHA`], and
    /// [`ALPHA_FFN_DOWN`] for the FFN's down-projection, whose GELU inputs have the widest
    /// outliers (measured: see `tests::int8_variants` and the README's Performance section).
    pub fn quantize_int8(
        &mut self,
        range: std::ops::Range<usize>,
        scope: impl Fn(usize) -> Int8Scope,
        calibration: &[(Tensor, Tensor)],
    ) {
        let amax = self.activation_ranges(calibration);
        self.quantize_int8_ranged(range, scope, &amax);
    }

    /// Per layer and projection (0 QKV, 1 attention output, 2 FFN up, 3 FFN down), each input
    /// channel's largest |value| over the `calibration` batches: what
    /// [`LeanBert::quantize_int8_ranged`] evens the weights and activations out with. Measured
    /// in this model's precision (fp32 for the int8 path).
    pub fn activation_ranges(&self, calibration: &[(Tensor, Tensor)]) -> ActivationRanges {
        let _guard = tch::no_grad_guard();
        let mut amax: ActivationRanges = HashMap::new();
        for (ids, mask) in calibration {
            let x = self.embed(ids);
            let (b, l) = mask.size2().expect("[b, l]");
            let x = x.view([b * l, self.hidden]);
            let mut record = |i: usize, p: usize, t: &Tensor| {
                let m = t.to_kind(Kind::Float).abs().amax([0].as_slice(), false);
                amax.entry((i, p))
                    .and_modify(|a| *a = a.maximum(&m))
                    .or_insert(m);
            };
            let _ = self.run_layers_observed(x, mask, 0..self.layers.len(), false, &mut record);
        }
        amax
    }

    /// [`LeanBert::quantize_int8`] with activation ranges measured before (by
    /// [`LeanBert::activation_ranges`], or read from the file beside the tuned layers).
    pub fn quantize_int8_ranged(
        &mut self,
        range: std::ops::Range<usize>,
        scope: impl Fn(usize) -> Int8Scope,
        amax: &ActivationRanges,
    ) {
        let _guard = tch::no_grad_guard();
        for i in range {
            let scope = scope(i);
            let layer = &mut self.layers[i];
            for (p, on, lin) in [
                (0, scope.qkv, &mut layer.qkv),
                (1, scope.attn_out, &mut layer.attn_out),
                (2, scope.inter, &mut layer.inter),
                (3, scope.out, &mut layer.out),
            ] {
                if on {
                    let alpha = if p == 3 { ALPHA_FFN_DOWN } else { ALPHA };
                    let smooth = amax.get(&(i, p)).map(|a| {
                        let w = lin.w.to_kind(Kind::Float).abs().amax([0].as_slice(), false);
                        (a.clamp_min(1e-5).pow_tensor_scalar(alpha)
                            / w.clamp_min(1e-5).pow_tensor_scalar(1.0 - alpha))
                        .clamp(1e-2, 1e2)
                    });
                    lin.int8 = Some(Int8Weight::new(&lin.w, smooth));
                    // The fp32 weight is no longer read (a quantised model is not trained).
                    lin.w = Tensor::new();
                }
            }
        }
    }

    /// Keeps only the layers `keep` (ascending checkpoint indices), in that order: the start of
    /// a distilled student (`framescore distill`), whose layer `k` begins as layer `keep[k]`.
    pub fn keep_layers(&mut self, keep: &[usize]) -> Result<()> {
        if keep.is_empty()
            || keep.windows(2).any(|w| w[0] >= w[1])
            || keep.last().is_some_and(|&l| l >= self.layers.len())
        {
            bail!(
                "layers to keep must be ascending indices below {}, got {keep:?}",
                self.layers.len()
            );
        }
        let mut old: Vec<Option<Layer>> = std::mem::take(&mut self.layers)
            .into_iter()
            .map(Some)
            .collect();
        self.layers = keep
            .iter()
            .map(|&i| old[i].take().expect("ascending, so each once"))
            .collect();
        Ok(())
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
mod tests;
