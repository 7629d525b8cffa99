//! The signatory's signature and stamp: images the organizer uploads on
//! the event screen. They are kept beside the designs, in
//! `templates/assets/`, under names the studio chooses, and every chosen
//! design's signatory prints them (its `signature` and `stamp` keys, set
//! with toml_edit). A design chosen later takes them too.

use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, Value};

use crate::design::TEMPLATES_DIR;
use crate::event::FieldError;

/// What the signatory's box shows, and the file name each is kept under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Signature,
    Stamp,
}

impl Mark {
    pub fn parse(name: &str) -> Option<Mark> {
        match name {
            "signature" => Some(Mark::Signature),
            "stamp" => Some(Mark::Stamp),
            _ => None,
        }
    }

    /// The template key that names the file.
    fn key(self) -> &'static str {
        match self {
            Mark::Signature => "signature",
            Mark::Stamp => "stamp",
        }
    }

    fn stem(self) -> &'static str {
        match self {
            Mark::Signature => "tanda-tangan",
            Mark::Stamp => "stempel",
        }
    }
}

/// A signature scanned at 600 dpi is well under this.
const MAX_MARK_BYTES: usize = 8 * 1024 * 1024;

fn assets(folder: &Path) -> PathBuf {
    folder.join(TEMPLATES_DIR).join("assets")
}

/// The kept image of `mark`, if there is one.
pub fn kept(folder: &Path, mark: Mark) -> Option<PathBuf> {
    ["png", "jpg"]
        .iter()
        .map(|e| assets(folder).join(format!("{}.{e}", mark.stem())))
        .find(|p| p.is_file())
}

/// Sets `mark` on every signatory of the design in `dir`, to `file` (as
/// the design's folder reaches it). Refused designs are put back.
fn point_design(dir: &Path, mark: Mark, file: &str) -> Result<(), FieldError> {
    let path = dir.join("template.toml");
    let fail = |e: String| FieldError::new(mark.key(), "refused", e);
    let before = std::fs::read_to_string(&path).map_err(|e| fail(e.to_string()))?;
    let mut doc: DocumentMut = before
        .parse()
        .map_err(|e: toml_edit::TomlError| fail(e.to_string()))?;
    let Some(elements) = doc
        .get_mut("element")
        .and_then(Item::as_array_of_tables_mut)
    else {
        return Ok(());
    };
    let mut changed = false;
    for table in elements.iter_mut() {
        if table.get("type").and_then(Item::as_str) == Some("signatory") {
            let mut new = Value::from(file);
            if let Some(old) = table.get(mark.key()).and_then(Item::as_value) {
                *new.decor_mut() = old.decor().clone();
            }
            table.insert(mark.key(), Item::Value(new));
            changed = true;
        }
    }
    if !changed {
        return Ok(());
    }
    piagam::write_atomic(&path, doc.to_string().as_bytes()).map_err(|e| fail(e.to_string()))?;
    if let Err(e) = piagam::template::Template::load(dir) {
        let _ = piagam::write_atomic(&path, before.as_bytes());
        return Err(fail(e.to_string()));
    }
    Ok(())
}

/// Every chosen design that lies in the event's `templates/` takes the
/// kept signature and stamp.
pub fn apply_kept(folder: &Path) -> Result<(), FieldError> {
    for mark in [Mark::Signature, Mark::Stamp] {
        let Some(file) = kept(folder, mark) else {
            continue;
        };
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        for document in 0..crate::design::chosen(folder).len() {
            let Ok(dir) = crate::design::template_dir(folder, document, mark.key()) else {
                continue;
            };
            let inside_templates = dir
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|p| p == TEMPLATES_DIR);
            if inside_templates {
                point_design(&dir, mark, &format!("../assets/{name}"))?;
            }
        }
    }
    Ok(())
}

/// Keeps `bytes` (a PNG or JPEG) as the signatory's `mark`, and has every
/// chosen design print it.
pub fn keep(folder: &Path, mark: Mark, bytes: &[u8]) -> Result<(), FieldError> {
    let field = mark.key();
    if bytes.len() > MAX_MARK_BYTES {
        return Err(FieldError::new(
            field,
            "too-large",
            format!("{} MB", MAX_MARK_BYTES / 1024 / 1024),
        ));
    }
    let extension = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "png"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "jpg"
    } else {
        return Err(FieldError::new(field, "not-an-image", String::new()));
    };
    piagam::template::usable_image(bytes).map_err(|e| FieldError::new(field, "not-an-image", e))?;
    let dir = assets(folder);
    std::fs::create_dir_all(&dir)
        .map_err(|e| FieldError::new(field, "unwritable", e.to_string()))?;
    let path = dir.join(format!("{}.{extension}", mark.stem()));
    piagam::write_atomic(&path, bytes)
        .map_err(|e| FieldError::new(field, "unwritable", e.to_string()))?;
    // One kept image per mark: a PNG replaced by a JPEG goes.
    for other in ["png", "jpg"].iter().filter(|e| **e != extension) {
        let _ = std::fs::remove_file(dir.join(format!("{}.{other}", mark.stem())));
    }
    apply_kept(folder)
}
