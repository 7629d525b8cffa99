//! Revocation lists: serials the issuer has withdrawn, signed by the issuer.
//!
//! The list is a COSE_Sign1, exactly like a seal, over a CBOR map
//! `{0: "piagam-revocations", 1: issued, 2: [{1: serial, 2: reason, 3: date}, …]}`.
//! Key 0 keeps a list from ever being read as a seal, and a seal as a list.

use super::cbor::Value;
use super::keys::{IssuerKey, Trust};
use super::signed_list::{self, field, text};
use super::VerifyError;
use crate::date::Date;

const MARKER: &str = "piagam-revocations";
/// Lists are small; refuse anything absurd before parsing.
pub const MAX_LIST_BYTES: usize = 4 * 1024 * 1024;

/// The reason a superseded document carries: a verifier reads the serial
/// after it and says "replaced by" (docs/FORMAT.md §6).
pub const SUPERSEDED_PREFIX: &str = "superseded by ";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revoked {
    pub serial: String,
    pub reason: String,
    /// The day it was revoked.
    pub date: Date,
}

impl Revoked {
    /// The serial of the corrected document that replaced this one.
    pub fn replaced_by(&self) -> Option<&str> {
        replaced_by(&self.reason)
    }
}

/// The serial a revocation reason names as the replacement, if it is one.
pub fn replaced_by(reason: &str) -> Option<&str> {
    reason
        .strip_prefix(SUPERSEDED_PREFIX)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationList {
    /// The day this version of the list was signed.
    pub issued: Date,
    /// Sorted by serial, one entry per serial.
    entries: Vec<Revoked>,
}

impl RevocationList {
    pub fn new(issued: Date) -> RevocationList {
        RevocationList {
            issued,
            entries: Vec::new(),
        }
    }

    pub fn entries(&self) -> &[Revoked] {
        &self.entries
    }

    pub fn find(&self, serial: &str) -> Option<&Revoked> {
        self.entries
            .binary_search_by(|e| e.serial.as_str().cmp(serial))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// Adds a serial. Returns false if it was already revoked (kept as it was).
    pub fn revoke(&mut self, serial: &str, reason: &str, date: Date) -> bool {
        match self
            .entries
            .binary_search_by(|e| e.serial.as_str().cmp(serial))
        {
            Ok(_) => false,
            Err(i) => {
                self.entries.insert(
                    i,
                    Revoked {
                        serial: serial.to_owned(),
                        reason: reason.to_owned(),
                        date,
                    },
                );
                true
            }
        }
    }

    /// The signed list, as COSE_Sign1 bytes.
    pub fn sign(&self, key: &IssuerKey) -> Vec<u8> {
        let entries: Vec<Value> = self
            .entries
            .iter()
            .map(|e| {
                Value::Map(vec![
                    (Value::int(1), Value::Text(e.serial.clone())),
                    (Value::int(2), Value::Text(e.reason.clone())),
                    (Value::int(3), Value::Text(e.date.to_string())),
                ])
            })
            .collect();
        signed_list::sign(MARKER, &self.issued.to_string(), entries, key)
    }

    /// Checks a signed list against the trusted keys and reads it.
    pub fn open(bytes: &[u8], trust: &Trust) -> Result<RevocationList, VerifyError> {
        let bad = |why: &str| VerifyError::BadRevocationList(why.to_owned());
        let top = signed_list::open(bytes, trust, MAX_LIST_BYTES, MARKER, bad)?;
        RevocationList::from_entries(&top).ok_or_else(|| bad("its contents are malformed"))
    }

    fn from_entries(top: &[(Value, Value)]) -> Option<RevocationList> {
        let issued = text(field(top, 1)?)?.parse().ok()?;
        let Value::Array(items) = field(top, 2)? else {
            return None;
        };
        let mut list = RevocationList::new(issued);
        for item in items {
            let Value::Map(fields) = item else {
                return None;
            };
            if fields.len() != 3 {
                return None;
            }
            let field = |k: i64| field(fields, k).and_then(text);
            let date = field(3)?.parse().ok()?;
            if !list.revoke(field(1)?, field(2)?, date) {
                return None; // a serial listed twice
            }
        }
        Some(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Jwk, Jwks};

    #[test]
    fn a_signed_list_round_trips_and_refuses_other_keys() {
        let key = IssuerKey::from_seed(&[1; 32]);
        let other = IssuerKey::from_seed(&[2; 32]);
        let trust = |k: &IssuerKey| {
            Trust::from_jwks(&Jwks {
                issuer: "X".into(),
                verify_url: None,
                keys: vec![Jwk::from_key(&k.verifying_key())],
            })
            .unwrap()
        };
        let d: Date = "2024-09-01".parse().unwrap();
        let mut list = RevocationList::new(d);
        assert!(list.revoke("002/X", "salah nama", d));
        assert!(list.revoke("001/X", "ganda", d));
        assert!(!list.revoke("001/X", "lagi", d));
        let bytes = list.sign(&key);
        let opened = RevocationList::open(&bytes, &trust(&key)).unwrap();
        assert_eq!(opened, list);
        assert_eq!(opened.find("001/X").unwrap().reason, "ganda");
        assert!(opened.find("003/X").is_none());
        assert!(RevocationList::open(&bytes, &trust(&other)).is_err());
    }
}
