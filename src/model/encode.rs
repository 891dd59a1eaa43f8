//! Stage: sentence encoder. all-MiniLM-L6-v2 on libtorch (a lean BERT forward, [`crate::model::bert`],
//! numerically equal to rust-bert's `BertModel`), with the Hugging Face tokenizer, reproducing
//! sentence-transformers' output (mean pooling over the attention mask, then L2 normalisation).
//!
//! Callers hand it every sentence of a chunk of the corpus at once: it sorts them by token length
//! so that each batch holds sentences of similar length (padding is wasted work: 2.75x on this
//! corpus when unsorted), runs the batches without autograd, and returns rows in the input order.

use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use tch::{Device, Kind, Tensor};
use tokenizers::{Encoding, Tokenizer, TruncationParams};

use crate::model::bert::{tune_allocator, EncoderConfig, LeanBert};
use crate::model::int8_ranges;

/// Files the encoder folder must hold (fetched by `scripts/setup.sh`).
pub const FILES: &[&str] = &["config.json", "model.safetensors", "tokenizer.json"];

/// Default number of sentences per forward pass (32 measured fastest on a 2-core CPU).
pub const DEFAULT_BATCH: usize = 32;

/// Most tokens (sentences x padded length) in one forward pass: 32 sentences of 64 tokens, twice
/// the mean news sentence. Longer sentences go in smaller batches, so the largest activations
/// (attention scores grow with batch x length^2) are bounded by this budget rather than by the
/// longest sentences a corpus happens to hold. Peak memory then no longer depends on the corpus:
/// a batch of 32 sentences of 256 tokens needs 100 MB for one layer's attention scores alone,
/// 8 such sentences a quarter of it, and the matrices are still large enough to run at full speed.
pub const MAX_BATCH_TOKENS: usize = 2048;

/// The card `framescore tune` and `framescore distill` write beside the tuned layers file.
pub const TUNED_CARD: &str = "tuned.json";

/// How many layers the encoder has when its tuned layers are a distilled student's (the card's
/// `depth`: the checkpoint's first layers, then the student's own), or `None` for layers tuned
/// in place (the checkpoint's depth) or without a card.
pub fn student_depth(layers: &Path) -> Result<Option<i64>> {
    /// The one field of the card this needs.
    #[derive(Deserialize)]
    struct Card {
        depth: Option<i64>,
    }
    let card = layers.with_file_name(TUNED_CARD);
    if !card.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&card)
        .with_context(|| format!("cannot read {}", card.display()))?;
    let card: Card = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a tuned-layers card", card.display()))?;
    Ok(card.depth)
}

#[derive(Deserialize)]
struct SentenceBertConfig {
    max_seq_length: usize,
}

/// A head that reads every token's final state, such as the loaded-term tagger: the encoder
/// hands it the states of each batch in the pass that also yields the sentence embeddings, so the
/// encoder needs to know nothing about what the head is.
pub trait TokenHead {
    /// Per-token probabilities `[b, l]` from token states `[b, l, hidden]` and the attention mask
    /// `[b, l]`.
    fn token_probs(&self, hidden: &Tensor, mask: &Tensor) -> Tensor;
}

/// A head that reads the token states of given spans of each text, such as the stance head on
/// actor mentions: like a [`TokenHead`], it rides on the pass that yields the embeddings.
pub trait SpanHead {
    /// One probability row per mention (`[n, k]`), from token states `[b, l, hidden]`, the
    /// attention mask `[b, l]` and each mention's (batch row, token range).
    fn span_probs(&self, hidden: &Tensor, mask: &Tensor, mentions: &[MentionTokens]) -> Tensor;
}

/// Which tokens of a batch row one span covers: (row of the batch, token range).
pub type MentionTokens = (i64, Range<i64>);

/// The tokens of `encoding` that overlap the byte range `span` of its text (special tokens left
/// out): `None` when the span was cut off by the encoder's length limit.
pub fn mention_tokens(encoding: &Encoding, span: &Range<usize>) -> Option<Range<i64>> {
    let mut hit = encoding
        .get_offsets()
        .iter()
        .zip(encoding.get_special_tokens_mask())
        .enumerate()
        .filter(|(_, (o, &special))| {
            special == 0 && o.1 > o.0 && o.0 < span.end && o.1 > span.start
        })
        .map(|(k, _)| k as i64);
    let first = hit.next()?;
    let last = hit.next_back().unwrap_or(first);
    Some(first..last + 1)
}

/// Spans to classify in a pass: the head, and per text the byte ranges of its spans.
pub type SpanRequest<'a> = (&'a dyn SpanHead, &'a [Vec<Range<usize>>]);

/// What one pass with heads yields.
pub struct Pass {
    pub embeddings: Embeddings,
    /// Per text, its tokens' probabilities from the token head (empty without one).
    pub tokens: Vec<Vec<TokenProb>>,
    /// Per text, per requested span, the span head's probabilities (`None`: the span lies
    /// beyond the encoder's length limit); empty without a span request.
    pub spans: Vec<Vec<Option<Vec<f32>>>>,
}

/// The loaded encoder. Holds the weights for its lifetime; cheap to share by reference.
pub struct Encoder {
    model: LeanBert,
    tokenizer: Tokenizer,
    batch_size: usize,
    /// Batches pad to a multiple of this many tokens: [`BF16_PAD_MULTIPLE`] in bf16, else 1.
    pad_multiple: usize,
    /// Batch shapes that depend on each sentence alone ([`Encoder::set_fixed_shapes`]).
    fixed_shapes: bool,
    dir: PathBuf,
    /// The fine-tuned layers file applied on top of the checkpoint, if any.
    layers: Option<PathBuf>,
    /// Whether the projections run as int8 GEMMs ([`Encoder::quantize_int8`]).
    int8: bool,
}

/// What one encoder pass yields per sentence, one row each, in the order given.
pub struct Embeddings {
    /// `[n, hidden]` (384 for MiniLM, 768 for MPNet): the sentence embedding, exactly
    /// sentence-transformers' (mean-pooled over the tokens, unit length). For similarity and
    /// clustering.
    pub matrix: Tensor,
    /// `[n, 2 * hidden]`: what the heads read, the sentence embedding followed by the unit-length
    /// max-pool of the token states. Max pooling keeps a strong single cue ("blockading") that the
    /// mean dilutes; on the frame test split it raised macro-F1 from 0.773 to 0.780.
    pub features: Tensor,
}

impl Encoder {
    /// Loads the model from `dir` (a sentence-transformers folder: config.json, model.safetensors,
    /// tokenizer.json, and optionally sentence_bert_config.json for the maximum length).
    pub fn load(dir: &Path, batch_size: usize) -> Result<Encoder> {
        Encoder::load_with(dir, batch_size, false)
    }

    /// As [`Encoder::load`]; `bf16` runs the matrix multiplies in bfloat16 (AMX on recent Intel
    /// CPUs): 2.5-3x faster, embeddings within cosine 0.9999 of fp32.
    pub fn load_with(dir: &Path, batch_size: usize, bf16: bool) -> Result<Encoder> {
        Encoder::load_tuned(dir, batch_size, bf16, None)
    }

    /// As [`Encoder::load_with`], with the fine-tuned layers in `layers` (a safetensors file
    /// written by `framescore tune`) replacing the checkpoint's.
    pub fn load_tuned(
        dir: &Path,
        batch_size: usize,
        bf16: bool,
        layers: Option<&Path>,
    ) -> Result<Encoder> {
        for f in FILES {
            if !dir.join(f).is_file() {
                bail!(
                    "the encoder is missing {} in {}; run scripts/setup.sh (it installs all-MiniLM-L6-v2 \
                     into models/minilm; `scripts/setup.sh --mpnet` adds all-mpnet-base-v2 in \
                     models/mpnet) or pass --encoder DIR",
                    f,
                    dir.display()
                );
            }
        }
        let mut config = EncoderConfig::from_file(&dir.join("config.json"))?;
        if let Some(depth) = layers.map(student_depth).transpose()?.flatten() {
            if depth == 0 || depth > config.num_hidden_layers {
                bail!(
                    "{} says its layers make a {depth}-layer encoder, but {} has {} layers",
                    layers
                        .map(|l| l.with_file_name(TUNED_CARD))
                        .unwrap_or_default()
                        .display(),
                    dir.display(),
                    config.num_hidden_layers
                );
            }
            // A distilled student: the checkpoint's first layers, then its own (the overlay).
            config.num_hidden_layers = depth;
        }
        let max_len = match read_json::<SentenceBertConfig>(&dir.join("sentence_bert_config.json"))
        {
            Ok(c) => c.max_seq_length,
            Err(_) => 256,
        };
        // Keep the per-batch activations in the heap instead of mmap/munmap per op.
        tune_allocator();
        let model = LeanBert::load_with_overlay(dir, &config, bf16, layers)?;
        // Never longer than the position embeddings reach (MPNet's start after the padding
        // index, so it covers 512 of its 514).
        let max_len = max_len.min(model.max_positions().max(1) as usize);
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json")).map_err(|e| {
            anyhow::anyhow!("cannot read {}: {e}", dir.join("tokenizer.json").display())
        })?;
        // We pad each batch ourselves to its own longest sentence, so the file's fixed padding is off.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_len,
                ..Default::default()
            }))
            .map_err(|e| anyhow::anyhow!("tokenizer truncation: {e}"))?;
        Ok(Encoder {
            model,
            tokenizer,
            batch_size: batch_size.max(1),
            pad_multiple: if bf16 { BF16_PAD_MULTIPLE } else { 1 },
            fixed_shapes: false,
            dir: dir.to_path_buf(),
            layers: layers.map(Path::to_path_buf),
            int8: false,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Runs every sentence in a batch whose shape depends on its own length alone (lengths
    /// padded to a multiple of [`FIXED_BUCKET`] tokens, a fixed number of rows per length), so
    /// its numbers do not depend on which other sentences share its batch: the same sentence
    /// scores the same to the last bit however the corpus is split into runs or shards.
    /// Matrix kernels sum in an order that depends on the matrix shape, so without it a
    /// probability can differ in its fourth decimal between two runs that batch differently.
    /// Costs some speed (more padding).
    pub fn set_fixed_shapes(&mut self, on: bool) {
        self.fixed_shapes = on;
    }

    /// Whether the matrix multiplies run in bfloat16.
    pub fn is_bf16(&self) -> bool {
        self.pad_multiple == BF16_PAD_MULTIPLE
    }

    /// Runs the projections as int8 GEMMs (fbgemm, per-channel weights, SmoothQuant-calibrated
    /// on the bundled calibration sentences, activations quantised per call): the fast path on
    /// CPUs without native bf16. Every projection of every layer except the FFN
    /// down-projection after the first layer. Only for an fp32 encoder; the tuned layers are
    /// quantised like the rest.
    ///
    /// The activation ranges come from the file `framescore tune` writes beside the tuned
    /// layers ([`int8_ranges`]) when it matches these weights; otherwise they are measured on the
    /// calibration sentences here (1.2 s on 2 cores for the fast set).
    pub fn quantize_int8(&mut self) -> Result<()> {
        let n = self.model.num_layers();
        let stored = self
            .int8_ranges_file()
            .and_then(|(path, fingerprint)| int8_ranges::read(&path, &fingerprint));
        let ranges = match stored {
            Some(r) => r,
            None => self.measure_int8_ranges()?,
        };
        self.model
            .quantize_int8_ranged(0..n, crate::model::bert::Int8Scope::shipped, &ranges);
        self.int8 = true;
        Ok(())
    }

    /// Measures the int8 path's activation ranges on the calibration sentences and writes them
    /// beside the tuned layers, so later int8 runs skip the measurement; returns the file.
    /// For an fp32 encoder with tuned layers (what `framescore tune` just wrote).
    pub fn write_int8_ranges(&self) -> Result<PathBuf> {
        let Some((path, fingerprint)) = self.int8_ranges_file() else {
            bail!("int8 ranges are stored beside tuned layers, and this encoder has none");
        };
        if self.int8 || self.is_bf16() {
            bail!("int8 ranges are measured on the fp32 encoder");
        }
        int8_ranges::write(&path, &fingerprint, &self.measure_int8_ranges()?)?;
        Ok(path)
    }

    /// Whether the int8 path will read its activation ranges from the file beside the tuned
    /// layers (it exists and matches these weights) instead of measuring them.
    pub fn has_stored_int8_ranges(&self) -> bool {
        self.int8_ranges_file()
            .is_some_and(|(path, fingerprint)| int8_ranges::read(&path, &fingerprint).is_some())
    }

    /// The tuned layers' ranges file and the fingerprint it must carry, if there are tuned layers.
    fn int8_ranges_file(&self) -> Option<(PathBuf, String)> {
        let layers = self.layers.as_deref()?;
        let checkpoint = self.dir.join("model.safetensors");
        // A student's ranges hold only its layers: its depth is part of what they were
        // measured on (the layers file alone does not say it; its card does).
        let calibration = match student_depth(layers).ok().flatten() {
            Some(depth) => std::borrow::Cow::Owned(format!("{CALIBRATION}\n# depth {depth}")),
            None => std::borrow::Cow::Borrowed(CALIBRATION),
        };
        let fingerprint = int8_ranges::fingerprint(&checkpoint, layers, &calibration).ok()?;
        Some((int8_ranges::path_for(layers), fingerprint))
    }

    fn measure_int8_ranges(&self) -> Result<crate::model::bert::ActivationRanges> {
        let texts: Vec<&str> = CALIBRATION
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .collect();
        let encodings = self.tokenize(&texts)?;
        let batches: Vec<(Tensor, Tensor)> = encodings
            .chunks(32)
            .map(|c| pad_batch(&c.iter().collect::<Vec<_>>(), 1))
            .collect();
        Ok(self.model.activation_ranges(&batches))
    }

    /// The arithmetic of the projections, as `run.json` records it: `bf16`, `int8` or `fp32`.
    pub fn precision(&self) -> &'static str {
        match (self.is_bf16(), self.int8) {
            (true, _) => "bf16",
            (false, true) => "int8",
            (false, false) => "fp32",
        }
    }

    /// The fine-tuned layers file applied on top of the checkpoint, if any.
    pub fn tuned_layers(&self) -> Option<&Path> {
        self.layers.as_deref()
    }

    /// The BERT model, for fine-tuning (`crate::learn::tune`).
    pub(crate) fn model_mut(&mut self) -> &mut LeanBert {
        &mut self.model
    }

    pub(crate) fn model(&self) -> &LeanBert {
        &self.model
    }

    /// Output dimension of the embeddings (384 for all-MiniLM-L6-v2, 768 for all-mpnet-base-v2).
    pub fn dim(&self) -> i64 {
        self.model.hidden()
    }

    /// Tokenizes `texts` (parallel inside the tokenizers crate).
    pub fn tokenize(&self, texts: &[&str]) -> Result<Vec<Encoding>> {
        self.tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| anyhow::anyhow!("tokenizer failed: {e}"))
    }

    /// Embeds `texts`: sorted by length into batches, no autograd, rows back in input order.
    pub fn embed(&self, texts: &[&str]) -> Result<Embeddings> {
        Ok(self.embed_tagged(texts, None)?.0)
    }

    /// As [`Encoder::embed`], and with a token `head` (the loaded-term tagger), each text's probability per
    /// token from the same forward pass: `(byte start, byte end, probability)` for every real
    /// token (special tokens left out), in text order.
    pub fn embed_tagged(
        &self,
        texts: &[&str],
        head: Option<&dyn TokenHead>,
    ) -> Result<(Embeddings, Vec<Vec<TokenProb>>)> {
        self.embed_tagged_observed(texts, head, &mut |_, _| {})
    }

    /// [`Encoder::embed_tagged`], calling `progress(sentences, bytes)` after each batch with how
    /// many of `texts` it encoded and their length in bytes (for a progress bar that moves
    /// while a large chunk is encoded).
    pub fn embed_tagged_observed(
        &self,
        texts: &[&str],
        head: Option<&dyn TokenHead>,
        progress: &mut dyn FnMut(usize, u64),
    ) -> Result<(Embeddings, Vec<Vec<TokenProb>>)> {
        let pass = self.embed_with(texts, head, None, progress)?;
        Ok((pass.embeddings, pass.tokens))
    }

    /// One pass over `texts` yielding the embeddings, the token `head`'s probabilities and the
    /// span head's probabilities for the requested `spans`, calling `progress(sentences, bytes)`
    /// after each batch.
    pub fn embed_with(
        &self,
        texts: &[&str],
        head: Option<&dyn TokenHead>,
        spans: Option<SpanRequest>,
        progress: &mut dyn FnMut(usize, u64),
    ) -> Result<Pass> {
        let encodings = self.tokenize(texts)?;
        let n = encodings.len();
        let mut found: Vec<Vec<Option<Vec<f32>>>> = match spans {
            Some((_, s)) => s.iter().map(|v| vec![None; v.len()]).collect(),
            None => vec![],
        };
        if n == 0 {
            let empty = |d| Tensor::zeros([0, d], (Kind::Float, Device::Cpu));
            let embeddings = Embeddings {
                matrix: empty(self.dim()),
                features: empty(2 * self.dim()),
            };
            return Ok(Pass {
                embeddings,
                tokens: vec![],
                spans: found,
            });
        }
        let mut tokens: Vec<Vec<TokenProb>> = vec![vec![]; if head.is_some() { n } else { 0 }];
        let mut parts = Vec::with_capacity(n.div_ceil(self.batch_size));
        let fixed_shapes = self.fixed_shapes;
        let order = self.each_batch(&encodings, |rows, hidden, mask| {
            // With fixed shapes the batch may carry filler rows after the real ones.
            parts.push(pool_features(hidden, mask).narrow(0, 0, rows.len() as i64));
            progress(
                rows.len(),
                rows.iter().map(|&i| texts[i].len() as u64).sum(),
            );
            if let Some(head) = head {
                let probs = head.token_probs(hidden, mask);
                for (r, &i) in rows.iter().enumerate() {
                    let e = &encodings[i];
                    let len = e.get_ids().len();
                    let mut p = vec![0f32; len];
                    probs
                        .get(r as i64)
                        .narrow(0, 0, len as i64)
                        .copy_data(&mut p, len);
                    tokens[i] = token_spans(e, &p);
                }
            }
            if let Some((span_head, requested)) = spans {
                let mut mentions = vec![];
                let mut slots = vec![];
                for (r, &i) in rows.iter().enumerate() {
                    for (k, span) in requested[i].iter().enumerate() {
                        if let Some(t) = mention_tokens(&encodings[i], span) {
                            mentions.push((r as i64, t));
                            slots.push((i, k));
                        }
                    }
                }
                // With fixed shapes, each sentence's mentions go through the head on their own:
                // a matrix product's last bits can depend on how many rows it has, and the
                // mentions of a batch depend on the sentences it happens to hold.
                // (Mentions come in row order, so a sentence's are adjacent.)
                let mut start = 0;
                for group in mentions.chunk_by(|a, b| !fixed_shapes || a.0 == b.0) {
                    let end = start + group.len();
                    let probs = self::rows(&span_head.span_probs(hidden, mask, group));
                    for ((i, k), p) in slots[start..end].iter().zip(probs) {
                        found[*i][*k] = Some(p);
                    }
                    start = end;
                }
            }
        });
        let sorted = Tensor::cat(&parts, 0);
        // Scatter rows back: row k of `sorted` belongs to input order[k].
        let index = Tensor::from_slice(&order.iter().map(|&i| i as i64).collect::<Vec<_>>());
        let features = sorted.zeros_like().index_copy(0, &index, &sorted);
        let matrix = features.narrow(1, 0, self.dim());
        Ok(Pass {
            embeddings: Embeddings { matrix, features },
            tokens,
            spans: found,
        })
    }

    /// Runs `encodings` through BERT in batches of similar length, without autograd, calling
    /// `visit(rows, hidden [b, l, h], mask [b, l])` per batch (`rows`: indices into
    /// `encodings`; row `r` of `hidden` is `rows[r]`'s, and with fixed shapes `b` may exceed
    /// `rows.len()` by filler rows). Returns the visiting order (the concatenation of every `rows`).
    pub(crate) fn each_batch(
        &self,
        encodings: &[Encoding],
        visit: impl FnMut(&[usize], &Tensor, &Tensor),
    ) -> Vec<usize> {
        self.each_batch_through(encodings, self.model.num_layers(), visit)
    }

    /// [`Encoder::each_batch`] with `hidden` the states entering layer `layers` (all layers:
    /// the last hidden states).
    pub(crate) fn each_batch_through(
        &self,
        encodings: &[Encoding],
        layers: usize,
        mut visit: impl FnMut(&[usize], &Tensor, &Tensor),
    ) -> Vec<usize> {
        let mut order: Vec<usize> = (0..encodings.len()).collect();
        order.sort_by_key(|&i| encodings[i].get_ids().len());
        let lens: Vec<usize> = order
            .iter()
            .map(|&i| encodings[i].get_ids().len())
            .collect();
        let _guard = tch::no_grad_guard();
        let mut visited = Vec::with_capacity(order.len());
        // Longest batches first: the heap grows to the largest activations at once, and every
        // later, smaller one fits in the space they leave. In ascending order each batch is a
        // little larger than the freed blocks before it, and the heap creeps up as it fragments.
        let pad = self.pad_multiple;
        if self.fixed_shapes {
            for (range, len, rows) in fixed_batches(&lens, self.batch_size, MAX_BATCH_TOKENS) {
                let batch = &order[range];
                // Every batch of one length bucket has the same shape: the rows it lacks are
                // copies of its first sentence, whose results are dropped.
                let mut encs: Vec<&Encoding> = batch.iter().map(|&i| &encodings[i]).collect();
                encs.resize(rows, encs[0]);
                let (ids, mask) = pad_batch_to(&encs, len);
                let hidden = self.model.forward_through(&ids, &mask, layers);
                visit(batch, &hidden, &mask);
                visited.extend_from_slice(batch);
            }
            return visited;
        }
        for range in batch_ranges(&lens, self.batch_size, MAX_BATCH_TOKENS, pad) {
            let batch = &order[range];
            let encs: Vec<&Encoding> = batch.iter().map(|&i| &encodings[i]).collect();
            let (ids, mask) = pad_batch(&encs, pad);
            let hidden = self.model.forward_through(&ids, &mask, layers);
            visit(batch, &hidden, &mask);
            visited.extend_from_slice(batch);
        }
        visited
    }
}

/// In bf16, batches are padded to a multiple of this many tokens. oneDNN (which runs the bf16
/// matrix multiplies) compiles and caches a kernel per matrix shape; with every length from 1 to
/// 256 a corpus keeps meeting new shapes, each costing compile time and cache memory, and peak
/// memory grew with the corpus (measured: 405 to 446 MB from 150 to 300 UN speeches; 296 to
/// 314 MB with steps of 8). fp32 runs on MKL, which caches nothing per shape, so it pads to the
/// longest sentence only: the extra padding would cost it about 5%.
pub const BF16_PAD_MULTIPLE: usize = 8;

/// `longest` rounded up to a multiple of `multiple` (at least one step).
fn padded_len(longest: usize, multiple: usize) -> usize {
    let m = multiple.max(1);
    longest.max(1).div_ceil(m) * m
}

/// Splits sentences sorted by ascending token length (`lens`) into batches, longest first. Each
/// batch takes the longest sentences left, as many as fit in `max_tokens` padded tokens (it pads
/// to its first, longest sentence) and at most `max_sentences`; one too long for the budget
/// still gets a batch. Filling from the long end gives every length one batch shape, and leaves
/// the one odd-sized batch among the shortest sentences, where it is cheapest.
fn batch_ranges(
    lens: &[usize],
    max_sentences: usize,
    max_tokens: usize,
    pad_multiple: usize,
) -> Vec<std::ops::Range<usize>> {
    let mut out = vec![];
    let mut end = lens.len();
    while end > 0 {
        let fit =
            (max_tokens / padded_len(lens[end - 1], pad_multiple)).clamp(1, max_sentences.max(1));
        let start = end.saturating_sub(fit);
        out.push(start..end);
        end = start;
    }
    out
}

/// Length bucket of [`fixed_batches`]: token lengths are padded up to a multiple of this.
pub const FIXED_BUCKET: usize = 16;

/// Batches for [`Encoder::set_fixed_shapes`]: sentences sorted by ascending token length
/// (`lens`) grouped by length bucket (rounded up to [`FIXED_BUCKET`]); each bucket's batches
/// hold a number of rows that depends on the bucket alone (as many as fit in `max_tokens`, at
/// most `max_sentences`). Returns (range, padded length, rows), longest first; a bucket's last
/// batch may hold fewer sentences than its rows.
fn fixed_batches(
    lens: &[usize],
    max_sentences: usize,
    max_tokens: usize,
) -> Vec<(std::ops::Range<usize>, usize, usize)> {
    let mut out = vec![];
    let mut end = lens.len();
    while end > 0 {
        let len = padded_len(lens[end - 1], FIXED_BUCKET);
        let rows = (max_tokens / len).clamp(1, max_sentences.max(1));
        // The bucket's first sentence (lens ascend).
        let first = lens[..end].partition_point(|&l| padded_len(l, FIXED_BUCKET) < len);
        let start = end.saturating_sub(rows).max(first);
        out.push((start..end, len, rows));
        end = start;
    }
    out
}

/// Sentences the int8 path measures activation ranges on ([`Encoder::quantize_int8`]).
const CALIBRATION: &str = include_str!("bert/calibration.txt");

/// One token's span in its text and a probability.
pub type TokenProb = (usize, usize, f32);

/// Pairs each real token of `e` with its probability from `probs` (`[l]`, padded batch row).
pub(crate) fn token_probs_of(e: &Encoding, probs: &Tensor) -> Vec<TokenProb> {
    let len = e.get_ids().len();
    let mut p = vec![0f32; len];
    probs
        .narrow(0, 0, len as i64)
        .to_kind(Kind::Float)
        .copy_data(&mut p, len);
    token_spans(e, &p)
}

/// Pairs each real token of `e` (special tokens have empty offsets) with its probability.
fn token_spans(e: &Encoding, probs: &[f32]) -> Vec<TokenProb> {
    e.get_offsets()
        .iter()
        .zip(e.get_special_tokens_mask())
        .zip(probs)
        .filter(|((o, &special), _)| special == 0 && o.1 > o.0)
        .map(|((o, _), &p)| (o.0, o.1, p))
        .collect()
}

/// Token ids and attention mask of `encs`, padded to the longest rounded up to a multiple of
/// `multiple`: two `[b, l]` int64 tensors.
pub(crate) fn pad_batch(encs: &[&Encoding], multiple: usize) -> (Tensor, Tensor) {
    let longest = encs.iter().map(|e| e.get_ids().len()).max().unwrap_or(0);
    pad_batch_to(encs, padded_len(longest, multiple))
}

/// [`pad_batch`] to exactly `len` tokens (at least the longest sentence's).
fn pad_batch_to(encs: &[&Encoding], len: usize) -> (Tensor, Tensor) {
    let b = encs.len();
    let mut ids = vec![0i64; b * len];
    let mut mask = vec![0i64; b * len];
    for (r, e) in encs.iter().enumerate() {
        for (c, (&id, &m)) in e.get_ids().iter().zip(e.get_attention_mask()).enumerate() {
            ids[r * len + c] = id as i64;
            mask[r * len + c] = m as i64;
        }
    }
    let shape = [b as i64, len as i64];
    (
        Tensor::from_slice(&ids).view(shape),
        Tensor::from_slice(&mask).view(shape),
    )
}

/// The heads' features from token states `[b, l, h]`: mean pool then max pool, each unit
/// length, `[b, 2h]`.
pub(crate) fn pool_features(hidden: &Tensor, mask: &Tensor) -> Tensor {
    Tensor::cat(
        &[
            mean_pool_normalise(hidden, mask),
            max_pool_normalise(hidden, mask),
        ],
        1,
    )
}

/// sentence-transformers' pooling: average of token states where the mask is 1, then unit length.
pub(crate) fn mean_pool_normalise(hidden: &Tensor, mask: &Tensor) -> Tensor {
    let m = mask.unsqueeze(-1).to_kind(Kind::Float);
    let summed = (hidden * &m).sum_dim_intlist([1i64].as_slice(), false, Kind::Float);
    let counts = m
        .sum_dim_intlist([1i64].as_slice(), false, Kind::Float)
        .clamp_min(1e-9);
    let mean = summed / counts;
    let norm = mean
        .norm_scalaropt_dim(2, [1i64].as_slice(), true)
        .clamp_min(1e-12);
    mean / norm
}

/// Element-wise maximum over the real tokens (padding excluded), then unit length.
fn max_pool_normalise(hidden: &Tensor, mask: &Tensor) -> Tensor {
    let pad = mask.unsqueeze(-1).eq(0);
    let max = hidden
        .masked_fill(&pad, f64::NEG_INFINITY)
        .amax([1i64].as_slice(), false);
    let norm = max
        .norm_scalaropt_dim(2, [1i64].as_slice(), true)
        .clamp_min(1e-12);
    max / norm
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid", path.display()))
}

/// Converts an `[n, d]` float tensor into rows (for tests and small outputs).
pub fn rows(t: &Tensor) -> Vec<Vec<f32>> {
    let t = t.to_kind(Kind::Float).contiguous();
    let (n, d) = (t.size()[0] as usize, t.size()[1] as usize);
    let mut flat = vec![0f32; n * d];
    t.copy_data(&mut flat, n * d);
    flat.chunks(d).map(|c| c.to_vec()).collect()
}

#[cfg(test)]
mod tests {
    use super::batch_ranges;

    #[test]
    fn batches_hold_a_sentence_count_and_a_token_budget() {
        // Short sentences: the sentence cap decides; the odd batch holds the shortest.
        let short = vec![10; 70];
        assert_eq!(batch_ranges(&short, 32, 2048, 1), vec![38..70, 6..38, 0..6]);
        // Long ones: 2048 tokens / 256 = 8 sentences per batch, longest first.
        let mut lens = vec![20; 40];
        lens.extend(vec![256; 20]);
        let r = batch_ranges(&lens, 32, 2048, 1);
        assert_eq!(r[..3], [52..60, 44..52, 36..44]);
        assert_eq!(r.iter().map(|b| b.len()).sum::<usize>(), 60);
        assert!(r.windows(2).all(|w| w[1].end == w[0].start));
        // One sentence over the budget still gets a batch.
        assert_eq!(batch_ranges(&[3000, 3000], 32, 2048, 8), vec![1..2, 0..1]);
        assert!(batch_ranges(&[], 32, 2048, 8).is_empty());
        // Padded to steps of 8, 250 tokens count as 256.
        assert_eq!(batch_ranges(&[250; 9], 32, 2048, 8), vec![1..9, 0..1]);
        assert_eq!(batch_ranges(&[250; 9], 32, 2048, 1), vec![1..9, 0..1]);
        assert_eq!(batch_ranges(&[255; 9], 32, 2040, 1), vec![1..9, 0..1]);
        assert_eq!(batch_ranges(&[255; 9], 32, 2040, 8), vec![2..9, 0..2]);
    }
}
