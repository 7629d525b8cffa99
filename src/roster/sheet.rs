//! XLSX, XLS and ODS rosters, through calamine.

use std::io::Cursor;
use std::path::Path;

use calamine::{open_workbook_auto_from_rs, Data, Reader};

use super::table::{Cell, RawRow, Table};
use super::{RosterError, RowProblem};

pub(super) fn read(path: &Path, bytes: &[u8], sheet: Option<&str>) -> Result<Table, RosterError> {
    let fail = |reason: String| {
        RosterError::Invalid(vec![RowProblem {
            file: path.to_owned(),
            row: None,
            column: None,
            reason,
        }])
    };
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e| fail(format!("not a readable spreadsheet: {e}")))?;
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
    let range = book
        .worksheet_range(&name)
        .map_err(|e| fail(format!("sheet '{name}': {e}")))?;
    let Some((first_row, _)) = range.start() else {
        return Err(fail(format!("sheet '{name}' is empty")));
    };
    let mut rows = range.rows();
    let header_cells = rows
        .next()
        .ok_or_else(|| fail(format!("sheet '{name}' is empty")))?;
    let headers = header_cells
        .iter()
        .map(|c| cell_text(c).unwrap_or_default())
        .collect();
    let header_row = first_row as usize + 1;
    let body = rows
        .enumerate()
        .map(|(i, cells)| RawRow {
            row: header_row + 1 + i,
            cells: cells.iter().map(cell_text).collect(),
        })
        .collect();
    Ok(Table {
        header_row,
        headers,
        rows: body,
        warnings: Vec::new(),
    })
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
