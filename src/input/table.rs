//! CSV with a header row: one document per row, text from the `text` column (any case), optional
//! `id`, `title`, `source`, `date`, `url` columns. Rows are streamed.

use std::io::Read;

use csv::{ByteRecord, Reader, ReaderBuilder};

use super::{field, one, or_empty, Docs, FileRef, Record, BOM};
use crate::doc::{Doc, Meta, Status};

pub(super) fn csv(file: FileRef, reader: Box<dyn Read + Send>, size: u64) -> Docs {
    // `flexible` turns a row with the wrong number of fields into something we can report
    // instead of an error that ends the file.
    let mut rdr = ReaderBuilder::new().flexible(true).from_reader(reader);
    let names: Vec<String> = match rdr.byte_headers() {
        Ok(header) => header
            .iter()
            .map(|name| {
                String::from_utf8_lossy(name)
                    .replace(BOM, "")
                    .trim()
                    .to_string()
            })
            .collect(),
        Err(e) => {
            let reason = format!("cannot read the CSV header ({e}); check the file");
            return one(file.failed(file.rel.clone(), Status::Error(reason), size));
        }
    };
    let Some(cols) = Columns::find(&names) else {
        let found = if names.iter().all(String::is_empty) {
            "the first row is empty".to_string()
        } else if names.len() == 1 && names[0].contains([';', '\t']) {
            format!(
                "the header '{}' is not comma-separated; save the file with commas",
                names[0]
            )
        } else {
            format!("columns found: {}", names.join(", "))
        };
        let reason = format!(
            "no 'text' column ({found}); the first row must name the columns, and the one \
             holding the article text must be called 'text'"
        );
        return one(file.failed(file.rel.clone(), Status::Error(reason), size));
    };
    let empty = Status::Empty("no rows after the CSV header".into());
    let fallback = file.failed(file.rel.clone(), empty, size);
    let rows = Rows {
        file,
        rdr,
        cols,
        names,
        row: 0,
        pos: 0,
        done: false,
    };
    or_empty(rows, fallback)
}

/// Indices of the columns we use.
struct Columns {
    text: usize,
    id: Option<usize>,
    title: Option<usize>,
    source: Option<usize>,
    date: Option<usize>,
    url: Option<usize>,
}

impl Columns {
    fn find(names: &[String]) -> Option<Columns> {
        let col = |wanted: &str| names.iter().position(|n| n.eq_ignore_ascii_case(wanted));
        Some(Columns {
            text: col("text")?,
            id: col("id"),
            title: col("title"),
            source: col("source"),
            date: col("date"),
            url: col("url"),
        })
    }
}

struct Rows {
    file: FileRef,
    rdr: Reader<Box<dyn Read + Send>>,
    cols: Columns,
    names: Vec<String>,
    /// 1-based number of the last data row read (the header not counted).
    row: usize,
    /// Byte offset after the last record, so each row accounts for its own bytes (the first
    /// also for the header).
    pos: u64,
    done: bool,
}

impl Iterator for Rows {
    type Item = Doc;

    fn next(&mut self) -> Option<Doc> {
        if self.done {
            return None;
        }
        let mut record = ByteRecord::new();
        let result = self.rdr.read_byte_record(&mut record);
        let end = self.rdr.position().byte();
        let bytes = end.saturating_sub(self.pos);
        self.pos = end;
        match result {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => {
                self.row += 1;
                Some(self.row_doc(&record, bytes))
            }
            Err(e) => {
                // With `flexible`, only I/O errors remain, and the reader cannot go on after one.
                self.done = true;
                self.row += 1;
                let reason = format!("row {}: cannot read ({e}); check the file", self.row);
                Some(
                    self.file
                        .failed(self.file.nth(self.row), Status::Error(reason), bytes),
                )
            }
        }
    }
}

impl Rows {
    fn row_doc(&self, record: &ByteRecord, bytes: u64) -> Doc {
        let n = self.row;
        let line = record.position().map_or(0, csv::Position::line);
        let place = format!("row {n} (line {line})");
        let fields = if record.len() == self.names.len() {
            self.fields(record)
        } else {
            Err(format!(
                "has {} fields but the header has {}; check that row's commas and quotes",
                record.len(),
                self.names.len()
            ))
        };
        let record = fields.unwrap_or_else(Record::invalid);
        record.into_doc(&self.file, self.file.nth(n), Some(&place), bytes)
    }

    fn fields(&self, record: &ByteRecord) -> Result<Record, String> {
        let get = |i: usize| {
            std::str::from_utf8(&record[i]).map_err(|e| {
                format!(
                    "not valid UTF-8 (column '{}', first bad byte at offset {} of the field); \
                     re-save the file as UTF-8",
                    self.names[i],
                    e.valid_up_to()
                )
            })
        };
        let opt = |i: Option<usize>| -> Result<Option<String>, String> {
            Ok(i.map(get).transpose()?.and_then(field))
        };
        let c = &self.cols;
        Ok(Record {
            id: opt(c.id)?,
            meta: Meta {
                title: opt(c.title)?,
                source: opt(c.source)?,
                date: opt(c.date)?,
                url: opt(c.url)?,
            },
            text: Ok(get(c.text)?.to_string()),
        })
    }
}
