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

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header_row: usize,
    pub headers: Vec<String>,
    pub rows: Vec<RawRow>,
    /// Things the user should know that are not errors.
    pub warnings: Vec<crate::warning::Warning>,
}

/// How far down a header row is looked for.
const HEADER_SEARCH_ROWS: usize = 20;

impl Table {
    /// The table with its headers taken from spreadsheet row `row`, the
    /// rows above it dropped; none if there is no such row.
    pub fn header_at(self, row: usize) -> Option<Table> {
        if row == self.header_row {
            return Some(self);
        }
        let at = self.rows.iter().position(|r| r.row == row)?;
        Some(self.headers_from(at))
    }

    /// Takes the headers from `rows[at]`; the rows above it are a title.
    fn headers_from(mut self, at: usize) -> Table {
        let header = self.rows.remove(at);
        self.rows.drain(..at);
        self.headers = header
            .cells
            .into_iter()
            .map(|c| c.unwrap_or_default())
            .collect();
        self.header_row = header.row;
        self
    }

    /// The table with its headers in the first of its first rows that
    /// names at least two known columns (`known` says which a header
    /// names); as read if the first row does, or none does.
    pub fn find_header(self, known: impl Fn(&str) -> bool) -> Table {
        let names = |cells: &mut dyn Iterator<Item = &str>| cells.filter(|c| known(c)).count();
        if names(&mut self.headers.iter().map(String::as_str)) >= 2 {
            return self;
        }
        let found = self
            .rows
            .iter()
            .take(HEADER_SEARCH_ROWS - 1)
            .position(|r| names(&mut r.cells.iter().filter_map(|c| c.as_deref().ok())) >= 2);
        match found {
            Some(at) => self.headers_from(at),
            None => self,
        }
    }
}
