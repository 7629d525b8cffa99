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
use crate::roster::{Field, Record};
use crate::seal::Claims;
use crate::template::placeholder::EXTRA_PREFIX;
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
    }
}

/// The fields a template can print, from the claims and the event-wide
/// design constants only.
pub fn printable_fields(claims: &Claims, design: &Signatory) -> BTreeMap<String, String> {
    let mut f = BTreeMap::new();
    let mut put = |k: &str, v: &str| {
        f.insert(k.to_owned(), v.to_owned());
    };
    put("recipient", &claims.recipient);
    put("achievement", &claims.achievement);
    put(
        "category",
        claims.extra.get(CATEGORY).map_or("", String::as_str),
    );
    put("serial", &claims.serial);
    put("event", &claims.event);
    put("place", claims.place.as_deref().unwrap_or(""));
    put("date", &claims.date.to_string());
    put(
        "valid_until",
        &claims
            .valid_until
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    put("kind", &claims.kind);
    for (key, field) in SIGNATORY {
        let constant = match field {
            Field::SignatoryName => &design.name,
            Field::SignatoryTitle => &design.title,
            _ => &design.nip,
        };
        put(key, claims.extra.get(key).unwrap_or(constant));
    }
    for (k, v) in &claims.extra {
        if k != CATEGORY && !SIGNATORY.iter().any(|(s, _)| s == k) {
            put(&format!("{EXTRA_PREFIX}{k}"), v);
        }
    }
    f
}
