//! The int8 path's activation ranges, measured once and stored beside the tuned layers.
//!
//! `--precision int8` evens out each projection's input channels with ranges measured on the
//! bundled calibration sentences (SmoothQuant, [`crate::model::bert::LeanBert::activation_ranges`]).
//! Measuring them means encoding those sentences in fp32 at every start: 1.2 s on 2 cores, a
//! tenth of a 2,000-sentence run. The ranges depend only on the weights and the calibration
//! sentences, so `framescore tune` writes them once into the tuned layers' folder
//! (`int8-ranges.safetensors`) and the int8 path reads them instead. The file names what it was
//! measured on (a fingerprint of the base checkpoint, the tuned layers and the calibration
//! sentences); a file that does not match is ignored and the ranges are measured as before.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use tch::{Kind, Tensor};

use crate::model::bert::ActivationRanges;

/// The file beside the tuned layers.
pub const FILE: &str = "int8-ranges.safetensors";

/// The tensor that holds the fingerprint (its hex digits as bytes).
const FINGERPRINT: &str = "fingerprint";

/// Where the ranges for the tuned layers in `layers` live.
pub fn path_for(layers: &Path) -> PathBuf {
    layers.with_file_name(FILE)
}

/// What the ranges were measured on: the base checkpoint (its size, first and last MiB: it is
/// installed from a pinned package, and hashing all of all-mpnet-base-v2's 420 MB would cost
/// more than measuring), the whole tuned layers file and the calibration sentences.
pub fn fingerprint(checkpoint: &Path, layers: &Path, calibration: &str) -> Result<String> {
    const MIB: u64 = 1 << 20;
    let mut h = Sha256::new();
    let cannot = || format!("cannot read {}", checkpoint.display());
    let mut base = std::fs::File::open(checkpoint).with_context(cannot)?;
    let n = base.metadata().with_context(cannot)?.len();
    h.update(n.to_le_bytes());
    for start in [0, n.saturating_sub(MIB)] {
        let mut chunk = Vec::with_capacity(MIB as usize);
        base.seek(SeekFrom::Start(start)).with_context(cannot)?;
        (&mut base)
            .take(MIB)
            .read_to_end(&mut chunk)
            .with_context(cannot)?;
        h.update(&chunk);
    }
    h.update(std::fs::read(layers).with_context(|| format!("cannot read {}", layers.display()))?);
    h.update(calibration.as_bytes());
    Ok(format!("{:x}", h.finalize()))
}

/// The stored ranges at `path` if the file exists and was measured on what `fingerprint` names;
/// `None` otherwise (the caller measures them).
pub fn read(path: &Path, fingerprint: &str) -> Option<ActivationRanges> {
    let tensors = Tensor::read_safetensors(path).ok()?;
    let stored = tensors.iter().find(|(n, _)| n == FINGERPRINT)?;
    let bytes: Vec<u8> = Vec::try_from(&stored.1).ok()?;
    if bytes != fingerprint.as_bytes() {
        return None;
    }
    let mut ranges = ActivationRanges::new();
    for (name, t) in tensors {
        if let Some(key) = parse_name(&name) {
            ranges.insert(key, t.to_kind(Kind::Float));
        }
    }
    Some(ranges).filter(|r| !r.is_empty())
}

/// Writes `ranges` with their `fingerprint` to `path` (through a temporary file, so a reader
/// never sees half a file).
pub fn write(path: &Path, fingerprint: &str, ranges: &ActivationRanges) -> Result<()> {
    let mut keys: Vec<_> = ranges.keys().copied().collect();
    keys.sort_unstable();
    let names: Vec<String> = keys.iter().map(|(l, p)| format!("{l}.{p}")).collect();
    let fp = Tensor::from_slice(fingerprint.as_bytes());
    let mut named: Vec<(&str, &Tensor)> = vec![(FINGERPRINT, &fp)];
    named.extend(
        names
            .iter()
            .zip(&keys)
            .map(|(n, k)| (n.as_str(), &ranges[k])),
    );
    let tmp = path.with_extension("safetensors.tmp");
    Tensor::write_safetensors(&named, &tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

/// `"<layer>.<projection>"` back to its key.
fn parse_name(name: &str) -> Option<(usize, usize)> {
    let (l, p) = name.split_once('.')?;
    Some((l.parse().ok()?, p.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_round_trip_and_a_stale_file_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let mut ranges = ActivationRanges::new();
        ranges.insert((0, 3), Tensor::from_slice(&[1.5f32, 0.25, 8.0]));
        ranges.insert((5, 0), Tensor::from_slice(&[2.0f32]));
        write(&path, "abc123", &ranges).unwrap();
        let back = read(&path, "abc123").unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(
            Vec::<f32>::try_from(&back[&(0, 3)]).unwrap(),
            [1.5, 0.25, 8.0]
        );
        assert!(read(&path, "abc124").is_none());
        assert!(read(&dir.path().join("missing.safetensors"), "abc123").is_none());
        assert!(!path.with_extension("safetensors.tmp").exists());
    }

    #[test]
    fn the_fingerprint_names_every_input() {
        let dir = tempfile::tempdir().unwrap();
        let (base, layers) = (dir.path().join("base"), dir.path().join("layers"));
        std::fs::write(&base, vec![7u8; 3 << 20]).unwrap();
        std::fs::write(&layers, b"tuned").unwrap();
        let a = fingerprint(&base, &layers, "calibration").unwrap();
        assert_eq!(a, fingerprint(&base, &layers, "calibration").unwrap());
        assert_ne!(a, fingerprint(&base, &layers, "other sentences").unwrap());
        std::fs::write(&layers, b"tuned again").unwrap();
        assert_ne!(a, fingerprint(&base, &layers, "calibration").unwrap());
        let mut b = vec![7u8; 3 << 20];
        b[10] = 8;
        std::fs::write(&base, b).unwrap();
        std::fs::write(&layers, b"tuned").unwrap();
        assert_ne!(a, fingerprint(&base, &layers, "calibration").unwrap());
    }
}
