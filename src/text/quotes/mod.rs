//! Quotations and reported speech: which words of a sentence are the outlet's own and which are
//! the words of the people it quotes, so that loaded-term density can be reported with and
//! without quoted material.
//!
//! A [`QuoteTracker`] reads the sentences of one document in order (a quotation can run over
//! several sentences) and gives each a [`Voice`] and the byte ranges of its quoted material. Hand
//! rules rather than a model: edited news follows a few conventions (paired quotation marks,
//! tags such as `"...," he said.`, reporting verbs), and one pass over the characters and one
//! over the words decide a sentence in linear time. The rules, in the order they apply:
//!
//! 1. **Marks.** Double quotes (`"`, `“ ”`, `„`) and guillemets (`« »`) always count. A
//!    straight `"` faces the way its neighbours say (space before and a word after opens; a word
//!    or punctuation before and a space or punctuation after closes; otherwise it pairs by
//!    parity); curly marks face their own way unless spaced the other way, so `“...."` pairs.
//!    Single quotes are mostly apostrophes: a mark between two letters or digits (China’s,
//!    don’t) never counts; `’` only closes (the ’90s); `‘` and `'` open only after a space,
//!    bracket or dash and before a letter, and only when a closing single mark follows in the
//!    sentence (`‘` may also stay open at the start of a sentence or after a colon). Marks of
//!    another kind inside an open quotation are a nested quotation and do not end it.
//! 2. **Quotations, not scare quotes.** A closed span right after a naming word (resolution,
//!    entitled, so-called, report, known as, such as, the concept of...) is a title, whatever its
//!    length. Otherwise it is a quotation when a reporting verb is next to it (`said “no”`,
//!    `said it was “unacceptable”`, `told reporters that “...”`, `“No,” he said`, `“Why?” he
//!    asked`: at most two short words between, or a comma, `?`, `!` or dash handing over to a tag
//!    within five words), or when it has 5 or more words and is not in Title Case. Shorter spans
//!    are scare quotes and leave the sentence as it would be without them. A span that is the
//!    whole sentence, still open at its end, or carried over from before is always a quotation.
//! 3. **Across sentences.** A quotation left open runs on into the next sentences, which are
//!    quoted up to its closing mark. News style re-opens a running quotation at each new
//!    paragraph, so an opening mark at the start of a sentence continues it; an opening mark
//!    later in a sentence means the running quotation lost its closing mark, and it is dropped;
//!    so is one that runs 10 sentences (`MAX_RUN`) without being re-opened.
//! 4. **Voice.** With quotations: [`Voice::Quoted`] when the text outside them is empty or only
//!    attribution tags (`He said, "..."`, `"...," said X, a spokesman for Y.`, but not `"...,"
//!    he said, adding that ...`), otherwise [`Voice::PartlyQuoted`]. Without: [`Voice::Attributed`]
//!    when a reporting verb outside quotation marks has a speaker ("The ministry said...", "...,
//!    he said.", "experts say", "She notes that...", "..., saying ...", "according to", "in the
//!    words of"), else [`Voice::Own`]. Uses of those words that report nothing stay own: "the
//!    said agreement", "as noted above", "That said,", "to say", "did not say", "member States",
//!    "China's claims", "added to the tension", "according to international law", and first-person
//!    subjects ("We stress that..." is the speaker's own voice). Verbs such as asked, continued
//!    or recalled only mark tags: alone they are too often plain actions.

use std::ops::Range;

pub use crate::doc::{in_quotes, Voice};

mod cues;
use cues::*;

/// Tracks open quotations across sentences of one document (a quote can span several
/// sentences). Use one tracker per document and feed it every sentence in order.
#[derive(Debug, Clone, Default)]
pub struct QuoteTracker {
    /// The kind of quotation left open by the previous sentence.
    open: Option<Family>,
    /// Sentences it has run since its opening mark or last re-opening.
    run: usize,
}

/// A quotation runs at most this many sentences without a mark of its kind. News style re-opens
/// a quotation at every paragraph, so a longer run means a closing mark is missing; this bounds
/// the damage of one typo to a paragraph rather than the rest of the document.
const MAX_RUN: usize = 10;

impl QuoteTracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Classifies one sentence (in document order) and returns its voice and the byte ranges,
    /// relative to `sentence`, of text inside quotation marks that counts as quoted material
    /// (the marks themselves included). A quotation carried over from the previous sentence
    /// starts at 0; one still open at the end runs to `sentence.len()`. Ranges are in order and
    /// do not overlap.
    pub fn classify(&mut self, sentence: &str) -> (Voice, Vec<Range<usize>>) {
        let chars: Vec<(usize, char)> = sentence.char_indices().collect();
        let marks = scan_marks(&chars);
        let carried = self.open.filter(|_| self.run < MAX_RUN);
        let (spans, open) = pair_marks(&marks, carried, sentence.len());
        self.open = open.map(|(family, _)| family);
        self.run = match open {
            Some((_, false)) => self.run.saturating_add(1),
            _ => 0,
        };
        Sentence::new(sentence, &chars, spans).classify()
    }
}

/// Kinds of quotation mark; a closing mark must be of the opening mark's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Double,
    Single,
    Guillemet,
}

/// A character that may open or close a quotation here.
#[derive(Debug, Clone, Copy)]
struct Mark {
    pos: usize,
    end: usize,
    ch: char,
    family: Family,
    can_open: bool,
    can_close: bool,
    /// No letter or digit before it in the sentence.
    at_start: bool,
    /// The last visible character before it is a colon (`He said: ‘We...`).
    after_colon: bool,
}

fn is_punct(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace()
}

fn is_double_mark(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„' | '«' | '»')
}

/// Finds the quotation marks of a sentence and which way each can face (rule 1).
fn scan_marks(chars: &[(usize, char)]) -> Vec<Mark> {
    let mut marks = Vec::new();
    let mut at_start = true;
    let mut last_visible = None;
    for (k, &(pos, ch)) in chars.iter().enumerate() {
        let prev = k.checked_sub(1).map(|j| chars[j].1);
        let next = chars.get(k + 1).map(|&(_, c)| c);
        // Flanking as in CommonMark: a mark opens before a word and closes after one.
        let left = next.is_some_and(|n| {
            !n.is_whitespace() && (!is_punct(n) || prev.is_none_or(|p| !p.is_alphanumeric()))
        });
        let right = prev.is_some_and(|p| {
            !p.is_whitespace() && (!is_punct(p) || next.is_none_or(|n| !n.is_alphanumeric()))
        });
        let opens_only =
            prev.is_none_or(char::is_whitespace) && next.is_some_and(|n| !n.is_whitespace());
        let closes_only =
            next.is_none_or(char::is_whitespace) && prev.is_some_and(|p| !p.is_whitespace());
        let open_context = prev.is_none_or(|p| {
            p.is_whitespace()
                || matches!(p, '(' | '[' | '{' | '—' | '–' | '-' | '/')
                || is_double_mark(p)
        });
        let between_alnum =
            prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric);
        let single_close = !between_alnum
            && prev.is_some_and(|p| !p.is_whitespace())
            && next.is_none_or(|n| !n.is_alphanumeric());
        let kind = match ch {
            '"' => Some((Family::Double, left, right)),
            // Curly marks face their own way unless spaced the other way (`word“ `, ` ”word`).
            '“' | '„' => Some((Family::Double, !closes_only, closes_only)),
            '”' => Some((Family::Double, opens_only, !opens_only)),
            '«' => Some((Family::Guillemet, true, false)),
            '»' => Some((Family::Guillemet, false, true)),
            '‘' => Some((
                Family::Single,
                open_context && next.is_some_and(|n| !n.is_whitespace() && !n.is_numeric()),
                false,
            )),
            '’' => Some((Family::Single, false, single_close)),
            '\'' => Some((
                Family::Single,
                open_context && next.is_some_and(char::is_alphabetic),
                single_close,
            )),
            _ => None,
        };
        if let Some((family, can_open, can_close)) = kind {
            if can_open || can_close {
                marks.push(Mark {
                    pos,
                    end: pos + ch.len_utf8(),
                    ch,
                    family,
                    can_open,
                    can_close,
                    at_start,
                    after_colon: last_visible == Some(':'),
                });
            }
        }
        if ch.is_alphanumeric() {
            at_start = false;
        }
        if !ch.is_whitespace() {
            last_visible = Some(ch);
        }
    }
    marks
}

/// A stretch between quotation marks, marks included.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    /// Where the closing mark starts (`end` when the span is still open).
    inner_end: usize,
    closed: bool,
    /// Opened in an earlier sentence.
    carried: bool,
}

/// Pairs opening and closing marks (rules 1 and 3). Returns the spans in order and the kind of
/// quotation left open at the end of the sentence, with whether a mark of this sentence opened
/// or re-opened it.
fn pair_marks(
    marks: &[Mark],
    carried: Option<Family>,
    len: usize,
) -> (Vec<Span>, Option<(Family, bool)>) {
    // Whether a single mark that can close comes later: only then is a single opener real.
    let mut close_later = vec![false; marks.len()];
    let mut seen = false;
    for (i, m) in marks.iter().enumerate().rev() {
        close_later[i] = seen;
        seen |= m.family == Family::Single && m.can_close;
    }
    let mut spans = Vec::new();
    // (kind, start, carried)
    let mut cur: Option<(Family, usize, bool)> = carried.map(|f| (f, 0, true));
    let mut reopened = false;
    for (i, m) in marks.iter().enumerate() {
        let opens = m.can_open
            && (m.family != Family::Single
                || close_later[i]
                || (m.ch == '‘' && (m.at_start || m.after_colon)));
        let close = |spans: &mut Vec<Span>, start: usize, carried: bool| {
            spans.push(Span {
                start,
                end: m.end,
                inner_end: m.pos,
                closed: true,
                carried,
            })
        };
        match cur {
            Some((family, start, carried)) => {
                let reopen = carried && m.at_start && opens;
                if m.family != family {
                    // A nested quotation of the other kind, unless a new paragraph's quotation
                    // starts the sentence: then the running one went stale.
                    if reopen {
                        cur = Some((m.family, m.pos, false));
                    }
                } else if m.can_close && !(opens && reopen) {
                    close(&mut spans, start, carried);
                    cur = None;
                } else if reopen {
                    reopened = true;
                } else if opens {
                    if carried {
                        // A fresh opening mark mid-sentence: the running quotation lost its
                        // closing mark somewhere; start over here.
                        cur = Some((family, m.pos, false));
                    } else if m.ch == '"' {
                        // Straight quotes pair by parity whatever their spacing.
                        close(&mut spans, start, carried);
                        cur = None;
                    }
                }
                // Otherwise a stray mark inside the quotation: ignored.
            }
            None if opens => cur = Some((m.family, m.pos, false)),
            None => {}
        }
    }
    let open = cur.map(|(family, start, carried)| {
        spans.push(Span {
            start,
            end: len,
            inner_end: len,
            closed: false,
            carried,
        });
        (family, !carried || reopened)
    });
    (spans, open)
}

#[derive(Debug, Clone, Copy)]
struct Word {
    start: usize,
    end: usize,
}

/// Runs of letters and digits, joined across inner apostrophes, hyphens and dots (China’s,
/// so-called, L.52); an abbreviation keeps its final dot (U.S.), so it does not end a clause.
fn split_words(chars: &[(usize, char)], len: usize) -> Vec<Word> {
    let mut words = Vec::new();
    let mut start = None;
    let mut dotted = false;
    for (k, &(pos, ch)) in chars.iter().enumerate() {
        let next_alnum = chars.get(k + 1).is_some_and(|&(_, c)| c.is_alphanumeric());
        if ch.is_alphanumeric() {
            if start.is_none() {
                start = Some(pos);
                dotted = false;
            }
            continue;
        }
        if start.is_some() && next_alnum && matches!(ch, '\'' | '’' | '-' | '‐' | '‑' | '.' | '&')
        {
            dotted |= ch == '.';
            continue;
        }
        if let Some(s) = start.take() {
            let end = if ch == '.' && dotted { pos + 1 } else { pos };
            words.push(Word { start: s, end });
        }
    }
    if let Some(s) = start {
        words.push(Word { start: s, end: len });
    }
    words
}

/// A reporting verb or phrase in a sentence.
#[derive(Debug, Clone, Copy)]
struct Cue {
    first: usize,
    last: usize,
    form: Form,
    /// Reads as reporting here (not "the said agreement", "as noted above", "to say"): enough
    /// next to a quotation, which supplies the speech.
    tag: bool,
    /// Also has a speaker ("the ministry said", "experts say"): enough on its own to make a
    /// sentence reported speech.
    attribution: bool,
}

/// One sentence being classified: its words, quoted spans and reporting verbs.
struct Sentence<'a> {
    s: &'a str,
    words: Vec<Word>,
    spans: Vec<Span>,
    /// Per span, its words: `ws..we`.
    span_words: Vec<(usize, usize)>,
    in_span: Vec<bool>,
    cues: Vec<Cue>,
    cue_from: Vec<Option<usize>>,
    cue_to: Vec<Option<usize>>,
}

impl<'a> Sentence<'a> {
    fn new(s: &'a str, chars: &[(usize, char)], spans: Vec<Span>) -> Self {
        let words = split_words(chars, s.len());
        let mut span_words = Vec::with_capacity(spans.len());
        let mut in_span = vec![false; words.len()];
        let mut k = 0;
        for sp in &spans {
            while k < words.len() && words[k].start < sp.start {
                k += 1;
            }
            let ws = k;
            while k < words.len() && words[k].start < sp.end {
                in_span[k] = true;
                k += 1;
            }
            span_words.push((ws, k));
        }
        let mut t = Sentence {
            s,
            words,
            spans,
            span_words,
            in_span,
            cues: Vec::new(),
            cue_from: Vec::new(),
            cue_to: Vec::new(),
        };
        t.find_cues();
        t
    }

    fn word(&self, i: usize) -> &'a str {
        &self.s[self.words[i].start..self.words[i].end]
    }

    fn is(&self, i: usize, w: &str) -> bool {
        self.word(i).eq_ignore_ascii_case(w)
    }

    fn is_any(&self, i: usize, list: &[&str]) -> bool {
        let w = self.word(i);
        list.iter().any(|x| w.eq_ignore_ascii_case(x))
    }

    /// The text between word `i - 1` and word `i`.
    fn gap(&self, i: usize) -> &'a str {
        &self.s[self.words[i - 1].end..self.words[i].start]
    }

    fn non_subject(&self, i: usize) -> bool {
        let w = self.word(i);
        let lower = w.to_lowercase();
        // A possessive modifies a noun: "Grenada's stated position".
        self.is_any(i, NON_SUBJECT)
            || ["n't", "n’t", "'s", "’s"]
                .iter()
                .any(|e| lower.ends_with(e))
    }

    /// The word before word `i` that would be its subject, skipping adverbs and auxiliaries;
    /// `None` at the start of a clause and, unless `through`, after a comma or quotation mark
    /// (`"No," said Smith`).
    fn subject_before(&self, i: usize, through: bool) -> Option<usize> {
        let mut j = i;
        for _ in 0..4 {
            if j == 0 {
                return None;
            }
            let gap = self.gap(j);
            if gap.contains(CLAUSE_END) || (!through && (gap.contains(',') || gap.contains(MARKS)))
            {
                return None;
            }
            j -= 1;
            if !self.is_any(j, SKIP_BACK) && !self.adverb(j) {
                return Some(j);
            }
        }
        None
    }

    /// A lower-case -ly adverb ("widely", "firmly"), not a noun such as "assembly" or "ally".
    fn adverb(&self, i: usize) -> bool {
        let w = self.word(i);
        w.len() > 4
            && w.ends_with("ly")
            && w.starts_with(|c: char| c.is_lowercase())
            && !self.is_any(
                i,
                &[
                    "assembly", "family", "supply", "anomaly", "monopoly", "rally", "reply",
                    "bully",
                ],
            )
    }

    /// The word right after word `i`, within the clause.
    fn next_word(&self, i: usize) -> Option<usize> {
        (i + 1 < self.words.len() && !self.gap(i + 1).contains(CLAUSE_END)).then_some(i + 1)
    }

    fn plural_like(&self, i: usize) -> bool {
        let w = self.word(i).to_ascii_lowercase();
        w.len() > 3
            && w.ends_with('s')
            && !["ss", "us", "is", "'s", "’s"]
                .iter()
                .any(|e| w.ends_with(e))
            && !self.non_subject(i)
    }

    fn find_cues(&mut self) {
        let n = self.words.len();
        let mut cues = Vec::new();
        let mut i = 0;
        while i < n {
            if let Some(cue) = self.cue_at(i) {
                i = cue.last + 1;
                cues.push(cue);
            } else {
                i += 1;
            }
        }
        self.cue_from = vec![None; n];
        self.cue_to = vec![None; n];
        for (c, cue) in cues.iter().enumerate() {
            self.cue_from[cue.first] = Some(c);
            self.cue_to[cue.last] = Some(c);
        }
        self.cues = cues;
    }

    fn cue_at(&self, i: usize) -> Option<Cue> {
        let n = self.words.len();
        let joined = |k: usize| k < n && self.gap(k).chars().all(char::is_whitespace);
        if self.is(i, "according") && joined(i + 1) && self.is(i + 1, "to") {
            let ok = !self.according_to_rule(i + 2);
            return Some(Cue {
                first: i,
                last: i + 1,
                form: Form::Phrase,
                tag: ok,
                attribution: ok,
            });
        }
        if self.is(i, "in")
            && (1..4).all(|d| joined(i + d))
            && self.is(i + 1, "the")
            && self.is(i + 2, "words")
            && self.is(i + 3, "of")
        {
            return Some(Cue {
                first: i,
                last: i + 3,
                form: Form::Phrase,
                tag: true,
                attribution: true,
            });
        }
        if self.is_any(i, TAG_VERBS) {
            let blocked = self
                .subject_before(i, false)
                .is_some_and(|p| self.non_subject(p));
            return Some(Cue {
                first: i,
                last: i,
                form: Form::Past,
                tag: !blocked,
                attribution: false,
            });
        }
        let (form, bare, noun) = verb_form(self.word(i))?;
        let next = self.next_word(i);
        let next_is = |w: &str| next.is_some_and(|q| self.is(q, w));
        let gap_after = if i + 1 < n {
            self.gap(i + 1)
        } else {
            &self.s[self.words[i].end..]
        };
        let colon_after = gap_after.contains(':');
        let capital = self.word(i).starts_with(|c: char| c.is_uppercase());
        // Uses that report nothing: adjectival, passive, infinitive, negated ("the said
        // agreement", "it should be noted", "to say", "did not say").
        let mut blocked = self
            .subject_before(i, false)
            .is_some_and(|p| self.non_subject(p));
        // "the points noted above"
        blocked |= ["above", "below", "herein", "hereunder"]
            .iter()
            .any(|w| next_is(w));
        // "added to the tension", "noted for its beauty"
        blocked |= (bare == "add" && next_is("to")) || (bare == "note" && next_is("for"));
        // "terrorism, which claimed countless innocent lives"
        blocked |= bare == "claim"
            && (i + 1..n.min(i + 4)).any(|k| self.is_any(k, &["lives", "life", "victims"]));
        // "That said, ..."
        blocked |= bare == "say"
            && i == 1
            && self.is_any(0, &["that", "this"])
            && next.is_some_and(|q| self.gap(q).contains(','));
        // "Member States", "Notes"
        blocked |= noun && capital && matches!(form, Form::Present | Form::Bare);
        let subject = self
            .subject_before(i, true)
            .filter(|&p| !self.non_subject(p));
        let first_person = subject.is_some_and(|p| self.is_any(p, FIRST_PERSON));
        let pronoun = subject.is_some_and(|p| self.is_any(p, PRONOUNS));
        let plural =
            subject.is_some_and(|p| self.is_any(p, PLURAL_PRONOUNS) || self.plural_like(p));
        // "notes that the...", not a relative clause ("the states that occupied...").
        let that = colon_after
            || (next_is("that")
                && next.and_then(|q| self.next_word(q)).is_none_or(|r| {
                    let w = self.word(r);
                    !(self.is_any(r, AUX) || (w.len() > 4 && w.ends_with("ed")))
                }));
        let attribution = !blocked
            && !first_person
            && match form {
                // Not a participle closing the clause after a comma: "..., widely acknowledged."
                Form::Past => {
                    subject.is_some() && (next.is_some() || self.subject_before(i, false).is_some())
                }
                Form::Present => subject.is_some() && (!noun || pronoun || that),
                Form::Bare => plural && (!noun || that),
                // ", saying ...", ", warning that ..."
                Form::Ing => {
                    i > 0 && self.gap(i).contains(',') && (matches!(bare, "say" | "tell") || that)
                }
                Form::Phrase => false,
            };
        // A word that doubles as a noun tags a quotation only where it reads as a verb: inverted
        // (`“...,” notes the report`) or with a subject that fits (`“...,” they report`).
        let verb_like = !noun
            || self.subject_before(i, false).is_none()
            || match form {
                Form::Present => pronoun || that,
                Form::Bare => plural,
                _ => true,
            };
        let tag = !blocked && verb_like && form != Form::Ing;
        Some(Cue {
            first: i,
            last: i,
            form,
            tag,
            attribution,
        })
    }

    /// Whether "according to" before word `i` cites a rule rather than a speaker.
    fn according_to_rule(&self, mut i: usize) -> bool {
        if i < self.words.len()
            && self.is_any(
                i,
                &[
                    "the", "a", "an", "its", "their", "his", "her", "our", "this", "these", "those",
                ],
            )
        {
            i += 1;
        }
        if i < self.words.len() && self.is(i, "own") {
            i += 1;
        }
        if i >= self.words.len() {
            return false;
        }
        let w = self.word(i).to_lowercase();
        ACCORDING_NOT.contains(&w.as_str())
            || w.strip_suffix('s')
                .is_some_and(|w| ACCORDING_NOT.contains(&w))
    }

    fn classify(&self) -> (Voice, Vec<Range<usize>>) {
        let quotes: Vec<usize> = (0..self.spans.len())
            .filter(|&q| self.is_quotation(q))
            .collect();
        if quotes.is_empty() {
            let attributed = self
                .cues
                .iter()
                .any(|c| c.attribution && !self.in_span[c.first]);
            let voice = if attributed {
                Voice::Attributed
            } else {
                Voice::Own
            };
            return (voice, Vec::new());
        }
        let ranges = quotes
            .iter()
            .map(|&q| self.spans[q].start..self.spans[q].end)
            .collect();
        // The outlet's words: the stretches between quotations. Quoted when they are only tags.
        let mut from = 0;
        let mut tags_only = true;
        for (k, &q) in quotes.iter().enumerate() {
            let (ws, we) = self.span_words[q];
            tags_only &= self.is_tag(from, ws, k == 0, self.spans[q].start);
            from = we;
        }
        tags_only &= self.is_tag(from, self.words.len(), false, self.s.len());
        let voice = if tags_only {
            Voice::Quoted
        } else {
            Voice::PartlyQuoted
        };
        (voice, ranges)
    }

    /// Rule 2: whether span `q` is a quotation rather than scare quotes or a title.
    fn is_quotation(&self, q: usize) -> bool {
        let sp = self.spans[q];
        let (ws, we) = self.span_words[q];
        // Still open, carried over, or the whole sentence (`“Really?”`).
        if sp.carried || !sp.closed || (ws == 0 && we == self.words.len()) {
            return true;
        }
        // Looking back, the previous span ends the search.
        let lo = q.checked_sub(1).map_or(0, |p| self.span_words[p].1);
        if self.named_before(ws, lo, sp.start) {
            return false;
        }
        if self.cue_before(ws, lo, sp.start) || self.cue_after(we, sp) {
            return true;
        }
        we - ws >= 5 && !self.title_case(ws, we)
    }

    /// A naming word right before the span: the resolution “...”, the so-called “...”.
    fn named_before(&self, ws: usize, lo: usize, start: usize) -> bool {
        if ws <= lo {
            return false;
        }
        let j = ws - 1;
        if !self.s[self.words[j].end..start]
            .chars()
            .all(|c| c.is_whitespace() || c == ',' || c == ':')
        {
            return false;
        }
        self.is_any(j, NAMING)
            || (j > lo && self.is(j, "of") && self.is_any(j - 1, NAMING_OF))
            || (j > lo && self.is(j, "as") && self.is_any(j - 1, &["known", "such"]))
    }

    /// A reporting verb just before the span, with at most two [`BRIDGE`] words between.
    fn cue_before(&self, ws: usize, lo: usize, start: usize) -> bool {
        let mut k = ws;
        let mut bridges = 0;
        while k > lo {
            let j = k - 1;
            let gap_end = if k == ws { start } else { self.words[k].start };
            if self.s[self.words[j].end..gap_end].contains(['.', ';', '!', '?', '(', ')']) {
                return false;
            }
            if self.cue_to[j].is_some_and(|c| self.cues[c].tag) {
                return true;
            }
            if bridges == 2 || !self.is_any(j, BRIDGE) {
                return false;
            }
            bridges += 1;
            k = j;
        }
        false
    }

    /// An attribution tag right after the span: `“No,” he said`, `“...”, according to X`,
    /// `“No,” the “hawkish” minister said`.
    fn cue_after(&self, we: usize, sp: Span) -> bool {
        if we >= self.words.len() {
            return false;
        }
        let gap = &self.s[sp.end..self.words[we].start];
        if gap.contains(CLAUSE_END) {
            return false;
        }
        // The quotation hands over to its tag with a comma (or ? ! — inside the marks; a period
        // when the tag goes on in lower case: `"We won." he said`).
        let inner = self.s[..sp.inner_end].trim_end();
        let lower_next = self.word(we).starts_with(|c: char| c.is_lowercase());
        let comma = gap.contains([',', '，', '—', '–'])
            || inner.ends_with([',', '，', '?', '!', '？', '！', '—', '–', '…'])
            || (inner.ends_with('.') && lower_next);
        if !comma {
            return false;
        }
        for k in we..self.words.len().min(we + 5) {
            if k > we && self.gap(k).contains(CLAUSE_END) {
                break;
            }
            if !self.in_span[k] && self.cue_from[k].is_some_and(|c| self.cues[c].tag) {
                return true;
            }
        }
        false
    }

    /// Title Case: every word but small function words capitalised, at least two of them.
    fn title_case(&self, ws: usize, we: usize) -> bool {
        let mut content = 0;
        for k in ws..we {
            if self.is_any(k, FUNCTION) {
                continue;
            }
            if !self
                .word(k)
                .starts_with(|c: char| c.is_uppercase() || c.is_numeric())
            {
                return false;
            }
            content += 1;
        }
        content >= 2
    }

    /// Whether words `a..b`, the outlet's words before a quotation starting at byte `end`
    /// (`leading`) or after one, are only an attribution tag. Before the quotation: a reporting
    /// verb among the first twelve words that ends the stretch (`He said, “...`, `He told
    /// reporters: “...`, `He said that “...`). After it: a reporting verb among the first seven
    /// words of a short stretch that starts no clause of its own (`“...,” said X, a spokesman
    /// for Y.`, but not `..., he said, adding that ...`).
    fn is_tag(&self, a: usize, b: usize, leading: bool, end: usize) -> bool {
        if a >= b {
            return true;
        }
        // The speaker's name and title may take a few words before the quotation, fewer after it.
        let reach = if leading { 12 } else { 7 };
        let Some(c) =
            (a..b.min(a + reach)).find_map(|k| self.cue_from[k].filter(|&c| self.cues[c].tag))
        else {
            return false;
        };
        let cue = self.cues[c];
        if cue.last >= b {
            return false;
        }
        if leading {
            let tail = &self.s[self.words[b - 1].end..end];
            b - 1 - cue.last <= 8
                && (cue.last == b - 1
                    || self.is(b - 1, "that")
                    || tail.contains([',', ':', '—', '–', '，', '：']))
        } else {
            b - a <= 16
                && !(cue.last + 1..b).any(|k| {
                    self.is_any(k, CLAUSE)
                        || self.cue_from[k].is_some_and(|c| {
                            let c = self.cues[c];
                            c.tag || c.attribution || c.form == Form::Ing
                        })
                })
        }
    }
}

#[cfg(test)]
mod tests;
