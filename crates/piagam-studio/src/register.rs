//! The register screen: every document issued from this event folder,
//! searched and filtered; revoking with a reason (signed with the folder's
//! key, written to the signed list); and the verification page published
//! with its revocation and issued-files lists.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::event::{FieldError, KEY_DIR};

/// Where the verification page is published, in the event folder.
pub const SITE_DIR: &str = "situs";

/// One document as the page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub serial: String,
    pub kind: String,
    pub recipient: String,
    pub achievement: String,
    pub status: String,
    pub issued_at: Option<String>,
    pub superseded_by: Option<String>,
    pub revoked_on: Option<String>,
    pub revoked_reason: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Query {
    pub search: Option<String>,
    /// reserved, issued, superseded or revoked.
    pub status: Option<String>,
}

fn status_word(status: piagam::register::Status) -> &'static str {
    use piagam::register::Status;
    match status {
        Status::Reserved => "reserved",
        Status::Issued => "issued",
        Status::Superseded => "superseded",
        Status::Revoked => "revoked",
    }
}

pub(crate) fn register_path(folder: &Path) -> std::path::PathBuf {
    folder.join(piagam::register::REGISTER_FILE)
}

/// Every document the register holds that the query matches, newest
/// first.
pub fn list(folder: &Path, query: &Query) -> Result<Vec<Row>, FieldError> {
    let opened = piagam::register::Register::open_read_only(&register_path(folder))
        .map_err(|e| FieldError::new("register", "unreadable", e.to_string()))?;
    let Some(register) = opened else {
        return Ok(Vec::new());
    };
    let filter = piagam::register::Filter {
        status: None,
        kind: None,
        search: query.search.clone().filter(|s| !s.trim().is_empty()),
    };
    let entries = register
        .entries()
        .map_err(|e| FieldError::new("register", "unreadable", e.to_string()))?;
    let wanted = query.status.as_deref().filter(|s| !s.is_empty());
    let mut rows: Vec<Row> = entries
        .into_iter()
        .filter(|e| filter.matches(e))
        .filter(|e| wanted.is_none_or(|w| status_word(e.status) == w))
        .map(|e| Row {
            serial: e.serial,
            kind: e.kind,
            recipient: e.recipient,
            achievement: e.claims.achievement.clone(),
            status: status_word(e.status).to_owned(),
            issued_at: e.issued_at,
            superseded_by: e.superseded_by,
            revoked_on: e.revoked_on,
            revoked_reason: e.revoked_reason,
        })
        .collect();
    rows.reverse();
    Ok(rows)
}

/// What a revocation did.
#[derive(Debug, Clone, Serialize)]
pub struct Revoked {
    pub revoked: usize,
    pub listed: usize,
}

/// Revokes `serials` with `reason`, signing the list with the folder's key.
pub fn revoke(folder: &Path, serials: &[String], reason: &str) -> Result<Revoked, FieldError> {
    if serials.is_empty() {
        return Err(FieldError::new("serials", "required", ""));
    }
    if reason.trim().is_empty() {
        return Err(FieldError::new("reason", "required", ""));
    }
    let key = folder.join(KEY_DIR).join(piagam::keystore::KEY_FILE);
    let outcome = piagam::revoke::revoke_in_register(
        &register_path(folder),
        Some(&key),
        None,
        None,
        serials,
        reason.trim(),
        None,
    )
    .map_err(|e| FieldError::new("reason", "cannot-revoke", e.to_string()))?;
    let revoked = outcome
        .outcomes
        .iter()
        .filter(|(_, r)| matches!(r, piagam::register::Revocation::Revoked))
        .count();
    Ok(Revoked {
        revoked,
        listed: outcome.listed,
    })
}

/// The published page as one archive for the web team, in the run's
/// output folder (where the page's downloads are served from).
pub const SITE_ZIP: &str = "situs.zip";

/// What publishing wrote: the page's files, and the archive to hand on.
#[derive(Debug, Clone, Serialize)]
pub struct Published {
    pub files: Vec<String>,
    pub zip: String,
    pub address: Option<String>,
}

/// What the web team reads first, in the archive.
fn note_for_the_web_team(address: Option<&str>) -> String {
    let address = address.unwrap_or("(verify_url di piagam.toml / in piagam.toml)");
    format!(
        "HALAMAN VERIFIKASI PIAGAM - UNTUK TIM WEB\n\
         \n\
         Salin semua berkas lain dalam ZIP ini ke folder web yang melayani\n\
         alamat berikut, sehingga alamat itu membuka index.html:\n\
         \n    {address}\n\n\
         Kode QR pada setiap dokumen membuka alamat itu. Pemeriksaan berjalan\n\
         di peramban pengunjung: tidak perlu server aplikasi, basis data, atau\n\
         PHP. Berkas di samping index.html (daftar pencabutan dan daftar berkas\n\
         terbit) ikut diunggah ke tempat yang sama. Setelah ada dokumen yang\n\
         dicabut atau diterbitkan, unggah ulang isi ZIP terbaru.\n\
         \n\
         VERIFICATION PAGE - FOR THE WEB TEAM\n\
         \n\
         Copy every other file in this ZIP to the web folder that serves the\n\
         address above, so that the address opens index.html. Each document's\n\
         QR code opens that address; the check runs in the visitor's browser,\n\
         with no application server, database or PHP. The files beside\n\
         index.html (the revocation list and the list of issued files) go to\n\
         the same place. After documents are revoked or issued, upload the\n\
         contents of the newest ZIP again.\n"
    )
}

/// Writes the verification page into `situs/`, with the register's
/// revocation list and list of issued files where they exist, and the same
/// files with a note for the web team as one ZIP.
pub fn publish(folder: &Path) -> Result<Published, FieldError> {
    let fail = |e: String| FieldError::new("publish", "cannot-publish", e);
    let jwks = piagam::keystore::read_jwks(&folder.join(KEY_DIR).join(piagam::keystore::JWKS_FILE))
        .map_err(|e| fail(e.to_string()))?;
    let register = piagam::register::Register::open_read_only(&register_path(folder))
        .map_err(|e| fail(e.to_string()))?;
    let revocations_at = match &register {
        Some(r) => Some(r.revocations_path().map_err(|e| fail(e.to_string()))?),
        None => None,
    };
    let revocations = revocations_at.as_ref().and_then(|p| std::fs::read(p).ok());
    let issued = revocations_at
        .as_ref()
        .and_then(|p| std::fs::read(piagam::issued::list_path(p)).ok());
    let site = piagam::site::write_site(
        &jwks,
        revocations.as_deref(),
        issued.as_deref(),
        None,
        &folder.join(SITE_DIR),
    )
    .map_err(|e| fail(e.to_string()))?;
    let address = piagam::config::EventConfig::read(&folder.join(crate::event::CONFIG_FILE))
        .ok()
        .and_then(|c| c.verify_url);
    let site_dir = folder.join(SITE_DIR);
    let mut zip = piagam::generate::DocumentZip::new(Vec::new());
    zip.add(
        "BACA-SAYA.txt",
        note_for_the_web_team(address.as_deref()).as_bytes(),
    )
    .map_err(|e| fail(e.to_string()))?;
    for file in &site.files {
        let name = file.strip_prefix(&site_dir).unwrap_or(file);
        let bytes = std::fs::read(file).map_err(|e| fail(e.to_string()))?;
        zip.add(&name.to_string_lossy(), &bytes)
            .map_err(|e| fail(e.to_string()))?;
    }
    let bytes = zip.finish().map_err(|e| fail(e.to_string()))?;
    let out = folder.join(crate::issue::OUT_DIR);
    std::fs::create_dir_all(&out).map_err(|e| fail(e.to_string()))?;
    piagam::write_atomic(&out.join(SITE_ZIP), &bytes).map_err(|e| fail(e.to_string()))?;
    Ok(Published {
        files: site
            .files
            .iter()
            .filter_map(|f| f.strip_prefix(folder).ok())
            .map(|f| f.display().to_string())
            .collect(),
        zip: SITE_ZIP.to_owned(),
        address,
    })
}
