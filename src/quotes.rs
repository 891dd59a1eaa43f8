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

/// How a sentence relates to other people's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Voice {
    /// The outlet's own wording.
    #[default]
    Own,
    /// Contains a direct quotation (text inside quotation marks attributed or presented as
    /// someone's words), but also the outlet's own words around it.
    PartlyQuoted,
    /// Wholly a direct quotation, or a quotation continuing from the previous sentence.
    Quoted,
    /// Reported speech attributed to a source without quotation marks ("X said that ...",
    /// "according to Y, ...", "the ministry stated ...").
    Attributed,
}

impl Voice {
    /// The value written to CSV output.
    pub fn label(self) -> &'static str {
        match self {
            Voice::Own => "own",
            Voice::PartlyQuoted => "partly_quoted",
            Voice::Quoted => "quoted",
            Voice::Attributed => "attributed",
        }
    }
}

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

/// Whether the byte range `start..end` of a sentence lies inside quoted material: wholly inside
/// one of `ranges` (as returned by [`QuoteTracker::classify`]); a span that only overlaps a
/// quotation's edge is the outlet's own.
pub fn in_quotes(ranges: &[Range<usize>], start: usize, end: usize) -> bool {
    ranges.iter().any(|r| r.start <= start && end <= r.end)
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

/// Reporting verbs: base, third person, past, -ing form, and whether the base and third-person
/// forms are also common nouns (the notes, member states, China's claims), which then need
/// clearer evidence of a speaker.
#[rustfmt::skip]
const VERBS: &[(&str, &str, &str, &str, bool)] = &[
    ("say", "says", "said", "saying", false),
    ("tell", "tells", "told", "telling", false),
    ("state", "states", "stated", "stating", true),
    ("add", "adds", "added", "adding", true),
    ("note", "notes", "noted", "noting", true),
    ("argue", "argues", "argued", "arguing", false),
    ("claim", "claims", "claimed", "claiming", true),
    ("warn", "warns", "warned", "warning", false),
    ("stress", "stresses", "stressed", "stressing", true),
    ("emphasize", "emphasizes", "emphasized", "emphasizing", false),
    ("emphasise", "emphasises", "emphasised", "emphasising", false),
    ("insist", "insists", "insisted", "insisting", false),
    ("urge", "urges", "urged", "urging", true),
    ("announce", "announces", "announced", "announcing", false),
    ("declare", "declares", "declared", "declaring", false),
    ("explain", "explains", "explained", "explaining", false),
    ("assert", "asserts", "asserted", "asserting", false),
    ("report", "reports", "reported", "reporting", true),
    ("write", "writes", "wrote", "writing", false),
    ("acknowledge", "acknowledges", "acknowledged", "acknowledging", false),
    ("admit", "admits", "admitted", "admitting", false),
    ("reply", "replies", "replied", "replying", true),
    ("reiterate", "reiterates", "reiterated", "reiterating", false),
    ("underscore", "underscores", "underscored", "underscoring", true),
    ("underline", "underlines", "underlined", "underlining", true),
    ("caution", "cautions", "cautioned", "cautioning", true),
    ("remark", "remarks", "remarked", "remarking", true),
    ("comment", "comments", "commented", "commenting", true),
    ("contend", "contends", "contended", "contending", false),
    ("concede", "concedes", "conceded", "conceding", false),
    ("tweet", "tweets", "tweeted", "tweeting", true),
];

/// Verbs that introduce or close a quotation (`“...?” he asked.`) but are too often used for
/// plain actions (asked for help, continued to grow) to make a sentence reported speech alone.
#[rustfmt::skip]
const TAG_VERBS: &[&str] = &[
    "asked", "asks", "continued", "continues", "concluded", "concludes", "recalled", "recalls",
    "wondered", "wonders", "answered", "answers", "quipped", "joked", "observed", "observes",
    "predicted", "promised", "vowed", "pledged", "suggested", "suggests", "shouted", "responded",
    "recounted", "mused",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Past,
    Present,
    Bare,
    Ing,
    /// "according to", "in the words of".
    Phrase,
}

/// The reporting verb a word is, if any: its form, base form and whether it doubles as a noun.
fn verb_form(w: &str) -> Option<(Form, &'static str, bool)> {
    VERBS.iter().find_map(|&(bare, s, past, ing, noun)| {
        let form = if w.eq_ignore_ascii_case(past) {
            Form::Past
        } else if w.eq_ignore_ascii_case(s) {
            Form::Present
        } else if w.eq_ignore_ascii_case(bare) {
            Form::Bare
        } else if w.eq_ignore_ascii_case(ing) {
            Form::Ing
        } else {
            return None;
        };
        Some((form, bare, noun))
    })
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

/// Words before a reporting verb that show it is no finite verb with a subject: determiners
/// (adjectival "the said agreement", "its stated aim"), "be" (passive "it should be noted"),
/// modals and negation (nothing reported), "to", "as" ("as noted above"), prepositions.
const NON_SUBJECT: &[&str] = &[
    "a", "an", "the", "its", "their", "his", "her", "our", "my", "your", "these", "those", "such",
    "any", "every", "each", "no", "whose", "is", "was", "were", "are", "be", "been", "being", "am",
    "will", "would", "shall", "should", "can", "could", "may", "might", "must", "cannot", "not",
    "never", "to", "as", "so", "having", "of", "in", "on", "at", "for", "with", "by", "from",
    "into", "about", "than", "over", "under", "per", "via", "upon", "without", "within",
];

/// Skipped when looking back from a verb for its subject ("he has also said").
#[rustfmt::skip]
const SKIP_BACK: &[&str] = &[
    "also", "further", "later", "earlier", "then", "again", "already", "once", "often", "has",
    "have", "had", "repeatedly", "previously", "recently", "reportedly", "publicly", "openly",
    "separately", "similarly", "subsequently", "firmly", "strongly", "clearly", "explicitly",
    "specifically", "just", "still", "even", "well",
];

/// First-person subjects: the text's own author speaking, not someone reported.
const FIRST_PERSON: &[&str] = &["i", "we"];

/// Subjects that show a third-person verb (notes, states) is a verb.
const PRONOUNS: &[&str] = &["he", "she", "it", "who", "which", "this", "that"];

/// Subjects that show a base form (say, note) is a verb; "this" and "that" are determiners there.
const PLURAL_PRONOUNS: &[&str] = &["they", "you", "who"];

/// Verbs that start a relative clause after "that" ("states that have..."), so it is no
/// reported statement.
#[rustfmt::skip]
const AUX: &[&str] = &[
    "is", "are", "was", "were", "have", "has", "had", "will", "would", "can", "could", "may",
    "might", "must", "should", "shall", "do", "does", "did", "remain", "remains", "continue",
    "continues", "seek", "seeks", "want", "wants",
];

/// Words that may stand between a reporting verb and the quotation it introduces
/// (`told reporters that “...”`, `said it was “unacceptable”`).
#[rustfmt::skip]
const BRIDGE: &[&str] = &[
    "that", "reporters", "journalists", "lawmakers", "me", "us", "him", "her", "them", "it", "this",
    "was", "is", "were", "are", "would", "will", "be",
];

/// Words right before a quoted span that make it a name or title rather than a quotation.
#[rustfmt::skip]
const NAMING: &[&str] = &[
    "resolution", "resolutions", "draft", "entitled", "titled", "called", "named", "dubbed",
    "nicknamed", "labelled", "labeled", "branded", "termed", "so-called", "headlined", "slogan",
    "slogans", "motto", "theme", "title", "headline", "term", "terms", "word", "words", "phrase",
    "expression", "label", "concept", "notion", "doctrine", "initiative", "programme", "program",
    "campaign", "operation", "treaty", "convention", "act", "law", "bill", "report", "document",
    "declaration", "book", "film", "movie", "song", "article", "column", "editorial", "item",
    "agenda", "topic", "hashtag", "banner", "paper", "study", "series", "project",
];

/// Nouns that name what follows "of": the concept of “...”.
#[rustfmt::skip]
const NAMING_OF: &[&str] = &[
    "concept", "notion", "idea", "principle", "vision", "theory", "policy", "strategy", "slogan",
    "goal", "spirit", "philosophy", "doctrine", "title", "theme",
];

/// Small words left lower-case in Title Case.
const FUNCTION: &[&str] = &[
    "a", "an", "the", "of", "and", "or", "nor", "but", "in", "on", "for", "to", "with", "by", "at",
    "from", "as", "into", "onto", "over", "under", "between", "against", "about", "through",
    "toward", "towards", "upon", "within", "without", "via", "vs", "per", "its", "than",
];

/// After "according to": sources of rules rather than of statements ("according to plan",
/// "according to international law", "according to the Charter"). Compared without a final s.
#[rustfmt::skip]
const ACCORDING_NOT: &[&str] = &[
    "plan", "schedule", "law", "rule", "need", "charter", "provision", "principle", "treaty",
    "convention", "article", "paragraph", "section", "constitution", "agreement", "term",
    "procedure", "standard", "criteria", "criterion", "guideline", "regulation", "statute",
    "protocol", "mandate", "tradition", "custom", "practice", "requirement", "instruction",
    "resolution", "decision", "international", "domestic", "national", "local", "priority",
    "circumstance", "context", "size", "type", "category", "merit", "ability", "capacity",
    "capability", "order", "purpose", "objective", "aim", "spirit", "letter", "norm",
];

/// Conjunctions that start a clause of the outlet's own: a tag containing one is more than a tag.
const CLAUSE: &[&str] = &[
    "that", "because", "but", "although", "though", "while", "whereas", "however",
];

/// Ends a clause: nothing looks across these for a subject or a nearby quotation.
const CLAUSE_END: [char; 9] = ['.', ';', ':', '!', '?', '(', ')', '[', ']'];
const MARKS: [char; 9] = ['"', '“', '”', '„', '«', '»', '‘', '’', '\''];

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
mod tests {
    use super::*;
    use Voice::*;

    /// The contract callers rely on: ranges in order, disjoint, on char boundaries, in bounds.
    fn check(s: &str, ranges: &[Range<usize>]) {
        let mut prev = 0;
        for r in ranges {
            assert!(
                r.start >= prev && r.start <= r.end && r.end <= s.len(),
                "{ranges:?} in {s:?}"
            );
            assert!(
                s.is_char_boundary(r.start) && s.is_char_boundary(r.end),
                "{ranges:?} in {s:?}"
            );
            prev = r.end;
        }
    }

    /// Classifies the sentences of one document; returns each voice with its quoted substrings.
    fn doc<'a>(sentences: &[&'a str]) -> Vec<(Voice, Vec<&'a str>)> {
        let mut t = QuoteTracker::new();
        sentences
            .iter()
            .map(|&s| {
                let (v, r) = t.classify(s);
                check(s, &r);
                (v, r.into_iter().map(|r| &s[r]).collect())
            })
            .collect()
    }

    fn one(s: &str) -> (Voice, Vec<&str>) {
        doc(&[s]).remove(0)
    }

    fn voice(s: &str) -> Voice {
        one(s).0
    }

    #[test]
    fn labels() {
        let labels: Vec<_> = [Own, PartlyQuoted, Quoted, Attributed]
            .map(Voice::label)
            .into();
        assert_eq!(labels, ["own", "partly_quoted", "quoted", "attributed"]);
    }

    #[test]
    fn plain_sentence_is_own() {
        assert_eq!(
            one("China launched the core module of its space station on Thursday."),
            (Own, vec![])
        );
        assert_eq!(one(""), (Own, vec![]));
    }

    #[test]
    fn quote_with_trailing_tag_is_quoted() {
        let s = r#""We will go," she said."#;
        assert_eq!(one(s), (Quoted, vec![r#""We will go,""#]));
        assert_eq!(one("“No,” he said."), (Quoted, vec!["“No,”"]));
        assert_eq!(
            one("“Hegemony,” the foreign ministry spokesman said on Monday."),
            (Quoted, vec!["“Hegemony,”"])
        );
        assert_eq!(one("“Never,” said Wang Yi."), (Quoted, vec!["“Never,”"]));
    }

    #[test]
    fn quote_with_leading_tag_is_quoted() {
        let s = r#"He said, "we must act now to stop the arms race.""#;
        assert_eq!(
            one(s),
            (Quoted, vec![r#""we must act now to stop the arms race.""#])
        );
        assert_eq!(
            voice("She told reporters on Tuesday: “The talks have failed and we will leave.”"),
            Quoted
        );
        assert_eq!(
            voice("According to the minister, “the plan cannot work without all parties.”"),
            Quoted
        );
        assert_eq!(
            voice("He said that “the door to dialogue remains open to all sides.”"),
            Quoted
        );
    }

    #[test]
    fn quote_inside_own_words_is_partly_quoted() {
        let s = r#"The minister called the plan "a disgraceful attempt to bully small nations" in a speech."#;
        assert_eq!(
            one(s),
            (
                PartlyQuoted,
                vec![r#""a disgraceful attempt to bully small nations""#]
            )
        );
        // The verb introduces a clause of the outlet's own before the quotation.
        assert_eq!(
            voice("He said the plan was “a disgrace to the nation and all of us.”"),
            PartlyQuoted
        );
        // Tags that go on with the outlet's own clause.
        assert_eq!(
            voice("“We will win,” he said, adding that the talks had failed."),
            PartlyQuoted
        );
        assert_eq!(
            voice("“We will win,” he said, but the crowd was not convinced."),
            PartlyQuoted
        );
    }

    #[test]
    fn real_sentences() {
        // VOA: curly opening mark, straight closing mark.
        let voa = "“Currently, Russia’s our only way up to orbit for the International Space Station and for any other human mission.\"";
        assert_eq!(one(voa), (Quoted, vec![voa]));
        // NASA: a quotation broken by its tag, whose speaker description is long.
        let nasa = "“We have had an opportunity to open up this incredibly precious sample that’s been saved for 50 years under vacuum,” said Thomas Zurbuchen, associate administrator of NASA’s Science Mission Directorate in Washington, “and we finally get to see what treasures are held within.”";
        let (v, q) = one(nasa);
        assert_eq!(v, Quoted);
        assert_eq!(q.len(), 2);
        assert!(q[0].starts_with("“We have had") && q[0].ends_with("vacuum,”"));
        assert_eq!(
            q[1],
            "“and we finally get to see what treasures are held within.”"
        );
        // VOA: the outlet's words around a quotation of Xi.
        let xi = r#"China's President Xi Jinping praised the launch as "an important pilot project in the building of a powerful nation in both technology and in space," state media reported."#;
        assert_eq!(
            one(xi),
            (
                PartlyQuoted,
                vec![
                    r#""an important pilot project in the building of a powerful nation in both technology and in space,""#
                ]
            )
        );
        // UN News.
        assert_eq!(
            voice("“Outer space does not belong to individual nations. Its peaceful and sustainable use is not subject to national appropriation and must be a place of peace and cooperation for the benefit and in the interest of all countries,” he said."),
            Quoted
        );
        let urge = "Calling on all Member States to help safeguard the UN’s non-proliferation objectives both on Earth and in space, he urged nations to take all necessary steps to “keep the space weapons free”.";
        assert_eq!(
            one(urge),
            (PartlyQuoted, vec!["“keep the space weapons free”"])
        );
    }

    #[test]
    fn scare_quotes_are_not_quotations() {
        assert_eq!(
            one("The so-called “de-risking” is decoupling in disguise."),
            (Own, vec![])
        );
        assert_eq!(
            one("But some are now using another word, “de-risking”."),
            (Own, vec![])
        );
        assert_eq!(
            one(r#"Critics see a "new Cold War" in the making."#),
            (Own, vec![])
        );
        assert_eq!(
            one("They ask how such “de-risking” will be carried out."),
            (Own, vec![])
        );
        // Five words make a quotation even without a verb nearby.
        assert_eq!(
            voice(r#"Critics see "a new Cold War in space" in the making."#),
            PartlyQuoted
        );
        // A short span next to a reporting verb is the speaker's words.
        assert_eq!(
            one("The ministry said it was “unacceptable”."),
            (PartlyQuoted, vec!["“unacceptable”"])
        );
        assert_eq!(
            one("He told reporters that “hegemony” was the problem."),
            (PartlyQuoted, vec!["“hegemony”"])
        );
    }

    #[test]
    fn titles_are_not_quotations() {
        // The seed article: a resolution's title, whatever its length.
        let seed = r#"In addition, the UN General Assembly adopted a resolution "No first deployment in space", sponsored by Russia and China."#;
        assert_eq!(one(seed), (Own, vec![]));
        assert_eq!(
            voice("During the meeting, the Committee approved the draft resolution “Further practical measures for the prevention of an arms race in outer space” (document A/C.1/72/L.54)."),
            Own
        );
        // Title Case after any word.
        assert_eq!(
            one("The Department of Defense released its annual report on “Military and Security Developments Involving the People’s Republic of China.”"),
            (Own, vec![])
        );
        assert_eq!(voice("He spoke on agenda item 28, entitled “Elimination of Unilateral Extraterritorial Coercive Economic Measures as a Means of Political and Economic Compulsion”."), Own);
        assert_eq!(voice("They promote the concept of “a community with a shared future for mankind” everywhere."), Own);
        assert_eq!(
            voice("It is known as “the great wall of sand in the sea” among sailors."),
            Own
        );
    }

    #[test]
    fn multi_sentence_quote() {
        let got = doc(&[
            "“The Russians are partners in the International Space Station.",
            "Therefore, they were deemed reliable to be able to supply services to the space station.",
            "They have the Soyuz, which has been operational for 50 years now.”",
            "Competitors cooperate even during Cold War.",
        ]);
        assert_eq!(
            got[0],
            (
                Quoted,
                vec!["“The Russians are partners in the International Space Station."]
            )
        );
        assert_eq!(got[1], (Quoted, vec!["Therefore, they were deemed reliable to be able to supply services to the space station."]));
        assert_eq!(
            got[2],
            (
                Quoted,
                vec!["They have the Soyuz, which has been operational for 50 years now.”"]
            )
        );
        assert_eq!(got[3], (Own, vec![]));
    }

    #[test]
    fn multi_sentence_quote_with_tags() {
        let got = doc(&[
            "He said: “We will fight.",
            "We will not give up.",
            "We will win,” he added.",
            "The crowd cheered.",
        ]);
        let voices: Vec<_> = got.iter().map(|g| g.0).collect();
        assert_eq!(voices, [Quoted, Quoted, Quoted, Own]);
        assert_eq!(got[0].1, ["“We will fight."]);
        assert_eq!(got[2].1, ["We will win,”"]);
        // The outlet's words after the closing mark.
        let got = doc(&[
            r#""It is over."#,
            r#"We lost," he said, but the party would regroup."#,
        ]);
        assert_eq!(got[1], (PartlyQuoted, vec![r#"We lost,""#]));
    }

    #[test]
    fn paragraph_reopens_a_running_quote() {
        let got = doc(&[
            "“We will fight.",
            "“We will win,” she said.",
            "Then she left.",
        ]);
        assert_eq!(got[0].0, Quoted);
        assert_eq!(got[1], (Quoted, vec!["“We will win,”"]));
        assert_eq!(got[2], (Own, vec![]));
        let got = doc(&[
            r#""We will fight."#,
            r#""We will win," she said."#,
            "Then she left.",
        ]);
        assert_eq!(got[1], (Quoted, vec![r#""We will win,""#]));
        assert_eq!(got[2].0, Own);
    }

    #[test]
    fn lost_closing_mark_is_dropped_at_the_next_quote() {
        let got = doc(&[
            "He said: “We will fight.",
            "The minister called it “a disgraceful attempt to bully small nations” on Monday.",
            "Then he left.",
        ]);
        assert_eq!(
            got[1],
            (
                PartlyQuoted,
                vec!["“a disgraceful attempt to bully small nations”"]
            )
        );
        assert_eq!(got[2], (Own, vec![]));
    }

    #[test]
    fn apostrophes_are_not_quotes() {
        let got = doc(&[
            "China’s space program has grown since the ’90s, and it doesn’t hide it.",
            "The workers’ union and the students' groups met in the '90s.",
            "Rock ’n’ roll and rock 'n' roll arrived in China’s cities.",
            "Lewis said that joint project was important.",
        ]);
        assert_eq!(got[0], (Own, vec![]));
        assert_eq!(got[1], (Own, vec![]));
        assert_eq!(got[2], (Own, vec![]));
        assert_eq!(got[3], (Attributed, vec![]));
        // A stray apostrophe-like opening mark with no closing mark opens nothing.
        assert_eq!(
            doc(&["Give ‘em a chance.", "Nothing is quoted here."])[1],
            (Own, vec![])
        );
        assert_eq!(
            doc(&["Give 'em a chance.", "Nothing is quoted here."])[1],
            (Own, vec![])
        );
    }

    #[test]
    fn single_quotes_as_quotation_marks() {
        assert_eq!(
            one("'We will go,' she said."),
            (Quoted, vec!["'We will go,'"])
        );
        assert_eq!(
            one("‘We will not back down,’ the minister said."),
            (Quoted, vec!["‘We will not back down,’"])
        );
        assert_eq!(
            one("The minister called the plan ‘a disgraceful attempt to bully small nations’."),
            (
                PartlyQuoted,
                vec!["‘a disgraceful attempt to bully small nations’"]
            )
        );
        assert_eq!(one("It was a ‘win-win’ deal."), (Own, vec![]));
        // British style over two sentences.
        let got = doc(&["He said: ‘We will fight.", "We will win.’", "Then he left."]);
        let voices: Vec<_> = got.iter().map(|g| g.0).collect();
        assert_eq!(voices, [Quoted, Quoted, Own]);
    }

    #[test]
    fn nested_quotes() {
        let s = r#""He told me 'no way' yesterday, and I believed him," she said."#;
        assert_eq!(
            one(s),
            (
                Quoted,
                vec![r#""He told me 'no way' yesterday, and I believed him,""#]
            )
        );
        let s = "“They call it ‘de-risking’ but it is decoupling by another name,” the ambassador said.";
        assert_eq!(
            one(s),
            (
                Quoted,
                vec![s.strip_suffix(" the ambassador said.").unwrap()]
            )
        );
    }

    #[test]
    fn guillemets() {
        let s = "He said: «We will never accept this kind of pressure from anyone.»";
        assert_eq!(
            one(s),
            (
                Quoted,
                vec!["«We will never accept this kind of pressure from anyone.»"]
            )
        );
        assert_eq!(voice("The «special operation» continued."), Own);
    }

    #[test]
    fn attributed_speech() {
        for s in [
            "The ministry said the move was a provocation.",
            "The talks were constructive, he said.",
            "According to a report by Russia**, the United Nations has adopted a resolution on the issue.",
            "She notes that NASA, the U.S. space agency, depends on Russia to reach the space station.",
            "Lewis says, since 2011, NASA has worked to develop its next generation of spacecraft.",
            "Yet experts note that the two sides continue working together in space.",
            "Chinese space officials say a spacecraft has successfully collected samples from the moon.",
            "The U.S. said the test was irresponsible.",
            "Ambassador Xie noted that every country has national security to take care of.",
            "The spokesman has repeatedly stated that China opposes an arms race.",
            "In the words of the Secretary-General, the situation is dire.",
            "Cuba’s representative said her delegation voted against “L.52” because the Fourth Committee is the appropriate forum.",
            "India’s representative was among delegates who questioned “L.52”, saying that her delegation abstained.",
            "The Assembly President emphasised that the 1967 Outer Space Treaty “clearly prohibits” States parties from placing weapons in orbit.",
            "The report warns of a growing threat.",
            "Beijing's foreign ministry spokesperson said the accusation was groundless.",
        ] {
            assert_eq!(one(s), (Attributed, vec![]), "{s}");
        }
    }

    #[test]
    fn reporting_words_in_other_senses_are_own() {
        for s in [
            "The said agreement entered into force in 1967.",
            "As noted above, the treaty has gaps.",
            "As previously stated, the treaty has gaps.",
            "That said, the treaty has gaps.",
            "It should be noted that the treaty has gaps.",
            "Needless to say, the treaty has gaps.",
            "Member States should refrain from the threat of force.",
            "All member states should refrain from the threat of force.",
            "China's claims in the South China Sea are well known.",
            "The new sanctions added to the tension.",
            "Its stated aim is to deter aggression.",
            "Space activities shall be carried out according to international law.",
            "The launch went according to plan.",
            "The so-called rules-based order serves a few.",
            "We stress that outer space is the common heritage of mankind.",
            "I would like to say a few words about the treaty.",
            "The notes of the meeting were published.",
            "Reported cases rose sharply.",
            "He did not say a word.",
        ] {
            assert_eq!(one(s), (Own, vec![]), "{s}");
        }
    }

    #[test]
    fn quote_and_attribution_is_partly_quoted_not_attributed() {
        let s = "The ministry said the so-called alliance was “an attempt to contain China and divide the region”.";
        assert_eq!(
            one(s),
            (
                PartlyQuoted,
                vec!["“an attempt to contain China and divide the region”"]
            )
        );
    }

    #[test]
    fn stray_and_unbalanced_marks() {
        // A closing mark with nothing open quotes nothing.
        assert_eq!(one("The pipe is 12\" wide and 3’ long.”"), (Own, vec![]));
        // An opening mark left open quotes the rest of the sentence and the next.
        let got = doc(&[
            "The minister warned: “This will not stand.",
            "Nobody doubted her.",
        ]);
        assert_eq!(got[0], (Quoted, vec!["“This will not stand."]));
        assert_eq!(got[1], (Quoted, vec!["Nobody doubted her."]));
        // A lone mark surrounded by spaces is nothing.
        assert_eq!(one("He wrote \" and left."), (Attributed, vec![]));
    }

    #[test]
    fn straight_quotes_pair_by_parity() {
        let s = r#"The leaflets read "Go home" and "Stay out of the region forever, all of you"."#;
        let (v, q) = one(s);
        assert_eq!(v, PartlyQuoted);
        assert_eq!(q, [r#""Stay out of the region forever, all of you""#]);
    }

    #[test]
    fn whole_sentence_quotes_and_middle_tags() {
        assert_eq!(one("“Really?”"), (Quoted, vec!["“Really?”"]));
        assert_eq!(one(r#""Go." he said."#), (Quoted, vec![r#""Go.""#]));
        assert_eq!(one("‘Why?’ asked one."), (Quoted, vec!["‘Why?’"]));
        assert_eq!(one(r#"He said "no"."#), (Quoted, vec![r#""no""#]));
        let s = r#""We will go," she said, "and we will win.""#;
        assert_eq!(
            one(s),
            (Quoted, vec![r#""We will go,""#, r#""and we will win.""#])
        );
        let s = "“This is a clear violation of international law,” said Zhao Lijian, a foreign ministry spokesman, at a daily briefing on Monday.";
        assert_eq!(voice(s), Quoted);
        // A tag verb that is no reporting verb alone.
        assert_eq!(voice("The Chinese economy continued to grow."), Own);
        assert_eq!(
            voice("“Are they really in America’s interest?” he asked."),
            Quoted
        );
    }

    #[test]
    fn tags_across_scare_quotes_and_dashes() {
        let s = "“We will win,” the “hawkish” minister said.";
        assert_eq!(one(s), (Quoted, vec!["“We will win,”"]));
        assert_eq!(
            one("“We will win” — the minister said."),
            (Quoted, vec!["“We will win”"])
        );
        // A reporting verb inside quotation marks is no tag.
        assert_eq!(one("“No” “he said”"), (Own, vec![]));
    }

    #[test]
    fn a_quote_missing_its_closing_mark_runs_one_paragraph_at_most() {
        let mut sentences = vec!["He said: “We will fight."];
        sentences.extend(["Nothing else is quoted."; 12]);
        let voices: Vec<_> = doc(&sentences).into_iter().map(|g| g.0).collect();
        assert_eq!(voices[..=MAX_RUN], [Quoted; MAX_RUN + 1]);
        assert_eq!(voices[MAX_RUN + 1..], [Own, Own]);
        // Re-opening at each paragraph keeps a long quotation going.
        let mut sentences = vec!["He said: “We will fight."];
        for _ in 0..4 {
            sentences.extend(["We will not stop."; 8]);
            sentences.push("“We will go on.");
        }
        assert!(doc(&sentences).iter().all(|g| g.0 == Quoted));
    }

    #[test]
    fn in_quotes_checks_containment() {
        let s = r#"He called the plan "a disgraceful attempt to bully small nations" today."#;
        let (_, ranges) = QuoteTracker::new().classify(s);
        let at = |w: &str| {
            let start = s.find(w).unwrap();
            (start, start + w.len())
        };
        let (a, b) = at("bully");
        assert!(in_quotes(&ranges, a, b));
        let (a, b) = at("a disgraceful attempt to bully small nations");
        assert!(in_quotes(&ranges, a, b));
        let (a, b) = at("plan");
        assert!(!in_quotes(&ranges, a, b));
        // Straddling the closing mark is not inside.
        let (a, _) = at("nations");
        let (_, b) = at("today");
        assert!(!in_quotes(&ranges, a, b));
        assert!(!in_quotes(&[], 0, 1));
    }

    #[test]
    fn multibyte_text() {
        assert_eq!(one("“中国航天，” he said."), (Quoted, vec!["“中国航天，”"]));
        // Unspaced CJK: the marks still pair (one word, so scare quotes by the English rules).
        assert_eq!(
            doc(&["“中国航天，”他说。", "Nothing is quoted."])[1],
            (Own, vec![])
        );
        let s = "Он сказал: «Мы никогда не примем такого давления ни от кого на свете».";
        assert_eq!(
            one(s).1,
            ["«Мы никогда не примем такого давления ни от кого на свете»"]
        );
        assert_eq!(one("😀 “a b c d e” 😀").1, ["“a b c d e”"]);
    }

    /// Whole articles from `datasets/articles/`, labelled by hand, sentence by sentence.
    #[test]
    fn real_articles() {
        let data = include_str!("../tests/data/quotes/articles.tsv");
        let mut t = QuoteTracker::new();
        let (mut n, mut wrong) = (0, Vec::new());
        for line in data.lines() {
            if line.starts_with("## ") {
                t = QuoteTracker::new();
                continue;
            }
            let Some((label, sentence)) = line.split_once('\t') else {
                continue;
            };
            let (v, ranges) = t.classify(sentence);
            check(sentence, &ranges);
            n += 1;
            if v.label() != label {
                wrong.push(format!("{} (expected {label}): {sentence}", v.label()));
            }
        }
        assert!(n > 60, "{n} sentences");
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn long_sentences_take_linear_time() {
        // Unclosed single openers, reporting verbs and spans everywhere: quadratic rules would
        // take minutes here.
        let s = "‘a said “b” the notes that, 'c according to ".repeat(20_000);
        let started = std::time::Instant::now();
        let (_, ranges) = QuoteTracker::new().classify(&s);
        check(&s, &ranges);
        assert!(started.elapsed().as_secs() < 10);
    }

    #[test]
    fn junk_never_panics() {
        const PIECES: &[&str] = &[
            " ",
            "\"",
            "“",
            "”",
            "„",
            "‘",
            "’",
            "'",
            "«",
            "»",
            ",",
            ".",
            ":",
            "-",
            "—",
            "(",
            "said",
            "Said",
            "he",
            "according",
            "to",
            "in",
            "the",
            "words",
            "of",
            "word",
            "notes",
            "that",
            "resolution",
            "中文",
            "😀",
            "é",
            "s",
            "n't",
            "U.S.",
            "\u{feff}",
            "\0",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut t = QuoteTracker::new();
        for _ in 0..5000 {
            let mut s = String::new();
            for _ in 0..(state >> 60) as usize * 2 + 1 {
                // xorshift64: deterministic, no dependency.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                s.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
            }
            let (_, ranges) = t.classify(&s);
            check(&s, &ranges);
        }
    }
}
