//! The event screen: piagam.toml's event, signatory and verification
//! address, kept in the user's own file (its comments and order stay where
//! the file was written by hand), and the issuer's key beside it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml_edit::{value, DocumentMut, Item};

/// The event folder's settings file, as the command line reads it.
pub const CONFIG_FILE: &str = "piagam.toml";
/// Where the studio keeps the issuer's key, in the event folder.
pub const KEY_DIR: &str = "kunci";

/// What a new event's piagam.toml starts as, with a word on each part.
const NEW_CONFIG: &str = "\
# Event settings, written by piagam studio; the command line reads the same file.
# Address of the verification page the QR codes open.
# verify_url = \"https://example.go.id/verifikasi\"

[event]
name = \"\"
date = \"\"

[numbering]
pattern = \"{seq:03}/{kind}/{month_roman}/{year}\"
";

/// The event as the page shows and edits it. Empty strings are unset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventForm {
    pub name: String,
    pub date: String,
    pub place: String,
    pub verify_url: String,
    pub signatory_name: String,
    pub signatory_title: String,
    pub signatory_nip: String,
}

/// A problem with one field: the page words it in its own language from
/// `code`, and shows `detail` as it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
    pub detail: String,
    /// The design element (from 0) the problem is on, for the editor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element: Option<usize>,
}

impl FieldError {
    pub(crate) fn new(
        field: &'static str,
        code: &'static str,
        detail: impl Into<String>,
    ) -> FieldError {
        FieldError {
            field,
            code,
            detail: detail.into(),
            element: None,
        }
    }

    pub(crate) fn on_element(self, element: usize) -> FieldError {
        FieldError {
            element: Some(element),
            ..self
        }
    }
}

/// The issuer's key, as far as the page may know it: never the key.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KeyStatus {
    pub exists: bool,
    pub issuer: Option<String>,
    pub kid: Option<String>,
}

fn config_path(folder: &Path) -> PathBuf {
    folder.join(CONFIG_FILE)
}

fn text_at(doc: &DocumentMut, table: Option<&str>, key: &str) -> String {
    let item = match table {
        Some(t) => doc.get(t).and_then(|t| t.get(key)),
        None => doc.get(key),
    };
    item.and_then(Item::as_str).unwrap_or_default().to_owned()
}

/// The event settings in `folder`, and whether its piagam.toml exists.
pub fn read(folder: &Path) -> Result<(EventForm, bool), FieldError> {
    let path = config_path(folder);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((EventForm::default(), false))
        }
        Err(e) => return Err(FieldError::new("config", "unreadable", e.to_string())),
    };
    let doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        FieldError::new("config", "unreadable", e.to_string())
    })?;
    let form = EventForm {
        name: text_at(&doc, Some("event"), "name"),
        date: text_at(&doc, Some("event"), "date"),
        place: text_at(&doc, Some("event"), "place"),
        verify_url: text_at(&doc, None, "verify_url"),
        signatory_name: text_at(&doc, Some("signatory"), "name"),
        signatory_title: text_at(&doc, Some("signatory"), "title"),
        signatory_nip: text_at(&doc, Some("signatory"), "nip"),
    };
    Ok((form, true))
}

/// Each field's problems, before anything is written.
fn check(form: &EventForm) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if form.name.trim().is_empty() {
        errors.push(FieldError::new("name", "required", ""));
    }
    if form.date.trim().is_empty() {
        errors.push(FieldError::new("date", "required", ""));
    } else if form.date.trim().parse::<piagam::date::Date>().is_err() {
        errors.push(FieldError::new("date", "not-a-date", form.date.trim()));
    }
    let url = form.verify_url.trim();
    if !url.is_empty() {
        // Phones open only web addresses from a QR code.
        let web = url.starts_with("https://") || url.starts_with("http://");
        if let Err(e) = piagam::seal::qrtext::check_verify_url(url) {
            errors.push(FieldError::new("verify_url", "bad-address", e));
        } else if !web {
            errors.push(FieldError::new("verify_url", "bad-address", url));
        }
    }
    errors
}

/// Sets `key` (in `table`, or at the top) to `text`, keeping the comment
/// written beside the old value; removes it when `text` is empty.
fn set_or_remove(doc: &mut DocumentMut, table: Option<&str>, key: &str, text: &str) {
    let text = text.trim();
    let table = match table {
        Some(t) => {
            if doc.get(t).is_none() {
                if text.is_empty() {
                    return;
                }
                doc.insert(t, Item::Table(toml_edit::Table::new()));
            }
            &mut doc[t]
        }
        None => doc.as_item_mut(),
    };
    let Some(table) = table.as_table_like_mut() else {
        return;
    };
    if text.is_empty() {
        table.remove(key);
        return;
    }
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            let decor = old.decor().clone();
            *old = toml_edit::Value::from(text);
            *old.decor_mut() = decor;
        }
        None => {
            table.insert(key, value(text));
        }
    }
}

/// Writes the event into `folder`'s piagam.toml (made if there is none),
/// leaving everything else in the file as it was. Nothing is written
/// unless the whole file then reads as the command line reads it.
pub fn write(folder: &Path, form: &EventForm) -> Result<(), Vec<FieldError>> {
    let errors = check(form);
    if !errors.is_empty() {
        return Err(errors);
    }
    let path = config_path(folder);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => NEW_CONFIG.to_owned(),
        Err(e) => return Err(vec![FieldError::new("config", "unreadable", e.to_string())]),
    };
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        vec![FieldError::new("config", "unreadable", e.to_string())]
    })?;
    set_or_remove(&mut doc, None, "verify_url", &form.verify_url);
    set_or_remove(&mut doc, Some("event"), "name", &form.name);
    set_or_remove(&mut doc, Some("event"), "date", &form.date);
    set_or_remove(&mut doc, Some("event"), "place", &form.place);
    set_or_remove(&mut doc, Some("signatory"), "name", &form.signatory_name);
    set_or_remove(&mut doc, Some("signatory"), "title", &form.signatory_title);
    set_or_remove(&mut doc, Some("signatory"), "nip", &form.signatory_nip);
    let written = doc.to_string();
    // The command line must read what the studio writes.
    piagam::config::EventConfig::from_toml(&written, &path)
        .map_err(|e| vec![FieldError::new("config", "refused", e.to_string())])?;
    piagam::write_atomic(&path, written.as_bytes())
        .map_err(|e| vec![FieldError::new("config", "unwritable", e.to_string())])
}

/// The issuer's key in `folder`, as the page may see it.
pub fn key_status(folder: &Path) -> KeyStatus {
    let dir = folder.join(KEY_DIR);
    let jwks = piagam::keystore::read_jwks(&dir.join(piagam::keystore::JWKS_FILE)).ok();
    KeyStatus {
        exists: dir.join(piagam::keystore::KEY_FILE).exists(),
        issuer: jwks.as_ref().map(|j| j.issuer.clone()),
        kid: jwks.and_then(|j| j.keys.last().map(|k| k.kid.clone())),
    }
}

/// Makes the issuer's key in `folder` (private, mode 0600; never sent to
/// the page), unless it has one.
pub fn make_key(folder: &Path, issuer: &str) -> Result<KeyStatus, FieldError> {
    if issuer.trim().is_empty() {
        return Err(FieldError::new("issuer", "required", ""));
    }
    let (form, _) = read(folder)?;
    let url = form.verify_url.trim();
    piagam::keystore::create(
        &folder.join(KEY_DIR),
        &piagam::keystore::NewKey {
            issuer: Some(issuer.trim().to_owned()),
            verify_url: (!url.is_empty()).then(|| url.to_owned()),
            ..Default::default()
        },
    )
    .map_err(|e| FieldError::new("issuer", "key-refused", e.to_string()))?;
    Ok(key_status(folder))
}

/// Takes the issuer's existing private key (a PKCS#8 PEM, e.g. from
/// `openssl genpkey -algorithm ed25519` or an earlier event) into the
/// folder, private (mode 0600), with its public keys beside it. An event
/// that has a key keeps it.
pub fn import_key(folder: &Path, issuer: &str, pem: &[u8]) -> Result<KeyStatus, FieldError> {
    if issuer.trim().is_empty() {
        return Err(FieldError::new("issuer", "required", ""));
    }
    let text = std::str::from_utf8(pem)
        .map_err(|_| FieldError::new("issuer", "not-a-key", "the file is not a PEM text"))?;
    piagam::seal::IssuerKey::from_pkcs8_pem(text)
        .map_err(|e| FieldError::new("issuer", "not-a-key", e.to_string()))?;
    let dir = folder.join(KEY_DIR);
    let key_path = dir.join(piagam::keystore::KEY_FILE);
    if key_path.exists() {
        return Err(FieldError::new(
            "issuer",
            "key-refused",
            format!("{} already exists", key_path.display()),
        ));
    }
    std::fs::create_dir_all(&dir)
        .map_err(|e| FieldError::new("issuer", "key-refused", e.to_string()))?;
    write_private(&key_path, pem)
        .map_err(|e| FieldError::new("issuer", "key-refused", e.to_string()))?;
    let (form, _) = read(folder)?;
    let url = form.verify_url.trim();
    piagam::keystore::import(
        &key_path,
        &dir,
        &piagam::keystore::NewKey {
            issuer: Some(issuer.trim().to_owned()),
            verify_url: (!url.is_empty()).then(|| url.to_owned()),
            ..Default::default()
        },
    )
    .map_err(|e| {
        let _ = std::fs::remove_file(&key_path);
        FieldError::new("issuer", "key-refused", e.to_string())
    })?;
    Ok(key_status(folder))
}

/// Writes a private file whole, readable by its owner only, never over
/// another.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let temporary = path.with_extension("pem.partial");
    let _ = std::fs::remove_file(&temporary);
    let mut file = options.open(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::hard_link(&temporary, path)?;
    std::fs::remove_file(&temporary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> EventForm {
        EventForm {
            name: "Anugerah Layanan Digital 2026".into(),
            date: "2026-11-20".into(),
            place: "Semarang".into(),
            verify_url: "https://kominfo.example.go.id/verifikasi".into(),
            signatory_name: "Dr. Budi".into(),
            signatory_title: "Kepala Dinas".into(),
            signatory_nip: String::new(),
        }
    }

    #[test]
    fn a_new_event_is_written_as_the_command_line_reads_it() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(read(tmp.path()).unwrap(), (EventForm::default(), false));
        write(tmp.path(), &form()).unwrap();
        let config = piagam::config::EventConfig::read(&tmp.path().join(CONFIG_FILE)).unwrap();
        assert_eq!(config.event.name, "Anugerah Layanan Digital 2026");
        assert_eq!(config.event.date.to_string(), "2026-11-20");
        assert_eq!(config.signatory.title, "Kepala Dinas");
        assert_eq!(read(tmp.path()).unwrap(), (form(), true));
    }

    #[test]
    fn a_hand_written_file_keeps_its_comments_order_and_other_settings() {
        let tmp = tempfile::tempdir().unwrap();
        let hand = "# Acara tahunan kami\n[event]\nname = \"Lama\"   # nama resmi\ndate = \"2025-01-01\"\n\n# Penomoran dari bagian umum\n[numbering]\npattern = \"{seq:04}/UM/{year}\"\n";
        std::fs::write(tmp.path().join(CONFIG_FILE), hand).unwrap();
        write(tmp.path(), &form()).unwrap();
        let text = std::fs::read_to_string(tmp.path().join(CONFIG_FILE)).unwrap();
        for kept in [
            "# Acara tahunan kami",
            "# nama resmi",
            "# Penomoran dari bagian umum",
            "{seq:04}/UM/{year}",
        ] {
            assert!(text.contains(kept), "{kept} lost from:\n{text}");
        }
        assert!(text.find("[event]").unwrap() < text.find("[numbering]").unwrap());
        assert!(
            text.contains("name = \"Anugerah Layanan Digital 2026\""),
            "{text}"
        );
        // Clearing a field removes it, rather than writing an empty one.
        write(
            tmp.path(),
            &EventForm {
                place: String::new(),
                ..form()
            },
        )
        .unwrap();
        let text = std::fs::read_to_string(tmp.path().join(CONFIG_FILE)).unwrap();
        assert!(!text.contains("place"), "{text}");
    }

    #[test]
    fn bad_fields_are_named_and_nothing_is_written() {
        let tmp = tempfile::tempdir().unwrap();
        let bad = EventForm {
            name: " ".into(),
            date: "20/11/2026".into(),
            verify_url: "ftp://x".into(),
            ..form()
        };
        let errors = write(tmp.path(), &bad).unwrap_err();
        let fields: Vec<(&str, &str)> = errors.iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            fields,
            [
                ("name", "required"),
                ("date", "not-a-date"),
                ("verify_url", "bad-address")
            ]
        );
        assert!(!tmp.path().join(CONFIG_FILE).exists());
    }

    #[test]
    fn an_existing_key_is_taken_in_privately_and_a_bad_one_refused() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), &form()).unwrap();
        let refused = import_key(tmp.path(), "Dinas", b"not a key").unwrap_err();
        assert_eq!((refused.field, refused.code), ("issuer", "not-a-key"));
        assert!(!tmp
            .path()
            .join(KEY_DIR)
            .join(piagam::keystore::KEY_FILE)
            .exists());
        let pem = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../assets/demo/DEMO-ONLY-issuer.key.pem"),
        )
        .unwrap();
        let taken = import_key(tmp.path(), "Dinas Kominfo Contoh", &pem).unwrap();
        assert!(taken.exists);
        assert_eq!(taken.issuer.as_deref(), Some("Dinas Kominfo Contoh"));
        let key = tmp.path().join(KEY_DIR).join(piagam::keystore::KEY_FILE);
        assert_eq!(std::fs::read(&key).unwrap(), pem);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // The key signs: the command line reads it.
        assert!(piagam::keystore::read_private_key(&key).is_ok());
        let again = import_key(tmp.path(), "Dinas", &pem).unwrap_err();
        assert_eq!(again.code, "key-refused");
    }

    #[test]
    fn a_key_is_made_once_and_only_its_public_part_is_told() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), &form()).unwrap();
        assert_eq!(key_status(tmp.path()), KeyStatus::default());
        let made = make_key(tmp.path(), "Dinas Kominfo Contoh").unwrap();
        assert!(made.exists);
        assert_eq!(made.issuer.as_deref(), Some("Dinas Kominfo Contoh"));
        assert_eq!(made.kid.as_ref().map(String::len), Some(16));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let key = tmp.path().join(KEY_DIR).join(piagam::keystore::KEY_FILE);
            let mode = std::fs::metadata(key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = make_key(tmp.path(), "Dinas Lain").unwrap_err();
        assert_eq!((again.field, again.code), ("issuer", "key-refused"));
    }
}
