//! The issued-files list: the SHA-256 of every document file the issuer
//! wrote, signed by the issuer, so that a verifier can say "this exact file
//! was issued" of a PDF, or that a PDF is not the file that was issued.
//!
//! Like the revocation list it is a COSE_Sign1 over a CBOR map:
//! `{0: "piagam-issued", 1: date, 2: [{1: h'sha256', 2: serial, 3: date}, …]}`,
//! entries sorted by digest, each digest once (docs/FORMAT.md §12). Key 0
//! keeps it from being read as a seal or a revocation list.

use std::collections::HashSet;

use super::cbor::Value;
use super::keys::{IssuerKey, Trust};
use super::signed_list::{self, field, text};
use super::VerifyError;
use crate::date::Date;

const MARKER: &str = "piagam-issued";
/// About 80 bytes an entry: room for 400,000 files.
pub const MAX_ISSUED_BYTES: usize = 32 * 1024 * 1024;

/// One file as issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedFile {
    pub sha256: [u8; 32],
    /// The document the file carries.
    pub serial: String,
    /// The day the file was issued.
    pub date: Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedList {
    /// The day this version of the list was signed: the latest issue date
    /// in it, so that the same register always gives the same bytes.
    pub date: Date,
    /// Sorted by digest, one entry per digest.
    entries: Vec<IssuedFile>,
    serials: HashSet<String>,
}

impl IssuedList {
    pub fn new(date: Date) -> IssuedList {
        IssuedList {
            date,
            entries: Vec::new(),
            serials: HashSet::new(),
        }
    }

    pub fn entries(&self) -> &[IssuedFile] {
        &self.entries
    }

    /// The issued file with these bytes' digest.
    pub fn find(&self, sha256: &[u8; 32]) -> Option<&IssuedFile> {
        self.entries
            .binary_search_by(|e| e.sha256.cmp(sha256))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// True if the list holds any file of this document.
    pub fn has_serial(&self, serial: &str) -> bool {
        self.serials.contains(serial)
    }

    /// Adds a file. Returns false if its digest is already listed (the
    /// entry is kept as it was).
    pub fn add(&mut self, file: IssuedFile) -> bool {
        match self
            .entries
            .binary_search_by(|e| e.sha256.cmp(&file.sha256))
        {
            Ok(_) => false,
            Err(i) => {
                self.serials.insert(file.serial.clone());
                self.entries.insert(i, file);
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
                    (Value::int(1), Value::Bytes(e.sha256.to_vec())),
                    (Value::int(2), Value::Text(e.serial.clone())),
                    (Value::int(3), Value::Text(e.date.to_string())),
                ])
            })
            .collect();
        signed_list::sign(MARKER, &self.date.to_string(), entries, key)
    }

    /// Checks a signed list against the trusted keys and reads it.
    pub fn open(bytes: &[u8], trust: &Trust) -> Result<IssuedList, VerifyError> {
        let bad = |why: &str| VerifyError::BadIssuedList(why.to_owned());
        let top = signed_list::open(bytes, trust, MAX_ISSUED_BYTES, MARKER, bad)?;
        IssuedList::from_entries(&top).ok_or_else(|| bad("its contents are malformed"))
    }

    fn from_entries(top: &[(Value, Value)]) -> Option<IssuedList> {
        let date = text(field(top, 1)?)?.parse().ok()?;
        let Value::Array(items) = field(top, 2)? else {
            return None;
        };
        let mut list = IssuedList::new(date);
        let mut previous: Option<[u8; 32]> = None;
        for item in items {
            let Value::Map(fields) = item else {
                return None;
            };
            if fields.len() != 3 {
                return None;
            }
            let field = |k: i64| field(fields, k);
            let Value::Bytes(digest) = field(1)? else {
                return None;
            };
            let sha256: [u8; 32] = digest.as_slice().try_into().ok()?;
            // Strictly ascending: one order, one encoding, no duplicates.
            if previous.is_some_and(|p| p >= sha256) {
                return None;
            }
            previous = Some(sha256);
            let serial = text(field(2)?)?;
            if serial.is_empty() {
                return None;
            }
            let entry_date = text(field(3)?)?.parse().ok()?;
            list.add(IssuedFile {
                sha256,
                serial: serial.to_owned(),
                date: entry_date,
            });
        }
        Some(list)
    }
}

/// What an issued-files list says of a file, given the serials of the
/// valid seals found in it (docs/FORMAT.md §12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileVerdict {
    /// Byte for byte a file issued for one of the file's documents.
    Issued(IssuedFile),
    /// The list holds files of the file's document, and this is none of
    /// them (or it is another document's file).
    NotAsIssued,
    /// Not listed, and the file carries several documents (a print file).
    SeveralDocuments,
    /// No list, or the list holds nothing of the file's documents.
    NotChecked,
}

impl FileVerdict {
    /// The stable name `--json` gives it.
    pub fn code(&self) -> &'static str {
        match self {
            FileVerdict::Issued(_) => "issued",
            FileVerdict::NotAsIssued => "not-as-issued",
            FileVerdict::SeveralDocuments => "several-documents",
            FileVerdict::NotChecked => "not-checked",
        }
    }
}

/// Judges a file by its SHA-256 and the serials its valid seals carry.
pub fn judge_file(
    list: Option<&IssuedList>,
    sha256: &[u8; 32],
    serials: &std::collections::BTreeSet<&str>,
) -> FileVerdict {
    let several = serials.len() > 1;
    let Some(list) = list else {
        return if several {
            FileVerdict::SeveralDocuments
        } else {
            FileVerdict::NotChecked
        };
    };
    match list.find(sha256) {
        Some(entry) if serials.contains(entry.serial.as_str()) => {
            FileVerdict::Issued(entry.clone())
        }
        // Another document's file, carrying this seal: not as issued.
        Some(_) => FileVerdict::NotAsIssued,
        None if several => FileVerdict::SeveralDocuments,
        None if serials.iter().any(|s| list.has_serial(s)) => FileVerdict::NotAsIssued,
        None => FileVerdict::NotChecked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{cbor, cose};
    use crate::{Jwk, Jwks};

    fn trust(k: &IssuerKey) -> Trust {
        Trust::from_jwks(&Jwks {
            issuer: "X".into(),
            verify_url: None,
            keys: vec![Jwk::from_key(&k.verifying_key())],
        })
        .unwrap()
    }

    #[test]
    fn a_signed_list_round_trips_and_refuses_other_keys_and_other_lists() {
        let key = IssuerKey::from_seed(&[1; 32]);
        let d: Date = "2024-09-01".parse().unwrap();
        let mut list = IssuedList::new(d);
        let file = |b: u8, serial: &str| IssuedFile {
            sha256: [b; 32],
            serial: serial.into(),
            date: d,
        };
        assert!(list.add(file(9, "002/X")));
        assert!(list.add(file(3, "001/X")));
        assert!(!list.add(file(3, "003/X")));
        let bytes = list.sign(&key);
        let opened = IssuedList::open(&bytes, &trust(&key)).unwrap();
        assert_eq!(opened, list);
        assert_eq!(opened.find(&[9; 32]).unwrap().serial, "002/X");
        assert!(opened.find(&[4; 32]).is_none());
        assert!(opened.has_serial("001/X") && !opened.has_serial("003/X"));
        let other = IssuedList::open(&bytes, &trust(&IssuerKey::from_seed(&[2; 32])));
        assert_eq!(other.unwrap_err().code(), "bad-issued-list");
        // A revocation list signed by the same key is not an issued list.
        let revocations = crate::RevocationList::new(d).sign(&key);
        assert!(IssuedList::open(&revocations, &trust(&key)).is_err());
    }

    #[test]
    fn entries_out_of_order_are_refused() {
        let key = IssuerKey::from_seed(&[1; 32]);
        let entry = |b: u8| {
            Value::Map(vec![
                (Value::int(1), Value::Bytes(vec![b; 32])),
                (Value::int(2), Value::Text("001/X".into())),
                (Value::int(3), Value::Text("2024-09-01".into())),
            ])
        };
        let payload = |entries: Vec<Value>| {
            cbor::encode(&Value::Map(vec![
                (Value::int(0), Value::Text(MARKER.into())),
                (Value::int(1), Value::Text("2024-09-01".into())),
                (Value::int(2), Value::Array(entries)),
            ]))
        };
        let ok = cose::sign(&payload(vec![entry(1), entry(2)]), &key);
        assert!(IssuedList::open(&ok, &trust(&key)).is_ok());
        for bad in [vec![entry(2), entry(1)], vec![entry(1), entry(1)]] {
            let bytes = cose::sign(&payload(bad), &key);
            assert!(IssuedList::open(&bytes, &trust(&key)).is_err());
        }
    }
}
