//! Unit tests of the parent module.

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

/// The int8 path as shipped (SmoothQuant-calibrated on the product's calibration sentences)
/// stays close to fp32; `int8_variants` and the benchmark measure it on thousands of sentences.
#[test]
fn int8_embeddings_stay_close_to_fp32() {
    let fp32 = LeanBert::load(model_dir(), &lean_config(), false).unwrap();
    let mut int8 = LeanBert::load(model_dir(), &lean_config(), false).unwrap();
    int8.quantize_int8(0..int8.num_layers(), Int8Scope::shipped, &calibration());
    let (ids, mask) = batch(&token_ids(&tokenizer(), SENTENCES));
    let got = int8.forward(&ids, &mask);
    assert_eq!(got.kind(), Kind::Float);
    let cos = cosines(
        &mean_pool(&fp32.forward(&ids, &mask), &mask),
        &mean_pool(&got, &mask),
    );
    let min = cos.min().double_value(&[]);
    eprintln!("int8 vs fp32 embeddings: min cosine {min:.5}");
    assert!(min >= 0.99, "int8 cosine {min}");
    // Without calibration (no SmoothQuant), the same weights quantise too, and stay usable.
    let mut plain = LeanBert::load(model_dir(), &lean_config(), false).unwrap();
    plain.quantize_int8(0..plain.num_layers(), |_| Int8Scope::ALL, &[]);
    let cos = cosines(
        &mean_pool(&fp32.forward(&ids, &mask), &mask),
        &mean_pool(&plain.forward(&ids, &mask), &mask),
    );
    assert!(cos.min().double_value(&[]) >= 0.95);
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
type BoxedForward<'a> = Box<dyn Fn(&Tensor, &Tensor) -> Tensor + 'a>;

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
    assert!(LeanBert::load_with_overlay(model_dir(), &lean_config(), false, Some(&bad)).is_err());
}

/// A student that keeps layers 0, 1, 4 and 5 (`framescore distill`) is saved as its own layers
/// at positions 2 and 3, and loads back as the checkpoint's first two layers under a 4-layer
/// config with that overlay: the same forward to the last bit.
#[test]
fn kept_layers_round_trip_as_a_shallower_checkpoint() {
    let mut student = LeanBert::load(model_dir(), &lean_config(), false).unwrap();
    assert!(student.keep_layers(&[0, 4, 1]).is_err());
    assert!(student.keep_layers(&[0, 6]).is_err());
    assert!(student.keep_layers(&[]).is_err());
    student.keep_layers(&[0, 1, 4, 5]).unwrap();
    assert_eq!(student.num_layers(), 4);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("student.safetensors");
    let tensors = student.layer_tensors(2..4);
    assert!(tensors
        .iter()
        .all(|(n, _)| n.starts_with("encoder.layer.2.") || n.starts_with("encoder.layer.3.")));
    let refs: Vec<(&str, &Tensor)> = tensors.iter().map(|(n, t)| (n.as_str(), t)).collect();
    Tensor::write_safetensors(&refs, &path).unwrap();
    let mut config = lean_config();
    config.num_hidden_layers = 4;
    let again = LeanBert::load_with_overlay(model_dir(), &config, false, Some(&path)).unwrap();
    let (ids, mask) = batch(&token_ids(
        &tokenizer(),
        &["NASA is not allowed to cooperate with China.", "Win-win."],
    ));
    assert_eq!(
        max_diff(
            &student.forward(&ids, &mask),
            &again.forward(&ids, &mask),
            &mask
        ),
        0.0
    );
    // Not the full checkpoint's forward.
    let whole = LeanBert::load(model_dir(), &lean_config(), false).unwrap();
    assert!(
        max_diff(
            &whole.forward(&ids, &mask),
            &again.forward(&ids, &mask),
            &mask
        ) > 0.1
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

/// The product's calibration sentences (none of them among the benchmark's), batched.
fn calibration() -> Vec<(Tensor, Tensor)> {
    let texts: Vec<&str> = include_str!("calibration.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect();
    token_ids(&tokenizer(), &texts)
        .chunks(32)
        .map(batch)
        .collect()
}

/// int8 variants against fp32: embedding cosine on `BENCH_N` real sentences and speed on the
/// same batches (issue 20). `cargo test --release --lib int8_variants -- --ignored --nocapture`
#[test]
#[ignore = "experiment: a minute or two; run with --ignored --nocapture"]
fn int8_variants() {
    let n = env_or("BENCH_N", 1000usize);
    let threads = env_or("BENCH_THREADS", 2i32);
    tch::set_num_threads(threads);
    let sentences = bench_sentences(n);
    let tok = tokenizer();
    let texts: Vec<&str> = sentences.iter().map(String::as_str).collect();
    let mut ids = token_ids(&tok, &texts);
    ids.sort_by_key(Vec::len);
    let batches: Vec<(Tensor, Tensor)> = ids.chunks(32).map(batch).collect();
    let fp32 = LeanBert::load(model_dir(), &lean_config(), false).unwrap();
    let all = Int8Scope {
        qkv: true,
        attn_out: true,
        inter: true,
        out: true,
    };
    let scopes: [(&str, Int8Scope); 4] = [
        ("int8 all", all),
        (
            "int8 qkv+inter",
            Int8Scope {
                attn_out: false,
                out: false,
                ..all
            },
        ),
        ("int8 all but out", Int8Scope { out: false, ..all }),
        (
            "int8 qkv+inter+out",
            Int8Scope {
                attn_out: false,
                ..all
            },
        ),
    ];
    let models: Vec<LeanBert> = scopes
        .iter()
        .map(|(_, s)| {
            let mut m = LeanBert::load(model_dir(), &lean_config(), false).unwrap();
            m.quantize_int8(0..m.num_layers(), |_| *s, &calibration());
            m
        })
        .collect();
    let _g = tch::no_grad_guard();
    for ((name, _), m) in scopes.iter().zip(&models) {
        let mut cos = vec![];
        for (ids, mask) in &batches {
            let c = cosines(
                &mean_pool(&fp32.forward(ids, mask), mask),
                &mean_pool(&m.forward(ids, mask), mask),
            );
            cos.extend(Vec::<f64>::try_from(c.to_kind(Kind::Double)).unwrap());
        }
        let mean = cos.iter().sum::<f64>() / cos.len() as f64;
        let min = cos.iter().copied().fold(1.0, f64::min);
        eprintln!("{name:<22} cosine to fp32: mean {mean:.5} min {min:.5}");
    }
    if env_or("BENCH_ROUNDS", 2usize) == 0 {
        return;
    }
    let fp32_forward = |i: &Tensor, m: &Tensor| fp32.forward(i, m);
    let mut variants = vec![Variant {
        name: "fp32",
        threads,
        tuned: true,
        forward: &fp32_forward,
    }];
    let forwards: Vec<BoxedForward> = models
        .iter()
        .map(|m| {
            Box::new(move |i: &Tensor, k: &Tensor| m.forward(i, k))
                as Box<dyn Fn(&Tensor, &Tensor) -> Tensor>
        })
        .collect();
    for ((name, _), f) in scopes.iter().zip(&forwards) {
        variants.push(Variant {
            name,
            threads,
            tuned: true,
            forward: f.as_ref(),
        });
    }
    let costs = interleaved(&variants, &batches, env_or("BENCH_ROUNDS", 2usize));
    let base = median(costs[0].iter().map(|c| c.secs).collect());
    for (v, c) in variants.iter().zip(&costs) {
        let s = median(c.iter().map(|c| c.secs).collect());
        eprintln!(
            "{:<22} {:7.1} sent/s  {:.2}x fp32",
            v.name,
            texts.len() as f64 / s,
            base / s
        );
    }
}
