//! `framescore merge` and `--deterministic` through the real binary (issue 17): shards of a
//! corpus scored separately merge into exactly the files one run over the whole corpus writes.

mod common;

use std::path::{Path, PathBuf};

use common::{framescore, root, score, stderr};

/// The sample corpus plus a file that cannot be read and two JSONL files sharing an id.
fn corpus(dir: &Path) -> Vec<PathBuf> {
    let c = dir.join("corpus");
    std::fs::create_dir_all(&c).unwrap();
    for e in std::fs::read_dir(root().join("datasets/articles")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, c.join(p.file_name().unwrap())).unwrap();
    }
    std::fs::write(c.join("m-broken.bin"), b"\x00\x01binary").unwrap();
    let line = |t: &str| format!("{{\"id\": \"dup\", \"source\": \"Wire\", \"text\": \"{t}\"}}\n");
    std::fs::write(
        c.join("a-dup.jsonl"),
        line("The United States seeks hegemony in orbit."),
    )
    .unwrap();
    std::fs::write(
        c.join("z-dup.jsonl"),
        line("China and Russia cooperate on the Moon."),
    )
    .unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&c)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

fn run(inputs: &[PathBuf], out: &Path, extra: &[&str]) {
    let mut args: Vec<String> = vec!["score".into()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args.extend(
        [
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--no-report",
            "--deterministic",
        ]
        .map(String::from),
    );
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = framescore(&args);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
}

#[test]
fn merged_shards_equal_one_run_over_the_whole_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let files = corpus(dir.path());
    let whole = dir.path().join("whole");
    run(&[dir.path().join("corpus")], &whole, &[]);
    // Three shards, one of them on one thread; the broken file and one "dup" in different
    // shards from the other "dup".
    let shards: Vec<PathBuf> = (1..=3)
        .map(|i| dir.path().join(format!("shard{i}")))
        .collect();
    run(&files[..12], &shards[0], &[]);
    run(&files[12..24], &shards[1], &["-j", "1"]);
    run(&files[24..], &shards[2], &[]);
    let merged = dir.path().join("merged");
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(|s| s.to_str().unwrap()));
    args.extend(["--out", merged.to_str().unwrap()]);
    let o = framescore(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("1 ids made unique"), "{}", stderr(&o));
    for f in [
        "articles.csv",
        "sentences.csv",
        "terms.csv",
        "summary.csv",
        "actors.csv",
        "actors_summary.csv",
    ] {
        assert!(
            std::fs::read(whole.join(f)).unwrap() == std::fs::read(merged.join(f)).unwrap(),
            "{f}: merged shards equal one run byte for byte"
        );
    }
    let ids = std::fs::read_to_string(merged.join("articles.csv")).unwrap();
    assert!(ids.contains("\ndup,") && ids.contains("\ndup#2,"));
    assert!(ids.contains(",error,"), "the failed document is kept");
    assert!(merged.join("report.html").exists());
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(merged.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["documents"], 34);

    // A merged folder merges again (its roll-ups are counts too).
    let again = dir.path().join("again");
    let o = framescore(&[
        "merge",
        merged.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
        "--no-report",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["summary.csv", "actors_summary.csv"] {
        assert_eq!(
            std::fs::read(whole.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap(),
            "{f}"
        );
    }

    // A shard whose files changed since its run is refused.
    let terms = shards[1].join("terms.csv");
    let mut t = std::fs::read_to_string(&terms).unwrap();
    let last = t.lines().last().unwrap().to_string();
    t.push_str(&last);
    t.push('\n');
    std::fs::write(&terms, t).unwrap();
    let bad = dir.path().join("bad");
    let o = framescore(&[
        "merge",
        shards[0].to_str().unwrap(),
        shards[1].to_str().unwrap(),
        "--out",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("terms.csv changed"), "{}", stderr(&o));
}

#[test]
fn deterministic_scores_do_not_depend_on_the_company_of_a_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let seed = root().join("datasets/articles/mondo-2024-01-28-nasa-china-lunar-samples.txt");
    let alone = dir.path().join("alone");
    let with = dir.path().join("with");
    let o = score(&seed, &alone, &["--deterministic", "--no-report"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = score(
        &root().join("datasets/articles"),
        &with,
        &["--deterministic", "--no-report"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = |dir: &Path, file: &str| -> Vec<String> {
        std::fs::read_to_string(dir.join(file))
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("mondo-"))
            .map(String::from)
            .collect()
    };
    // Sentences, and the actor mentions whose stance and filter run on the same batches.
    for (file, least) in [("sentences.csv", 30), ("actors.csv", 50)] {
        let (a, b) = (rows(&alone, file), rows(&with, file));
        assert!(a.len() > least, "{file}: {}", a.len());
        assert_eq!(
            a, b,
            "{file}: the design article scores the same alone and with its corpus"
        );
    }
}

/// `score - --format jsonl` (JSON lines in, JSON lines out, as Spark's RDD.pipe and Hadoop
/// streaming use it) gives the rows a file run writes as CSV, field for field.
#[test]
fn streaming_json_lines_give_the_rows_of_a_file_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut jsonl = String::new();
    for e in std::fs::read_dir(root().join("datasets/articles")).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        let body = text.split("\n---\n").last().unwrap();
        let id = p.file_name().unwrap().to_string_lossy().into_owned();
        jsonl += &serde_json::json!({"id": id, "source": "Sample", "text": body}).to_string();
        jsonl.push('\n');
    }
    jsonl += "{broken\n";
    let file = dir.path().join("corpus.jsonl");
    std::fs::write(&file, &jsonl).unwrap();
    let out = dir.path().join("out");
    let o = score(&file, &out, &["--deterministic", "--no-report"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_framescore"))
        .args(["score", "-", "--format", "jsonl", "--deterministic"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(jsonl.as_bytes()).unwrap();
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = String::from_utf8(o.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("every stdout line is JSON"))
        .collect();
    for (kind, file) in [
        ("sentence", "sentences.csv"),
        ("term", "terms.csv"),
        ("article", "articles.csv"),
        ("actor", "actors.csv"),
    ] {
        let (_, rows) = common::read_csv(&out.join(file));
        let objs: Vec<&serde_json::Value> = lines.iter().filter(|l| l["kind"] == kind).collect();
        assert_eq!(objs.len(), rows.len(), "{kind}: one object per CSV row");
        for (obj, row) in objs.iter().zip(&rows) {
            for (col, cell) in row {
                let v = &obj[col.as_str()];
                let id_of_stdin = col == "article_id" && cell.starts_with("corpus.jsonl:");
                if col == "path" || id_of_stdin {
                    continue;
                }
                match v {
                    serde_json::Value::Number(n) => {
                        assert_eq!(
                            n.as_f64().unwrap(),
                            cell.parse::<f64>().unwrap(),
                            "{kind}.{col}"
                        )
                    }
                    serde_json::Value::String(s) => assert_eq!(s, cell, "{kind}.{col}"),
                    other => panic!("{kind}.{col}: {other}"),
                }
            }
        }
    }
    assert!(stderr(&o).contains("on standard output"));
}
