//! The one type passed between pipeline stages: a [`Doc`] that the reader creates and every later
//! stage (segmenter, encoder and heads, lexicon) fills in, spaCy-style.
//!
//! Offsets inside the pipeline are byte offsets into [`Doc::text`], so that slicing is free; the
//! writer converts them to Unicode code points (what Python and pandas slice with) on output.
//!
//! Uses nothing else in the crate: every stage depends on it, it depends on none.

use std::ops::Range;

/// Descriptive fields of a document, from a text header, HTML `<title>`, or JSON/CSV columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    pub title: Option<String>,
    pub source: Option<String>,
    pub date: Option<String>,
    pub url: Option<String>,
}

/// Whether a document could be scored. Failures carry a reason a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// Readable, but holds no text to score; the string says what was empty.
    Empty(String),
    /// Could not be read or parsed; the string says why and what to do.
    Error(String),
}

impl Status {
    /// The value of the `status` column.
    pub fn label(&self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Empty(_) => "empty",
            Status::Error(_) => "error",
        }
    }

    /// The value of the `error` column (empty for `ok`).
    pub fn reason(&self) -> &str {
        match self {
            Status::Ok => "",
            Status::Empty(r) | Status::Error(r) => r,
        }
    }
}

/// Where a loaded-term hit came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Lexicon,
    Model,
    Both,
}

impl Origin {
    pub fn label(self) -> &'static str {
        match self {
            Origin::Lexicon => "lexicon",
            Origin::Model => "model",
            Origin::Both => "lexicon;model",
        }
    }
}

/// One loaded-term occurrence. `start..end` are byte offsets into the text that was searched.
#[derive(Debug, Clone, PartialEq)]
pub struct TermHit {
    pub start: usize,
    pub end: usize,
    /// The canonical entry (lexicon term) that matched; the surface form is `text[start..end]`.
    pub term: String,
    /// A codebook category: pejorative, laudatory, emotive, intensifier, stock_phrase, euphemism.
    pub category: String,
    pub score: f32,
    pub origin: Origin,
}

/// One actor mention (see the codebook's "Actors and stance"). `start..end` are byte offsets into
/// [`Doc::text`].
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    /// The canonical actor id (`USA`, `CHN`, `NASA` ...).
    pub actor: String,
    /// Probabilities of a negative, neutral and positive stance towards the actor, when the
    /// stance head is loaded (and the mention lies within the encoder's length limit).
    pub stance: Option<[f32; 3]>,
}

/// One sentence of a document, with what the scoring stages found in it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sentence {
    /// Byte offsets into [`Doc::text`].
    pub start: usize,
    pub end: usize,
    /// One probability per frame, in the order of the frame model's labels.
    pub probs: Vec<f32>,
    /// Probability that the sentence reads as biased (BABE-trained head), when that head is loaded.
    pub p_biased: Option<f32>,
    /// Loaded wording found by the learned tagger: offsets into [`Doc::text`] and the
    /// probability; merged with the lexicon's matches into `terms`.
    pub tagged: Vec<(std::ops::Range<usize>, f32)>,
    /// Loaded terms, with offsets into [`Doc::text`], in text order.
    pub terms: Vec<TermHit>,
    /// Whether the sentence is the outlet's own wording, quoted or attributed.
    pub voice: Voice,
    /// Quoted material in the sentence (quotation marks included), offsets into [`Doc::text`].
    pub quoted: Vec<std::ops::Range<usize>>,
    /// The words that drove the top frame (only with `--explain`); offsets into the sentence.
    pub explanation: Option<Explanation>,
    /// Actor mentions, in text order.
    pub actors: Vec<Mention>,
}

/// A document moving through the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    /// `article_id`: the document's own `id` when given, else its path relative to the input
    /// (plus `:N` for the Nth line of a JSONL file or row of a CSV/JSON file).
    pub id: String,
    /// The file it came from, as found on disk.
    pub path: String,
    pub meta: Meta,
    /// The text that is scored (a text file's body after its header, an HTML page's visible text).
    pub text: String,
    pub status: Status,
    /// Input bytes this document accounts for (drives the progress bar).
    pub bytes: u64,
    pub sentences: Vec<Sentence>,
}

impl Sentence {
    /// Frees the per-sentence results once they are written (offsets and voice stay), so a
    /// long document does not hold every sentence's scores and terms at once.
    pub fn release(&mut self) {
        self.probs = Vec::new();
        self.tagged = Vec::new();
        self.terms = Vec::new();
        self.quoted = Vec::new();
        self.explanation = None;
        self.actors = Vec::new();
    }
}

impl Doc {
    /// A document that failed before scoring: it still gets its row in `articles.csv`.
    pub fn failed(
        id: impl Into<String>,
        path: impl Into<String>,
        status: Status,
        bytes: u64,
    ) -> Doc {
        Doc {
            id: id.into(),
            path: path.into(),
            meta: Meta::default(),
            text: String::new(),
            status,
            bytes,
            sentences: Vec::new(),
        }
    }

    pub fn sentence_text(&self, s: &Sentence) -> &str {
        &self.text[s.start..s.end]
    }
}

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

/// Whether the byte range `start..end` of a sentence lies inside quoted material: wholly inside
/// one of `ranges` (as returned by `text::quotes::QuoteTracker::classify`); a span that only
/// overlaps a quotation's edge is the outlet's own.
pub fn in_quotes(ranges: &[Range<usize>], start: usize, end: usize) -> bool {
    ranges.iter().any(|r| r.start <= start && end <= r.end)
}

/// One word that drove a sentence's top frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Driver {
    /// Byte offsets into the sentence: `&sentence[start..end] == word`.
    pub start: usize,
    pub end: usize,
    pub word: String,
    /// `p(full) - p(without it)` for the explained frame; always > 0 for a reported driver.
    pub drop: f32,
}

/// The top frame of one sentence and the words that drove it.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// Index into the model's labels.
    pub frame: usize,
    /// The frame's probability for the full sentence (as the pipeline computed it).
    pub p: f32,
    /// At most `top`, drop > 0, sorted by drop descending (ties: earlier word first). Empty when
    /// no single word's removal lowers the probability.
    pub drivers: Vec<Driver>,
}
