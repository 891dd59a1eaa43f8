//! Plain text (`.txt`, `.md`, no extension): one document per file, with an optional header of
//! `key: value` lines closed by `---`, or YAML-style front matter between two `---` lines.

use super::{field, FileRef};
use crate::doc::{Doc, Meta, Status};

/// `text` is the whole file without its BOM; the document's text is what follows the header,
/// byte for byte, so that offsets point into the file's own body.
pub(super) fn parse(file: &FileRef, mut text: String, size: u64) -> Doc {
    let (meta, start) = header(&text).unwrap_or_default();
    let body = text.split_off(start);
    if body.trim().is_empty() {
        let reason = if start > 0 {
            "no text after the header"
        } else {
            "file holds only whitespace"
        };
        let doc = file.failed(file.rel.clone(), Status::Empty(reason.into()), size);
        return Doc { meta, ..doc };
    }
    file.doc(file.rel.clone(), meta, body, size)
}

/// The header's fields and the byte offset where the body starts, or `None` when the file has
/// no header: then a `---` further down is just part of the text (a Markdown rule, say).
fn header(text: &str) -> Option<(Meta, usize)> {
    let mut lines = text.split_inclusive('\n').scan(0, |end, raw| {
        *end += raw.len();
        Some((raw.trim_end_matches(['\n', '\r']), *end))
    });
    let (mut line, mut end) = lines.next()?;
    let yaml = line == "---";
    if yaml {
        (line, end) = lines.next()?;
    }
    let mut meta = Meta::default();
    while line != "---" {
        match key_value(line) {
            Some((key, value)) => set(&mut meta, key, if yaml { unquote(value) } else { value }),
            // Front matter may hold YAML that is not `key: value` (lists, comments); skip it.
            None if yaml && is_other_yaml(line) => {}
            None => return None,
        }
        (line, end) = lines.next()?;
    }
    Some((meta, end))
}

fn key_value(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    let is_key = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    is_key.then(|| (key, value.trim()))
}

fn is_other_yaml(line: &str) -> bool {
    line.trim().is_empty() || line.starts_with([' ', '\t', '-', '#'])
}

fn unquote(value: &str) -> &str {
    ['"', '\'']
        .iter()
        .find_map(|&q| value.strip_prefix(q)?.strip_suffix(q))
        .unwrap_or(value)
}

fn set(meta: &mut Meta, key: &str, value: &str) {
    let slot = match key.to_ascii_lowercase().as_str() {
        "title" => &mut meta.title,
        "source" => &mut meta.source,
        "url" => &mut meta.url,
        "date" => &mut meta.date,
        _ => return,
    };
    *slot = field(value);
}
