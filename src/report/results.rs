//! Reads a results folder (the four CSVs and `run.json`) into what the page shows.
//!
//! The page is drawn from the files on disk, never from the pipeline's memory, so that
//! `framescore report DIR` redraws any folder (merged shards included) and every number in the
//! page is a number in the CSVs: table cells keep the CSVs' own strings; charts parse them.
//! `sentences.csv` and `terms.csv` are streamed: memory holds only the articles shown in full.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::Serialize;

use crate::doc::{in_quotes, Voice};
use crate::output::{RunInfo, ACTORS_SUMMARY, ARTICLES, SENTENCES, SUMMARY, TERMS};
use crate::text::quotes::QuoteTracker;

/// At most this many rows in the page's table of articles (the rest are in articles.csv).
pub const ARTICLE_TABLE_CAP: usize = 10_000;

/// A `summary.csv` row (the corpus or one source), cells as written.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryRow {
    pub source: String,
    pub n_articles: String,
    pub n_failed: String,
    pub n_sentences: String,
    pub n_words: String,
    /// One per frame label, in label order.
    pub shares: Vec<String>,
    pub n_loaded_terms: String,
    pub per_1k: String,
    pub per_1k_own: String,
    /// Empty for folders written before the column existed.
    pub per_1k_quoted: String,
    pub mean_p_biased: String,
    pub share_biased: String,
    pub top_terms: String,
}

/// At most this many actors per source in the page's actor table (all are in
/// actors_summary.csv).
pub const ACTORS_PER_SOURCE: usize = 12;

/// A corpus or source row of `actors_summary.csv`, cells as written.
#[derive(Debug, Clone, Serialize)]
pub struct ActorRow {
    /// Empty for the corpus rows.
    pub source: String,
    pub actor: String,
    pub n_mentions: String,
    pub share_negative: String,
    pub share_neutral: String,
    pub share_positive: String,
    pub share_quoted: String,
    /// One per frame label: the share of the actor's mentions in sentences of that frame.
    pub frames: Vec<String>,
}

/// An `articles.csv` row, cells as written, plus where its full view is (if shown).
#[derive(Debug, Clone, Serialize)]
pub struct ArticleRow {
    pub id: String,
    pub path: String,
    pub title: String,
    pub source: String,
    pub date: String,
    /// Only `http(s)` URLs; anything else (`javascript:`, `data:`) is shown as text, unlinked.
    pub url: String,
    pub safe_url: bool,
    pub status: String,
    pub error: String,
    pub n_sentences: String,
    pub shares: Vec<String>,
    pub dominant_frame: String,
    pub n_loaded_terms: String,
    pub mean_p_biased: String,
    /// The anchor of the article's view (`a-N`), when it is one of those shown.
    pub anchor: Option<String>,
    /// Sentences that carry at least one frame (from sentences.csv).
    pub n_framed: usize,
}

/// Frame counts of one calendar month (from the articles' `date`).
#[derive(Debug, Clone, Serialize)]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    pub n_sentences: usize,
    /// Sentences carrying each frame, in label order.
    pub counts: Vec<usize>,
    /// `counts / n_sentences`, 4 decimals as in the CSVs.
    pub shares: Vec<String>,
}

/// One stretch of a sentence's text with how it is marked.
#[derive(Debug, Clone, Serialize)]
pub struct Piece {
    pub text: String,
    /// Inside quoted material.
    pub quoted: bool,
    /// Index into the sentence's `terms` when the stretch is a loaded term.
    pub term: Option<usize>,
}

/// A `terms.csv` row as the article view shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TermView {
    pub term: String,
    pub category: String,
    pub origin: String,
    pub entry: String,
    pub quoted: bool,
    /// Code points into the document text, as in terms.csv.
    start: usize,
    end: usize,
}

/// One sentence of an article view.
#[derive(Debug, Clone, Serialize)]
pub struct SentenceView {
    pub index: String,
    pub pieces: Vec<Piece>,
    /// `p_<frame>` cells, in label order.
    pub probs: Vec<String>,
    pub p_biased: String,
    /// Indexes of the frames carried (into the labels).
    pub frames: Vec<usize>,
    /// The `frames` cell as written (`hegemony;security`).
    pub frames_cell: String,
    pub voice: String,
    pub terms: Vec<TermView>,
}

/// An article shown in full.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleView {
    pub anchor: String,
    pub row: ArticleRow,
    pub sentences: Vec<SentenceView>,
    /// Loaded terms in the article (rows of terms.csv).
    pub n_terms: usize,
}

/// Everything the page shows.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub labels: Vec<String>,
    pub run: Option<RunInfo>,
    pub corpus: SummaryRow,
    pub sources: Vec<SummaryRow>,
    /// articles.csv, in its order, at most [`ARTICLE_TABLE_CAP`] rows.
    pub articles: Vec<ArticleRow>,
    pub n_articles: usize,
    /// Rows whose status is not `ok`, with their reasons.
    pub failed: Vec<ArticleRow>,
    pub months: Vec<Month>,
    /// The articles shown in full: the most framed, in articles.csv order.
    pub views: Vec<ArticleView>,
    /// Articles with at least one sentence (those that could be shown).
    pub n_viewable: usize,
    /// Files that differ from the checksums in run.json (changed or replaced since the run).
    pub changed: Vec<String>,
    /// The most mentioned actors over the corpus and per source (`None`: the folder has no
    /// actors_summary.csv, as with `score --no-actors`).
    pub actors: Option<Vec<ActorRow>>,
}

type Row = HashMap<String, String>;

fn open(dir: &Path, name: &str) -> Result<csv::Reader<std::fs::File>> {
    let path = dir.join(name);
    csv::Reader::from_path(&path).with_context(|| {
        format!(
            "cannot read {}; is {} a folder written by `framescore score`?",
            path.display(),
            dir.display()
        )
    })
}

/// Streams `name` as header-keyed rows into `each`.
fn for_rows(dir: &Path, name: &str, mut each: impl FnMut(Row) -> Result<()>) -> Result<()> {
    let mut rdr = open(dir, name)?;
    let head: Vec<String> = rdr.headers()?.iter().map(String::from).collect();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.with_context(|| format!("{} row {}", dir.join(name).display(), i + 2))?;
        each(
            head.iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect(),
        )?;
    }
    Ok(())
}

fn cell(row: &Row, col: &str) -> String {
    row.get(col).cloned().unwrap_or_default()
}

/// The frame labels, from the `share_*` columns of summary.csv (their order is the model's).
fn labels(dir: &Path) -> Result<Vec<String>> {
    let mut rdr = open(dir, SUMMARY)?;
    let labels: Vec<String> = rdr
        .headers()?
        .iter()
        .filter_map(|h| h.strip_prefix("share_"))
        .filter(|l| *l != "biased")
        .map(String::from)
        .collect();
    if labels.is_empty() {
        bail!(
            "{} has no share_<frame> columns; it is not a framescore summary",
            dir.join(SUMMARY).display()
        );
    }
    Ok(labels)
}

fn summary_row(row: &Row, labels: &[String]) -> SummaryRow {
    SummaryRow {
        source: cell(row, "source"),
        n_articles: cell(row, "n_articles"),
        n_failed: cell(row, "n_failed"),
        n_sentences: cell(row, "n_sentences"),
        n_words: cell(row, "n_words"),
        shares: labels
            .iter()
            .map(|l| cell(row, &format!("share_{l}")))
            .collect(),
        n_loaded_terms: cell(row, "n_loaded_terms"),
        per_1k: cell(row, "loaded_per_1k_words"),
        per_1k_own: cell(row, "loaded_per_1k_words_own"),
        per_1k_quoted: cell(row, "loaded_per_1k_words_quoted"),
        mean_p_biased: cell(row, "mean_p_biased"),
        share_biased: cell(row, "share_biased"),
        top_terms: cell(row, "top_loaded_terms"),
    }
}

fn article_row(row: &Row, labels: &[String]) -> ArticleRow {
    let url = cell(row, "url");
    let lower = url.trim_start().to_ascii_lowercase();
    ArticleRow {
        id: cell(row, "article_id"),
        path: cell(row, "path"),
        title: cell(row, "title"),
        source: cell(row, "source"),
        date: cell(row, "date"),
        safe_url: lower.starts_with("http://") || lower.starts_with("https://"),
        url,
        status: cell(row, "status"),
        error: cell(row, "error"),
        n_sentences: cell(row, "n_sentences"),
        shares: labels
            .iter()
            .map(|l| cell(row, &format!("share_{l}")))
            .collect(),
        dominant_frame: cell(row, "dominant_frame"),
        n_loaded_terms: cell(row, "n_loaded_terms"),
        mean_p_biased: cell(row, "mean_p_biased"),
        anchor: None,
        n_framed: 0,
    }
}

/// `YYYY-MM` from a date that starts with a year and a month (`2024-01-28`, `2024-01`,
/// `2024-01-28T10:00:00Z`); `None` for anything else.
pub fn month_of(date: &str) -> Option<String> {
    let d = date.trim();
    let b = d.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && (b.len() == 7 || !b[7].is_ascii_digit())
    {
        let m: u32 = d[5..7].parse().ok()?;
        (1..=12).contains(&m).then(|| d[..7].to_string())
    } else {
        None
    }
}

/// Reads the results folder `dir`, keeping full views of at most `max_views` articles: those
/// with the most framed sentences (ties: the earlier in articles.csv).
pub fn read(dir: &Path, max_views: usize) -> Result<Results> {
    let labels = labels(dir)?;
    let run = RunInfo::read(dir)?;
    let changed = match &run {
        Some(r) => r.mismatched(dir)?,
        None => Vec::new(),
    };
    let (mut corpus, mut sources) = (None, Vec::new());
    for_rows(dir, SUMMARY, |row| {
        match row.get("scope").map(String::as_str) {
            Some("corpus") => corpus = Some(summary_row(&row, &labels)),
            Some("source") => sources.push(summary_row(&row, &labels)),
            _ => {}
        }
        Ok(())
    })?;
    let corpus =
        corpus.with_context(|| format!("{} has no corpus row", dir.join(SUMMARY).display()))?;

    let mut articles = Vec::new();
    for_rows(dir, ARTICLES, |row| {
        articles.push(article_row(&row, &labels));
        Ok(())
    })?;
    let index: HashMap<String, usize> = articles
        .iter()
        .enumerate()
        .rev()
        .map(|(i, a)| (a.id.clone(), i))
        .collect();

    // Pass 1 over sentences: framed sentences per article, frames per month.
    let mut months: BTreeMap<String, (usize, Vec<usize>)> = BTreeMap::new();
    let mut has_sentences = HashSet::new();
    for_rows(dir, SENTENCES, |row| {
        let id = cell(&row, "article_id");
        let Some(&a) = index.get(&id) else {
            return Ok(());
        };
        has_sentences.insert(a);
        let carried = frames_of(&cell(&row, "frames"), &labels);
        if !carried.is_empty() {
            articles[a].n_framed += 1;
        }
        if let Some(m) = month_of(&articles[a].date) {
            let e = months
                .entry(m)
                .or_insert_with(|| (0, vec![0; labels.len()]));
            e.0 += 1;
            for j in carried {
                e.1[j] += 1;
            }
        }
        Ok(())
    })?;
    let months = months
        .into_iter()
        .map(|(month, (n, counts))| Month {
            month,
            n_sentences: n,
            shares: counts
                .iter()
                .map(|&c| format!("{:.4}", c as f64 / n.max(1) as f64))
                .collect(),
            counts,
        })
        .collect();

    // The articles shown in full.
    let mut ranked: Vec<usize> = has_sentences.iter().copied().collect();
    ranked.sort_by(|&a, &b| {
        articles[b]
            .n_framed
            .cmp(&articles[a].n_framed)
            .then(a.cmp(&b))
    });
    ranked.truncate(max_views);
    ranked.sort_unstable();
    let shown: HashMap<String, usize> = ranked
        .iter()
        .enumerate()
        .map(|(k, &a)| (articles[a].id.clone(), k))
        .collect();
    for (k, &a) in ranked.iter().enumerate() {
        articles[a].anchor = Some(format!("a-{}", k + 1));
    }
    let mut views: Vec<ArticleView> = ranked
        .iter()
        .map(|&a| ArticleView {
            anchor: articles[a].anchor.clone().unwrap_or_default(),
            row: articles[a].clone(),
            sentences: Vec::new(),
            n_terms: 0,
        })
        .collect();

    let mut terms: HashMap<(usize, String), Vec<TermView>> = HashMap::new();
    for_rows(dir, TERMS, |row| {
        if let Some(&k) = shown.get(&cell(&row, "article_id")) {
            let num = |c: &str| cell(&row, c).parse::<usize>().unwrap_or(0);
            terms
                .entry((k, cell(&row, "sentence_index")))
                .or_default()
                .push(TermView {
                    term: cell(&row, "term"),
                    category: cell(&row, "category"),
                    origin: cell(&row, "origin"),
                    entry: cell(&row, "entry"),
                    quoted: cell(&row, "quoted") == "1",
                    start: num("start"),
                    end: num("end"),
                });
        }
        Ok(())
    })?;
    let mut trackers: HashMap<usize, QuoteTracker> = HashMap::new();
    for_rows(dir, SENTENCES, |row| {
        let Some(&k) = shown.get(&cell(&row, "article_id")) else {
            return Ok(());
        };
        let index = cell(&row, "sentence_index");
        let text = cell(&row, "text");
        let start: usize = cell(&row, "start").parse().unwrap_or(0);
        let terms = terms.remove(&(k, index.clone())).unwrap_or_default();
        let (_, quoted) = trackers.entry(k).or_default().classify(&text);
        let frames_cell = cell(&row, "frames");
        views[k].n_terms += terms.len();
        views[k].sentences.push(SentenceView {
            index,
            pieces: pieces(&text, start, &terms, &quoted),
            probs: labels
                .iter()
                .map(|l| cell(&row, &format!("p_{l}")))
                .collect(),
            p_biased: cell(&row, "p_biased"),
            frames: frames_of(&frames_cell, &labels),
            frames_cell,
            voice: cell(&row, "voice"),
            terms,
        });
        Ok(())
    })?;

    let n_articles = articles.len();
    let failed = articles
        .iter()
        .filter(|a| a.status != "ok")
        .cloned()
        .collect();
    articles.truncate(ARTICLE_TABLE_CAP);
    let actors = if dir.join(ACTORS_SUMMARY).is_file() {
        let mut rows = Vec::new();
        let mut per_source: HashMap<String, usize> = HashMap::new();
        for_rows(dir, ACTORS_SUMMARY, |row| {
            if !matches!(
                row.get("scope").map(String::as_str),
                Some("corpus" | "source")
            ) {
                return Ok(());
            }
            // Rows come most mentioned first within each scope.
            let n = per_source.entry(cell(&row, "source")).or_default();
            *n += 1;
            if *n <= ACTORS_PER_SOURCE {
                rows.push(ActorRow {
                    source: cell(&row, "source"),
                    actor: cell(&row, "actor"),
                    n_mentions: cell(&row, "n_mentions"),
                    share_negative: cell(&row, "share_negative"),
                    share_neutral: cell(&row, "share_neutral"),
                    share_positive: cell(&row, "share_positive"),
                    share_quoted: cell(&row, "share_quoted"),
                    frames: labels
                        .iter()
                        .map(|l| cell(&row, &format!("share_{l}")))
                        .collect(),
                });
            }
            Ok(())
        })?;
        Some(rows)
    } else {
        None
    };
    Ok(Results {
        actors,
        labels,
        run,
        corpus,
        sources,
        articles,
        n_articles,
        failed,
        months,
        views,
        n_viewable: has_sentences.len(),
        changed,
    })
}

/// Frame indexes named in a `frames` cell (`hegemony;security`).
fn frames_of(cell: &str, labels: &[String]) -> Vec<usize> {
    cell.split(';')
        .filter_map(|f| labels.iter().position(|l| l == f))
        .collect()
}

/// Cuts a sentence into stretches at every loaded term's and quotation's edges. Terms are in
/// code points of the document (`sentence_start` is the sentence's); quotations are byte
/// ranges of the sentence. A term overlapping an earlier one is listed but not marked.
fn pieces(
    text: &str,
    sentence_start: usize,
    terms: &[TermView],
    quoted: &[std::ops::Range<usize>],
) -> Vec<Piece> {
    // Code point -> byte offset within the sentence.
    let bytes: Vec<usize> = text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()))
        .collect();
    let byte = |cp: usize| {
        bytes
            .get(cp.saturating_sub(sentence_start))
            .copied()
            .unwrap_or(text.len())
    };
    let mut spans: Vec<(usize, usize, usize)> = Vec::new();
    for (i, t) in terms.iter().enumerate() {
        let (s, e) = (byte(t.start), byte(t.end));
        if s < e && spans.last().is_none_or(|&(_, pe, _)| pe <= s) {
            spans.push((s, e, i));
        }
    }
    let mut cuts: Vec<usize> = vec![0, text.len()];
    for &(s, e, _) in &spans {
        cuts.extend([s, e]);
    }
    for q in quoted {
        cuts.extend([q.start.min(text.len()), q.end.min(text.len())]);
    }
    cuts.retain(|&c| text.is_char_boundary(c));
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2)
        .map(|w| {
            let (s, e) = (w[0], w[1]);
            Piece {
                text: text[s..e].to_string(),
                quoted: in_quotes(quoted, s, e),
                term: spans
                    .iter()
                    .find(|&&(ts, te, _)| ts <= s && e <= te)
                    .map(|t| t.2),
            }
        })
        .collect()
}

/// The words a voice label stands for in the page.
pub fn voice_words(voice: &str) -> &'static str {
    match voice {
        v if v == Voice::Quoted.label() => "quoted",
        v if v == Voice::PartlyQuoted.label() => "partly quoted",
        v if v == Voice::Attributed.label() => "attributed (reported speech)",
        _ => "own voice",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_come_from_iso_like_dates_only() {
        assert_eq!(month_of("2024-01-28").as_deref(), Some("2024-01"));
        assert_eq!(month_of("2024-01").as_deref(), Some("2024-01"));
        assert_eq!(month_of("2024-01-28T10:00:00Z").as_deref(), Some("2024-01"));
        assert_eq!(month_of("2024-13-01"), None);
        assert_eq!(month_of("28 January 2024"), None);
        assert_eq!(month_of("2024-011"), None);
        assert_eq!(month_of(""), None);
    }

    fn term(start: usize, end: usize) -> TermView {
        TermView {
            term: String::new(),
            category: "pejorative".into(),
            origin: "lexicon".into(),
            entry: String::new(),
            quoted: false,
            start,
            end,
        }
    }

    #[test]
    fn pieces_cut_at_terms_and_quotes_in_code_points() {
        // The sentence starts at code point 10 of its document; "ü" is two bytes.
        let text = "Über “hegemonic bullying” now";
        let s = text.chars().position(|c| c == 'h').unwrap();
        let t = term(10 + s, 10 + s + "hegemonic".len());
        let q0 = text.find('“').unwrap();
        let q1 = text.find('”').unwrap() + '”'.len_utf8();
        let quoted: Vec<std::ops::Range<usize>> = std::iter::once(q0..q1).collect();
        let p = pieces(text, 10, &[t], &quoted);
        let joined: String = p.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(joined, text, "pieces cover the sentence");
        let marked: Vec<&Piece> = p.iter().filter(|p| p.term.is_some()).collect();
        assert_eq!(marked.len(), 1);
        assert_eq!(marked[0].text, "hegemonic");
        assert!(marked[0].quoted);
        assert!(p.iter().any(|p| p.text == " bullying”" && p.quoted));
        assert!(p.iter().any(|p| p.text == " now" && !p.quoted));
    }

    #[test]
    fn overlapping_terms_mark_only_the_first() {
        let p = pieces("a bad word", 0, &[term(2, 5), term(4, 10)], &[]);
        assert_eq!(p.iter().filter(|p| p.term.is_some()).count(), 1);
    }
}
