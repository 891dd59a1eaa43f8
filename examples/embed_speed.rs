//! Times framescore's encoder alone: embeds every line of a text file and prints sentences/s.
//! Used by bench/run.sh:
//! `cargo run --release --example embed_speed -- FILE [--threads N] [--bf16 | --int8] [--cosine]`.
//! `--cosine` instead embeds the lines in fp32, bf16 and int8 and prints the cosine between each
//! line's fp32 embedding and the other two (min and mean): the accuracy check for both paths.

use std::time::Instant;

use framescore::model::encode::{Encoder, DEFAULT_BATCH};
use tch::Kind;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .expect("usage: embed_speed FILE [--threads N] [--bf16 | --int8] [--cosine]");
    let threads = args
        .iter()
        .position(|a| a == "--threads")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok());
    framescore::set_threads(threads);
    let text = std::fs::read_to_string(path)?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let dir = framescore::models_dir().join("minilm");
    if args.iter().any(|a| a == "--cosine") {
        let fp32 = Encoder::load_with(&dir, DEFAULT_BATCH, false)?.embed(&lines)?;
        let bf16 = Encoder::load_with(&dir, DEFAULT_BATCH, true)?.embed(&lines)?;
        let mut int8 = Encoder::load_with(&dir, DEFAULT_BATCH, false)?;
        int8.quantize_int8()?;
        let int8 = int8.embed(&lines)?;
        // Rows are unit length, so the row-wise dot product is the cosine.
        let cosine = |other: &tch::Tensor| {
            let cos = (&fp32.matrix * other).sum_dim_intlist([1i64].as_slice(), false, Kind::Float);
            (
                cos.min().double_value(&[]),
                cos.mean(Kind::Float).double_value(&[]),
            )
        };
        let (b_min, b_mean) = cosine(&bf16.matrix);
        let (i_min, i_mean) = cosine(&int8.matrix);
        println!(
            "{{\"sentences\": {}, \"cosine_min\": {b_min:.6}, \"cosine_mean\": {b_mean:.6}, \"int8_cosine_min\": {i_min:.6}, \"int8_cosine_mean\": {i_mean:.6}}}",
            lines.len(),
        );
        return Ok(());
    }
    let bf16 = args.iter().any(|a| a == "--bf16");
    let mut encoder = Encoder::load_with(&dir, DEFAULT_BATCH, bf16)?;
    if args.iter().any(|a| a == "--int8") {
        encoder.quantize_int8()?;
    }
    encoder.embed(&lines[..lines.len().min(64)])?; // warm-up: first-call allocations, kernel selection
    let started = Instant::now();
    let out = encoder.embed(&lines)?;
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(out.matrix.size()[0] as usize, lines.len());
    println!(
        "{{\"sentences\": {}, \"seconds\": {:.3}, \"per_second\": {:.1}}}",
        lines.len(),
        secs,
        lines.len() as f64 / secs
    );
    Ok(())
}
