//! CSV rosters as spreadsheets save them.

use std::path::Path;

use super::table::{RawRow, Table};
use super::{RosterError, RowProblem, MAX_COLUMNS, MAX_ROWS};

pub(super) fn read(path: &Path, bytes: &[u8]) -> Result<Table, RosterError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut warnings = Vec::new();
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_owned(),
        Err(_) => {
            warnings.push(crate::warning::Warning::NotUtf8 {
                roster: path.to_owned(),
            });
            decode_windows_1252(bytes)
        }
    };
    let delimiter = detect_delimiter(text.lines().next().unwrap_or(""));
    // A line of a million empty cells would cost far more memory than its
    // bytes; refuse it before parsing. (Delimiters inside quotes count too,
    // which only matters for lines that are absurd anyway.)
    if let Some((n, line)) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.bytes().filter(|&b| b == delimiter).count() > 4 * MAX_COLUMNS)
    {
        return Err(RosterError::Invalid(vec![RowProblem {
            file: path.to_owned(),
            row: Some(n + 1),
            column: None,
            reason: format!(
                "the line has {} cells; a roster may have at most {MAX_COLUMNS} columns",
                line.bytes().filter(|&b| b == delimiter).count() + 1
            ),
            spot: None,
            kind: None,
        }]));
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());

    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    // Spreadsheet rows = physical lines, less line breaks inside quoted cells.
    let mut counted_to = 0usize;
    let mut line = 1usize;
    let mut embedded = 0usize;
    let mut first_row = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(RosterError::Invalid(vec![RowProblem {
                    file: path.to_owned(),
                    row: e.position().map(|p| p.line() as usize),
                    column: None,
                    reason: format!("not readable as CSV: {e}"),
                    spot: None,
                    kind: None,
                }]))
            }
        }
        let start = record.position().map_or(counted_to, |p| p.byte() as usize);
        let content = text
            .get(start..)
            .and_then(|rest| rest.find(|c| c != '\r' && c != '\n'))
            .map_or(start, |skip| start + skip);
        if let Some(gap) = text.get(counted_to..content) {
            line += gap.matches('\n').count();
        }
        counted_to = content.max(counted_to);
        let row = line - embedded;
        embedded += record
            .iter()
            .map(|f| f.matches('\n').count())
            .sum::<usize>();
        let cells: Vec<String> = record.iter().map(str::to_owned).collect();
        match header {
            None => {
                first_row = row;
                header = Some(cells);
            }
            Some(_) if rows.len() == MAX_ROWS => {
                return Err(RosterError::Invalid(vec![RowProblem {
                    file: path.to_owned(),
                    row: Some(row),
                    column: None,
                    reason: format!(
                        "the roster has more than {MAX_ROWS} rows (split it into several runs)"
                    ),
                    spot: None,
                    kind: None,
                }]))
            }
            Some(_) => rows.push(RawRow {
                row,
                cells: cells.into_iter().map(Ok).collect(),
            }),
        }
    }
    let headers = header.ok_or_else(|| {
        RosterError::Invalid(vec![RowProblem {
            file: path.to_owned(),
            row: None,
            column: None,
            reason: "the roster is empty".into(),
            spot: None,
            kind: None,
        }])
    })?;
    Ok(Table {
        header_row: first_row,
        headers,
        rows,
        warnings,
    })
}

/// Picks the delimiter that splits the header line into the most fields.
fn detect_delimiter(header: &str) -> u8 {
    [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|&d| (header.bytes().filter(|&b| b == d).count(), d == b','))
        .unwrap_or(b',')
}

/// Windows-1252, the "ANSI" code page of Excel on Indonesian and Western
/// Windows. Its five unassigned bytes become C1 controls, which validation
/// then refuses with their location, rather than guessing.
fn decode_windows_1252(bytes: &[u8]) -> String {
    const HIGH: [u16; 32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => {
                char::from_u32(u32::from(HIGH[usize::from(b - 0x80)])).unwrap_or('\u{FFFD}')
            }
            _ => char::from(b),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_maps_the_high_range() {
        assert_eq!(
            decode_windows_1252(b"Ma\x92ruf \x96 caf\xe9 \x80"),
            "Ma’ruf – café €"
        );
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them() {
        let text = "nama;prestasi\r\nA;1\r\n\r\n\"B\r\nC\";2\r\n;;\r\nD;3\r\n";
        let table = read(Path::new("x.csv"), text.as_bytes()).unwrap();
        let rows: Vec<usize> = table.rows.iter().map(|r| r.row).collect();
        assert_eq!(rows, vec![2, 4, 5, 6]);
    }
}
