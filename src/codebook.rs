//! User-defined frames: a codebook file names the frames a model is trained for and says what
//! each means. `framescore train --codebook FILE` checks the labelled CSV against it (every frame
//! has a column, every label column is a frame, in the codebook's order) and keeps the codebook
//! in the model's `frames.json`, so a model folder always says what its columns mean.
//!
//! Format (TOML, chosen because researchers edit it by hand and it allows comments and multi-line
//! strings):
//!
//! ```toml
//! name = "Economy and rights"          # optional
//! [[frame]]
//! name = "economic"                    # becomes the columns p_economic, share_economic
//! description = "Trade, growth, development, finance, jobs, poverty, economic costs or gains."
//! ```

use std::collections::HashSet;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::train::Labelled;

/// A codebook: the frames and what each means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Codebook {
    /// A title for the codebook (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The frames, in output-column order.
    #[serde(rename = "frame", default)]
    pub frames: Vec<FrameDef>,
}

/// One frame of a codebook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameDef {
    /// Column name: lower-case letters, digits and `_`, starting with a letter.
    pub name: String,
    /// What the frame means, in the coder's words.
    pub description: String,
}

impl Codebook {
    /// Reads and validates a codebook file.
    pub fn read(path: &Path) -> Result<Codebook> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the codebook {}", path.display()))?;
        Codebook::parse(&text).with_context(|| format!("codebook {}", path.display()))
    }

    /// Parses and validates codebook text.
    pub fn parse(text: &str) -> Result<Codebook> {
        let book: Codebook = toml::from_str(text).map_err(|e| {
            anyhow::anyhow!(
                "{e}a codebook is a TOML file with one [[frame]] table (`name`, `description`) \
                 per frame; see the README's \"Your own frames\""
            )
        })?;
        if book.frames.is_empty() {
            bail!("no frames; add one [[frame]] table with `name` and `description` per frame");
        }
        let mut seen = HashSet::new();
        for f in &book.frames {
            let ok = f.name.starts_with(|c: char| c.is_ascii_lowercase())
                && f.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !ok {
                bail!(
                    "frame name {:?} cannot be a column name; use lower-case letters, digits and \
                     '_', starting with a letter (e.g. human_rights)",
                    f.name
                );
            }
            if !seen.insert(f.name.as_str()) {
                bail!("frame {:?} is defined twice", f.name);
            }
            if f.description.trim().is_empty() {
                bail!(
                    "frame {:?} has no description; say what a coder marks as this frame",
                    f.name
                );
            }
        }
        Ok(book)
    }

    /// Frame names, in order.
    pub fn names(&self) -> Vec<String> {
        self.frames.iter().map(|f| f.name.clone()).collect()
    }

    /// Puts `data`'s label columns in the codebook's order; fails, naming the columns, when the
    /// CSV's labels and the codebook's frames differ.
    pub fn align(&self, data: &mut Labelled, csv: &Path) -> Result<()> {
        let missing: Vec<&str> = self
            .frames
            .iter()
            .map(|f| f.name.as_str())
            .filter(|n| !data.labels.iter().any(|l| l == n))
            .collect();
        if !missing.is_empty() {
            bail!(
                "{} has no column for the codebook's frame(s) {}; add one 0/1 column per frame",
                csv.display(),
                missing.join(", ")
            );
        }
        let extra: Vec<&str> = data
            .labels
            .iter()
            .map(String::as_str)
            .filter(|l| !self.frames.iter().any(|f| f.name == *l))
            .collect();
        if !extra.is_empty() {
            bail!(
                "{} has label column(s) {} that the codebook does not define; add them to the \
                 codebook or drop them from the CSV",
                csv.display(),
                extra.join(", ")
            );
        }
        let order: Vec<usize> = self
            .frames
            .iter()
            .map(|f| data.labels.iter().position(|l| *l == f.name).unwrap())
            .collect();
        data.labels = self.names();
        for y in &mut data.targets {
            *y = order.iter().map(|&i| y[i]).collect();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOOK: &str = r#"
name = "Economy and rights"
[[frame]]
name = "human_rights"
description = "Rights, freedoms and dignity of people."
[[frame]]
name = "economic"
description = """Trade, growth, development,
finance."""
"#;

    fn labelled(labels: &[&str], rows: &[&[f32]]) -> Labelled {
        Labelled {
            ids: (0..rows.len()).map(|i| i.to_string()).collect(),
            texts: vec![String::new(); rows.len()],
            groups: (0..rows.len()).map(|i| i.to_string()).collect(),
            weights: vec![1.0; rows.len()],
            labels: labels.iter().map(|s| s.to_string()).collect(),
            targets: rows.iter().map(|r| r.to_vec()).collect(),
        }
    }

    #[test]
    fn parses_and_orders_the_csv_columns_as_the_codebook() {
        let book = Codebook::parse(BOOK).unwrap();
        assert_eq!(book.name.as_deref(), Some("Economy and rights"));
        assert_eq!(book.names(), ["human_rights", "economic"]);
        let mut data = labelled(&["economic", "human_rights"], &[&[1.0, 0.0], &[0.0, 1.0]]);
        book.align(&mut data, Path::new("x.csv")).unwrap();
        assert_eq!(data.labels, ["human_rights", "economic"]);
        assert_eq!(data.targets, [vec![0.0, 1.0], vec![1.0, 0.0]]);
    }

    #[test]
    fn refuses_what_cannot_become_columns_and_mismatched_csvs() {
        let err = |text: &str| format!("{:#}", Codebook::parse(text).unwrap_err());
        assert!(err("name = \"x\"").contains("no frames"));
        assert!(err("[[frame]]\nname = \"Human Rights\"\ndescription = \"d\"").contains("column"));
        assert!(err("[[frame]]\nname = \"a\"\ndescription = \" \"").contains("no description"));
        assert!(err("[[frame]]\nname = \"a\"\ndescription = \"d\"\n[[frame]]\nname = \"a\"\ndescription = \"e\"").contains("twice"));
        assert!(err("[[frame]]\nname = \"a\"\ndescripton = \"d\"").contains("descripton"));
        let book = Codebook::parse(BOOK).unwrap();
        let mut data = labelled(&["economic"], &[&[1.0]]);
        let e = book.align(&mut data, Path::new("x.csv")).unwrap_err();
        assert!(e.to_string().contains("human_rights"), "{e}");
        let mut data = labelled(
            &["economic", "human_rights", "security"],
            &[&[1.0, 0.0, 0.0]],
        );
        let e = book.align(&mut data, Path::new("x.csv")).unwrap_err();
        assert!(e.to_string().contains("security"), "{e}");
    }
}
