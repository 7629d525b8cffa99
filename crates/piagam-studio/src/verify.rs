//! The verify screen: a PDF, a photo or a scan dropped on the page is
//! checked by the engine `piagam verify` uses, against this event's key,
//! revocation list and list of issued files, and told in its words. The
//! upload is held in memory only; nothing is written.

use std::path::Path;

use serde::Serialize;

use crate::event::{FieldError, KEY_DIR};

/// One QR code found and checked.
#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    pub valid: bool,
    /// The report as `piagam verify` prints it, in the page's language.
    pub text: String,
}

/// What a file held: each code checked, and how many were seen but could
/// not be read.
#[derive(Debug, Clone, Serialize)]
pub struct FileVerified {
    pub checked: Vec<Verified>,
    pub unread: usize,
}

fn failed(e: impl ToString) -> FieldError {
    FieldError::new("verify", "cannot-verify", e.to_string())
}

/// Checks every QR code in `bytes` (a file the organizer named `name`).
pub fn check(
    folder: &Path,
    name: &str,
    bytes: Vec<u8>,
    lang: piagam::locale::Language,
) -> Result<FileVerified, FieldError> {
    let jwks = folder.join(KEY_DIR).join(piagam::keystore::JWKS_FILE);
    let text = std::fs::read_to_string(&jwks)
        .map_err(|_| FieldError::new("verify", "no-key", String::new()))?;
    let trust = piagam::keystore::trust_from_json(&text).map_err(failed)?;
    let mut options = piagam::seal::VerifyOptions::default();
    let register =
        piagam::register::Register::open_read_only(&crate::register::register_path(folder))
            .map_err(failed)?;
    let mut issued = None;
    if let Some(register) = register {
        let revocations = register.revocations_path().map_err(failed)?;
        if revocations.is_file() {
            options.revocations =
                Some(piagam::revoke::read_list(&revocations, &trust).map_err(failed)?);
        }
        let list = piagam::issued::list_path(&revocations);
        if list.is_file() {
            issued = Some(piagam::issued::read_list(&list, &trust).map_err(failed)?);
        }
    }
    // The name is only ever shown, never opened.
    let shown = Path::new(name).file_name().unwrap_or_default();
    let held = piagam::inputs::Held::from_bytes(Path::new(shown), bytes).map_err(failed)?;
    let found =
        piagam::inputs::check_held(&held, &trust, &options, issued.as_ref()).map_err(failed)?;
    Ok(FileVerified {
        checked: found
            .checked
            .iter()
            .map(|c| Verified {
                valid: c.is_valid(),
                text: c.to_text(lang),
            })
            .collect(),
        unread: found.unread,
    })
}
