//! Renders [`Results`] into one self-contained HTML page with minijinja.
//!
//! Safety: article text, titles, sources and URLs are untrusted. The template engine escapes
//! every value (auto-escaping for `.html` templates); only the page's own CSS, script and the
//! plotters SVGs (which escape their labels) are inserted unescaped. A Content-Security-Policy
//! allows exactly the page's own style and script (by SHA-256 hash) and nothing else: no
//! network, no other script, so even a value that slipped past escaping could not run.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use base64::Engine;
use minijinja::value::Serde;
use minijinja::{context, Environment};
use sha2::{Digest, Sha256};

use crate::doc::Voice;
use crate::report::charts::{self, Group, FEW_SENTENCES};
use crate::report::results::{voice_words, Results, SummaryRow};

const TEMPLATE: &str = include_str!("report.html");
const CSS: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// The charts show at most this many sources (the tables list all).
pub const CHART_SOURCES: usize = 30;

fn sha256(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The page's Content-Security-Policy: its own style and script only.
pub fn csp() -> String {
    format!(
        "default-src 'none'; style-src {}; script-src {}; img-src 'none'; base-uri 'none'; \
         form-action 'none'",
        sha256(CSS),
        sha256(SCRIPT)
    )
}

fn num(cell: &str) -> f64 {
    cell.trim().parse().unwrap_or(0.0)
}

/// The sources the charts show: the most sentences first (ties in summary order).
fn chart_sources(sources: &[SummaryRow]) -> Vec<&SummaryRow> {
    let mut s: Vec<&SummaryRow> = sources.iter().collect();
    s.sort_by(|a, b| num(&b.n_sentences).total_cmp(&num(&a.n_sentences)));
    s.truncate(CHART_SOURCES);
    s
}

/// Renders the page. `folder` names the results folder in the page; `drawn` is the time.
pub fn render(results: &Results, folder: &str, drawn: &str) -> Result<String> {
    let shown = chart_sources(&results.sources);
    let few = |s: &SummaryRow| (num(&s.n_sentences) as usize) < FEW_SENTENCES;
    let frames = charts::grouped_bars(
        &shown
            .iter()
            .map(|s| Group {
                label: s.source.clone(),
                note: format!(" (n = {})", s.n_sentences),
                values: s.shares.iter().map(|v| num(v)).collect(),
                few: few(s),
            })
            .collect::<Vec<_>>(),
        results.labels.len(),
        "share of the source's sentences",
        true,
    )?;
    let terms = charts::grouped_bars(
        &shown
            .iter()
            .map(|s| Group {
                label: s.source.clone(),
                note: String::new(),
                values: vec![num(&s.per_1k_own), num(&s.per_1k_quoted)],
                few: few(s),
            })
            .collect::<Vec<_>>(),
        2,
        "loaded terms per 1,000 words",
        false,
    )?;
    let bias = charts::grouped_bars(
        &shown
            .iter()
            .map(|s| Group {
                label: s.source.clone(),
                note: String::new(),
                values: vec![num(&s.mean_p_biased)],
                few: few(s),
            })
            .collect::<Vec<_>>(),
        1,
        "mean p_biased",
        true,
    )?;
    let months = if results.months.len() >= 2 {
        let ticks: Vec<String> = results.months.iter().map(|m| m.month.clone()).collect();
        let series: Vec<Vec<f64>> = (0..results.labels.len())
            .map(|j| results.months.iter().map(|m| num(&m.shares[j])).collect())
            .collect();
        Some(charts::lines(&ticks, &series, "share of sentences")?)
    } else {
        None
    };
    let chart_note = if shown.len() < results.sources.len() {
        format!(
            "for the {} sources with the most sentences (all {} are in the tables)",
            shown.len(),
            results.sources.len()
        )
    } else {
        format!("for all {} sources", results.sources.len())
    };
    let voices: BTreeMap<&str, &str> = [
        Voice::Own,
        Voice::PartlyQuoted,
        Voice::Quoted,
        Voice::Attributed,
    ]
    .map(|v| (v.label(), voice_words(v.label())))
    .into_iter()
    .collect();
    let (thresholds, bias_threshold) = match &results.run {
        Some(run) => (
            run.frames
                .iter()
                .map(|t| (t.label.clone(), format!("{:.2}", t.threshold)))
                .collect(),
            format!("{:.2}", run.bias_threshold),
        ),
        None => (Vec::new(), String::new()),
    };

    let mut env = Environment::new();
    env.add_template("report.html", TEMPLATE)
        .context("the report template does not parse")?;
    let page = env
        .get_template("report.html")?
        .render(context! {
            version => env!("CARGO_PKG_VERSION"),
            folder => folder,
            drawn => drawn,
            csp => csp(),
            css => CSS,
            script => SCRIPT,
            labels => results.labels.clone(),
            run => Serde(&results.run),
            thresholds => thresholds,
            bias_threshold => bias_threshold,
            corpus => Serde(&results.corpus),
            sources => Serde(&results.sources),
            chart_sources => shown.iter().map(|s| s.source.clone()).collect::<Vec<_>>(),
            chart_note => chart_note,
            few => FEW_SENTENCES,
            articles => Serde(&results.articles),
            n_articles => results.n_articles,
            failed => Serde(&results.failed),
            months => Serde(&results.months),
            views => Serde(&results.views),
            n_viewable => results.n_viewable,
            changed => results.changed.clone(),
            actors => Serde(&results.actors),
            actors_per_source => crate::report::results::ACTORS_PER_SOURCE,
            voice_words => voices,
            charts => context! {
                frames => frames,
                terms => terms,
                bias => bias,
                months => months,
            },
        })
        .context("cannot render the report")?;
    Ok(page)
}
