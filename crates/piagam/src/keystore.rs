//! An issuer's key folder: `issuer.key.pem` (private, 0600) beside
//! `issuer.jwks.json` (public), with retired private keys in `retired/`.

use std::path::{Path, PathBuf};

use crate::date::Date;
use crate::fsio;
use crate::seal::keys::kid_hex;
use crate::seal::{IssuerKey, Jwk, Jwks, KeyError, Trust, VerifyError};

pub const KEY_FILE: &str = "issuer.key.pem";
pub const JWKS_FILE: &str = "issuer.jwks.json";

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeystoreError {
    #[error("{0} already exists; piagam never overwrites a key")]
    KeyExists(PathBuf),
    #[error("{0} does not exist")]
    NoKey(PathBuf),
    #[error("{path} already exists without its private key (key ids: {kids}); a new key here would replace the keys verifiers trust, and nothing was changed")]
    JwksExists { path: PathBuf, kids: String },
    #[error("a new key needs the issuer's name")]
    NoIssuer,
    #[error("{what} '{value}' is not a date in the form YYYY-MM-DD")]
    BadDate { what: &'static str, value: String },
    #[error("the key would be valid from {from} until {until}: the first date comes after the last, so it could sign nothing")]
    EmptyWindow { from: Date, until: Date },
    #[error("the key would be valid only until {until}, which is already past (today is {today}): it could sign nothing new")]
    WindowOver { until: Date, today: Date },
    #[error("{0}")]
    BadUrl(String),
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error(transparent)]
    Key(#[from] KeyFileError),
    #[error(transparent)]
    Write(#[from] fsio::WriteError),
}

/// Why a private key file cannot be used, or a new key made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFileError {
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Key {
        path: PathBuf,
        #[source]
        source: KeyError,
    },
    /// Anyone who can read the file can sign as the issuer.
    #[error("{path} can be read by other users (mode {mode:03o})")]
    TooOpen { path: PathBuf, mode: u32 },
    #[error("the system random source failed: {0}")]
    Random(String),
}

/// A PEM private key is a few hundred bytes.
const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// Reads a PEM private key file, refusing one that others can read.
pub fn read_private_key(path: &Path) -> Result<IssuerKey, KeyFileError> {
    let io = |message: String| KeyFileError::Io {
        path: path.to_owned(),
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| io(e.to_string()))?;
    if !meta.is_file() {
        return Err(io("not a key file (it is a folder or a device)".into()));
    }
    let pem = fsio::read_text_capped(path, MAX_KEY_FILE_BYTES).map_err(io)?;
    let key = IssuerKey::from_pkcs8_pem(&pem).map_err(|source| KeyFileError::Key {
        path: path.to_owned(),
        source,
    })?;
    // Only a file that is a private key is asked to be kept private: a
    // JWKS or a text file given by mistake is named as what it is.
    check_private_permissions(path)?;
    Ok(key)
}

#[cfg(unix)]
fn check_private_permissions(path: &Path) -> Result<(), KeyFileError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|e| KeyFileError::Io {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyFileError::TooOpen {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private_permissions(_path: &Path) -> Result<(), KeyFileError> {
    Ok(())
}

/// A new key from the operating system's random source.
pub fn new_key() -> Result<IssuerKey, KeyFileError> {
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed).map_err(|e| KeyFileError::Random(e.to_string()))?;
    Ok(IssuerKey::from_seed(&seed))
}

/// The JWKS as its file holds it: pretty JSON and a final newline.
pub fn jwks_json(jwks: &Jwks) -> String {
    // Serialising these plain structs cannot fail.
    let mut s = serde_json::to_string_pretty(jwks).unwrap_or_default();
    s.push('\n');
    s
}

/// The keys a trust file (JWKS) names, checked as the seal crate checks them.
pub fn trust_from_json(json: &str) -> Result<Trust, VerifyError> {
    let jwks: Jwks =
        serde_json::from_str(json).map_err(|e| VerifyError::BadTrust(e.to_string()))?;
    Trust::from_jwks(&jwks)
}

/// Options for a new key's public entry.
#[derive(Debug, Clone, Default)]
pub struct NewKey {
    pub issuer: Option<String>,
    pub not_before: Option<String>,
    pub not_after: Option<String>,
    pub verify_url: Option<String>,
}

/// What keygen did, for the message to the user. Never holds private data.
#[derive(Debug, Clone)]
pub struct KeygenOutcome {
    pub key_path: Option<PathBuf>,
    pub jwks_path: PathBuf,
    pub kid: String,
    pub retired: Option<PathBuf>,
    pub key_count: usize,
}

fn check_date(what: &'static str, value: &Option<String>) -> Result<(), KeystoreError> {
    if let Some(v) = value {
        v.parse::<Date>().map_err(|_| KeystoreError::BadDate {
            what,
            value: v.clone(),
        })?;
    }
    Ok(())
}

fn public_entry(key: &IssuerKey, opts: &NewKey) -> Result<Jwk, KeystoreError> {
    check_date("the first valid date (not before)", &opts.not_before)?;
    check_date("the last valid date (not after)", &opts.not_after)?;
    let day = |d: &Option<String>| d.as_deref().and_then(|d| d.parse::<Date>().ok());
    if let (Some(from), Some(until)) = (day(&opts.not_before), day(&opts.not_after)) {
        if from > until {
            return Err(KeystoreError::EmptyWindow { from, until });
        }
    }
    if let Some(until) = day(&opts.not_after) {
        let today = Date::today_utc();
        if until < today {
            return Err(KeystoreError::WindowOver { until, today });
        }
    }
    let mut jwk = Jwk::from_key(&key.verifying_key());
    jwk.nbf = opts.not_before.clone();
    jwk.exp = opts.not_after.clone();
    Ok(jwk)
}

fn check_url(url: &Option<String>) -> Result<(), KeystoreError> {
    match url {
        Some(u) => crate::seal::qrtext::check_verify_url(u).map_err(KeystoreError::BadUrl),
        None => Ok(()),
    }
}

fn issuer_name(opts: &NewKey) -> Result<String, KeystoreError> {
    let name = opts.issuer.as_deref().unwrap_or("").trim();
    if name.is_empty() {
        return Err(KeystoreError::NoIssuer);
    }
    Ok(name.to_owned())
}

pub fn read_jwks(path: &Path) -> Result<Jwks, KeystoreError> {
    let text = fsio::read_text_capped(path, 1024 * 1024).map_err(|message| KeystoreError::Io {
        path: path.to_owned(),
        message,
    })?;
    serde_json::from_str(&text).map_err(|e| KeystoreError::Io {
        path: path.to_owned(),
        message: format!("not a valid JWKS: {e}"),
    })
}

/// Makes a new key pair in `dir`. Refuses to replace an existing key.
pub fn create(dir: &Path, opts: &NewKey) -> Result<KeygenOutcome, KeystoreError> {
    let issuer = issuer_name(opts)?;
    check_url(&opts.verify_url)?;
    let key_path = dir.join(KEY_FILE);
    if key_path.exists() {
        return Err(KeystoreError::KeyExists(key_path));
    }
    // A JWKS without its private key is still what verifiers trust:
    // replacing it would drop those keys, and every seal they signed would
    // stop verifying.
    let jwks_path = dir.join(JWKS_FILE);
    if jwks_path.exists() {
        let kids = read_jwks(&jwks_path)
            .map(|j| {
                j.keys
                    .iter()
                    .map(|k| k.kid.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_else(|_| "unreadable".into());
        return Err(KeystoreError::JwksExists {
            path: jwks_path,
            kids,
        });
    }
    let key = new_key()?;
    let jwk = public_entry(&key, opts)?;
    fsio::create_folder(dir)?;
    fsio::write_atomic_with_mode(&key_path, key.to_pkcs8_pem().as_bytes(), Some(0o600), false)?;
    let jwks = Jwks {
        issuer,
        verify_url: opts.verify_url.clone(),
        keys: vec![jwk],
    };
    fsio::write_atomic(&jwks_path, jwks_json(&jwks).as_bytes())?;
    Ok(KeygenOutcome {
        key_path: Some(key_path),
        jwks_path,
        kid: kid_hex(&key.kid()),
        retired: None,
        key_count: 1,
    })
}

/// Writes `dir/issuer.jwks.json` for a key made elsewhere (e.g. by openssl).
pub fn import(key_file: &Path, dir: &Path, opts: &NewKey) -> Result<KeygenOutcome, KeystoreError> {
    let issuer = issuer_name(opts)?;
    check_url(&opts.verify_url)?;
    let key = read_private_key(key_file)?;
    let jwks_path = dir.join(JWKS_FILE);
    let mut jwks = if jwks_path.exists() {
        read_jwks(&jwks_path)?
    } else {
        Jwks {
            issuer: issuer.clone(),
            verify_url: None,
            keys: Vec::new(),
        }
    };
    jwks.issuer = issuer;
    if opts.verify_url.is_some() {
        jwks.verify_url = opts.verify_url.clone();
    }
    let kid = kid_hex(&key.kid());
    jwks.keys.retain(|k| k.kid != kid);
    jwks.keys.push(public_entry(&key, opts)?);
    fsio::create_folder(dir)?;
    fsio::write_atomic(&jwks_path, jwks_json(&jwks).as_bytes())?;
    Ok(KeygenOutcome {
        key_path: None,
        key_count: jwks.keys.len(),
        jwks_path,
        kid,
        retired: None,
    })
}

/// Replaces the key in `dir` with a new one, keeping every old public key.
pub fn rotate(dir: &Path, opts: &NewKey) -> Result<KeygenOutcome, KeystoreError> {
    check_url(&opts.verify_url)?;
    let key_path = dir.join(KEY_FILE);
    let jwks_path = dir.join(JWKS_FILE);
    if !key_path.exists() {
        return Err(KeystoreError::NoKey(key_path));
    }
    let old = read_private_key(&key_path)?;
    let mut jwks = read_jwks(&jwks_path)?;
    if let Some(name) = opts
        .issuer
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        jwks.issuer = name.to_owned();
    }
    if opts.verify_url.is_some() {
        jwks.verify_url = opts.verify_url.clone();
    }
    let new = new_key()?;
    let entry = public_entry(&new, opts)?;

    // Keep the old private key: a hard link cannot replace anything.
    let retired_dir = dir.join("retired");
    std::fs::create_dir_all(&retired_dir).map_err(|e| KeystoreError::Io {
        path: retired_dir.clone(),
        message: e.to_string(),
    })?;
    let retired = retired_dir.join(format!("issuer-{}.key.pem", kid_hex(&old.kid())));
    std::fs::hard_link(&key_path, &retired).map_err(|e| KeystoreError::Io {
        path: retired.clone(),
        message: e.to_string(),
    })?;
    fsio::write_atomic_with_mode(&key_path, new.to_pkcs8_pem().as_bytes(), Some(0o600), true)?;
    jwks.keys.push(entry);
    fsio::write_atomic(&jwks_path, jwks_json(&jwks).as_bytes())?;
    Ok(KeygenOutcome {
        key_path: Some(key_path),
        jwks_path,
        kid: kid_hex(&new.kid()),
        retired: Some(retired),
        key_count: jwks.keys.len(),
    })
}
