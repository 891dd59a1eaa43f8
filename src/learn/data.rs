//! Labelled sentences for training and evaluating frame heads: the CSV format (`id,text,<frame>...`),
//! checking it against a codebook, and the document-grouped folds every cross-validation uses;
//! also the JSONL reading the other training files share.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use tch::Tensor;

use crate::model::codebook::Codebook;

/// The `source` of sentences written for training (declared synthetic): always trained on, never
/// held out for validation or scored as a test row.
pub const SYNTHETIC: &str = "synthetic";

/// The `source` of rows whose targets are a teacher model's probabilities (distillation, soft
/// targets in [0, 1]): like synthetic rows, always trained on and never validated or tested.
pub const DISTILLED: &str = "distilled";

/// Whether rows of this `source` are for fitting only: declared synthetic sentences and distilled
/// (soft-target) rows, which thresholds, calibration and every test must never rest on.
pub fn training_only(source: &str) -> bool {
    source == SYNTHETIC || source == DISTILLED
}

/// Columns of a labelled CSV that are not frame labels.
pub const META_COLUMNS: &[&str] = &["id", "text", "doc", "split", "note", "source", "weight"];

/// A labelled CSV: `id,text,<frame>...` with 0/1 values, optionally a `doc` column grouping
/// sentences of one document.
pub struct Labelled {
    pub ids: Vec<String>,
    pub texts: Vec<String>,
    pub groups: Vec<String>,
    /// Per-row weight in the loss (optional `weight` column, default 1).
    pub weights: Vec<f32>,
    /// Where each row came from (optional `source` column, default empty): the family the
    /// out-of-domain report holds out, and [`SYNTHETIC`] for sentences written for training.
    pub sources: Vec<String>,
    pub labels: Vec<String>,
    /// `[n][k]` targets: 0/1, or probabilities in [0, 1] on [`DISTILLED`] rows.
    pub targets: Vec<Vec<f32>>,
}

impl Labelled {
    pub fn read(path: &Path) -> Result<Labelled> {
        let mut rdr = csv::Reader::from_path(path)
            .with_context(|| format!("cannot read the labelled CSV {}", path.display()))?;
        let headers = rdr.headers()?.clone();
        let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
        let text_col = col("text").with_context(|| {
            format!(
                "{} has no 'text' column; expected id,text,<frame>,... with 0/1 values",
                path.display()
            )
        })?;
        let id_col = col("id");
        let doc_col = col("doc");
        let weight_col = col("weight");
        let source_col = col("source");
        let label_cols: Vec<(usize, String)> = headers
            .iter()
            .enumerate()
            .filter(|(_, h)| !META_COLUMNS.iter().any(|m| h.eq_ignore_ascii_case(m)))
            .map(|(i, h)| (i, h.trim().to_string()))
            .collect();
        if label_cols.is_empty() {
            bail!(
                "{} has no frame columns; add one 0/1 column per frame after id,text",
                path.display()
            );
        }
        let mut data = Labelled {
            ids: vec![],
            texts: vec![],
            groups: vec![],
            weights: vec![],
            sources: vec![],
            labels: label_cols.iter().map(|(_, h)| h.clone()).collect(),
            targets: vec![],
        };
        for (row, rec) in rdr.records().enumerate() {
            let line = row + 2;
            let rec =
                rec.with_context(|| format!("{} line {line}: malformed row", path.display()))?;
            let id = id_col.and_then(|c| rec.get(c)).unwrap_or("").to_string();
            let id = if id.is_empty() {
                format!("row{}", row + 1)
            } else {
                id
            };
            let source = source_col
                .and_then(|c| rec.get(c))
                .unwrap_or("")
                .trim()
                .to_string();
            let soft = source == DISTILLED;
            let mut y = Vec::with_capacity(label_cols.len());
            for (c, name) in &label_cols {
                let v = rec.get(*c).map(str::trim).unwrap_or("");
                match v {
                    "1" => y.push(1.0),
                    "0" => y.push(0.0),
                    _ if soft => match v.parse::<f32>() {
                        Ok(p) if (0.0..=1.0).contains(&p) => y.push(p),
                        _ => bail!(
                            "{} line {line}: column '{name}' of a distilled row must be a \
                             probability in [0, 1], found {v:?}",
                            path.display()
                        ),
                    },
                    _ => bail!(
                        "{} line {line}: column '{name}' must be 0 or 1, found {v:?} (only rows \
                         whose source is `{DISTILLED}` may hold probabilities)",
                        path.display()
                    ),
                }
            }
            data.groups
                .push(doc_col.and_then(|c| rec.get(c)).unwrap_or(&id).to_string());
            let weight = match weight_col.and_then(|c| rec.get(c)).map(str::trim) {
                None | Some("") => 1.0,
                Some(w) => w
                    .parse::<f32>()
                    .ok()
                    .filter(|w| *w > 0.0)
                    .with_context(|| {
                        format!(
                            "{} line {line}: 'weight' must be a positive number, found {w:?}",
                            path.display()
                        )
                    })?,
            };
            data.weights.push(weight);
            data.sources.push(source);
            data.ids.push(id);
            data.texts.push(rec.get(text_col).unwrap_or("").to_string());
            data.targets.push(y);
        }
        if data.ids.is_empty() {
            bail!("{} has no rows", path.display());
        }
        Ok(data)
    }

    /// Appends another file's rows to this task (a task may be read from several files, such as
    /// the annotated sentences and the distilled ones); the label columns must be the same.
    pub fn append(&mut self, other: Labelled, path: &Path) -> Result<()> {
        if other.labels != self.labels {
            bail!(
                "{} has label columns {} where the task's first file has {}; give every file of \
                 a task the same columns in the same order",
                path.display(),
                other.labels.join(","),
                self.labels.join(",")
            );
        }
        self.ids.extend(other.ids);
        self.texts.extend(other.texts);
        self.groups.extend(other.groups);
        self.weights.extend(other.weights);
        self.sources.extend(other.sources);
        self.targets.extend(other.targets);
        Ok(())
    }

    /// Refuses gold data that holds synthetic or distilled rows: scores must rest on real,
    /// hand-labelled sentences.
    pub fn require_gold(&self, path: &Path) -> Result<()> {
        if let Some(i) = self.sources.iter().position(|s| training_only(s)) {
            bail!(
                "{} row {} ({}) has source `{}`: synthetic and distilled rows are for training \
                 only; evaluate on a file of real, hand-labelled sentences",
                path.display(),
                i + 1,
                self.ids[i],
                self.sources[i]
            );
        }
        Ok(())
    }

    pub fn target_tensor(&self) -> Tensor {
        let flat: Vec<f32> = self.targets.iter().flatten().copied().collect();
        Tensor::from_slice(&flat).view([self.ids.len() as i64, self.labels.len() as i64])
    }

    /// Puts the label columns in `book`'s order; fails, naming the columns, when the
    /// CSV's labels and the codebook's frames differ.
    pub fn align_to(&mut self, book: &Codebook, csv: &Path) -> Result<()> {
        let missing: Vec<&str> = book
            .frames
            .iter()
            .map(|f| f.name.as_str())
            .filter(|n| !self.labels.iter().any(|l| l == n))
            .collect();
        if !missing.is_empty() {
            bail!(
                "{} has no column for the codebook's frame(s) {}; add one 0/1 column per frame",
                csv.display(),
                missing.join(", ")
            );
        }
        let extra: Vec<&str> = self
            .labels
            .iter()
            .map(String::as_str)
            .filter(|l| !book.frames.iter().any(|f| f.name == *l))
            .collect();
        if !extra.is_empty() {
            bail!(
                "{} has label column(s) {} that the codebook does not define; add them to the \
                 codebook or drop them from the CSV",
                csv.display(),
                extra.join(", ")
            );
        }
        let order: Vec<usize> = book
            .frames
            .iter()
            .map(|f| self.labels.iter().position(|l| *l == f.name).unwrap())
            .collect();
        self.labels = book.names();
        for y in &mut self.targets {
            *y = order.iter().map(|&i| y[i]).collect();
        }
        Ok(())
    }
}

/// The records of a JSONL file with their line numbers (from 1), blank lines skipped. `what`
/// names the data in errors ("the stance data"), `record` what a line must be ("a NewsMTSC line
/// (sentence_normalized, primary_gid, targets ...)").
pub fn read_jsonl<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &str,
    record: &str,
) -> Result<Vec<(usize, T)>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read {what} {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parsed = serde_json::from_str(line)
            .with_context(|| format!("{}, line {}: not {record}", path.display(), i + 1))?;
        out.push((i + 1, parsed));
    }
    Ok(out)
}

/// The byte offset of every code point of `text`, then its length: `char_bytes(t)[c]` is the
/// byte offset of code point `c` (the JSONL files give offsets in code points, as Python does).
pub fn char_bytes(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(b, _)| b)
        .chain([text.len()])
        .collect()
}

/// Whether the first non-empty line of the JSONL file `path` is an object with the field `key`
/// (how the commands tell the kinds of JSONL training file apart).
pub fn first_line_has(path: &Path, key: &str) -> bool {
    use std::io::BufRead;
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    std::io::BufReader::new(file)
        .lines()
        .map_while(std::result::Result::ok)
        .find(|l| !l.trim().is_empty())
        .and_then(|line| serde_json::from_str::<serde_json::Value>(&line).ok())
        .is_some_and(|v| v.get(key).is_some())
}

/// Assigns each group (document) to a fold, deterministically from the seed.
pub fn folds_by_group(groups: &[String], folds: usize, seed: u64) -> Vec<usize> {
    let mut unique: Vec<&String> = groups
        .iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    // Fisher-Yates with a small LCG: reproducible without pulling in a RNG crate.
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    for i in (1..unique.len()).rev() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        unique.swap(i, (state >> 33) as usize % (i + 1));
    }
    let fold_of: BTreeMap<&String, usize> = unique
        .iter()
        .enumerate()
        .map(|(i, g)| (*g, i % folds))
        .collect();
    groups.iter().map(|g| fold_of[g]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOOK: &str = r#"
[[frame]]
name = "human_rights"
description = "Rights, freedoms and dignity of people."
[[frame]]
name = "economic"
description = "Trade, growth, development, finance."
"#;

    fn labelled(labels: &[&str], rows: &[&[f32]]) -> Labelled {
        Labelled {
            ids: (0..rows.len()).map(|i| i.to_string()).collect(),
            texts: vec![String::new(); rows.len()],
            groups: (0..rows.len()).map(|i| i.to_string()).collect(),
            weights: vec![1.0; rows.len()],
            sources: vec![String::new(); rows.len()],
            labels: labels.iter().map(|s| s.to_string()).collect(),
            targets: rows.iter().map(|r| r.to_vec()).collect(),
        }
    }

    #[test]
    fn orders_the_csv_columns_as_the_codebook() {
        let book = Codebook::parse(BOOK).unwrap();
        let mut data = labelled(&["economic", "human_rights"], &[&[1.0, 0.0], &[0.0, 1.0]]);
        data.align_to(&book, Path::new("x.csv")).unwrap();
        assert_eq!(data.labels, ["human_rights", "economic"]);
        assert_eq!(data.targets, [vec![0.0, 1.0], vec![1.0, 0.0]]);
    }

    #[test]
    fn refuses_csvs_whose_columns_differ_from_the_codebook() {
        let book = Codebook::parse(BOOK).unwrap();
        let mut data = labelled(&["economic"], &[&[1.0]]);
        let e = data.align_to(&book, Path::new("x.csv")).unwrap_err();
        assert!(e.to_string().contains("human_rights"), "{e}");
        let mut data = labelled(
            &["economic", "human_rights", "security"],
            &[&[1.0, 0.0, 0.0]],
        );
        let e = data.align_to(&book, Path::new("x.csv")).unwrap_err();
        assert!(e.to_string().contains("security"), "{e}");
    }

    #[test]
    fn distilled_rows_hold_probabilities_and_are_refused_as_gold() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.csv");
        std::fs::write(
            &path,
            "id,doc,source,text,a,b\n\
             r1,d1,news,One sentence.,1,0\n\
             r2,d2,distilled,Another sentence.,0.875,0.02\n",
        )
        .unwrap();
        let data = Labelled::read(&path).unwrap();
        assert_eq!(data.targets, [vec![1.0, 0.0], vec![0.875, 0.02]]);
        let e = data.require_gold(&path).unwrap_err().to_string();
        assert!(e.contains("r2") && e.contains("distilled"), "{e}");

        // A probability outside [0, 1], or on a row that is not distilled, is an error.
        std::fs::write(&path, "id,source,text,a\nr1,distilled,S.,1.5\n").unwrap();
        let e = Labelled::read(&path).err().unwrap().to_string();
        assert!(e.contains("[0, 1]"), "{e}");
        std::fs::write(&path, "id,source,text,a\nr1,news,S.,0.5\n").unwrap();
        let e = Labelled::read(&path).err().unwrap().to_string();
        assert!(e.contains("0 or 1") && e.contains("distilled"), "{e}");

        // Another file's rows join a task when the columns agree.
        let mut first = labelled(&["a", "b"], &[&[1.0, 0.0]]);
        first.append(data, &path).unwrap();
        assert_eq!(first.ids.len(), 3);
        let other = labelled(&["b", "a"], &[&[1.0, 0.0]]);
        assert!(first.append(other, &path).is_err());
    }
}
