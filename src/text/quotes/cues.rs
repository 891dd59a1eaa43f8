//! The word lists that decide attribution: reporting verbs and their forms, and the words
//! around them that show a verb has a speaker, introduces a quotation, or names a title
//! instead. Kept apart from the mark-pairing and clause logic in the parent module so each can
//! be read and extended on its own.

/// Reporting verbs: base, third person, past, -ing form, and whether the base and third-person
/// forms are also common nouns (the notes, member states, China's claims), which then need
/// clearer evidence of a speaker.
#[rustfmt::skip]
pub(super) const VERBS: &[(&str, &str, &str, &str, bool)] = &[
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
pub(super) const TAG_VERBS: &[&str] = &[
    "asked", "asks", "continued", "continues", "concluded", "concludes", "recalled", "recalls",
    "wondered", "wonders", "answered", "answers", "quipped", "joked", "observed", "observes",
    "predicted", "promised", "vowed", "pledged", "suggested", "suggests", "shouted", "responded",
    "recounted", "mused",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
    Past,
    Present,
    Bare,
    Ing,
    /// "according to", "in the words of".
    Phrase,
}

/// The reporting verb a word is, if any: its form, base form and whether it doubles as a noun.
pub(super) fn verb_form(w: &str) -> Option<(Form, &'static str, bool)> {
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

/// Words before a reporting verb that show it is no finite verb with a subject: determiners
/// (adjectival "the said agreement", "its stated aim"), "be" (passive "it should be noted"),
/// modals and negation (nothing reported), "to", "as" ("as noted above"), prepositions.
pub(super) const NON_SUBJECT: &[&str] = &[
    "a", "an", "the", "its", "their", "his", "her", "our", "my", "your", "these", "those", "such",
    "any", "every", "each", "no", "whose", "is", "was", "were", "are", "be", "been", "being", "am",
    "will", "would", "shall", "should", "can", "could", "may", "might", "must", "cannot", "not",
    "never", "to", "as", "so", "having", "of", "in", "on", "at", "for", "with", "by", "from",
    "into", "about", "than", "over", "under", "per", "via", "upon", "without", "within",
];

/// Skipped when looking back from a verb for its subject ("he has also said").
#[rustfmt::skip]
pub(super) const SKIP_BACK: &[&str] = &[
    "also", "further", "later", "earlier", "then", "again", "already", "once", "often", "has",
    "have", "had", "repeatedly", "previously", "recently", "reportedly", "publicly", "openly",
    "separately", "similarly", "subsequently", "firmly", "strongly", "clearly", "explicitly",
    "specifically", "just", "still", "even", "well",
];

/// First-person subjects: the text's own author speaking, not someone reported.
pub(super) const FIRST_PERSON: &[&str] = &["i", "we"];

/// Subjects that show a third-person verb (notes, states) is a verb.
pub(super) const PRONOUNS: &[&str] = &["he", "she", "it", "who", "which", "this", "that"];

/// Subjects that show a base form (say, note) is a verb; "this" and "that" are determiners there.
pub(super) const PLURAL_PRONOUNS: &[&str] = &["they", "you", "who"];

/// Verbs that start a relative clause after "that" ("states that have..."), so it is no
/// reported statement.
#[rustfmt::skip]
pub(super) const AUX: &[&str] = &[
    "is", "are", "was", "were", "have", "has", "had", "will", "would", "can", "could", "may",
    "might", "must", "should", "shall", "do", "does", "did", "remain", "remains", "continue",
    "continues", "seek", "seeks", "want", "wants",
];

/// Words that may stand between a reporting verb and the quotation it introduces
/// (`told reporters that “...”`, `said it was “unacceptable”`).
#[rustfmt::skip]
pub(super) const BRIDGE: &[&str] = &[
    "that", "reporters", "journalists", "lawmakers", "me", "us", "him", "her", "them", "it", "this",
    "was", "is", "were", "are", "would", "will", "be",
];

/// Words right before a quoted span that make it a name or title rather than a quotation.
#[rustfmt::skip]
pub(super) const NAMING: &[&str] = &[
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
pub(super) const NAMING_OF: &[&str] = &[
    "concept", "notion", "idea", "principle", "vision", "theory", "policy", "strategy", "slogan",
    "goal", "spirit", "philosophy", "doctrine", "title", "theme",
];

/// Small words left lower-case in Title Case.
pub(super) const FUNCTION: &[&str] = &[
    "a", "an", "the", "of", "and", "or", "nor", "but", "in", "on", "for", "to", "with", "by", "at",
    "from", "as", "into", "onto", "over", "under", "between", "against", "about", "through",
    "toward", "towards", "upon", "within", "without", "via", "vs", "per", "its", "than",
];

/// After "according to": sources of rules rather than of statements ("according to plan",
/// "according to international law", "according to the Charter"). Compared without a final s.
#[rustfmt::skip]
pub(super) const ACCORDING_NOT: &[&str] = &[
    "plan", "schedule", "law", "rule", "need", "charter", "provision", "principle", "treaty",
    "convention", "article", "paragraph", "section", "constitution", "agreement", "term",
    "procedure", "standard", "criteria", "criterion", "guideline", "regulation", "statute",
    "protocol", "mandate", "tradition", "custom", "practice", "requirement", "instruction",
    "resolution", "decision", "international", "domestic", "national", "local", "priority",
    "circumstance", "context", "size", "type", "category", "merit", "ability", "capacity",
    "capability", "order", "purpose", "objective", "aim", "spirit", "letter", "norm",
];

/// Conjunctions that start a clause of the outlet's own: a tag containing one is more than a tag.
pub(super) const CLAUSE: &[&str] = &[
    "that", "because", "but", "although", "though", "while", "whereas", "however",
];

/// Ends a clause: nothing looks across these for a subject or a nearby quotation.
pub(super) const CLAUSE_END: [char; 9] = ['.', ';', ':', '!', '?', '(', ')', '[', ']'];
pub(super) const MARKS: [char; 9] = ['"', '“', '”', '„', '«', '»', '‘', '’', '\''];
