//! `{{field | filter}}` placeholders in template text.
//!
//! A template can print only fields that the seal signs, so that a verifier
//! can show everything the paper says: the fields of
//! [`crate::print_field::PrintField`].

use std::collections::BTreeMap;

use crate::date::Date;
use crate::locale::{self, Language};

use crate::print_field::PrintField;
pub use crate::print_field::EXTRA_PREFIX;

/// True if a template may print `name`: it is signed, or design.
pub fn is_signed_field(name: &str) -> bool {
    PrintField::parse(name).is_some()
}

type FilterFn = fn(&str, Language) -> Option<String>;

fn number(v: &str) -> Option<u64> {
    v.trim().parse().ok()
}

fn date(v: &str) -> Option<Date> {
    v.parse().ok()
}

/// Every filter, by name. Those without a language in their name follow the
/// document's language. A filter that does not apply (a date filter on
/// text that is not a date) leaves the value as it is.
const FILTERS: &[(&str, FilterFn)] = &[
    ("upper", |v, _| Some(v.to_uppercase())),
    ("lower", |v, _| Some(v.to_lowercase())),
    ("title", |v, _| Some(locale::title_case(v))),
    ("long", |v, l| date(v).map(|d| locale::long_date(d, l))),
    ("day", |v, l| {
        date(v).map(|d| locale::weekday_name(d, l).into())
    }),
    ("ordinal", |v, l| {
        number(v).map(|n| match l {
            Language::Id => locale::ordinal_id(n),
            Language::En => locale::ordinal_en(n),
        })
    }),
    ("words", |v, l| {
        number(v).map(|n| match l {
            Language::Id => locale::terbilang(n),
            Language::En => locale::words_en(n),
        })
    }),
    ("tanggal", |v, _| {
        date(v).map(|d| locale::long_date(d, Language::Id))
    }),
    ("date_en", |v, _| {
        date(v).map(|d| locale::long_date(d, Language::En))
    }),
    ("hari", |v, _| {
        date(v).map(|d| locale::weekday_name(d, Language::Id).into())
    }),
    ("day_en", |v, _| {
        date(v).map(|d| locale::weekday_name(d, Language::En).into())
    }),
    ("roman", |v, _| number(v).and_then(locale::roman)),
    ("romawi", |v, _| number(v).and_then(locale::roman)),
    ("bulan_romawi", |v, _| {
        date(v).map(|d| locale::roman_month(d).into())
    }),
    ("ordinal_id", |v, _| number(v).map(locale::ordinal_id)),
    ("ordinal_en", |v, _| number(v).map(locale::ordinal_en)),
    ("terbilang", |v, _| number(v).map(locale::terbilang)),
    ("words_en", |v, _| number(v).map(locale::words_en)),
];

fn filter_names() -> String {
    FILTERS
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

fn field_names() -> String {
    PrintField::known_names()
}

#[derive(Debug, Clone)]
enum Segment {
    Literal(String),
    Field {
        name: String,
        filters: Vec<(&'static str, FilterFn)>,
    },
}

/// Field `name`'s value, its filters applied in order (one that does not
/// apply leaves the value as it is); empty if the field is missing.
fn filled(
    name: &str,
    filters: &[(&'static str, FilterFn)],
    fields: &BTreeMap<String, String>,
    lang: Language,
) -> String {
    let mut value = fields.get(name).cloned().unwrap_or_default();
    for (_, apply) in filters {
        if let Some(v) = apply(&value, lang) {
            value = v;
        }
    }
    value
}

/// A parsed template string.
#[derive(Debug, Clone)]
pub struct TextPattern {
    segments: Vec<Segment>,
}

impl PartialEq for TextPattern {
    fn eq(&self, other: &Self) -> bool {
        self.source_form() == other.source_form()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceholderError {
    #[error("'{{{{' is not closed by '}}}}'")]
    Unclosed,
    #[error("'{0}' is not a field the seal signs, so a template cannot print it (fields: {fields}, or extra.<column>)", fields = field_names())]
    UnsignedField(String),
    #[error("unknown filter '{0}' (known: {known})", known = filter_names())]
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
            if !is_signed_field(&name) {
                return Err(PlaceholderError::UnsignedField(name));
            }
            let filters = parts
                .map(|f| {
                    FILTERS
                        .iter()
                        .find(|(n, _)| *n == f)
                        .copied()
                        .ok_or_else(|| PlaceholderError::UnknownFilter(f.to_owned()))
                })
                .collect::<Result<Vec<_>, _>>()?;
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

    /// Fills in the fields, with filters in `lang`. A missing field reads
    /// as empty.
    pub fn render(&self, fields: &BTreeMap<String, String>, lang: Language) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Literal(s) => out.push_str(s),
                Segment::Field { name, filters } => {
                    out.push_str(&filled(name, filters, fields, lang));
                }
            }
        }
        out
    }

    /// The first placeholder of field `name`, filled and filtered, alone;
    /// None if the pattern does not print that field.
    pub fn render_field(
        &self,
        name: &str,
        fields: &BTreeMap<String, String>,
        lang: Language,
    ) -> Option<String> {
        self.segments.iter().find_map(|segment| match segment {
            Segment::Field { name: n, filters } if n == name => {
                Some(filled(name, filters, fields, lang))
            }
            _ => None,
        })
    }

    /// The pattern written back, for comparisons and messages.
    fn source_form(&self) -> String {
        self.segments
            .iter()
            .map(|s| match s {
                Segment::Literal(l) => l.clone(),
                Segment::Field { name, filters } => {
                    let mut f = format!("{{{{{name}");
                    for (n, _) in filters {
                        f.push('|');
                        f.push_str(n);
                    }
                    f + "}}"
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> BTreeMap<String, String> {
        let mut f = BTreeMap::new();
        f.insert("place".into(), "Jakarta".into());
        f.insert("date".into(), "2024-08-01".into());
        f.insert("extra.Provinsi".into(), "Jawa Tengah".into());
        f.insert("extra.peringkat".into(), "2".into());
        f
    }

    #[test]
    fn renders_fields_and_filters() {
        let p = TextPattern::parse("{{place}}, {{ date | tanggal }} — {{extra.Provinsi|upper}}")
            .unwrap();
        assert_eq!(
            p.render(&fields(), Language::En),
            "Jakarta, 1 Agustus 2024 — JAWA TENGAH"
        );
        let p = TextPattern::parse(
            "Juara {{extra.peringkat | ordinal_id}} / {{extra.peringkat|ordinal_en}} / {{extra.peringkat|terbilang}} / {{date|hari}}, {{date|bulan_romawi}}",
        )
        .unwrap();
        assert_eq!(
            p.render(&fields(), Language::Id),
            "Juara Kedua / Second / dua / Kamis, VIII"
        );
        let p =
            TextPattern::parse("Peringkat {{extra.peringkat | roman}} ({{place|romawi}})").unwrap();
        // A value that is no number is left as it is.
        assert_eq!(p.render(&fields(), Language::Id), "Peringkat II (Jakarta)");
    }

    #[test]
    fn plain_filters_follow_the_document_language() {
        let p = TextPattern::parse(
            "{{date | long}}, {{date|day}}, {{extra.peringkat|ordinal}}, {{extra.peringkat|words}}",
        )
        .unwrap();
        assert_eq!(
            p.render(&fields(), Language::Id),
            "1 Agustus 2024, Kamis, Kedua, dua"
        );
        assert_eq!(
            p.render(&fields(), Language::En),
            "1 August 2024, Thursday, Second, two"
        );
    }

    #[test]
    fn a_filter_that_does_not_apply_leaves_the_value() {
        let p = TextPattern::parse("{{place | long}} {{place|ordinal}}").unwrap();
        assert_eq!(p.render(&fields(), Language::Id), "Jakarta Jakarta");
    }

    #[test]
    fn unsigned_fields_and_unknown_filters_are_refused() {
        assert_eq!(
            TextPattern::parse("{{nama}}"),
            Err(PlaceholderError::UnsignedField("nama".into()))
        );
        assert_eq!(
            TextPattern::parse("{{extra.}}"),
            Err(PlaceholderError::UnsignedField("extra.".into()))
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

    #[test]
    fn every_filter_name_is_unique() {
        let mut names: Vec<&str> = FILTERS.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FILTERS.len());
    }
}
