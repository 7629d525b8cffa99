//! Maintaining the issuer-signed revocation list file.

use std::path::Path;

use crate::date::Date;
use crate::fsio;
use crate::keystore::{self, KeystoreError};
use crate::seal::{IssuerKey, Jwk, Jwks, RevocationList, SealError, Trust};

#[derive(Debug, Clone)]
pub struct RevokeOutcome {
    pub added: Vec<String>,
    pub already: Vec<String>,
    pub total: usize,
    pub issued: Date,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RevokeError {
    #[error("{path}: {source}")]
    List { path: String, source: SealError },
    #[error("{path}: {message}")]
    Unreadable { path: String, message: String },
    #[error("the reason must say why the documents are revoked")]
    NoReason,
    #[error("a serial is empty")]
    EmptySerial,
    #[error("the date '{0}' is not in the form YYYY-MM-DD")]
    BadDate(String),
    #[error("{path} is dated {found}; a new version cannot be dated earlier ({date})")]
    Backdated {
        path: String,
        found: Date,
        date: Date,
    },
    #[error(transparent)]
    Keystore(#[from] KeystoreError),
    #[error(transparent)]
    Seal(#[from] SealError),
    #[error(transparent)]
    Write(#[from] fsio::WriteError),
}

/// Reads a revocation list file and checks its signature.
pub fn read_list(path: &Path, trust: &Trust) -> Result<RevocationList, RevokeError> {
    let bytes = fsio::read_capped(path, crate::seal::revocation::MAX_LIST_BYTES as u64).map_err(
        |message| RevokeError::Unreadable {
            path: path.display().to_string(),
            message,
        },
    )?;
    RevocationList::open(&bytes, trust).map_err(|source| RevokeError::List {
        path: path.display().to_string(),
        source,
    })
}

/// Adds serials to the list at `list_path` (creating it) and re-signs it.
pub fn revoke(
    key_path: &Path,
    jwks_path: Option<&Path>,
    list_path: &Path,
    serials: &[String],
    reason: &str,
    date: Option<&str>,
) -> Result<RevokeOutcome, RevokeError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(RevokeError::NoReason);
    }
    if serials.iter().any(|s| s.trim().is_empty()) {
        return Err(RevokeError::EmptySerial);
    }
    let date = match date {
        Some(d) => d.parse().map_err(|_| RevokeError::BadDate(d.to_owned()))?,
        None => Date::today_utc(),
    };
    let key = IssuerKey::read_pem_file(key_path)?;
    // Lists signed by earlier keys of the issuer are accepted too.
    let default_jwks = key_path
        .parent()
        .unwrap_or(Path::new("."))
        .join(keystore::JWKS_FILE);
    let jwks_path = jwks_path.unwrap_or(&default_jwks);
    let mut jwks = if jwks_path.exists() {
        keystore::read_jwks(jwks_path)?
    } else {
        Jwks {
            issuer: String::new(),
            verify_url: None,
            keys: Vec::new(),
        }
    };
    jwks.keys.push(Jwk::from_key(&key.verifying_key()));
    let trust = Trust::from_jwks(&jwks)?;
    let mut list = if list_path.exists() {
        let existing = read_list(list_path, &trust)?;
        if existing.issued > date {
            return Err(RevokeError::Backdated {
                path: list_path.display().to_string(),
                found: existing.issued,
                date,
            });
        }
        existing
    } else {
        RevocationList::new(date)
    };
    list.issued = date;
    let mut added = Vec::new();
    let mut already = Vec::new();
    for serial in serials {
        let serial = serial.trim();
        if list.revoke(serial, reason, date) {
            added.push(serial.to_owned());
        } else {
            already.push(serial.to_owned());
        }
    }
    fsio::write_atomic(list_path, &list.sign(&key))?;
    Ok(RevokeOutcome {
        added,
        already,
        total: list.entries().len(),
        issued: list.issued,
    })
}
