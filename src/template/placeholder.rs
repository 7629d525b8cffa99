//! `{{field | filter}}` placeholders in template text.

use std::collections::BTreeMap;

use crate::date::Date;
use crate::locale::{self, Language};

/// Fields every record provides (possibly empty).
pub const KNOWN_FIELDS: &[&str] = &[
    "recipient",
    "achievement",
    "category",
    "serial",
    "event",
    "place",
    "date",
    "valid_until",
    "kind",
    "signatory.name",
    "signatory.title",
    "signatory.nip",
];

const FILTERS: &[&str] = &[
    "upper",
    "lower",
    "tanggal",
    "date_en",
    "hari",
    "day_en",
    "bulan_romawi",
    "title",
    "ordinal",
    "ordinal_en",
    "terbilang",
    "words_en",
];

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Literal(String),
    Field { name: String, filters: Vec<String> },
}

/// A parsed template string.
#[derive(Debug, Clone, PartialEq)]
pub struct TextPattern {
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceholderError {
    #[error("'{{{{' is not closed by '}}}}'")]
    Unclosed,
    #[error("unknown field '{0}' (known: {known}, or extra.<column>)", known = KNOWN_FIELDS.join(", "))]
    UnknownField(String),
    #[error("unknown filter '{0}' (known: {known})", known = FILTERS.join(", "))]
    UnknownFilter(String),
}

impl TextPattern {
    pub fn parse(text: &str) -> Result<TextPattern, PlaceholderError> {
        let mut segments = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            if start > 0 {
                segments.push(Segment::Literal(rest[..start].to_owned()));
            }
            let after = &rest[start + 2..];
            let end = after.find("}}").ok_or(PlaceholderError::Unclosed)?;
            let mut parts = after[..end].split('|').map(str::trim);
            let name = parts.next().unwrap_or("").to_owned();
            let is_extra = name
                .strip_prefix("extra.")
                .is_some_and(|column| !column.is_empty());
            if !KNOWN_FIELDS.contains(&name.as_str()) && !is_extra {
                return Err(PlaceholderError::UnknownField(name));
            }
            let filters: Vec<String> = parts.map(str::to_owned).collect();
            if let Some(bad) = filters.iter().find(|f| !FILTERS.contains(&f.as_str())) {
                return Err(PlaceholderError::UnknownFilter(bad.clone()));
            }
            segments.push(Segment::Field { name, filters });
            rest = &after[end + 2..];
        }
        if !rest.is_empty() {
            segments.push(Segment::Literal(rest.to_owned()));
        }
        Ok(TextPattern { segments })
    }

    /// Fields this pattern reads.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Field { name, .. } => Some(name.as_str()),
            Segment::Literal(_) => None,
        })
    }

    /// Fills in the fields. A missing field reads as empty.
    pub fn render(&self, fields: &BTreeMap<String, String>) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Literal(s) => out.push_str(s),
                Segment::Field { name, filters } => {
                    let mut value = fields.get(name).cloned().unwrap_or_default();
                    for f in filters {
                        value = apply_filter(f, &value);
                    }
                    out.push_str(&value);
                }
            }
        }
        out
    }
}

fn apply_filter(filter: &str, value: &str) -> String {
    let date = || value.parse::<Date>().ok();
    let number = || value.trim().parse::<u64>().ok();
    match filter {
        "upper" => value.to_uppercase(),
        "lower" => value.to_lowercase(),
        "title" => locale::title_case(value),
        "ordinal" => number().map_or(value.to_owned(), locale::ordinal_id),
        "ordinal_en" => number().map_or(value.to_owned(), locale::ordinal_en),
        "terbilang" => number().map_or(value.to_owned(), locale::terbilang),
        "words_en" => number().map_or(value.to_owned(), locale::words_en),
        "tanggal" => date().map_or(value.to_owned(), |d| locale::long_date(d, Language::Id)),
        "date_en" => date().map_or(value.to_owned(), |d| locale::long_date(d, Language::En)),
        "hari" => date().map_or(value.to_owned(), |d| {
            locale::weekday_name(d, Language::Id).into()
        }),
        "day_en" => date().map_or(value.to_owned(), |d| {
            locale::weekday_name(d, Language::En).into()
        }),
        "bulan_romawi" => date().map_or(value.to_owned(), |d| locale::roman_month(d).into()),
        _ => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_fields_and_filters() {
        let p = TextPattern::parse("{{place}}, {{ date | tanggal }} — {{extra.Provinsi|upper}}")
            .unwrap();
        let mut f = BTreeMap::new();
        f.insert("place".into(), "Jakarta".into());
        f.insert("date".into(), "2024-08-01".into());
        f.insert("extra.Provinsi".into(), "Jawa Tengah".into());
        assert_eq!(p.render(&f), "Jakarta, 1 Agustus 2024 — JAWA TENGAH");
        f.insert("extra.peringkat".into(), "2".into());
        let p = TextPattern::parse(
            "Juara {{extra.peringkat | ordinal}} / {{extra.peringkat|ordinal_en}} / {{extra.peringkat|terbilang}} / {{date|hari}}, {{date|bulan_romawi}}",
        )
        .unwrap();
        assert_eq!(p.render(&f), "Juara Kedua / Second / dua / Kamis, VIII");
    }

    #[test]
    fn unknown_names_are_refused() {
        assert_eq!(
            TextPattern::parse("{{nama}}"),
            Err(PlaceholderError::UnknownField("nama".into()))
        );
        assert_eq!(
            TextPattern::parse("{{date|tanggall}}"),
            Err(PlaceholderError::UnknownFilter("tanggall".into()))
        );
        assert_eq!(
            TextPattern::parse("{{date"),
            Err(PlaceholderError::Unclosed)
        );
    }
}
