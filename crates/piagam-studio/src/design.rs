//! The design screen, first part: the documents each winner receives,
//! chosen from the bundled designs (copied into the event folder, where
//! the organizer may change them), and a preview of any roster row,
//! rendered by the engine from the very PDF it would write.

use std::path::{Path, PathBuf};

use serde::Serialize;
use toml_edit::{value, ArrayOfTables, DocumentMut, Item, Table};

use crate::event::{FieldError, CONFIG_FILE};

/// Where the event folder keeps its templates.
pub const TEMPLATES_DIR: &str = "templates";

/// A design bundled with piagam: its folder name and what it is.
#[derive(Debug, Clone, Serialize)]
pub struct Bundled {
    pub id: &'static str,
    pub name: &'static str,
    pub page: &'static str,
}

pub const BUNDLED: &[Bundled] = &[
    Bundled {
        id: "piagam",
        name: "Piagam Penghargaan",
        page: "A4 lanskap",
    },
    Bundled {
        id: "sertifikat",
        name: "Sertifikat",
        page: "A4 potret",
    },
];

/// Each bundled design's files, as `templates/` holds them.
const FILES: &[(&str, &[u8])] = &[
    (
        "piagam/template.toml",
        include_bytes!("../../../templates/piagam/template.toml"),
    ),
    (
        "sertifikat/template.toml",
        include_bytes!("../../../templates/sertifikat/template.toml"),
    ),
    (
        "assets/latar-piagam.pdf",
        include_bytes!("../../../templates/assets/latar-piagam.pdf"),
    ),
    (
        "assets/latar-sertifikat.pdf",
        include_bytes!("../../../templates/assets/latar-sertifikat.pdf"),
    ),
    (
        "assets/logo-placeholder.png",
        include_bytes!("../../../templates/assets/logo-placeholder.png"),
    ),
    (
        "assets/signature-sample.png",
        include_bytes!("../../../templates/assets/signature-sample.png"),
    ),
    (
        "assets/stamp-sample.png",
        include_bytes!("../../../templates/assets/stamp-sample.png"),
    ),
];

/// The documents piagam.toml lists, as template folders relative to it.
pub fn chosen(folder: &Path) -> Vec<String> {
    piagam::config::EventConfig::read(&folder.join(CONFIG_FILE))
        .map(|c| {
            c.documents
                .iter()
                .map(|d| d.template.to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Copies a bundled design into the event folder, unless the organizer
/// has one of that name already (theirs is never replaced).
fn copy_bundled(folder: &Path, id: &str) -> Result<(), FieldError> {
    let root = folder.join(TEMPLATES_DIR);
    for (name, bytes) in FILES {
        let belongs = name.starts_with("assets/") || name.starts_with(&format!("{id}/"));
        let path = root.join(name);
        if !belongs || path.exists() {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| FieldError::new("documents", "unwritable", e.to_string()))?;
        }
        piagam::write_atomic(&path, bytes)
            .map_err(|e| FieldError::new("documents", "unwritable", e.to_string()))?;
    }
    Ok(())
}

/// Makes the documents each winner receives the bundled designs `ids`, in
/// that order, as piagam.toml's `[[documents]]`.
pub fn choose(folder: &Path, ids: &[String]) -> Result<Vec<String>, FieldError> {
    if ids.is_empty() {
        return Err(FieldError::new("documents", "required", ""));
    }
    for id in ids {
        if !BUNDLED.iter().any(|b| b.id == id) {
            return Err(FieldError::new("documents", "unknown-design", id.clone()));
        }
    }
    let path = folder.join(CONFIG_FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| FieldError::new("config", "unreadable", e.to_string()))?;
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        FieldError::new("config", "unreadable", e.to_string())
    })?;
    for id in ids {
        copy_bundled(folder, id)?;
    }
    let mut documents = ArrayOfTables::new();
    for id in ids {
        let mut t = Table::new();
        t.insert("template", value(format!("{TEMPLATES_DIR}/{id}")));
        documents.push(t);
    }
    doc.insert("documents", Item::ArrayOfTables(documents));
    let written = doc.to_string();
    piagam::config::EventConfig::from_toml(&written, &path)
        .map_err(|e| FieldError::new("config", "refused", e.to_string()))?;
    piagam::write_atomic(&path, written.as_bytes())
        .map_err(|e| FieldError::new("config", "unwritable", e.to_string()))?;
    Ok(chosen(folder))
}

/// The template folder of the event's document `document`, if it lies
/// in the event folder; a problem is told on `field`.
pub(crate) fn template_dir(
    folder: &Path,
    document: usize,
    field: &'static str,
) -> Result<PathBuf, FieldError> {
    let relative = chosen(folder)
        .get(document)
        .cloned()
        .ok_or_else(|| FieldError::new(field, "no-document", ""))?;
    let dir = folder.join(&relative);
    let inside = std::fs::canonicalize(&dir)
        .ok()
        .zip(std::fs::canonicalize(folder).ok())
        .is_some_and(|(d, f)| d.starts_with(f));
    if !inside {
        return Err(FieldError::new(field, "no-document", relative));
    }
    Ok(dir)
}

/// Makes `bytes` (a PDF, PNG or JPEG: the designer's work) the background
/// of document `document`'s template, in its own folder. A PDF gives the
/// page its size. The template's other settings and comments stay; if it
/// then does not load, it is put back as it was and the reason told.
pub fn set_background(
    folder: &Path,
    document: usize,
    name: &str,
    bytes: &[u8],
) -> Result<(), FieldError> {
    let extension = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .filter(|e| ["pdf", "png", "jpg", "jpeg"].contains(&e.as_str()))
        .ok_or_else(|| FieldError::new("background", "not-a-background", name))?;
    let dir = template_dir(folder, document, "background")?;
    let toml_path = dir.join("template.toml");
    let before = std::fs::read_to_string(&toml_path)
        .map_err(|e| FieldError::new("background", "unreadable", e.to_string()))?;
    let mut doc: DocumentMut = before.parse().map_err(|e: toml_edit::TomlError| {
        FieldError::new("background", "unreadable", e.to_string())
    })?;
    let file = format!("latar.{extension}");
    let mut background = Table::new();
    background.insert("src", value(file.as_str()));
    match doc.get_mut("background").and_then(Item::as_table_mut) {
        Some(table) => {
            table.remove("page");
            table.insert("src", value(file.as_str()));
        }
        None => {
            doc.insert("background", Item::Table(background));
        }
    }
    if extension == "pdf" {
        if let Some(page) = doc.get_mut("page").and_then(Item::as_table_mut) {
            for key in ["size", "orientation", "width", "height"] {
                page.remove(key);
            }
        }
    }
    let image = dir.join(&file);
    let old_image = std::fs::read(&image).ok();
    piagam::write_atomic(&image, bytes)
        .map_err(|e| FieldError::new("background", "unwritable", e.to_string()))?;
    piagam::write_atomic(&toml_path, doc.to_string().as_bytes())
        .map_err(|e| FieldError::new("background", "unwritable", e.to_string()))?;
    if let Err(e) = piagam::template::Template::load(&dir) {
        let _ = piagam::write_atomic(&toml_path, before.as_bytes());
        match old_image {
            Some(old) => {
                let _ = piagam::write_atomic(&image, &old);
            }
            None => {
                let _ = std::fs::remove_file(&image);
            }
        }
        return Err(FieldError::new("background", "refused", e.to_string()));
    }
    Ok(())
}

/// One roster row's document `document`, as a PNG the engine drew from
/// the PDF it would write (marked CONTOH, signed with no real key).
pub fn preview(
    folder: &Path,
    roster: PathBuf,
    row: Option<usize>,
    document: usize,
) -> Result<Vec<u8>, FieldError> {
    let sources = piagam::project::Sources {
        roster,
        config: Some(folder.join(CONFIG_FILE)),
        register: piagam::generate::RegisterChoice::Off,
        ..Default::default()
    };
    let project = piagam::project::Project::open(&sources)
        .map_err(|e| FieldError::new("preview", "cannot-preview", e.to_string()))?;
    let page = project
        .preview(row, document)
        .map_err(|e| FieldError::new("preview", "cannot-preview", e.to_string()))?;
    page.png(72.0)
        .ok_or_else(|| FieldError::new("preview", "cannot-preview", "the page could not be drawn"))
}
