//! File writing that never leaves a half-written file behind.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A file or folder that could not be written, and why.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {cause}")]
pub struct WriteError {
    pub path: PathBuf,
    #[source]
    pub cause: WriteCause,
}

/// Why a write failed: the system's error, kept whole (a front end can
/// tell a full disk from a denied folder by its kind), or piagam's own
/// words.
#[derive(Debug, thiserror::Error)]
pub enum WriteCause {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Other(String),
}

impl From<String> for WriteCause {
    fn from(message: String) -> WriteCause {
        WriteCause::Other(message)
    }
}

impl From<&str> for WriteCause {
    fn from(message: &str) -> WriteCause {
        WriteCause::Other(message.to_owned())
    }
}

impl WriteError {
    pub fn new(path: &Path, cause: impl Into<WriteCause>) -> WriteError {
        WriteError {
            path: path.to_owned(),
            cause: cause.into(),
        }
    }

    /// The system's kind of error, where the system gave one.
    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        match &self.cause {
            WriteCause::Io(e) => Some(e.kind()),
            WriteCause::Other(_) => None,
        }
    }
}

/// Makes the folder `path` (and its parents), or says in words why not:
/// a file already stands there, most often.
pub fn create_folder(path: &Path) -> Result<(), WriteError> {
    if path.exists() && !path.is_dir() {
        return Err(WriteError::new(path, "a file of this name already exists; the output goes into a folder, so name a folder (new or existing)"));
    }
    std::fs::create_dir_all(path).map_err(|e| err(path, e))
}

fn err(path: &Path, e: impl Into<WriteCause>) -> WriteError {
    WriteError::new(path, e)
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
        // Errors name the file asked for: the temporary one is gone by
        // the time the user reads them.
        let mut file = options.open(&tmp).map_err(|e| err(path, e))?;
        file.write_all(bytes).map_err(|e| err(path, e))?;
        file.sync_all().map_err(|e| err(path, e))?;
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

/// Reads a regular file of at most `max` bytes. Devices, FIFOs and
/// folders are refused, since reading them may never end.
pub fn read_capped(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > max {
        return Err(format!(
            "the file is {} bytes; the limit is {max}",
            meta.len()
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > max {
        return Err(format!("the file grew past the limit of {max} bytes"));
    }
    Ok(bytes)
}

/// [`read_capped`], as UTF-8 text.
pub fn read_text_capped(path: &Path, max: u64) -> Result<String, String> {
    String::from_utf8(read_capped(path, max)?).map_err(|_| "the file is not UTF-8 text".into())
}

/// `dir/relative`, if it lies inside `dir` or inside the shared `assets`
/// folder beside it (as the bundled templates use), after following links.
/// A template shared by someone else must not read the organizer's other
/// files into a PDF.
pub fn resolve_inside(dir: &Path, relative: &str) -> Result<PathBuf, String> {
    let joined = dir.join(relative);
    let real = joined.canonicalize().map_err(|e| e.to_string())?;
    let roots = [
        dir.canonicalize().ok(),
        dir.join("..").join("assets").canonicalize().ok(),
    ];
    if roots.iter().flatten().any(|root| real.starts_with(root)) {
        Ok(real)
    } else {
        Err(format!(
            "'{relative}' lies outside the template folder (and its ../assets); copy the file into the template folder"
        ))
    }
}

/// The SHA-256 of a file's bytes, if it can be read.
pub fn file_sha256(path: &Path) -> Option<[u8; 32]> {
    use sha2::Digest;
    let mut file = std::fs::File::open(path).ok()?;
    let mut hasher = sha2::Sha256::new();
    std::io::copy(&mut file, &mut hasher).ok()?;
    Some(hasher.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The system's error is kept, so a front end can say "the disk is
    /// full" or "not allowed" in its own words; piagam's own reasons are
    /// words.
    #[test]
    fn a_write_error_keeps_the_systems_kind() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("tidak-ada").join("x.pdf");
        let e = write_atomic(&missing, b"x").unwrap_err();
        assert_eq!(e.io_kind(), Some(std::io::ErrorKind::NotFound));
        assert!(std::error::Error::source(&e).is_some());
        assert!(e.to_string().starts_with(&missing.display().to_string()));

        let file = dir.path().join("berkas");
        std::fs::write(&file, b"x").unwrap();
        let e = create_folder(&file).unwrap_err();
        assert_eq!(e.io_kind(), None);
        assert!(e.to_string().contains("a file of this name already exists"));
    }
}
