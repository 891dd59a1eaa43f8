//! Helpers for tests that run the real `framescore` binary.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary with `args`, no environment tweaks: it must find libtorch and models alone.
pub fn framescore(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_framescore"))
        .args(args)
        .env("LD_LIBRARY_PATH", "")
        .output()
        .expect("run framescore")
}

/// `framescore score INPUT --out OUT --quiet` plus `extra`.
pub fn score(input: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "score",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    args.extend_from_slice(extra);
    framescore(&args)
}

/// The README's worked example of user-defined frames:
/// `train --data tests/data/custom-frames/labels.csv --codebook BOOK --out OUT --seed 42`, plus
/// `extra`.
pub fn train_custom_frames(book: &Path, out: &Path, extra: &[&str]) -> Output {
    let labels = root().join("tests/data/custom-frames/labels.csv");
    let mut args = vec![
        "train",
        "--data",
        labels.to_str().unwrap(),
        "--codebook",
        book.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--seed",
        "42",
    ];
    args.extend_from_slice(extra);
    framescore(&args)
}

/// `framescore eval --model MODEL --data DATA` (a frame or bias model on a gold CSV): the F1 of
/// each label and of `macro`, from the CSV it writes.
pub fn eval_f1(model: &Path, data: &Path) -> Vec<(String, f64)> {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("scores.csv");
    let o = framescore(&[
        "eval",
        "--model",
        model.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "eval failed: {}", stderr(&o));
    let (_, rows) = read_csv(&csv);
    rows.iter()
        .map(|r| (r["frame"].clone(), r["f1"].parse().unwrap()))
        .collect()
}

pub type Row = HashMap<String, String>;

/// Reads a CSV into header-keyed rows, checking every row has the header's width.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Row>) {
    let mut rdr =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let rows = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(r.len(), headers.len(), "ragged row in {}", path.display());
            headers
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect();
    (headers, rows)
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Slices `text` by code-point offsets, as Python and pandas do.
pub fn slice_chars(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}
