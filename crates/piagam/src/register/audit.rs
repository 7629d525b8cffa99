//! `piagam check --register`: the register against the files it records.

use std::path::Path;

use rusqlite::{params, Connection};
use sha2::{Digest, Sha256};

use super::{hex, Entry, Status};
use crate::date::Date;

/// What an audit found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindingKind {
    /// Fixed by the audit.
    Repaired,
    /// Needs the organizer (most often: run generate again).
    Problem,
    /// The published revocation list is behind the register (writing it
    /// failed): a front end offers to write it again.
    StaleRevocations,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    pub serial: Option<String>,
    pub message: String,
}

pub(super) fn run(
    conn: &mut Connection,
    base: &Path,
    docs: &[Entry],
    repair: bool,
) -> Result<Vec<Finding>, rusqlite::Error> {
    let mut findings = Vec::new();
    let tx = conn.transaction()?;
    let now = Date::now_utc_timestamp();
    for doc in docs {
        let states: Vec<(&str, FileState)> = doc
            .files
            .iter()
            .map(|(path, sha)| (path.as_str(), file_state(&base.join(path), sha)))
            .collect();
        match doc.status {
            Status::Reserved => {
                let in_place =
                    !states.is_empty() && states.iter().all(|(_, s)| *s == FileState::Same);
                if in_place && repair {
                    // The run was killed after its files were in place and
                    // before it could say so: they are the documents it made.
                    tx.execute(
                        "UPDATE documents SET status = 'issued', issued_at = ?2 WHERE serial = ?1",
                        params![doc.serial, now],
                    )?;
                    findings.push(Finding {
                        kind: FindingKind::Repaired,
                        serial: Some(doc.serial.clone()),
                        message:
                            "its run was interrupted after its file was in place; now marked issued"
                                .into(),
                    });
                } else if in_place {
                    findings.push(problem(doc, "its run was interrupted after its file was in place; a check that may write the register marks it issued"));
                } else {
                    findings.push(problem(doc, "reserved by a run that was interrupted before its file was in place; run generate again with the same roster to finish it"));
                }
            }
            Status::Issued | Status::Superseded | Status::Revoked => {
                for (path, state) in &states {
                    match state {
                        FileState::Same => {
                            // The bytes recorded, but are they this
                            // document's? Two runs sharing a register once
                            // recorded one's files under the other's.
                            if let Some(title) = title_in_file(&base.join(path)) {
                                let serial = title.split(" — ").next().unwrap_or_default();
                                if serial != doc.serial {
                                    findings.push(problem(
                                        doc,
                                        &format!("its file {path} holds another document ({title}), not {} ({})", doc.serial, doc.recipient),
                                    ));
                                }
                            }
                        }
                        FileState::Missing if doc.status == Status::Issued => findings.push(problem(
                            doc,
                            &format!("its file {path} is missing; generate with the same roster writes it again, byte for byte"),
                        )),
                        FileState::Missing => {}
                        FileState::Different => findings.push(problem(
                            doc,
                            &format!("its file {path} has changed since it was issued (signed since, or replaced)"),
                        )),
                    }
                }
            }
        }
    }
    // One file recorded for two documents in force: two runs wrote into
    // one folder, or one run's files were recorded under another's
    // documents. Only the organizer can say which is which.
    let mut owner: std::collections::HashMap<&str, &Entry> = std::collections::HashMap::new();
    for doc in docs
        .iter()
        .filter(|d| matches!(d.status, Status::Issued | Status::Reserved))
    {
        for (path, _) in &doc.files {
            if let Some(first) = owner.insert(path.as_str(), doc) {
                findings.push(problem(
                    doc,
                    &format!(
                        "its file {path} is also recorded for {} ({}), another document: two runs wrote the same file",
                        first.serial, first.recipient
                    ),
                ));
            }
        }
    }
    // One identity, several documents in force: the newest stands.
    let mut newest: std::collections::HashMap<&super::Identity, &Entry> =
        std::collections::HashMap::new();
    for doc in docs.iter().filter(|d| d.status == Status::Issued) {
        if let Some(older) = newest.insert(&doc.identity, doc) {
            if repair {
                tx.execute(
                    "UPDATE documents SET status = 'superseded', superseded_by = ?2,
                       superseded_on = ?3 WHERE serial = ?1",
                    params![older.serial, doc.serial, Date::today_utc().to_string()],
                )?;
                findings.push(Finding {
                    kind: FindingKind::Repaired,
                    serial: Some(older.serial.clone()),
                    message: format!(
                        "was still issued beside its replacement {}; now superseded",
                        doc.serial
                    ),
                });
            } else {
                findings.push(problem(
                    older,
                    &format!(
                        "is issued beside {} for the same record; a check that may write the register marks it superseded",
                        doc.serial
                    ),
                ));
            }
        }
    }
    // Counters never fall behind the numbers given.
    let behind: Vec<(String, String, i64, i64)> = {
        let mut stmt = tx.prepare(
            "SELECT d.pattern, d.period, max(d.seq) + 1, coalesce(c.next, 0)
             FROM documents d LEFT JOIN counters c
               ON c.pattern = d.pattern AND c.period = d.period
             WHERE d.seq IS NOT NULL AND d.pattern IS NOT NULL
             GROUP BY d.pattern, d.period
             HAVING max(d.seq) + 1 > coalesce(c.next, 0)",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (pattern, period, need, had) in behind {
        let what = if period.is_empty() {
            format!("the counter of {pattern}")
        } else {
            format!("the counter of {pattern} for {period}")
        };
        if repair {
            tx.execute(
                "INSERT INTO counters (pattern, period, next) VALUES (?1, ?2, ?3)
                 ON CONFLICT (pattern, period) DO UPDATE SET next = excluded.next",
                params![pattern, period, need],
            )?;
            findings.push(Finding {
                kind: FindingKind::Repaired,
                serial: None,
                message: format!("{what} stood at {had}, below numbers already given; now {need}"),
            });
        } else {
            findings.push(Finding {
                kind: FindingKind::Problem,
                serial: None,
                message: format!(
                    "{what} stands at {had}, below numbers already given (next should be {need})"
                ),
            });
        }
    }
    tx.commit()?;
    Ok(findings)
}

fn problem(doc: &Entry, message: &str) -> Finding {
    Finding {
        kind: FindingKind::Problem,
        serial: Some(doc.serial.clone()),
        message: message.to_owned(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileState {
    Same,
    Missing,
    Different,
}

fn file_state(path: &Path, sha: &str) -> FileState {
    match std::fs::File::open(path) {
        Err(_) => FileState::Missing,
        Ok(mut file) => {
            let mut hasher = Sha256::new();
            match std::io::copy(&mut file, &mut hasher) {
                Ok(_) if hex(&hasher.finalize()) == sha => FileState::Same,
                _ => FileState::Different,
            }
        }
    }
}

/// The title piagam writes into a document's PDF ("serial — recipient"),
/// read from the information dictionary near the file's end; none for a
/// file that has no such title.
fn title_in_file(path: &Path) -> Option<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    file.seek(SeekFrom::Start(len.saturating_sub(16 * 1024)))
        .ok()?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail).ok()?;
    let at = tail.windows(6).rposition(|w| w == b"/Title")? + 6;
    let rest = &tail[at..];
    match rest.first()? {
        b'<' => {
            let end = rest.iter().position(|&b| b == b'>')?;
            let hex = std::str::from_utf8(&rest[1..end]).ok()?;
            let hex = hex.strip_prefix("FEFF")?;
            let units: Option<Vec<u16>> = (0..hex.len() / 4)
                .map(|i| u16::from_str_radix(hex.get(4 * i..4 * i + 4)?, 16).ok())
                .collect();
            String::from_utf16(&units?).ok()
        }
        b'(' => {
            let mut out = Vec::new();
            let mut escaped = false;
            for &b in &rest[1..] {
                match (escaped, b) {
                    (false, b'\\') => escaped = true,
                    (false, b')') => return String::from_utf8(out).ok(),
                    (_, b) => {
                        out.push(b);
                        escaped = false;
                    }
                }
            }
            None
        }
        _ => None,
    }
}
