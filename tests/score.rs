//! `framescore score` through the real binary on the bundled sample corpus.

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use common::{framescore, read_csv, root, score, slice_chars, stderr, Row};

const SEED: &str = "mondo-2024-01-28-nasa-china-lunar-samples.txt";

/// Scores datasets/articles once for all tests in this file.
fn sample_run() -> &'static PathBuf {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let out = dir.join("out");
        let corpus = root().join("datasets/articles");
        let o = score(&corpus, &out, &[]);
        assert!(o.status.success(), "score failed: {}", stderr(&o));
        out
    })
}

fn sentences() -> Vec<Row> {
    read_csv(&sample_run().join("sentences.csv")).1
}

#[test]
fn writes_the_contract_files_with_documented_columns() {
    let out = sample_run();
    let (h, _) = read_csv(&out.join("articles.csv"));
    assert_eq!(
        h,
        [
            "article_id",
            "path",
            "title",
            "source",
            "date",
            "url",
            "status",
            "error",
            "n_sentences",
            "n_words",
            "share_hegemony",
            "share_cooperation",
            "share_security",
            "dominant_frame",
            "n_loaded_terms",
            "loaded_per_1k_words",
            "share_quoted_words",
            "loaded_per_1k_words_own",
            "loaded_per_1k_words_quoted",
            "mean_p_biased",
            "share_biased"
        ]
    );
    let (h, _) = read_csv(&out.join("sentences.csv"));
    assert_eq!(
        h,
        [
            "article_id",
            "sentence_index",
            "start",
            "end",
            "text",
            "p_hegemony",
            "p_cooperation",
            "p_security",
            "p_biased",
            "frames",
            "loaded_terms",
            "voice"
        ]
    );
    let (h, _) = read_csv(&out.join("terms.csv"));
    assert_eq!(
        h,
        [
            "article_id",
            "sentence_index",
            "start",
            "end",
            "term",
            "category",
            "score",
            "origin",
            "entry",
            "quoted"
        ]
    );
    let (h, rows) = read_csv(&out.join("summary.csv"));
    assert_eq!(
        &h[..6],
        [
            "scope",
            "source",
            "n_articles",
            "n_failed",
            "n_sentences",
            "n_words"
        ]
    );
    assert_eq!(rows[0]["scope"], "corpus");
    assert_eq!(rows[0]["n_articles"], "31");
    assert!(
        rows.iter().filter(|r| r["scope"] == "source").count() >= 10,
        "one row per source"
    );
    assert!(
        !out.join(".articles.csv.partial").exists(),
        "temporary files are renamed away"
    );
}

#[test]
fn every_document_is_accounted_for() {
    let (_, rows) = read_csv(&sample_run().join("articles.csv"));
    let files = std::fs::read_dir(root().join("datasets/articles"))
        .unwrap()
        .count();
    assert_eq!(rows.len(), files);
    for r in &rows {
        assert_eq!(
            r["status"], "ok",
            "{} failed: {}",
            r["article_id"], r["error"]
        );
        assert!(
            r["n_sentences"].parse::<usize>().unwrap() >= 3,
            "{}",
            r["article_id"]
        );
    }
    let ids: Vec<&str> = rows.iter().map(|r| r["article_id"].as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "rows follow the sorted file order");
    let voa = rows
        .iter()
        .find(|r| r["article_id"].starts_with("voa-2018-12"))
        .unwrap();
    assert!(
        voa["source"].starts_with("Voice of America"),
        "header fields are read"
    );
}

#[test]
fn seed_article_hegemony_sentence_carries_frame_and_loaded_terms() {
    let rows = sentences();
    let s = rows
        .iter()
        .find(|r| {
            r["article_id"] == SEED
                && r["text"] == "This shows that the United States is suppressing and blockading China in the space field."
        })
        .expect("the sentence is segmented as one sentence");
    assert!(
        s["frames"].split(';').any(|f| f == "hegemony"),
        "frames: {} (p={})",
        s["frames"],
        s["p_hegemony"]
    );
    let terms: Vec<&str> = s["loaded_terms"].split(';').collect();
    assert!(
        terms.contains(&"suppressing") && terms.contains(&"blockading"),
        "terms: {terms:?}"
    );
}

#[test]
fn seed_article_lunar_sample_sentence_carries_cooperation() {
    let rows = sentences();
    let s = rows
        .iter()
        .find(|r| {
            r["article_id"] == SEED
                && r["text"]
                    .starts_with("At the same time, China has also actively shared lunar samples")
        })
        .expect("sentence present");
    assert!(
        s["frames"].split(';').any(|f| f == "cooperation"),
        "frames: {} (p={})",
        s["frames"],
        s["p_cooperation"]
    );
}

#[test]
fn offsets_are_code_points_into_the_document_text() {
    let rows = sentences();
    let (_, terms) = read_csv(&sample_run().join("terms.csv"));
    assert!(
        terms.len() > 30,
        "the lexicon finds loaded terms in the sample corpus"
    );
    for doc in [
        "china-un-2024-04-24-fu-cong-outer-space-security-amendment.txt",
        SEED,
    ] {
        let raw = std::fs::read_to_string(root().join("datasets/articles").join(doc)).unwrap();
        // The scored text is the body after a `---` header line, when there is one.
        let body = raw.split_once("\n---\n").map_or(raw.as_str(), |(_, b)| b);
        for r in rows.iter().filter(|r| r["article_id"] == doc) {
            let (s, e) = (r["start"].parse().unwrap(), r["end"].parse().unwrap());
            assert_eq!(slice_chars(body, s, e), r["text"]);
        }
        for t in terms.iter().filter(|t| t["article_id"] == doc) {
            let (s, e) = (t["start"].parse().unwrap(), t["end"].parse().unwrap());
            assert_eq!(slice_chars(body, s, e), t["term"]);
        }
    }
}

#[test]
fn probabilities_are_valid_and_frames_follow_them() {
    for r in sentences() {
        for f in ["hegemony", "cooperation", "security"] {
            let p: f32 = r[&format!("p_{f}")].parse().unwrap();
            assert!((0.0..=1.0).contains(&p));
        }
    }
    let (_, arts) = read_csv(&sample_run().join("articles.csv"));
    let seed = arts.iter().find(|r| r["article_id"] == SEED).unwrap();
    assert_ne!(seed["dominant_frame"], "none");
    assert!(seed["n_loaded_terms"].parse::<usize>().unwrap() >= 5);
}

/// terms.csv says where each term came from: the lexicon, the learned tagger, or both; model
/// terms carry the tagger's probability as their score.
#[test]
fn terms_come_from_the_lexicon_and_the_tagger() {
    let (_, terms) = read_csv(&sample_run().join("terms.csv"));
    let origin = |o: &str| terms.iter().filter(|r| r["origin"] == o).count();
    assert!(origin("lexicon") > 0 && origin("model") > 0 && origin("lexicon;model") > 0);
    assert_eq!(
        origin("lexicon") + origin("model") + origin("lexicon;model"),
        terms.len()
    );
    for r in &terms {
        let score: f32 = r["score"].parse().unwrap();
        match r["origin"].as_str() {
            "lexicon" => assert_eq!(score, 1.0),
            _ => assert!((0.0..=1.0).contains(&score)),
        }
        if r["origin"] == "model" {
            assert_eq!(r["category"], "", "model terms have no lexicon category");
        }
    }
    // The tagger marks some of the seed article's loaded wording too.
    assert!(terms
        .iter()
        .any(|r| r["article_id"] == SEED && r["origin"].contains("model")));
}

/// Scores the sample articles in fp32 with `extra` options into a new temporary folder.
fn score_sample_fp32(extra: &[&str]) -> tempfile::TempDir {
    let corpus = root().join("datasets/articles");
    let out = tempfile::tempdir().unwrap();
    let o = score(&corpus, out.path(), &[&["--fp32"][..], extra].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

fn same_file(a: &tempfile::TempDir, b: &tempfile::TempDir, f: &str) -> bool {
    let read = |d: &tempfile::TempDir| std::fs::read_to_string(d.path().join(f)).unwrap();
    read(a) == read(b)
}

/// In fp32 the output does not depend on the thread count. (bf16 matrix multiplies may sum in
/// another order with another thread count, which can move a probability in the 4th decimal, so
/// the default `auto` precision is deterministic for a given thread count only.)
#[test]
fn output_is_deterministic() {
    let (one, two) = (
        score_sample_fp32(&["-j", "1"]),
        score_sample_fp32(&["-j", "2"]),
    );
    for f in ["articles.csv", "sentences.csv", "terms.csv", "summary.csv"] {
        assert!(
            same_file(&one, &two, f),
            "{f} differs between 1 and 2 threads"
        );
    }
}

/// Small windows (a long document scored, written and freed a few sentences at a time) give
/// the same results as the default: every row and count, and probabilities up to the last
/// digit that batch composition can move in fp32.
#[test]
fn windows_of_sentences_give_the_same_results() {
    let whole = score_sample_fp32(&["--window", "4096"]);
    let windowed = score_sample_fp32(&["--window", "7"]);
    for f in ["articles.csv", "terms.csv", "summary.csv"] {
        assert!(
            same_file(&whole, &windowed, f),
            "{f} differs with --window 7"
        );
    }
    let (head, a) = read_csv(&whole.path().join("sentences.csv"));
    let (_, b) = read_csv(&windowed.path().join("sentences.csv"));
    assert_eq!(a.len(), b.len());
    assert!(a.len() > 3 * 7, "the sample has many windows");
    for (x, y) in a.iter().zip(&b) {
        for col in &head {
            if col.starts_with("p_") {
                let (p, q): (f64, f64) = (x[col].parse().unwrap(), y[col].parse().unwrap());
                assert!((p - q).abs() <= 2e-4, "{col}: {p} vs {q}");
            } else {
                assert_eq!(x[col], y[col], "{col}");
            }
        }
    }
}

#[test]
fn no_split_scores_each_document_as_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("pre.jsonl");
    std::fs::write(
        &input,
        "{\"id\":\"a\",\"text\":\"Win-win cooperation. Mutual trust.\"}\n{\"id\":\"b\",\"text\":\"Hegemonic bullying.\"}\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = score(&input, &out, &["--no-split"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (_, rows) = read_csv(&out.join("sentences.csv"));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["text"], "Win-win cooperation. Mutual trust.");
    assert_eq!(rows[1]["article_id"], "b");
}

#[test]
fn user_lexicon_adds_and_switches_off_terms() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("a.txt");
    std::fs::write(
        &input,
        "The chip wars are escalating. Officials promised de-risking, not decoupling.\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let user = root().join("tests/data/lexicon/user-example.csv");
    // Lexicon terms only: the learned tagger may find "de-risking" loaded on its own, which a
    // lexicon switch does not (and should not) silence.
    let o = score(
        &input,
        &out,
        &["--lexicon", user.to_str().unwrap(), "--no-tagger"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (_, terms) = read_csv(&out.join("terms.csv"));
    let entries: Vec<&str> = terms.iter().map(|t| t["entry"].as_str()).collect();
    assert!(entries.contains(&"chip war"), "{entries:?}");
    assert!(!entries.contains(&"de-risking"), "{entries:?}");

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "term,category,note,action\nfoo bar,,,off\n").unwrap();
    let o = framescore(&[
        "score",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--lexicon",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("bad.csv") && err.contains("not in the lexicon"),
        "{err}"
    );
}

#[test]
fn explain_names_the_words_that_drove_the_top_frame() {
    let dir = tempfile::tempdir().unwrap();
    let seed = root().join("datasets/articles").join(SEED);
    let out = dir.path().join("out");
    let o = score(&seed, &out, &["--explain"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = read_csv(&out.join("explanations.csv"));
    assert_eq!(
        h,
        [
            "article_id",
            "sentence_index",
            "frame",
            "p",
            "rank",
            "word",
            "start",
            "end",
            "drop"
        ]
    );
    let text = std::fs::read_to_string(&seed).unwrap();
    for r in &rows {
        let (s, e) = (r["start"].parse().unwrap(), r["end"].parse().unwrap());
        assert_eq!(
            slice_chars(&text, s, e),
            r["word"],
            "offsets are code points into the text"
        );
        assert!(r["drop"].parse::<f32>().unwrap() > 0.0);
    }
    let (_, sents) = read_csv(&out.join("sentences.csv"));
    let idx = sents
        .iter()
        .find(|s| {
            s["text"].starts_with(
                "To a certain extent, this restriction reflects the hegemonic mentality",
            )
        })
        .unwrap()["sentence_index"]
        .clone();
    let drivers: Vec<&Row> = rows.iter().filter(|r| r["sentence_index"] == idx).collect();
    assert_eq!(drivers[0]["frame"], "hegemony");
    assert!(
        drivers.iter().any(|r| r["word"] == "hegemonic"),
        "{drivers:?}"
    );
    assert!(
        !sample_run().join("explanations.csv").exists(),
        "only written with --explain"
    );
    // A later run without --explain into the same folder removes the explanations, which
    // would otherwise be read beside results they do not belong to.
    let o = score(&seed, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !out.join("explanations.csv").exists(),
        "stale explanations removed"
    );
}

#[test]
fn quotes_and_attributions_are_told_from_the_outlets_own_voice() {
    let rows = sentences();
    let voice = |start: &str| {
        rows.iter()
            .find(|r| r["text"].starts_with(start))
            .unwrap_or_else(|| panic!("{start}"))["voice"]
            .clone()
    };
    assert_eq!(voice("According to a report by Russia**"), "attributed");
    assert_eq!(
        voice("In addition, the UN General Assembly adopted a resolution"),
        "own",
        "title quotes are not quotations"
    );
    assert_eq!(
        voice("“Currently, Russia’s our only way up to orbit"),
        "quoted"
    );
    assert_eq!(
        voice("This shows that the United States is suppressing"),
        "own"
    );
    let (_, arts) = read_csv(&sample_run().join("articles.csv"));
    let voa = arts
        .iter()
        .find(|r| r["article_id"].starts_with("voa-2018-12"))
        .unwrap();
    assert!(
        voa["share_quoted_words"].parse::<f64>().unwrap() > 0.1,
        "{voa:?}"
    );
}

#[test]
fn sentence_bias_is_scored_and_summarised() {
    for r in sentences() {
        let p: f32 = r["p_biased"].parse().unwrap();
        assert!((0.0..=1.0).contains(&p));
    }
    let (_, arts) = read_csv(&sample_run().join("articles.csv"));
    for a in &arts {
        let mean: f64 = a["mean_p_biased"].parse().unwrap();
        let share: f64 = a["share_biased"].parse().unwrap();
        assert!((0.0..=1.0).contains(&mean) && (0.0..=1.0).contains(&share));
    }
    let mfa = arts
        .iter()
        .find(|r| r["article_id"].starts_with("mfa-2023-02-20-us-hegemony"))
        .unwrap();
    let nasa = arts
        .iter()
        .find(|r| r["article_id"].starts_with("nasa-2022-03-24"))
        .unwrap();
    let mean = |r: &Row| r["mean_p_biased"].parse::<f64>().unwrap();
    assert!(
        mean(mfa) > mean(nasa),
        "a polemic reads more biased than a science release: {} vs {}",
        mean(mfa),
        mean(nasa)
    );
}

/// The progress bar moves while a large document is encoded, before any row is written (it
/// used to sit at "0 B" until the first window was written). Run under a pseudo-terminal
/// (`script`, from util-linux), since the bar only draws on a terminal.
#[test]
fn progress_moves_while_a_large_document_is_encoded() {
    let dir = tempfile::tempdir().unwrap();
    let words = [
        "the",
        "United",
        "States",
        "space",
        "China",
        "cooperation",
        "orbit",
        "security",
        "said",
        "lunar",
        "agency",
        "treaty",
        "nations",
        "mission",
        "research",
        "launch",
    ];
    // A deterministic pseudo-random text of about 150 KB, a period every 20 words.
    let (mut x, mut text) = (7u64, String::new());
    for i in 0..24_000 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        text += words[(x >> 33) as usize % words.len()];
        text += if i % 20 == 19 { ". " } else { " " };
    }
    let input = dir.path().join("long.txt");
    std::fs::write(&input, text).unwrap();
    let cmd = format!(
        "{} score {} --out {} --no-report",
        env!("CARGO_BIN_EXE_framescore"),
        input.display(),
        dir.path().join("out").display()
    );
    let o = std::process::Command::new("script")
        .args(["-qfec", &cmd, "/dev/null"])
        .env("COLUMNS", "160")
        .output()
        .expect("script (util-linux) runs the command on a pseudo-terminal");
    assert!(o.status.success(), "{}", stderr(&o));
    let screen = String::from_utf8_lossy(&o.stdout).replace('\r', "\n");
    // "00:00:02 [=====>    ] 14.39 KiB/146.48 KiB 0 docs written, 96 sentences encoded"
    let positions: std::collections::BTreeSet<String> = screen
        .lines()
        .filter(|l| l.contains("0 docs written") && l.contains("sentences encoded"))
        .filter_map(|l| {
            let before = l.split('/').next()?;
            let mut words = before.split_whitespace().rev();
            let (unit, number) = (words.next()?, words.next()?);
            (number != "0").then(|| format!("{number} {unit}"))
        })
        .collect();
    assert!(
        positions.len() >= 3,
        "the bar moved before the document was written: {positions:?}\n{screen}"
    );
}

/// `--precision int8` (the fast path on CPUs without native bf16): the seed article keeps its
/// frames (against the default precision's run), `run.json` says int8, and `--deterministic`,
/// which int8's per-batch activation scales cannot honour, is refused with the reason.
#[test]
fn int8_precision_keeps_the_seed_articles_frames() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let seed = root().join("datasets/articles").join(SEED);
    let o = score(&seed, &out, &["--precision", "int8", "--no-report"]);
    assert!(o.status.success(), "score failed: {}", stderr(&o));
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["precision"], "int8");
    let (_, int8) = read_csv(&out.join("sentences.csv"));
    let reference: Vec<Row> = sentences()
        .into_iter()
        .filter(|r| r["article_id"] == SEED)
        .collect();
    assert_eq!(int8.len(), reference.len());
    let same = int8
        .iter()
        .zip(&reference)
        .filter(|(a, b)| a["frames"] == b["frames"])
        .count();
    assert!(
        same + 2 >= reference.len(),
        "{same} of {} sentences keep their frames",
        reference.len()
    );
    for (a, b) in int8.iter().zip(&reference) {
        for p in ["p_hegemony", "p_cooperation", "p_security", "p_biased"] {
            let (x, y): (f64, f64) = (a[p].parse().unwrap(), b[p].parse().unwrap());
            assert!((x - y).abs() < 0.2, "{p}: {x} against {y}: {}", a["text"]);
        }
    }
    let o = framescore(&[
        "score",
        seed.to_str().unwrap(),
        "--out",
        dir.path().join("det").to_str().unwrap(),
        "--precision",
        "int8",
        "--deterministic",
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--deterministic"), "{}", stderr(&o));
}
