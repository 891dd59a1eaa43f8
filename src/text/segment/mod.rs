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
/// before this limit (so a 20 MB single-line file does not become one 20 MB sentence). 1,000
/// bytes of English are about 200 tokens, inside the encoders' 256-token window, so the models
/// see every word of a cut piece (at 2,000 bytes they saw about the first 60%); real sentences
/// are shorter (the longest in the sample corpus has 564 bytes).
pub const MAX_SENTENCE_BYTES: usize = 1000;

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
mod tests;
