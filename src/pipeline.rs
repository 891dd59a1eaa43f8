//! The scoring pipeline: a named sequence of stages over chunks of [`Doc`]s.
//!
//! May use: [`crate::input`], [`crate::text`], [`crate::model`], [`crate::output`] and
//! [`crate::doc`]; never [`crate::learn`].
//!
//! Documents stream from the reader in corpus order; a chunk (a few thousand sentences, from as
//! many documents as fit) goes through segment -> voice -> actors -> encode + frame heads, tagger,
//! stance and mention filter -> lexicon, is written, and
//! is dropped, so memory stays flat however large the corpus. Within a chunk, CPU stages run on
//! the rayon pool and the encoder runs on libtorch's threads, one after the other, so the two
//! pools never compete for the cores. The encoder sees every sentence of the chunk at once
//! (sorted by length inside), not one article at a time.
//!
//! After segmentation, the sentence stages run over windows of sentences, and each window's
//! results go to the sink ([`Emit::Sentences`]) and are then freed; [`Emit::Done`] closes a
//! document. So a single huge document (a 50 MB transcript) costs its text and a small record
//! per sentence, not every sentence's scores and terms at once.

use std::collections::{HashMap, VecDeque};

use anyhow::Result;
use rayon::prelude::*;

use crate::doc::{Doc, Sentence, Status};
use crate::doc::{Mention, Origin, TermHit};
use crate::input::{self, Input};
use crate::model::encode::{Encoder, SpanHead, TokenHead};
use crate::model::explain;
use crate::model::frames::FrameModel;
use crate::model::stance::StanceHead;
use crate::model::tagger::Tagger;
use crate::text::actors::Gazetteer;
use crate::text::lexicon::Lexicon;
use crate::text::quotes::QuoteTracker;
use crate::text::segment;

/// What the pipeline hands its sink, in corpus order.
pub enum Emit<'a> {
    /// Sentences `range` of the document are scored (its other sentences' results may already
    /// have been freed).
    Sentences(&'a Doc, std::ops::Range<usize>),
    /// Every sentence of the document has been emitted (a failed or empty document has none).
    Done(&'a Doc),
    /// Every document so far is done: this many documents of the input stream (skipped ones
    /// included) are behind. A run can be resumed from here with [`Pipeline::run_from`].
    Checkpoint(usize),
}

/// Tuning knobs of a run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Split documents into sentences (`false`: each document is scored as one sentence).
    pub split: bool,
    /// A chunk closes once it holds this many sentences.
    pub chunk_sentences: usize,
    /// Sentences per window of the sentence stages (encoder, heads, explanations, terms); a
    /// window's results are written and freed before the next, which bounds memory for very
    /// long documents.
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
    /// The actor gazetteer (`None`: no actor mentions, no actors.csv rows).
    pub actors: Option<&'a Gazetteer>,
    /// The stance head, which reads each mention's token states from the same encoder pass.
    pub stance: Option<&'a StanceHead>,
    pub options: Options,
    /// Called after each encoder batch with the sentences it encoded and their bytes, so a
    /// progress display moves while a chunk is encoded, before its rows are written.
    pub progress: Option<&'a dyn Fn(usize, u64)>,
}

impl Pipeline<'_> {
    /// Runs every stage over one chunk, handing each window's results to `sink` in document
    /// order, then freeing them (see [`Emit`]).
    pub fn process(
        &self,
        docs: &mut [Doc],
        sink: &mut impl FnMut(Emit) -> Result<()>,
    ) -> Result<()> {
        self.segment(docs);
        self.attribute(docs);
        self.find_actors(docs);
        let refs: Vec<(usize, usize)> = docs
            .iter()
            .enumerate()
            .flat_map(|(d, doc)| (0..doc.sentences.len()).map(move |s| (d, s)))
            .collect();
        // Documents before `open` have had their Done.
        let mut open = 0;
        for window in refs.chunks(self.options.window.max(1)) {
            // Memory freed since the last window (reading, splitting, the last window's results
            // and activations) goes back to the OS: see `release_free_memory`.
            crate::model::bert::release_free_memory();
            self.classify(docs, window)?;
            if let Some(top) = self.options.explain {
                self.explain(docs, window, top)?;
            }
            self.match_terms(docs, window);
            for run in window.chunk_by(|a, b| a.0 == b.0) {
                let d = run[0].0;
                for done in &docs[open..d] {
                    sink(Emit::Done(done))?;
                }
                open = d;
                sink(Emit::Sentences(
                    &docs[d],
                    run[0].1..run[run.len() - 1].1 + 1,
                ))?;
            }
            for &(d, s) in window {
                docs[d].sentences[s].release();
            }
        }
        for done in &docs[open..] {
            sink(Emit::Done(done))?;
        }
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

    /// Stage 1c: actor mentions per sentence, from the gazetteer.
    pub fn find_actors(&self, docs: &mut [Doc]) {
        let Some(gazetteer) = self.actors else {
            return;
        };
        docs.par_iter_mut().for_each(|d| {
            let text = &d.text;
            for s in &mut d.sentences {
                s.actors = gazetteer
                    .find(&text[s.start..s.end])
                    .into_iter()
                    .map(|h| Mention {
                        start: h.range.start + s.start,
                        end: h.range.end + s.start,
                        actor: h.actor,
                        stance: None,
                    })
                    .collect();
            }
        });
    }

    /// Stage 2: one encoder pass per distinct sentence of `window` (`(doc, sentence)` indices),
    /// every head on its features. Repeated sentences (datelines, boilerplate, wire copy run by
    /// many outlets) are embedded once per window and share the result.
    pub fn classify(&self, docs: &mut [Doc], window: &[(usize, usize)]) -> Result<()> {
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
        // Mentions of each distinct sentence, as byte ranges into it (the same text always
        // holds the same mentions).
        let mut spans: Vec<Vec<std::ops::Range<usize>>> = vec![vec![]; texts.len()];
        for (&(d, s), &u) in window.iter().zip(&slot) {
            let sentence = &docs[d].sentences[s];
            spans[u] = sentence
                .actors
                .iter()
                .map(|m| m.start - sentence.start..m.end - sentence.start)
                .collect();
        }
        let pass = self.encoder.embed_with(
            &texts,
            self.tagger.map(|t| t as &dyn TokenHead),
            self.stance.map(|h| (h as &dyn SpanHead, spans.as_slice())),
            &mut |n, bytes| {
                if let Some(progress) = self.progress {
                    progress(n, bytes);
                }
            },
        )?;
        let tokens = pass.tokens;
        let stances = pass.spans;
        let features = pass.embeddings.features;
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
            if let Some(found) = stances.get(u) {
                let actors = &mut docs[d].sentences[s].actors;
                for (m, p) in actors.iter_mut().zip(found) {
                    m.stance = p.as_ref().map(|p| [p[0], p[1], p[2]]);
                }
                // The mention filter, when the stance head carries one: gazetteer mentions that
                // name no actor here (a place, a treaty's name) are dropped.
                if let Some(head) = self.stance {
                    let mut keep = found
                        .iter()
                        .map(|p| p.as_ref().is_none_or(|p| head.keeps(p)));
                    actors.retain(|_| keep.next().unwrap_or(true));
                }
            }
            if let Some(spans) = tagged.get(u) {
                let start = docs[d].sentences[s].start;
                docs[d].sentences[s].tagged = spans
                    .iter()
                    .map(|(r, p)| (r.start + start..r.end + start, *p))
                    .collect();
            }
        }
        Ok(())
    }

    /// Optional stage: occlusion explanations of each sentence's top frame (one encoder pass per
    /// word, so about 12x the cost of scoring; hence opt-in).
    pub fn explain(&self, docs: &mut [Doc], window: &[(usize, usize)], top: usize) -> Result<()> {
        let texts: Vec<&str> = window
            .iter()
            .map(|&(d, s)| docs[d].sentence_text(&docs[d].sentences[s]))
            .collect();
        let probs: Vec<Vec<f32>> = window
            .iter()
            .map(|&(d, s)| docs[d].sentences[s].probs.clone())
            .collect();
        let found = explain::explain(self.encoder, self.frames, &texts, &probs, top)?;
        for (&(d, s), e) in window.iter().zip(found) {
            docs[d].sentences[s].explanation = e;
        }
        Ok(())
    }

    /// Stage 3: loaded terms per sentence, offsets into the document text: the lexicon's
    /// matches merged with the tagger's spans (see [`merge`]).
    pub fn match_terms(&self, docs: &mut [Doc], window: &[(usize, usize)]) {
        let found: Vec<Vec<TermHit>> = window
            .par_iter()
            .map(|&(d, s)| {
                let (text, s) = (&docs[d].text, &docs[d].sentences[s]);
                let mut terms = self.lexicon.find(&text[s.start..s.end]);
                for t in &mut terms {
                    t.start += s.start;
                    t.end += s.start;
                }
                merge(terms, &s.tagged, text)
            })
            .collect();
        for (&(d, s), terms) in window.iter().zip(found) {
            docs[d].sentences[s].terms = terms;
        }
    }

    /// Streams `inputs` through every stage; `sink` receives the results in corpus order, with
    /// a [`Emit::Checkpoint`] after each chunk.
    pub fn run(&self, inputs: &[Input], sink: impl FnMut(Emit) -> Result<()>) -> Result<()> {
        self.run_from(inputs, 0, sink)
    }

    /// [`Pipeline::run`] without scoring the first `skip` documents of the stream (they are
    /// read and dropped): the resumption of a run whose checkpoint said `skip`.
    pub fn run_from(
        &self,
        inputs: &[Input],
        skip: usize,
        mut sink: impl FnMut(Emit) -> Result<()>,
    ) -> Result<()> {
        let mut stream = DocStream::new(inputs);
        let mut behind = stream.by_ref().take(skip).count();
        if behind < skip {
            anyhow::bail!(
                "the inputs hold {behind} documents, fewer than the {skip} the interrupted run \
                 had scored; they changed since, so run without --resume"
            );
        }
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
            behind += chunk.len();
            self.process(&mut chunk, &mut sink)?;
            sink(Emit::Checkpoint(behind))?;
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
    if input::is_stdin(input) {
        return true;
    }
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
                self.current = Some(input::read(&rest[0]));
                self.next += 1;
            } else {
                let docs: Vec<Vec<Doc>> = rest[..run]
                    .par_iter()
                    .map(|i| input::read(i).collect())
                    .collect();
                self.ready.extend(docs.into_iter().flatten());
                self.next += run;
            }
        }
    }
}
