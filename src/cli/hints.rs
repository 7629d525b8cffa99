//! What to type next: the command-line flags that fix an error. The library
//! says what went wrong; only the command line knows its own flags.

use piagam::config::ConfigError;
use piagam::demo::DemoError;
use piagam::generate::{GenerateError, RunError};
use piagam::keystore::{KeyFileError, KeystoreError};
use piagam::revoke::RevokeError;
use piagam::seal::KeyError;

/// The message, and on a line of its own, the hint if there is one.
fn with_hint(message: String, hint: Option<&str>) -> String {
    match hint {
        Some(h) => format!("{message}\nhint: {h}"),
        None => message,
    }
}

/// A private key that is not usable: how to make one, or keep it private.
fn key_hint(e: &KeyFileError) -> Option<String> {
    match e {
        KeyFileError::TooOpen { path, .. } => {
            Some(format!("run: chmod 600 {}", super::shell::sh(path)))
        }
        KeyFileError::Key {
            source: KeyError::NotEd25519(_),
            ..
        } => Some(
            "make an Ed25519 key with piagam keygen, or openssl genpkey -algorithm ed25519".into(),
        ),
        _ => None,
    }
}

fn generate_hint(e: &GenerateError) -> Option<&'static str> {
    match e {
        GenerateError::WouldReplace(_) => {
            Some("write to a new --out folder, or pass --overwrite to replace them")
        }
        GenerateError::Corrections(_) => Some(
            "if each is the same winner with the name spelled anew, pass --accept-corrections; if they are other winners, pass --reject-corrections (or give the roster an 'id' column)",
        ),
        GenerateError::OutDir(piagam::OutDirError::Busy { .. }) => Some(
            "if no piagam run is using that folder (the process number was reused), delete its .piagam.lock",
        ),
        _ => None,
    }
}

pub fn run_error(e: RunError) -> String {
    let hint = match &e {
        RunError::Config(ConfigError::Missing(_)) => {
            Some("put piagam.toml beside the roster, or pass --config FILE")
        }
        RunError::NoTemplate => Some("give --template DIR, or list [[documents]] in piagam.toml"),
        RunError::NoKey => Some("give the issuer's private key with --key FILE"),
        RunError::NoOut => Some("give the output folder with --out DIR"),
        RunError::NoJwks { .. } => Some(
            "pass the issuer's public keys with --jwks FILE, or name the issuer with --issuer NAME",
        ),
        RunError::KeyNotInJwks { .. } => Some("pass the issuer's own JWKS with --jwks FILE"),
        RunError::Generate(g) => generate_hint(g),
        RunError::Key(k) => return with_hint(e.to_string(), key_hint(k).as_deref()),
        RunError::Register(piagam::register::RegisterError::Busy { .. }) => Some(
            "runs that share a register take turns; if no piagam run is using it (the process number was reused), delete the register's .lock file; for a one-off run that keeps no record, pass --no-register",
        ),
        _ => None,
    };
    with_hint(e.to_string(), hint)
}

pub fn demo_error(e: DemoError) -> String {
    let hint = match &e {
        DemoError::Generate(g) => generate_hint(g),
        _ => None,
    };
    with_hint(e.to_string(), hint)
}

pub fn keystore_error(e: KeystoreError) -> String {
    let hint = match &e {
        KeystoreError::KeyExists(_) => {
            Some("use --rotate to replace it with a new key, or another --out folder")
        }
        KeystoreError::NoKey(_) => Some("make a key first: piagam keygen --issuer NAME --out DIR"),
        KeystoreError::NoIssuer => Some("name the issuer with --issuer NAME"),
        KeystoreError::JwksExists { .. } => Some(
            "make the key in another --out folder; or, if you still have the private key, put it beside the JWKS and use --rotate",
        ),
        KeystoreError::BadDate { .. } => Some("write --not-before and --not-after as YYYY-MM-DD"),
        KeystoreError::Key(k) => return with_hint(e.to_string(), key_hint(k).as_deref()),
        _ => None,
    };
    with_hint(e.to_string(), hint)
}

pub fn revoke_error(e: RevokeError) -> String {
    let hint = match &e {
        RevokeError::NoReason => Some("say why with --reason TEXT"),
        RevokeError::BadDate(_) => Some("write --date as YYYY-MM-DD"),
        RevokeError::NoKeyRecorded { .. } => Some("give the issuer's key with --key FILE"),
        RevokeError::Key(k) => return with_hint(e.to_string(), key_hint(k).as_deref()),
        _ => None,
    };
    with_hint(e.to_string(), hint)
}
