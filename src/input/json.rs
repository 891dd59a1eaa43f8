//! JSON Lines (one object per line, streamed) and JSON (one object, an array of objects, or an
//! object holding a `documents` or `articles` array). Fields: `text` (required), `id`, `title`,
//! `source`, `date`, `url`.

use std::io::{BufRead, BufReader, Read};

use serde_json::{Map, Value};

use super::{field, one, or_empty, utf8_error, Docs, FileRef, Record, BOM};
use crate::doc::{Doc, Meta, Status};

pub(super) fn jsonl(file: FileRef, reader: Box<dyn Read + Send>, size: u64) -> Docs {
    let empty = Status::Empty("no documents (the file holds only blank lines)".into());
    let fallback = file.failed(file.rel.clone(), empty, size);
    let lines = json_lines(file, reader);
    or_empty(lines, fallback)
}

/// Standard input as JSON lines. Unlike a file, an empty stream is no document at all: a
/// stream processor (Spark's RDD.pipe, GNU parallel) may hand a process an empty partition.
pub(super) fn stdin_lines(file: FileRef) -> Docs {
    Box::new(json_lines(file, Box::new(std::io::stdin())))
}

fn json_lines(file: FileRef, reader: Box<dyn Read + Send>) -> JsonLines {
    JsonLines {
        file,
        reader: BufReader::new(reader),
        line: 0,
        offset: 0,
        unclaimed: 0,
        done: false,
    }
}

/// Reads a JSONL file one line at a time, so memory does not grow with the file.
struct JsonLines {
    file: FileRef,
    reader: BufReader<Box<dyn Read + Send>>,
    /// 1-based number of the last line read.
    line: usize,
    /// Byte offset in the file of the line being read.
    offset: u64,
    /// Bytes of skipped blank lines, counted into the next document so the sum is the file size.
    unclaimed: u64,
    done: bool,
}

impl Iterator for JsonLines {
    type Item = Doc;

    fn next(&mut self) -> Option<Self::Item> {
        let mut buf = Vec::new();
        while !self.done {
            buf.clear();
            match self.reader.read_until(b'\n', &mut buf) {
                Ok(0) => self.done = true,
                Ok(n) => {
                    self.line += 1;
                    let offset = self.offset;
                    self.offset += n as u64;
                    self.unclaimed += n as u64;
                    if buf.trim_ascii().is_empty() {
                        continue;
                    }
                    let bytes = std::mem::take(&mut self.unclaimed);
                    return Some(self.line_doc(&buf, offset, bytes));
                }
                Err(e) => {
                    self.done = true;
                    let n = self.line + 1;
                    let reason = format!("line {n}: read failed ({e}); check the file");
                    let bytes = std::mem::take(&mut self.unclaimed);
                    return Some(
                        self.file
                            .failed(self.file.nth(n), Status::Error(reason), bytes),
                    );
                }
            }
        }
        None
    }
}

impl JsonLines {
    fn line_doc(&self, raw: &[u8], offset: u64, bytes: u64) -> Doc {
        let record = match parse_line(raw, offset) {
            Ok(value) => record(value, "that line"),
            Err(reason) => Record::invalid(reason),
        };
        let place = format!("line {}", self.line);
        record.into_doc(&self.file, self.file.nth(self.line), Some(&place), bytes)
    }
}

/// One JSONL line as JSON; `offset`, where the line starts in the file, makes the UTF-8 message
/// point at the file's byte.
fn parse_line(raw: &[u8], offset: u64) -> Result<Value, String> {
    let line = std::str::from_utf8(raw).map_err(|e| utf8_error(offset + e.valid_up_to() as u64))?;
    let line = line
        .strip_prefix(BOM)
        .unwrap_or(line)
        .trim_end_matches(['\n', '\r']);
    serde_json::from_str(line).map_err(|e| {
        format!(
            "not valid JSON ({}); fix or remove that line",
            line_error(&e)
        )
    })
}

/// `serde_json`'s message without "line 1", which is always 1 within one JSONL line.
fn line_error(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match msg.strip_suffix(&suffix) {
        Some(msg) => format!("{msg} at column {}", e.column()),
        None => msg,
    }
}

pub(super) fn json(file: FileRef, text: &str, size: u64) -> Docs {
    let fail = |status: Status| one(file.failed(file.rel.clone(), status, size));
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(e) => {
            let hint = if e.to_string().starts_with("trailing characters") {
                "; if it holds one object per line, rename it to .jsonl"
            } else {
                "; fix the file"
            };
            return fail(Status::Error(format!("not valid JSON ({e}){hint}")));
        }
    };
    let items = match value {
        Value::Array(items) => items,
        Value::Object(mut obj) if !obj.contains_key("text") => match take_array(&mut obj) {
            Some(items) => items,
            None => {
                return fail(Status::Error(
                    "JSON object has no \"text\" field and no \"documents\" or \"articles\" \
                     array; give each article as an object with a \"text\" field"
                        .into(),
                ))
            }
        },
        value => {
            let doc = record(value, "the file").into_doc(&file, file.rel.clone(), None, size);
            return one(doc);
        }
    };
    if items.is_empty() {
        return fail(Status::Empty(
            "the JSON file holds no documents (empty array)".into(),
        ));
    }
    let count = items.len() as u64;
    Box::new(items.into_iter().zip(1u64..).map(move |(value, n)| {
        // Shares the file size out so that the documents' bytes sum to it exactly.
        let bytes = size * n / count - size * (n - 1) / count;
        let place = format!("element {n}");
        record(value, "that element").into_doc(&file, file.nth(n), Some(&place), bytes)
    }))
}

fn take_array(obj: &mut Map<String, Value>) -> Option<Vec<Value>> {
    ["documents", "articles"]
        .iter()
        .find_map(|key| match obj.remove(*key) {
            Some(Value::Array(items)) => Some(items),
            _ => None,
        })
}

/// The document fields of one JSON value; `what` names it in messages ("that line").
fn record(value: Value, what: &str) -> Record {
    let Value::Object(mut obj) = value else {
        return Record {
            id: None,
            meta: Meta::default(),
            text: Err(format!(
                "expected a JSON object like {{\"text\": \"...\"}}, found {}; fix or remove {what}",
                kind(&value)
            )),
        };
    };
    let text = match obj.remove("text") {
        Some(Value::String(text)) => Ok(text),
        None | Some(Value::Null) => Err(format!(
            "no \"text\" field; add one holding the article text to {what}"
        )),
        Some(other) => Err(format!(
            "\"text\" must be a string, found {}; fix {what}",
            kind(&other)
        )),
    };
    let get = |key: &str| obj.get(key).and_then(scalar);
    Record {
        id: get("id"),
        meta: Meta {
            title: get("title"),
            source: get("source"),
            date: get("date"),
            url: get("url"),
        },
        text,
    }
}

/// A string field, or a number written as one (`"id": 17` becomes "17").
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => field(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
