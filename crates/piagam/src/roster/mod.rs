//! Winner records read from a roster file, validated row by row.
//!
//! Each reader (CSV, spreadsheet, JSON) produces a [`table::Table`]; one
//! validation pass turns it into records and a list of every problem, each
//! located as `file:row:column: reason`.

mod columns;
mod csv_reader;
pub mod dates;
mod json_reader;
mod sheet;
mod table;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use unicode_normalization::UnicodeNormalization;

use crate::date::Date;
pub use columns::Field;
pub use dates::DateOrder;

/// The largest roster file: a 100,000-row spreadsheet is about 20 MB.
pub const MAX_ROSTER_BYTES: u64 = 64 * 1024 * 1024;
/// The most data rows a roster may have.
pub const MAX_ROWS: usize = 100_000;
/// The most columns a roster may have.
pub const MAX_COLUMNS: usize = 200;
/// The longest cell, in characters: a long name and title is under 300.
pub const MAX_CELL_CHARS: usize = 2_000;

/// One winner, as read from one roster row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The row number as a spreadsheet shows it (the header is row 1).
    pub row: usize,
    /// Position among the roster's non-empty data rows, from 0, counting
    /// invalid rows too, so serials do not shift when a row is skipped.
    pub ordinal: usize,
    pub recipient: String,
    pub achievement: String,
    pub category: Option<String>,
    pub serial: Option<String>,
    pub date: Option<Date>,
    pub place: Option<String>,
    pub event: Option<String>,
    /// Signatory name, title and NIP for this row, overriding piagam.toml.
    pub signatory: BTreeMap<Field, String>,
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
    #[error(
        "{path}: unsupported roster format '.{extension}' (use .csv, .xlsx, .xls, .ods or .json)"
    )]
    UnsupportedFormat { path: PathBuf, extension: String },
    /// Problems that stop the whole roster from being read.
    #[error("{}", .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<RowProblem>),
}

/// How to read a roster.
#[derive(Debug, Clone, Default)]
pub struct RosterOptions {
    /// The sheet of a workbook; default the first.
    pub sheet: Option<String>,
    /// Extra header → field mappings, from `[columns]` in piagam.toml.
    pub columns: BTreeMap<String, Field>,
    /// Order of numeric dates such as `01/08/2024`.
    pub date_order: Option<DateOrder>,
    /// The header row as the spreadsheet numbers it; default found (see
    /// [`table::Table::find_header`]).
    pub header_row: Option<usize>,
}

/// What was read: the good records, and every problem found.
#[derive(Debug, Clone, Default)]
pub struct Roster {
    pub records: Vec<Record>,
    pub problems: Vec<RowProblem>,
    pub warnings: Vec<String>,
}

impl Roster {
    /// The records, or every problem if there is any.
    pub fn into_valid(self) -> Result<Vec<Record>, RosterError> {
        if self.problems.is_empty() {
            Ok(self.records)
        } else {
            Err(RosterError::Invalid(self.problems))
        }
    }
}

/// Reads and validates a whole roster file.
pub fn read_roster(path: &Path, options: &RosterOptions) -> Result<Roster, RosterError> {
    let bytes =
        crate::fsio::read_capped(path, MAX_ROSTER_BYTES).map_err(|message| RosterError::Io {
            path: path.to_owned(),
            message,
        })?;
    read_roster_bytes(path, &bytes, options)
}

/// Reads a roster from memory; `path` names it in messages and picks the format.
pub fn read_roster_bytes(
    path: &Path,
    bytes: &[u8],
    options: &RosterOptions,
) -> Result<Roster, RosterError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let table = match extension.as_str() {
        "csv" | "txt" | "tsv" => csv_reader::read(path, bytes)?,
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => {
            sheet::read(path, bytes, options.sheet.as_deref())?
        }
        "json" => return validate(path, json_reader::read(path, bytes)?, options),
        _ => {
            return Err(RosterError::UnsupportedFormat {
                path: path.to_owned(),
                extension,
            })
        }
    };
    // Offices put a title block above the headers ("DAFTAR PENERIMA…").
    let first_row = table.header_row;
    let known = |cell: &str| {
        Field::from_header(cell).is_some()
            || options
                .columns
                .keys()
                .any(|name| Field::normalise(name) == Field::normalise(cell))
    };
    let table = match options.header_row {
        Some(row) => table.header_at(row).ok_or_else(|| {
            RosterError::Invalid(vec![RowProblem {
                file: path.to_owned(),
                row: Some(row),
                column: None,
                reason: format!("the header row is set to {row}, but the sheet has no such row"),
            }])
        })?,
        None => table.find_header(known),
    };
    let mut table = table;
    if table.header_row > first_row {
        table.warnings.push(format!(
            "{}: the headers are in row {}; the row(s) above it are taken as a title",
            path.display(),
            table.header_row
        ));
    }
    validate(path, table, options)
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
            | '\u{2060}' | '\u{FEFF}' | '\u{061C}' | '\u{00AD}')
            || c.is_control()
    })
}

fn describe(c: char) -> String {
    let name = match c {
        '\u{202E}' => " (right-to-left override)",
        '\u{202D}' => " (left-to-right override)",
        '\u{202A}'..='\u{202C}' | '\u{2066}'..='\u{2069}' | '\u{061C}' => {
            " (bidirectional control)"
        }
        '\u{200B}' => " (zero-width space)",
        '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => " (zero-width character)",
        '\u{00AD}' => " (soft hyphen)",
        _ => " (control character)",
    };
    format!("U+{:04X}{name}", c as u32)
}

fn validate(
    path: &Path,
    table: table::Table,
    options: &RosterOptions,
) -> Result<Roster, RosterError> {
    let problem = |row: Option<usize>, column: Option<&str>, reason: String| RowProblem {
        file: path.to_owned(),
        row,
        column: column.map(str::to_owned),
        reason,
    };
    let header_row = (table.header_row > 0).then_some(table.header_row);
    if table.rows.len() > MAX_ROWS || table.headers.len() > MAX_COLUMNS {
        return Err(RosterError::Invalid(vec![problem(
            None,
            None,
            format!(
                "the roster has {} rows and {} columns; the limit is {MAX_ROWS} rows and {MAX_COLUMNS} columns (split it into several runs)",
                table.rows.len(),
                table.headers.len()
            ),
        )]));
    }
    let mut headers: Vec<String> = table.headers.iter().map(|h| clean_cell(h)).collect();
    while headers.last().is_some_and(|h| h.is_empty()) {
        headers.pop();
    }
    let fields: Vec<Option<Field>> = headers
        .iter()
        .map(|h| {
            options
                .columns
                .iter()
                .find(|(name, _)| Field::normalise(name) == Field::normalise(h))
                .map(|(_, f)| *f)
                .or_else(|| Field::from_header(h))
        })
        .collect();
    // "No" columns count rows; taking them as serials would replace the
    // numbering pattern with 1, 2, 3.
    let counters: Vec<bool> = headers
        .iter()
        .zip(&fields)
        .map(|(h, f)| f.is_none() && Field::is_row_counter(h))
        .collect();

    let mut file_problems = Vec::new();
    for required in [Field::Recipient, Field::Achievement] {
        if !fields.contains(&Some(required)) {
            file_problems.push(problem(
                header_row,
                None,
                format!(
                    "no '{}' column (headers are: {}); name it {}, or map your column to it in piagam.toml, e.g. [columns] \"{}\" = \"{}\"{}",
                    required.name(),
                    headers.join(", "),
                    required.aliases(),
                    headers
                        .iter()
                        .zip(&fields)
                        .find(|(h, f)| f.is_none() && !h.is_empty())
                        .map_or("Nama Kolom", |(h, _)| h.as_str()),
                    required.name(),
                    if header_row.is_some_and(|r| r > 1) {
                        ""
                    } else {
                        "; if the headers are below a title, set [roster] header_row = N"
                    }
                ),
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (i, h) in headers.iter().enumerate() {
        if let Some(f) = fields[i] {
            if !seen.insert(f) {
                file_problems.push(problem(
                    header_row,
                    Some(h),
                    format!("a second column for '{}'", f.name()),
                ));
            }
        }
    }
    if !file_problems.is_empty() {
        return Err(RosterError::Invalid(file_problems));
    }

    let mut roster = Roster {
        warnings: table.warnings,
        ..Roster::default()
    };
    for (h, _) in headers.iter().zip(&counters).filter(|(_, c)| **c) {
        roster.warnings.push(format!(
            "{}: column '{h}' looks like a row counter and is ignored; serials come from [numbering] (a column named Nomor sets them)",
            path.display()
        ));
    }
    // (recipient, achievement, category) → first row, to catch duplicates.
    let mut firsts: HashMap<(String, String, String), usize> = HashMap::new();
    let mut ordinal = 0usize;
    for raw in table.rows {
        let row = raw.row;
        let is_empty = raw
            .cells
            .iter()
            .all(|c| c.as_ref().is_ok_and(|s| s.trim().is_empty()));
        if is_empty {
            continue;
        }
        let mut problems = Vec::new();
        if let Some((i, _)) = raw
            .cells
            .iter()
            .enumerate()
            .skip(headers.len())
            .find(|(_, c)| !c.as_ref().is_ok_and(|s| s.trim().is_empty()))
        {
            problems.push(problem(
                Some(row),
                None,
                format!(
                    "too many cells: column {} has a value but the header has {} columns",
                    i + 1,
                    headers.len()
                ),
            ));
        }
        ordinal += 1;
        let mut rec = Record {
            row,
            ordinal: ordinal - 1,
            recipient: String::new(),
            achievement: String::new(),
            category: None,
            serial: None,
            date: None,
            place: None,
            event: None,
            signatory: BTreeMap::new(),
            extra: BTreeMap::new(),
        };
        for (i, header) in headers.iter().enumerate() {
            let raw_value = match raw.cells.get(i) {
                None => String::new(),
                Some(Ok(s)) => s.clone(),
                Some(Err(why)) => {
                    problems.push(problem(Some(row), Some(header), why.clone()));
                    continue;
                }
            };
            if raw_value.chars().nth(MAX_CELL_CHARS).is_some() {
                problems.push(problem(
                    Some(row),
                    Some(header),
                    format!(
                        "the cell holds {} characters; the limit is {MAX_CELL_CHARS}",
                        raw_value.chars().count()
                    ),
                ));
                continue;
            }
            let value = clean_cell(&raw_value);
            if let Some(c) = forbidden_char(&value) {
                problems.push(problem(
                    Some(row),
                    Some(header),
                    format!("contains the invisible character {}, which can disguise text; retype the cell", describe(c)),
                ));
                continue;
            }
            let opt = (!value.is_empty()).then(|| value.clone());
            match fields[i] {
                Some(Field::Recipient) => rec.recipient = value,
                Some(Field::Achievement) => rec.achievement = value,
                Some(Field::Category) => rec.category = opt,
                Some(Field::Serial) => rec.serial = opt,
                Some(Field::Place) => rec.place = opt,
                Some(Field::Event) => rec.event = opt,
                Some(f @ (Field::SignatoryName | Field::SignatoryTitle | Field::SignatoryNip)) => {
                    if let Some(v) = opt {
                        rec.signatory.insert(f, v);
                    }
                }
                Some(Field::Date) => {
                    if let Some(v) = opt {
                        match dates::parse_date(&v, options.date_order) {
                            Ok(d) => rec.date = Some(d),
                            Err(dates::DateProblem::Ambiguous) => problems.push(problem(
                                Some(row),
                                Some(header),
                                format!("'{v}' is ambiguous (day/month or month/day?); write 2024-08-01 or declare date_format = \"DD/MM/YYYY\" under [roster] in piagam.toml"),
                            )),
                            Err(dates::DateProblem::Invalid) => problems.push(problem(
                                Some(row),
                                Some(header),
                                format!("'{v}' is not a date (write it as 2024-08-01 or 1 Agustus 2024)"),
                            )),
                        }
                    }
                }
                None => {
                    if !header.is_empty() && !counters[i] {
                        rec.extra.insert(header.clone(), value);
                    }
                }
            }
        }
        for field in [Field::Recipient, Field::Achievement] {
            let value = if field == Field::Recipient {
                &rec.recipient
            } else {
                &rec.achievement
            };
            let column = headers
                .iter()
                .zip(&fields)
                .find(|(_, f)| **f == Some(field))
                .map(|(h, _)| h.as_str());
            let already = problems.iter().any(|p| p.column.as_deref() == column);
            if value.is_empty() && !already {
                problems.push(problem(
                    Some(row),
                    column,
                    "this required field is empty".into(),
                ));
            }
        }
        if problems.is_empty() {
            let key = (
                rec.recipient.to_lowercase(),
                rec.achievement.to_lowercase(),
                rec.category.clone().unwrap_or_default().to_lowercase(),
            );
            if let Some(first) = firsts.get(&key) {
                let column = headers
                    .iter()
                    .zip(&fields)
                    .find(|(_, f)| **f == Some(Field::Recipient))
                    .map(|(h, _)| h.as_str());
                problems.push(problem(
                    Some(row),
                    column,
                    format!(
                        "'{}' already receives '{}'{} in row {first}",
                        rec.recipient,
                        rec.achievement,
                        rec.category
                            .as_deref()
                            .map(|c| format!(" ({c})"))
                            .unwrap_or_default()
                    ),
                ));
            } else {
                firsts.insert(key, row);
            }
        }
        if problems.is_empty() {
            roster.records.push(rec);
        } else {
            roster.problems.extend(problems);
        }
    }
    if roster.records.is_empty() && roster.problems.is_empty() {
        return Err(RosterError::Invalid(vec![problem(
            None,
            None,
            "the roster has no data rows".into(),
        )]));
    }
    Ok(roster)
}
