//! Times framescore's encoder alone: embeds every line of a text file and prints sentences/s.
//! Used by bench/run.sh; `cargo run --release --example embed_speed -- FILE [--threads N] [--bf16]`.

use std::time::Instant;

use framescore::encode::{Encoder, DEFAULT_BATCH};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).expect("usage: embed_speed FILE [--threads N]");
    let threads = args
        .iter()
        .position(|a| a == "--threads")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok());
    framescore::set_threads(threads);
    let text = std::fs::read_to_string(path)?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let bf16 = args.iter().any(|a| a == "--bf16");
    let encoder = Encoder::load_with(
        &framescore::models_dir().join("minilm"),
        DEFAULT_BATCH,
        bf16,
    )?;
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
