//! Bad input never crashes a run and never disappears: every document found gets its row.

mod common;

use std::io::Write;

use common::{framescore, read_csv, score, stderr, Row};

fn row<'a>(rows: &'a [Row], id: &str) -> &'a Row {
    rows.iter()
        .find(|r| r["article_id"] == id)
        .unwrap_or_else(|| panic!("no row for {id}"))
}

#[test]
fn every_bad_input_gets_a_row_and_the_rest_is_scored() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let w = |name: &str, bytes: &[u8]| std::fs::write(input.join(name), bytes).unwrap();
    w("good.txt", b"title: Good\nsource: Test Wire\n---\nThe United States is suppressing China. Both sides call for win-win cooperation.\n");
    w("empty.txt", b"");
    w("blank.md", b"   \n\n  \n");
    w(
        "binary.txt",
        b"\x7fELF\x02\x01\x01\x00\x00\x00binary junk\x00\x00",
    );
    w("latin1.txt", b"Caf\xe9 society and the Cold War mentality.");
    w("lines.jsonl", b"{\"text\": \"Security threats in orbit are growing.\"}\n{not json\n{\"title\": \"no text field\"}\n");
    w("notext.csv", b"id,body\n1,Some article text.\n");
    w("rows.csv", b"id,text,source\nr1,\"Mutual trust is key.\",Wire\nr2,\"Bloc confrontation returns.\",Wire\n");
    w("report.pdf", b"%PDF-1.4 fake");
    // A 20 MB text file: a few distinct sentences repeated (embedded once each, so it is quick).
    let mut big = std::fs::File::create(input.join("big.txt")).unwrap();
    let para = "The space race is heating up. Officials met in Geneva to discuss transparency. Win-win cooperation was urged.\n\n";
    for _ in 0..(20 * 1024 * 1024 / para.len() + 1) {
        big.write_all(para.as_bytes()).unwrap();
    }
    drop(big);
    let missing = dir.path().join("missing-folder");

    let out = dir.path().join("out");
    let o = framescore(&[
        "score",
        input.to_str().unwrap(),
        missing.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "exit 1 when some documents fail: {}",
        stderr(&o)
    );
    let (_, rows) = read_csv(&out.join("articles.csv"));

    // Documents found: 10 one-document files + 2 extra JSONL lines + 1 extra CSV row + the missing path.
    assert_eq!(
        rows.len(),
        14,
        "ids: {:?}",
        rows.iter().map(|r| &r["article_id"]).collect::<Vec<_>>()
    );

    let status = |id: &str| row(&rows, id)["status"].clone();
    let reason = |id: &str| row(&rows, id)["error"].to_lowercase();
    assert_eq!(status("good.txt"), "ok");
    assert_eq!(row(&rows, "good.txt")["source"], "Test Wire");
    assert_eq!(status("empty.txt"), "empty");
    assert_eq!(status("blank.md"), "empty");
    assert_eq!(status("binary.txt"), "error");
    assert!(reason("binary.txt").contains("binary"));
    assert_eq!(status("latin1.txt"), "error");
    assert!(reason("latin1.txt").contains("utf-8"));
    assert_eq!(status("lines.jsonl:1"), "ok");
    assert_eq!(status("lines.jsonl:2"), "error");
    assert!(reason("lines.jsonl:2").contains("json"));
    assert_eq!(status("lines.jsonl:3"), "error");
    assert!(reason("lines.jsonl:3").contains("text"));
    assert_eq!(status("notext.csv"), "error");
    assert!(reason("notext.csv").contains("text"));
    assert_eq!(status("r1"), "ok");
    assert_eq!(status("r2"), "ok");
    assert_eq!(status("report.pdf"), "error");
    assert!(reason("report.pdf").contains("unsupported"));
    assert_eq!(status("big.txt"), "ok");
    assert!(
        row(&rows, "big.txt")["n_sentences"]
            .parse::<usize>()
            .unwrap()
            > 100_000
    );
    let missing_row = rows
        .iter()
        .find(|r| r["path"].contains("missing-folder"))
        .expect("missing path row");
    assert_eq!(missing_row["status"], "error");
    for r in &rows {
        if r["status"] != "ok" {
            assert!(!r["error"].is_empty(), "{} has no reason", r["article_id"]);
        }
    }

    // The good documents were scored.
    let (_, sents) = read_csv(&out.join("sentences.csv"));
    assert!(sents
        .iter()
        .any(|s| s["article_id"] == "good.txt" && s["loaded_terms"].contains("suppressing")));
    let err = stderr(&o);
    assert!(
        err.contains("failed"),
        "the run says how many failed: {err}"
    );
}

#[test]
fn usage_and_setup_errors_exit_2_with_advice() {
    let o = framescore(&["score"]);
    assert_eq!(o.status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    let o = framescore(&[
        "score",
        dir.path().to_str().unwrap(),
        "--out",
        dir.path().join("o").to_str().unwrap(),
        "--model",
        "/nonexistent/model",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("framescore train"), "{}", stderr(&o));
    // A wrong model set names --models, the option that was meant.
    let o = framescore(&[
        "score",
        dir.path().to_str().unwrap(),
        "--out",
        dir.path().join("o").to_str().unwrap(),
        "--models",
        "/nonexistent/set",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("--models") && err.contains("/nonexistent/set"),
        "{err}"
    );
}

/// `--out` inside the input folder: reruns never read earlier results back in as documents.
#[test]
fn output_folder_inside_the_input_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("n");
    std::fs::create_dir(&corpus).unwrap();
    for name in ["a.txt", "b.txt"] {
        std::fs::write(
            corpus.join(name),
            "China and the United States agreed to share lunar samples.\n",
        )
        .unwrap();
    }
    let out = corpus.join("results");
    for _ in 0..3 {
        let o = score(&corpus, &out, &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        let (_, rows) = read_csv(&out.join("articles.csv"));
        assert_eq!(rows.len(), 2, "{rows:?}");
    }
}

/// A typo in the input path or an empty input folder scores nothing: exit 2, and the earlier
/// results in --out are left as they were.
#[test]
fn nothing_to_score_exits_2_and_keeps_earlier_results() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("articles");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(
        corpus.join("a.txt"),
        "NASA and CNSA agreed to exchange data.\n",
    )
    .unwrap();
    let out = dir.path().join("results");
    let o = score(&corpus, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = std::fs::read(out.join("articles.csv")).unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for input in [dir.path().join("artcles"), empty] {
        let o = score(&input, &out, &[]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("nothing to score"), "{}", stderr(&o));
        assert_eq!(std::fs::read(out.join("articles.csv")).unwrap(), before);
    }
}

#[test]
fn help_explains_every_option() {
    let o = framescore(&["score", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    for opt in [
        "--out",
        "--model",
        "--lexicon",
        "--no-split",
        "--quiet",
        "--encoder",
        "--threads",
        "--batch-size",
    ] {
        assert!(help.contains(opt), "--help lacks {opt}");
    }
    let o = framescore(&["--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    for cmd in ["score", "train", "eval", "Exit status"] {
        assert!(help.contains(cmd), "--help lacks {cmd}");
    }
}
