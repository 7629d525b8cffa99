//! Serials from the register: each document of a run, numbered in print
//! order from the register's counters, or given back the serial it was
//! issued under before.

use super::{fields::extra_value, GenerateError, Issued, Job};
use crate::config::Reset;
use crate::numbering::SerialPattern;
use crate::register::{self, Assigned, Book, Corrections, Wanted};
use crate::roster::RowProblem;

/// The serial of every document of a run.
#[derive(Debug)]
pub struct Numbers {
    /// Template index → its document slot. One template printed in two
    /// languages is one document: one slot, one serial.
    slot_of: Vec<usize>,
    records: usize,
    /// Per (slot, record), slot-major: what the run wants, and what it got.
    wanted: Vec<Wanted>,
    assigned: Vec<Result<Assigned, String>>,
    /// Documents the register holds as revoked: left out of the run.
    revoked: std::collections::HashMap<usize, crate::warning::Warning>,
}

/// The roster column that names a record for the register, when names and
/// achievements are not enough to tell records apart.
pub const ID_COLUMN: &str = "id";

impl Numbers {
    fn index(&self, template: usize, record: usize) -> usize {
        self.slot_of[template] * self.records + record
    }

    /// The serial given to a document, or why it has none.
    pub fn get(&self, template: usize, record: usize) -> &Result<Assigned, String> {
        &self.assigned[self.index(template, record)]
    }

    /// Whether the document was revoked: it is left out, and says why.
    pub fn revoked(&self, template: usize, record: usize) -> Option<&crate::warning::Warning> {
        self.revoked.get(&self.index(template, record))
    }

    /// The register's record of each document of the run, once per serial
    /// (a document printed in two languages is recorded once).
    pub fn records(&self, job: &Job, issued: &[Issued], kid: &str) -> Vec<register::Record> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for doc in issued {
            let (template, record) = doc.source;
            let i = self.index(template, record);
            if !seen.insert(i) {
                continue;
            }
            let (Some(w), Some(Ok(a))) = (self.wanted.get(i), self.assigned.get(i)) else {
                continue;
            };
            out.push(register::Record {
                serial: a.serial.clone(),
                seq: a.counter.as_ref().map(|_| a.seq),
                pattern: a.counter.as_ref().map(|(p, _)| p.clone()),
                period: a.counter.as_ref().map(|(_, y)| y.clone()),
                identity: w.identity.clone(),
                kind: doc.kind().to_owned(),
                recipient: doc.recipient().to_owned(),
                kid: kid.to_owned(),
                claims_json: crate::report_text::claims_json(&doc.claims).to_string(),
                claims_cbor: doc.claims.to_bytes(),
                seal_sha256: register::hex(&doc.seal_sha256),
                roster: job.roster_name.display().to_string(),
                roster_row: doc.row,
                supersedes: a.supersedes.clone(),
            });
        }
        out
    }

    /// How many documents keep the serial they were issued under.
    pub fn kept(&self) -> usize {
        self.assigned
            .iter()
            .filter(|a| a.as_ref().is_ok_and(|a| a.kept && !a.completes))
            .count()
    }

    /// How many documents an interrupted run reserved, and this run issues.
    pub fn completed(&self) -> usize {
        self.assigned
            .iter()
            .filter(|a| a.as_ref().is_ok_and(|a| a.completes))
            .count()
    }
}

/// The document slots of a run's templates: one per template folder, named
/// by its kind (`kind#2` for a second folder of the same kind).
fn slots(job: &Job) -> (Vec<usize>, Vec<String>) {
    let mut dirs: Vec<(&std::path::Path, &str)> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let slot_of = job
        .templates
        .iter()
        .map(|t| {
            if let Some(i) = dirs.iter().position(|(d, _)| *d == t.dir.as_path()) {
                return i;
            }
            let same_kind = dirs.iter().filter(|(_, k)| *k == t.kind).count();
            names.push(if same_kind == 0 {
                t.kind.clone()
            } else {
                format!("{}#{}", t.kind, same_kind + 1)
            });
            dirs.push((&t.dir, &t.kind));
            dirs.len() - 1
        })
        .collect();
    (slot_of, names)
}

/// Numbers every document of `job` from the register's `book`. A record
/// that may correct an issued document's name stops the run, listing each
/// such proposal, unless `corrections` says what they are.
pub fn plan(job: &Job, book: &Book, corrections: Corrections) -> Result<Numbers, GenerateError> {
    let config = job.config;
    let stateless = super::Plan::new(job);
    let event_date = config.event_date();
    let (slot_of, names) = slots(job);
    // The first template of each slot speaks for it.
    let first: Vec<usize> = (0..names.len())
        .map(|s| slot_of.iter().position(|&x| x == s).unwrap_or(0))
        .collect();
    let yearly = config.numbering.reset == Reset::Yearly;
    let mut wanted = Vec::with_capacity(names.len() * job.records.len());
    for (slot, name) in names.iter().enumerate() {
        let template = &job.templates[first[slot]];
        let pattern = SerialPattern::for_kind(
            template
                .numbering
                .as_deref()
                .unwrap_or(&config.numbering.pattern),
            &template.kind,
        )
        .map_err(|e| {
            GenerateError::Rows(vec![RowProblem {
                file: template.dir.join("template.toml"),
                row: None,
                column: None,
                reason: format!("numbering: {e}"),
                spot: None,
                kind: None,
            }])
        })?;
        if yearly && !pattern.has_year() {
            return Err(GenerateError::Rows(vec![RowProblem {
                file: template.dir.join("template.toml"),
                row: None,
                column: None,
                reason: format!("numbering '{pattern}' has no {{year}}, but numbering.reset = \"yearly\" starts numbers again each year"), spot: None, kind: None }]));
        }
        for (r, record) in job.records.iter().enumerate() {
            let date = record.date.unwrap_or(event_date);
            let event = record.event.as_deref().unwrap_or(&config.event.name);
            wanted.push(Wanted {
                identity: register::identity(
                    name,
                    extra_value(record, ID_COLUMN),
                    [
                        &record.recipient,
                        &record.achievement,
                        record.category.as_deref().unwrap_or(""),
                        event,
                    ],
                    date.year(),
                ),
                slot: name.clone(),
                roster: job.roster_name.display().to_string(),
                row: record.row,
                recipient: record.recipient.clone(),
                pattern: pattern.clone(),
                period: if yearly {
                    date.year().to_string()
                } else {
                    String::new()
                },
                date,
                kind: template.kind.clone(),
                nomor: record.serial.clone().filter(|_| names.len() == 1),
                fallback_seq: super::stateless_seq(job, &stateless, first[slot], r),
                start: config.numbering.start,
            });
        }
    }
    let records = job.records.len();
    let assignment = book.assign(
        &wanted,
        |i, serial| {
            let (slot, r) = (i / records.max(1), i % records.max(1));
            let template = &job.templates[first[slot]];
            let record = &job.records[r];
            let date = record.date.unwrap_or(event_date);
            super::claims_for(template, record, config, serial.to_owned(), date).to_bytes()
        },
        corrections,
    );
    if !assignment.proposals.is_empty() {
        return Err(GenerateError::Corrections(assignment.proposals));
    }
    Ok(Numbers {
        slot_of,
        records,
        wanted,
        assigned: assignment.assigned,
        revoked: assignment.revoked,
    })
}
