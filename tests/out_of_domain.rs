//! Frames and loaded terms on text from outlets the models never saw (issue 15): the shipped
//! models against floors on the out-of-domain news test set (`datasets/framing/news-test.csv`,
//! PTC articles no training round draws from, and its loaded terms in
//! `datasets/tagging/test.jsonl`, source `news-test`), and the data rules that keep such
//! checks honest: every row names its source, synthetic rows never reach a test split, and no
//! document sits on both sides.

mod common;

use std::collections::HashSet;

use common::{eval_f1, framescore, read_csv, root, stderr};

const FRAMES: [&str; 3] = ["hegemony", "cooperation", "security"];

#[test]
fn every_row_names_its_source_and_synthetic_rows_only_train() {
    let dir = root().join("datasets/framing");
    let (train_cols, train) = read_csv(&dir.join("train.csv"));
    assert!(train_cols.contains(&"source".to_string()));
    let known = ["un", "cn-official", "us-official", "news", "synthetic"];
    let mut train_docs = HashSet::new();
    let mut synthetic = 0;
    for r in &train {
        assert!(known.contains(&r["source"].as_str()), "{:?}", r);
        // Synthetic rows say so twice: in `source` and in their id.
        assert_eq!(
            r["source"] == "synthetic",
            r["id"].starts_with("synth-"),
            "{:?}",
            r
        );
        synthetic += usize::from(r["source"] == "synthetic");
        train_docs.insert(r["doc"].clone());
    }
    // Capped well under a third of the training data.
    assert!(
        synthetic > 0 && synthetic * 3 < train.len(),
        "{synthetic} of {}",
        train.len()
    );
    // Round 8's synthetic sentences, a training file of their own: all declared, and still
    // under the cap when added to the shipped training data.
    let (_, extra) = read_csv(&dir.join("synthetic-r8.csv"));
    assert!(!extra.is_empty());
    for r in &extra {
        assert!(
            r["source"] == "synthetic" && r["id"].starts_with("synth-r8-"),
            "{r:?}"
        );
        train_docs.insert(r["doc"].clone());
    }
    let synthetic = synthetic + extra.len();
    assert!(synthetic * 3 < train.len() + extra.len(), "{synthetic}");
    // No written sentence is also a test sentence.
    let texts: HashSet<String> = train
        .iter()
        .chain(&extra)
        .filter(|r| r["source"] == "synthetic")
        .map(|r| r["text"].clone())
        .collect();
    for test in ["test.csv", "news-test.csv"] {
        let (_, rows) = read_csv(&dir.join(test));
        assert!(!rows.is_empty());
        for r in &rows {
            assert!(!texts.contains(&r["text"]), "{test}: {:?} was written", r);
            assert!(
                known[..4].contains(&r["source"].as_str()),
                "{test}: {:?}",
                r
            );
            assert!(!r["id"].starts_with("synth-"), "{test}: {:?}", r);
            assert!(
                !train_docs.contains(&r["doc"]),
                "{test}: document {} is also in training",
                r["doc"]
            );
        }
    }
    // The tagger's data: synthetic spans only in training, the news test set only in testing.
    for (file, banned) in [
        ("train.jsonl", "news-test"),
        ("synthetic-r8.jsonl", "news-test"),
        ("test.jsonl", "synthetic"),
    ] {
        let text = std::fs::read_to_string(root().join("datasets/tagging").join(file)).unwrap();
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_ne!(v["source"], banned, "{file}: {line}");
        }
    }
}

/// `framescore eval` on the news test set: macro-F1 and per-frame F1 (from its CSV).
fn news_test_scores(models: &str) -> Vec<(String, f64)> {
    eval_f1(
        &root().join(models).join("frames"),
        &root().join("datasets/framing/news-test.csv"),
    )
}

/// The keyword baseline of `scripts/ood-report.py` on the news test set (computed there with
/// the codebook's cue words as regular expressions; recorded in the frame model card).
const KEYWORD_BASELINE: [(&str, f64); 4] = [
    ("hegemony", 0.267),
    ("cooperation", 0.706),
    ("security", 0.597),
    ("macro", 0.523),
];

/// The shipped fast set's scores on the news test set (frame model card, 2026-12-07) less a
/// margin for precision differences: hegemony and cooperation rest on 23 and 11 sentences, so a
/// sentence moves their F1 by several hundredths.
const FLOORS: [(&str, f64); 4] = [
    ("hegemony", 0.40),
    ("cooperation", 0.45),
    ("security", 0.78),
    ("macro", 0.57),
];

#[test]
fn fast_set_holds_on_news_from_other_outlets() {
    let scores = news_test_scores("models");
    let f1 = |frame: &str| scores.iter().find(|(f, _)| f == frame).expect(frame).1;
    for (frame, floor) in FLOORS {
        assert!(f1(frame) >= floor, "{frame}: F1 {} < {floor}", f1(frame));
    }
    // Above the keyword baseline on macro-F1, hegemony and security. Not on cooperation (11
    // sentences): the model card says so, and this test will tell when that changes.
    for (frame, baseline) in KEYWORD_BASELINE {
        if frame != "cooperation" {
            assert!(
                f1(frame) > baseline,
                "{frame}: F1 {} <= keyword baseline {baseline}",
                f1(frame)
            );
        }
    }
    assert_eq!(FRAMES.len() + 1, scores.len());
}

/// The accurate set's scores on the news test set (frame model card, 2026-12-07: macro 0.673,
/// hegemony 0.486, cooperation 0.700, security 0.833) less the same margins.
const ACCURATE_FLOORS: [(&str, f64); 4] = [
    ("hegemony", 0.43),
    ("cooperation", 0.63),
    ("security", 0.80),
    ("macro", 0.64),
];

#[test]
fn accurate_set_holds_on_news_from_other_outlets() {
    let scores = news_test_scores("models/accurate");
    let f1 = |frame: &str| scores.iter().find(|(f, _)| f == frame).expect(frame).1;
    for (frame, floor) in ACCURATE_FLOORS {
        assert!(f1(frame) >= floor, "{frame}: F1 {} < {floor}", f1(frame));
    }
    // Above the fast set's floors on every frame, and above the keyword baseline except on
    // cooperation (0.700 against 0.706: one sentence).
    for ((frame, fast), (_, baseline)) in FLOORS.iter().zip(KEYWORD_BASELINE) {
        assert!(
            f1(frame) > *fast,
            "{frame}: F1 {} <= fast floor {fast}",
            f1(frame)
        );
        if *frame != "cooperation" {
            assert!(
                f1(frame) > baseline,
                "{frame}: F1 {} <= baseline",
                f1(frame)
            );
        }
    }
}

/// The distilled rows (`datasets/framing/distilled.csv`: the accurate set's probabilities on
/// unlabelled real sentences) say so, hold probabilities, and share no sentence or document
/// with either test set.
#[test]
fn distilled_rows_are_marked_and_never_test_sentences() {
    let dir = root().join("datasets/framing");
    let (cols, rows) = read_csv(&dir.join("distilled.csv"));
    assert_eq!(&cols[..4], ["id", "doc", "source", "text"]);
    assert!(rows.len() >= 1000, "{} rows", rows.len());
    let mut test_text = HashSet::new();
    let mut test_docs = HashSet::new();
    for test in ["test.csv", "news-test.csv"] {
        for r in read_csv(&dir.join(test)).1 {
            test_text.insert(r["text"].trim().to_string());
            test_docs.insert(r["doc"].clone());
        }
    }
    let mut soft = 0;
    for r in &rows {
        assert_eq!(r["source"], "distilled", "{:?}", r);
        assert!(r["id"].starts_with("distilled-"), "{:?}", r);
        assert!(!test_text.contains(r["text"].trim()), "{:?}", r);
        // `doc` is `<pool family>:<speech or sentence id>`; the test split's UN documents are
        // parts of speeches (`ungdc-...-r1`), the news test set's are PTC articles.
        let (_, doc) = r["doc"].split_once(':').expect("family:doc");
        assert!(
            !test_docs
                .iter()
                .any(|d| d.starts_with(doc) || doc.starts_with(d.as_str())),
            "{:?}",
            r
        );
        for f in FRAMES {
            let p: f64 = r[f].parse().unwrap();
            assert!((0.0..=1.0).contains(&p), "{:?}", r);
            soft += usize::from(p > 0.0 && p < 1.0);
        }
    }
    assert!(soft > rows.len(), "targets should be probabilities");
    // A file with distilled rows is no gold: eval refuses it.
    let o = framescore(&[
        "eval",
        "--data",
        dir.join("distilled.csv").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("training only"), "{}", stderr(&o));
}
