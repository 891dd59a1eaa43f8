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

    #[test]
    fn parses_a_codebook_in_order() {
        let book = Codebook::parse(BOOK).unwrap();
        assert_eq!(book.name.as_deref(), Some("Economy and rights"));
        assert_eq!(book.names(), ["human_rights", "economic"]);
    }

    #[test]
    fn refuses_what_cannot_become_columns() {
        let err = |text: &str| format!("{:#}", Codebook::parse(text).unwrap_err());
        assert!(err("name = \"x\"").contains("no frames"));
        assert!(err("[[frame]]\nname = \"Human Rights\"\ndescription = \"d\"").contains("column"));
        assert!(err("[[frame]]\nname = \"a\"\ndescription = \" \"").contains("no description"));
        assert!(err("[[frame]]\nname = \"a\"\ndescription = \"d\"\n[[frame]]\nname = \"a\"\ndescription = \"e\"").contains("twice"));
        assert!(err("[[frame]]\nname = \"a\"\ndescripton = \"d\"").contains("descripton"));
    }
}
