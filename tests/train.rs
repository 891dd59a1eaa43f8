//! `framescore train` and `eval` through the real binary, on the real encoder.

mod common;

use common::{framescore, read_csv, root, score, stderr, train_custom_frames};

/// Every 6th row of the shipped training data: small enough to be quick, with every frame.
fn small_training_csv(dir: &std::path::Path) -> std::path::PathBuf {
    sample_csv("datasets/framing/train.csv", 6, dir, "small.csv")
}

#[test]
fn training_is_reproducible_and_the_model_scores() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_training_csv(dir.path());
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let o = framescore(&[
            "train",
            "--data",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--seed",
            "7",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(String::from_utf8_lossy(&o.stdout).contains("macro"));
    }
    let heads = |d: &std::path::Path| std::fs::read(d.join("heads.safetensors")).unwrap();
    assert_eq!(
        heads(&a),
        heads(&b),
        "same data and seed give the same heads"
    );
    assert_eq!(
        std::fs::read_to_string(a.join("frames.json")).unwrap(),
        std::fs::read_to_string(b.join("frames.json")).unwrap()
    );

    // The new model scores articles; eval reads the frozen test split.
    let scored = dir.path().join("scored");
    let seed = root().join("datasets/articles/mondo-2024-01-28-nasa-china-lunar-samples.txt");
    let o = score(&seed, &scored, &["--model", a.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv_out = dir.path().join("eval.csv");
    let o = framescore(&[
        "eval",
        "--model",
        a.to_str().unwrap(),
        "--csv",
        csv_out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (_, rows) = read_csv(&csv_out);
    assert_eq!(rows.len(), 4, "three frames and the macro row");
    let macro_f1: f64 = rows[3]["f1"].parse().unwrap();
    assert!(
        macro_f1 > 0.4,
        "even a model from 1/6 of the data beats chance: {macro_f1}"
    );
}

/// The README's worked example ("Your own frames"): a codebook and a hand-labelled CSV in
/// tests/data/custom-frames/, trained and scored exactly as the README says.
#[test]
fn user_defined_frames_become_the_columns() {
    let dir = tempfile::tempdir().unwrap();
    let example = root().join("tests/data/custom-frames");
    let book = example.join("codebook.toml");
    // As the README says: train --data labels.csv --codebook codebook.toml --out DIR --seed 42.
    let train = |book: &std::path::Path, out: &std::path::Path| train_custom_frames(book, out, &[]);
    let model = dir.path().join("my-frames");
    let o = train(&book, &model);
    assert!(o.status.success(), "{}", stderr(&o));
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(model.join("frames.json")).unwrap()).unwrap();
    assert_eq!(
        config["labels"],
        serde_json::json!(["economic", "human_rights"])
    );
    let described = config["codebook"]["frame"][1]["description"]
        .as_str()
        .unwrap();
    assert!(
        described.contains("dignity"),
        "the model keeps the codebook: {config}"
    );

    // Sentences the model never saw, one per row (--no-split).
    let input = dir.path().join("new.csv");
    std::fs::write(
        &input,
        "id,text\n\
         trade,\"Lower tariffs and new investment will create jobs and lift exports across the region.\"\n\
         debt,\"The debt burden of the poorest countries is strangling their growth.\"\n\
         torture,\"No one should be tortured or imprisoned for peacefully expressing an opinion.\"\n\
         women,\"Women and girls must enjoy equal rights and protection from discrimination.\"\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = score(
        &input,
        &out,
        &["--no-split", "--model", model.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = read_csv(&out.join("sentences.csv"));
    assert!(
        h.contains(&"p_economic".to_string()) && !h.contains(&"p_hegemony".to_string()),
        "{h:?}"
    );
    let p = |id: &str, frame: &str| -> f64 {
        let r = rows.iter().find(|r| r["article_id"] == id).unwrap();
        r[&format!("p_{frame}")].parse().unwrap()
    };
    for econ in ["trade", "debt"] {
        for rights in ["torture", "women"] {
            assert!(
                p(econ, "economic") > p(rights, "economic"),
                "{econ} vs {rights}"
            );
            assert!(
                p(rights, "human_rights") > p(econ, "human_rights"),
                "{rights} vs {econ}"
            );
        }
    }
    let frames = |id: &str| rows.iter().find(|r| r["article_id"] == id).unwrap()["frames"].clone();
    assert!(frames("trade").contains("economic"), "{}", frames("trade"));
    assert!(
        frames("torture").contains("human_rights"),
        "{}",
        frames("torture")
    );
    let (h, _) = read_csv(&out.join("articles.csv"));
    assert!(h.contains(&"share_human_rights".to_string()));

    // A codebook that does not match the CSV is refused, naming the column.
    let other = dir.path().join("other.toml");
    std::fs::write(
        &other,
        "[[frame]]\nname = \"economic\"\ndescription = \"The economy.\"\n",
    )
    .unwrap();
    let o = train(&other, &dir.path().join("x"));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("human_rights"), "{}", stderr(&o));
}

#[test]
fn bad_training_data_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("bad.csv");
    std::fs::write(&data, "id,text,hegemony\n1,Some text,yes\n").unwrap();
    let o = framescore(&[
        "train",
        "--data",
        data.to_str().unwrap(),
        "--out",
        dir.path().join("m").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("must be 0 or 1"), "{}", stderr(&o));
}

/// Every `step`-th line of a shipped JSONL file, written to `dir/name`.
fn sample_jsonl(src: &str, step: usize, dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(root().join(src)).unwrap();
    let lines: Vec<&str> = text.lines().step_by(step).collect();
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// Every `step`-th row of a shipped labelled CSV, written to `dir/name`.
fn sample_csv(src: &str, step: usize, dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let (headers, rows) = read_csv(&root().join(src));
    let path = dir.join(name);
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(&headers).unwrap();
    for r in rows.iter().step_by(step) {
        w.write_record(headers.iter().map(|h| r[h].as_str()))
            .unwrap();
    }
    w.flush().unwrap();
    path
}

/// `framescore tune` of one layer for one epoch on `tasks` (NAME, FILE) into `out`.
fn tune_briefly(
    tasks: &[(&str, &std::path::Path)],
    out: &std::path::Path,
    extra: &[&str],
) -> std::process::Output {
    let mut args: Vec<String> = vec!["tune".into()];
    for (name, path) in tasks {
        args.push("--task".into());
        args.push(format!("{name}={}", path.display()));
    }
    for a in [
        "--out",
        out.to_str().unwrap(),
        "--layers",
        "1",
        "--epochs",
        "1",
    ] {
        args.push(a.into());
    }
    args.extend(extra.iter().map(|a| a.to_string()));
    framescore(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn tune_writes_tuned_layers_and_models_that_score_together() {
    let dir = tempfile::tempdir().unwrap();
    let frames = sample_csv("datasets/framing/train.csv", 15, dir.path(), "frames.csv");
    let bias = sample_csv("datasets/babe/train.csv", 20, dir.path(), "bias.csv");
    let spans = sample_jsonl(
        "datasets/tagging/train.jsonl",
        40,
        dir.path(),
        "spans.jsonl",
    );
    let out = dir.path().join("models");
    let o = tune_briefly(
        &[("frames", &frames), ("bias", &bias), ("tagger", &spans)],
        &out,
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("frames: validation scores"), "{stdout}");
    assert!(stdout.contains("two-class macro-F1"), "{stdout}");
    assert!(stdout.contains("word F1"), "{stdout}");
    // One tuned layer of all-MiniLM-L6-v2: 16 tensors, about 7 MB.
    let layers = std::fs::metadata(out.join("tuned/encoder.safetensors")).unwrap();
    assert!(layers.len() > 6_000_000 && layers.len() < 8_000_000);
    // The int8 path's activation ranges for these layers: 6 layers x 4 projections.
    let ranges = std::fs::metadata(out.join("tuned/int8-ranges.safetensors")).unwrap();
    assert!(
        ranges.len() > 40_000 && ranges.len() < 100_000,
        "{}",
        ranges.len()
    );
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("frames/frames.json")).unwrap())
            .unwrap();
    assert_eq!(config["layers"], "../tuned/encoder.safetensors");
    // Length-bucketed batches unless --random-batches; the card says which.
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("tuned/tuned.json")).unwrap())
            .unwrap();
    assert_eq!(card["length_bucketed"], true, "{card}");

    // Both new models score the seed article in one run.
    let seed = root().join("datasets/articles/mondo-2024-01-28-nasa-china-lunar-samples.txt");
    let scored = dir.path().join("scored");
    let (frames, bias, tagger) = (out.join("frames"), out.join("bias"), out.join("tagger"));
    let o = score(
        &seed,
        &scored,
        &[
            "--model",
            frames.to_str().unwrap(),
            "--bias-model",
            bias.to_str().unwrap(),
            "--tagger",
            tagger.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (_, rows) = read_csv(&scored.join("sentences.csv"));
    assert!(rows.len() > 30);
    assert!(rows
        .iter()
        .all(|r| r["p_hegemony"].parse::<f32>().is_ok() && r["p_biased"].parse::<f32>().is_ok()));

    // A frame model on other tuned layers than the bias model's is refused with a clear reason.
    let o = score(
        &seed,
        &dir.path().join("mixed"),
        &["--model", frames.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("different encoders"), "{}", stderr(&o));
}

#[test]
fn tagger_trains_evaluates_and_scores() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample_jsonl(
        "datasets/tagging/train.jsonl",
        10,
        dir.path(),
        "train.jsonl",
    );
    let test = sample_jsonl("datasets/tagging/test.jsonl", 10, dir.path(), "test.jsonl");
    let out = dir.path().join("tagger");
    let o = framescore(&[
        "train-tagger",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--test",
        test.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("held-out scores"), "{stdout}");
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("tagger.json")).unwrap()).unwrap();
    let threshold = config["threshold"].as_f64().unwrap();
    assert!(threshold > 0.0 && threshold < 1.0);

    // eval prints word-level and character-overlap scores per source.
    let o = framescore(&[
        "eval",
        "--tagger",
        out.to_str().unwrap(),
        "--tagger-data",
        test.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let row = |source: &str| -> Vec<f64> {
        stdout
            .lines()
            .find(|l| l.starts_with(source))
            .unwrap_or_else(|| panic!("no {source} row in {stdout}"))
            .split_whitespace()
            .skip(2)
            .map(|v| v.parse().unwrap())
            .collect()
    };
    for source in ["babe", "ptc", "all"] {
        let scores = row(source);
        assert_eq!(scores.len(), 6);
        assert!(scores.iter().all(|v| (0.0..=1.0).contains(v)));
    }
    // Even a tagger trained on a tenth of the data finds some BABE biased words.
    assert!(row("babe")[2] > 0.2, "{stdout}");
}

/// `framescore distill`: a 4-layer student of the shipped fast set, trained briefly on a few
/// hundred sentences, keeps the set's heads and scores with `--models`; a student is refused as
/// a teacher, and so is a student whose frozen layers are not the checkpoint's first ones.
#[test]
fn distill_makes_a_shallower_set_that_keeps_the_heads_and_scores() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample_csv("datasets/framing/train.csv", 10, dir.path(), "texts.csv");
    let out = dir.path().join("lite");
    let o = framescore(&[
        "distill",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--epochs",
        "1",
        "--held-out",
        "100",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("student of 4 layers"), "{stdout}");
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("tuned/tuned.json")).unwrap())
            .unwrap();
    assert_eq!(card["depth"], 4, "{card}");
    assert_eq!(card["base_encoder"], "minilm", "{card}");
    assert_eq!(card["keep"], serde_json::json!([0, 1, 4, 5]), "{card}");
    // Training moved the student towards the teacher on sentences it never saw.
    let before = card["closeness_before"]["mean_cosine"].as_f64().unwrap();
    let after = card["closeness_after"]["mean_cosine"].as_f64().unwrap();
    assert!(after > before + 0.02, "{before} -> {after}");
    // Its own two layers (about 7 MB each), the int8 ranges, the teacher's heads unchanged.
    let layers = std::fs::metadata(out.join("tuned/encoder.safetensors")).unwrap();
    assert!(layers.len() > 13_000_000 && layers.len() < 16_000_000);
    assert!(out.join("tuned/int8-ranges.safetensors").is_file());
    for head in [
        "frames/heads.safetensors",
        "bias/heads.safetensors",
        "tagger/head.safetensors",
        "stance/head.safetensors",
    ] {
        assert_eq!(
            std::fs::read(out.join(head)).unwrap(),
            std::fs::read(root().join("models").join(head)).unwrap(),
            "{head}"
        );
    }

    let seed = root().join("datasets/articles/mondo-2024-01-28-nasa-china-lunar-samples.txt");
    for precision in ["fp32", "int8"] {
        let scored = dir.path().join(format!("scored-{precision}"));
        let o = score(
            &seed,
            &scored,
            &["--models", out.to_str().unwrap(), "--precision", precision],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let (_, rows) = read_csv(&scored.join("sentences.csv"));
        assert!(rows.len() > 30);
        assert!(rows.iter().all(|r| r["p_hegemony"].parse::<f32>().is_ok()));
        let (_, actors) = read_csv(&scored.join("actors.csv"));
        assert!(actors.iter().any(|r| r["actor"] == "USA"));
    }

    let o = framescore(&[
        "distill",
        "--teacher",
        out.to_str().unwrap(),
        "--out",
        dir.path().join("again").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("itself a distilled student"),
        "{}",
        stderr(&o)
    );
    let o = framescore(&[
        "distill",
        "--keep",
        "1,2,5",
        "--data",
        data.to_str().unwrap(),
        "--out",
        dir.path().join("bad").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("checkpoint's first ones"),
        "{}",
        stderr(&o)
    );
}

/// A stance task alone paces the tuning (it wraps around beside other tasks, but alone it sets
/// the number of steps), and `--stance-own-weight` is recorded.
#[test]
fn tune_with_a_stance_task_alone_trains_it() {
    let dir = tempfile::tempdir().unwrap();
    let stance = sample_jsonl(
        "datasets/newsmtsc/train.jsonl",
        20,
        dir.path(),
        "stance.jsonl",
    );
    let out = dir.path().join("models");
    let o = tune_briefly(&[("stance", &stance)], &out, &["--stance-own-weight", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("stance: validation scores"), "{stdout}");
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("tuned/tuned.json")).unwrap())
            .unwrap();
    assert_eq!(card["stance_own_weight"], 2, "{card}");
    // The tuned layer moved: it differs from the checkpoint's top layer.
    let tuned = tch::Tensor::read_safetensors(out.join("tuned/encoder.safetensors")).unwrap();
    let base =
        tch::Tensor::read_safetensors(root().join("models/minilm/model.safetensors")).unwrap();
    let name = "encoder.layer.5.output.dense.weight";
    let find = |v: &[(String, tch::Tensor)]| {
        v.iter()
            .find(|(n, _)| n.ends_with(name))
            .map(|(_, t)| t.shallow_clone())
            .unwrap()
    };
    let moved = (find(&tuned) - find(&base)).abs().max().double_value(&[]);
    assert!(moved > 1e-4, "{moved}");
}
