//! Which words drove a sentence's top frame, by occlusion (leave-one-word-out).
//!
//! For a sentence whose top frame is carried, every word is deleted in turn, each variant goes
//! through the real encoder and the real frame head, and a word scores by how much the frame's
//! probability falls without it: `p(full) - p(without the word)`. The words with the largest
//! positive drops are the sentence's drivers.
//!
//! Why occlusion: it is model-agnostic (it treats the encoder plus heads as a black box, so it stays
//! valid when the heads or features change), it uses the shipped model end to end (tokenizer,
//! MiniLM, mean + max pooling, standardised logistic head; no surrogate or linear approximation),
//! and it needs no gradients (the encoder runs without autograd, as in scoring). A drop is a
//! counterfactual a reader can check: "without *blockading* the hegemony probability goes from
//! 0.47 to 0.25". Its limits: words are removed one at a time, so two redundant cues ("suppressing
//! and blockading") each show a smaller drop than the pair, and a deletion can leave an
//! ungrammatical sentence, which is part of what the model sees.
//!
//! Cost: one encoder pass per occluded word (at most [`MAX_WORDS`] per sentence), batched with the
//! variants of every other sentence given in the same call.

use std::collections::HashMap;
use std::ops::Range;

use anyhow::{bail, Result};

use crate::model::encode::Encoder;
use crate::model::frames::FrameModel;
use crate::text::words::words;

pub use crate::doc::{Driver, Explanation};

/// Words occluded per sentence. Longer sentences are explained by their first `MAX_WORDS` words
/// only (later words never become drivers); this bounds the cost of run-on sentences, which the
/// segmenter allows up to 2,000 bytes.
pub const MAX_WORDS: usize = 60;

/// Occluded variants per encoder call, so that memory stays bounded for any number of sentences
/// (one call holds the strings and a `[WINDOW, 2 * hidden]` feature matrix).
pub const WINDOW: usize = 4096;

/// Explains many sentences at once: all occluded variants of all given sentences go through the
/// encoder together (sorted batches inside `embed`), so the cost is one encoder pass per word.
/// `probs[i]` are the sentence's frame probabilities already computed by the pipeline.
///
/// Returns one entry per sentence: `None` when no frame is carried (nothing to explain),
/// otherwise the carried frame with the highest probability and its top `top` drivers.
/// Identical sentences are occluded once. Variants are embedded in windows of at most [`WINDOW`]
/// texts; a sentence's variants never straddle two windows. Results are deterministic for the
/// same input; a drop may differ by about 1e-7 when the same sentence is explained beside
/// different companions (batch padding changes floating-point rounding, not the result).
pub fn explain(
    encoder: &Encoder,
    model: &FrameModel,
    sentences: &[&str],
    probs: &[Vec<f32>],
    top: usize,
) -> Result<Vec<Option<Explanation>>> {
    if sentences.len() != probs.len() {
        bail!(
            "explain: {} sentences but {} probability rows",
            sentences.len(),
            probs.len()
        );
    }
    let k = model.labels().len();
    // One job per distinct (sentence, frame): the words to occlude and, once embedded, the
    // frame's probability without each of them.
    let mut jobs: Vec<Job> = Vec::new();
    let mut seen: HashMap<(&str, usize), usize> = HashMap::new();
    let mut job_of: Vec<Option<(usize, usize)>> = Vec::with_capacity(sentences.len());
    for (i, (&text, p)) in sentences.iter().zip(probs).enumerate() {
        if p.len() != k {
            bail!(
                "explain: sentence {i} has {} probabilities, the frame model has {k} labels",
                p.len()
            );
        }
        job_of.push(top_frame(model, p).map(|frame| {
            let j = *seen.entry((text, frame)).or_insert_with(|| {
                let mut ws = words(text);
                ws.truncate(MAX_WORDS);
                jobs.push(Job {
                    text,
                    frame,
                    words: ws,
                    without: Vec::new(),
                });
                jobs.len() - 1
            });
            (j, frame)
        }));
    }

    let mut start = 0;
    while start < jobs.len() {
        let mut end = start;
        let mut count = 0;
        while end < jobs.len() && (end == start || count + jobs[end].words.len() <= WINDOW) {
            count += jobs[end].words.len();
            end += 1;
        }
        let window = &mut jobs[start..end];
        let variants: Vec<String> = window
            .iter()
            .flat_map(|j| j.words.iter().map(|w| occlude(j.text, w.clone())))
            .collect();
        if !variants.is_empty() {
            let texts: Vec<&str> = variants.iter().map(String::as_str).collect();
            let rows = model.predict(&encoder.embed(&texts)?.features);
            let mut rows = rows.into_iter();
            for job in window.iter_mut() {
                job.without = rows
                    .by_ref()
                    .take(job.words.len())
                    .map(|r| r[job.frame])
                    .collect();
            }
        }
        start = end;
    }

    Ok(job_of
        .iter()
        .zip(probs)
        .map(|(job, p)| {
            let &(j, frame) = job.as_ref()?;
            let job = &jobs[j];
            let p = p[frame];
            let mut drivers: Vec<Driver> = job
                .words
                .iter()
                .zip(&job.without)
                .map(|(w, &q)| Driver {
                    start: w.start,
                    end: w.end,
                    word: job.text[w.clone()].to_string(),
                    drop: p - q,
                })
                .filter(|d| d.drop > 0.0)
                .collect();
            drivers.sort_by(|a, b| b.drop.total_cmp(&a.drop).then(a.start.cmp(&b.start)));
            drivers.truncate(top);
            Some(Explanation { frame, p, drivers })
        })
        .collect())
}

struct Job<'a> {
    text: &'a str,
    frame: usize,
    words: Vec<Range<usize>>,
    /// The frame's probability with each word removed, parallel to `words`.
    without: Vec<f32>,
}

/// The carried frame with the highest probability (ties: the first label), if any.
fn top_frame(model: &FrameModel, probs: &[f32]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (k, &p) in probs.iter().enumerate() {
        if model.carries(k, p) && best.is_none_or(|b| p > probs[b]) {
            best = Some(k);
        }
    }
    best
}

/// The sentence with the word at `w` deleted. Where the word stood between two spaces, one of
/// them goes too, so the variant reads like natural text rather than having a double gap.
fn occlude(sentence: &str, w: Range<usize>) -> String {
    let before = &sentence[..w.start];
    let after = &sentence[w.end..];
    let (before, after) = if before.trim_end().is_empty() {
        ("", after.trim_start())
    } else if after.trim_start().is_empty() {
        (before.trim_end(), "")
    } else if before.ends_with(char::is_whitespace) && after.starts_with(char::is_whitespace) {
        (before, after.trim_start())
    } else {
        (before, after)
    };
    let mut s = String::with_capacity(before.len() + after.len());
    s.push_str(before);
    s.push_str(after);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load() -> (Encoder, FrameModel) {
        let model = FrameModel::load(&crate::models_dir().join("frames")).unwrap();
        let encoder = Encoder::load_tuned(
            &crate::models_dir().join("minilm"),
            32,
            false,
            model.layers_file(),
        )
        .unwrap();
        (encoder, model)
    }

    fn probs(encoder: &Encoder, model: &FrameModel, sentences: &[&str]) -> Vec<Vec<f32>> {
        model.predict(&encoder.embed(sentences).unwrap().features)
    }

    const SUPPRESS: &str =
        "This shows that the United States is suppressing and blockading China in the space field.";
    const SHARED: &str =
        "At the same time, China has also actively shared lunar samples and related \
         data with the international community, demonstrating its willingness to carry out \
         cooperation and exchanges.";
    const NO_FRAME: &str = "Chang'e-5 returned 1,731 grams of lunar soil.";

    #[test]
    fn occlusion_deletes_the_word_and_one_space() {
        let s = "the United States is suppressing China.";
        let w = words(s);
        assert_eq!(
            occlude(s, w[0].clone()),
            "United States is suppressing China."
        );
        assert_eq!(
            occlude(s, w[3].clone()),
            "the United States suppressing China."
        );
        assert_eq!(
            occlude(s, w[5].clone()),
            "the United States is suppressing ."
        );
        assert_eq!(occlude("win", 0..3), "");
        assert_eq!(
            occlude("a “win” b", words("a “win” b")[1].clone()),
            "a “” b"
        );
    }

    #[test]
    fn explains_the_codebook_examples() {
        let (encoder, model) = load();
        let sentences = [SUPPRESS, SHARED, NO_FRAME];
        let probs = probs(&encoder, &model, &sentences);
        let out = explain(&encoder, &model, &sentences, &probs, 3).unwrap();
        let labels = model.labels();

        let e = out[0].as_ref().expect("hegemony is carried");
        assert_eq!(labels[e.frame], "hegemony");
        let w: Vec<&str> = e.drivers.iter().map(|d| d.word.as_str()).collect();
        assert!(
            w.contains(&"suppressing") || w.contains(&"blockading"),
            "{w:?}"
        );

        let e = out[1].as_ref().expect("cooperation is carried");
        assert_eq!(labels[e.frame], "cooperation");
        let w: Vec<&str> = e.drivers.iter().map(|d| d.word.as_str()).collect();
        assert!(w.contains(&"cooperation") || w.contains(&"shared"), "{w:?}");

        assert!(
            out[2].is_none(),
            "no frame should be carried: {:?}",
            probs[2]
        );

        for (s, e) in sentences.iter().zip(&out) {
            let Some(e) = e else { continue };
            assert!(e.drivers.len() <= 3 && !e.drivers.is_empty());
            assert_eq!(
                e.p,
                probs[sentences.iter().position(|x| x == s).unwrap()][e.frame]
            );
            for d in &e.drivers {
                assert_eq!(&s[d.start..d.end], d.word);
                assert!(d.drop > 0.0);
            }
            assert!(e.drivers.windows(2).all(|p| p[0].drop >= p[1].drop));
        }

        // Deterministic, and duplicates get the same answer as the first occurrence.
        let again = explain(&encoder, &model, &sentences, &probs, 3).unwrap();
        assert_eq!(out, again);
        let twice = [SUPPRESS, SUPPRESS];
        let dup = explain(
            &encoder,
            &model,
            &twice,
            &[probs[0].clone(), probs[0].clone()],
            3,
        )
        .unwrap();
        assert_eq!(dup[0], dup[1]);
        // Companions change batch padding, not the answer.
        let alone = explain(&encoder, &model, &sentences[..1], &probs[..1], 3).unwrap();
        let (a, b) = (alone[0].as_ref().unwrap(), out[0].as_ref().unwrap());
        for (x, y) in a.drivers.iter().zip(&b.drivers) {
            assert_eq!(x.word, y.word);
            assert!((x.drop - y.drop).abs() < 1e-4, "{x:?} vs {y:?}");
        }
        // `top` bounds the drivers.
        let one = explain(&encoder, &model, &sentences[..1], &probs[..1], 1).unwrap();
        assert_eq!(one[0].as_ref().unwrap().drivers.len(), 1);
        // Mismatched inputs are an error, not a panic.
        assert!(explain(&encoder, &model, &sentences, &probs[..1], 3).is_err());
        assert!(explain(&encoder, &model, &[SUPPRESS], &[vec![0.9]], 3).is_err());
    }

    #[test]
    fn long_sentences_occlude_only_the_first_words() {
        let (encoder, model) = load();
        let filler = "and the space field ".repeat(20);
        let long = format!("{SUPPRESS} {filler}");
        assert!(words(&long).len() > MAX_WORDS);
        // Force the hegemony frame to be carried, whatever the real probability is.
        let p = vec![0.99, 0.0, 0.0];
        let out = explain(&encoder, &model, &[&long], &[p], 60).unwrap();
        let e = out[0].as_ref().unwrap();
        let last = words(&long)[MAX_WORDS - 1].end;
        assert!(e.drivers.iter().all(|d| d.end <= last));
    }

    /// Drivers of five sentences of the seed article, for the model card and the report.
    #[test]
    fn seed_article_drivers() {
        let (encoder, model) = load();
        let article = std::fs::read_to_string(
            crate::datasets_dir().join("articles/mondo-2024-01-28-nasa-china-lunar-samples.txt"),
        )
        .unwrap();
        let sentences = [
            SUPPRESS,
            "To a certain extent, this restriction reflects the hegemonic mentality of the United \
             States and its concern about China's rise.",
            SHARED,
            "However, under the Wolf Act, passed by Congress in 2011, NASA is not allowed to \
             cooperate with China unless authorized by Congress.",
            "However, whether this attempt will succeed depends on whether the US side can \
             convince Congress and the FBI to ensure the security of cooperation.",
        ];
        for s in sentences {
            assert!(article.contains(s), "not in the seed article: {s}");
        }
        let probs = probs(&encoder, &model, &sentences);
        let out = explain(&encoder, &model, &sentences, &probs, 3).unwrap();
        for (s, e) in sentences.iter().zip(&out) {
            let e = e.as_ref().expect("every seed example carries a frame");
            let drivers: Vec<String> = e
                .drivers
                .iter()
                .map(|d| format!("{} {:.3}", d.word, d.drop))
                .collect();
            eprintln!(
                "{} p={:.2}, drivers (drop) [{}] <- {s}",
                model.labels()[e.frame],
                e.p,
                drivers.join(", ")
            );
        }
    }

    /// Cost on the corpus: `cargo test --release --lib explain::tests::cost -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn cost() {
        let (encoder, model) = load();
        let dir = crate::datasets_dir().join("articles");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        let texts: Vec<String> = paths
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect();
        let all: Vec<&str> = texts
            .iter()
            .flat_map(|t| {
                crate::text::segment::split(t)
                    .into_iter()
                    .map(move |r| &t[r])
            })
            .collect();
        // Evenly spaced over the corpus, so every article contributes.
        let n = 300.min(all.len());
        let sample: Vec<&str> = (0..n).map(|i| all[i * all.len() / n]).collect();
        let t = std::time::Instant::now();
        let probs = probs(&encoder, &model, &sample);
        let base = t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        let out = explain(&encoder, &model, &sample, &probs, 3).unwrap();
        let secs = t.elapsed().as_secs_f64();
        let carried: Vec<&str> = sample
            .iter()
            .zip(&out)
            .filter(|(_, e)| e.is_some())
            .map(|(s, _)| *s)
            .collect();
        let variants: usize = carried.iter().map(|s| words(s).len().min(MAX_WORDS)).sum();
        let capped = carried
            .iter()
            .filter(|s| words(s).len() > MAX_WORDS)
            .count();
        eprintln!(
            "{n} sentences (evenly spaced over {}), {} carry a frame ({capped} over {MAX_WORDS} words); \
             {variants} variants ({:.1} per explained sentence); scoring {:.2} s, explaining {:.2} s \
             = {:.2} s per 100 sentences ({:.1}x scoring)",
            all.len(),
            carried.len(),
            variants as f64 / carried.len() as f64,
            base,
            secs,
            secs * 100.0 / n as f64,
            secs / base
        );
    }
}
