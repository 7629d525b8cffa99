//! XLSX, XLS and ODS rosters, through calamine.

use std::io::Cursor;
use std::path::Path;

use calamine::{open_workbook_auto_from_rs, Data, Reader, Sheets};

use super::table::{Cell, RawRow, Table};
use super::{RosterError, RowProblem, MAX_COLUMNS, MAX_ROWS};

/// A problem with the whole workbook.
fn failure(path: &Path, reason: String) -> RosterError {
    RosterError::Invalid(vec![RowProblem {
        file: path.to_owned(),
        row: None,
        column: None,
        reason,
        spot: None,
        kind: None,
    }])
}

/// The workbook, once its unpacked size is known to be within the cap.
fn open(path: &Path, bytes: &[u8]) -> Result<Sheets<Cursor<Vec<u8>>>, RosterError> {
    check_unpacked_size(bytes).map_err(|r| failure(path, r))?;
    open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e| failure(path, format!("not a readable spreadsheet: {e}")))
}

/// The workbook's sheet names, in order.
pub(super) fn names(path: &Path, bytes: &[u8]) -> Result<Vec<String>, RosterError> {
    Ok(open(path, bytes)?.sheet_names())
}

pub(super) fn read(path: &Path, bytes: &[u8], sheet: Option<&str>) -> Result<Table, RosterError> {
    let fail = |reason: String| failure(path, reason);
    let mut book = open(path, bytes)?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(wanted)))
            .cloned()
            .ok_or_else(|| {
                fail(format!(
                    "no sheet named '{wanted}' (sheets: {})",
                    names.join(", ")
                ))
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| fail("the workbook has no sheets".into()))?,
    };
    let sheet_error = |e: &dyn std::fmt::Display| fail(format!("sheet '{name}': {e}"));
    // XLSX and XLSB are read cell by cell, so a sheet that declares (or
    // holds one cell at) XFD1048576 costs nothing before it is refused.
    let mut cells = Cells::default();
    // The two readers are different types with the same methods.
    macro_rules! stream_cells {
        ($workbook:expr) => {{
            let mut reader = $workbook
                .worksheet_cells_reader(&name)
                .map_err(|e| sheet_error(&e))?;
            while let Some(cell) = reader.next_cell().map_err(|e| sheet_error(&e))? {
                let (row, col) = cell.get_position();
                cells
                    .put(row, col, Data::from(cell.get_value().clone()))
                    .map_err(&fail)?;
            }
        }};
    }
    match &mut book {
        Sheets::Xlsx(x) => stream_cells!(x),
        Sheets::Xlsb(x) => stream_cells!(x),
        _ => {
            let range = book.worksheet_range(&name).map_err(|e| sheet_error(&e))?;
            for (row, col, data) in range.used_cells() {
                let (start_row, start_col) = range.start().unwrap_or((0, 0));
                cells
                    .put(start_row + row as u32, start_col + col as u32, data.clone())
                    .map_err(&fail)?;
            }
        }
    }
    cells
        .into_table()
        .ok_or_else(|| fail(format!("sheet '{name}' is empty")))
}

/// A workbook is a zip of XML files; this much unpacked XML is far beyond
/// any roster, and a small file that unpacks to gigabytes is a zip bomb.
pub const MAX_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;

fn check_unpacked_size(bytes: &[u8]) -> Result<(), String> {
    if !bytes.starts_with(b"PK") {
        return Ok(()); // XLS, or not a workbook at all: calamine says which.
    }
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(()); // calamine reports the damage in its own words
    };
    // The central directory holds every entry's unpacked size, also for
    // entries written with the sizes after the data.
    let mut total = 0u64;
    for i in 0..archive.len() {
        if let Ok(entry) = archive.by_index_raw(i) {
            total = total.saturating_add(entry.size());
        }
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(format!(
            "the workbook unpacks to {} MB, more than the {} MB a roster may hold; save only the sheet with the winners, or as CSV",
            total / 1_000_000,
            MAX_UNPACKED_BYTES / 1_000_000
        ));
    }
    Ok(())
}

/// The non-empty cells of a sheet, bounded as any roster is.
#[derive(Default)]
struct Cells {
    rows: std::collections::BTreeMap<u32, Vec<(u32, Data)>>,
    count: usize,
}

impl Cells {
    fn put(&mut self, row: u32, col: u32, data: Data) -> Result<(), String> {
        if matches!(data, Data::Empty) {
            return Ok(());
        }
        if row as usize > MAX_ROWS || col as usize >= MAX_COLUMNS {
            return Err(format!(
                "a value lies in row {}, column {}: beyond the {MAX_ROWS} rows and {MAX_COLUMNS} columns a roster may have",
                row as u64 + 1,
                col as u64 + 1
            ));
        }
        self.count += 1;
        self.rows.entry(row).or_default().push((col, data));
        Ok(())
    }

    /// Rows from the first non-empty one, which holds the headers.
    fn into_table(self) -> Option<Table> {
        let first_row = *self.rows.keys().next()?;
        let first_col = self
            .rows
            .values()
            .flat_map(|cells| cells.iter().map(|(c, _)| *c))
            .min()?;
        let dense = |cells: Vec<(u32, Data)>| -> Vec<Cell> {
            let width = cells
                .iter()
                .map(|(c, _)| c - first_col + 1)
                .max()
                .unwrap_or(0);
            let mut out: Vec<Cell> = vec![Ok(String::new()); width as usize];
            for (c, data) in cells {
                out[(c - first_col) as usize] = cell_text(&data);
            }
            out
        };
        let mut rows = self.rows.into_iter();
        let (_, header_cells) = rows.next()?;
        let headers = dense(header_cells)
            .into_iter()
            .map(|c| c.unwrap_or_default())
            .collect();
        let body = rows
            .map(|(r, cells)| RawRow {
                row: r as usize + 1,
                cells: dense(cells),
            })
            .collect();
        Some(Table {
            header_row: first_row as usize + 1,
            headers,
            rows: body,
            warnings: Vec::new(),
        })
    }
}

/// The text a cell stands for, as the organizer typed or saw it.
fn cell_text(data: &Data) -> Cell {
    match data {
        Data::Empty => Ok(String::new()),
        Data::String(s) => Ok(s.clone()),
        Data::Int(i) => Ok(i.to_string()),
        Data::Bool(b) => Ok(if *b { "TRUE" } else { "FALSE" }.into()),
        Data::Float(f) => number_text(*f),
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            if dt.is_duration() {
                Err("a duration cell cannot be read as text".into())
            } else {
                Ok(format!("{y:04}-{m:02}-{d:02}"))
            }
        }
        Data::DateTimeIso(s) => Ok(s.get(..10).unwrap_or(s).to_owned()),
        Data::DurationIso(s) => Ok(s.clone()),
        Data::Error(e) => Err(format!("the cell holds the spreadsheet error {e}")),
    }
}

/// Numbers that are really identifiers (NIP, NIK, phone) must keep every
/// digit. Excel stores numbers as doubles, which hold 15 significant digits;
/// past that, digits are already lost and nothing here can bring them back.
fn number_text(f: f64) -> Cell {
    if !f.is_finite() {
        return Err("the cell holds a number that is not finite".into());
    }
    if f.fract() == 0.0 {
        if f.abs() >= 1e15 {
            return Err(format!(
                "the number {f:.0} has more than 15 digits, so Excel has already changed its last digits; \
                 format the column as Text and type it again"
            ));
        }
        return Ok(format!("{}", f as i64));
    }
    // Shortest text that reads back as the same double.
    let text = format!("{f}");
    let significant = text.chars().filter(char::is_ascii_digit).count();
    if significant > 15 {
        return Err(format!(
            "the number {text} has more than 15 significant digits; format the column as Text"
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_digits_or_fail() {
        assert_eq!(number_text(42.0), Ok("42".into()));
        assert_eq!(number_text(197001011995031.0), Ok("197001011995031".into()));
        assert_eq!(number_text(2.5), Ok("2.5".into()));
        assert!(number_text(197001011995031001.0).is_err());
    }
}
