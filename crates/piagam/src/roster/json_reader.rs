//! JSON rosters: an array of objects, one per winner.

use std::path::Path;

use serde_json::Value;

use super::table::{Cell, RawRow, Table};
use super::{RosterError, RowProblem, MAX_COLUMNS, MAX_ROWS};

pub(super) fn read(path: &Path, bytes: &[u8]) -> Result<Table, RosterError> {
    let fail = |row: Option<usize>, reason: String| {
        RosterError::Invalid(vec![RowProblem {
            file: path.to_owned(),
            row,
            column: None,
            reason,
            spot: None,
            kind: None,
        }])
    };
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| fail(Some(e.line()), format!("not valid JSON: {e}")))?;
    let Value::Array(items) = value else {
        return Err(fail(
            None,
            "expected an array of objects, one per winner".into(),
        ));
    };
    if items.len() > MAX_ROWS {
        return Err(fail(
            None,
            format!(
                "the roster has {} rows; the limit is {MAX_ROWS} (split it into several runs)",
                items.len()
            ),
        ));
    }
    // Headers in order of first appearance. Each row is as wide as all the
    // headers together, so their number is capped before rows are made.
    let mut headers: Vec<String> = Vec::new();
    for item in &items {
        if let Value::Object(map) = item {
            for key in map.keys() {
                if !headers.contains(key) {
                    if headers.len() == MAX_COLUMNS {
                        return Err(fail(
                            None,
                            format!("the objects have more than {MAX_COLUMNS} different keys"),
                        ));
                    }
                    headers.push(key.clone());
                }
            }
        }
    }
    let mut rows = Vec::new();
    for (i, item) in items.iter().enumerate() {
        // Rows are numbered from 1 in the order of the array.
        let row = i + 1;
        let Value::Object(map) = item else {
            return Err(fail(Some(row), format!("item {row} is not an object")));
        };
        let cells = headers
            .iter()
            .map(|h| map.get(h).map_or(Ok(String::new()), value_text))
            .collect();
        rows.push(RawRow { row, cells });
    }
    Ok(Table {
        header_row: 0,
        headers,
        rows,
        warnings: Vec::new(),
    })
}

fn value_text(v: &Value) -> Cell {
    match v {
        Value::Null => Ok(String::new()),
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Array(_) | Value::Object(_) => Err("expected text, found a list or object".into()),
    }
}
