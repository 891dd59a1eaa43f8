//! The scoring pipeline: a named sequence of stages over chunks of [`Doc`]s.
//!
//! Documents stream from the reader in corpus order; a chunk (a few thousand sentences, from as
//! many documents as fit) goes through segment -> encode + frame heads -> lexicon, is written, and
//! is dropped, so memory stays flat however large the corpus. Within a chunk, CPU stages run on
//! the rayon pool and the encoder runs on libtorch's threads, one after the other, so the two
//! pools never compete for the cores. The encoder sees every sentence of the chunk at once
//! (sorted by length inside), not one article at a time.

use std::collections::{HashMap, VecDeque};

use anyhow::Result;
use rayon::prelude::*;

use crate::doc::{Doc, Sentence, Status};
use crate::doc::{Origin, TermHit};
use crate::encode::Encoder;
use crate::explain;
use crate::frames::FrameModel;
use crate::lexicon::Lexicon;
use crate::quotes::QuoteTracker;
use crate::read::{self, Input};
use crate::segment;
use crate::tagger::Tagger;

/// Tuning knobs of a run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Split documents into sentences (`false`: each document is scored as one sentence).
    pub split: bool,
    /// A chunk closes once it holds this many sentences.
    pub chunk_sentences: usize,
    /// Sentences embedded per encoder call; bounds the embedding matrix for very long documents.
    pub window: usize,
    /// Explain each sentence's top frame with this many words (`None`: no explanations).
    pub explain: Option<usize>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            split: true,
            chunk_sentences: 4096,
            window: 4096,
            explain: None,
        }
    }
}

/// The loaded components of the pipeline.
pub struct Pipeline<'a> {
    pub encoder: &'a Encoder,
    pub frames: &'a FrameModel,
    /// The sentence-bias head (one label), read from the same features as the frames.
    pub bias: Option<&'a FrameModel>,
    /// The learned loaded-term tagger, which reads the same encoder pass.
    pub tagger: Option<&'a Tagger>,
    pub lexicon: &'a Lexicon,
    pub options: Options,
}

impl Pipeline<'_> {
    /// Runs every stage over one chunk, in place.
    pub fn process(&self, docs: &mut [Doc]) -> Result<()> {
        self.segment(docs);
        self.attribute(docs);
        self.classify(docs)?;
        if let Some(top) = self.options.explain {
            self.explain(docs, top)?;
        }
        self.match_terms(docs);
        Ok(())
    }

    /// Stage 1: sentences with offsets. A readable document with no sentence becomes `empty`.
    pub fn segment(&self, docs: &mut [Doc]) {
        let split = self.options.split;
        docs.par_iter_mut()
            .filter(|d| d.status == Status::Ok)
            .for_each(|d| {
                let ranges = if split {
                    segment::split(&d.text)
                } else {
                    whole(&d.text)
                };
                d.sentences = ranges
                    .into_iter()
                    .map(|r| Sentence {
                        start: r.start,
                        end: r.end,
                        ..Default::default()
                    })
                    .collect();
                if d.sentences.is_empty() {
                    d.status = Status::Empty(
                        "no sentences found (the text holds only markup or punctuation)".into(),
                    );
                }
            });
    }

    /// Stage 1b: who is speaking. A quotation can run over several sentences, so each document
    /// is read in order by its own tracker.
    pub fn attribute(&self, docs: &mut [Doc]) {
        docs.par_iter_mut().for_each(|d| {
            let mut tracker = QuoteTracker::new();
            let text = &d.text;
            for s in &mut d.sentences {
                let (voice, ranges) = tracker.classify(&text[s.start..s.end]);
                s.voice = voice;
                s.quoted = ranges
                    .into_iter()
                    .map(|r| r.start + s.start..r.end + s.start)
                    .collect();
            }
        });
    }

    /// Stage 2: one encoder pass per distinct sentence, every frame head on its embedding.
    /// Repeated sentences (datelines, boilerplate, wire copy run by many outlets) are embedded
    /// once per chunk and share the result.
    pub fn classify(&self, docs: &mut [Doc]) -> Result<()> {
        let refs: Vec<(usize, usize)> = docs
            .iter()
            .enumerate()
            .flat_map(|(d, doc)| (0..doc.sentences.len()).map(move |s| (d, s)))
            .collect();
        for window in refs.chunks(self.options.window.max(1)) {
            let mut unique: HashMap<&str, usize> = HashMap::new();
            let mut texts: Vec<&str> = Vec::new();
            let slot: Vec<usize> = window
                .iter()
                .map(|&(d, s)| {
                    let text = docs[d].sentence_text(&docs[d].sentences[s]);
                    *unique.entry(text).or_insert_with(|| {
                        texts.push(text);
                        texts.len() - 1
                    })
                })
                .collect();
            let (embeddings, tokens) = self.encoder.embed_tagged(&texts, self.tagger)?;
            let features = embeddings.features;
            let probs = self.frames.predict(&features);
            let tagged: Vec<Vec<(std::ops::Range<usize>, f32)>> = match self.tagger {
                Some(t) => texts
                    .iter()
                    .zip(&tokens)
                    .map(|(text, tok)| t.spans(text, tok))
                    .collect(),
                None => vec![],
            };
            let biased: Option<Vec<f32>> = self
                .bias
                .map(|b| b.predict(&features).into_iter().map(|p| p[0]).collect());
            for (&(d, s), &u) in window.iter().zip(&slot) {
                docs[d].sentences[s].probs = probs[u].clone();
                docs[d].sentences[s].p_biased = biased.as_ref().map(|b| b[u]);
                if let Some(spans) = tagged.get(u) {
                    let start = docs[d].sentences[s].start;
                    docs[d].sentences[s].tagged = spans
                        .iter()
                        .map(|(r, p)| (r.start + start..r.end + start, *p))
                        .collect();
                }
            }
        }
        Ok(())
    }

    /// Optional stage: occlusion explanations of each sentence's top frame (one encoder pass per
    /// word, so about 12x the cost of scoring; hence opt-in).
    pub fn explain(&self, docs: &mut [Doc], top: usize) -> Result<()> {
        let mut texts = Vec::new();
        let mut probs = Vec::new();
        for d in docs.iter() {
            for s in &d.sentences {
                texts.push(d.sentence_text(s));
                probs.push(s.probs.clone());
            }
        }
        let mut found =
            explain::explain(self.encoder, self.frames, &texts, &probs, top)?.into_iter();
        for s in docs.iter_mut().flat_map(|d| d.sentences.iter_mut()) {
            s.explanation = found.next().flatten();
        }
        Ok(())
    }

    /// Stage 3: loaded terms per sentence, offsets into the document text: the lexicon's
    /// matches merged with the tagger's spans (see [`merge`]).
    pub fn match_terms(&self, docs: &mut [Doc]) {
        docs.par_iter_mut().for_each(|d| {
            let text = &d.text;
            for s in &mut d.sentences {
                let mut terms = self.lexicon.find(&text[s.start..s.end]);
                for t in &mut terms {
                    t.start += s.start;
                    t.end += s.start;
                }
                s.terms = merge(terms, &s.tagged, text);
            }
        });
    }

    pub fn run(&self, inputs: &[Input], mut sink: impl FnMut(&[Doc]) -> Result<()>) -> Result<()> {
        let mut stream = DocStream::new(inputs);
        loop {
            let mut chunk = Vec::new();
            let mut sentences = 0;
            for doc in stream.by_ref() {
                // A rough count (bytes / 100) is enough to size chunks before segmenting.
                sentences += doc.text.len() / 100 + 1;
                chunk.push(doc);
                if sentences >= self.options.chunk_sentences {
                    break;
                }
            }
            if chunk.is_empty() {
                return Ok(());
            }
            self.process(&mut chunk)?;
            sink(&chunk)?;
        }
    }
}

/// `--no-split`: the whole trimmed text as one sentence.
/// Joins lexicon matches and tagger spans: a lexicon match the tagger also marks becomes
/// `Origin::Both` with the tagger's probability as its score; a tagger span that no lexicon match
/// overlaps becomes a `model` term (no category: the codebook's categories come from the
/// lexicon). In text order.
fn merge(
    mut terms: Vec<TermHit>,
    tagged: &[(std::ops::Range<usize>, f32)],
    text: &str,
) -> Vec<TermHit> {
    let lexicon_only = terms.len();
    for (r, p) in tagged {
        let mut seen = false;
        for t in terms[..lexicon_only]
            .iter_mut()
            .filter(|t| t.start < r.end && t.end > r.start)
        {
            t.origin = Origin::Both;
            t.score = *p;
            seen = true;
        }
        if !seen {
            terms.push(TermHit {
                start: r.start,
                end: r.end,
                term: text[r.clone()].to_lowercase(),
                category: String::new(),
                score: *p,
                origin: Origin::Model,
            });
        }
    }
    terms.sort_by_key(|t| (t.start, t.end));
    terms
}

fn whole(text: &str) -> Vec<std::ops::Range<usize>> {
    let start = text.len() - text.trim_start().len();
    let end = text.trim_end().len();
    (start < end).then_some(start..end).into_iter().collect()
}

/// Documents of all inputs in order. Runs of one-document files are read in parallel; files
/// holding many documents (JSONL, CSV, JSON) are streamed one record at a time.
struct DocStream<'a> {
    inputs: &'a [Input],
    next: usize,
    ready: VecDeque<Doc>,
    current: Option<Box<dyn Iterator<Item = Doc> + Send>>,
}

/// How many one-document files are read together.
const READ_AHEAD: usize = 64;

impl<'a> DocStream<'a> {
    fn new(inputs: &'a [Input]) -> Self {
        DocStream {
            inputs,
            next: 0,
            ready: VecDeque::new(),
            current: None,
        }
    }
}

fn holds_many(input: &Input) -> bool {
    let ext = input
        .path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    input.error.is_none() && matches!(ext.as_str(), "jsonl" | "csv" | "json")
}

impl Iterator for DocStream<'_> {
    type Item = Doc;

    fn next(&mut self) -> Option<Doc> {
        loop {
            if let Some(d) = self.ready.pop_front() {
                return Some(d);
            }
            if let Some(it) = &mut self.current {
                match it.next() {
                    Some(d) => return Some(d),
                    None => self.current = None,
                }
            }
            let rest = self.inputs.get(self.next..).unwrap_or_default();
            if rest.is_empty() {
                return None;
            }
            let run = rest
                .iter()
                .take(READ_AHEAD)
                .take_while(|i| !holds_many(i))
                .count();
            if run == 0 {
                self.current = Some(read::read(&rest[0]));
                self.next += 1;
            } else {
                let docs: Vec<Vec<Doc>> = rest[..run]
                    .par_iter()
                    .map(|i| read::read(i).collect())
                    .collect();
                self.ready.extend(docs.into_iter().flatten());
                self.next += run;
            }
        }
    }
}
