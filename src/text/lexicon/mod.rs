//! Loaded terms found by lexicon lookup (the codebook's "Loaded terms" section).
//!
//! A lexicon is a `term,category,note` CSV of words and short phrases (at most five words) in
//! their base form. [`Lexicon::find`] runs over every sentence of the corpus, so all the work that
//! does not depend on the text is done once, in the constructor:
//!
//! - Each entry word is expanded into the surface forms it may take in text: the word itself and
//!   its regular inflections (`-s/-es`, `-ed/-d`, `-ing`, `y -> ies/ied`, `ie -> ying`, doubled
//!   final consonant). A form is kept only if its Snowball English stem equals the entry word's.
//!   This is "same stem AND a regular inflection": the stem check alone conflates loaded words
//!   with neutral relatives (`historic`/`history` both stem to `histor`, `containment`/`container`
//!   to `contain`), while a whitelist of inflection endings never crosses into another word.
//!   Derived words (`radically`, `hegemonic` vs `hegemony`) are separate entries when loaded.
//! - The forms go into one hash map, so matching needs no stemming: per text word, one lowercase
//!   copy and one lookup.
//!
//! Words in text are runs of letters and digits (with internal apostrophes, `'` or `’`), compared
//! case-insensitively with a possessive `'s` removed. Hyphens, slashes and spaces all separate
//! words, so `win-win`, `Win Win` and `win–win` all match the entry `win-win`. Words of a phrase
//! must be separated only by whitespace and hyphens, so phrases never run across punctuation.
//! A hit may not start inside a hyphenated compound (`non-aggression`, `trade-distorting`), where
//! the first part usually changes what the word means.
//!
//! Users adapt the lexicon without editing the shipped file: [`Lexicon::load_layered`] applies
//! their files over it in order, each line adding an entry, re-categorising one (same normalised
//! words) or switching one off (`action` column `off`). See `models/LEXICON.md`, "Your own
//! entries".

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use rust_stemmers::{Algorithm, Stemmer};

use crate::doc::{Origin, TermHit};

/// The codebook's categories for loaded terms.
pub const CATEGORIES: &[&str] = &[
    "pejorative",
    "laudatory",
    "emotive",
    "intensifier",
    "stock_phrase",
    "euphemism",
];

/// The codebook's limit on the length of a loaded term, in words.
pub const MAX_WORDS: usize = 5;

/// Entry words shorter than this match only as written: inflecting `so` or `us` would invent words.
const MIN_INFLECTED_CHARS: usize = 3;

/// Hyphenated prefixes that keep the charge of the word they attach to (`ultra-radical`,
/// `neo-imperialism`). After any other `word-`, a hit is dropped: see [`inside_compound`].
const INTENSIFYING_PREFIXES: &[&str] = &["ultra", "super", "hyper", "arch", "neo", "mega"];

/// One lexicon row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The word or phrase in its base form, as it should be reported.
    pub term: String,
    /// One of [`CATEGORIES`].
    pub category: String,
    /// Curator's guidance (e.g. the uses in which the term is loaded); may be empty.
    pub note: String,
}

/// A surface form's link to an entry word.
#[derive(Debug, Clone, Copy)]
struct FormOf {
    /// Index of the distinct entry word (into `Lexicon::starts`).
    word: u32,
    /// The form is the entry word as written, not an inflection (preferred on ties).
    exact: bool,
}

/// A compiled lexicon. Immutable after construction, hence `Send + Sync` and shareable across
/// rayon workers by reference.
#[derive(Debug, Clone)]
pub struct Lexicon {
    entries: Vec<Entry>,
    /// Per entry: its words, as indexes into the distinct normalised entry words.
    patterns: Vec<Box<[u32]>>,
    /// Per distinct entry word: the entries that start with it, best candidate first (more
    /// words, then file order).
    starts: Vec<Box<[u32]>>,
    /// Lowercased surface form -> the entry words it realises.
    forms: HashMap<Box<str>, Box<[FormOf]>>,
    /// Byte-length range of the keys of `forms`, to skip the lookup for words that cannot match.
    min_form: usize,
    max_form: usize,
}

impl Lexicon {
    /// Loads one lexicon file: a CSV with a header naming the columns `term`, `category` and
    /// optionally `note` and `action`, in any order (`note` may be left empty; lines starting
    /// with `#` are comments). It is read as [`Lexicon::load_layered`] reads a user file applied
    /// to an empty lexicon, so its `action`s may only be `add`. Errors name the file and line and
    /// say how to fix it.
    pub fn load(path: &Path) -> Result<Lexicon> {
        Lexicon::load_layered(path, &[])
    }

    /// The shipped lexicon with user files applied in order (see `models/LEXICON.md`, "Your own
    /// entries").
    ///
    /// `base` is read as [`Lexicon::load`] reads it. Each user file has the same columns plus an
    /// optional `action`: `add` (the default, also when the cell is empty) adds the entry, or,
    /// when an entry with the same normalised words exists (case, hyphen or space, possessive),
    /// gives that entry the line's category and note, and switches it back on if an earlier file
    /// switched it off; `off` switches an entry off (its category and note may be empty). Within
    /// one file two lines with the same normalised words are an error; across files, later lines
    /// win. Switching off a term that is not in the lexicon (shipped or added by an earlier file)
    /// is an error naming the file and line; switching off a term an earlier file switched off is
    /// not. Entries keep the base file's order (and spelling, which is what hits report); new
    /// entries follow in the order they are added.
    pub fn load_layered(base: &Path, user_files: &[PathBuf]) -> Result<Lexicon> {
        let mut layers = Layers::default();
        for path in std::iter::once(base).chain(user_files.iter().map(PathBuf::as_path)) {
            layers.apply(path, read_rows(path)?)?;
        }
        let entries: Vec<Entry> = layers
            .entries
            .into_iter()
            .filter_map(|(e, on)| on.then_some(e))
            .collect();
        // Every entry was validated as it was read, so this fails only on an internal error.
        Lexicon::build(entries, &|i| format!("entry {}", i + 1)).map_err(|e| anyhow!(e))
    }

    /// Builds a lexicon from entries (validated as in [`Lexicon::load`]; errors name the entry by
    /// its 1-based position).
    pub fn from_entries(entries: Vec<Entry>) -> Result<Lexicon> {
        Lexicon::build(entries, &|i| format!("entry {}", i + 1)).map_err(|e| anyhow!(e))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Validates and compiles. `at(i)` names entry `i` in messages ("line 12", "entry 3").
    fn build(
        mut entries: Vec<Entry>,
        at: &dyn Fn(usize) -> String,
    ) -> std::result::Result<Lexicon, String> {
        let stemmer = Stemmer::create(Algorithm::English);
        let mut word_ids: HashMap<String, u32> = HashMap::new();
        let mut word_text: Vec<String> = Vec::new();
        let mut patterns: Vec<Box<[u32]>> = Vec::with_capacity(entries.len());
        let mut seen: HashMap<Box<[u32]>, usize> = HashMap::new();
        for i in 0..entries.len() {
            let words = check_entry(&mut entries[i]).map_err(|e| format!("{}: {e}", at(i)))?;
            let mut pattern = Vec::with_capacity(words.len());
            for w in words {
                let next = word_text.len() as u32;
                let id = *word_ids.entry(w).or_insert_with_key(|w| {
                    word_text.push(w.clone());
                    next
                });
                pattern.push(id);
            }
            let e = &entries[i];
            let pattern: Box<[u32]> = pattern.into();
            if let Some(&j) = seen.get(&pattern) {
                return Err(format!(
                    "{}: `{}` duplicates `{}` ({}): both match the same words; keep one",
                    at(i),
                    e.term,
                    entries[j].term,
                    at(j)
                ));
            }
            seen.insert(pattern.clone(), i);
            patterns.push(pattern);
        }

        let mut forms: HashMap<String, Vec<FormOf>> = HashMap::new();
        for (id, w) in word_text.iter().enumerate() {
            let id = id as u32;
            forms.entry(w.clone()).or_default().push(FormOf {
                word: id,
                exact: true,
            });
            let stem = stemmer.stem(w);
            for f in inflections(w) {
                if stemmer.stem(&f) == stem {
                    let list = forms.entry(f).or_default();
                    if !list.iter().any(|x| x.word == id) {
                        list.push(FormOf {
                            word: id,
                            exact: false,
                        });
                    }
                }
            }
        }
        let mut starts: Vec<Vec<u32>> = vec![Vec::new(); word_text.len()];
        for (i, p) in patterns.iter().enumerate() {
            starts[p[0] as usize].push(i as u32);
        }
        for s in &mut starts {
            s.sort_by_key(|&i| (std::cmp::Reverse(patterns[i as usize].len()), i));
        }
        let min_form = forms.keys().map(String::len).min().unwrap_or(0);
        let max_form = forms.keys().map(String::len).max().unwrap_or(0);
        // Entries' text is kept as written (trimmed): it is what hits report.
        for e in &mut entries {
            e.term = e.term.trim().to_string();
            e.note = e.note.trim().to_string();
        }
        Ok(Lexicon {
            entries,
            patterns,
            starts: starts.into_iter().map(Into::into).collect(),
            forms: forms
                .into_iter()
                .map(|(k, v)| (k.into_boxed_str(), v.into_boxed_slice()))
                .collect(),
            min_form,
            max_form,
        })
    }

    /// Finds loaded terms in `text`. Returns hits with byte offsets into `text`, in text order and
    /// non-overlapping: at each word the longest matching entry wins (ties: an exact form over an
    /// inflection, then file order), and a hit's words are not reused. `term` is the entry as
    /// written, `origin` is [`Origin::Lexicon`] and `score` is 1.0.
    pub fn find(&self, text: &str) -> Vec<TermHit> {
        let mut spans = Vec::new();
        tokenize(text, &mut spans);
        let mut buf = String::new();
        let matches: Vec<&[FormOf]> = spans
            .iter()
            .map(|&(s, e)| {
                // The length check skips hashing words no form can equal (long words, mostly).
                normalize_into(&text[s..e], &mut buf);
                if buf.len() < self.min_form || buf.len() > self.max_form {
                    return &[][..];
                }
                self.forms.get(buf.as_str()).map_or(&[][..], |v| &v[..])
            })
            .collect();

        let mut hits = Vec::new();
        let mut i = 0;
        while i < spans.len() {
            match self.best_at(text, &spans, &matches, i) {
                Some((entry, n)) if !inside_compound(text, &spans, i) => {
                    let e = &self.entries[entry];
                    hits.push(TermHit {
                        start: spans[i].0,
                        end: spans[i + n - 1].1,
                        term: e.term.clone(),
                        category: e.category.clone(),
                        score: 1.0,
                        origin: Origin::Lexicon,
                    });
                    i += n;
                }
                _ => i += 1,
            }
        }
        hits
    }

    /// The best entry starting at word `i`, with its length in words.
    fn best_at(
        &self,
        text: &str,
        spans: &[(usize, usize)],
        matches: &[&[FormOf]],
        i: usize,
    ) -> Option<(usize, usize)> {
        // (words, exact first word, entry) of the best so far; compare without the entry index
        // reversed, since lower entry index wins.
        let mut best: Option<(usize, bool, usize)> = None;
        for f in matches[i] {
            for &entry in self.starts[f.word as usize].iter() {
                let pattern = &self.patterns[entry as usize];
                let n = pattern.len();
                let entry = entry as usize;
                if let Some((bn, bx, be)) = best {
                    // Candidates are sorted longest first: nothing shorter can beat `best`.
                    if n < bn {
                        break;
                    }
                    if n == bn && ((bx && !f.exact) || (bx == f.exact && be < entry)) {
                        continue;
                    }
                }
                if i + n > spans.len() {
                    continue;
                }
                let rest_ok = (1..n).all(|k| {
                    let j = i + k;
                    joins_phrase(&text[spans[j - 1].1..spans[j].0])
                        && matches[j].iter().any(|g| g.word == pattern[k])
                });
                if rest_ok {
                    best = Some((n, f.exact, entry));
                }
            }
        }
        best.map(|(n, _, e)| (e, n))
    }
}

/// What a lexicon line does to the entries before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// Add the entry, or give an existing entry with the same words this category and note.
    Add,
    /// Switch the existing entry with the same words off.
    Off,
}

/// One data line of a lexicon file.
#[derive(Debug)]
struct Row {
    entry: Entry,
    action: Action,
    /// 1-based line number in the file.
    line: u64,
}

/// The columns a lexicon file may have; `term` is required, and so is `category` for `add` lines.
const COLUMNS: &[&str] = &["term", "category", "note", "action"];

/// Reads the data lines of a lexicon file (`term`, `category`, optional `note` and `action`
/// columns in any order, named by the header). Checks the CSV, the header and the actions; the
/// entries themselves are checked by [`Layers::apply`].
fn read_rows(path: &Path) -> Result<Vec<Row>> {
    let shown = path.display();
    let bytes = std::fs::read(path).with_context(|| {
        format!(
            "cannot open lexicon {shown}: check the path (the shipped one is models/lexicon.csv)"
        )
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(&bytes[..]);
    let header = reader
        .headers()
        .with_context(|| format!("{shown}: cannot read the header line"))?
        .clone();
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_lowercase())
        .collect();
    // Column index of each of COLUMNS, if present.
    let mut col: [Option<usize>; 4] = [None; 4];
    let mut header_ok = !names.is_empty();
    for (i, n) in names.iter().enumerate() {
        match COLUMNS.iter().position(|c| c == n) {
            Some(k) if col[k].is_none() => col[k] = Some(i),
            _ => header_ok = false,
        }
    }
    if !header_ok || col[0].is_none() {
        return Err(anyhow!(
            "{shown}: line 1: the header is `{}`; it must be `term,category,note` (a user file may add an `action` column; the columns may come in any order, each once)",
            header.iter().collect::<Vec<_>>().join(",")
        ));
    }
    let listed = names.join(",");
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let at = e.position().map_or(String::new(), |p| {
                format!("line {}: ", line_at(&bytes, p.byte()))
            });
            anyhow!("{shown}: {at}not valid CSV ({e}); quote fields that contain commas or quotes")
        })?;
        if record.iter().all(str::is_empty) {
            // A blank line, or a row of empty cells from a spreadsheet.
            continue;
        }
        let line = record.position().map_or(0, |p| line_at(&bytes, p.byte()));
        if record.len() > names.len() {
            return Err(anyhow!(
                "{shown}: line {line}: {} columns, expected {} ({listed}); quote a note that contains commas",
                record.len(),
                names.len()
            ));
        }
        let field = |k: usize| col[k].and_then(|i| record.get(i)).unwrap_or("").to_string();
        let entry = Entry {
            term: field(0),
            category: field(1),
            note: field(2),
        };
        let action = match field(3).to_lowercase().as_str() {
            "" | "add" => Action::Add,
            "off" => Action::Off,
            other => {
                return Err(anyhow!(
                    "{shown}: line {line}: unknown action `{other}` for `{}`; use `add` (or leave it empty) to add or re-categorise the term, or `off` to switch it off",
                    entry.term
                ))
            }
        };
        rows.push(Row {
            entry,
            action,
            line,
        });
    }
    Ok(rows)
}

/// The 1-based line of the record that starts at byte `at` of a lexicon file. The CSV reader's
/// own line count leaves out comment lines, and a record's position is where reading it began,
/// so the blank and comment lines before the record are skipped here.
fn line_at(bytes: &[u8], at: u64) -> u64 {
    let at = (at as usize).min(bytes.len());
    let mut line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64;
    let mut rest = &bytes[at..];
    while let Some(end) = rest.iter().position(|&b| b == b'\n') {
        let text = &rest[..end];
        if !(text.first() == Some(&b'#') || text.iter().all(u8::is_ascii_whitespace)) {
            break;
        }
        rest = &rest[end + 1..];
        line += 1;
    }
    line
}

/// Lexicon files applied one over another: every entry ever added, in order, with whether it is
/// on, and an index by normalised words.
#[derive(Default)]
struct Layers {
    entries: Vec<(Entry, bool)>,
    by_words: HashMap<Vec<String>, usize>,
}

impl Layers {
    /// Applies the lines of one file (see [`Lexicon::load_layered`]). Errors name the file and
    /// line.
    fn apply(&mut self, path: &Path, rows: Vec<Row>) -> Result<()> {
        let shown = path.display();
        // Normalised words -> (line, term as written) of this file's lines.
        let mut in_file: HashMap<Vec<String>, (u64, String)> = HashMap::new();
        for Row {
            mut entry,
            action,
            line,
        } in rows
        {
            let words = match action {
                Action::Add => check_entry(&mut entry),
                Action::Off => term_words(&entry.term),
            }
            .map_err(|e| anyhow!("{shown}: line {line}: {e}"))?;
            if let Some((first, term)) = in_file.get(&words) {
                return Err(anyhow!(
                    "{shown}: line {line}: `{}` duplicates `{term}` (line {first}): both match the same words; keep one",
                    entry.term
                ));
            }
            in_file.insert(words.clone(), (line, entry.term.clone()));
            let known = self.by_words.get(&words).copied();
            match (action, known) {
                (Action::Add, Some(i)) => {
                    let (old, on) = &mut self.entries[i];
                    old.category = entry.category;
                    old.note = entry.note.trim().to_string();
                    *on = true;
                }
                (Action::Add, None) => {
                    entry.term = entry.term.trim().to_string();
                    entry.note = entry.note.trim().to_string();
                    self.by_words.insert(words, self.entries.len());
                    self.entries.push((entry, true));
                }
                (Action::Off, Some(i)) => self.entries[i].1 = false,
                (Action::Off, None) => {
                    return Err(anyhow!(
                        "{shown}: line {line}: '{}' is not in the lexicon, so it cannot be switched off; check the spelling",
                        entry.term.trim()
                    ))
                }
            }
        }
        Ok(())
    }
}

/// The normalised words of a term (lowercase, apostrophes unified, possessive removed; hyphens
/// and spaces separate words): two terms with the same words match the same text.
fn term_words(term: &str) -> std::result::Result<Vec<String>, String> {
    let term = term.trim();
    if term.is_empty() {
        return Err(
            "empty term; put the word or phrase in the `term` column, or delete the line".into(),
        );
    }
    let mut spans = Vec::new();
    tokenize(term, &mut spans);
    if spans.is_empty() {
        return Err(format!(
            "term `{term}` has no letters or digits; write the word or phrase itself"
        ));
    }
    let mut buf = String::new();
    Ok(spans
        .iter()
        .map(|&(s, e)| {
            normalize_into(&term[s..e], &mut buf);
            buf.clone()
        })
        .collect())
}

/// Checks an entry to be added (term of 1 to [`MAX_WORDS`] words, a known category, which it
/// normalises to lowercase) and returns its normalised words.
fn check_entry(e: &mut Entry) -> std::result::Result<Vec<String>, String> {
    let words = term_words(&e.term)?;
    e.category = e.category.trim().to_lowercase();
    if e.category.is_empty() {
        return Err(format!(
            "no category for `{}`; use one of: {} (or `off` in the action column to switch the term off)",
            e.term.trim(),
            CATEGORIES.join(", ")
        ));
    }
    if !CATEGORIES.contains(&e.category.as_str()) {
        return Err(format!(
            "unknown category `{}` for `{}`; use one of: {}",
            e.category,
            e.term.trim(),
            CATEGORIES.join(", ")
        ));
    }
    if words.len() > MAX_WORDS {
        return Err(format!(
            "term `{}` has {} words; entries have at most {MAX_WORDS} (the codebook's limit): keep only the words that carry the charge",
            e.term.trim(),
            words.len()
        ));
    }
    Ok(words)
}

/// Apostrophes that may sit inside a word (`China's`, `don’t`).
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

/// Combining diacritics keep a decomposed `é` inside its word.
fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

/// Hyphen-like characters that join the words of a phrase or a compound (`win-win`, `win–win`).
/// Em dashes are not among them: they set off clauses.
fn is_hyphen(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{00AD}' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2212}'
    )
}

/// Whether the text between two words lets them belong to one phrase.
fn joins_phrase(gap: &str) -> bool {
    !gap.is_empty() && gap.chars().all(|c| c.is_whitespace() || is_hyphen(c))
}

/// Whether word `i` continues a hyphenated compound (`word-` right before it). Such compounds
/// usually neutralise or change the word: `non-aggression` pact, `anti-bullying` law,
/// `trade-distorting` subsidies, a `nuclear-weapon-free world`. Entries that are themselves
/// compounds (`anti-China`, `China-bashing`) match from their first word, so they are unaffected.
fn inside_compound(text: &str, spans: &[(usize, usize)], i: usize) -> bool {
    if i == 0 {
        return false;
    }
    let (ps, pe) = spans[i - 1];
    let mut gap = text[pe..spans[i].0].chars();
    let single_hyphen = gap.next().is_some_and(is_hyphen) && gap.next().is_none();
    single_hyphen
        && !INTENSIFYING_PREFIXES
            .iter()
            .any(|p| text[ps..pe].eq_ignore_ascii_case(p))
}

/// Appends the byte spans of the words of `text` to `out`: maximal runs of alphanumerics, with
/// apostrophes kept only between two alphanumerics.
fn tokenize(text: &str, out: &mut Vec<(usize, usize)>) {
    let mut cur: Option<(usize, usize)> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_alphanumeric() || (cur.is_some() && is_combining(c)) {
            let end = i + c.len_utf8();
            match &mut cur {
                Some((_, e)) => *e = end,
                None => cur = Some((i, end)),
            }
        } else if cur.is_some()
            && is_apostrophe(c)
            && chars.peek().is_some_and(|&(_, n)| n.is_alphanumeric())
        {
            // Internal apostrophe: the next alphanumeric extends the word.
        } else if let Some(w) = cur.take() {
            out.push(w);
        }
    }
    out.extend(cur);
}

/// The matching key of a word: lowercase, apostrophes unified, possessive `'s` removed.
fn normalize_into(word: &str, buf: &mut String) {
    buf.clear();
    for c in word.chars() {
        if is_apostrophe(c) {
            buf.push('\'');
        } else if c.is_ascii() {
            buf.push(c.to_ascii_lowercase());
        } else {
            buf.extend(c.to_lowercase());
        }
    }
    if buf.ends_with("'s") {
        buf.truncate(buf.len() - 2);
    }
}

/// Candidate regular inflections of a normalised entry word (the caller keeps those whose stem
/// equals the word's). Only endings are added, so no candidate is another word's base form
/// except by accident, and the stem check removes most accidents (`win` + `ed` = `wined`).
fn inflections(w: &str) -> Vec<String> {
    let chars: Vec<char> = w.chars().collect();
    let n = chars.len();
    if n < MIN_INFLECTED_CHARS || !chars.iter().all(|c| c.is_alphabetic()) {
        return Vec::new();
    }
    let vowel = |c: char| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u');
    let (last, prev) = (chars[n - 1], chars[n - 2]);
    let cut = |k: usize| -> &str {
        &w[..w.len() - chars[n - k..].iter().map(|c| c.len_utf8()).sum::<usize>()]
    };
    let mut out = Vec::new();
    if last == 'y' && !vowel(prev) {
        // bully: bullies, bullied, bullying
        let base = cut(1);
        out.push(format!("{base}ies"));
        out.push(format!("{base}ied"));
        out.push(format!("{w}ing"));
    } else if w.ends_with("ie") {
        // lie: lies, lied, lying
        out.push(format!("{w}s"));
        out.push(format!("{w}d"));
        out.push(format!("{}ying", cut(2)));
    } else if last == 'e' {
        // hype: hypes, hyped, hyping; free: freeing
        out.push(format!("{w}s"));
        out.push(format!("{w}d"));
        if prev == 'e' {
            out.push(format!("{w}ing"));
        } else {
            out.push(format!("{}ing", cut(1)));
        }
    } else {
        // suppress: suppresses; smear: smears, smeared, smearing
        if w.ends_with('s')
            || w.ends_with('x')
            || w.ends_with('z')
            || w.ends_with("ch")
            || w.ends_with("sh")
            || w.ends_with('o')
        {
            out.push(format!("{w}es"));
        }
        if !w.ends_with('s') {
            out.push(format!("{w}s"));
        }
        out.push(format!("{w}ed"));
        out.push(format!("{w}ing"));
        // slam: slammed, slamming (consonant-vowel-consonant ending)
        if !vowel(last) && !matches!(last, 'w' | 'x' | 'y') && vowel(prev) && !vowel(chars[n - 3]) {
            out.push(format!("{w}{last}ed"));
            out.push(format!("{w}{last}ing"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
