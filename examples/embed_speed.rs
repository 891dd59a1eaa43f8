//! Times framescore's encoder alone: embeds every line of a text file and prints sentences/s.
//! Used by bench/run.sh:
//! `cargo run --release --example embed_speed -- FILE [--threads N] [--bf16] [--cosine]`.
//! `--cosine` instead embeds the lines in fp32 and in bf16 and prints the cosine between the two
//! embeddings of each line (min and mean): the accuracy check for the bf16 path.

use std::time::Instant;

use framescore::model::encode::{Encoder, DEFAULT_BATCH};
use tch::Kind;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .expect("usage: embed_speed FILE [--threads N] [--bf16] [--cosine]");
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
        // Rows are unit length, so the row-wise dot product is the cosine.
        let cos =
            (&fp32.matrix * &bf16.matrix).sum_dim_intlist([1i64].as_slice(), false, Kind::Float);
        println!(
            "{{\"sentences\": {}, \"cosine_min\": {:.6}, \"cosine_mean\": {:.6}}}",
            lines.len(),
            cos.min().double_value(&[]),
            cos.mean(Kind::Float).double_value(&[])
        );
        return Ok(());
    }
    let bf16 = args.iter().any(|a| a == "--bf16");
    let encoder = Encoder::load_with(&dir, DEFAULT_BATCH, bf16)?;
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
