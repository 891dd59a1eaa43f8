//! report.html through the real binary: its numbers against the CSVs, its size on a large
//! corpus, and the page in a real browser (Debian's headless Chromium, installed by
//! `scripts/setup.sh --browser`, which `scripts/test.sh` asks for): charts, the design article's
//! view, no console errors, screenshots, and a hostile article that must not run script.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{framescore, read_csv, root, score, stderr, Row};
use scraper::{ElementRef, Html, Selector};

const SEED: &str = "mondo-2024-01-28-nasa-china-lunar-samples.txt";

/// Scores datasets/articles once (the report is written by `score` itself).
fn sample() -> &'static PathBuf {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        let out = tempfile::tempdir().unwrap().keep().join("out");
        let o = score(&root().join("datasets/articles"), &out, &[]);
        assert!(o.status.success(), "score failed: {}", stderr(&o));
        out
    })
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn text(e: ElementRef) -> String {
    e.text().collect::<String>().trim().to_string()
}

fn cells(row: ElementRef) -> Vec<String> {
    row.select(&sel("th, td")).map(text).collect()
}

fn page(path: &Path) -> Html {
    Html::parse_document(&std::fs::read_to_string(path).unwrap())
}

fn labels() -> Vec<&'static str> {
    vec!["hegemony", "cooperation", "security"]
}

/// summary.csv's columns after the frame shares, before `top_loaded_terms`.
const SUMMARY_DENSITY: [&str; 6] = [
    "n_loaded_terms",
    "loaded_per_1k_words",
    "loaded_per_1k_words_own",
    "loaded_per_1k_words_quoted",
    "mean_p_biased",
    "share_biased",
];

/// The summary.csv cells the page's source and corpus tables show, in their column order.
fn summary_cells(r: &Row, with_words: bool) -> Vec<String> {
    let mut v = vec![
        r["n_articles"].clone(),
        r["n_failed"].clone(),
        r["n_sentences"].clone(),
    ];
    if with_words {
        v.push(r["n_words"].clone());
    }
    v.extend(labels().iter().map(|l| r[&format!("share_{l}")].clone()));
    v.extend(SUMMARY_DENSITY.iter().map(|c| r[*c].clone()));
    v
}

#[test]
fn numbers_in_the_report_are_the_numbers_in_the_csvs() {
    let out = sample();
    let html = page(&out.join("report.html"));
    let (_, summary) = read_csv(&out.join("summary.csv"));
    let corpus = summary.iter().find(|r| r["scope"] == "corpus").unwrap();
    let row = html.select(&sel("#corpus-table tbody tr")).next().unwrap();
    assert_eq!(cells(row), summary_cells(corpus, false));

    let sources: Vec<&Row> = summary.iter().filter(|r| r["scope"] == "source").collect();
    let rows: Vec<ElementRef> = html.select(&sel("#sources-table tbody tr")).collect();
    assert_eq!(rows.len(), sources.len(), "one row per source");
    for (row, s) in rows.iter().zip(&sources) {
        let mut want = vec![s["source"].clone()];
        want.extend(summary_cells(s, true));
        assert_eq!(cells(*row), want);
    }

    let (_, articles) = read_csv(&out.join("articles.csv"));
    let rows: Vec<ElementRef> = html.select(&sel("#articles-table tbody tr")).collect();
    assert_eq!(rows.len(), articles.len(), "every article is listed");
    for (row, a) in rows.iter().zip(&articles) {
        assert_eq!(row.value().attr("data-id"), Some(a["article_id"].as_str()));
        let c = cells(*row);
        assert_eq!(c[3], a["n_sentences"]);
        for (j, l) in labels().iter().enumerate() {
            assert_eq!(c[4 + j], a[&format!("share_{l}")]);
        }
        assert_eq!(c[7], a["dominant_frame"]);
        assert_eq!(c[8], a["n_loaded_terms"]);
        assert_eq!(c[9], a["mean_p_biased"]);
    }

    // Frames by month: the sentences of dated articles, counted once each.
    let dated: HashMap<&str, &str> = articles
        .iter()
        .filter(|a| a["date"].len() >= 7 && a["date"][..4].bytes().all(|b| b.is_ascii_digit()))
        .map(|a| (a["article_id"].as_str(), &a["date"][..7]))
        .collect();
    let (_, sentences) = read_csv(&out.join("sentences.csv"));
    let mut by_month: HashMap<String, (usize, usize)> = HashMap::new();
    for s in &sentences {
        if let Some(m) = dated.get(s["article_id"].as_str()) {
            let e = by_month.entry(m.to_string()).or_default();
            e.0 += 1;
            e.1 += s["frames"].split(';').any(|f| f == "hegemony") as usize;
        }
    }
    let rows: Vec<Vec<String>> = html
        .select(&sel("#months-table tbody tr"))
        .map(cells)
        .collect();
    assert_eq!(rows.len(), by_month.len());
    for r in rows {
        let (n, heg) = by_month[&r[0]];
        assert_eq!(r[1], n.to_string());
        assert_eq!(r[2], format!("{:.4}", heg as f64 / n as f64));
    }

    // The run's models and thresholds are printed.
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let header = text(html.select(&sel("dl.run")).next().unwrap());
    for f in run["frames"].as_array().unwrap() {
        let t = format!("p ≥ {:.2}", f["threshold"].as_f64().unwrap());
        assert!(header.contains(&t), "{t} in {header}");
    }
    assert!(header.contains(run["frame_model"].as_str().unwrap()));
    assert!(header.contains(run["precision"].as_str().unwrap()));
}

#[test]
fn the_page_is_self_contained() {
    let body = std::fs::read_to_string(sample().join("report.html")).unwrap();
    for outside in ["src=\"http", "href=\"//", "@import", "url(http", "<link"] {
        assert!(!body.contains(outside), "no {outside} in the page");
    }
    let html = Html::parse_document(&body);
    let csp = html
        .select(&sel("meta[http-equiv=Content-Security-Policy]"))
        .next()
        .unwrap();
    assert!(csp
        .value()
        .attr("content")
        .unwrap()
        .starts_with("default-src 'none'"));
    // The chart SVGs are inline.
    assert_eq!(html.select(&sel("figure svg")).count(), 4);
}

#[test]
fn report_command_redraws_a_folder_and_caps_the_article_views() {
    let out = sample();
    let dir = tempfile::tempdir().unwrap();
    let page_path = dir.path().join("two.html");
    let o = framescore(&[
        "report",
        out.to_str().unwrap(),
        "--articles",
        "2",
        "--out",
        page_path.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = page(&page_path);
    let views: Vec<String> = html
        .select(&sel("article[data-id]"))
        .map(|a| a.value().attr("data-id").unwrap().to_string())
        .collect();
    assert_eq!(views.len(), 2);
    // The two with the most framed sentences.
    let (_, sentences) = read_csv(&out.join("sentences.csv"));
    let mut framed: HashMap<&str, usize> = HashMap::new();
    for s in &sentences {
        *framed.entry(s["article_id"].as_str()).or_default() += !s["frames"].is_empty() as usize;
    }
    let mut counts: Vec<usize> = framed.values().copied().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    for v in &views {
        assert!(
            framed[v.as_str()] >= counts[1],
            "{v} is among the most framed"
        );
    }
    assert_eq!(
        html.select(&sel("#articles-table tbody tr")).count(),
        31,
        "the table still lists every article"
    );
    assert!(text(html.select(&sel("#articles")).next().unwrap()).contains("--report-articles"));

    let o = framescore(&["report", dir.path().to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "a folder without results is a usage error"
    );
    assert!(stderr(&o).contains("framescore score"), "{}", stderr(&o));
}

#[test]
fn no_report_leaves_it_out() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = score(
        &root().join("datasets/articles").join(SEED),
        &out,
        &["--no-report"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("articles.csv").exists());
    assert!(!out.join("report.html").exists());
}

/// A results folder of `n` articles of 25 sentences each, written as `score` writes them (the
/// report reads only the files), without run.json.
fn large_results(dir: &Path, n: usize) {
    let mut arts = csv::Writer::from_path(dir.join("articles.csv")).unwrap();
    arts.write_record([
        "article_id",
        "path",
        "title",
        "source",
        "date",
        "url",
        "status",
        "error",
        "n_sentences",
        "n_words",
        "share_hegemony",
        "share_cooperation",
        "share_security",
        "dominant_frame",
        "n_loaded_terms",
        "loaded_per_1k_words",
        "share_quoted_words",
        "loaded_per_1k_words_own",
        "loaded_per_1k_words_quoted",
        "mean_p_biased",
        "share_biased",
    ])
    .unwrap();
    let mut sents = csv::Writer::from_path(dir.join("sentences.csv")).unwrap();
    sents
        .write_record([
            "article_id",
            "sentence_index",
            "start",
            "end",
            "text",
            "p_hegemony",
            "p_cooperation",
            "p_security",
            "p_biased",
            "frames",
            "loaded_terms",
            "voice",
        ])
        .unwrap();
    let mut terms = csv::Writer::from_path(dir.join("terms.csv")).unwrap();
    terms
        .write_record([
            "article_id",
            "sentence_index",
            "start",
            "end",
            "term",
            "category",
            "score",
            "origin",
            "entry",
            "quoted",
        ])
        .unwrap();
    let sentence = "The ministry said the United States was pursuing hegemony in outer space \
                    and urged all parties to work together for peaceful cooperation in orbit.";
    let len = sentence.chars().count();
    for a in 0..n {
        let id = format!("wire/2024/{a:05}.txt");
        let month = 1 + a % 12;
        arts.write_record([
            &id,
            &format!("corpus/{id}"),
            &format!("Space politics, part {a}"),
            &format!("Outlet {}", a % 40),
            &format!("2024-{month:02}-15"),
            &format!("https://example.org/{a}"),
            "ok",
            "",
            "25",
            "600",
            "0.2000",
            "0.2000",
            "0.1600",
            "hegemony",
            "25",
            "41.667",
            "0.0000",
            "41.667",
            "0.000",
            "0.4100",
            "0.3600",
        ])
        .unwrap();
        for i in 0..25 {
            let start = i * (len + 1);
            let frames = ["hegemony", "cooperation", "security", "", ""][i % 5];
            sents
                .write_record([
                    &id,
                    &i.to_string(),
                    &start.to_string(),
                    &(start + len).to_string(),
                    sentence,
                    "0.6100",
                    "0.2200",
                    "0.1000",
                    "0.4100",
                    frames,
                    "hegemony",
                    "own",
                ])
                .unwrap();
            let t = start + sentence.find("hegemony").unwrap();
            terms
                .write_record([
                    &id,
                    &i.to_string(),
                    &t.to_string(),
                    &(t + 8).to_string(),
                    "hegemony",
                    "pejorative",
                    "1.000",
                    "lexicon",
                    "hegemony",
                    "0",
                ])
                .unwrap();
        }
    }
    let mut sum = csv::Writer::from_path(dir.join("summary.csv")).unwrap();
    let mut head = vec![
        "scope",
        "source",
        "n_articles",
        "n_failed",
        "n_sentences",
        "n_words",
    ];
    head.extend(["share_hegemony", "share_cooperation", "share_security"]);
    head.extend(SUMMARY_DENSITY);
    head.push("top_loaded_terms");
    sum.write_record(&head).unwrap();
    let per = |k: usize| {
        [
            k.to_string(),
            "0".into(),
            (k * 25).to_string(),
            (k * 600).to_string(),
            "0.2000".into(),
            "0.2000".into(),
            "0.2000".into(),
            (k * 25).to_string(),
            "41.667".into(),
            "41.667".into(),
            "0.000".into(),
            "0.4100".into(),
            "0.3600".into(),
            format!("hegemony ({})", k * 25),
        ]
    };
    let mut row = vec!["corpus".to_string(), String::new()];
    row.extend(per(n));
    sum.write_record(&row).unwrap();
    for o in 0..40 {
        let mut row = vec!["source".to_string(), format!("Outlet {o}")];
        row.extend(per(n / 40));
        sum.write_record(&row).unwrap();
    }
}

#[test]
fn a_ten_thousand_article_report_stays_under_ten_megabytes() {
    let dir = tempfile::tempdir().unwrap();
    large_results(dir.path(), 10_000);
    let o = framescore(&["report", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let path = dir.path().join("report.html");
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size < 10_000_000, "report.html is {size} bytes");
    let html = page(&path);
    assert_eq!(
        html.select(&sel("article[data-id]")).count(),
        100,
        "100 article views by default"
    );
    assert_eq!(
        html.select(&sel("#articles-table tbody tr")).count(),
        10_000
    );
    assert_eq!(html.select(&sel("#months-table tbody tr")).count(), 12);
    // 40 sources: the charts show the 30 largest, the tables all.
    assert_eq!(html.select(&sel("#sources-table tbody tr")).count(), 40);
    let chart = html
        .select(&sel("figure[data-chart=frames-by-source]"))
        .next()
        .unwrap();
    assert_eq!(chart.value().attr("data-groups"), Some("30"));
    assert!(text(html.select(&sel("dl.run")).next().unwrap()).contains("no run.json"));
}

// ---- In a real browser ----

/// Debian's Chromium (or $FRAMESCORE_CHROMIUM).
fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("FRAMESCORE_CHROMIUM") {
        return PathBuf::from(p);
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("chromium"))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "the report's browser tests need Chromium: run scripts/test.sh (it installs Debian's \
             chromium), `apt-get install chromium`, or set FRAMESCORE_CHROMIUM"
        )
    })
}

/// Runs headless Chromium on `url` with `args`; returns stdout and the page's console messages
/// (Chromium logs each one, errors and CSP violations included, as a `:CONSOLE` line).
fn browser(url: &str, args: &[&str]) -> (String, Vec<String>) {
    let profile = tempfile::tempdir().unwrap();
    let o = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(o.status.success(), "chromium failed: {}", stderr(&o));
    let console = stderr(&o)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(String::from)
        .collect();
    (String::from_utf8_lossy(&o.stdout).into_owned(), console)
}

fn url(path: &Path, fragment: &str) -> String {
    format!(
        "file://{}{fragment}",
        path.canonicalize().unwrap().display()
    )
}

/// Where the browser tests leave their screenshots (copied into docs/ by
/// FRAMESCORE_UPDATE_SCREENSHOTS=1, which is how the README's images are made).
fn screenshot(page: &Path, fragment: &str, name: &str, height: u32) -> PathBuf {
    let dir = root().join("target/report-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join(name);
    let _ = std::fs::remove_file(&png);
    let (_, console) = browser(
        &url(page, fragment),
        &[
            &format!("--screenshot={}", png.display()),
            &format!("--window-size=1280,{height}"),
        ],
    );
    assert!(console.is_empty(), "console: {console:?}");
    let bytes = std::fs::read(&png).expect("a screenshot");
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000,
        "{name} has content"
    );
    if std::env::var_os("FRAMESCORE_UPDATE_SCREENSHOTS").is_some() {
        std::fs::copy(&png, root().join("docs").join(name)).unwrap();
    }
    png
}

/// Bars of colour `hex` in the chart `name`.
fn bars(dom: &Html, name: &str, hex: &str) -> usize {
    let figure = dom
        .select(&sel(&format!("figure[data-chart={name}]")))
        .next()
        .unwrap_or_else(|| panic!("chart {name}"));
    figure
        .select(&sel("rect"))
        .filter(|r| r.value().attr("fill") == Some(hex))
        .count()
}

#[test]
fn the_report_renders_in_a_real_browser() {
    let page_path = sample().join("report.html");
    let (dom, console) = browser(&url(&page_path, ""), &["--dump-dom"]);
    assert!(console.is_empty(), "the console has messages: {console:?}");
    let dom = Html::parse_document(&dom);
    let (_, summary) = read_csv(&sample().join("summary.csv"));
    let n_sources = summary.iter().filter(|r| r["scope"] == "source").count();
    assert!(n_sources > 10);
    // One bar per source for every frame (Okabe-Ito vermillion, bluish green, blue).
    for hex in ["#D55E00", "#009E73", "#0072B2"] {
        assert_eq!(bars(&dom, "frames-by-source", hex), n_sources, "{hex}");
    }
    assert_eq!(bars(&dom, "terms-by-source", "#D55E00"), n_sources);
    assert_eq!(bars(&dom, "bias-by-source", "#D55E00"), n_sources);
    assert!(
        dom.select(&sel("figure[data-chart=frames-by-month] polyline"))
            .count()
            >= 3
    );
    // The page's own script ran under its Content-Security-Policy: sortable headers, the filter.
    assert!(dom.select(&sel("#sources-table th.sort")).count() > 5);
    let filter = dom.select(&sel("#article-filter")).next().unwrap();
    assert!(
        filter.value().attr("hidden").is_none(),
        "the script showed the filter"
    );

    // The design article's view: the "suppressing and blockading" sentence is marked hegemony,
    // its loaded terms are underlined with their category.
    let article = dom
        .select(&sel(&format!("article[data-id=\"{SEED}\"]")))
        .next()
        .expect("the design article is shown");
    let s = article
        .select(&sel("li.s"))
        .find(|li| text(*li).contains("suppressing and blockading"))
        .expect("the sentence is in the view");
    assert!(s
        .value()
        .attr("data-frames")
        .unwrap()
        .split(';')
        .any(|f| f == "hegemony"));
    assert!(s.value().classes().any(|c| c == "framed"));
    let chips: Vec<String> = s.select(&sel(".probs .chip")).map(text).collect();
    assert!(chips.contains(&"hegemony".to_string()), "{chips:?}");
    let marked: Vec<String> = s.select(&sel("mark.term")).map(text).collect();
    assert!(marked.contains(&"suppressing".to_string()), "{marked:?}");
    assert!(marked.contains(&"blockading".to_string()), "{marked:?}");
    for m in s.select(&sel("mark.term")) {
        assert!(
            m.value().attr("title").unwrap().contains('·'),
            "category · origin on hover"
        );
    }
    // The corpus table links to it.
    let anchor = article.value().attr("id").unwrap();
    assert!(
        dom.select(&sel(&format!("#articles-table a[href=\"#{anchor}\"]")))
            .count()
            == 1
    );

    screenshot(&page_path, "", "report-corpus.png", 2300);
    screenshot(
        &page_path,
        &format!("#{anchor}"),
        "report-article.png",
        1000,
    );
}

#[test]
fn a_hostile_article_cannot_run_script_or_break_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("in");
    std::fs::create_dir_all(&corpus).unwrap();
    let doc = serde_json::json!({
        "id": "evil\"><script>document.title='PWNED-id'</script>",
        "title": "</style></title><script>document.title='PWNED-title'</script>",
        "source": "<img src=x onerror=\"document.title='PWNED-source'\">",
        "url": "javascript:document.title='PWNED-url'",
        "date": "2024-03-01",
        "text": "The United States pursues hegemony in space. <script>document.title='PWNED-text'</script> \
                 </style><svg onload=\"document.title='PWNED-svg'\"></svg> Its \"<b onmouseover=alert(1)>allies</b>\" \
                 cooperate on lunar research. ]]></textarea><iframe src=\"javascript:alert(1)\"></iframe> Threats grow.",
    });
    std::fs::write(corpus.join("evil.jsonl"), format!("{doc}\n")).unwrap();
    let out = dir.path().join("out");
    let o = score(&corpus, &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page_path = out.join("report.html");
    let (dom, console) = browser(&url(&page_path, ""), &["--dump-dom"]);
    assert!(
        console.is_empty(),
        "no script blocked or failed: {console:?}"
    );
    let html = Html::parse_document(&dom);
    let title = text(html.select(&sel("title")).next().unwrap());
    assert!(
        title.starts_with("framescore report"),
        "no injected script ran: {title}"
    );
    assert_eq!(
        html.select(&sel("script")).count(),
        1,
        "only the page's own script"
    );
    assert_eq!(
        html.select(&sel("style")).count(),
        1,
        "only the page's own style"
    );
    for bad in [
        "img",
        "iframe",
        "b",
        "textarea",
        "svg[onload]",
        "a[href^=javascript]",
    ] {
        assert_eq!(
            html.select(&sel(bad)).count(),
            0,
            "no {bad} element from the article"
        );
    }
    let handlers = html
        .select(&sel("*"))
        .filter(|e| e.value().attrs().any(|(k, _)| k.starts_with("on")))
        .count();
    assert_eq!(handlers, 0, "no event-handler attributes");
    // The text is shown as text, and the page is whole after it.
    let article = html.select(&sel("article[data-id]")).next().unwrap();
    assert!(text(article).contains("<script>document.title='PWNED-text'</script>"));
    assert!(
        html.select(&sel("footer")).count() == 1,
        "the page is not cut short"
    );
    let url_cell = text(article.select(&sel(".meta")).next().unwrap());
    assert!(
        url_cell.contains("javascript:document.title"),
        "the URL is shown, not linked"
    );
}

#[test]
fn the_report_says_when_files_changed_since_the_run() {
    let dir = tempfile::tempdir().unwrap();
    for f in [
        "articles.csv",
        "sentences.csv",
        "terms.csv",
        "summary.csv",
        "actors.csv",
        "actors_summary.csv",
        "rollups.json",
        "run.json",
    ] {
        std::fs::copy(sample().join(f), dir.path().join(f)).unwrap();
    }
    let o = framescore(&["report", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("changed"), "{}", stderr(&o));
    // A hand edit (or a file from another run) no longer matches run.json's checksum.
    let terms = std::fs::read_to_string(dir.path().join("terms.csv")).unwrap();
    let last = terms.lines().last().unwrap().to_string();
    std::fs::write(dir.path().join("terms.csv"), terms + &last + "\n").unwrap();
    let o = framescore(&["report", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("terms.csv"), "{}", stderr(&o));
    let html = page(&dir.path().join("report.html"));
    let warning = text(
        html.select(&sel("dd.warn"))
            .next()
            .expect("a warning in the page"),
    );
    assert!(warning.contains("terms.csv"), "{warning}");
}

#[test]
fn the_report_shows_who_each_source_casts_how() {
    let html = page(&sample().join("report.html"));
    let rows: Vec<_> = html.select(&sel("#actors-table tbody tr")).collect();
    assert!(rows.len() > 10, "{} actor rows", rows.len());
    let cells = |r: &ElementRef| -> Vec<String> { r.select(&sel("th, td")).map(text).collect() };
    // The corpus rows first, most mentioned first; then per source.
    let first = cells(&rows[0]);
    assert_eq!(first[0], "(all sources)");
    let (_, summary) = common::read_csv(&sample().join("actors_summary.csv"));
    assert_eq!(first[1], summary[0]["actor"]);
    assert_eq!(first[2], summary[0]["n_mentions"]);
    assert!(rows.iter().any(|r| {
        let c = cells(r);
        c[0].starts_with("Ministry of Foreign Affairs") && c[1] == "USA"
    }));
}
