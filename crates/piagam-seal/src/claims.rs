//! The signed claims: what a charter says, as a CBOR map with small integer keys.

use std::collections::BTreeMap;

use super::cbor::Value;
use super::VerifyError;
use crate::date::Date;

/// Claim keys, fixed by docs/FORMAT.md.
pub mod key {
    pub const SERIAL: i64 = 1;
    pub const KIND: i64 = 2;
    pub const RECIPIENT: i64 = 3;
    pub const ACHIEVEMENT: i64 = 4;
    pub const EVENT: i64 = 5;
    pub const DATE: i64 = 6;
    pub const PLACE: i64 = 7;
    pub const EXTRA: i64 = 8;
    pub const VALID_UNTIL: i64 = 9;
    pub const LABELS: i64 = 10;
    pub const SHOWN: i64 = 11;
}

/// What one document says about its recipient. Every field is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub serial: String,
    /// "piagam", "sertifikat", …
    pub kind: String,
    pub recipient: String,
    pub achievement: String,
    pub event: String,
    /// The date printed on the document.
    pub date: Date,
    pub place: Option<String>,
    /// Further printed fields, such as the category.
    pub extra: BTreeMap<String, String>,
    pub valid_until: Option<Date>,
    /// The template's own label for an extra field ("Peringkat"), in the
    /// document's language.
    pub labels: BTreeMap<String, String>,
    /// An extra field as printed ("Kedua"), where that is not its raw
    /// value ("2").
    pub shown: BTreeMap<String, String>,
}

impl Claims {
    /// The signed payload: the claims' deterministic CBOR.
    pub fn to_bytes(&self) -> Vec<u8> {
        super::cbor::encode(&self.to_cbor())
    }

    pub fn to_cbor(&self) -> Value {
        let text = |s: &str| Value::Text(s.to_owned());
        let mut entries = vec![
            (Value::int(key::SERIAL), text(&self.serial)),
            (Value::int(key::KIND), text(&self.kind)),
            (Value::int(key::RECIPIENT), text(&self.recipient)),
            (Value::int(key::ACHIEVEMENT), text(&self.achievement)),
            (Value::int(key::EVENT), text(&self.event)),
            (Value::int(key::DATE), text(&self.date.to_string())),
        ];
        if let Some(place) = &self.place {
            entries.push((Value::int(key::PLACE), text(place)));
        }
        if !self.extra.is_empty() {
            let map = self.extra.iter().map(|(k, v)| (text(k), text(v))).collect();
            entries.push((Value::int(key::EXTRA), Value::Map(map)));
        }
        if let Some(until) = self.valid_until {
            entries.push((Value::int(key::VALID_UNTIL), text(&until.to_string())));
        }
        for (k, map) in [(key::LABELS, &self.labels), (key::SHOWN, &self.shown)] {
            if !map.is_empty() {
                let map = map.iter().map(|(k, v)| (text(k), text(v))).collect();
                entries.push((Value::int(k), Value::Map(map)));
            }
        }
        Value::Map(entries)
    }

    /// Reads claims from a decoded payload. Unknown keys are refused: a
    /// verifier must be able to show everything that was signed.
    pub fn from_cbor(value: &Value) -> Result<Claims, VerifyError> {
        let Value::Map(entries) = value else {
            return Err(VerifyError::BadClaims("the payload is not a map".into()));
        };
        let mut serial = None;
        let mut kind = None;
        let mut recipient = None;
        let mut achievement = None;
        let mut event = None;
        let mut date = None;
        let mut place = None;
        let mut extra = BTreeMap::new();
        let mut valid_until = None;
        let mut labels = BTreeMap::new();
        let mut shown = BTreeMap::new();
        for (k, v) in entries {
            let k = k
                .as_i64()
                .ok_or_else(|| VerifyError::BadClaims("a claim key is not an integer".into()))?;
            match k {
                key::SERIAL => serial = Some(text_claim(k, v)?),
                key::KIND => kind = Some(text_claim(k, v)?),
                key::RECIPIENT => recipient = Some(text_claim(k, v)?),
                key::ACHIEVEMENT => achievement = Some(text_claim(k, v)?),
                key::EVENT => event = Some(text_claim(k, v)?),
                key::DATE => date = Some(date_claim(k, v)?),
                key::PLACE => place = Some(text_claim(k, v)?),
                key::EXTRA => extra = text_map(k, v)?,
                key::VALID_UNTIL => valid_until = Some(date_claim(k, v)?),
                key::LABELS => labels = text_map(k, v)?,
                key::SHOWN => shown = text_map(k, v)?,
                other => {
                    return Err(VerifyError::BadClaims(format!("unknown claim key {other}")));
                }
            }
        }
        let need = |v: Option<String>, name: &str| {
            v.ok_or_else(|| {
                VerifyError::BadClaims(format!("the required claim '{name}' is missing"))
            })
        };
        // A label or printed form is of a field the document signs: nothing
        // is shown that is not signed.
        for (k, map) in [(key::LABELS, &labels), (key::SHOWN, &shown)] {
            if let Some(name) = map.keys().find(|n| !extra.contains_key(*n)) {
                return Err(VerifyError::BadClaims(format!(
                    "claim {k} names '{name}', which claim {} does not hold",
                    key::EXTRA
                )));
            }
        }
        Ok(Claims {
            serial: need(serial, "serial")?,
            kind: need(kind, "kind")?,
            recipient: need(recipient, "recipient")?,
            achievement: need(achievement, "achievement")?,
            event: need(event, "event")?,
            date: date.ok_or_else(|| {
                VerifyError::BadClaims("the required claim 'date' is missing".into())
            })?,
            place,
            extra,
            valid_until,
            labels,
            shown,
        })
    }
}

fn text_map(k: i64, v: &Value) -> Result<BTreeMap<String, String>, VerifyError> {
    let Value::Map(pairs) = v else {
        return Err(VerifyError::BadClaims(format!("claim {k} is not a map")));
    };
    let mut map = BTreeMap::new();
    for (name, val) in pairs {
        match (name, val) {
            (Value::Text(name), Value::Text(val)) => {
                map.insert(name.clone(), val.clone());
            }
            _ => {
                return Err(VerifyError::BadClaims(format!(
                    "claim {k} must map text to text"
                )))
            }
        }
    }
    Ok(map)
}

fn text_claim(k: i64, v: &Value) -> Result<String, VerifyError> {
    match v {
        Value::Text(s) => Ok(s.clone()),
        _ => Err(VerifyError::BadClaims(format!("claim {k} is not text"))),
    }
}

fn date_claim(k: i64, v: &Value) -> Result<Date, VerifyError> {
    let s = text_claim(k, v)?;
    s.parse()
        .map_err(|_| VerifyError::BadClaims(format!("claim {k} is not a YYYY-MM-DD date: '{s}'")))
}
