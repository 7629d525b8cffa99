//! Winner records read from a roster file, validated row by row.

mod columns;
mod csv_reader;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use unicode_normalization::UnicodeNormalization;

use crate::date::Date;
pub use columns::Field;

/// One winner, as read from one roster row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The row number as a spreadsheet shows it (the header is row 1).
    pub row: usize,
    pub recipient: String,
    pub achievement: String,
    pub category: Option<String>,
    pub serial: Option<String>,
    pub date: Option<Date>,
    pub place: Option<String>,
    pub event: Option<String>,
    /// Columns that are not known fields, by their header as written.
    pub extra: BTreeMap<String, String>,
}

/// One problem in a roster, located as precisely as possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub file: PathBuf,
    pub row: Option<usize>,
    pub column: Option<String>,
    pub reason: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(row) = self.row {
            write!(f, ":{row}")?;
        }
        if let Some(col) = &self.column {
            write!(f, ":{col}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RosterError {
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("{path}: unsupported roster format '{extension}' (use .csv)")]
    UnsupportedFormat { path: PathBuf, extension: String },
    #[error("{}", .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<RowProblem>),
}

/// Reads and validates a whole roster. Every problem is reported at once.
pub fn read_roster(path: &Path) -> Result<Vec<Record>, RosterError> {
    let bytes = std::fs::read(path).map_err(|e| RosterError::Io {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    read_roster_bytes(path, &bytes)
}

/// Reads a roster from memory; `path` names it in messages and picks the format.
pub fn read_roster_bytes(path: &Path, bytes: &[u8]) -> Result<Vec<Record>, RosterError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match extension.as_str() {
        "csv" | "txt" | "tsv" => csv_reader::read(path, bytes),
        _ => Err(RosterError::UnsupportedFormat {
            path: path.to_owned(),
            extension,
        }),
    }
}

/// Normalises a cell: NFC, trimmed, inner runs of whitespace collapsed.
pub(crate) fn clean_cell(raw: &str) -> String {
    let nfc: String = raw.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Characters that could make a printed name differ from what a reader sees.
pub(crate) fn forbidden_char(s: &str) -> Option<char> {
    s.chars().find(|&c| {
        matches!(c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200F}'
            | '\u{2060}' | '\u{FEFF}' | '\u{061C}')
            || (c.is_control() && c != '\n' && c != '\t')
    })
}
