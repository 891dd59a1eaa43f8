//! Model folders: every trained component (frame heads, bias head, tagger) is saved as a JSON
//! config beside a safetensors file, and names the encoder (and tuned layers) it was trained on.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tch::{Kind, Tensor};

use crate::model::encode::Encoder;

/// Reads `dir/file` as JSON; `hint` says what to do when it is missing.
pub fn read_config<T: DeserializeOwned>(dir: &Path, file: &str, hint: &str) -> Result<T> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}; {hint}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid", path.display()))
}

/// Writes a model folder: `dir/weights_file` (the named tensors, safetensors) and
/// `dir/config_file` (pretty JSON), creating `dir` if needed.
pub fn write<T: Serialize>(
    dir: &Path,
    config_file: &str,
    config: &T,
    weights_file: &str,
    named: &[(&str, &Tensor)],
) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Tensor::write_safetensors(named, dir.join(weights_file))?;
    let json = serde_json::to_string_pretty(config)?;
    std::fs::write(dir.join(config_file), json + "\n")
        .with_context(|| format!("cannot write {}", dir.join(config_file).display()))?;
    Ok(())
}

/// The tensors of `dir/file`, looked up by name (as fp32).
pub struct Tensors {
    path: PathBuf,
    tensors: Vec<(String, Tensor)>,
}

impl Tensors {
    pub fn read(dir: &Path, file: &str) -> Result<Tensors> {
        let path = dir.join(file);
        let tensors = Tensor::read_safetensors(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Ok(Tensors { path, tensors })
    }

    pub fn get(&self, name: &str) -> Result<Tensor> {
        self.tensors
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.to_kind(Kind::Float))
            .with_context(|| format!("{} has no tensor '{name}'", self.path.display()))
    }
}

/// Resolves a config's `layers` entry against its folder; the file must exist.
pub fn resolve_layers(dir: &Path, layers: Option<&str>) -> Result<Option<PathBuf>> {
    let Some(layers) = layers else {
        return Ok(None);
    };
    let path = dir.join(layers);
    if !path.is_file() {
        bail!(
            "the model in {} was trained with the tuned encoder layers {}, which are missing; \
             restore them or retrain the model",
            dir.display(),
            path.display()
        );
    }
    Ok(Some(path))
}

/// What a config records about the encoder: its folder name and its tuned layers (absolute; the
/// commands rewrite it relative to the model folder with [`crate::model::modelfile::layers_reference`]).
pub fn encoder_identity(encoder: &Encoder) -> (String, Option<String>) {
    let name = encoder
        .dir()
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let layers = encoder
        .tuned_layers()
        .map(|p| p.canonicalize().unwrap_or(p.to_path_buf()))
        .map(|p| p.display().to_string());
    (name, layers)
}

/// How a model folder `dir` names the tuned encoder layers file `layers`: relative
/// (`../tuned/encoder.safetensors`) when both sit in the same parent folder, so a models folder
/// can move as a whole (the shipped models do this); otherwise the absolute path.
pub fn layers_reference(dir: &Path, layers: &Path) -> String {
    let layers = layers.canonicalize().unwrap_or(layers.to_path_buf());
    let parent = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.parent().map(Path::to_path_buf));
    match parent.and_then(|p| layers.strip_prefix(&p).ok().map(Path::to_path_buf)) {
        Some(rel) => format!("../{}", rel.display()),
        None => layers.display().to_string(),
    }
}
