//! The roster screen: the organizer's spreadsheet, kept in the event
//! folder as `peserta.<ext>`, inspected as generate reads it (sheet,
//! header row, each column's field, every problem on its row and cell),
//! and the choices written into piagam.toml as the command line reads
//! them: `[roster] sheet` and `header_row`, and `[columns]`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml_edit::{value, DocumentMut, Item, Table};

use crate::event::{FieldError, CONFIG_FILE};
use piagam::roster::{Field, RosterOptions};

/// The roster's name in the event folder, before its extension.
pub const ROSTER_STEM: &str = "peserta";
/// The formats taken, by extension.
pub const EXTENSIONS: &[&str] = &["xlsx", "xls", "ods", "csv"];
/// Rows shown in the page's table; the problems cover every row.
pub const SHOWN_ROWS: usize = 200;

/// The roster file in `folder`, if one was given.
pub fn roster_file(folder: &Path) -> Option<PathBuf> {
    EXTENSIONS
        .iter()
        .map(|e| folder.join(format!("{ROSTER_STEM}.{e}")))
        .find(|p| p.is_file())
}

/// Keeps an uploaded roster as `peserta.<ext>`, replacing the one before.
/// A new workbook's sheet and header row are found afresh: the ones chosen
/// for the last file are forgotten (its column choices, by header, stay).
pub fn save(folder: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, FieldError> {
    let extension = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .filter(|e| EXTENSIONS.contains(&e.as_str()))
        .ok_or_else(|| FieldError::new("file", "not-a-roster", name))?;
    let path = folder.join(format!("{ROSTER_STEM}.{extension}"));
    piagam::write_atomic(&path, bytes)
        .map_err(|e| FieldError::new("file", "unwritable", e.to_string()))?;
    for other in EXTENSIONS.iter().filter(|e| **e != extension) {
        let _ = std::fs::remove_file(folder.join(format!("{ROSTER_STEM}.{other}")));
    }
    forget_sheet_and_header(folder)?;
    Ok(path)
}

fn forget_sheet_and_header(folder: &Path) -> Result<(), FieldError> {
    let path = folder.join(CONFIG_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        FieldError::new("config", "unreadable", e.to_string())
    })?;
    let Some(roster) = doc.get_mut("roster").and_then(Item::as_table_like_mut) else {
        return Ok(());
    };
    let forgot = [roster.remove("sheet"), roster.remove("header_row")]
        .iter()
        .any(Option::is_some);
    if forgot {
        piagam::write_atomic(&path, doc.to_string().as_bytes())
            .map_err(|e| FieldError::new("config", "unwritable", e.to_string()))?;
    }
    Ok(())
}

/// One problem, where the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub row: Option<usize>,
    pub column: Option<String>,
    /// The command line's English, shown where the page has no words of
    /// its own for the problem.
    pub reason: String,
    /// What it is, with its facts, for the page to say in its language.
    pub kind: Option<piagam::roster::ProblemKind>,
}

/// The roster as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    pub file: String,
    pub sheets: Vec<String>,
    pub sheet: Option<String>,
    pub header_row: usize,
    pub headers: Vec<String>,
    /// Per column: the field's name, or "" for a column of its own.
    pub fields: Vec<&'static str>,
    pub rows: Vec<(usize, Vec<String>)>,
    pub total_rows: usize,
    pub problems: Vec<Problem>,
    /// Every field a column may be read as.
    pub choices: Vec<&'static str>,
}

/// What the organizer chose: the sheet, the header row, the columns.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Choices {
    pub sheet: Option<String>,
    pub header_row: Option<usize>,
    /// Header → field name ("" to read the column as its own).
    pub columns: BTreeMap<String, String>,
}

const FIELDS: &[Field] = &[
    Field::Recipient,
    Field::Achievement,
    Field::Category,
    Field::Serial,
    Field::Date,
    Field::Place,
    Field::Event,
    Field::SignatoryName,
    Field::SignatoryTitle,
    Field::SignatoryNip,
];

fn options(folder: &Path) -> RosterOptions {
    piagam::config::EventConfig::read(&folder.join(CONFIG_FILE))
        .map(|c| c.roster_options(None, None))
        .unwrap_or_default()
}

/// The roster in `folder`, inspected with piagam.toml's choices.
pub fn inspect(folder: &Path) -> Result<Option<Shown>, FieldError> {
    let Some(path) = roster_file(folder) else {
        return Ok(None);
    };
    let options = options(folder);
    let bytes = piagam::read_capped(&path, piagam::roster::MAX_ROSTER_BYTES)
        .map_err(|e| FieldError::new("file", "unreadable", e))?;
    let seen = piagam::roster::inspect_bytes(&path, &bytes, &options, SHOWN_ROWS)
        .map_err(|e| FieldError::new("file", "unreadable", e.to_string()))?;
    let sheet = options
        .sheet
        .clone()
        .or_else(|| seen.sheets.first().cloned());
    Ok(Some(Shown {
        file: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        sheets: seen.sheets,
        sheet,
        header_row: seen.header_row,
        headers: seen.headers,
        fields: seen
            .fields
            .iter()
            .map(|f| f.map_or("", Field::name))
            .collect(),
        rows: seen.rows,
        total_rows: seen.total_rows,
        problems: seen
            .problems
            .into_iter()
            .map(|p| Problem {
                row: p.row,
                column: p.column,
                reason: p.reason,
                kind: p.kind,
            })
            .collect(),
        choices: FIELDS.iter().map(|f| f.name()).collect(),
    }))
}

/// Writes the choices into piagam.toml (which must exist: the event comes
/// first), keeping everything else in it.
pub fn choose(folder: &Path, choices: &Choices) -> Result<(), FieldError> {
    let path = folder.join(CONFIG_FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| FieldError::new("config", "unreadable", e.to_string()))?;
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        FieldError::new("config", "unreadable", e.to_string())
    })?;
    for name in choices.columns.values().filter(|n| !n.is_empty()) {
        if !FIELDS.iter().any(|f| f.name() == name) {
            return Err(FieldError::new("columns", "unknown-field", name.clone()));
        }
    }
    if doc.get("roster").is_none() {
        doc.insert("roster", Item::Table(Table::new()));
    }
    let roster = &mut doc["roster"];
    match &choices.sheet {
        Some(sheet) if !sheet.is_empty() => roster["sheet"] = value(sheet.as_str()),
        _ => {
            if let Some(t) = roster.as_table_like_mut() {
                t.remove("sheet");
            }
        }
    }
    match choices.header_row {
        Some(row) if row > 0 => roster["header_row"] = value(row as i64),
        _ => {
            if let Some(t) = roster.as_table_like_mut() {
                t.remove("header_row");
            }
        }
    }
    let mut columns = Table::new();
    for (header, field) in &choices.columns {
        if !field.is_empty() {
            columns.insert(header, value(field.as_str()));
        }
    }
    if columns.is_empty() {
        doc.remove("columns");
    } else {
        doc.insert("columns", Item::Table(columns));
    }
    let written = doc.to_string();
    piagam::config::EventConfig::from_toml(&written, &path)
        .map_err(|e| FieldError::new("config", "refused", e.to_string()))?;
    piagam::write_atomic(&path, written.as_bytes())
        .map_err(|e| FieldError::new("config", "unwritable", e.to_string()))
}
