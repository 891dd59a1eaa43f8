//! Property tests of the stages that read untrusted text (issue 18): the readers, the segmenter,
//! quotes and the lexicon, on generated input mixing news-like words, punctuation, quotation
//! marks, markup, line breaks, control characters and arbitrary Unicode. Nothing may panic,
//! every offset must sit on a character boundary inside the text and slice out what it names,
//! and every input file must be accounted for by at least one document.
//!
//! The suite runs each property briefly (PROPTEST_CASES, default 128 here);
//! `scripts/fuzz.sh SECONDS` runs them for as long as asked with many more cases.

use std::path::PathBuf;

use proptest::prelude::*;

use framescore::doc::Status;
use framescore::input;
use framescore::text::lexicon::Lexicon;
use framescore::text::quotes::QuoteTracker;
use framescore::text::segment::{split, MAX_SENTENCE_BYTES};

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(128)
}

/// A piece of text: mostly the stuff of news copy, sometimes anything at all.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "the", "United", "States", "China", "hegemony", "Cold War mentality", "win-win",
            "U.S.", "No.", "Jan.", "Dr.", "e.g.", "3.5", "1,731", "Mr", "said", "according to",
            "suppressing and blockading", "space", "NASA", "Chang'e-5", "it", "was", "A", "The",
        ])
        .prop_map(String::from),
        3 => prop::sample::select(vec![
            " ", " ", "  ", ".", ". ", "? ", "! ", "...", ",", ";", ":", "\n", "\n\n", "\r\n",
            "\x0c", "\t", "\"", "“", "”", "‘", "’", "'", "«", "»", "「", "」", "(", ")", "[", "]",
            "**", "- ", "* ", "# ", "1. ", "(a) ", "—", "-", "。", "！", "？", "---",
        ])
        .prop_map(String::from),
        1 => any::<char>().prop_map(String::from),
        1 => "[\\x00-\\x1f\\u{7f}-\\u{a0}\\u{200b}-\\u{200f}\\u{2028}\\u{feff}]{1,3}",
        1 => "[a-zA-Z0-9À-ɏ一-龥😀-🙏]{1,12}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..160).prop_map(|p| p.concat())
}

/// Text with long stretches and no sentence end at all, to reach the length cut.
fn long_text() -> impl Strategy<Value = String> {
    (
        prop::collection::vec("[a-zé中😀]{1,9}", 100..700),
        any::<bool>(),
    )
        .prop_map(|(words, spaces)| words.join(if spaces { " " } else { "\u{a0}" }))
}

fn lexicon() -> &'static Lexicon {
    static LEX: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
    LEX.get_or_init(|| {
        let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/lexicon.csv");
        Lexicon::load_layered(&base, &[]).unwrap()
    })
}

fn check_sentences(t: &str) -> Result<Vec<std::ops::Range<usize>>, TestCaseError> {
    let got = split(t);
    let mut last = 0;
    for r in &got {
        prop_assert!(
            r.start >= last && r.start < r.end && r.end <= t.len(),
            "{r:?}"
        );
        prop_assert!(t.is_char_boundary(r.start) && t.is_char_boundary(r.end));
        let s = &t[r.clone()];
        prop_assert_eq!(s.trim(), s, "trimmed");
        prop_assert!(s.len() <= MAX_SENTENCE_BYTES, "{} bytes", s.len());
        last = r.end;
    }
    Ok(got)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn sentences_are_ordered_trimmed_and_on_char_boundaries(t in text()) {
        check_sentences(&t)?;
    }

    #[test]
    fn long_runs_are_cut_into_bounded_pieces(t in long_text()) {
        let got = check_sentences(&t)?;
        // Nothing with a letter or digit is lost: the pieces cover every such word (a piece of
        // emoji only is dropped, as it holds nothing to score).
        let wordy = |s: &str| {
            s.split_whitespace()
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .count()
        };
        let words: usize = got.iter().map(|r| wordy(&t[r.clone()])).sum();
        prop_assert_eq!(words, wordy(&t));
    }

    #[test]
    fn quotes_stay_inside_their_sentence(t in text()) {
        let mut tracker = QuoteTracker::new();
        for r in split(&t) {
            let s = &t[r];
            let (_, quoted) = tracker.classify(s);
            let mut last = 0;
            for q in quoted {
                prop_assert!(q.start >= last && q.start < q.end && q.end <= s.len(), "{q:?} in {s:?}");
                prop_assert!(s.is_char_boundary(q.start) && s.is_char_boundary(q.end));
                last = q.end;
            }
        }
    }

    #[test]
    fn lexicon_hits_slice_out_their_words(t in text()) {
        let mut last = 0;
        for h in lexicon().find(&t) {
            prop_assert!(h.start >= last && h.start < h.end && h.end <= t.len(), "{h:?}");
            prop_assert!(t.is_char_boundary(h.start) && t.is_char_boundary(h.end));
            let surface = &t[h.start..h.end];
            prop_assert!(surface.chars().any(char::is_alphanumeric), "{surface:?}");
            last = h.end;
        }
    }

    #[test]
    fn every_file_is_accounted_for(
        body in prop::collection::vec(any::<u8>(), 0..600),
        t in text(),
        kind in prop::sample::select(vec!["txt", "md", "html", "jsonl", "json", "csv", "bin"]),
        as_text in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("doc.{kind}"));
        std::fs::write(&path, if as_text { t.into_bytes() } else { body }).unwrap();
        let inputs = input::discover(&[path]);
        prop_assert_eq!(inputs.len(), 1);
        let docs: Vec<_> = input::read(&inputs[0]).collect();
        prop_assert!(!docs.is_empty(), "a file gives at least one row");
        for d in docs {
            match &d.status {
                Status::Ok => {
                    prop_assert!(!d.text.trim().is_empty());
                    check_sentences(&d.text)?;
                }
                Status::Empty(why) | Status::Error(why) => prop_assert!(!why.is_empty()),
            }
        }
    }
}
