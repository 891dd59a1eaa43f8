//! HTML pages: the visible text of the article, without scripts, navigation and other site
//! chrome, laid out in paragraphs so that the segmenter sees the page's block structure.

use scraper::node::Element;
use scraper::{ElementRef, Html, Node, Selector};

use super::{field, FileRef};
use crate::doc::{Doc, Meta, Status};

/// Elements whose content a reader does not see as article text.
const DROPPED: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "nav", "header", "footer", "aside",
    "form", "iframe", "head", "button", "select", "textarea", "canvas", "video", "audio", "object",
    "embed",
];

/// Elements that start a new paragraph.
#[rustfmt::skip]
const BLOCKS: &[&str] = &[
    "address", "article", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "html", "legend", "li", "main", "ol", "p", "pre", "section", "summary", "table",
    "tbody", "tfoot", "thead", "tr", "ul",
];

pub(super) fn parse(file: &FileRef, html: &str, size: u64) -> Doc {
    let page = Html::parse_document(html);
    let meta = Meta {
        title: text_of(&page, "title").or_else(|| meta_of(&page, "og:title")),
        source: meta_of(&page, "og:site_name"),
        date: meta_of(&page, "article:published_time")
            .or_else(|| attr_of(&page, "time[datetime]", "datetime")),
        url: attr_of(&page, "link[rel='canonical']", "href").or_else(|| meta_of(&page, "og:url")),
    };
    // <article> or <main> leaves out more site chrome than <body>; fall back when it is empty.
    let text = ["article", "main", "body"]
        .iter()
        .filter_map(|tag| content_root(&page, tag))
        .chain([page.root_element()])
        .map(visible_text)
        .find(|text| !text.is_empty())
        .unwrap_or_default();
    if text.is_empty() {
        let status = Status::Empty("no visible text in the HTML page".into());
        return Doc {
            meta,
            ..file.failed(file.rel.clone(), status, size)
        };
    }
    file.doc(file.rel.clone(), meta, text, size)
}

fn select<'a>(page: &'a Html, css: &str) -> Option<ElementRef<'a>> {
    // The selectors are constants; `ok()?` only avoids a panic path.
    let selector = Selector::parse(css).ok()?;
    let found = page.select(&selector).next();
    found
}

fn text_of(page: &Html, css: &str) -> Option<String> {
    let words: Vec<&str> = select(page, css)?
        .text()
        .flat_map(str::split_whitespace)
        .collect();
    field(&words.join(" "))
}

fn attr_of(page: &Html, css: &str, attr: &str) -> Option<String> {
    field(select(page, css)?.value().attr(attr)?)
}

/// Open Graph tags belong in `property`, but many sites put them in `name`.
fn meta_of(page: &Html, property: &str) -> Option<String> {
    let css = format!("meta[property='{property}'], meta[name='{property}']");
    attr_of(page, &css, "content")
}

/// The first `tag` element that is itself visible (not a teaser inside an `<aside>`, say).
fn content_root<'a>(page: &'a Html, tag: &str) -> Option<ElementRef<'a>> {
    let selector = Selector::parse(tag).ok()?;
    let found = page.select(&selector).find(|el| {
        !is_dropped(el.value())
            && !el
                .ancestors()
                .any(|a| a.value().as_element().is_some_and(is_dropped))
    });
    found
}

fn is_dropped(el: &Element) -> bool {
    DROPPED.contains(&el.name())
        || el.attr("hidden").is_some()
        || el
            .attr("aria-hidden")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        || el.attr("style").is_some_and(|style| {
            let style: String = style.split_whitespace().collect::<String>().to_lowercase();
            style.contains("display:none") || style.contains("visibility:hidden")
        })
}

/// Walks the tree with an explicit stack, as deeply nested pages would overflow a recursive walk.
fn visible_text(root: ElementRef<'_>) -> String {
    let mut out = Layout::default();
    let mut stack = vec![(*root, false)];
    while let Some((node, closing)) = stack.pop() {
        match node.value() {
            Node::Text(text) if !closing => out.push(text),
            Node::Element(el) if closing => out.close(el),
            Node::Element(el) if !is_dropped(el) => {
                out.open(el);
                stack.push((node, true));
                let children: Vec<_> = node.children().collect();
                stack.extend(children.into_iter().rev().map(|child| (child, false)));
            }
            _ => {}
        }
    }
    out.out
}

/// The separator owed before the next word; a stronger one wins over a weaker one.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Gap {
    #[default]
    None,
    Space,
    Line,
    Paragraph,
}

/// Builds text the way a browser lays it out: whitespace collapsed, blocks on their own paragraph.
#[derive(Default)]
struct Layout {
    out: String,
    gap: Gap,
    /// Inside `<pre>`, whitespace is kept as written.
    pre: usize,
}

impl Layout {
    fn open(&mut self, el: &Element) {
        match el.name() {
            "br" => self.gap(Gap::Line),
            "td" | "th" => self.gap(Gap::Space),
            "pre" => {
                self.pre += 1;
                self.gap(Gap::Paragraph);
            }
            name if BLOCKS.contains(&name) => self.gap(Gap::Paragraph),
            _ => {}
        }
    }

    fn close(&mut self, el: &Element) {
        match el.name() {
            "td" | "th" => self.gap(Gap::Space),
            "pre" => {
                self.pre = self.pre.saturating_sub(1);
                self.gap(Gap::Paragraph);
            }
            name if BLOCKS.contains(&name) => self.gap(Gap::Paragraph),
            _ => {}
        }
    }

    fn gap(&mut self, gap: Gap) {
        self.gap = self.gap.max(gap);
    }

    fn push(&mut self, text: &str) {
        if self.pre > 0 {
            if !text.is_empty() {
                self.flush();
                self.out.push_str(text);
            }
            return;
        }
        if text.starts_with(char::is_whitespace) {
            self.gap(Gap::Space);
        }
        for (i, word) in text.split_whitespace().enumerate() {
            if i > 0 {
                self.gap(Gap::Space);
            }
            self.flush();
            self.out.push_str(word);
        }
        if text.ends_with(char::is_whitespace) {
            self.gap(Gap::Space);
        }
    }

    /// Writes the owed separator, except at the very start.
    fn flush(&mut self) {
        if !self.out.is_empty() {
            self.out.push_str(match self.gap {
                Gap::None => "",
                Gap::Space => " ",
                Gap::Line => "\n",
                Gap::Paragraph => "\n\n",
            });
        }
        self.gap = Gap::None;
    }
}
