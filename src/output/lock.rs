//! One run per output folder: an advisory lock on `DIR/.framescore.lock`, held for the whole run.
//!
//! Two runs writing into one folder would interleave their files; the second one refuses at the
//! start instead, naming the first one's process. The operating system drops the lock when the
//! holder exits, however it exits (a killed run leaves no stale lock to clean up).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// The lock file's name inside the output folder.
pub const LOCK: &str = ".framescore.lock";

/// Held while a run writes into its output folder; released on drop or exit.
#[derive(Debug)]
pub struct OutLock {
    _file: File,
    path: PathBuf,
}

impl OutLock {
    /// Creates `dir` if needed and locks it, or fails naming the process that holds it.
    pub fn acquire(dir: &Path) -> Result<OutLock> {
        std::fs::create_dir_all(dir).with_context(|| {
            format!(
                "cannot create the output folder {}; check --out",
                dir.display()
            )
        })?;
        let path = dir.join(LOCK);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                bail!(
                    "another framescore run ({}) is writing into {}; wait for it to finish, or \
                     pass another --out",
                    if holder.is_empty() {
                        "process unknown".to_string()
                    } else {
                        holder.to_string()
                    },
                    dir.display()
                );
            }
            Err(TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()))
            }
        }
        file.set_len(0)?;
        file.rewind()?;
        writeln!(file, "process {}", std::process::id())?;
        file.flush()?;
        Ok(OutLock { _file: file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_one_folder_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = OutLock::acquire(dir.path()).unwrap();
        let err = OutLock::acquire(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains(&format!("process {}", std::process::id())),
            "{err}"
        );
        assert!(err.contains("another --out"), "{err}");
        drop(first);
        OutLock::acquire(dir.path()).unwrap();
    }
}
