//! The accurate model set (`models/accurate/`, on all-mpnet-base-v2) through the real binary:
//! `score --models` finds the encoder the models were tuned on by itself, and the set scores
//! what its model card says on the frozen test split.

mod common;

use common::{eval_f1, read_csv, root, score, stderr, train_custom_frames};

const SEED: &str = "mondo-2024-01-28-nasa-china-lunar-samples.txt";

#[test]
fn accurate_models_score_the_seed_article() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let seed = root().join("datasets/articles").join(SEED);
    let accurate = root().join("models/accurate");
    let o = score(&seed, &out, &["--models", accurate.to_str().unwrap()]);
    assert!(o.status.success(), "score failed: {}", stderr(&o));
    let (headers, rows) = read_csv(&out.join("sentences.csv"));
    for column in ["p_hegemony", "p_cooperation", "p_security", "p_biased"] {
        assert!(headers.iter().any(|h| h == column), "{column} missing");
    }
    let find = |start: &str| {
        rows.iter()
            .find(|r| r["text"].starts_with(start))
            .unwrap_or_else(|| panic!("no sentence starts with {start:?}"))
    };
    let hegemony = find("This shows that the United States is suppressing and blockading China");
    assert!(
        hegemony["frames"].split(';').any(|f| f == "hegemony"),
        "frames: {} (p={})",
        hegemony["frames"],
        hegemony["p_hegemony"]
    );
    let samples = find("At the same time, China has also actively shared lunar samples");
    assert!(
        samples["frames"].split(';').any(|f| f == "cooperation"),
        "frames: {} (p={})",
        samples["frames"],
        samples["p_cooperation"]
    );
    let (_, terms) = read_csv(&out.join("terms.csv"));
    assert!(
        terms.iter().any(|t| t["origin"].contains("model")),
        "the accurate set's tagger finds terms too"
    );
}

/// A model set from the fast encoder and one from the accurate encoder cannot be mixed: each
/// head reads the same encoder pass.
#[test]
fn mixing_model_sets_is_refused_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    let seed = root().join("datasets/articles").join(SEED);
    let (accurate, fast_tagger) = (root().join("models/accurate"), root().join("models/tagger"));
    let o = score(
        &seed,
        &dir.path().join("out"),
        &[
            "--models",
            accurate.to_str().unwrap(),
            "--tagger",
            fast_tagger.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("different encoders"), "{}", stderr(&o));
}

/// The frozen test split scored with the accurate frame model: the figures the frame model
/// card reports (at the default precision), within a sentence or two.
#[test]
fn accurate_frame_model_scores_as_its_card_says() {
    let scores = eval_f1(
        &root().join("models/accurate/frames"),
        &root().join("datasets/framing/test.csv"),
    );
    let macro_f1 = scores
        .iter()
        .find(|(f, _)| f == "macro")
        .expect("macro row")
        .1;
    assert!(macro_f1 >= MACRO_FLOOR, "macro-F1 {macro_f1}");
}

/// The card's test macro-F1 (0.792 since the retraining of 2026-12-07, at fp32 and bf16) less
/// about 0.01: a few sentences of the 607.
const MACRO_FLOOR: f64 = 0.78;

/// User-defined frames trained for the accurate set: `train --encoder-layers` with the
/// accurate set's tuned layers loads all-mpnet-base-v2 by itself (their tuned.json names it),
/// and the new model scores beside the accurate bias model and tagger in one run.
#[test]
fn custom_frames_train_on_the_accurate_encoder() {
    let dir = tempfile::tempdir().unwrap();
    let example = root().join("tests/data/custom-frames");
    let model = dir.path().join("my-frames");
    let layers = root().join("models/accurate/tuned/encoder.safetensors");
    let o = train_custom_frames(
        &example.join("codebook.toml"),
        &model,
        &["--encoder-layers", layers.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(model.join("frames.json")).unwrap()).unwrap();
    assert_eq!(config["encoder"], "mpnet", "{config}");

    let input = dir.path().join("new.csv");
    std::fs::write(
        &input,
        "id,text\n\
         trade,\"Lower tariffs and new investment will create jobs and lift exports across the region.\"\n\
         torture,\"No one should be tortured or imprisoned for peacefully expressing an opinion.\"\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let accurate = root().join("models/accurate");
    let o = score(
        &input,
        &out,
        &[
            "--no-split",
            "--models",
            accurate.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (_, rows) = read_csv(&out.join("sentences.csv"));
    let frames = |id: &str| rows.iter().find(|r| r["article_id"] == id).unwrap()["frames"].clone();
    assert!(frames("trade").contains("economic"), "{}", frames("trade"));
    assert!(
        frames("torture").contains("human_rights"),
        "{}",
        frames("torture")
    );
}
