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

/// Headers of the column that holds a winner's email address(es).
const EMAIL_HEADERS: &[&str] = &[
    "email",
    "surel",
    "alamatemail",
    "alamatsurel",
    "emailaddress",
];

/// Whether a column holds the winners' email addresses (`Email`, `E-mail`,
/// `Surel`, `Alamat email`…).
pub fn is_email_header(header: &str) -> bool {
    EMAIL_HEADERS.contains(&Field::normalise(header).as_str())
}

/// The addresses in a cell, separated by `;` or `,`: each checked, none
/// repeated. Empty for an empty cell.
pub fn parse_addresses(cell: &str) -> Result<Vec<String>, String> {
    let mut found: Vec<String> = Vec::new();
    for part in cell
        .split([';', ','])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        if !is_address(part) {
            return Err(format!("'{part}' is not an email address (write it as nama@instansi.go.id; several are separated by ;)"));
        }
        if !found.iter().any(|f| f.eq_ignore_ascii_case(part)) {
            found.push(part.to_owned());
        }
    }
    Ok(found)
}

/// A plain address, `local@domain.tld`, as office mail systems accept
/// them: no display name, no spaces, a domain of letters, digits and
/// hyphens with at least one dot.
fn is_address(text: &str) -> bool {
    let Some((local, domain)) = text.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

/// A record's email addresses: its email column's, checked when read.
pub fn addresses_of(record: &Record) -> Vec<String> {
    record
        .extra
        .iter()
        .filter(|(header, _)| is_email_header(header))
        .flat_map(|(_, cell)| parse_addresses(cell).unwrap_or_default())
        .collect()
}

/// One problem in a roster, located as precisely as possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub file: PathBuf,
    pub row: Option<usize>,
    pub column: Option<String>,
    pub reason: String,
    /// Where in a design the problem lies, when it is the design's: a
    /// text that does not fit, a QR code too small.
    pub spot: Option<DesignSpot>,
    /// What the problem is, with its facts, where a front end may word it
    /// in its own language; `reason` is the command line's English.
    pub kind: Option<ProblemKind>,
}

/// The roster's common problems, each with its facts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum ProblemKind {
    /// No column is read as a required field.
    MissingColumn {
        field: &'static str,
        headers: Vec<String>,
    },
    /// Two columns are read as one field.
    SecondColumn { field: &'static str },
    /// A required cell is empty.
    EmptyRequired,
    /// The same winner, achievement and category as an earlier row.
    SameWinnerTwice { first_row: usize },
    /// A value beyond the headers' last column.
    TooManyCells { column: usize, columns: usize },
    /// No row below the headers holds anything.
    NoDataRows,
}

/// A place in the run's designs: the template (its place among the
/// run's templates) and the element (from 0, in the file's order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DesignSpot {
    pub template: usize,
    pub element: usize,
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
    pub warnings: Vec<crate::warning::Warning>,
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
    validate(path, table_of(path, bytes, options)?, options)
}

/// A roster as a front end shows it before anything is issued: the
/// workbook's sheets, the header row found (or set), each column and the
/// field it is read as, the first rows as written, and every problem.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// The workbook's sheets, in order (none for CSV and JSON).
    pub sheets: Vec<String>,
    pub header_row: usize,
    pub headers: Vec<String>,
    /// Per column, the field it is read as; none for a column of its own
    /// (printable as `{{extra.<header>}}`).
    pub fields: Vec<Option<Field>>,
    /// The first rows: spreadsheet row number and each cell's text.
    pub rows: Vec<(usize, Vec<String>)>,
    pub total_rows: usize,
    pub problems: Vec<RowProblem>,
}

/// Inspects a roster in memory, showing at most `max_rows` rows.
pub fn inspect_bytes(
    path: &Path,
    bytes: &[u8],
    options: &RosterOptions,
    max_rows: usize,
) -> Result<Inspection, RosterError> {
    let extension = extension_of(path);
    let sheets = match extension.as_str() {
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => sheet::names(path, bytes)?,
        _ => Vec::new(),
    };
    let table = table_of(path, bytes, options)?;
    // As validation reads each header: cleaned, then mapped.
    let fields = table
        .headers
        .iter()
        .map(|h| field_of(&clean_cell(h), options))
        .collect();
    let rows = table
        .rows
        .iter()
        .take(max_rows)
        .map(|r| {
            let cells = r
                .cells
                .iter()
                .map(|c| c.clone().unwrap_or_default())
                .collect();
            (r.row, cells)
        })
        .collect();
    let inspection = Inspection {
        sheets,
        header_row: table.header_row,
        headers: table.headers.clone(),
        fields,
        rows,
        total_rows: table.rows.len(),
        problems: Vec::new(),
    };
    let problems = match validate(path, table, options) {
        Ok(roster) => roster.problems,
        Err(RosterError::Invalid(problems)) => problems,
        Err(other) => return Err(other),
    };
    Ok(Inspection {
        problems,
        ..inspection
    })
}

/// The roster's table, its header row found (or as set).
fn table_of(
    path: &Path,
    bytes: &[u8],
    options: &RosterOptions,
) -> Result<table::Table, RosterError> {
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
        "json" => return json_reader::read(path, bytes),
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
                spot: None,
                kind: None,
            }])
        })?,
        None => table.find_header(known),
    };
    let mut table = table;
    if table.header_row > first_row {
        table.warnings.push(crate::warning::Warning::TitleRows {
            roster: path.to_owned(),
            header_row: table.header_row,
        });
    }
    Ok(table)
}

/// The field a header is read as: piagam.toml's `[columns]` first, then
/// the names piagam knows; none for a column of its own.
fn field_of(header: &str, options: &RosterOptions) -> Option<Field> {
    options
        .columns
        .iter()
        .find(|(name, _)| Field::normalise(name) == Field::normalise(header))
        .map(|(_, f)| *f)
        .or_else(|| Field::from_header(header))
}

/// The file's extension in lower case: what picks the reader.
fn extension_of(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
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

impl RowProblem {
    fn of_kind(self, kind: ProblemKind) -> RowProblem {
        RowProblem {
            kind: Some(kind),
            ..self
        }
    }
}

/// A problem with `path`, at a row and column where known.
fn problem(path: &Path, row: Option<usize>, column: Option<&str>, reason: String) -> RowProblem {
    RowProblem {
        file: path.to_owned(),
        row,
        column: column.map(str::to_owned),
        reason,
        spot: None,
        kind: None,
    }
}

/// Checks the table's columns, then reads each row into a record; a row
/// with problems is left out and its problems listed.
fn validate(
    path: &Path,
    table: table::Table,
    options: &RosterOptions,
) -> Result<Roster, RosterError> {
    check_size(path, &table)?;
    let columns = Columns::map(&table.headers, options);
    let header_row = (table.header_row > 0).then_some(table.header_row);
    let file_problems = columns.problems(path, header_row);
    if !file_problems.is_empty() {
        return Err(RosterError::Invalid(file_problems));
    }
    let mut roster = Roster {
        warnings: table.warnings,
        ..Roster::default()
    };
    for h in columns.counters() {
        roster
            .warnings
            .push(crate::warning::Warning::CounterColumn {
                roster: path.to_owned(),
                column: h.to_string(),
            });
    }
    let mut duplicates = Duplicates::default();
    let mut ordinal = 0usize;
    for raw in table.rows {
        let is_empty = raw
            .cells
            .iter()
            .all(|c| c.as_ref().is_ok_and(|s| s.trim().is_empty()));
        if is_empty {
            continue;
        }
        ordinal += 1;
        let read = columns
            .read(path, &raw, ordinal - 1, options)
            .and_then(|rec| match duplicates.first_of(&rec) {
                Some(first) => Err(vec![problem(
                    path,
                    Some(rec.row),
                    columns.column_of(Field::Recipient),
                    format!(
                        "'{}' already receives '{}'{} in row {first}",
                        rec.recipient,
                        rec.achievement,
                        rec.category
                            .as_deref()
                            .map(|c| format!(" ({c})"))
                            .unwrap_or_default()
                    ),
                )
                .of_kind(ProblemKind::SameWinnerTwice { first_row: first })]),
                None => Ok(rec),
            });
        match read {
            Ok(rec) => roster.records.push(rec),
            Err(problems) => roster.problems.extend(problems),
        }
    }
    if roster.records.is_empty() && roster.problems.is_empty() {
        return Err(RosterError::Invalid(vec![problem(
            path,
            None,
            None,
            "the roster has no data rows".into(),
        )
        .of_kind(ProblemKind::NoDataRows)]));
    }
    Ok(roster)
}

/// Refuses a table beyond the row and column caps.
fn check_size(path: &Path, table: &table::Table) -> Result<(), RosterError> {
    if table.rows.len() > MAX_ROWS || table.headers.len() > MAX_COLUMNS {
        return Err(RosterError::Invalid(vec![problem(
            path,
            None,
            None,
            format!(
                "the roster has {} rows and {} columns; the limit is {MAX_ROWS} rows and {MAX_COLUMNS} columns (split it into several runs)",
                table.rows.len(),
                table.headers.len()
            ),
        )]));
    }
    Ok(())
}

/// The roster's columns: each header, the field it fills (if any), and
/// whether it only counts rows.
struct Columns {
    headers: Vec<String>,
    fields: Vec<Option<Field>>,
    /// "No" columns count rows; taking them as serials would replace the
    /// numbering pattern with 1, 2, 3.
    counters: Vec<bool>,
}

impl Columns {
    /// Maps each header to a field: piagam.toml's `[columns]` first, then
    /// the known names in Indonesian and English.
    fn map(raw_headers: &[String], options: &RosterOptions) -> Columns {
        let mut headers: Vec<String> = raw_headers.iter().map(|h| clean_cell(h)).collect();
        while headers.last().is_some_and(|h| h.is_empty()) {
            headers.pop();
        }
        let fields: Vec<Option<Field>> = headers.iter().map(|h| field_of(h, options)).collect();
        let counters = headers
            .iter()
            .zip(&fields)
            .map(|(h, f)| f.is_none() && Field::is_row_counter(h))
            .collect();
        Columns {
            headers,
            fields,
            counters,
        }
    }

    /// The header of the column that fills `field`.
    fn column_of(&self, field: Field) -> Option<&str> {
        self.headers
            .iter()
            .zip(&self.fields)
            .find(|(_, f)| **f == Some(field))
            .map(|(h, _)| h.as_str())
    }

    /// Row-counting columns, which are ignored.
    fn counters(&self) -> impl Iterator<Item = &String> {
        self.headers
            .iter()
            .zip(&self.counters)
            .filter(|(_, c)| **c)
            .map(|(h, _)| h)
    }

    /// What is wrong with the columns themselves: a required field with no
    /// column, or a field with two.
    fn problems(&self, path: &Path, header_row: Option<usize>) -> Vec<RowProblem> {
        let mut found = Vec::new();
        for required in [Field::Recipient, Field::Achievement] {
            if !self.fields.contains(&Some(required)) {
                found.push(problem(
                    path,
                    header_row,
                    None,
                    format!(
                        "no '{}' column (headers are: {}); name it {}, or map your column to it in piagam.toml, e.g. [columns] \"{}\" = \"{}\"{}",
                        required.name(),
                        self.headers.join(", "),
                        required.aliases(),
                        self.headers
                            .iter()
                            .zip(&self.fields)
                            .find(|(h, f)| f.is_none() && !h.is_empty())
                            .map_or("Nama Kolom", |(h, _)| h.as_str()),
                        required.name(),
                        if header_row.is_some_and(|r| r > 1) {
                            ""
                        } else {
                            "; if the headers are below a title, set [roster] header_row = N"
                        }
                    ),
                )
                .of_kind(ProblemKind::MissingColumn {
                    field: required.name(),
                    headers: self.headers.clone(),
                }));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (h, f) in self.headers.iter().zip(&self.fields) {
            if let Some(f) = f {
                if !seen.insert(*f) {
                    found.push(
                        problem(
                            path,
                            header_row,
                            Some(h),
                            format!("a second column for '{}'", f.name()),
                        )
                        .of_kind(ProblemKind::SecondColumn { field: f.name() }),
                    );
                }
            }
        }
        found
    }

    /// One data row as a record, or every problem it has.
    fn read(
        &self,
        path: &Path,
        raw: &table::RawRow,
        ordinal: usize,
        options: &RosterOptions,
    ) -> Result<Record, Vec<RowProblem>> {
        let row = raw.row;
        let mut problems = Vec::new();
        if let Some((i, _)) = raw
            .cells
            .iter()
            .enumerate()
            .skip(self.headers.len())
            .find(|(_, c)| !c.as_ref().is_ok_and(|s| s.trim().is_empty()))
        {
            problems.push(
                problem(
                    path,
                    Some(row),
                    None,
                    format!(
                        "too many cells: column {} has a value but the header has {} columns",
                        i + 1,
                        self.headers.len()
                    ),
                )
                .of_kind(ProblemKind::TooManyCells {
                    column: i + 1,
                    columns: self.headers.len(),
                }),
            );
        }
        let mut rec = Record {
            row,
            ordinal,
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
        for (i, header) in self.headers.iter().enumerate() {
            let at = |reason: String| problem(path, Some(row), Some(header), reason);
            match cell_value(raw.cells.get(i)) {
                Ok(value) => {
                    if let Err(reason) = self.put(&mut rec, i, value, options) {
                        problems.push(at(reason));
                    }
                }
                Err(reason) => problems.push(at(reason)),
            }
        }
        for field in [Field::Recipient, Field::Achievement] {
            let value = match field {
                Field::Recipient => &rec.recipient,
                _ => &rec.achievement,
            };
            let column = self.column_of(field);
            let already = problems.iter().any(|p| p.column.as_deref() == column);
            if value.is_empty() && !already {
                problems.push(
                    problem(
                        path,
                        Some(row),
                        column,
                        "this required field is empty".into(),
                    )
                    .of_kind(ProblemKind::EmptyRequired),
                );
            }
        }
        if problems.is_empty() {
            Ok(rec)
        } else {
            Err(problems)
        }
    }

    /// Puts column `i`'s cleaned value where its field goes in `rec`.
    fn put(
        &self,
        rec: &mut Record,
        i: usize,
        value: String,
        options: &RosterOptions,
    ) -> Result<(), String> {
        let opt = (!value.is_empty()).then(|| value.clone());
        match self.fields[i] {
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
                    rec.date = Some(dates::parse_date(&v, options.date_order).map_err(|e| match e {
                        dates::DateProblem::Ambiguous => format!("'{v}' is ambiguous (day/month or month/day?); write 2024-08-01 or declare date_format = \"DD/MM/YYYY\" under [roster] in piagam.toml"),
                        dates::DateProblem::Invalid => format!("'{v}' is not a date (write it as 2024-08-01 or 1 Agustus 2024)"),
                    })?);
                }
            }
            None => {
                let header = &self.headers[i];
                // Addresses are checked here, so check names the row; they
                // stay an extra column, signed only if a template prints it.
                if is_email_header(header) {
                    parse_addresses(&value)?;
                }
                if !header.is_empty() && !self.counters[i] {
                    rec.extra.insert(header.clone(), value);
                }
            }
        }
        Ok(())
    }
}

/// A cell's text, cleaned, or why it cannot be used: unreadable, too long,
/// or holding an invisible character that can disguise text.
fn cell_value(cell: Option<&Result<String, String>>) -> Result<String, String> {
    let raw = match cell {
        None => return Ok(String::new()),
        Some(Ok(s)) => s,
        Some(Err(why)) => return Err(why.clone()),
    };
    if raw.chars().nth(MAX_CELL_CHARS).is_some() {
        return Err(format!(
            "the cell holds {} characters; the limit is {MAX_CELL_CHARS}",
            raw.chars().count()
        ));
    }
    let value = clean_cell(raw);
    if let Some(c) = forbidden_char(&value) {
        return Err(format!(
            "contains the invisible character {}, which can disguise text; retype the cell",
            describe(c)
        ));
    }
    Ok(value)
}

/// The first row of each (recipient, achievement, category), compared
/// without case, to catch a winner listed twice.
#[derive(Default)]
struct Duplicates(HashMap<(String, String, String), usize>);

impl Duplicates {
    /// The row that first had `rec`'s award, if not this one.
    fn first_of(&mut self, rec: &Record) -> Option<usize> {
        let key = (
            rec.recipient.to_lowercase(),
            rec.achievement.to_lowercase(),
            rec.category.clone().unwrap_or_default().to_lowercase(),
        );
        match self.0.get(&key) {
            Some(first) => Some(*first),
            None => {
                self.0.insert(key, rec.row);
                None
            }
        }
    }
}

#[cfg(test)]
mod address_tests {
    use super::*;

    #[test]
    fn addresses_are_split_checked_and_kept_once() {
        assert_eq!(
            parse_addresses(
                " humas@semarangkota.go.id; Kominfo@Jatengprov.go.id , humas@semarangkota.go.id"
            ),
            Ok(vec![
                "humas@semarangkota.go.id".to_owned(),
                "Kominfo@Jatengprov.go.id".to_owned()
            ])
        );
        assert_eq!(parse_addresses(""), Ok(vec![]));
        for bad in [
            "humas",
            "humas@",
            "@go.id",
            "humas@localhost",
            "a b@x.id",
            "a@x..id",
            "Humas <a@x.id>",
            "a@-x.id",
        ] {
            let err = parse_addresses(bad).unwrap_err();
            assert!(err.contains("is not an email address"), "{bad}: {err}");
        }
        assert!(
            is_email_header("E-mail")
                && is_email_header("Alamat Surel")
                && !is_email_header("Nama")
        );
    }
}
