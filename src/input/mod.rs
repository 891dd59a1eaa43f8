//! Input files to [`Doc`]s: [`discover`] lists the files under the paths given, [`read`] turns
//! one file into its documents.
//!
//! May use: [`crate::doc`] only.
//!
//! Nothing here returns `Err`: a missing, unreadable or malformed input becomes a `Doc` with
//! [`Status::Error`] or [`Status::Empty`] and a reason that says what to do, so that one bad file
//! among thousands costs one row in `articles.csv`, not the whole run.

mod html;
mod json;
mod table;
#[cfg(test)]
mod tests;
mod text;

use std::fs::{self, File};
use std::io::{self, Cursor, Read};
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::doc::{Doc, Meta, Status};

/// File extensions `read` understands (lower case); files without an extension are plain text.
pub const SUPPORTED: &[&str] = &["txt", "md", "html", "htm", "jsonl", "json", "csv"];

/// Formats that are read whole (text, HTML, JSON) are refused above this size rather than risk
/// running out of memory; JSONL and CSV stream and have no limit.
const MAX_WHOLE_FILE: u64 = 1 << 30;

/// How much of a file is checked for NUL bytes to tell binary from text, as git and ripgrep do.
const SNIFF_LEN: usize = 8192;

const BOM: &str = "\u{feff}";

/// A file found under the inputs, in deterministic order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub path: PathBuf,
    /// path relative to the input argument it was found under (for a file given directly: its
    /// file name)
    pub rel: String,
    pub size: u64,
    /// set when the path itself could not be listed or opened (missing, permission denied,
    /// broken link)
    pub error: Option<String>,
}

impl Input {
    fn failed(path: &Path, rel: String, error: String) -> Input {
        Input {
            path: path.to_path_buf(),
            rel,
            size: 0,
            error: Some(error),
        }
    }
}

/// Lists files under `inputs` (files and folders, recursive), sorted by path within each input
/// argument, inputs in the order given. Hidden files and folders (name starting with '.') inside
/// folders are skipped, like ripgrep does. Never fails: problems become `Input`s with `error` set.
pub fn discover(inputs: &[PathBuf]) -> Vec<Input> {
    discover_excluding(inputs, None)
}

/// [`discover`], leaving out everything inside the folder `exclude` (the run's output folder, so
/// that results written into an input folder are never read back as documents). The walk does
/// not descend into it, so its files cost nothing.
pub fn discover_excluding(inputs: &[PathBuf], exclude: Option<&Path>) -> Vec<Input> {
    let exclude = exclude.and_then(|p| p.canonicalize().ok());
    inputs
        .iter()
        .flat_map(|arg| discover_one(arg, exclude.as_deref()))
        .collect()
}

fn discover_one(arg: &Path, exclude: Option<&Path>) -> Vec<Input> {
    if arg == Path::new(STDIN) {
        return vec![Input {
            path: arg.to_path_buf(),
            rel: "stdin".into(),
            size: 0,
            error: None,
        }];
    }
    let inside =
        |p: &Path| exclude.is_some_and(|ex| p.canonicalize().is_ok_and(|p| p.starts_with(ex)));
    if inside(arg) {
        return vec![];
    }
    let given = arg.to_string_lossy().into_owned();
    let meta = match fs::metadata(arg) {
        Ok(meta) => meta,
        Err(e) => return vec![Input::failed(arg, given, path_error(arg, &e))],
    };
    if !meta.is_dir() {
        let rel = arg
            .file_name()
            .map_or(given, |n| n.to_string_lossy().into_owned());
        return vec![Input {
            path: arg.to_path_buf(),
            rel,
            size: meta.len(),
            error: None,
        }];
    }
    // Sorting each folder by name walks the tree in path order, so runs are reproducible.
    let walk = WalkDir::new(arg)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !(is_hidden(e.path()) || e.file_type().is_dir() && inside(e.path()))
        });
    let mut found = Vec::new();
    for entry in walk {
        found.push(match entry {
            Ok(e) if e.file_type().is_dir() => continue,
            Ok(e) => match e.metadata() {
                Ok(meta) => Input {
                    path: e.path().to_path_buf(),
                    rel: rel_to(arg, e.path()),
                    size: meta.len(),
                    error: None,
                },
                Err(err) => Input::failed(e.path(), rel_to(arg, e.path()), walk_error(&err)),
            },
            Err(err) => {
                let path = err.path().unwrap_or(arg);
                // filter_entry never sees entries that failed, e.g. editors' broken `.#file` links.
                if err.depth() > 0 && is_hidden(path) {
                    continue;
                }
                Input::failed(path, rel_to(arg, path), walk_error(&err))
            }
        });
    }
    found
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.as_encoded_bytes().starts_with(b"."))
}

fn rel_to(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_string_lossy().into_owned(),
        _ => path.to_string_lossy().into_owned(),
    }
}

fn path_error(path: &Path, e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound if fs::symlink_metadata(path).is_ok() => {
            "broken symbolic link (its target does not exist); fix or remove the link".into()
        }
        io::ErrorKind::NotFound => "no such file or directory; check the path".into(),
        _ => format!("cannot open ({e}); check the path and its permissions"),
    }
}

fn walk_error(err: &walkdir::Error) -> String {
    match (err.loop_ancestor(), err.io_error(), err.path()) {
        (Some(ancestor), _, _) => format!(
            "symbolic link loop (points back to {}); remove the link",
            ancestor.display()
        ),
        (None, Some(io), Some(path)) => path_error(path, io),
        _ => format!("cannot list ({err}); check the path and its permissions"),
    }
}

/// Reads one input into its documents, lazily (a JSONL or CSV file with a million rows must
/// stream: do not load all documents at once; a single .txt/.html/.json file may be read whole).
/// Never panics and never returns nothing: every problem becomes a Doc with `Status::Error` or
/// `Status::Empty` and a reason a person understands and can act on.
pub fn read(input: &Input) -> Box<dyn Iterator<Item = Doc> + Send> {
    let file = FileRef {
        rel: input.rel.clone(),
        path: input.path.to_string_lossy().into_owned(),
    };
    match read_file(input, &file) {
        Ok(docs) => docs,
        Err(status) => one(file.failed(file.rel.clone(), status, input.size)),
    }
}

type Docs = Box<dyn Iterator<Item = Doc> + Send>;

fn one(doc: Doc) -> Docs {
    Box::new(std::iter::once(doc))
}

/// The input argument that stands for standard input: JSON lines, as in a `.jsonl` file.
pub const STDIN: &str = "-";

/// Whether `input` is standard input.
pub fn is_stdin(input: &Input) -> bool {
    input.path == Path::new(STDIN)
}

/// `Err` is the status of the one document that stands for a file that could not be read.
fn read_file(input: &Input, file: &FileRef) -> Result<Docs, Status> {
    if let Some(error) = &input.error {
        return Err(Status::Error(error.clone()));
    }
    if is_stdin(input) {
        return Ok(json::stdin_lines(file.clone()));
    }
    let format = Format::of(&input.path)?;
    // Checked before opening, because opening a named pipe would block.
    let meta = fs::metadata(&input.path).map_err(|e| open_error(&e))?;
    if !meta.is_file() {
        return Err(Status::Error(
            "not a regular file (a folder, pipe or device); framescore reads regular files only"
                .into(),
        ));
    }
    let size = meta.len();
    if size == 0 {
        return Err(Status::Empty("file is empty".into()));
    }
    let file = file.clone();
    let whole = || read_whole(&input.path, size);
    Ok(match format {
        Format::Jsonl => json::jsonl(file, open_stream(&input.path)?, size),
        Format::Csv => table::csv(file, open_stream(&input.path)?, size),
        Format::Json => json::json(file, &whole()?, size),
        Format::Text => one(text::parse(&file, whole()?, size)),
        Format::Html => one(html::parse(&file, &whole()?, size)),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Html,
    Jsonl,
    Json,
    Csv,
}

impl Format {
    fn of(path: &Path) -> Result<Format, Status> {
        let Some(ext) = path.extension() else {
            return Ok(Format::Text);
        };
        let ext = ext.to_string_lossy().to_lowercase();
        Ok(match ext.as_str() {
            "txt" | "md" => Format::Text,
            "html" | "htm" => Format::Html,
            "jsonl" => Format::Jsonl,
            "json" => Format::Json,
            "csv" => Format::Csv,
            _ => {
                let list: Vec<String> = SUPPORTED.iter().map(|e| format!(".{e}")).collect();
                return Err(Status::Error(format!(
                    "unsupported file type '.{ext}' (framescore reads {}); convert it to text or \
                     remove it from the input",
                    list.join(" ")
                )));
            }
        })
    }
}

fn open_error(e: &io::Error) -> Status {
    Status::Error(match e.kind() {
        io::ErrorKind::NotFound => {
            format!("cannot open ({e}); the file was moved or deleted after it was listed")
        }
        _ => format!("cannot open ({e}); check the file's permissions"),
    })
}

/// Rejects binary files by a NUL byte near the start; UTF-16 text has NULs too but deserves a
/// better hint.
fn check_text(head: &[u8]) -> Result<(), Status> {
    let head = &head[..head.len().min(SNIFF_LEN)];
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(Status::Error(
            "file is UTF-16 encoded; re-save it as UTF-8".into(),
        ));
    }
    if head.contains(&0) {
        return Err(Status::Error(
            "binary file (contains NUL bytes); framescore reads text files only".into(),
        ));
    }
    Ok(())
}

fn utf8_error(offset: u64) -> String {
    format!("not valid UTF-8 (first bad byte at offset {offset}); re-save the file as UTF-8")
}

/// Reads a whole-file format into a string without its BOM.
fn read_whole(path: &Path, size: u64) -> Result<String, Status> {
    if size > MAX_WHOLE_FILE {
        return Err(Status::Error(format!(
            "file too large ({} MB); split it into smaller files",
            size / 1_000_000
        )));
    }
    let bytes = fs::read(path).map_err(|e| open_error(&e))?;
    check_text(&bytes)?;
    let mut text = String::from_utf8(bytes)
        .map_err(|e| Status::Error(utf8_error(e.utf8_error().valid_up_to() as u64)))?;
    if text.starts_with(BOM) {
        text.drain(..BOM.len());
    }
    Ok(text)
}

/// Opens a streamed format after checking its first bytes for binary content. The BOM is left in
/// so that byte offsets in messages are the file's; the format readers strip it.
fn open_stream(path: &Path) -> Result<Box<dyn Read + Send>, Status> {
    let mut file = File::open(path).map_err(|e| open_error(&e))?;
    let mut head = Vec::with_capacity(SNIFF_LEN);
    (&mut file)
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .map_err(|e| open_error(&e))?;
    check_text(&head)?;
    Ok(Box::new(Cursor::new(head).chain(file)))
}

/// What every document read from one file shares.
#[derive(Debug, Clone)]
struct FileRef {
    rel: String,
    path: String,
}

impl FileRef {
    /// The id of the Nth record (1-based) of a file that holds many documents.
    fn nth(&self, n: impl std::fmt::Display) -> String {
        format!("{}:{n}", self.rel)
    }

    fn doc(&self, id: String, meta: Meta, text: String, bytes: u64) -> Doc {
        Doc {
            id,
            path: self.path.clone(),
            meta,
            text,
            status: Status::Ok,
            bytes,
            sentences: Vec::new(),
        }
    }

    fn failed(&self, id: String, status: Status, bytes: u64) -> Doc {
        Doc::failed(id, self.path.clone(), status, bytes)
    }
}

/// The fields of one JSON object or CSV row, before they become a [`Doc`].
struct Record {
    id: Option<String>,
    meta: Meta,
    /// `Err` says why there is no usable text.
    text: Result<String, String>,
}

impl Record {
    fn invalid(reason: String) -> Record {
        Record {
            id: None,
            meta: Meta::default(),
            text: Err(reason),
        }
    }

    /// `place` ("line 7") prefixes error reasons so a person can find the record in the file.
    fn into_doc(self, file: &FileRef, default_id: String, place: Option<&str>, bytes: u64) -> Doc {
        let id = self.id.unwrap_or(default_id);
        let status = match self.text {
            Ok(text) if !text.trim().is_empty() => return file.doc(id, self.meta, text, bytes),
            Ok(_) => Status::Empty("text field is empty".into()),
            Err(reason) => Status::Error(match place {
                Some(place) => format!("{place}: {reason}"),
                None => reason,
            }),
        };
        Doc {
            meta: self.meta,
            ..file.failed(id, status, bytes)
        }
    }
}

/// A metadata value, trimmed; blank counts as absent.
fn field(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// Keeps the promise that every input yields a Doc: a JSONL file of blank lines, a CSV file with
/// only a header, or an empty JSON array yields `fallback`.
struct OrEmpty<I> {
    docs: I,
    fallback: Option<Doc>,
}

impl<I: Iterator<Item = Doc>> Iterator for OrEmpty<I> {
    type Item = Doc;

    fn next(&mut self) -> Option<Doc> {
        match self.docs.next() {
            Some(doc) => {
                self.fallback = None;
                Some(doc)
            }
            None => self.fallback.take(),
        }
    }
}

fn or_empty(docs: impl Iterator<Item = Doc> + Send + 'static, fallback: Doc) -> Docs {
    Box::new(OrEmpty {
        docs,
        fallback: Some(fallback),
    })
}
