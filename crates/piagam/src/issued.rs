//! The issuer-signed list of issued files, `piagam-issued.cose`: written
//! from the register after every run (beside the revocation list), read by
//! `verify`, published by `site`. See docs/FORMAT.md §12.

use std::path::{Path, PathBuf};

use crate::date::Date;
use crate::fsio;
use crate::register::{Register, RegisterError};
use crate::seal::issued::MAX_ISSUED_BYTES;
use crate::seal::{IssuedFile, IssuedList, IssuerKey, Trust, VerifyError};

/// The list's file name, beside the register's revocation list.
pub const ISSUED_FILE: &str = "piagam-issued.cose";

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssuedError {
    #[error("{path}: {source}")]
    List { path: String, source: VerifyError },
    #[error("{path}: {message}")]
    Unreadable { path: String, message: String },
    #[error("the register records a file digest that is not SHA-256 hex: {0}")]
    BadDigest(String),
    #[error(transparent)]
    Write(#[from] fsio::WriteError),
    #[error(transparent)]
    Register(#[from] RegisterError),
}

/// Reads an issued-files list and checks its signature.
pub fn read_list(path: &Path, trust: &Trust) -> Result<IssuedList, IssuedError> {
    let bytes = read_bytes(path)?;
    IssuedList::open(&bytes, trust).map_err(|source| IssuedError::List {
        path: path.display().to_string(),
        source,
    })
}

/// The list's bytes as they are, within its cap.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, IssuedError> {
    fsio::read_capped(path, MAX_ISSUED_BYTES as u64).map_err(|message| IssuedError::Unreadable {
        path: path.display().to_string(),
        message,
    })
}

/// Every file the register records for a document that was issued (and
/// perhaps revoked or superseded since), dated by its issue. The list is
/// dated by its latest entry, so the same register gives the same bytes.
pub fn from_register(register: &Register) -> Result<IssuedList, IssuedError> {
    let files = register.issued_files()?;
    let mut entries = Vec::with_capacity(files.len());
    for f in files {
        let sha256 = crate::register::unhex(&f.sha256)
            .ok_or_else(|| IssuedError::BadDigest(f.sha256.clone()))?;
        // issued_at is an RFC 3339 UTC time; its first ten characters are the day.
        let date: Date = f
            .issued_at
            .get(..10)
            .and_then(|d| d.parse().ok())
            .unwrap_or_else(Date::today_utc);
        entries.push(IssuedFile {
            sha256,
            serial: f.serial,
            date,
        });
    }
    let date = entries
        .iter()
        .map(|e| e.date)
        .max()
        .unwrap_or_else(Date::today_utc);
    let mut list = IssuedList::new(date);
    for entry in entries {
        list.add(entry);
    }
    Ok(list)
}

/// Writes the register's issued-files list to `path`, signed with `key`.
pub fn write_register_list(
    register: &Register,
    key: &IssuerKey,
    path: &Path,
) -> Result<IssuedList, IssuedError> {
    let list = from_register(register)?;
    fsio::write_atomic(path, &list.sign(key))?;
    Ok(list)
}

/// Where the register's issued-files list goes: beside its revocation list.
pub fn list_path(revocations: &Path) -> PathBuf {
    revocations
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join(ISSUED_FILE)
}
