//! Sentence segmentation for news articles and speeches.
//!
//! Hand-written rules rather than a model: the inputs are edited English prose (news, press
//! releases, UN records), where a few rules about punctuation, abbreviations and line layout get
//! nearly every boundary right, and the scorer needs offsets it can trust in linear time.
//!
//! Lines are first grouped into blocks: a line break ends a sentence when the next line starts a
//! new unit (headline, list item, new paragraph), but not inside hard-wrapped or page-broken text,
//! where it is only layout; a first pass over the lines tells which kind of text it is. Each block
//! is then split at sentence punctuation.

use std::ops::Range;

/// Longest sentence in bytes; longer runs without a sentence end are cut at the last whitespace
/// before this limit (so a 20 MB single-line file does not become one 20 MB sentence).
pub const MAX_SENTENCE_BYTES: usize = 2000;

/// Splits `text` into sentences. Returns byte ranges into `text`, in order, non-overlapping,
/// each trimmed of surrounding whitespace and non-empty.
pub fn split(text: &str) -> Vec<Range<usize>> {
    let layout = Layout::measure(text);
    let mut out = Vec::new();
    let mut block: Option<Range<usize>> = None;
    let mut prev: Option<Line> = None;
    for line in lines(text) {
        match (&mut block, &prev) {
            (Some(b), Some(p)) if layout.joins(text, p, &line) => b.end = line.end,
            _ => {
                if let Some(b) = block.replace(line.start..line.end) {
                    split_block(text, b, &mut out);
                }
            }
        }
        prev = Some(line);
    }
    if let Some(b) = block {
        split_block(text, b, &mut out);
    }
    out
}

/// What separates a line from the previous line that has text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gap {
    /// A single line break.
    Line,
    /// One or more blank lines.
    Paragraph,
    /// A form feed or a page number: page breaks fall mid-sentence, so this is only layout.
    Page,
    /// A line of markup only (`---`, `***`): a deliberate separator.
    Rule,
}

#[derive(Debug)]
struct Line {
    /// Trimmed byte range.
    start: usize,
    end: usize,
    /// Length in chars, to compare with the wrap width.
    chars: usize,
    gap: Gap,
    /// A bare list marker (`1.`, `(a)`), which belongs to the item on the next line.
    marker: bool,
}

/// The lines of `text` that hold a letter (or are list markers), split at `\n`, `\r\n`, `\r` and
/// form feeds. Lines without alphanumerics are separators; lines with digits but no letters (page
/// numbers) are skipped, so that a page number inside a sentence neither splits it nor becomes a
/// sentence of its own. Streamed rather than collected: a file of short lines would otherwise
/// cost many times its size in memory.
fn lines(text: &str) -> impl Iterator<Item = Line> + '_ {
    let bytes = text.as_bytes();
    let mut pos = Some(0);
    let (mut blank, mut page, mut rule) = (false, false, false);
    std::iter::from_fn(move || {
        while let Some(at) = pos {
            let end = bytes[at..]
                .iter()
                .position(|&b| matches!(b, b'\n' | b'\r' | b'\x0c'))
                .map_or(bytes.len(), |k| at + k);
            let crlf = bytes.get(end) == Some(&b'\r') && bytes.get(end + 1) == Some(&b'\n');
            pos = (end < bytes.len()).then_some(end + 1 + usize::from(crlf));
            let raw = &text[at..end];
            let lead = raw.len() - raw.trim_start_matches(is_space).len();
            let body = raw[lead..].trim_end_matches(is_space);
            let marker = is_marker_line(body);
            let mut found = None;
            if body.is_empty() {
                blank = true;
            } else if !body.chars().any(char::is_alphanumeric) {
                rule = true;
            } else if !marker && !body.chars().any(char::is_alphabetic) {
                page = true;
            } else {
                let gap = match (rule, page, blank) {
                    (true, _, _) => Gap::Rule,
                    (_, true, _) => Gap::Page,
                    (_, _, true) => Gap::Paragraph,
                    _ => Gap::Line,
                };
                (blank, page, rule) = (false, false, false);
                found = Some(Line {
                    start: at + lead,
                    end: at + lead + body.len(),
                    chars: body.chars().count(),
                    gap,
                    marker,
                });
            }
            page |= bytes.get(end) == Some(&b'\x0c');
            if found.is_some() {
                return found;
            }
        }
        None
    })
}

/// Document-wide facts that decide whether a line break is layout or structure.
struct Layout {
    /// Hard-wrapped text (UN records, e-mail, PDF extracts): many single line breaks fall
    /// mid-sentence, so a capitalised next line (a name, "Assembly") is no sign of a new unit.
    wrapped: bool,
    /// Typical (90th percentile) line length in chars, capped; a line much shorter than that was
    /// ended on purpose.
    width: usize,
}

impl Layout {
    fn measure(text: &str) -> Layout {
        let (mut soft, mut cont, mut n) = (0, 0, 0);
        let mut widths = [0u32; 1024];
        let mut prev: Option<Line> = None;
        for line in lines(text) {
            if let Some(p) = &prev {
                if matches!(line.gap, Gap::Line | Gap::Page) {
                    soft += 1;
                    let next = &text[line.start..line.end];
                    if !ends_sentence(&text[p.start..p.end]) && starts_lower(next) {
                        cont += 1;
                    }
                }
            }
            widths[line.chars.min(widths.len() - 1)] += 1;
            n += 1;
            prev = Some(line);
        }
        let mut seen = 0;
        let width = (0..widths.len())
            .find(|&w| {
                seen += widths[w] as usize;
                seen > n * 9 / 10
            })
            .unwrap_or(0);
        Layout {
            wrapped: cont > 0 && cont * 4 >= soft,
            width,
        }
    }

    /// Whether line `b` continues the block that line `a` ends.
    fn joins(&self, text: &str, a: &Line, b: &Line) -> bool {
        let (at, bt) = (&text[a.start..a.end], &text[b.start..b.end]);
        if a.marker {
            return true;
        }
        if b.gap == Gap::Rule {
            return false;
        }
        let punct = ends_sentence(at);
        let last = at.chars().next_back().unwrap_or(' ');
        let open = matches!(last, ',' | ';' | ':' | '-' | '–' | '—' | '(');
        // A wrapped line near the typical width ended only because the next word did not fit,
        // however that word looks ("Chapter\nVII.", "General\n\n\nAssembly" over a page break).
        // A much longer line was never wrapped.
        let next_word = bt.split(is_space).next().map_or(0, |w| w.chars().count());
        let full = (a.chars + 1 + next_word) * 5 > self.width * 4 && a.chars * 5 <= self.width * 6;
        if self.wrapped && full && !punct && last != ':' && !is_aside(at) {
            return true;
        }
        // A title or initial ("Mr.\n\nHan", "William V.\nS. Tubman") goes on over any break, and
        // what follows it is a name, not a list item ("S.").
        let abbreviation = at
            .strip_suffix('.')
            .is_some_and(|head| !head.ends_with(is_terminal) && !period_ends(at, head.len(), bt));
        if starts_item(bt) && !(abbreviation && bt.starts_with(char::is_alphanumeric)) {
            return false;
        }
        if is_aside(bt) {
            // A stage direction or citation is its own unit, unless it interrupts a sentence.
            return !punct && self.wrapped && (open || last.is_lowercase());
        }
        if !starts_sentence(bt) {
            // A lowercase word goes on with the sentence, unless a paragraph break follows a
            // finished one.
            return !(punct && b.gap == Gap::Paragraph);
        }
        if punct {
            // After sentence punctuation a single line break is plain whitespace: the sentence
            // rules decide (they split before "The"). A blank line or page break there ends the
            // sentence, and keeps a page number out of the next one.
            return b.gap == Gap::Line || abbreviation;
        }
        match b.gap {
            Gap::Paragraph => false,
            _ if is_aside(at) => false,
            Gap::Page if open => true,
            _ => self.wrapped && (open || last.is_lowercase()),
        }
    }
}

/// Splits one block (lines already joined) at sentence ends and emits the sentences.
fn split_block(text: &str, block: Range<usize>, out: &mut Vec<Range<usize>>) {
    let s = &text[block.clone()];
    let base = block.start;
    let mut from = 0;
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if !is_terminal(c) {
            continue;
        }
        // The whole run of end punctuation and closing quotes, brackets and markup: `?!`, `...`,
        // `."`, `.)`, `.**`.
        let (mut end, mut strong, mut run, mut closed) = (i + c.len_utf8(), c != '.', 1, false);
        while let Some(&(k, d)) = it.peek() {
            if is_terminal(d) {
                strong |= d != '.';
                run += 1;
            } else if is_closer(d) {
                closed = true;
            } else {
                break;
            }
            end = k + d.len_utf8();
            it.next();
        }
        // Chinese and Japanese full stops need no space after them.
        let cjk = matches!(c, '。' | '！' | '？');
        match it.peek() {
            None => break,
            Some(&(_, d)) if !is_space(d) && !cjk => continue,
            _ => {}
        }
        while it.next_if(|&(_, d)| is_space(d)).is_some() {}
        let Some(&(next, _)) = it.peek() else {
            break;
        };
        // A closing bracket or quote settles an abbreviation's period too: "(ibid.) I am".
        let ends = if strong || run > 1 || cjk || closed {
            starts_sentence(&s[next..])
        } else {
            period_ends(s, i, &s[next..])
        };
        if ends {
            emit(text, base + from..base + end, out);
            from = next;
        }
    }
    emit(text, base + from..block.end, out);
}

/// Abbreviations that are always followed by more of the sentence (titles before names, "e.g.").
const NEVER_END: &[&str] = &[
    "Mr", "Mrs", "Ms", "Messrs", "Dr", "Prof", "Gen", "Sen", "Rep", "Gov", "Amb", "St", "Mt", "Ft",
    "Hon", "Rev", "Lt", "Col", "Capt", "Sgt", "Adm", "Maj", "Pres", "vs", "v", "e.g", "i.e", "cf",
    "viz",
];

/// Abbreviations that may also end a sentence ("by the U.S. The move"); they end one only before
/// a word that usually starts a sentence.
const MAY_END: &[&str] = &[
    "U.S", "U.N", "U.K", "E.U", "Inc", "Ltd", "Corp", "Co", "Jr", "Sr", "No", "Nos", "Art", "para",
    "paras", "pp", "p", "Vol", "vol", "Sec", "Ch", "Fig", "Dept", "approx", "est", "al", "ibid",
    "Ph.D", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
];

/// Words that usually open a sentence, space-separated.
const STARTERS: &str = "The This It He She They We But However In On At A An That These Those Its \
                        His Her Their There Meanwhile";

/// Whether the single `.` at byte `i` of `s` ends a sentence, `next` being the text after the
/// following whitespace.
fn period_ends(s: &str, i: usize, next: &str) -> bool {
    if !starts_sentence(next) {
        return false;
    }
    // Only the last 40 bytes matter: no abbreviation is longer, and this keeps the scan linear.
    let mut lo = i.saturating_sub(40);
    while !s.is_char_boundary(lo) {
        lo += 1;
    }
    let start = match s[lo..i].rfind(is_space) {
        Some(k) => lo + k + s[lo + k..].chars().next().map_or(1, char::len_utf8),
        None if lo == 0 => 0,
        None => return true,
    };
    let word = s[start..i]
        .trim_start_matches(is_opener)
        .trim_end_matches(['*', '_']);
    if is_marker_word(word) {
        let before = s[..start].trim_end_matches([' ', '\t']);
        if before.is_empty() || before.ends_with(['\n', '\r', '\x0c']) {
            return false; // "1." or "IV." opening a list item
        }
    }
    if NEVER_END.contains(&word) {
        return false;
    }
    if word == "etc" {
        return true;
    }
    // An initial ("F.", "W.") or a one-letter abbreviation ("p.", "l.", "c.").
    let initial = {
        let mut cs = word.chars();
        cs.next().is_some_and(char::is_alphabetic) && cs.next().is_none()
    };
    let acronym = word.contains('.')
        && word.split('.').all(|p| {
            let mut cs = p.chars();
            cs.next().is_some_and(char::is_alphabetic) && cs.next().is_none()
        });
    if initial || acronym || MAY_END.contains(&word) {
        let w = next.trim_start_matches(is_opener);
        let (w, rest) = w.split_at(w.find(|c: char| !c.is_alphabetic()).unwrap_or(w.len()));
        // "A." is another initial ("R. A. Bisson"), not the article.
        return !w.is_empty()
            && STARTERS.split_whitespace().any(|x| x == w)
            && !rest.starts_with('.');
    }
    true
}

/// Trims `r`, drops a leading bullet or heading marker, cuts it to [`MAX_SENTENCE_BYTES`] and
/// pushes the pieces that hold any word or number.
fn emit(text: &str, r: Range<usize>, out: &mut Vec<Range<usize>>) {
    let s = &text[r.clone()];
    let mut a = r.start + (s.len() - s.trim_start_matches(is_space).len());
    let b = a + s.trim_matches(is_space).len();
    loop {
        let rest = &text[a..b];
        let run = rest.find(|c: char| !is_bullet(c)).unwrap_or(rest.len());
        if run == 0 || !rest[run..].starts_with(is_space) {
            break;
        }
        a = b - rest[run..].trim_start_matches(is_space).len();
    }
    while a < b {
        let mut cut = b;
        if b - a > MAX_SENTENCE_BYTES {
            let mut lim = a + MAX_SENTENCE_BYTES;
            while !text.is_char_boundary(lim) {
                lim -= 1;
            }
            cut = text[a..lim]
                .rfind(is_space)
                .filter(|&k| k > 0)
                .map_or(lim, |k| a + k);
        }
        let piece = text[a..cut].trim_end_matches(is_space);
        if piece.chars().any(char::is_alphanumeric) {
            out.push(a..a + piece.len());
        }
        a = b - text[cut..b].trim_start_matches(is_space).len();
    }
}

/// Whether a line ends with sentence punctuation, possibly inside quotes, brackets or markup.
fn ends_sentence(line: &str) -> bool {
    line.trim_end_matches(is_closer).ends_with(is_terminal)
}

fn starts_lower(line: &str) -> bool {
    line.chars().next().is_some_and(char::is_lowercase)
}

/// A list item or heading: `- `, `* `, `• `, `# `, `1. `, `(a) `, `iv) `; a dash counts only
/// before a capital, since wrapped lines may start with a dash inside a sentence.
fn starts_item(line: &str) -> bool {
    let mut cs = line.chars();
    let first = cs.next().unwrap_or(' ');
    let after = |rest: &str| {
        let mut cs = rest.chars();
        cs.next().is_some_and(is_space)
            && rest
                .trim_start_matches(is_space)
                .chars()
                .next()
                .is_some_and(|c| !c.is_lowercase())
    };
    match first {
        '*' | '•' | '◦' | '▪' | '‣' | '·' | '>' => cs.next().is_some_and(is_space),
        '#' => line.trim_start_matches('#').starts_with(is_space),
        '-' | '–' | '—' => after(cs.as_str()),
        // Not before a number: "p. 22" and "No. 5" are references, not items.
        _ => line.split_once(is_space).is_some_and(|(token, rest)| {
            is_marker_line(token) && !rest.trim_start().starts_with(|c: char| c.is_ascii_digit())
        }),
    }
}

/// A bare list marker: `1.`, `12)`, `(a)`, `IV.`.
fn is_marker_line(s: &str) -> bool {
    let inner = match s.strip_prefix('(') {
        Some(rest) => rest.strip_suffix(')'),
        None => s.strip_suffix(['.', ')']),
    };
    inner.is_some_and(is_marker_word)
}

/// What a list marker numbers with: up to three digits, a roman numeral or one letter.
fn is_marker_word(w: &str) -> bool {
    let n = w.chars().count();
    (1..=3).contains(&n) && w.bytes().all(|b| b.is_ascii_digit())
        || (1..=5).contains(&n) && w.chars().all(|c| "IVXivx".contains(c))
        || n == 1 && w.chars().all(|c| c.is_ascii_alphabetic())
}

/// A whole line in parentheses, such as "(spoke in French)" in UN records: a unit of its own.
fn is_aside(line: &str) -> bool {
    line.starts_with('(') && line.ends_with(')')
}

fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '。' | '！' | '？')
}

/// What may follow end punctuation and still belong to the sentence.
fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '}' | '*' | '_' | '」' | '』' | '）'
    )
}

fn is_opener(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '“' | '‘' | '«' | '(' | '[' | '{' | '*' | '_' | '¿' | '¡'
    )
}

/// Whether `next` can open a sentence, judged by its first letter or digit after opening quotes
/// and dashes: `“We`, `- Item` can; `— countries such as` and `“the` go on with the sentence.
fn starts_sentence(next: &str) -> bool {
    let word =
        next.trim_start_matches(|c| is_opener(c) || is_space(c) || matches!(c, '-' | '–' | '—'));
    word.chars()
        .next()
        .or(next.chars().next())
        .is_some_and(can_start)
}

/// Whether a sentence may start with `c`: anything but a lowercase letter or punctuation that
/// closes or continues a phrase.
fn can_start(c: char) -> bool {
    !c.is_lowercase()
        && !matches!(
            c,
            ',' | ';' | ':' | ')' | ']' | '}' | '.' | '%' | '…' | '?' | '!' | '”' | '’' | '»'
        )
}

fn is_bullet(c: char) -> bool {
    matches!(
        c,
        '*' | '-' | '–' | '—' | '•' | '◦' | '▪' | '‣' | '·' | '>' | '#'
    )
}

/// Whitespace, plus the invisible characters that editors and web pages leave around text.
fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sents(t: &str) -> Vec<&str> {
        let ranges = split(t);
        check(t, &ranges);
        ranges.into_iter().map(|r| &t[r]).collect()
    }

    /// The contract every caller relies on.
    fn check(t: &str, ranges: &[Range<usize>]) {
        let mut prev_end = 0;
        for r in ranges {
            assert!(
                r.start >= prev_end && r.start < r.end,
                "{r:?} after {prev_end} in {t:?}"
            );
            assert!(t.is_char_boundary(r.start) && t.is_char_boundary(r.end));
            let s = &t[r.clone()];
            assert_eq!(s, s.trim(), "untrimmed {s:?}");
            assert!(s.chars().any(char::is_alphanumeric), "no word in {s:?}");
            assert!(s.len() <= MAX_SENTENCE_BYTES, "{} bytes", s.len());
            prev_end = r.end;
        }
    }

    /// Whitespace collapsed, to compare sentences of hard-wrapped text.
    fn flat(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The body of a corpus file: what follows its `key: value` header and `---` line.
    fn body(file: &str) -> &str {
        file.split_once("\n---\n").map_or(file, |(_, b)| b)
    }

    #[test]
    fn empty_and_blank_input() {
        assert!(sents("").is_empty());
        assert!(sents("   \n\n\t \r\n\x0c  ").is_empty());
        assert!(sents("...!!! ??? --- ***").is_empty());
    }

    #[test]
    fn plain_sentences() {
        assert_eq!(
            sents("Hello world. This is a test! Is it? Yes."),
            ["Hello world.", "This is a test!", "Is it?", "Yes."]
        );
        assert_eq!(sents("No punctuation at all"), ["No punctuation at all"]);
        // A stray space before the period, common in UN records.
        assert_eq!(
            sents("into the Schengen Area . We welcome it."),
            ["into the Schengen Area .", "We welcome it."]
        );
        assert_eq!(
            sents("It ended… Then it began again?! 2023 was hard."),
            ["It ended…", "Then it began again?!", "2023 was hard."]
        );
    }

    #[test]
    fn lowercase_after_period_does_not_split() {
        assert_eq!(
            sents("It rose by 5 pct. in May."),
            ["It rose by 5 pct. in May."]
        );
        assert_eq!(sents("Why? because. ok"), ["Why? because. ok"]);
        assert_eq!(
            sents("They said, “Enough!” — of the lies. What of the bargain? — countries such as mine."),
            ["They said, “Enough!” — of the lies.", "What of the bargain? — countries such as mine."]
        );
    }

    #[test]
    fn headlines_and_paragraphs() {
        let t = "Headline Without a Period\n\nFirst sentence here. Second one.\n\nA Subheading\nBody text starts here.\nAnother paragraph follows";
        assert_eq!(
            sents(t),
            [
                "Headline Without a Period",
                "First sentence here.",
                "Second one.",
                "A Subheading",
                "Body text starts here.",
                "Another paragraph follows"
            ]
        );
    }

    #[test]
    fn list_items() {
        let t = "Key points:\n- First point\n- Second point\n* Third point\n• Fourth point\n1. Numbered item\n2. Another item.\n(a) Lettered item";
        assert_eq!(
            sents(t),
            [
                "Key points:",
                "First point",
                "Second point",
                "Third point",
                "Fourth point",
                "1. Numbered item",
                "2. Another item.",
                "(a) Lettered item"
            ]
        );
    }

    #[test]
    fn list_marker_stays_with_item() {
        assert_eq!(
            sents("1.\nFirst item text.\n\n2.\n\nSecond."),
            ["1.\nFirst item text.", "2.\n\nSecond."]
        );
        assert_eq!(
            sents("12. The Assembly met. It adjourned.\nIV. Technological Hegemony"),
            [
                "12. The Assembly met.",
                "It adjourned.",
                "IV. Technological Hegemony"
            ]
        );
    }

    #[test]
    fn hard_wrapped_lines_join() {
        let t = "The committee said that the\nresolution would pass. It did\nnot pass.";
        assert_eq!(
            sents(t),
            [
                "The committee said that the\nresolution would pass.",
                "It did\nnot pass."
            ]
        );
        // A blank line before a lowercase word is a page or layout gap, not a paragraph.
        assert_eq!(
            sents("On behalf of\n\n\nthe people, thanks."),
            ["On behalf of\n\n\nthe people, thanks."]
        );
    }

    #[test]
    fn wrapped_text_with_capitalised_continuations() {
        // Most line breaks are followed by lowercase words, so the text is hard-wrapped and a
        // capitalised word after a full line ("General\nAssembly") continues the sentence, while
        // a short line ("(spoke in French)") stands alone.
        let t = "First of all, Sir, I offer you my delegation's\nheartiest congratulations on the occasion of your\nelection to the presidency of the fifty-first General\nAssembly. Your rich experience is, for my delegation, a\nguarantee for the success of our work, as stated by\nMr. Smith.\n(spoke in French)\nThe second part of the speech is here.";
        assert_eq!(
            sents(t).iter().map(|s| flat(s)).collect::<Vec<_>>(),
            [
                "First of all, Sir, I offer you my delegation's heartiest congratulations on the occasion of your election to the presidency of the fifty-first General Assembly.",
                "Your rich experience is, for my delegation, a guarantee for the success of our work, as stated by Mr. Smith.",
                "(spoke in French)",
                "The second part of the speech is here."
            ]
        );
    }

    #[test]
    fn wrapped_speech_with_aside_page_number_and_initials() {
        let t = "Thus, the Congolese from Brazzaville were welcomed shortly\nafter the Rwandans were repatriated but, paradoxically,\n(spoke in English)\nthese refugees did not receive the same attention from the\ninternational community. We would also like to thank Mr.\n\n14\n\nHan Seung-soo for his work, and William V.\nS. Tubman of Liberia.\n(spoke in French)\nWe thank him.";
        assert_eq!(
            sents(t).iter().map(|s| flat(s)).collect::<Vec<_>>(),
            [
                "Thus, the Congolese from Brazzaville were welcomed shortly after the Rwandans were repatriated but, paradoxically, (spoke in English) these refugees did not receive the same attention from the international community.",
                "We would also like to thank Mr. 14 Han Seung-soo for his work, and William V. S. Tubman of Liberia.",
                "(spoke in French)",
                "We thank him."
            ]
        );
    }

    #[test]
    fn line_endings() {
        let t = "Title\r\n\r\nFirst line. Second.\rThird line\r\nfourth words.";
        assert_eq!(
            sents(t),
            [
                "Title",
                "First line.",
                "Second.",
                "Third line\r\nfourth words."
            ]
        );
    }

    #[test]
    fn form_feed() {
        assert_eq!(
            sents("getting ready to drive the regime from power, \n\n\n\x0c\nAfghanistan was isolated."),
            ["getting ready to drive the regime from power, \n\n\n\x0c\nAfghanistan was isolated."]
        );
        assert_eq!(
            sents("Page one ends.\x0cPage two."),
            ["Page one ends.", "Page two."]
        );
        assert_eq!(sents("Annex\x0cThe text"), ["Annex", "The text"]);
    }

    #[test]
    fn titles_and_abbreviations() {
        let cases = [
            "Dr. Smith met Mr. Jones, Mrs. Brown and Ms. Lee at 5 p.m. on Jan. 5.",
            "Prof. Li, Gen. Hu, Sen. Cruz, Rep. Lee, Gov. Newsom and Amb. Fu spoke.",
            "Apple Inc. and Sony Corp. signed, e.g. a deal, i.e. a contract, vs. Acme Ltd. rivals.",
            "He lives at No. 5 Main St. in Mt. Vernon near Ft. Worth, says the Dept. of State.",
            "Martin Luther King Jr. and Sr. Agnes met on Sept. 3 and Oct. 4 at 9 a.m. London time.",
            "See Art. 51, para. 3, pp. 12-14 and Vol. II, approx. 40 pages, est. 1990.",
            "The meeting in Feb. Mar. Apr. Jun. Jul. Aug. Sep. Nov. Dec. went on.",
            "John F. Kennedy and George W. Bush met U. S. officials.",
            "The U.S. Congress and the U.N. Security Council agreed with U.K. and E.U. partners.",
            "Dr. He Jiankui and Mr. Hu met.",
            "Nos. 3 and 4 of Acme Co. were sold to Acme Co. Ltd. in Washington, D.C. on Monday.",
        ];
        for c in cases {
            assert_eq!(sents(c), [c]);
        }
    }

    #[test]
    fn acronym_at_sentence_end() {
        assert_eq!(
            sents("Sanctions were imposed by the U.S. The move angered Beijing."),
            [
                "Sanctions were imposed by the U.S.",
                "The move angered Beijing."
            ]
        );
        assert_eq!(
            sents("It went to the U.N. However, nothing changed. Shares of Acme Inc. They fell."),
            [
                "It went to the U.N.",
                "However, nothing changed.",
                "Shares of Acme Inc.",
                "They fell."
            ]
        );
        assert_eq!(
            sents("The meeting ended at 5 p.m. It resumed at 10 a.m. Beijing time."),
            [
                "The meeting ended at 5 p.m.",
                "It resumed at 10 a.m. Beijing time."
            ]
        );
    }

    #[test]
    fn etc_ends_before_a_capital() {
        assert_eq!(
            sents("They sell apples, pears, etc. The store closed. Tea, coffee, etc. and more."),
            [
                "They sell apples, pears, etc.",
                "The store closed.",
                "Tea, coffee, etc. and more."
            ]
        );
    }

    #[test]
    fn numbers_do_not_split() {
        let t = "Chang'e-5 brought 1,731 grams back. Prices rose 3.5% to $2.4 billion in version 2.0 of the plan. It ranks No. 5 of 10.5 in 2011. The end.";
        assert_eq!(
            sents(t),
            [
                "Chang'e-5 brought 1,731 grams back.",
                "Prices rose 3.5% to $2.4 billion in version 2.0 of the plan.",
                "It ranks No. 5 of 10.5 in 2011.",
                "The end."
            ]
        );
    }

    #[test]
    fn quotes() {
        assert_eq!(
            sents(r#"He said, "We will go." Then he left. "Go." he said. "Now!" she shouted."#),
            [
                r#"He said, "We will go.""#,
                "Then he left.",
                r#""Go." he said."#,
                r#""Now!" she shouted."#
            ]
        );
        assert_eq!(
            sents("She said: “It is over.” The crowd cheered. ‘Why?’ asked one. “Really?” Yes."),
            [
                "She said: “It is over.”",
                "The crowd cheered.",
                "‘Why?’ asked one.",
                "“Really?”",
                "Yes."
            ]
        );
        assert_eq!(
            sents("The resolution \"No first deployment in space\", sponsored by Russia. Next."),
            [
                "The resolution \"No first deployment in space\", sponsored by Russia.",
                "Next."
            ]
        );
    }

    #[test]
    fn parentheses() {
        assert_eq!(
            sents("(ibid.) I am sure. It was run by Acme Inc.) Then (R-Ariz.) and others left."),
            [
                "(ibid.)",
                "I am sure.",
                "It was run by Acme Inc.)",
                "Then (R-Ariz.) and others left."
            ]
        );
        assert_eq!(
            sents("The test failed (see below.) Next steps follow. (It was late.) Then it rained."),
            [
                "The test failed (see below.)",
                "Next steps follow.",
                "(It was late.)",
                "Then it rained."
            ]
        );
        assert_eq!(
            sents(
                "It voted (France, United States) with 45 abstentions [see A/C.1/72/L.54]. Done."
            ),
            [
                "It voted (France, United States) with 45 abstentions [see A/C.1/72/L.54].",
                "Done."
            ]
        );
    }

    #[test]
    fn markup() {
        assert_eq!(
            sents("and emphasize no first deployment in space**.\n\nAccording to a report by Russia**, the United Nations has adopted a resolution."),
            [
                "and emphasize no first deployment in space**.",
                "According to a report by Russia**, the United Nations has adopted a resolution."
            ]
        );
        assert_eq!(
            sents("# Heading\n\nText here.\n\n---\n\n***\n\n**\n\n* Bullet one\n- Bullet two\n## Sub heading"),
            ["Heading", "Text here.", "Bullet one", "Bullet two", "Sub heading"]
        );
        assert_eq!(
            sents("**Bold lead.** Next sentence. ** Dangling start."),
            ["**Bold lead.**", "Next sentence.", "Dangling start."]
        );
        // A rule line separates even lowercase text.
        assert_eq!(
            sents("Above the line\n***\nbelow it"),
            ["Above the line", "below it"]
        );
    }

    #[test]
    fn ellipsis() {
        assert_eq!(
            sents("He paused... and then spoke. Later... The end. Wait … really? Yes . . . fine."),
            [
                "He paused... and then spoke.",
                "Later...",
                "The end.",
                "Wait … really?",
                "Yes . . . fine."
            ]
        );
    }

    #[test]
    fn multibyte_text() {
        assert_eq!(
            sents("中国发射了卫星。美国表示关注！好"),
            ["中国发射了卫星。", "美国表示关注！", "好"]
        );
        assert_eq!(
            sents("🚀 Launch day! Émile said “ça va.” Über alles."),
            ["🚀 Launch day!", "Émile said “ça va.”", "Über alles."]
        );
    }

    #[test]
    fn page_numbers_are_not_sentences() {
        let t = "The purpose was, first, to allow the\n2\n\n\nmajor islands to help. Next.\n\n17\n\nNew paragraph.";
        assert_eq!(
            sents(t),
            [
                "The purpose was, first, to allow the\n2\n\n\nmajor islands to help.",
                "Next.",
                "New paragraph."
            ]
        );
    }

    #[test]
    fn long_text_without_punctuation_is_cut_at_whitespace() {
        let words: Vec<String> = (0..10_000).map(|i| format!("word{}", i % 97)).collect();
        let t = words.join(" ");
        let got = sents(&t);
        assert!(got.len() > 1);
        assert!(got.iter().all(|s| s.len() <= MAX_SENTENCE_BYTES));
        let rejoined: Vec<&str> = got.iter().flat_map(|s| s.split(' ')).collect();
        assert_eq!(rejoined, words);
    }

    #[test]
    fn giant_tokens_are_cut_on_char_boundaries() {
        for t in ["x".repeat(10_000), "中".repeat(5_000), "é😀".repeat(3_000)] {
            let got = sents(&t);
            assert_eq!(got.concat(), t);
        }
    }

    #[test]
    fn junk_never_panics() {
        let inputs = [
            "\0\x01\x02 \u{fffd}\u{fffd}",
            "\u{feff}Hello.\u{200b}",
            ". . .\n\n. a",
            "(\n)\n[\n]\n\"\n“",
            "A.\nB.\nC.",
            "1.",
            "a.b.c. d.e.f. G.H.I.",
            "\r\r\r\n\n\x0c\x0c.",
            "Mr.",
            "’s ” ’ » )",
            "x\u{2028}y\u{2029}z.",
        ];
        for t in inputs {
            sents(t);
        }
        // Every prefix of a mixed text, which cuts it at every char boundary.
        let t = "Dr. Lü said “1.5% (est.)…” — *not* ok!\r\n\r\n- 中文。 U.S. 😀\x0c2.\n";
        for (i, _) in t.char_indices() {
            sents(&t[..i]);
            sents(&t[i..]);
        }
    }

    #[test]
    fn random_inputs_keep_the_invariants() {
        const PIECES: &[&str] = &[
            " ", "  ", "\n", "\n\n", "\r\n", "\r", "\x0c", "\t", ".", "...", "!", "?", "…", "。",
            "\"", "“", "”", "’", "'", "(", ")", "[", "]", "*", "**", "-", "—", "#", "•", ",", ":",
            "word", "Word", "THE", "The", "a", "I", "V", "1", "12", "2011", "3.5", "Mr.", "U.S.",
            "e.g.", "etc.", "No.", "F.", "中文", "😀", "é", "\u{feff}", "\0", "---",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..3000 {
            let mut t = String::new();
            let len = (state >> 59) as usize + 1;
            for _ in 0..len * 3 {
                // xorshift64: deterministic, no dependency.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                t.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
            }
            sents(&t);
        }
    }

    const SEED: &str = include_str!("../tests/data/segment/seed.txt");

    #[test]
    fn seed_article() {
        let got = sents(SEED);
        for want in [
            "NASA, China and other countries jointly introduced a resolution at the UN General Assembly to draw t",
            "Mondo International Updated on 2024-01-28",
            "This shows that the United States is suppressing and blockading China in the space field.",
            "However, under the Wolf Act, passed by Congress in 2011, NASA is not allowed to cooperate with China unless authorized by Congress.",
            "However, Chang'e-5 successfully brought 1,731 grams of lunar soil back to Earth, an important milestone in China's lunar exploration program.",
            "At the same time, China has also actively shared lunar samples and related data with the international community, demonstrating its willingness to carry out cooperation and exchanges.",
            "In addition to the restrictions of the Wolf Act, the U.S. Congress has passed other bills to restrict and regulate China's space technology.",
            "China's space technology continues to grow, while U.S. space policy is undergoing a major shift.",
            "As the United States seeks cooperation with China, China and Russia, among others, have introduced two resolutions at the United Nations General Assembly to ensure transparency in space activities, strengthen confidence-building measures, and emphasize no first deployment in space**.",
            "According to a report by Russia**, the United Nations has adopted a resolution on space activities, proposed by China and Russia on behalf of a number of countries, urging member states to build mutual trust measures in space activities and put these measures into practice.",
            "China's position is clear: If the United States wants to cooperate with China, it must abide by these resolutions, build mutual trust, and ensure the security of China's space program.",
            "Related Pages",
        ] {
            assert!(got.contains(&want), "missing {want:?}");
        }
        assert_eq!(got.len(), 40);
        assert_eq!(got[0], "NASA, China and other countries jointly introduced a resolution at the UN General Assembly to draw t");
        assert_eq!(got[1], "Mondo International Updated on 2024-01-28");
    }

    const FIXTURES: &[&str] = &[
        include_str!(
            "../tests/data/segment/voa-2024-06-chinese-spacecraft-collects-far-side-samples.txt"
        ),
        include_str!(
            "../tests/data/segment/uscc-2019-11-china-ambitions-in-space-key-findings.txt"
        ),
        include_str!("../tests/data/segment/mfa-2023-02-20-us-hegemony-and-its-perils.txt"),
        include_str!(
            "../tests/data/segment/un-2017-gadis3591-first-committee-outer-space-arms-race.txt"
        ),
        include_str!("../tests/data/segment/ungdc-VUT-51-1996.txt"),
        include_str!("../tests/data/segment/ungdc-AFG-68-2013.txt"),
        SEED,
    ];

    #[test]
    fn real_texts_keep_the_invariants() {
        for file in FIXTURES {
            let t = body(file);
            let ranges = split(t);
            check(t, &ranges);
            assert!(ranges.len() >= 5);
            for r in ranges {
                if t[r.clone()].chars().count() < 3 {
                    let before = t[..r.start].trim_end_matches([' ', '\t']);
                    let after = t[r.end..].trim_start_matches([' ', '\t']);
                    assert!(
                        (before.is_empty() || before.ends_with(['\n', '\r', '\x0c']))
                            && (after.is_empty() || after.starts_with(['\n', '\r', '\x0c'])),
                        "short sentence {:?} inside a line",
                        &t[r]
                    );
                }
            }
        }
    }

    #[test]
    fn real_article_structure() {
        let mfa = sents(body(FIXTURES[2]));
        assert_eq!(
            mfa[..3],
            [
                "US Hegemony and Its Perils",
                "I. Political Hegemony—Throwing Its Weight Around",
                "II. Military Hegemony—Wanton Use of Force"
            ]
        );
        let uscc = sents(body(FIXTURES[1]));
        assert_eq!(
            uscc[..2],
            [
                "Section 3: China’s Ambitions in Space: Contesting the Final Frontier",
                "Key Findings"
            ]
        );
        assert_eq!(uscc[2], "China’s goal to establish a leading position in the economic and military use of outer space, or what Beijing calls its “space dream,” is a core component of its aim to realize the “great rejuvenation of the Chinese nation.”");
        let voa = sents(body(FIXTURES[0]));
        assert_eq!(voa.len(), 18);
        assert!(voa.contains(&"China's National Space Administration said in a statement that Chang'e-6's success showed it was able to survive \"the test of high temperature on the far side of the moon.\""));
        let un = sents(body(FIXTURES[3]));
        assert!(un.contains(&"The draft resolution “No first placement of weapons in outer space” (document A/C.1/72/L.53) was approved by a recorded vote of 122 in favour to 4 against (Georgia, Israel, Ukraine, United States), with 48 abstentions."));
    }

    #[test]
    fn un_speeches_wrapped_and_page_broken() {
        let vut: Vec<String> = sents(FIXTURES[4]).iter().map(|s| flat(s)).collect();
        for want in [
            "First of all, Sir, I offer you my delegation’s heartiest congratulations on the occasion of your election to the presidency of the fifty-first session of the General Assembly.",
            "I reaffirm here my Government’s support for the principle by which, according to tradition, Africa has a right to a second mandate.",
            "I take this opportunity, on behalf of the people and the Government of the Republic of Vanuatu, to congratulate the United States of America, the French Republic and the United Kingdom of Great Britain and Northern Ireland, which signed the Treaty last year.",
        ] {
            assert!(vut.iter().any(|s| s == want), "missing {want:?}");
        }
        let afg: Vec<String> = sents(FIXTURES[5]).iter().map(|s| flat(s)).collect();
        for want in [
            "I bring to all warm greetings and the good wishes of the Afghan people.",
            "At the end of 2001, when, with the military backing of the United States-led international coalition, we were getting ready to drive the Taliban regime from power, Afghanistan was in near-total isolation from the region and the world community.",
            "For a little more than two decades prior to November 2001, when the Afghan people ousted the Taliban regime from power, with military backing from the United States-led international military coalition, the people of Afghanistan suffered incalculable pain, deprivation and losses through three distinct periods.",
        ] {
            assert!(afg.iter().any(|s| s == want), "missing {want:?}");
        }
    }
}
