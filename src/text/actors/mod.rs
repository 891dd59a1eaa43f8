//! Stage: actor mentions, found with a curated gazetteer (`models/actors.csv`, extended with
//! `--actors FILE`): states, their capitals and organs, space agencies, international bodies and
//! named office holders, each alias mapped to a canonical actor id (`USA`, `CHN`, `NASA`, `UN`,
//! `XI_JINPING`). The codebook's "Actors and stance" section says what counts as an actor.
//!
//! Why a gazetteer and not a learned tagger: the actors of international news are a short,
//! slowly changing list, users must be able to add theirs without training, and on our annotated
//! international-news sentences it already finds most mentions (README, "Actors and stance").
//!
//! Every alias is matched in one Aho-Corasick pass per sentence (case-sensitive, leftmost
//! longest, so "China National Space Administration" wins over "China"), whole words only. A
//! few rules, each measured on the annotated sentences, drop matches the codebook excludes:
//! - a demonym joined by a hyphen to a word ("Chinese-American", "Russian-speaking");
//! - a capital used as a place ("a meeting in Beijing") or inside a name ("Beijing Normal
//!   University");
//! - any alias followed by a word that makes it a company, outlet or institution name ("China
//!   Daily", "Washington Post");
//! - a one-word person alias after a capitalised word that is not a title ("Hunter Biden").

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, MatchKind};
use anyhow::{anyhow, bail, Context, Result};

/// What kind of alias a gazetteer row is: the rules above depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    State,
    Demonym,
    Capital,
    Organ,
    Agency,
    International,
    Person,
    Other,
}

impl Kind {
    fn parse(s: &str) -> Option<Kind> {
        Some(match s.trim() {
            "state" => Kind::State,
            "demonym" => Kind::Demonym,
            "capital" => Kind::Capital,
            "organ" => Kind::Organ,
            "agency" => Kind::Agency,
            "international" => Kind::International,
            "person" => Kind::Person,
            "" | "other" => Kind::Other,
            _ => return None,
        })
    }
}

/// The kinds a gazetteer row may name, for messages.
pub const KINDS: &str = "state, demonym, capital, organ, agency, international, person, other";

/// One gazetteer row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// The words as they appear in text (matched case-sensitively).
    pub alias: String,
    /// The canonical actor id.
    pub actor: String,
    pub kind: Kind,
}

/// One actor mention: byte offsets into the text searched, and the canonical actor id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorHit {
    pub range: Range<usize>,
    pub actor: String,
}

/// The compiled gazetteer: immutable, `Send + Sync`, shared by reference across rayon workers.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    aliases: Vec<Alias>,
    matcher: AhoCorasick,
}

/// Words before a capital that make it a place, not a government.
const PLACE_WORDS: &[&str] = &[
    "in", "at", "from", "near", "outside", "around", "across", "into", "via", "visited", "visit",
    "visiting", "toured", "based",
];

/// Words after an alias that make it part of the name of an outlet, company or institution.
const NAME_WORDS: &[&str] = &[
    "Post",
    "Times",
    "Daily",
    "Today",
    "News",
    "Herald",
    "Journal",
    "Tribune",
    "Morning",
    "University",
    "Airlines",
    "Telecom",
    "Mobile",
    "Institute",
    "Academy",
    "Street",
    "State",
    "Dulles",
    "Redskins",
    "Nationals",
    "Wizards",
    "Capitals",
];

/// Capitalised words that may stand before a surname without making it someone else's.
const TITLES: &[&str] = &[
    "President",
    "Mr",
    "Mr.",
    "Ms",
    "Ms.",
    "Mrs",
    "Mrs.",
    "Dr",
    "Dr.",
    "Secretary",
    "Minister",
    "Premier",
    "Chairman",
    "General",
    "Gen.",
    "Senator",
    "Sen.",
    "Ambassador",
    "Spokesperson",
    "Spokesman",
    "Spokeswoman",
    "Chancellor",
    "Administrator",
    "Representative",
    "Rep.",
    "Vice",
    "Governor",
    "Gov.",
    "Director",
    "Leader",
    "King",
    "Prince",
    "Emperor",
    "Councillor",
    "Commissioner",
    "Envoy",
    "Counselor",
    "Judge",
    "Speaker",
    "Former",
    "Ayatollah",
    "Adviser",
    "Advisor",
    "Team",
    "Supreme",
    "Sheikh",
    "Mayor",
];

impl Gazetteer {
    /// The shipped gazetteer with user files applied in order (see `models/ACTORS.md`). Each
    /// file is a CSV with the columns `alias`, `actor` and optionally `kind` (one of [`KINDS`])
    /// and `action` (`add`, the default, or `off`); lines starting with `#` are comments. A
    /// later line for the same alias replaces the earlier one; `off` removes it.
    pub fn load_layered(base: &Path, user_files: &[PathBuf]) -> Result<Gazetteer> {
        let mut rows: Vec<Alias> = Vec::new();
        let mut at: HashMap<String, usize> = HashMap::new();
        let mut on: Vec<bool> = Vec::new();
        for path in std::iter::once(base).chain(user_files.iter().map(PathBuf::as_path)) {
            for (line, row, off) in read_rows(path)? {
                match (at.get(&row.alias), off) {
                    (Some(&i), true) => on[i] = false,
                    (None, true) => bail!(
                        "{}, line {line}: `{}` is switched off but no earlier file lists it; \
                         remove the line or check its spelling (aliases are case-sensitive)",
                        path.display(),
                        row.alias
                    ),
                    (Some(&i), false) => {
                        rows[i] = row;
                        on[i] = true;
                    }
                    (None, false) => {
                        at.insert(row.alias.clone(), rows.len());
                        rows.push(row);
                        on.push(true);
                    }
                }
            }
        }
        let aliases = rows
            .into_iter()
            .zip(on)
            .filter_map(|(r, on)| on.then_some(r))
            .collect();
        Gazetteer::new(aliases)
    }

    /// A gazetteer from rows (aliases must be distinct and non-empty). An alias written with a
    /// straight apostrophe also matches the typographic one ("People’s Liberation Army").
    pub fn new(mut aliases: Vec<Alias>) -> Result<Gazetteer> {
        let known: std::collections::HashSet<String> =
            aliases.iter().map(|a| a.alias.clone()).collect();
        let curly: Vec<Alias> = aliases
            .iter()
            .filter(|a| a.alias.contains('\''))
            .map(|a| Alias {
                alias: a.alias.replace('\'', "\u{2019}"),
                ..a.clone()
            })
            .filter(|a| !known.contains(&a.alias))
            .collect();
        aliases.extend(curly);
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(aliases.iter().map(|a| a.alias.as_str()))
            .map_err(|e| anyhow!("cannot compile the actors gazetteer: {e}"))?;
        Ok(Gazetteer { aliases, matcher })
    }

    pub fn len(&self) -> usize {
        self.aliases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.aliases.is_empty()
    }

    /// The actor mentions of `text` (one sentence), in text order, byte offsets into it.
    pub fn find(&self, text: &str) -> Vec<ActorHit> {
        self.matcher
            .find_iter(text)
            .filter_map(|m| {
                let a = &self.aliases[m.pattern().as_usize()];
                let range = m.start()..m.end();
                keep(text, &range, a).then(|| ActorHit {
                    range,
                    actor: a.actor.clone(),
                })
            })
            .collect()
    }
}

/// Whether a match of `alias` at `range` of `text` is a mention (the rules in the module doc).
fn keep(text: &str, range: &Range<usize>, alias: &Alias) -> bool {
    let before = &text[..range.start];
    let after = &text[range.end..];
    let joins_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    // Whole words only ("US" not in "USB", "Iran" not in "Iranian").
    if joins_word(before.chars().next_back()) || joins_word(after.chars().next()) {
        return false;
    }
    if alias.alias.ends_with('.') && after.starts_with(|c: char| c.is_alphanumeric()) {
        return false;
    }
    let next_word = after
        .trim_start_matches([' ', '\u{a0}'])
        .split(|c: char| !(c.is_alphanumeric() || c == '.'))
        .next()
        .unwrap_or("");
    // The word before the match: the last whitespace-separated token, leading quotes and
    // brackets cut off.
    let head = before.trim_end();
    let token = head.rsplit(char::is_whitespace).next().unwrap_or("");
    let prev_word = token.trim_start_matches(|c: char| !c.is_alphanumeric());
    let spaced = after.starts_with([' ', '\u{a0}']);
    if spaced && NAME_WORDS.contains(&next_word.trim_end_matches('.')) {
        return false;
    }
    match alias.kind {
        Kind::Demonym => {
            let hyphen = |c: Option<char>| matches!(c, Some('-' | '\u{2010}' | '\u{2011}'));
            let (mut next, mut prev) = (after.chars(), before.chars().rev());
            let joined_after = hyphen(next.next()) && next.next().is_some_and(char::is_alphabetic);
            let joined_before = hyphen(prev.next()) && prev.next().is_some_and(char::is_alphabetic);
            !(joined_after || joined_before)
        }
        Kind::Capital => {
            let capitalised_next = spaced && next_word.starts_with(char::is_uppercase);
            !PLACE_WORDS.contains(&prev_word.to_lowercase().as_str()) && !capitalised_next
        }
        Kind::Person if !alias.alias.contains(' ') => {
            // A first name: a title-case word right before the surname, not opening the
            // sentence or a quotation, with nothing between them.
            let rest = head[..head.len() - token.len()].trim_end();
            let opens = rest.is_empty()
                || token.len() != prev_word.len()
                || rest.ends_with(['.', '!', '?', ':', ';', '"', '\u{201c}', '(']);
            let first_name = before.ends_with([' ', '\u{a0}'])
                && prev_word.ends_with(char::is_alphanumeric)
                && prev_word.starts_with(char::is_uppercase)
                && prev_word.chars().skip(1).any(char::is_lowercase)
                && !opens;
            !first_name || TITLES.contains(&prev_word)
        }
        _ => true,
    }
}

/// The rows of one gazetteer file: (line number, row, switched off).
fn read_rows(path: &Path) -> Result<Vec<(usize, Alias, bool)>> {
    let fix = "each line is alias,actor[,kind[,action]] (see models/ACTORS.md)";
    let mut r = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("cannot read the actors file {}", path.display()))?;
    let head = r
        .headers()
        .with_context(|| format!("{} is not a CSV file; {fix}", path.display()))?
        .clone();
    let col = |name: &str| head.iter().position(|h| h.trim() == name);
    let (Some(alias_col), Some(actor_col)) = (col("alias"), col("actor")) else {
        bail!(
            "{} has no `alias` and `actor` columns in its header line; {fix}",
            path.display()
        );
    };
    let (kind_col, action_col) = (col("kind"), col("action"));
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let line = i + 2;
        let rec = rec.with_context(|| format!("{}, line {line}: not valid CSV", path.display()))?;
        let cell = |c: Option<usize>| c.and_then(|c| rec.get(c)).unwrap_or("").trim();
        let alias = cell(Some(alias_col)).to_string();
        let actor = cell(Some(actor_col)).to_string();
        let off = match cell(action_col) {
            "" | "add" => false,
            "off" => true,
            other => bail!(
                "{}, line {line}: action `{other}` is neither `add` nor `off`",
                path.display()
            ),
        };
        if alias.is_empty() || (actor.is_empty() && !off) {
            bail!(
                "{}, line {line}: the alias and the actor id must not be empty; {fix}",
                path.display()
            );
        }
        let kind = Kind::parse(cell(kind_col)).ok_or_else(|| {
            anyhow!(
                "{}, line {line}: kind `{}` is not one of {KINDS}",
                path.display(),
                cell(kind_col)
            )
        })?;
        rows.push((line, Alias { alias, actor, kind }, off));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests;
