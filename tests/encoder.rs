//! The encoder reproduces sentence-transformers' embeddings for both encoders it runs:
//! all-MiniLM-L6-v2 (BERT) and all-mpnet-base-v2 (MPNet, the accurate mode's). Reference vectors
//! were computed once by scripts/make_reference.py with the Python library.

use framescore::model::encode::{rows, Encoder};

#[derive(serde::Deserialize)]
struct Reference {
    sentences: Vec<String>,
    embeddings: Vec<Vec<f32>>,
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb)
}

fn load_reference(file: &str) -> Reference {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn embeddings_match_sentence_transformers() {
    matches_sentence_transformers("minilm", "reference_embeddings.json");
}

/// MPNet's relative-position bias, position offset and weight names, end to end: the
/// reference holds a 350-token sentence, so distant buckets (log-spaced, capped at 128 tokens)
/// are exercised too.
#[test]
fn mpnet_embeddings_match_sentence_transformers() {
    matches_sentence_transformers("mpnet", "reference_embeddings_mpnet.json");
}

fn matches_sentence_transformers(encoder: &str, reference: &str) {
    let reference = load_reference(reference);
    let encoder = Encoder::load(&framescore::models_dir().join(encoder), 4).unwrap();
    let texts: Vec<&str> = reference.sentences.iter().map(String::as_str).collect();
    let got = rows(&encoder.embed(&texts).unwrap().matrix);
    assert_eq!(got.len(), reference.embeddings.len());
    let mut worst = 1.0f32;
    for ((text, want), have) in texts.iter().zip(&reference.embeddings).zip(&got) {
        let norm: f32 = have.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "not unit length: {text}");
        assert_eq!(have.len(), want.len(), "embedding width");
        let c = cosine(want, have);
        assert!(c >= 0.9999, "cosine {c} < 0.9999 for {text:?}");
        worst = worst.min(c);
    }
    eprintln!("lowest cosine to sentence-transformers: {worst:.6}");
}

#[test]
fn batching_and_order_do_not_change_embeddings() {
    let reference = load_reference("reference_embeddings.json");
    let encoder = Encoder::load(&framescore::models_dir().join("minilm"), 3).unwrap();
    let mut texts: Vec<&str> = reference.sentences.iter().map(String::as_str).collect();
    texts.reverse();
    let got = rows(&encoder.embed(&texts).unwrap().matrix);
    for (i, have) in got.iter().enumerate() {
        let want = &reference.embeddings[reference.embeddings.len() - 1 - i];
        assert!(
            cosine(want, have) >= 0.999,
            "row {i} out of order or batch-dependent"
        );
    }
}

#[test]
fn missing_model_folder_says_how_to_fix_it() {
    let err = Encoder::load(std::path::Path::new("/nonexistent/minilm"), 32)
        .err()
        .unwrap();
    let msg = format!("{err:#}");
    assert!(msg.contains("scripts/setup.sh"), "{msg}");
}

/// Text without sentence ends is cut into pieces the encoder sees whole: every piece of a long
/// unpunctuated run (real UN prose with its punctuation stripped) fits the 256-token window of
/// both encoders, so no word goes unscored.
#[test]
fn cut_pieces_of_unpunctuated_text_fit_the_encoder_window() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut text = String::new();
    for f in std::fs::read_dir(dir.join("datasets/articles")).unwrap() {
        let f = f.unwrap().path();
        if f.file_name().unwrap().to_string_lossy().starts_with("un") {
            text += &std::fs::read_to_string(f).unwrap();
        }
    }
    let text: String = text
        .chars()
        .filter(|c| !matches!(c, '.' | '!' | '?' | '\n' | ';' | ':'))
        .collect();
    let pieces = framescore::text::segment::split(&text);
    assert!(pieces.len() > 5, "the run is cut");
    for name in ["minilm", "mpnet"] {
        let encoder = Encoder::load(&dir.join("models").join(name), 8).unwrap();
        let texts: Vec<&str> = pieces.iter().map(|r| &text[r.clone()]).collect();
        let encodings = encoder.tokenize(&texts).unwrap();
        // Truncation would cap at the window; a piece that fits has room for its [SEP].
        for (t, e) in texts.iter().zip(&encodings) {
            assert!(
                e.get_ids().len() < 256,
                "{name}: {} tokens: {t}",
                e.get_ids().len()
            );
        }
    }
}

/// The shipped model sets, as (base encoder folder, tuned layers file).
fn shipped_sets() -> [(std::path::PathBuf, std::path::PathBuf); 3] {
    let m = framescore::models_dir();
    [
        (m.join("minilm"), m.join("tuned/encoder.safetensors")),
        (
            m.join("mpnet"),
            m.join("accurate/tuned/encoder.safetensors"),
        ),
        (m.join("minilm"), m.join("lite/tuned/encoder.safetensors")),
    ]
}

/// `--precision int8` reads its activation ranges from the file `framescore tune` writes beside
/// the tuned layers instead of measuring them at start-up; for both shipped sets the file
/// matches the layers, and the encoder quantised with it is the one quantised with ranges
/// measured afresh, to the last bit.
#[test]
fn shipped_int8_ranges_match_the_tuned_layers_and_a_fresh_measurement() {
    let reference = load_reference("reference_embeddings.json");
    let texts: Vec<&str> = reference.sentences.iter().map(String::as_str).collect();
    for (base, layers) in shipped_sets() {
        let mut stored = Encoder::load_tuned(&base, 8, false, Some(&layers)).unwrap();
        assert!(
            stored.has_stored_int8_ranges(),
            "{} has no matching int8-ranges.safetensors beside it; write it with \
             `cargo test --release --test encoder write_shipped_int8_ranges -- --ignored`",
            layers.display()
        );
        stored.quantize_int8().unwrap();
        // The same layers in a folder without the file: the ranges are measured.
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("encoder.safetensors");
        std::fs::copy(&layers, &copy).unwrap();
        // The card says how deep the encoder is (the lite set's student has 4 layers).
        std::fs::copy(
            layers.with_file_name("tuned.json"),
            copy.with_file_name("tuned.json"),
        )
        .unwrap();
        let mut measured = Encoder::load_tuned(&base, 8, false, Some(&copy)).unwrap();
        assert!(!measured.has_stored_int8_ranges());
        measured.quantize_int8().unwrap();
        assert_eq!(
            rows(&stored.embed(&texts).unwrap().matrix),
            rows(&measured.embed(&texts).unwrap().matrix),
            "{}",
            layers.display()
        );
    }
}

/// Writes the shipped sets' int8 ranges (what `framescore tune` does for the layers it writes):
/// `cargo test --release --test encoder write_shipped_int8_ranges -- --ignored`.
#[test]
#[ignore]
fn write_shipped_int8_ranges() {
    for (base, layers) in shipped_sets() {
        let encoder = Encoder::load_tuned(&base, 8, false, Some(&layers)).unwrap();
        eprintln!("{}", encoder.write_int8_ranges().unwrap().display());
    }
}
