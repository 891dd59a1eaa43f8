//! The PySpark example job (examples/spark/) on a real local Spark (pyspark from PyPI and a
//! Java runtime, installed by `scripts/setup.sh --spark`, which `scripts/test.sh` asks for):
//! `local[2]`, 4 partitions, over the sample corpus plus 200 UN General Debate speeches; its
//! sentence, term and article rows must equal one `framescore score` run over the same input,
//! and its Spark-computed summaries must equal summary.csv.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use common::{read_csv, root, score, stderr, Row};

/// Reads the job's Parquet output back with pyspark and dumps it as JSON lines.
const DUMP: &str = r#"
import sys
from pyspark.sql import SparkSession
spark = SparkSession.builder.master("local[1]").appName("dump").getOrCreate()
src, dst = sys.argv[1], sys.argv[2]
for name in ("sentences", "terms", "articles"):
    spark.read.parquet(f"{src}/{name}").coalesce(1).write.mode("overwrite").json(f"{dst}/{name}")
for name in ("summary_corpus", "summary_sources"):
    spark.read.option("header", True).option("inferSchema", True).csv(f"{src}/{name}").coalesce(1).write.mode("overwrite").json(f"{dst}/{name}")
spark.stop()
"#;

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".into())
}

/// The JSON objects of every part file in `dir`.
fn json_rows(dir: &Path) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            for l in std::fs::read_to_string(&p).unwrap().lines() {
                out.push(serde_json::from_str(l).unwrap());
            }
        }
    }
    out
}

/// Whether a Spark value equals a CSV cell: numbers as numbers, text as text, an absent value
/// as an empty cell.
fn same(v: Option<&serde_json::Value>, cell: &str) -> bool {
    match v {
        None | Some(serde_json::Value::Null) => cell.is_empty(),
        Some(serde_json::Value::Number(n)) => cell
            .parse::<f64>()
            .is_ok_and(|c| (c - n.as_f64().unwrap()).abs() < 1e-9),
        Some(serde_json::Value::String(s)) => s == cell,
        Some(serde_json::Value::Bool(b)) => cell == if *b { "true" } else { "false" },
        Some(_) => false,
    }
}

fn check_rows(kind: &str, csv_rows: &[Row], spark: &[serde_json::Value], key: &[&str]) {
    assert_eq!(
        csv_rows.len(),
        spark.len(),
        "{kind}: as many rows as the single run"
    );
    let k = |get: &dyn Fn(&str) -> String| key.iter().map(|c| get(c)).collect::<Vec<_>>().join("|");
    let by_key: HashMap<String, &serde_json::Value> = spark
        .iter()
        .map(|v| {
            let get = |c: &str| match &v[c] {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k(&get), v)
        })
        .collect();
    for row in csv_rows {
        let id = k(&|c: &str| row[c].clone());
        let v = by_key
            .get(&id)
            .unwrap_or_else(|| panic!("{kind} {id} is in Spark's rows"));
        for (col, cell) in row {
            if col == "source" || col == "path" {
                // source is the Parquet partition column (checked through the summaries);
                // path is "-" for standard input.
                continue;
            }
            assert!(
                same(v.get(col), cell),
                "{kind} {id} {col}: {:?} vs {cell:?}",
                v.get(col)
            );
        }
    }
}

fn close(a: f64, b: &str, tol: f64) -> bool {
    (a - b.parse::<f64>().unwrap()).abs() <= tol
}

fn check_summary(spark: &serde_json::Value, row: &Row) {
    let num = |c: &str| spark[c].as_f64().unwrap_or(0.0);
    let what = format!("{} {}", row["scope"], row["source"]);
    for c in [
        "n_articles",
        "n_failed",
        "n_sentences",
        "n_words",
        "n_loaded_terms",
    ] {
        assert!(close(num(c), &row[c], 0.0), "{what} {c}");
    }
    // summary.csv prints 4 decimals, a tie like 0.03125 rounded to even; Spark keeps all.
    for c in ["share_hegemony", "share_cooperation", "share_security"] {
        assert!(
            close(num(c), &row[c], 0.0000501),
            "{what} {c}: {} vs {}",
            num(c),
            row[c]
        );
    }
    assert!(
        close(
            num("loaded_per_1k_words"),
            &row["loaded_per_1k_words"],
            0.000501
        ),
        "{what}"
    );
    // Spark averages the 4-decimal p_biased of the rows; summary.csv the exact values.
    for c in ["mean_p_biased", "share_biased"] {
        assert!(
            close(num(c), &row[c], 0.001),
            "{what} {c}: {} vs {}",
            num(c),
            row[c]
        );
    }
}

#[test]
fn the_spark_job_gives_the_rows_and_summaries_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    // The sample corpus as JSON lines (whole files as text), then 200 UN speeches.
    let mut corpus = String::new();
    let mut files: Vec<_> = std::fs::read_dir(root().join("datasets/articles"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for p in files {
        let id = p.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&p).unwrap();
        corpus += &serde_json::json!({"id": id, "source": "sample", "text": text}).to_string();
        corpus.push('\n');
    }
    corpus +=
        &std::fs::read_to_string(root().join("datasets/ungdc-sample/speeches-200.jsonl")).unwrap();
    let input = dir.path().join("corpus.jsonl");
    std::fs::write(&input, corpus).unwrap();

    let single = dir.path().join("single");
    let o = score(&input, &single, &["--deterministic", "--no-report"]);
    assert!(o.status.success(), "{}", stderr(&o));

    let out = dir.path().join("spark");
    let job = Command::new(python())
        .arg(root().join("examples/spark/framescore_spark.py"))
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .args(["--master", "local[2]", "--partitions", "4", "--framescore"])
        .arg(env!("CARGO_BIN_EXE_framescore"))
        .output()
        .expect("python3 with pyspark (scripts/setup.sh --spark installs it)");
    assert!(
        job.status.success(),
        "the Spark job failed: {}",
        stderr(&job)
    );
    let stats: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&job.stdout).lines().last().unwrap()).unwrap();
    assert_eq!(stats["partitions"], 4);
    assert_eq!(stats["articles"], 231);

    let dump = dir.path().join("dump");
    let o = Command::new(python())
        .args(["-c", DUMP])
        .arg(&out)
        .arg(&dump)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));

    let (_, sentences) = read_csv(&single.join("sentences.csv"));
    check_rows(
        "sentence",
        &sentences,
        &json_rows(&dump.join("sentences")),
        &["article_id", "sentence_index"],
    );
    let (_, terms) = read_csv(&single.join("terms.csv"));
    check_rows(
        "term",
        &terms,
        &json_rows(&dump.join("terms")),
        &["article_id", "sentence_index", "start"],
    );
    let (_, articles) = read_csv(&single.join("articles.csv"));
    check_rows(
        "article",
        &articles,
        &json_rows(&dump.join("articles")),
        &["article_id"],
    );

    let (_, summary) = read_csv(&single.join("summary.csv"));
    let corpus_row = summary.iter().find(|r| r["scope"] == "corpus").unwrap();
    check_summary(&json_rows(&dump.join("summary_corpus"))[0], corpus_row);
    let spark_sources: HashMap<String, serde_json::Value> =
        json_rows(&dump.join("summary_sources"))
            .into_iter()
            .map(|v| (v["source"].as_str().unwrap().to_string(), v))
            .collect();
    let sources: Vec<&Row> = summary.iter().filter(|r| r["scope"] == "source").collect();
    assert_eq!(sources.len(), spark_sources.len());
    for row in sources {
        check_summary(&spark_sources[&row["source"]], row);
    }
}
