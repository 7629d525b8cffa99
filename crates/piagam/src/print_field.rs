//! The fields a page can print, in one list: their names in templates
//! (`{{recipient}}`, `{{extra.Provinsi}}`), the claim that signs each
//! (docs/FORMAT.md §4), and their labels in reports and on the
//! verification page. The roster's columns, the template checker, the
//! printed values, the text report and the page's labels are all made
//! from this list, so a name cannot mean one thing here and another there.

use std::fmt;

use crate::locale::Language;

/// A field a template may print.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrintField {
    Recipient,
    Achievement,
    Category,
    Serial,
    Event,
    Place,
    Date,
    ValidUntil,
    Kind,
    /// The same for every document of a run (design, like the logo)
    /// unless a roster column sets it for a row; then it is signed.
    SignatoryName,
    SignatoryTitle,
    SignatoryNip,
    /// A roster column of the organizer's own, signed under its name.
    Extra(String),
}

/// Prefix of the roster's own columns in templates.
pub const EXTRA_PREFIX: &str = "extra.";

impl PrintField {
    /// Every field but the roster's own columns, in the order reports list them.
    pub const KNOWN: [PrintField; 12] = [
        PrintField::Recipient,
        PrintField::Achievement,
        PrintField::Category,
        PrintField::Serial,
        PrintField::Event,
        PrintField::Place,
        PrintField::Date,
        PrintField::ValidUntil,
        PrintField::Kind,
        PrintField::SignatoryName,
        PrintField::SignatoryTitle,
        PrintField::SignatoryNip,
    ];

    /// The field a template names, or None for a name that is no field
    /// (a template that prints it does not load).
    pub fn parse(name: &str) -> Option<PrintField> {
        if let Some(column) = name.strip_prefix(EXTRA_PREFIX) {
            return (!column.trim().is_empty()).then(|| PrintField::Extra(column.to_owned()));
        }
        PrintField::KNOWN
            .into_iter()
            .find(|f| f.known_name() == Some(name))
    }

    /// A known field's name; none for a roster column of its own.
    pub fn known_name(&self) -> Option<&'static str> {
        Some(match self {
            PrintField::Recipient => "recipient",
            PrintField::Achievement => "achievement",
            PrintField::Category => "category",
            PrintField::Serial => "serial",
            PrintField::Event => "event",
            PrintField::Place => "place",
            PrintField::Date => "date",
            PrintField::ValidUntil => "valid_until",
            PrintField::Kind => "kind",
            PrintField::SignatoryName => "signatory.name",
            PrintField::SignatoryTitle => "signatory.title",
            PrintField::SignatoryNip => "signatory.nip",
            PrintField::Extra(_) => return None,
        })
    }

    /// The key under claim 8 ("extra") where the field is signed, for
    /// those signed there: the category, a per-row signatory, the
    /// roster's own columns.
    pub fn extra_key(&self) -> Option<&str> {
        match self {
            PrintField::Category => Some("category"),
            PrintField::SignatoryName => Some("signatory.name"),
            PrintField::SignatoryTitle => Some("signatory.title"),
            PrintField::SignatoryNip => Some("signatory.nip"),
            PrintField::Extra(column) => Some(column),
            _ => None,
        }
    }

    /// The field an extra claim's key shows: piagam's own keys by their
    /// field, any other as the roster column it came from.
    pub fn from_extra_key(key: &str) -> PrintField {
        PrintField::KNOWN
            .into_iter()
            .find(|f| f.extra_key() == Some(key))
            .unwrap_or_else(|| PrintField::Extra(key.to_owned()))
    }

    /// Where the seal signs the field (docs/FORMAT.md §4).
    pub fn signed_in(&self) -> String {
        match self {
            PrintField::Recipient => "claim 3".into(),
            PrintField::Achievement => "claim 4".into(),
            PrintField::Serial => "claim 1".into(),
            PrintField::Event => "claim 5".into(),
            PrintField::Place => "claim 7".into(),
            PrintField::Date => "claim 6".into(),
            PrintField::ValidUntil => "claim 9".into(),
            PrintField::Kind => "claim 2".into(),
            PrintField::Category | PrintField::Extra(_) => {
                format!("claim 8 \"{}\"", self.extra_key().unwrap_or_default())
            }
            PrintField::SignatoryName | PrintField::SignatoryTitle | PrintField::SignatoryNip => {
                format!(
                    "piagam.toml, or claim 8 \"{}\"",
                    self.extra_key().unwrap_or_default()
                )
            }
        }
    }

    /// The field's label where a verifier lists what was signed. A roster
    /// column is labelled by its own name.
    pub fn label(&self, lang: Language) -> &str {
        let id = lang == Language::Id;
        match self {
            PrintField::Recipient => pick(id, "Penerima", "Recipient"),
            PrintField::Achievement => pick(id, "Prestasi", "Achievement"),
            PrintField::Category => pick(id, "Kategori", "Category"),
            PrintField::Serial => pick(id, "Nomor", "Number"),
            PrintField::Event => pick(id, "Acara", "Event"),
            PrintField::Place => pick(id, "Tempat", "Place"),
            PrintField::Date => pick(id, "Tanggal", "Date"),
            PrintField::ValidUntil => pick(id, "Berlaku hingga", "Valid until"),
            PrintField::Kind => pick(id, "Jenis", "Kind"),
            PrintField::SignatoryName => pick(id, "Penanda tangan", "Signed by"),
            PrintField::SignatoryTitle => pick(id, "Jabatan penanda tangan", "Signatory's title"),
            PrintField::SignatoryNip => pick(id, "NIP penanda tangan", "Signatory's NIP"),
            PrintField::Extra(column) => column,
        }
    }

    /// The names of every known field, for messages.
    pub fn known_names() -> String {
        PrintField::KNOWN
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn pick<'a>(id: bool, indonesian: &'a str, english: &'a str) -> &'a str {
    if id {
        indonesian
    } else {
        english
    }
}

impl fmt::Display for PrintField {
    /// The name a template writes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrintField::Extra(column) => write!(f, "{EXTRA_PREFIX}{column}"),
            known => f.write_str(known.known_name().unwrap_or_default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_to_its_field() {
        for f in PrintField::KNOWN {
            assert_eq!(PrintField::parse(&f.to_string()), Some(f.clone()), "{f}");
        }
        assert_eq!(
            PrintField::parse("extra.Provinsi"),
            Some(PrintField::Extra("Provinsi".into()))
        );
        assert_eq!(PrintField::parse("extra. "), None);
        assert_eq!(PrintField::parse("recipent"), None);
        assert_eq!(PrintField::parse("Recipient"), None, "names are exact");
    }

    #[test]
    fn extra_keys_name_their_field_and_others_are_columns() {
        for f in PrintField::KNOWN {
            if let Some(key) = f.extra_key() {
                assert_eq!(PrintField::from_extra_key(key), f);
            }
        }
        assert_eq!(
            PrintField::from_extra_key("__proto__"),
            PrintField::Extra("__proto__".into())
        );
    }

    #[test]
    fn every_known_field_has_two_labels() {
        for f in PrintField::KNOWN {
            assert_ne!(f.label(Language::Id), f.label(Language::En), "{f}");
            assert!(!f.label(Language::Id).is_empty());
        }
    }
}
