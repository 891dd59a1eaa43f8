use std::fs;
use std::io::Write;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use super::*;

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, content).unwrap();
    path
}

fn input(path: &Path) -> Input {
    let mut found = discover(&[path.to_path_buf()]);
    assert_eq!(found.len(), 1, "{found:?}");
    found.remove(0)
}

fn docs_of(path: &Path) -> Vec<Doc> {
    read(&input(path)).collect()
}

/// Writes one file and reads the single document it must give.
fn one_doc(name: &str, content: impl AsRef<[u8]>) -> Doc {
    let dir = TempDir::new().unwrap();
    let mut docs = docs_of(&write(dir.path(), name, content));
    assert_eq!(docs.len(), 1, "{docs:?}");
    docs.remove(0)
}

fn error(doc: &Doc) -> &str {
    match &doc.status {
        Status::Error(reason) => reason,
        other => panic!("expected an error, got {other:?} for {doc:?}"),
    }
}

fn empty(doc: &Doc) -> &str {
    match &doc.status {
        Status::Empty(reason) => reason,
        other => panic!("expected empty, got {other:?} for {doc:?}"),
    }
}

const BODY: &str = "Beijing and Washington agreed on Tuesday to resume talks on space safety.\n\n\
                    Officials from both sides described the meeting as constructive.\n";

// ---- plain text ----

#[test]
fn text_header_fields_and_exact_body() {
    let content = format!(
        "Title: Space talks resume\nsource: Xinhua\nurl: https://example.com/a\n\
         date: unknown\nlicense: public-domain\n---\n{BODY}"
    );
    let doc = one_doc("talks.txt", &content);
    assert_eq!(doc.status, Status::Ok);
    assert_eq!(doc.id, "talks.txt");
    assert_eq!(doc.text, BODY);
    assert_eq!(doc.bytes, content.len() as u64);
    assert!(doc.sentences.is_empty());
    let meta = Meta {
        title: Some("Space talks resume".into()),
        source: Some("Xinhua".into()),
        url: Some("https://example.com/a".into()),
        date: Some("unknown".into()),
    };
    assert_eq!(doc.meta, meta);
}

#[test]
fn text_yaml_front_matter() {
    let content = format!(
        "---\ntitle: \"Orbital debris: a shared problem\"\ntags:\n  - space\n\n# note\n\
         date: 2021-11-16\n---\n{BODY}"
    );
    let doc = one_doc("debris.md", content);
    assert_eq!(
        doc.meta.title.as_deref(),
        Some("Orbital debris: a shared problem")
    );
    assert_eq!(doc.meta.date.as_deref(), Some("2021-11-16"));
    assert_eq!(doc.text, BODY);
}

#[test]
fn text_without_header_keeps_later_rule() {
    let content =
        "The summit ended without a joint statement.\n\n---\n\nAnalysts said talks would go on.\n";
    let doc = one_doc("summit.md", content);
    assert_eq!(doc.meta, Meta::default());
    assert_eq!(doc.text, content);

    // A dateline looks like `key: value`, but the next line is prose, so there is no header.
    let content = "Moscow: Officials confirmed the launch date.\nThe crew is ready.\n---\nMore.\n";
    let doc = one_doc("launch.txt", content);
    assert_eq!(doc.meta, Meta::default());
    assert_eq!(doc.text, content);

    // A leading rule that is never closed is text too.
    let content = "---\nA Markdown file that opens with a rule.\n";
    assert_eq!(one_doc("rule.md", content).text, content);
}

#[test]
fn text_crlf_header_and_no_extension() {
    let doc = one_doc(
        "NOTES",
        "title: Field notes\r\n---\r\nThe ship docked at noon.\r\n",
    );
    assert_eq!(doc.meta.title.as_deref(), Some("Field notes"));
    assert_eq!(doc.text, "The ship docked at noon.\r\n");
}

#[test]
fn text_bom_is_stripped() {
    let doc = one_doc("bom.txt", format!("\u{feff}title: With BOM\n---\n{BODY}"));
    assert_eq!(doc.meta.title.as_deref(), Some("With BOM"));
    assert_eq!(doc.text, BODY);
    assert_eq!(one_doc("bom2.txt", format!("\u{feff}{BODY}")).text, BODY);
}

#[test]
fn empty_and_whitespace_only() {
    assert_eq!(empty(&one_doc("zero.txt", "")), "file is empty");
    assert_eq!(empty(&one_doc("zero.jsonl", "")), "file is empty");
    assert_eq!(
        empty(&one_doc("blank.txt", " \n\t\n")),
        "file holds only whitespace"
    );
    let doc = one_doc("header-only.txt", "title: Draft\n---\n\n  \n");
    assert_eq!(empty(&doc), "no text after the header");
    assert_eq!(doc.meta.title.as_deref(), Some("Draft"));
}

#[test]
fn real_corpus_header() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/read/voa-2018-12-us-russia-space-cooperation-despite-tensions.txt");
    let docs = docs_of(&path);
    assert_eq!(docs.len(), 1);
    let doc = &docs[0];
    assert_eq!(doc.status, Status::Ok);
    assert_eq!(
        doc.id,
        "voa-2018-12-us-russia-space-cooperation-despite-tensions.txt"
    );
    assert!(doc
        .meta
        .title
        .as_deref()
        .unwrap()
        .starts_with("unknown (VOA Learning English"));
    assert_eq!(
        doc.meta.source.as_deref(),
        Some("Voice of America Learning English (via yingyuke.net mirror)")
    );
    assert_eq!(
        doc.meta.url.as_deref(),
        Some("https://yingyuke.net/a/114692.html")
    );
    assert_eq!(doc.meta.date.as_deref(), Some("unknown"));
    assert!(doc.text.starts_with("Two American astronauts"));
    assert_eq!(doc.bytes, fs::metadata(&path).unwrap().len());
}

#[test]
fn large_text_file() {
    let dir = TempDir::new().unwrap();
    let paragraph = "Both agencies said the joint mission would continue as planned. ";
    let text = paragraph.repeat(20_000_000 / paragraph.len());
    let doc = &docs_of(&write(dir.path(), "big.txt", &text))[0];
    assert_eq!(doc.status, Status::Ok);
    assert_eq!(doc.text.len(), text.len());

    // A sparse file: over the limit without using the disk space.
    let huge = dir.path().join("huge.txt");
    File::create(&huge)
        .unwrap()
        .set_len(MAX_WHOLE_FILE + 1)
        .unwrap();
    let reason = error(&docs_of(&huge)[0]).to_string();
    assert_eq!(
        reason,
        "file too large (1073 MB); split it into smaller files"
    );
}

// ---- HTML ----

const PAGE: &str = r#"<!DOCTYPE html>
<html><head>
<title>Talks resume in Geneva | World News</title>
<meta property="og:site_name" content="World News">
<meta property="article:published_time" content="2024-03-05T09:30:00Z">
<link rel="canonical" href="https://example.com/world/geneva-talks">
<style>p { color: red }</style>
<script>var tracking = "do not read";</script>
</head>
<body>
<header><a href="/">Home</a> Subscribe now</header>
<nav><ul><li>World</li><li>Business</li></ul></nav>
<p>Outside the article</p>
<article>
  <h1>Talks resume in   Geneva</h1>
  <p>Negotiators from both sides <b>returned</b> to the table on Tuesday,<br>officials said.</p>
  <script>alert("x")</script>
  <div hidden>Hidden teaser</div>
  <p aria-hidden="true">Decorative</p>
  <ul><li>First point</li><li>Second point</li></ul>
  <aside>Related: other story</aside>
  <p>Tensions remain&nbsp;high.</p>
</article>
<footer>Copyright 2024</footer>
</body></html>"#;

#[test]
fn html_visible_text_and_meta() {
    let doc = one_doc("geneva.html", PAGE);
    assert_eq!(doc.status, Status::Ok);
    assert_eq!(
        doc.text,
        "Talks resume in Geneva\n\nNegotiators from both sides returned to the table on \
         Tuesday,\nofficials said.\n\nFirst point\n\nSecond point\n\nTensions remain high."
    );
    let meta = Meta {
        title: Some("Talks resume in Geneva | World News".into()),
        source: Some("World News".into()),
        date: Some("2024-03-05T09:30:00Z".into()),
        url: Some("https://example.com/world/geneva-talks".into()),
    };
    assert_eq!(doc.meta, meta);
    assert_eq!(doc.bytes, PAGE.len() as u64);
}

#[test]
fn html_body_fallback_og_meta_and_tables() {
    let page = r#"<html><head><meta property="og:title" content="Budget vote delayed">
        <meta property="og:url" content="https://example.org/budget"></head>
        <body><div class="menu" style="display: none">Menu</div>
        <div><span>The vote</span> <span>was delayed</span></div>
        <p>Published <time datetime="2023-11-02">November 2</time>.</p>
        <table><tr><td>Yes</td><td>212</td></tr><tr><td>No</td><td>201</td></tr></table>
        <pre>line one
  line two</pre></body></html>"#;
    let doc = one_doc("budget.HTM", page);
    assert_eq!(
        doc.text,
        "The vote was delayed\n\nPublished November 2.\n\nYes 212\n\nNo 201\n\nline one\n  line two"
    );
    assert_eq!(doc.meta.title.as_deref(), Some("Budget vote delayed"));
    assert_eq!(doc.meta.date.as_deref(), Some("2023-11-02"));
    assert_eq!(doc.meta.url.as_deref(), Some("https://example.org/budget"));
}

#[test]
fn html_without_visible_text_is_empty() {
    let page = "<html><head><title>Loading</title><script>render()</script></head><body>\
                <nav>Home</nav></body></html>";
    let doc = one_doc("app.html", page);
    assert_eq!(empty(&doc), "no visible text in the HTML page");
    assert_eq!(doc.meta.title.as_deref(), Some("Loading"));
}

// ---- JSONL ----

#[test]
fn jsonl_lines_errors_and_ids() {
    let lines = [
        r#"{"id": "a1", "text": "Moscow and Beijing signed a lunar agreement.", "title": "Lunar deal", "date": "2021-03-09"}"#,
        "",
        r#"{"id": 42, "text": "NASA announced new partners.", "source": "NASA"}"#,
        r#"{"text": "The launch was delayed by weather."#,
        r#"["not", "an", "object"]"#,
        r#"{"title": "No text here"}"#,
        "   ",
        r#"{"text": 17}"#,
        r#"{"text": "  "}"#,
        "{\"text\": \"Windows line endings are fine.\"}\r",
    ];
    let content = lines.join("\n") + "\n";
    let dir = TempDir::new().unwrap();
    let docs = docs_of(&write(dir.path(), "feed.jsonl", &content));
    let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "a1",
            "42",
            "feed.jsonl:4",
            "feed.jsonl:5",
            "feed.jsonl:6",
            "feed.jsonl:8",
            "feed.jsonl:9",
            "feed.jsonl:10"
        ]
    );
    assert_eq!(docs[0].meta.title.as_deref(), Some("Lunar deal"));
    assert_eq!(docs[0].text, "Moscow and Beijing signed a lunar agreement.");
    assert_eq!(docs[1].meta.source.as_deref(), Some("NASA"));
    assert_eq!(
        error(&docs[2]),
        "line 4: not valid JSON (EOF while parsing a string at column 44); fix or remove that line"
    );
    assert!(
        error(&docs[3]).starts_with("line 5: expected a JSON object"),
        "{:?}",
        docs[3]
    );
    assert!(error(&docs[4]).starts_with("line 6: no \"text\" field"));
    assert_eq!(docs[4].meta.title.as_deref(), Some("No text here"));
    assert!(error(&docs[5]).starts_with("line 8: \"text\" must be a string, found a number"));
    assert_eq!(empty(&docs[6]), "text field is empty");
    assert_eq!(docs[7].text, "Windows line endings are fine.");
    let total: u64 = docs.iter().map(|d| d.bytes).sum();
    assert_eq!(total, content.len() as u64);
}

#[test]
fn jsonl_only_blank_lines() {
    let doc = one_doc("blank.jsonl", "\n  \n\n");
    assert_eq!(doc.id, "blank.jsonl");
    assert!(empty(&doc).contains("only blank lines"));
}

#[test]
fn jsonl_invalid_utf8_is_per_line() {
    let mut content = b"{\"text\": \"First line is fine.\"}\n{\"text\": \"caf".to_vec();
    content.extend_from_slice(b"\xe9\"}\n{\"text\": \"Third line is fine.\"}\n");
    let dir = TempDir::new().unwrap();
    let docs = docs_of(&write(dir.path(), "latin1.jsonl", content));
    assert_eq!(docs.len(), 3);
    assert_eq!(
        error(&docs[1]),
        "line 2: not valid UTF-8 (first bad byte at offset 45); re-save the file as UTF-8"
    );
    assert_eq!(docs[2].status, Status::Ok);
}

#[test]
fn jsonl_streams() {
    let dir = TempDir::new().unwrap();
    let line = "{\"text\": \"Satellite operators shared tracking data again this week.\"}\n";
    let path = write(dir.path(), "stream.jsonl", line.repeat(1000));
    let mut docs = read(&input(&path));
    assert_eq!(docs.next().unwrap().status, Status::Ok);
    // Lines appended after reading started are still seen: the file is not read up front.
    fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(line.as_bytes())
        .unwrap();
    assert_eq!(docs.count(), 1000);
}

// ---- JSON ----

#[test]
fn json_object_array_and_wrappers() {
    let doc = one_doc(
        "one.json",
        r#"{"text": "A single story.", "title": "One", "url": "https://x.test/1"}"#,
    );
    assert_eq!(
        (doc.id.as_str(), doc.text.as_str()),
        ("one.json", "A single story.")
    );
    assert_eq!(doc.meta.url.as_deref(), Some("https://x.test/1"));
    assert_eq!(
        one_doc("own.json", r#"{"id": "s-9", "text": "Own id."}"#).id,
        "s-9"
    );

    let array = r#"[{"text": "First story."}, {"id": 7, "text": "Second story."}, "oops"]"#;
    let dir = TempDir::new().unwrap();
    let docs = docs_of(&write(dir.path(), "many.json", array));
    let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["many.json:1", "7", "many.json:3"]);
    assert!(error(&docs[2]).starts_with("element 3: expected a JSON object"));
    assert_eq!(
        docs.iter().map(|d| d.bytes).sum::<u64>(),
        array.len() as u64
    );

    for key in ["documents", "articles"] {
        let wrapped = format!(r#"{{"{key}": [{{"text": "Wrapped story."}}], "count": 1}}"#);
        let docs = docs_of(&write(dir.path(), &format!("{key}.json"), wrapped));
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].text, "Wrapped story.");
        assert_eq!(docs[0].id, format!("{key}.json:1"));
    }
}

#[test]
fn json_errors() {
    let reason = error(&one_doc("bad.json", r#"{"text": "unterminated"#)).to_string();
    assert!(
        reason.starts_with("not valid JSON (EOF while parsing"),
        "{reason}"
    );
    let reason = error(&one_doc(
        "lines.json",
        "{\"text\": \"a\"}\n{\"text\": \"b\"}\n",
    ))
    .to_string();
    assert!(reason.ends_with("rename it to .jsonl"), "{reason}");
    let reason = error(&one_doc("other.json", r#"{"stories": []}"#)).to_string();
    assert!(reason.contains("no \"text\" field"), "{reason}");
    assert!(empty(&one_doc("none.json", "[]")).contains("empty array"));
}

// ---- CSV ----

#[test]
fn csv_rows_columns_and_ids() {
    let content = "\u{feff}ID,Title,TEXT,source\n\
                   r1,Launch,\"The rocket lifted off, carrying three crew.\",TASS\n\
                   ,Docking,\"Two lines:\nthe capsule docked.\",NASA\n\
                   r3,Short row\n\
                   r4,Empty,,Reuters\n";
    let dir = TempDir::new().unwrap();
    let docs = docs_of(&write(dir.path(), "stories.csv", content));
    let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["r1", "stories.csv:2", "stories.csv:3", "r4"]);
    assert_eq!(docs[0].text, "The rocket lifted off, carrying three crew.");
    assert_eq!(docs[0].meta.title.as_deref(), Some("Launch"));
    assert_eq!(docs[0].meta.source.as_deref(), Some("TASS"));
    assert_eq!(docs[1].text, "Two lines:\nthe capsule docked.");
    assert_eq!(
        error(&docs[2]),
        "row 3 (line 5): has 2 fields but the header has 4; check that row's commas and quotes"
    );
    assert_eq!(empty(&docs[3]), "text field is empty");
    assert_eq!(
        docs.iter().map(|d| d.bytes).sum::<u64>(),
        content.len() as u64
    );
}

#[test]
fn csv_unclosed_quote_and_bad_utf8_rows() {
    let mut content = b"id,text\n1,Fine row.\n2,caf\xe9 row\n3,Also fine.\n".to_vec();
    content.extend_from_slice(b"4,\"Unclosed quote, then the rest of the file\n5,lost\n");
    let dir = TempDir::new().unwrap();
    let docs = docs_of(&write(dir.path(), "rows.csv", content));
    assert_eq!(docs.len(), 4, "{docs:?}");
    assert_eq!(docs[0].status, Status::Ok);
    assert!(error(&docs[1]).starts_with("row 2 (line 3): not valid UTF-8 (column 'text'"));
    assert_eq!(docs[2].status, Status::Ok);
    // The quote swallows the rest of the file into one field; the text still reads.
    assert_eq!(docs[3].id, "4");
}

#[test]
fn csv_without_text_column() {
    let doc = one_doc("wrong.csv", "id,headline,body\n1,Talks,Leaders met.\n");
    assert_eq!(doc.id, "wrong.csv");
    assert_eq!(
        error(&doc),
        "no 'text' column (columns found: id, headline, body); the first row must name the \
         columns, and the one holding the article text must be called 'text'"
    );
    assert!(empty(&one_doc("header.csv", "id,text\n")).contains("no rows"));
    let doc = one_doc("excel.csv", "id;text\n1;Leaders met.\n");
    assert!(error(&doc).contains("not comma-separated"), "{doc:?}");
}

// ---- failures ----

#[test]
fn unsupported_binary_and_bad_utf8() {
    assert_eq!(
        error(&one_doc("report.PDF", "%PDF-1.7")),
        "unsupported file type '.pdf' (framescore reads .txt .md .html .htm .jsonl .json .csv); \
         convert it to text or remove it from the input"
    );
    let binary = b"Some text\0\x01\x02 then bytes";
    let expected = "binary file (contains NUL bytes); framescore reads text files only";
    assert_eq!(error(&one_doc("blob.txt", binary)), expected);
    assert_eq!(error(&one_doc("blob.jsonl", binary)), expected);
    assert_eq!(error(&one_doc("blob.csv", binary)), expected);
    assert!(error(&one_doc("wide.txt", b"\xff\xfeH\0i\0")).contains("UTF-16"));
    assert_eq!(
        error(&one_doc("latin1.txt", b"The caf\xe9 closed.")),
        "not valid UTF-8 (first bad byte at offset 7); re-save the file as UTF-8"
    );
}

#[test]
fn missing_path() {
    let found = discover(&[PathBuf::from("no/such/articles.txt")]);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].error.as_deref(),
        Some("no such file or directory; check the path")
    );
    let docs: Vec<Doc> = read(&found[0]).collect();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].id, "no/such/articles.txt");
    assert_eq!(error(&docs[0]), "no such file or directory; check the path");
}

#[test]
fn unreadable_and_vanished_files() {
    let dir = TempDir::new().unwrap();
    let path = write(dir.path(), "locked.txt", BODY);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    let doc = &docs_of(&path)[0];
    // Root reads files whatever their mode; only check the message where the OS refuses.
    if File::open(&path).is_err() {
        assert!(
            error(doc).contains("check the file's permissions"),
            "{doc:?}"
        );
    }

    let found = input(&write(dir.path(), "gone.txt", BODY));
    fs::remove_file(&found.path).unwrap();
    let docs: Vec<Doc> = read(&found).collect();
    assert!(error(&docs[0]).contains("moved or deleted"), "{docs:?}");

    let folder = Input {
        path: dir.path().to_path_buf(),
        rel: "dir".into(),
        size: 0,
        error: None,
    };
    let docs: Vec<Doc> = read(&folder).collect();
    assert!(error(&docs[0]).starts_with("not a regular file"));
}

// ---- discovery ----

#[test]
fn discovery_order_and_hidden_files() {
    let dir = TempDir::new().unwrap();
    let root = dir.path().join("corpus");
    for name in [
        "b.txt",
        "a/z.txt",
        "a/b.txt",
        "a.txt",
        ".hidden.txt",
        ".git/config",
        "c/.draft.md",
    ] {
        write(&root, name, BODY);
    }
    let other = write(dir.path(), ".notes.txt", BODY);
    let found = discover(&[other.clone(), root.clone()]);
    let rels: Vec<&str> = found.iter().map(|i| i.rel.as_str()).collect();
    // A hidden file named directly is read; path order puts the folder `a` before `a.txt`.
    assert_eq!(rels, [".notes.txt", "a/b.txt", "a/z.txt", "a.txt", "b.txt"]);
    assert_eq!(found[1].path, root.join("a/b.txt"));
    assert_eq!(found[1].size, BODY.len() as u64);
    assert!(found.iter().all(|i| i.error.is_none()));
    assert_eq!(found, discover(&[other, root]));
}

#[test]
fn discovery_symlinks() {
    let dir = TempDir::new().unwrap();
    let root = dir.path().join("corpus");
    let target = write(dir.path(), "outside/story.txt", BODY);
    fs::create_dir_all(&root).unwrap();
    symlink(&target, root.join("linked.txt")).unwrap();
    symlink(dir.path().join("missing.txt"), root.join("broken.txt")).unwrap();
    symlink(&root, root.join("loop")).unwrap();
    symlink(dir.path().join("missing"), root.join(".#lock")).unwrap();
    let found = discover(&[root]);
    let rels: Vec<&str> = found.iter().map(|i| i.rel.as_str()).collect();
    assert_eq!(rels, ["broken.txt", "linked.txt", "loop"]);
    assert!(found[0]
        .error
        .as_deref()
        .unwrap()
        .starts_with("broken symbolic link"));
    assert_eq!(
        (found[1].error.as_ref(), found[1].size),
        (None, BODY.len() as u64)
    );
    assert!(found[2]
        .error
        .as_deref()
        .unwrap()
        .starts_with("symbolic link loop"));
    assert_eq!(read(&found[1]).next().unwrap().text, BODY);
    assert_eq!(read(&found[2]).next().unwrap().id, "loop");
}

#[test]
fn discovery_leaves_out_the_excluded_folder() {
    let dir = TempDir::new().unwrap();
    let root = dir.path().join("corpus");
    write(&root, "a.txt", BODY);
    write(&root, "results/articles.csv", "id,text\nx,y\n");
    write(&root, "results/deeper/b.txt", BODY);
    let out = root.join("results");
    let rels = |found: Vec<Input>| found.into_iter().map(|i| i.rel).collect::<Vec<_>>();
    assert_eq!(
        rels(discover_excluding(std::slice::from_ref(&root), Some(&out))),
        ["a.txt"]
    );
    // The excluded folder given as an input (or a file in it) yields nothing either.
    assert!(discover_excluding(&[out.clone(), out.join("articles.csv")], Some(&out)).is_empty());
    // A folder that does not exist yet excludes nothing.
    assert_eq!(
        rels(discover_excluding(&[root], Some(&dir.path().join("new")))),
        ["a.txt", "results/articles.csv", "results/deeper/b.txt"]
    );
}

#[test]
fn ids_follow_rel_paths() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "2024/03/story.txt", BODY);
    write(
        dir.path(),
        "2024/feed.jsonl",
        "{\"text\": \"One.\"}\n\n{\"text\": \"Two.\"}\n",
    );
    let ids: Vec<String> = discover(&[dir.path().to_path_buf()])
        .iter()
        .flat_map(read)
        .map(|d| d.id)
        .collect();
    assert_eq!(
        ids,
        [
            "2024/03/story.txt",
            "2024/feed.jsonl:1",
            "2024/feed.jsonl:3"
        ]
    );
}

#[test]
fn every_input_yields_a_doc() {
    let dir = TempDir::new().unwrap();
    let files: &[(&str, &[u8])] = &[
        ("a.txt", BODY.as_bytes()),
        ("empty.txt", b""),
        ("blank.jsonl", b"\n\n"),
        ("header.csv", b"text\n"),
        ("notext.csv", b"body\nx\n"),
        ("empty.json", b"[]"),
        ("bad.json", b"{"),
        ("page.html", b"<html><body></body></html>"),
        ("image.png", b"\x89PNG\r\n\x1a\n\0\0"),
        ("binary", b"\0\0\0"),
        ("latin1.md", b"caf\xe9"),
    ];
    for (name, content) in files {
        write(dir.path(), name, content);
    }
    symlink(dir.path().join("nowhere"), dir.path().join("dangling.txt")).unwrap();
    let mut inputs = discover(&[dir.path().to_path_buf(), dir.path().join("missing.csv")]);
    inputs.push(Input {
        path: dir.path().into(),
        rel: "folder".into(),
        size: 0,
        error: None,
    });
    assert_eq!(inputs.len(), files.len() + 3);
    for input in &inputs {
        let docs: Vec<Doc> = read(input).collect();
        assert!(!docs.is_empty(), "{input:?} gave no documents");
        assert!(docs.iter().all(|d| !d.id.is_empty() && !d.path.is_empty()));
    }
}
