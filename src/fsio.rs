//! File writing that never leaves a half-written file behind.

use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct WriteError {
    pub path: PathBuf,
    pub message: String,
}

fn err(path: &Path, e: impl std::fmt::Display) -> WriteError {
    WriteError {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Writes `bytes` to a temporary file beside `path`, then renames it into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_atomic_with_mode(path, bytes, None, true)
}

/// Like [`write_atomic`], but with Unix permissions and optionally refusing
/// to replace an existing file.
pub fn write_atomic_with_mode(
    path: &Path,
    bytes: &[u8],
    mode: Option<u32>,
    overwrite: bool,
) -> Result<(), WriteError> {
    let tmp = temp_path(path);
    let result = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if let Some(mode) = mode {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(mode);
        }
        #[cfg(not(unix))]
        let _ = mode;
        let mut file = options.open(&tmp).map_err(|e| err(&tmp, e))?;
        file.write_all(bytes).map_err(|e| err(&tmp, e))?;
        file.sync_all().map_err(|e| err(&tmp, e))?;
        drop(file);
        if overwrite {
            std::fs::rename(&tmp, path).map_err(|e| err(path, e))
        } else {
            // A hard link fails if the target exists, so nothing is replaced.
            std::fs::hard_link(&tmp, path).map_err(|e| err(path, e))?;
            std::fs::remove_file(&tmp).map_err(|e| err(&tmp, e))
        }
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
