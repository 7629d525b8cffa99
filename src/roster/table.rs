//! The common shape every reader produces: headers and rows of cells, with
//! spreadsheet row numbers. Validation happens after, in one place.

/// One cell: its text, or why it could not be read.
pub type Cell = Result<String, String>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    /// The row number a spreadsheet shows (the header is usually row 1).
    pub row: usize,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub header_row: usize,
    pub headers: Vec<String>,
    pub rows: Vec<RawRow>,
    /// Things the user should know that are not errors.
    pub warnings: Vec<String>,
}
