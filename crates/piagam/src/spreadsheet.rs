//! CSV files people open in Excel or LibreOffice.

/// A cell as a spreadsheet may safely open it: text that Excel or
/// LibreOffice would run as a formula (`=`, `+`, `-`, `@`, or a leading tab
/// or carriage return) gets a leading apostrophe, which they show as text.
/// Only CSV files change; seals and PDFs keep the value as is.
pub fn safe_cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formulas_become_text_and_the_rest_stays() {
        assert_eq!(super::safe_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(super::safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(super::safe_cell("Kota Semarang"), "Kota Semarang");
    }
}
