//! Word boundaries of a sentence, the unit that explanations occlude and the tagger's spans
//! cover. Pure text analysis: no model, no I/O.

use std::ops::Range;

/// Splits a sentence into occludable words (byte ranges, in order).
///
/// A word is a maximal run of alphanumerics (any script; combining accents stay with their
/// letter) in which an apostrophe (`'`, `’`) or hyphen (`-`, `‐`, `‑`) between two alphanumerics
/// is kept, so "win-win", "China's" and "Chang'e-5" are one word each. Numbers keep their inner
/// `,` and `.` ("1,731", "3.5") and dotted abbreviations keep their dots ("U.S."), because
/// deleting half a number or abbreviation is not a meaningful occlusion. Quotes, dashes and other
/// punctuation are never words. Stopwords are kept: "not" or "against" can decide a frame.
pub fn words(sentence: &str) -> Vec<Range<usize>> {
    let chars: Vec<(usize, char)> = sentence.char_indices().collect();
    let end_of = |i: usize| chars[i].0 + chars[i].1.len_utf8();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].1.is_alphanumeric() {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let mut dotted = false;
        while let Some(&(_, c)) = chars.get(j) {
            if c.is_alphanumeric() || is_mark(c) {
                j += 1;
                continue;
            }
            let prev = chars[j - 1].1;
            let next = chars.get(j + 1).map_or(' ', |&(_, c)| c);
            if next.is_alphanumeric() && joins(prev, c, next) {
                dotted |= c == '.';
                j += 2;
                continue;
            }
            break;
        }
        // "U.S." and "e.g.": a dotted word whose last part is one letter keeps its final dot.
        if dotted
            && chars.get(j).is_some_and(|&(_, c)| c == '.')
            && chars[j - 1].1.is_alphabetic()
            && chars[j - 2].1 == '.'
        {
            j += 1;
        }
        out.push(chars[i].0..end_of(j - 1));
        i = j;
    }
    out
}

/// Whether `c`, between `prev` and the alphanumeric `next`, is inside a word.
fn joins(prev: char, c: char, next: char) -> bool {
    let prev_word = prev.is_alphanumeric() || is_mark(prev);
    match c {
        '\'' | '\u{2019}' | '\u{02BC}' | '-' | '\u{2010}' | '\u{2011}' | '.' => prev_word,
        ',' => prev.is_ascii_digit() && next.is_ascii_digit(),
        _ => false,
    }
}

/// Combining marks that continue a word (decomposed accents: "e\u{301}").
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(s: &str) -> Vec<&str> {
        words(s).into_iter().map(|r| &s[r]).collect()
    }

    #[test]
    fn words_handles_tricky_input() {
        assert_eq!(
            spans("“Win-win” cooperation, China’s and Russia's—not the U.S.’ way."),
            [
                "Win-win",
                "cooperation",
                "China’s",
                "and",
                "Russia's",
                "not",
                "the",
                "U.S.",
                "way"
            ]
        );
        assert_eq!(
            spans("Chang'e-5 brought 1,731 grams (3.8 lb) back; ‘hegemony’ -- 'quoted' end-"),
            [
                "Chang'e-5",
                "brought",
                "1,731",
                "grams",
                "3.8",
                "lb",
                "back",
                "hegemony",
                "quoted",
                "end"
            ]
        );
        // Multibyte letters, decomposed accents, other scripts.
        assert_eq!(
            spans("Zhōngguó's naïve cafe\u{301} 中国 «Москва»!"),
            ["Zhōngguó's", "naïve", "cafe\u{301}", "中国", "Москва"]
        );
        // Punctuation only, empty, whitespace.
        assert!(words("... — !? “” -- ' ,.").is_empty());
        assert!(words("").is_empty());
        assert!(words(" \n\t").is_empty());
        // Trailing period of a sentence is not part of a number or a normal word.
        assert_eq!(
            spans("It weighed 3.5. Then 2011."),
            ["It", "weighed", "3.5", "Then", "2011"]
        );
        // Offsets slice to the word.
        let s = "“Win-win” — China’s way.";
        for r in words(s) {
            assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end));
        }
    }
}
