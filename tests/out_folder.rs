//! The output folder through the real binary (issue 18): one run at a time, earlier results
//! kept through kills and interrupts, leftovers cleaned, the run record matching its files,
//! unique article ids, and spreadsheet-safe cells on request.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{read_csv, root, score, stderr};

fn sample() -> PathBuf {
    root().join("datasets/articles")
}

/// `score INPUT --out OUT --quiet --explain` in the background: slow enough (occlusion runs
/// the encoder once per word) to be caught while it writes.
fn spawn_slow(out: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_framescore"))
        .args(["score", sample().to_str().unwrap(), "--out"])
        .arg(out)
        .args(["--quiet", "--explain"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("run framescore")
}

/// Waits until the run `pid` has its staging folder in `out` (it holds the lock by then).
fn wait_for_staging(out: &Path, child: &mut Child) -> PathBuf {
    let staging = out.join(format!(".staging-{}", child.id()));
    let start = Instant::now();
    while !staging.exists() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it was caught"
        );
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no staging folder"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    staging
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: kill(2) on a child process id this test owns and has not reaped.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, sig) };
    assert_eq!(rc, 0, "kill {sig}");
}

/// Every file run.json names matches its checksum.
fn consistent(out: &Path) -> serde_json::Value {
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let files = run["files"].as_object().unwrap();
    assert!(files.len() >= 4, "{files:?}");
    for (name, sum) in files {
        let bytes = std::fs::read(out.join(name)).unwrap();
        let digest: String = {
            use sha2::Digest;
            sha2::Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        };
        assert_eq!(&digest, sum.as_str().unwrap(), "{name} matches run.json");
    }
    run
}

#[test]
fn a_second_run_into_a_busy_folder_is_refused_and_the_first_completes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut first = spawn_slow(&out);
    wait_for_staging(&out, &mut first);
    let second = score(&sample(), &out, &[]);
    assert_eq!(second.status.code(), Some(2), "{}", stderr(&second));
    let msg = stderr(&second);
    assert!(
        msg.contains(&format!("process {}", first.id())),
        "names the other run: {msg}"
    );
    assert!(msg.contains("another --out"), "{msg}");
    let status = first.wait().unwrap();
    assert!(status.success());
    let run = consistent(&out);
    assert!(run["files"].get("explanations.csv").is_some());
}

#[test]
fn killed_or_interrupted_runs_leave_earlier_results_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = score(&sample(), &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = consistent(&out);

    // SIGKILL: nothing can run, so the staging folder stays until the next run; the results
    // in place are untouched.
    let mut killed = spawn_slow(&out);
    let staging = wait_for_staging(&out, &mut killed);
    signal(&killed, libc::SIGKILL);
    killed.wait().unwrap();
    assert!(staging.exists());
    assert_eq!(consistent(&out), before, "earlier results unchanged");
    assert!(!out.join("explanations.csv").exists());

    // SIGINT and SIGTERM: the run removes its staging folder and exits 130.
    for sig in [libc::SIGINT, libc::SIGTERM] {
        let mut child = spawn_slow(&out);
        let staging = wait_for_staging(&out, &mut child);
        signal(&child, sig);
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(130), "{sig}");
        assert!(!staging.exists(), "{sig}: staging removed");
        assert_eq!(consistent(&out), before, "{sig}: earlier results unchanged");
    }

    // The next run clears what the killed one left and replaces the set whole.
    let o = score(
        &sample().join("un-2020-gadis3658-first-committee-outer-space-threats.txt"),
        &out,
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let after = consistent(&out);
    assert_ne!(after["files"], before["files"]);
    let leftovers: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".staging-") || n.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let (_, arts) = read_csv(&out.join("articles.csv"));
    assert_eq!(arts.len(), 1);
}

#[test]
fn duplicate_ids_get_suffixes_and_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("in");
    std::fs::create_dir_all(&corpus).unwrap();
    let line = |text: &str| format!("{{\"id\": \"story-1\", \"text\": \"{text}\"}}\n");
    std::fs::write(
        corpus.join("a.jsonl"),
        line("Washington pursues hegemony in orbit."),
    )
    .unwrap();
    std::fs::write(
        corpus.join("b.jsonl"),
        line("Beijing and Moscow signed a lunar cooperation deal.") + &line("A third copy."),
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = score(&corpus, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (_, arts) = read_csv(&out.join("articles.csv"));
    let ids: Vec<&str> = arts.iter().map(|r| r["article_id"].as_str()).collect();
    assert_eq!(ids, ["story-1", "story-1#2", "story-1#3"]);
    assert!(
        stderr(&o).contains("2 documents had an article_id"),
        "{}",
        stderr(&o)
    );
    let (_, sents) = read_csv(&out.join("sentences.csv"));
    let of = |id: &str| -> Vec<String> {
        sents
            .iter()
            .filter(|s| s["article_id"] == id)
            .map(|s| s["text"].clone())
            .collect()
    };
    assert_eq!(
        of("story-1#2"),
        ["Beijing and Moscow signed a lunar cooperation deal."]
    );
    assert_eq!(of("story-1#3"), ["A third copy."]);
}

#[test]
fn excel_safe_neutralises_formula_cells_only_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("in.jsonl");
    let doc = serde_json::json!({
        "id": "=1+1",
        "title": "=HYPERLINK(\"http://example.org\",\"click\")",
        "source": "@outlet",
        "url": "-x",
        "text": "+cmd is a formula to a spreadsheet. The United States pursues hegemony.",
    });
    std::fs::write(&corpus, format!("{doc}\n")).unwrap();
    let plain = dir.path().join("plain");
    let safe = dir.path().join("safe");
    assert!(score(&corpus, &plain, &[]).status.success());
    let o = score(&corpus, &safe, &["--excel-safe"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (_, a) = read_csv(&plain.join("articles.csv"));
    assert_eq!(
        a[0]["title"],
        "=HYPERLINK(\"http://example.org\",\"click\")"
    );
    assert_eq!(a[0]["article_id"], "=1+1");
    let (_, a) = read_csv(&safe.join("articles.csv"));
    assert_eq!(
        a[0]["title"],
        "'=HYPERLINK(\"http://example.org\",\"click\")"
    );
    assert_eq!(a[0]["article_id"], "'=1+1");
    assert_eq!(a[0]["source"], "'@outlet");
    assert_eq!(a[0]["url"], "'-x");
    assert!(
        a[0]["n_sentences"].parse::<usize>().is_ok(),
        "numbers are left alone"
    );
    let (_, s) = read_csv(&safe.join("sentences.csv"));
    assert!(s[0]["text"].starts_with("'+cmd"));
    assert_eq!(s[0]["article_id"], "'=1+1");
    assert!(s.iter().all(|r| !r["p_hegemony"].starts_with('\'')));
    let (_, sum) = read_csv(&safe.join("summary.csv"));
    assert_eq!(sum[1]["source"], "'@outlet");
}

/// `score --resume --window 16 --no-report` on the sample corpus into `out`, in the background.
fn spawn_resume(out: &Path, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_framescore"))
        .args(["score", sample().to_str().unwrap(), "--out"])
        .arg(out)
        .args(["--quiet", "--no-report", "--window", "16", "--resume"])
        .args(extra)
        .stderr(Stdio::piped())
        .spawn()
        .expect("run framescore")
}

/// The documents behind the newest checkpoint in `out` (0 when there is none).
fn behind(out: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(out) else {
        return 0;
    };
    entries
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.ok()?.path().join("checkpoint.json")).ok()?;
            let v: serde_json::Value = serde_json::from_str(&text).ok()?;
            v["docs_behind"].as_u64()
        })
        .max()
        .unwrap_or(0) as usize
}

#[test]
fn a_killed_run_resumes_to_the_files_of_an_uninterrupted_one() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    let o = score(&sample(), &whole, &["--window", "16", "--no-report"]);
    assert!(o.status.success(), "{}", stderr(&o));

    let out = dir.path().join("out");
    // Killed three times, each at a different point after a new checkpoint: right at it, and
    // 150 and 400 ms into the next chunk.
    let mut last = 0;
    for delay in [0, 150, 400] {
        let mut child = spawn_resume(&out, &[]);
        let start = Instant::now();
        while behind(&out) <= last {
            assert!(child.try_wait().unwrap().is_none(), "the run ended first");
            assert!(start.elapsed() < Duration::from_secs(120));
            std::thread::sleep(Duration::from_millis(10));
        }
        std::thread::sleep(Duration::from_millis(delay));
        signal(&child, libc::SIGKILL);
        child.wait().unwrap();
        last = behind(&out);
        assert!(
            !out.join("articles.csv").exists(),
            "nothing in place before the end"
        );
    }
    assert!(last > 0 && last < 31, "stopped part-way: {last}");

    // Other options than the interrupted run's are refused.
    let o = score(
        &sample(),
        &out,
        &["--window", "16", "--no-report", "--resume", "--excel-safe"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("without --resume"), "{}", stderr(&o));

    let o = spawn_resume(&out, &[]).wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "articles.csv",
        "sentences.csv",
        "terms.csv",
        "summary.csv",
        "actors.csv",
        "actors_summary.csv",
    ] {
        let (a, b) = (
            std::fs::read(whole.join(f)).unwrap(),
            std::fs::read(out.join(f)).unwrap(),
        );
        assert!(a == b, "{f} is byte-identical to the uninterrupted run's");
    }
    consistent(&out);
    let left: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".staging-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    // With nothing to resume, --resume scores from the start.
    let fresh = dir.path().join("fresh");
    let o = score(
        &sample(),
        &fresh,
        &["--window", "16", "--no-report", "--resume"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(whole.join("sentences.csv")).unwrap(),
        std::fs::read(fresh.join("sentences.csv")).unwrap()
    );
}

/// A full disk (here: a file-size limit, which fails writes the same way) stops the run with
/// the file's path, removes its partial files, and leaves earlier results in place.
#[test]
fn a_failed_write_names_the_file_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let seed = sample().join("mondo-2024-01-28-nasa-china-lunar-samples.txt");
    let o = score(&seed, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = consistent(&out);
    // 16 KiB per file: the sample corpus's sentences.csv (about 100 KB) cannot be written.
    let cmd = format!(
        "trap '' XFSZ; ulimit -f 16; exec {} score {} --out {} --quiet",
        env!("CARGO_BIN_EXE_framescore"),
        sample().display(),
        out.display()
    );
    let o = Command::new("bash").args(["-c", &cmd]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let msg = stderr(&o);
    assert!(
        msg.contains("cannot write") && msg.contains(".csv"),
        "names the file: {msg}"
    );
    assert_eq!(consistent(&out), before, "earlier results unchanged");
    let left: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".staging-"))
        .collect();
    assert!(left.is_empty(), "partial files removed: {left:?}");
}

/// A run killed while it moved its files into place (between two renames) left a new file
/// beside old ones and the rest, with its run.json, in its staging folder: the next command on
/// the folder completes the set, so the files are one run's again.
#[test]
fn a_set_interrupted_while_moved_into_place_is_completed() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new, out) = (
        dir.path().join("old"),
        dir.path().join("new"),
        dir.path().join("out"),
    );
    let seed = sample().join("mondo-2024-01-28-nasa-china-lunar-samples.txt");
    let other = sample().join("un-2020-gadis3658-first-committee-outer-space-threats.txt");
    assert!(score(&seed, &old, &["--no-report"]).status.success());
    assert!(score(&other, &new, &["--no-report"]).status.success());
    // The state a kill between the first and second rename leaves: the old run.json removed,
    // the new articles.csv moved in, the other new files and run.json still staged.
    std::fs::create_dir_all(out.join(".staging-99999")).unwrap();
    for f in [
        "sentences.csv",
        "terms.csv",
        "summary.csv",
        "actors.csv",
        "actors_summary.csv",
    ] {
        std::fs::copy(old.join(f), out.join(f)).unwrap();
        std::fs::copy(new.join(f), out.join(".staging-99999").join(f)).unwrap();
    }
    std::fs::copy(new.join("articles.csv"), out.join("articles.csv")).unwrap();
    std::fs::copy(
        new.join("rollups.json"),
        out.join(".staging-99999/rollups.json"),
    )
    .unwrap();
    std::fs::copy(new.join("run.json"), out.join(".staging-99999/run.json")).unwrap();

    let o = common::framescore(&["report", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("completed the set"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("changed since"), "{}", stderr(&o));
    for f in [
        "articles.csv",
        "sentences.csv",
        "terms.csv",
        "summary.csv",
        "run.json",
    ] {
        assert_eq!(
            std::fs::read(new.join(f)).unwrap(),
            std::fs::read(out.join(f)).unwrap(),
            "{f} is the new run's"
        );
    }
    assert!(!out.join(".staging-99999").exists());
    consistent(&out);
}
