//! What the register knows that numbering needs, read once per run, and
//! the numbering itself: which documents keep their serial, which get a
//! new one from a counter, and which they replace.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;

use super::identity::Identity;
use super::Status;
use crate::date::Date;
use crate::numbering::SerialPattern;

/// The latest document of an identity that is still in force (or revoked).
#[derive(Debug, Clone)]
struct Current {
    serial: String,
    seq: Option<u32>,
    status: Status,
    /// SHA-256 of the signed claims: compared, never shown, and small
    /// however many documents the register holds.
    claims_sha256: [u8; 32],
    revoked_on: Option<String>,
    revoked_reason: Option<String>,
    /// As printed, for a proposed correction to name.
    recipient: String,
}

/// The register's documents and counters, as numbering needs them.
#[derive(Debug, Default)]
pub struct Book {
    /// Identity → its latest document that is reserved, issued or revoked.
    current: HashMap<Identity, Current>,
    /// Every serial ever given, whatever became of it.
    serials: HashSet<String>,
    /// (pattern, period) → the next number.
    counters: HashMap<(String, String), u32>,
    /// (roster file name, slot) → identities of documents in force made
    /// from that roster: where a corrected record's old document is.
    by_roster: HashMap<(String, String), HashSet<Identity>>,
}

pub(super) fn load(conn: &Connection) -> Result<Book, rusqlite::Error> {
    let mut book = Book::default();
    let mut stmt = conn.prepare(
        "SELECT id, serial, seq, identity, status, claims_cbor, revoked_on, revoked_reason,
           roster, recipient
         FROM documents ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let serial: String = r.get(1)?;
        book.serials.insert(serial.clone());
        let status: Status = r.get(4)?;
        if status == Status::Superseded {
            continue;
        }
        let identity = Identity::from_stored(&r.get::<_, String>(3)?);
        let roster: String = r.get(8)?;
        if let Some(slot) = identity.fields_slot() {
            book.by_roster
                .entry((file_name(&roster), slot.to_owned()))
                .or_default()
                .insert(identity.clone());
        }
        let current = Current {
            serial,
            seq: r
                .get::<_, Option<i64>>(2)?
                .and_then(|s| u32::try_from(s).ok()),
            status,
            claims_sha256: sha256(&r.get::<_, Vec<u8>>(5)?),
            revoked_on: r.get(6)?,
            revoked_reason: r.get(7)?,
            recipient: r.get(9)?,
        };
        // Rows come oldest first: the latest of an identity wins.
        book.current.insert(identity, current);
    }
    let mut stmt = conn.prepare("SELECT pattern, period, next FROM counters")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let next = u32::try_from(r.get::<_, i64>(2)?).unwrap_or(u32::MAX);
        book.counters.insert((r.get(0)?, r.get(1)?), next);
    }
    Ok(book)
}

/// How a new record relates to an old document it may replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The same recipient, kind, event and year, with another achievement
    /// or category (a rank fixed): the same winner, so it replaces the old
    /// document on its own.
    SameRecipient,
    /// The achievement and category as they were, and the recipient's name
    /// changed in one small place ("Kota Semarng" → "Kota Semarang"). It
    /// may be a correction, or another winner: the organizer decides.
    NameFixed,
}

/// How identity `new` relates to `old` (both made by [`identity`] from a
/// record's fields; an `id` column's identity is never guessed at).
pub fn relation(old: &Identity, new: &Identity) -> Option<Relation> {
    let (
        Identity::ByFields {
            slot: old_slot,
            recipient: old_recipient,
            achievement: old_achievement,
            category: old_category,
            event: old_event,
            year: old_year,
        },
        Identity::ByFields {
            slot,
            recipient,
            achievement,
            category,
            event,
            year,
        },
    ) = (old, new)
    else {
        return None;
    };
    // Kind, event and year as they were.
    if (old_slot, old_event, old_year) != (slot, event, year) {
        return None;
    }
    let award_same = (old_achievement, old_category) == (achievement, category);
    if old_recipient == recipient {
        return (!award_same).then_some(Relation::SameRecipient);
    }
    (award_same && small_name_change(old_recipient, recipient)).then_some(Relation::NameFixed)
}

/// Whether two names differ only in one small place. Only the words that
/// differ are compared: "Pemerintah Kota Semarang" and "Pemerintah Kota
/// Samarinda" share most of their letters, but "semarang" and "samarinda"
/// are different cities.
fn small_name_change(old: &str, new: &str) -> bool {
    let a: Vec<&str> = old.split_whitespace().collect();
    let b: Vec<&str> = new.split_whitespace().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (
        a[prefix..a.len() - suffix].join(" "),
        b[prefix..b.len() - suffix].join(" "),
    );
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // A typo: one or two letters, and at most a quarter of the words that
    // differ (so "Kota A" and "Kota E" are two cities).
    let limit = (a.len().max(b.len()) / 4).min(2);
    edit_distance(&a, &b) <= limit
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// One document a run wants to issue.
#[derive(Debug, Clone)]
pub struct Wanted {
    /// Who and what it is for.
    pub identity: Identity,
    /// The document slot (its kind) in the run.
    pub slot: String,
    /// The roster file and row it comes from.
    pub roster: String,
    pub row: usize,
    /// The recipient as the roster spells it.
    pub recipient: String,
    /// The numbering pattern for the document's kind.
    pub pattern: SerialPattern,
    /// "" or the year, for a counter that starts again each year.
    pub period: String,
    pub date: Date,
    pub kind: String,
    /// A serial the roster gives (`nomor`), which wins over the pattern.
    pub nomor: Option<String>,
    /// The number used in the file name when the roster gives the serial.
    pub fallback_seq: u32,
    /// A new counter's first number.
    pub start: u32,
}

/// The serial a run gives a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    pub serial: String,
    /// The number for the file name.
    pub seq: u32,
    /// Drawn from this counter (pattern, period); None for a roster serial.
    pub counter: Option<(String, String)>,
    /// Already in the register with the same claims: nothing new is issued.
    pub kept: bool,
    /// Kept from a run that was interrupted before it issued it: this run
    /// completes it.
    pub completes: bool,
    /// Older documents this one replaces.
    pub supersedes: Vec<String>,
}

/// What a run does with a proposed correction of a recipient's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Corrections {
    /// Lists them, and numbers nothing until the organizer decides.
    #[default]
    Ask,
    /// Each is a correction: the new document replaces the old one.
    Accept,
    /// None is: the new documents are new, and the old ones stay issued.
    Reject,
}

/// A new record that may correct the name on a document already issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub old_serial: String,
    pub old_recipient: String,
    pub new_recipient: String,
    pub kind: String,
    /// Where the new record is.
    pub roster: String,
    pub row: usize,
}

/// A run's numbering: per document its serial or why it has none, and
/// the corrections the organizer is asked to confirm.
#[derive(Debug, Clone, Default)]
pub struct Assignment {
    pub assigned: Vec<Result<Assigned, String>>,
    /// Empty unless corrections are asked for.
    pub proposals: Vec<Proposal>,
    /// The documents (indexes into `assigned`) that were revoked: they are
    /// not issued again, and they stop nothing else.
    pub revoked: HashMap<usize, crate::warning::Warning>,
}

/// A document's identity: see [`Identity::new`].
pub fn identity(slot: &str, id: Option<&str>, fields: [&str; 4], year: u16) -> Identity {
    Identity::new(slot, id, fields, year)
}

impl Book {
    /// Numbers the documents of a run, in print order. `claims(i, serial)`
    /// gives the signed claims of document `i` under `serial`, as CBOR:
    /// a document already issued with the same claims keeps its serial,
    /// one whose claims changed is new and replaces it. A record whose
    /// identity is new replaces an old document only as
    /// [`Book::replacements`] allows and `corrections` says.
    pub fn assign(
        &self,
        wanted: &[Wanted],
        claims: impl Fn(usize, &str) -> Vec<u8>,
        corrections: Corrections,
    ) -> Assignment {
        let mut taken: HashSet<String> = self.serials.clone();
        let replacements = self.replacements(wanted);
        let mut proposals = Vec::new();
        let mut replaces = |i: usize| -> Vec<String> {
            let Some((old, relation)) = replacements.get(&i) else {
                return Vec::new();
            };
            match (relation, corrections) {
                (Relation::SameRecipient, _) | (Relation::NameFixed, Corrections::Accept) => {
                    vec![old.serial.clone()]
                }
                (Relation::NameFixed, Corrections::Reject) => Vec::new(),
                (Relation::NameFixed, Corrections::Ask) => {
                    proposals.push(Proposal {
                        old_serial: old.serial.clone(),
                        old_recipient: old.recipient.clone(),
                        new_recipient: wanted[i].recipient.clone(),
                        kind: wanted[i].kind.clone(),
                        roster: wanted[i].roster.clone(),
                        row: wanted[i].row,
                    });
                    Vec::new()
                }
            }
        };
        let mut first_row: HashMap<&Identity, usize> = HashMap::new();
        let mut revoked = HashMap::new();
        let mut out: Vec<Result<Assigned, String>> = Vec::with_capacity(wanted.len());
        // First: what the register already knows.
        for (i, w) in wanted.iter().enumerate() {
            if let Some(row) = first_row.insert(&w.identity, w.row) {
                out.push(Err(format!(
                    "row {row} describes the same {} (same recipient, achievement, category, event and year); add an 'id' column to tell them apart, or remove one",
                    w.kind
                )));
                continue;
            }
            let mut supersedes = Vec::new();
            if let Some(current) = self.current.get(&w.identity) {
                if current.status == Status::Revoked {
                    let warning = crate::warning::Warning::Revoked {
                        kind: w.kind.clone(),
                        row: w.row,
                        serial: current.serial.clone(),
                        on: current.revoked_on.clone(),
                        reason: current.revoked_reason.clone(),
                    };
                    out.push(Err(warning.to_string()));
                    revoked.insert(i, warning);
                    continue;
                }
                let serial_unchanged = w.nomor.as_ref().is_none_or(|n| *n == current.serial);
                if serial_unchanged && sha256(&claims(i, &current.serial)) == current.claims_sha256
                {
                    // A kept document that is only reserved (its run was
                    // killed) may still have a predecessor to replace.
                    if current.status == Status::Reserved {
                        supersedes = replaces(i);
                    }
                    out.push(Ok(Assigned {
                        serial: current.serial.clone(),
                        seq: current.seq.unwrap_or(w.fallback_seq),
                        counter: None,
                        kept: true,
                        completes: current.status == Status::Reserved,
                        supersedes,
                    }));
                    continue;
                }
                supersedes.push(current.serial.clone());
            } else {
                supersedes = replaces(i);
            }
            // A placeholder: numbered below, in print order.
            out.push(Ok(Assigned {
                serial: String::new(),
                seq: 0,
                counter: None,
                kept: false,
                completes: false,
                supersedes,
            }));
        }
        // Then: new numbers, in print order, never one given before.
        let mut counters: HashMap<(String, String), u32> = HashMap::new();
        for (w, slot) in wanted.iter().zip(out.iter_mut()) {
            let Ok(assigned) = slot else { continue };
            if assigned.kept {
                continue;
            }
            if let Some(nomor) = &w.nomor {
                if !taken.insert(nomor.clone()) {
                    *slot = Err(format!(
                        "serial {nomor} is already given to another document in the register; serials are never reused"
                    ));
                    continue;
                }
                assigned.serial = nomor.clone();
                assigned.seq = w.fallback_seq;
                continue;
            }
            let key = (w.pattern.as_str().to_owned(), w.period.clone());
            let next = counters
                .get(&key)
                .or_else(|| self.counters.get(&key))
                .copied()
                .unwrap_or(w.start);
            let mut n = next;
            let made = loop {
                let serial = w.pattern.serial(n, w.date);
                match serial {
                    Ok(s) if taken.contains(&s) => match n.checked_add(1) {
                        Some(m) => n = m,
                        None => break Err("the counter has run out of numbers".to_owned()),
                    },
                    Ok(s) => break Ok(s),
                    Err(e) => break Err(e.to_string()),
                }
            };
            match made {
                Ok(serial) => {
                    taken.insert(serial.clone());
                    counters.insert(key.clone(), n.saturating_add(1));
                    assigned.serial = serial;
                    assigned.seq = n;
                    assigned.counter = Some(key);
                }
                Err(e) => *slot = Err(e),
            }
        }
        Assignment {
            assigned: out,
            proposals,
            revoked,
        }
    }

    /// Which old document each record with a new identity may replace: one
    /// still in force, made from a roster of the same file name for the
    /// same kind, whose identity this run no longer lists, and which the
    /// record relates to (see [`relation`]). Rows may have moved. Where an
    /// old document has several such records, or a record several such
    /// documents, nothing is paired: a person is never replaced on a guess.
    fn replacements(&self, wanted: &[Wanted]) -> HashMap<usize, (&Current, Relation)> {
        let in_run: HashSet<&Identity> = wanted.iter().map(|w| &w.identity).collect();
        let mut pairs: Vec<(usize, &Identity, Relation)> = Vec::new();
        for (i, w) in wanted.iter().enumerate() {
            // Only a new identity, or one a killed run reserved, replaces.
            if self
                .current
                .get(&w.identity)
                .is_some_and(|c| c.status != Status::Reserved)
            {
                continue;
            }
            let key = (file_name(&w.roster), w.slot.clone());
            for old in self.by_roster.get(&key).into_iter().flatten() {
                if in_run.contains(old) {
                    continue;
                }
                let in_force = self
                    .current
                    .get(old)
                    .is_some_and(|c| c.status != Status::Revoked);
                if let Some(relation) = relation(old, &w.identity).filter(|_| in_force) {
                    pairs.push((i, old, relation));
                }
            }
        }
        let mut per_new: HashMap<usize, usize> = HashMap::new();
        let mut per_old: HashMap<&Identity, usize> = HashMap::new();
        for (i, old, _) in &pairs {
            *per_new.entry(*i).or_default() += 1;
            *per_old.entry(*old).or_default() += 1;
        }
        pairs
            .into_iter()
            .filter(|(i, old, _)| per_new[i] == 1 && per_old[old] == 1)
            .filter_map(|(i, old, relation)| Some((i, (self.current.get(old)?, relation))))
            .collect()
    }

    /// Whether a serial was ever given.
    pub fn contains_serial(&self, serial: &str) -> bool {
        self.serials.contains(serial)
    }
}
