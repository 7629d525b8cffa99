//! Who gets what: each winner's documents in a batch folder (its
//! `manifest.csv`), the addresses in the roster's email column, and what
//! the register says of each document. A revoked or superseded document is
//! never sent; a winner without an address is listed, not guessed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use piagam::register::{Register, Status};
use piagam::roster::Roster;

use crate::MailError;

/// One document to attach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub serial: String,
    pub kind: String,
    pub file: PathBuf,
    /// Its verification link (the QR code's text).
    pub link: String,
}

/// One winner's documents, and where to send them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    /// The roster's row.
    pub row: usize,
    pub recipient: String,
    pub achievement: String,
    pub addresses: Vec<String>,
    pub documents: Vec<Document>,
}

impl Letter {
    /// The serials attached, the letter's key in the register.
    pub fn serials(&self) -> Vec<String> {
        self.documents.iter().map(|d| d.serial.clone()).collect()
    }
}

/// Everything a send would do, before it does it.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub letters: Vec<Letter>,
    /// Winners with documents but no address: (row, recipient).
    pub without_address: Vec<(usize, String)>,
    /// Documents left out because the register holds them withdrawn:
    /// (serial, revoked or superseded).
    pub withdrawn: Vec<(String, &'static str)>,
}

/// One line of the batch's manifest.
#[derive(Debug)]
struct ManifestRow {
    serial: String,
    kind: String,
    recipient: String,
    achievement: String,
    row: usize,
    file: String,
    qr_text: String,
}

fn read_manifest(batch: &Path) -> Result<Vec<ManifestRow>, MailError> {
    let path = batch.join("manifest.csv");
    let bad = |message: String| MailError::Batch {
        path: path.clone(),
        message,
    };
    let bytes = piagam::read_capped(&path, 256 * 1024 * 1024).map_err(|e| {
        bad(format!(
            "{e} (send takes the folder generate wrote, with its manifest.csv)"
        ))
    })?;
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(format!("no '{name}' column")))
    };
    let at = [
        column("serial")?,
        column("kind")?,
        column("recipient")?,
        column("achievement")?,
        column("row")?,
        column("file")?,
        column("qr_text")?,
    ];
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        let cell = |n: usize| record.get(at[n]).unwrap_or_default().to_owned();
        // manifest.csv guards cells a spreadsheet would run as formulas.
        let plain = |s: String| s.strip_prefix('\'').map(str::to_owned).unwrap_or(s);
        let file = cell(5);
        if file.is_empty() || file.contains(['/', '\\']) || file.starts_with('.') {
            return Err(bad(format!(
                "line {}: '{file}' is not a document's file name",
                i + 2
            )));
        }
        rows.push(ManifestRow {
            serial: cell(0),
            kind: cell(1),
            recipient: plain(cell(2)),
            achievement: plain(cell(3)),
            row: cell(4)
                .parse()
                .map_err(|_| bad(format!("line {}: no row number", i + 2)))?,
            file,
            qr_text: cell(6),
        });
    }
    Ok(rows)
}

/// Plans the letters for the batch in `batch`, the roster as generate read
/// it, and the register.
pub fn plan(batch: &Path, roster: &Roster, register: &Register) -> Result<Plan, MailError> {
    let manifest = read_manifest(batch)?;
    let status: BTreeMap<String, Status> = register
        .entries()
        .map_err(|e| MailError::Register(e.to_string()))?
        .into_iter()
        .map(|e| (e.serial, e.status))
        .collect();
    let addresses: BTreeMap<usize, Vec<String>> = roster
        .records
        .iter()
        .map(|r| (r.row, piagam::roster::addresses_of(r)))
        .collect();
    let mut plan = Plan::default();
    let mut by_row: BTreeMap<usize, Letter> = BTreeMap::new();
    for row in manifest {
        match status.get(&row.serial) {
            Some(Status::Issued) => {}
            Some(Status::Revoked) => {
                plan.withdrawn.push((row.serial, "revoked"));
                continue;
            }
            Some(Status::Superseded) => {
                plan.withdrawn.push((row.serial, "superseded"));
                continue;
            }
            // Reserved, or not in this register: not a document it issued.
            _ => {
                return Err(MailError::NotIssued {
                    serial: row.serial,
                    register: register.path().to_owned(),
                })
            }
        }
        let letter = by_row.entry(row.row).or_insert_with(|| Letter {
            row: row.row,
            recipient: row.recipient.clone(),
            achievement: row.achievement.clone(),
            addresses: addresses.get(&row.row).cloned().unwrap_or_default(),
            documents: Vec::new(),
        });
        letter.documents.push(Document {
            serial: row.serial,
            kind: row.kind,
            file: batch.join(&row.file),
            link: row.qr_text,
        });
    }
    for (_, letter) in by_row {
        if letter.addresses.is_empty() {
            plan.without_address.push((letter.row, letter.recipient));
        } else {
            plan.letters.push(letter);
        }
    }
    Ok(plan)
}
