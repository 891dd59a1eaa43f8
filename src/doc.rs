//! The one type passed between pipeline stages: a [`Doc`] that the reader creates and every later
//! stage (segmenter, encoder and heads, lexicon) fills in, spaCy-style.
//!
//! Offsets inside the pipeline are byte offsets into [`Doc::text`], so that slicing is free; the
//! writer converts them to Unicode code points (what Python and pandas slice with) on output.

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
    pub voice: crate::quotes::Voice,
    /// Quoted material in the sentence (quotation marks included), offsets into [`Doc::text`].
    pub quoted: Vec<std::ops::Range<usize>>,
    /// The words that drove the top frame (only with `--explain`); offsets into the sentence.
    pub explanation: Option<crate::explain::Explanation>,
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
