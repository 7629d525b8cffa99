//! Serial numbers from a pattern such as `{seq:03}/ADLGA/{month_roman}/{year}`.

use crate::date::Date;
use crate::locale::roman_month;

/// What a serial is made from.
struct SerialParts<'a> {
    pub seq: u32,
    pub date: Date,
    pub kind: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("unknown placeholder {{{0}}} (use seq, seq:03, year, month, month_roman, kind)")]
    Unknown(String),
    #[error("a '{{' is not closed")]
    Unclosed,
}

/// A numbering pattern for one kind of document: checked, with `{kind}`
/// filled in. It is also the name of its counter in the register, so two
/// kinds that share piagam.toml's pattern count apart.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SerialPattern(String);

impl SerialPattern {
    /// `pattern` for documents of `kind`.
    pub fn for_kind(pattern: &str, kind: &str) -> Result<SerialPattern, PatternError> {
        let filled = pattern.replace("{kind}", kind);
        check_pattern(&filled)?;
        Ok(SerialPattern(filled))
    }

    /// The serial numbered `seq`, for a document dated `date`.
    pub fn serial(&self, seq: u32, date: Date) -> Result<String, PatternError> {
        format_serial(
            &self.0,
            &SerialParts {
                seq,
                date,
                kind: "",
            },
        )
    }

    /// Whether serials carry the year (needed when counters start again
    /// each year, or two years would give the same serial).
    pub fn has_year(&self) -> bool {
        self.0.contains("{year}")
    }

    /// The pattern as written, `{kind}` filled in: the counter's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SerialPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a pattern without making a serial.
pub fn check_pattern(pattern: &str) -> Result<(), PatternError> {
    let date = Date::new(2000, 1, 1).unwrap_or_else(Date::today_utc);
    format_serial(
        pattern,
        &SerialParts {
            seq: 1,
            date,
            kind: "x",
        },
    )
    .map(|_| ())
}

fn format_serial(pattern: &str, parts: &SerialParts) -> Result<String, PatternError> {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after.find('}').ok_or(PatternError::Unclosed)?;
        let name = &after[..end];
        match name {
            "seq" => out.push_str(&parts.seq.to_string()),
            "year" => out.push_str(&parts.date.year().to_string()),
            "month" => out.push_str(&format!("{:02}", parts.date.month())),
            "month_roman" => out.push_str(roman_month(parts.date)),
            "kind" => out.push_str(parts.kind),
            _ => match name.strip_prefix("seq:") {
                Some(width) if !width.is_empty() && width.bytes().all(|b| b.is_ascii_digit()) => {
                    let width: usize = width
                        .parse()
                        .ok()
                        .filter(|w| *w <= 12)
                        .ok_or_else(|| PatternError::Unknown(name.into()))?;
                    out.push_str(&format!("{:0width$}", parts.seq));
                }
                _ => return Err(PatternError::Unknown(name.into())),
            },
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_for_a_kind_names_its_counter_and_makes_serials() {
        let p = SerialPattern::for_kind("{seq:03}/{kind}/{month_roman}/{year}", "PGM").unwrap();
        assert_eq!(p.as_str(), "{seq:03}/PGM/{month_roman}/{year}");
        assert!(p.has_year());
        let date = Date::new(2024, 8, 1).unwrap();
        assert_eq!(p.serial(7, date).unwrap(), "007/PGM/VIII/2024");
        assert_eq!(
            SerialPattern::for_kind("{seq}/{kind}", "A{x}"),
            Err(PatternError::Unknown("x".into()))
        );
        assert!(!SerialPattern::for_kind("{seq}", "A").unwrap().has_year());
    }

    #[test]
    fn formats_letter_style_numbers() {
        let parts = SerialParts {
            seq: 7,
            date: "2024-08-01".parse().unwrap(),
            kind: "piagam",
        };
        assert_eq!(
            format_serial("{seq:03}/ADLGA/{month_roman}/{year}", &parts).unwrap(),
            "007/ADLGA/VIII/2024"
        );
        assert_eq!(format_serial("P-{seq}-{month}", &parts).unwrap(), "P-7-08");
        assert_eq!(
            format_serial("{nope}", &parts),
            Err(PatternError::Unknown("nope".into()))
        );
        assert_eq!(format_serial("{seq", &parts), Err(PatternError::Unclosed));
    }
}
