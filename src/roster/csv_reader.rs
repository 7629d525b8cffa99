//! CSV rosters as spreadsheets save them.

use std::collections::BTreeMap;
use std::path::Path;

use super::{clean_cell, forbidden_char, Field, Record, RosterError, RowProblem};

pub(super) fn read(path: &Path, bytes: &[u8]) -> Result<Vec<Record>, RosterError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        RosterError::Invalid(vec![RowProblem {
            file: path.to_owned(),
            row: None,
            column: None,
            reason: format!("the file is not UTF-8 (byte offset {})", e.valid_up_to()),
        }])
    })?;
    let delimiter = detect_delimiter(text.lines().next().unwrap_or(""));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());

    let problem = |row: Option<usize>, column: Option<&str>, reason: String| RowProblem {
        file: path.to_owned(),
        row,
        column: column.map(str::to_owned),
        reason,
    };
    let mut problems = Vec::new();
    let mut rows = reader.records();
    let header = match rows.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            return Err(RosterError::Invalid(vec![problem(
                Some(1),
                None,
                e.to_string(),
            )]))
        }
        None => {
            return Err(RosterError::Invalid(vec![problem(
                None,
                None,
                "the roster is empty".into(),
            )]))
        }
    };
    let mut headers: Vec<String> = header.iter().map(clean_cell).collect();
    while headers.last().is_some_and(|h| h.is_empty()) {
        headers.pop();
    }
    let fields: Vec<Option<Field>> = headers.iter().map(|h| Field::from_header(h)).collect();
    for required in [Field::Recipient, Field::Achievement] {
        if !fields.contains(&Some(required)) {
            problems.push(problem(
                Some(1),
                None,
                format!(
                    "no '{}' column (headers are: {})",
                    required.name(),
                    headers.join(", ")
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(RosterError::Invalid(problems));
    }

    let mut records = Vec::new();
    for result in rows {
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                let row = e.position().map(|p| p.line() as usize);
                problems.push(problem(row, None, e.to_string()));
                continue;
            }
        };
        let row = record.position().map_or(0, |p| p.line() as usize);
        let cells: Vec<String> = record.iter().map(clean_cell).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if let Some((i, _)) = cells
            .iter()
            .enumerate()
            .skip(headers.len())
            .find(|(_, c)| !c.is_empty())
        {
            problems.push(problem(
                Some(row),
                None,
                format!(
                    "the row has a value in column {} but the header has only {} columns",
                    i + 1,
                    headers.len()
                ),
            ));
            continue;
        }
        let mut rec = Record {
            row,
            recipient: String::new(),
            achievement: String::new(),
            category: None,
            serial: None,
            date: None,
            place: None,
            event: None,
            extra: BTreeMap::new(),
        };
        for (i, header) in headers.iter().enumerate() {
            let value = cells.get(i).cloned().unwrap_or_default();
            if let Some(c) = forbidden_char(&value) {
                problems.push(problem(
                    Some(row),
                    Some(header),
                    format!(
                        "contains the invisible or control character U+{:04X}",
                        c as u32
                    ),
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
                Some(Field::Date) => {
                    if let Some(v) = opt {
                        match v.parse() {
                            Ok(d) => rec.date = Some(d),
                            Err(_) => problems.push(problem(
                                Some(row),
                                Some(header),
                                format!("'{v}' is not a date in the form YYYY-MM-DD"),
                            )),
                        }
                    }
                }
                None => {
                    if !header.is_empty() {
                        rec.extra.insert(header.clone(), value);
                    }
                }
            }
        }
        for (field, value) in [
            (Field::Recipient, &rec.recipient),
            (Field::Achievement, &rec.achievement),
        ] {
            if value.is_empty() {
                let column = headers
                    .iter()
                    .zip(&fields)
                    .find(|(_, f)| **f == Some(field))
                    .map(|(h, _)| h.as_str());
                problems.push(problem(
                    Some(row),
                    column,
                    "this required field is empty".into(),
                ));
            }
        }
        records.push(rec);
    }
    if records.is_empty() && problems.is_empty() {
        problems.push(problem(None, None, "the roster has no data rows".into()));
    }
    if problems.is_empty() {
        Ok(records)
    } else {
        Err(RosterError::Invalid(problems))
    }
}

/// Picks the delimiter that splits the header line into the most fields.
fn detect_delimiter(header: &str) -> u8 {
    [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|&d| (header.bytes().filter(|&b| b == d).count(), d == b','))
        .unwrap_or(b',')
}
