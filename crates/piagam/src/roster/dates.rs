//! Dates as organizers type them.

use crate::date::Date;

/// A declared day order for dates like `01/08/2024`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    DayMonthYear,
    MonthDayYear,
    YearMonthDay,
}

impl DateOrder {
    /// Reads a format such as `DD/MM/YYYY`, `MM-DD-YYYY` or `YYYY.MM.DD`.
    pub fn parse(format: &str) -> Option<DateOrder> {
        let parts: Vec<String> = format
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|p| !p.is_empty())
            .map(str::to_ascii_uppercase)
            .collect();
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        match parts.as_slice() {
            ["DD" | "D", "MM" | "M", "YYYY"] => Some(DateOrder::DayMonthYear),
            ["MM" | "M", "DD" | "D", "YYYY"] => Some(DateOrder::MonthDayYear),
            ["YYYY", "MM" | "M", "DD" | "D"] => Some(DateOrder::YearMonthDay),
            _ => None,
        }
    }
}

const MONTHS: [[&str; 2]; 12] = [
    ["januari", "january"],
    ["februari", "february"],
    ["maret", "march"],
    ["april", "april"],
    ["mei", "may"],
    ["juni", "june"],
    ["juli", "july"],
    ["agustus", "august"],
    ["september", "september"],
    ["oktober", "october"],
    ["november", "november"],
    ["desember", "december"],
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateProblem {
    Ambiguous,
    Invalid,
}

/// Parses `YYYY-MM-DD`, `1 Agustus 2024` / `1 August 2024`, or numeric
/// dates in the declared order. A numeric date without a declared order is
/// ambiguous: `01/08/2024` is 1 August in Indonesia and 8 January in the US.
pub fn parse_date(text: &str, order: Option<DateOrder>) -> Result<Date, DateProblem> {
    let text = text.trim();
    if let Ok(d) = text.parse::<Date>() {
        return Ok(d);
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    if let [day, month, year] = words.as_slice() {
        let month = month.to_lowercase();
        if let Some(m) = MONTHS
            .iter()
            .position(|names| names.contains(&month.as_str()))
        {
            let day: u8 = day.parse().map_err(|_| DateProblem::Invalid)?;
            let year: u16 = year.parse().map_err(|_| DateProblem::Invalid)?;
            return Date::new(year, m as u8 + 1, day).ok_or(DateProblem::Invalid);
        }
    }
    let numbers: Vec<&str> = text.split(['/', '-', '.']).collect();
    if numbers.len() != 3
        || !numbers
            .iter()
            .all(|n| !n.is_empty() && n.len() <= 4 && n.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(DateProblem::Invalid);
    }
    // Year first (2024/08/01) is never read month-first anywhere.
    let order = if numbers[0].len() == 4 {
        DateOrder::YearMonthDay
    } else {
        order.ok_or(DateProblem::Ambiguous)?
    };
    let n = |i: usize| numbers[i].parse::<u16>().map_err(|_| DateProblem::Invalid);
    let (y, m, d) = match order {
        DateOrder::DayMonthYear => (n(2)?, n(1)?, n(0)?),
        DateOrder::MonthDayYear => (n(2)?, n(0)?, n(1)?),
        DateOrder::YearMonthDay => (n(0)?, n(1)?, n(2)?),
    };
    if y < 1000 {
        return Err(DateProblem::Invalid);
    }
    let m = u8::try_from(m).map_err(|_| DateProblem::Invalid)?;
    let d = u8::try_from(d).map_err(|_| DateProblem::Invalid)?;
    Date::new(y, m, d).ok_or(DateProblem::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn accepts_unambiguous_forms_and_refuses_guessing() {
        assert_eq!(parse_date("2024-08-01", None), Ok(d("2024-08-01")));
        assert_eq!(parse_date("1 Agustus 2024", None), Ok(d("2024-08-01")));
        assert_eq!(parse_date("17 august 2024", None), Ok(d("2024-08-17")));
        assert_eq!(parse_date("01/08/2024", None), Err(DateProblem::Ambiguous));
        let dmy = DateOrder::parse("DD/MM/YYYY");
        assert_eq!(dmy, Some(DateOrder::DayMonthYear));
        assert_eq!(parse_date("01/08/2024", dmy), Ok(d("2024-08-01")));
        assert_eq!(parse_date("1-8-2024", dmy), Ok(d("2024-08-01")));
        assert_eq!(
            parse_date("08/01/2024", DateOrder::parse("MM/DD/YYYY")),
            Ok(d("2024-08-01"))
        );
        assert_eq!(parse_date("31/02/2024", dmy), Err(DateProblem::Invalid));
        assert_eq!(parse_date("besok", None), Err(DateProblem::Invalid));
        assert_eq!(DateOrder::parse("tanggal"), None);
    }
}
