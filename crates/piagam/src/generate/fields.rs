//! Printed = signed: a record becomes [`Claims`] first, and the fields a
//! template prints are derived from the claims alone.
//!
//! Per-document values a template prints that have no claim of their own go
//! into claim 8 (`extra`), raw (before filters), keyed by the name the
//! template uses: `category`, `signatory.name|title|nip` when a roster
//! column sets them for the row, and `<column>` for `{{extra.<column>}}`.
//! Event-wide constants (the signatory from piagam.toml) are design, like
//! the logo, and are not signed.

use std::collections::BTreeMap;

use crate::config::{EventConfig, Signatory};
use crate::date::Date;
use crate::print_field::{PrintField, EXTRA_PREFIX};
use crate::roster::{Field, Record};
use crate::seal::Claims;
use crate::template::Template;

/// Claim-8 keys piagam itself uses; the roster's own columns take the rest.
const CATEGORY: &str = "category";
const SIGNATORY: [(&str, Field); 3] = [
    ("signatory.name", Field::SignatoryName),
    ("signatory.title", Field::SignatoryTitle),
    ("signatory.nip", Field::SignatoryNip),
];

/// The value of a roster column, matched as headers are (case, spaces,
/// `_` and `-` ignored).
pub(super) fn extra_value<'r>(record: &'r Record, column: &str) -> Option<&'r str> {
    record.extra.get(column).map(String::as_str).or_else(|| {
        let want = Field::normalise(column);
        record
            .extra
            .iter()
            .find(|(k, _)| Field::normalise(k) == want)
            .map(|(_, v)| v.as_str())
    })
}

/// Everything one document will say, for `template`.
pub fn claims_for(
    template: &Template,
    record: &Record,
    config: &EventConfig,
    serial: String,
    date: Date,
) -> Claims {
    let mut extra = BTreeMap::new();
    if let Some(category) = &record.category {
        extra.insert(CATEGORY.to_owned(), category.clone());
    }
    for field in template.printed_fields() {
        if let Some(column) = field.strip_prefix(EXTRA_PREFIX) {
            if let Some(v) = extra_value(record, column).filter(|v| !v.is_empty()) {
                extra.insert(column.to_owned(), v.to_owned());
            }
        } else if let Some((key, f)) = SIGNATORY.iter().find(|(k, _)| *k == field) {
            if let Some(v) = record.signatory.get(f) {
                extra.insert((*key).to_owned(), v.clone());
            }
        }
    }
    // A column the template labels, or prints otherwise than as written
    // (an ordinal word, a long date), carries that in the seal too, so a
    // verifier shows it as the page does.
    let mut labels = BTreeMap::new();
    let mut shown = BTreeMap::new();
    for (column, value) in &extra {
        if let Some(label) = template.labels.get(column) {
            labels.insert(column.clone(), label.clone());
        }
        let fields = BTreeMap::from([(format!("{EXTRA_PREFIX}{column}"), value.clone())]);
        if let Some(printed) = template
            .printed_form(column, &fields)
            .filter(|p| p != value && !p.is_empty())
        {
            shown.insert(column.clone(), printed);
        }
    }
    Claims {
        serial,
        kind: template.kind.clone(),
        recipient: record.recipient.clone(),
        achievement: record.achievement.clone(),
        event: record
            .event
            .clone()
            .unwrap_or_else(|| config.event.name.clone()),
        date,
        place: record.place.clone().or_else(|| config.event.place.clone()),
        extra,
        valid_until: config.valid_until(),
        labels,
        shown,
    }
}

/// The fields a template can print, from the claims and the event-wide
/// design constants only.
pub fn printable_fields(claims: &Claims, design: &Signatory) -> BTreeMap<String, String> {
    let mut f = BTreeMap::new();
    for field in PrintField::KNOWN {
        let signed = field.extra_key().and_then(|k| claims.extra.get(k));
        let value = match &field {
            PrintField::Recipient => claims.recipient.clone(),
            PrintField::Achievement => claims.achievement.clone(),
            PrintField::Serial => claims.serial.clone(),
            PrintField::Event => claims.event.clone(),
            PrintField::Place => claims.place.clone().unwrap_or_default(),
            PrintField::Date => claims.date.to_string(),
            PrintField::ValidUntil => claims
                .valid_until
                .map(|d| d.to_string())
                .unwrap_or_default(),
            PrintField::Kind => claims.kind.clone(),
            PrintField::Category => signed.cloned().unwrap_or_default(),
            PrintField::SignatoryName => signed.unwrap_or(&design.name).clone(),
            PrintField::SignatoryTitle => signed.unwrap_or(&design.title).clone(),
            PrintField::SignatoryNip => signed.unwrap_or(&design.nip).clone(),
            PrintField::Extra(_) => continue,
        };
        f.insert(field.to_string(), value);
    }
    // The roster's own columns: every extra claim that is not a field's.
    for (k, v) in &claims.extra {
        if let field @ PrintField::Extra(_) = PrintField::from_extra_key(k) {
            f.insert(field.to_string(), v.clone());
        }
    }
    f
}
