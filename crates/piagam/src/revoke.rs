//! Maintaining the issuer-signed revocation list file.

use std::path::Path;

use crate::date::Date;
use crate::fsio;
use crate::keystore::{self, KeystoreError};
use crate::register::Register;
use crate::seal::{IssuerKey, Jwk, Jwks, RevocationList, Trust, VerifyError};

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
    List { path: String, source: VerifyError },
    #[error("{path}: {message}")]
    Unreadable { path: String, message: String },
    /// The list is signed with the key generate used, which the register
    /// records; a register no run has written has none.
    #[error(
        "{register}: no generate run has recorded its key yet, so the issuer's key must be named"
    )]
    NoKeyRecorded { register: String },
    #[error("the reason must say why the documents are revoked")]
    NoReason,
    #[error("a serial is empty")]
    EmptySerial,
    #[error("the reason cannot be used: {0}")]
    BadReason(String),
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
    Key(#[from] crate::keystore::KeyFileError),
    #[error(transparent)]
    Trust(#[from] crate::seal::VerifyError),
    #[error(transparent)]
    Write(#[from] fsio::WriteError),
    #[error(transparent)]
    Register(#[from] crate::register::RegisterError),
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

/// Writes the signed revocation list the register makes: every document it
/// holds as revoked or superseded (the latter with the reason "superseded
/// by <serial>"), and any entry of the list already at `path` (e.g. revoked
/// before there was a register) that the register does not hold. Returns
/// the list as written.
pub fn write_register_list(
    register: &Register,
    key: &IssuerKey,
    trust: &Trust,
    path: &Path,
) -> Result<RevocationList, RevokeError> {
    let today = Date::today_utc();
    let existing = if path.exists() {
        Some(read_list(path, trust)?)
    } else {
        None
    };
    // A list is never dated before the one it replaces.
    let date = existing.as_ref().map_or(today, |e| e.issued.max(today));
    let mut list = RevocationList::new(date);
    for w in register.withdrawn()? {
        list.revoke(&w.serial, &w.reason, w.date);
    }
    for e in existing.iter().flat_map(|e| e.entries()) {
        list.revoke(&e.serial, &e.reason, e.date);
    }
    fsio::write_atomic(path, &list.sign(key))?;
    Ok(list)
}

/// The issuer's trusted keys for reading its own lists: the JWKS beside
/// the key (or `jwks_path`), and the key itself.
pub fn own_trust(
    key: &IssuerKey,
    key_path: &Path,
    jwks_path: Option<&Path>,
) -> Result<Trust, RevokeError> {
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
    Ok(Trust::from_jwks(&jwks)?)
}

/// The longest revocation reason: a sentence or two on a phone screen.
pub const MAX_REASON_CHARS: usize = 500;

/// Control characters, and the marks that change the direction or joining
/// of the text around them.
fn hidden_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}')
}

/// The reason (trimmed, not empty) and date (default today) of a request
/// to revoke `serials`, none of them empty.
fn checked_request<'r>(
    serials: &[String],
    reason: &'r str,
    date: Option<&str>,
) -> Result<(&'r str, Date), RevokeError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(RevokeError::NoReason);
    }
    // The reason is signed and shown to everyone who checks the document:
    // nothing in it may hide or reorder what a reader sees.
    if let Some(c) = reason.chars().find(|c| hidden_char(*c)) {
        return Err(RevokeError::BadReason(format!(
            "it holds the invisible character U+{:04X}; write it as plain text",
            u32::from(c)
        )));
    }
    let length = reason.chars().count();
    if length > MAX_REASON_CHARS {
        return Err(RevokeError::BadReason(format!(
            "it is {length} characters long; at most {MAX_REASON_CHARS} are shown"
        )));
    }
    if serials.iter().any(|s| s.trim().is_empty()) {
        return Err(RevokeError::EmptySerial);
    }
    let date = match date {
        Some(d) => d.parse().map_err(|_| RevokeError::BadDate(d.to_owned()))?,
        None => Date::today_utc(),
    };
    Ok((reason, date))
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
    let (reason, date) = checked_request(serials, reason, date)?;
    let key = crate::keystore::read_private_key(key_path)?;
    // Lists signed by earlier keys of the issuer are accepted too.
    let trust = own_trust(&key, key_path, jwks_path)?;
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

/// What `piagam revoke SERIAL…` did with a register.
#[derive(Debug, Clone)]
pub struct RegisterRevoke {
    pub outcomes: Vec<(String, crate::register::Revocation)>,
    /// The signed list written, and how many serials it holds.
    pub list_path: std::path::PathBuf,
    pub listed: usize,
    pub list_date: Date,
}

/// The private key a register command signs with: `key`, else the one the
/// last generate run used (the register records its path, never the key).
fn register_key(
    register: &Register,
    key: Option<&Path>,
) -> Result<(IssuerKey, std::path::PathBuf), RevokeError> {
    let path = match key {
        Some(path) => path.to_owned(),
        None => register
            .meta("key_path")?
            .map(std::path::PathBuf::from)
            .ok_or_else(|| RevokeError::NoKeyRecorded {
                register: register.path().display().to_string(),
            })?,
    };
    Ok((crate::keystore::read_private_key(&path)?, path))
}

/// Marks `serials` revoked in the register, then writes the signed
/// revocation list from it: at `list`, else where the list was last
/// written, else beside the register.
pub fn revoke_in_register(
    register_path: &Path,
    key: Option<&Path>,
    jwks: Option<&Path>,
    list: Option<&Path>,
    serials: &[String],
    reason: &str,
    date: Option<&str>,
) -> Result<RegisterRevoke, RevokeError> {
    let (reason, date) = checked_request(serials, reason, date)?;
    if !register_path.exists() {
        return Err(crate::register::RegisterError::Missing {
            path: register_path.to_owned(),
        }
        .into());
    }
    let mut register = Register::open(register_path)?;
    // The key is read before anything changes: a register that says
    // "revoked" with no list to show for it helps nobody.
    let (key, key_path) = register_key(&register, key)?;
    let trust = own_trust(&key, &key_path, jwks)?;
    let list_path = match list {
        Some(path) => path.to_owned(),
        None => register.revocations_path()?,
    };
    let serials: Vec<String> = serials.iter().map(|s| s.trim().to_owned()).collect();
    let outcomes = register.revoke(&serials, reason, date)?;
    let written = write_register_list(&register, &key, &trust, &list_path)?;
    register.revocations_written()?;
    if let Ok(path) = std::path::absolute(&list_path) {
        register.set_meta("revocations_path", &path.to_string_lossy())?;
    }
    Ok(RegisterRevoke {
        outcomes,
        list_path,
        listed: written.entries().len(),
        list_date: written.issued,
    })
}

/// Writes the register's signed revocation list to `out` on demand.
pub fn write_revocations(
    register_path: &Path,
    key: Option<&Path>,
    jwks: Option<&Path>,
    out: &Path,
) -> Result<RevocationList, RevokeError> {
    let register = Register::open_read_only(register_path)?.ok_or_else(|| {
        crate::register::RegisterError::Missing {
            path: register_path.to_owned(),
        }
    })?;
    let (key, key_path) = register_key(&register, key)?;
    let trust = own_trust(&key, &key_path, jwks)?;
    let list = write_register_list(&register, &key, &trust, out)?;
    // Written where the register publishes it: it is up to date again
    // (a register on read-only media keeps its mark).
    let published = register.revocations_path()?;
    if same_file(&published, out) {
        let _ = register.revocations_written();
    }
    Ok(list)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
