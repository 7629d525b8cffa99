//! The issuance register: every document issued, to whom, under which
//! serial, and what became of it (superseded, revoked). An embedded SQLite
//! file, by default `piagam-register.sqlite` beside `piagam.toml`, readable
//! with the `sqlite3` tool (docs/REGISTER.md).
//!
//! A run reserves its new serials in one transaction before anything is
//! rendered, records each file's SHA-256 once it is staged, and marks the
//! documents issued in another transaction once the files are in place. A
//! run killed anywhere in between leaves reserved rows that the next run
//! (or `piagam check --register`) completes. The register never holds a
//! private key.

mod audit;
mod book;
mod identity;
mod messages;
mod schema;

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use crate::date::Date;
use crate::lock::{LockError, PidLock};

pub use audit::{Finding, FindingKind};
pub use book::{
    identity, relation, Assigned, Assignment, Book, Corrections, Proposal, Relation, Wanted,
};
pub use identity::Identity;
pub use messages::{Delivery, SentMessage};
pub use schema::VERSION as SCHEMA_VERSION;

/// The register's file name, beside `piagam.toml`.
pub const REGISTER_FILE: &str = "piagam-register.sqlite";
/// The signed revocation list written from the register, beside it.
pub const REVOCATIONS_FILE: &str = "piagam-revocations.cose";
pub use crate::seal::revocation::SUPERSEDED_PREFIX;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegisterError {
    #[error(
        "register {path} is in use by another piagam run (process {pid}); wait for it to finish"
    )]
    Busy { path: PathBuf, pid: u32 },
    #[error("register {path}: {source}")]
    Sql {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("register {path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("register {path} does not exist: the first generate run makes it")]
    Missing { path: PathBuf },
    #[error("{0}")]
    Lock(crate::fsio::WriteError),
    #[error("register {path}: serial {serial} is already in it for another document ({recipient}); another run may be writing this register by another path. Nothing was written")]
    SerialClash {
        path: PathBuf,
        serial: String,
        recipient: String,
    },
    #[error("register {path} can only be read (read-only file or medium)")]
    ReadOnly { path: PathBuf },
}

/// What became of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Its serial is taken by a run that has not finished (or was killed).
    Reserved,
    Issued,
    /// Replaced by a corrected document.
    Superseded,
    Revoked,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Reserved => "reserved",
            Status::Issued => "issued",
            Status::Superseded => "superseded",
            Status::Revoked => "revoked",
        }
    }

    pub fn parse(code: &str) -> Option<Status> {
        [
            Status::Reserved,
            Status::Issued,
            Status::Superseded,
            Status::Revoked,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// A status read back from the register. One piagam does not know (a
/// newer version's, or a hand edit) is an error naming it: taken for
/// "reserved", it would be reissued or left out of the audit in silence.
impl rusqlite::types::FromSql for Status {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let text = value.as_str()?;
        Status::parse(text).ok_or_else(|| {
            rusqlite::types::FromSqlError::Other(
                format!("a document has the status '{text}', which this piagam does not know")
                    .into(),
            )
        })
    }
}

/// One document as the register holds it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub serial: String,
    /// The counter's number, or none for a serial the roster gave.
    pub seq: Option<u32>,
    pub identity: Identity,
    pub kind: String,
    pub recipient: String,
    pub kid: String,
    /// The signed claims, read back from their CBOR with the seal's strict
    /// codec.
    pub claims: crate::seal::Claims,
    pub seal_sha256: String,
    pub roster: String,
    pub roster_row: usize,
    pub status: Status,
    pub reserved_at: String,
    pub issued_at: Option<String>,
    pub superseded_by: Option<String>,
    pub superseded_on: Option<String>,
    pub revoked_reason: Option<String>,
    pub revoked_on: Option<String>,
    /// (path, SHA-256) of each file written for it.
    pub files: Vec<(String, String)>,
}

/// A new or kept document of a run, as the register records it.
#[derive(Debug, Clone)]
pub struct Record {
    pub serial: String,
    pub seq: Option<u32>,
    pub pattern: Option<String>,
    pub period: Option<String>,
    pub identity: Identity,
    pub kind: String,
    pub recipient: String,
    pub kid: String,
    pub claims_json: String,
    pub claims_cbor: Vec<u8>,
    pub seal_sha256: String,
    pub roster: String,
    pub roster_row: usize,
    /// Serials this document replaces (a corrected record).
    pub supersedes: Vec<String>,
}

/// Where each counter stands once `records` are issued: one past the
/// highest number they took. (A number planned for a row that was then
/// skipped is not spent: it was never issued.)
pub fn counters_after(records: &[Record]) -> Vec<(String, String, u32)> {
    let mut next: std::collections::BTreeMap<(String, String), u32> = Default::default();
    for r in records {
        if let (Some(pattern), Some(period), Some(seq)) = (&r.pattern, &r.period, r.seq) {
            let n = next.entry((pattern.clone(), period.clone())).or_default();
            *n = (*n).max(seq.saturating_add(1));
        }
    }
    next.into_iter().map(|((p, y), n)| (p, y, n)).collect()
}

/// An open register. Opened for writing, it holds `FILE.lock` until dropped.
pub struct Register {
    conn: Connection,
    path: PathBuf,
    _lock: Option<PidLock>,
}

impl std::fmt::Debug for Register {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Register")
            .field("path", &self.path)
            .finish()
    }
}

/// What a revocation did to each serial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    Revoked,
    AlreadyRevoked,
    /// Superseded documents stay superseded: the list already withdraws them.
    Superseded {
        by: String,
    },
}

/// One entry of the revocation list the register makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawn {
    pub serial: String,
    pub reason: String,
    pub date: Date,
}

impl Register {
    /// Opens (creating if needed) the register for a run that writes, and
    /// takes its lock: a second writer is refused, naming this process.
    pub fn open(path: &Path) -> Result<Register, RegisterError> {
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !folder.is_dir() {
            return Err(RegisterError::Invalid {
                path: path.to_owned(),
                message: format!("its folder {} does not exist", folder.display()),
            });
        }
        check_kind(path)?;
        // Two runs that reach one register by different paths (a symlink,
        // a second mount) must meet at one lock and one folder for files.
        let resolved = resolve(path)?;
        let path = resolved.as_path();
        if path.exists() && !writable(path) {
            return Err(RegisterError::ReadOnly {
                path: path.to_owned(),
            });
        }
        refuse_foreign(path)?;
        let lock_path = lock_path(path);
        let lock = PidLock::take(&lock_path).map_err(|e| match e {
            LockError::Busy { pid } => RegisterError::Busy {
                path: path.to_owned(),
                pid,
            },
            LockError::Io(e) => RegisterError::Lock(e),
        })?;
        let sql = sql_error(path);
        let mut conn = Connection::open(path).map_err(&sql)?;
        // WAL: readers (list, check) never block the run, and a crash
        // loses at most the transaction under way.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(&sql)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(&sql)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(&sql)?;
        schema::migrate(&mut conn).map_err(|e| RegisterError::Invalid {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        let register = Register {
            conn,
            path: path.to_owned(),
            _lock: Some(lock),
        };
        if register.meta("created_at")?.is_none() {
            register.set_meta("created_at", &Date::now_utc_timestamp())?;
        }
        Ok(register)
    }

    /// Opens an existing register to read it; no lock is taken. None if it
    /// does not exist.
    pub fn open_read_only(path: &Path) -> Result<Option<Register>, RegisterError> {
        if !path.exists() {
            return Ok(None);
        }
        check_kind(path)?;
        let resolved = resolve(path)?;
        let path = resolved.as_path();
        refuse_foreign(path)?;
        let sql = sql_error(path);
        let conn = open_for_reading(path).map_err(&sql)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(&sql)?;
        let found = schema::version(&conn).map_err(&sql)?;
        if found != schema::VERSION {
            return Err(RegisterError::Invalid {
                path: path.to_owned(),
                message: if found > schema::VERSION {
                    format!("it was made by a newer piagam (schema version {found}); update piagam")
                } else {
                    format!("schema version {found} is older than {}: a run that may write the register brings it up to date", schema::VERSION)
                },
            });
        }
        Ok(Some(Register {
            conn,
            path: path.to_owned(),
            _lock: None,
        }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sql(&self) -> impl Fn(rusqlite::Error) -> RegisterError + '_ {
        sql_error(&self.path)
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>, RegisterError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(self.sql())
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), RegisterError> {
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map(|_| ())
            .map_err(self.sql())
    }

    /// Everything a run needs to number its documents.
    pub fn book(&self) -> Result<Book, RegisterError> {
        book::load(&self.conn).map_err(self.sql())
    }

    /// Reserves a run's documents and moves the counters on, in one
    /// transaction, before anything is rendered. Documents already in the
    /// register (a rerun) are left as they are.
    pub fn reserve(
        &mut self,
        records: &[Record],
        counters: &[(String, String, u32)],
    ) -> Result<usize, RegisterError> {
        let now = Date::now_utc_timestamp();
        let path = self.path.clone();
        let sql = sql_error(&path);
        let tx = self.conn.transaction().map_err(&sql)?;
        let mut added = 0;
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO documents (serial, seq, pattern, period, identity, kind,
                       recipient, kid, claims, claims_cbor, seal_sha256, roster, roster_row,
                       status, reserved_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
                       'reserved', ?14)
                     ON CONFLICT (serial) DO NOTHING",
                )
                .map_err(&sql)?;
            let mut existing = tx
                .prepare("SELECT identity, claims_cbor, recipient FROM documents WHERE serial = ?1")
                .map_err(&sql)?;
            for r in records {
                let inserted = insert
                    .execute(params![
                        r.serial,
                        r.seq,
                        r.pattern,
                        r.period,
                        r.identity,
                        r.kind,
                        r.recipient,
                        r.kid,
                        r.claims_json,
                        r.claims_cbor,
                        r.seal_sha256,
                        r.roster,
                        r.roster_row as i64,
                        now,
                    ])
                    .map_err(&sql)?;
                if inserted == 0 {
                    // A rerun finds its own document; anything else means
                    // two runs numbered from one register unawares.
                    let (identity, claims, recipient): (Identity, Vec<u8>, String) = existing
                        .query_row([&r.serial], |row| {
                            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                        })
                        .map_err(&sql)?;
                    if identity != r.identity || claims != r.claims_cbor {
                        return Err(RegisterError::SerialClash {
                            path: path.clone(),
                            serial: r.serial.clone(),
                            recipient,
                        });
                    }
                }
                added += inserted;
            }
            let mut counter = tx
                .prepare(
                    "INSERT INTO counters (pattern, period, next) VALUES (?1, ?2, ?3)
                     ON CONFLICT (pattern, period) DO UPDATE SET next = max(next, excluded.next)",
                )
                .map_err(&sql)?;
            for (pattern, period, next) in counters {
                counter
                    .execute(params![pattern, period, next])
                    .map_err(&sql)?;
            }
        }
        tx.commit().map_err(&sql)?;
        Ok(added)
    }

    /// Records the files staged for each document (serial, path, SHA-256),
    /// before they are moved into place.
    pub fn record_files(
        &mut self,
        files: &[(String, String, String)],
    ) -> Result<(), RegisterError> {
        let path = self.path.clone();
        let sql = sql_error(&path);
        let tx = self.conn.transaction().map_err(&sql)?;
        {
            let mut upsert = tx
                .prepare(
                    "INSERT INTO files (document, path, sha256)
                     SELECT id, ?2, ?3 FROM documents WHERE serial = ?1
                     ON CONFLICT (document, path) DO UPDATE SET sha256 = excluded.sha256",
                )
                .map_err(&sql)?;
            for (serial, file, sha) in files {
                upsert.execute(params![serial, file, sha]).map_err(&sql)?;
            }
        }
        tx.commit().map_err(&sql)
    }

    /// Marks a run's documents issued, once their files are in place, and
    /// the documents they replace superseded. Returns the serials superseded.
    pub fn issue(&mut self, records: &[Record]) -> Result<Vec<String>, RegisterError> {
        let now = Date::now_utc_timestamp();
        let today = Date::today_utc().to_string();
        let path = self.path.clone();
        let sql = sql_error(&path);
        let tx = self.conn.transaction().map_err(&sql)?;
        let mut superseded = Vec::new();
        {
            let mut issue = tx
                .prepare(
                    "UPDATE documents SET status = 'issued', issued_at = ?2
                     WHERE serial = ?1 AND status = 'reserved'",
                )
                .map_err(&sql)?;
            let mut older = tx
                .prepare(
                    "SELECT serial FROM documents
                     WHERE (identity = ?1 OR serial IN (SELECT value FROM json_each(?3)))
                       AND serial <> ?2 AND status IN ('issued', 'reserved')",
                )
                .map_err(&sql)?;
            let mut supersede = tx
                .prepare(
                    "UPDATE documents SET status = 'superseded', superseded_by = ?2,
                       superseded_on = ?3
                     WHERE serial = ?1",
                )
                .map_err(&sql)?;
            for r in records {
                issue.execute(params![r.serial, now]).map_err(&sql)?;
                let also = serde_json::to_string(&r.supersedes).unwrap_or_else(|_| "[]".into());
                let old: Vec<String> = older
                    .query_map(params![r.identity, r.serial, also], |row| row.get(0))
                    .map_err(&sql)?
                    .collect::<Result<_, _>>()
                    .map_err(&sql)?;
                for serial in old {
                    supersede
                        .execute(params![serial, r.serial, today])
                        .map_err(&sql)?;
                    superseded.push(serial);
                }
            }
        }
        if !superseded.is_empty() {
            mark_list_stale(&tx).map_err(&sql)?;
        }
        tx.commit().map_err(&sql)?;
        Ok(superseded)
    }

    /// Marks documents revoked. Every serial must be in the register;
    /// nothing changes if one is not.
    pub fn revoke(
        &mut self,
        serials: &[String],
        reason: &str,
        date: Date,
    ) -> Result<Vec<(String, Revocation)>, RegisterError> {
        let path = self.path.clone();
        let sql = sql_error(&path);
        let tx = self.conn.transaction().map_err(&sql)?;
        let mut outcomes = Vec::new();
        for serial in serials {
            let found: Option<(String, Option<String>)> = tx
                .query_row(
                    "SELECT status, superseded_by FROM documents WHERE serial = ?1",
                    [serial],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(&sql)?;
            let outcome = match found {
                None => {
                    return Err(RegisterError::Invalid {
                        path: path.clone(),
                        message: format!(
                            "serial {serial} is not in the register (its list shows what is); nothing was revoked"
                        ),
                    })
                }
                Some((status, by)) => match Status::parse(&status) {
                    Some(Status::Revoked) => Revocation::AlreadyRevoked,
                    Some(Status::Superseded) => Revocation::Superseded {
                        by: by.unwrap_or_default(),
                    },
                    _ => {
                        tx.execute(
                            "UPDATE documents SET status = 'revoked', revoked_reason = ?2,
                               revoked_on = ?3 WHERE serial = ?1",
                            params![serial, reason, date.to_string()],
                        )
                        .map_err(&sql)?;
                        Revocation::Revoked
                    }
                },
            };
            outcomes.push((serial.clone(), outcome));
        }
        if outcomes.iter().any(|(_, o)| *o == Revocation::Revoked) {
            mark_list_stale(&tx).map_err(&sql)?;
        }
        tx.commit().map_err(&sql)?;
        Ok(outcomes)
    }

    /// True while the signed revocation list lacks a withdrawal the
    /// register holds: set with the withdrawal, in its transaction, and
    /// cleared only once the list is written. A list that failed to be
    /// written is so never forgotten.
    pub fn revocations_stale(&self) -> Result<bool, RegisterError> {
        Ok(self.meta(LIST_STALE)?.is_some_and(|v| v == "1"))
    }

    /// Where the register's revocation list is written: where `revoke`
    /// last wrote it, else beside the register.
    pub fn revocations_path(&self) -> Result<PathBuf, RegisterError> {
        Ok(match self.meta("revocations_path")? {
            Some(path) => PathBuf::from(path),
            None => self.base_dir().join(REVOCATIONS_FILE),
        })
    }

    /// Records that the signed revocation list now says all it should.
    pub fn revocations_written(&self) -> Result<(), RegisterError> {
        self.set_meta(LIST_STALE, "0")
    }

    /// Every revoked and superseded document, for the signed list.
    pub fn withdrawn(&self) -> Result<Vec<Withdrawn>, RegisterError> {
        let sql = self.sql();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT serial, status, superseded_by, superseded_on, revoked_reason, revoked_on
                 FROM documents WHERE status IN ('superseded', 'revoked') ORDER BY serial",
            )
            .map_err(&sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })
            .map_err(&sql)?;
        let mut out = Vec::new();
        for row in rows {
            let (serial, status, by, on, reason, revoked_on) = row.map_err(&sql)?;
            let (reason, date) = if status == "superseded" {
                (format!("{SUPERSEDED_PREFIX}{}", by.unwrap_or_default()), on)
            } else {
                (reason.unwrap_or_default(), revoked_on)
            };
            let date = date
                .and_then(|d| d.parse().ok())
                .ok_or_else(|| RegisterError::Invalid {
                    path: self.path.clone(),
                    message: format!("{serial} has no valid date of withdrawal"),
                })?;
            out.push(Withdrawn {
                serial,
                reason,
                date,
            });
        }
        Ok(out)
    }

    /// Every file recorded for a document that was issued (whatever
    /// became of it since), for the signed issued-files list.
    pub fn issued_files(&self) -> Result<Vec<IssuedFileRow>, RegisterError> {
        let sql = self.sql();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT d.serial, f.sha256, d.issued_at
                 FROM files f JOIN documents d ON d.id = f.document
                 WHERE d.issued_at IS NOT NULL ORDER BY f.sha256",
            )
            .map_err(&sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(IssuedFileRow {
                    serial: r.get(0)?,
                    sha256: r.get(1)?,
                    issued_at: r.get(2)?,
                })
            })
            .map_err(&sql)?;
        rows.collect::<Result<_, _>>().map_err(&sql)
    }

    /// Every document, oldest first.
    pub fn entries(&self) -> Result<Vec<Entry>, RegisterError> {
        let sql = self.sql();
        let mut files: std::collections::HashMap<i64, Vec<(String, String)>> =
            std::collections::HashMap::new();
        let mut stmt = self
            .conn
            .prepare("SELECT document, path, sha256 FROM files ORDER BY document, path")
            .map_err(&sql)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?)))
            .map_err(&sql)?;
        for row in rows {
            let (id, path, sha) = row.map_err(&sql)?;
            files.entry(id).or_default().push((path, sha));
        }
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, serial, seq, identity, kind, recipient, kid, claims_cbor, seal_sha256,
                   roster, roster_row, status, reserved_at, issued_at, superseded_by,
                   superseded_on, revoked_reason, revoked_on
                 FROM documents ORDER BY id",
            )
            .map_err(&sql)?;
        let rows = stmt
            .query_map([], |r| {
                let id: i64 = r.get(0)?;
                Ok(Entry {
                    serial: r.get(1)?,
                    seq: r
                        .get::<_, Option<i64>>(2)?
                        .and_then(|s| u32::try_from(s).ok()),
                    identity: r.get(3)?,
                    kind: r.get(4)?,
                    recipient: r.get(5)?,
                    kid: r.get(6)?,
                    claims: claims_of(&r.get::<_, Vec<u8>>(7)?)?,
                    seal_sha256: r.get(8)?,
                    roster: r.get(9)?,
                    roster_row: usize::try_from(r.get::<_, i64>(10)?).unwrap_or(0),
                    status: r.get(11)?,
                    reserved_at: r.get(12)?,
                    issued_at: r.get(13)?,
                    superseded_by: r.get(14)?,
                    superseded_on: r.get(15)?,
                    revoked_reason: r.get(16)?,
                    revoked_on: r.get(17)?,
                    files: files.remove(&id).unwrap_or_default(),
                })
            })
            .map_err(&sql)?;
        rows.collect::<Result<_, _>>().map_err(&sql)
    }

    /// Compares the register with the files it records; with `repair`,
    /// fixes what can be fixed without the issuer's key.
    pub fn audit(&mut self, repair: bool) -> Result<Vec<Finding>, RegisterError> {
        let base = self.base_dir();
        let entries = self.entries()?;
        let path = self.path.clone();
        let mut findings =
            audit::run(&mut self.conn, &base, &entries, repair).map_err(sql_error(&path))?;
        if self.revocations_stale()? {
            findings.push(Finding {
                kind: audit::FindingKind::StaleRevocations,
                serial: None,
                message: "the signed revocation list lacks documents withdrawn since it was last written (writing it failed): writing the list again, or the next generate or revoke, brings it up to date".into(),
            });
        }
        Ok(findings)
    }

    /// The folder relative paths in the register start from.
    pub fn base_dir(&self) -> PathBuf {
        self.path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_owned()
    }

    /// How a file's path is recorded: relative to the register's folder
    /// when it lies inside it (so the project folder can move), else
    /// absolute.
    pub fn record_path(&self, file: &Path) -> String {
        relative_path(&self.base_dir(), file)
    }

    /// The files recorded for documents in force: (serial, path) → the
    /// file's SHA-256 and its seal's.
    #[allow(clippy::type_complexity)]
    pub fn files_in_force(
        &self,
    ) -> Result<std::collections::HashMap<(String, String), (String, String)>, RegisterError> {
        let sql = self.sql();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT d.serial, f.path, f.sha256, d.seal_sha256
                 FROM files f JOIN documents d ON d.id = f.document
                 WHERE d.status IN ('issued', 'reserved')",
            )
            .map_err(&sql)?;
        let rows = stmt
            .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), (r.get(2)?, r.get(3)?))))
            .map_err(&sql)?;
        rows.collect::<Result<_, _>>().map_err(&sql)
    }
}

/// `file` as the register records it: relative to `base` (the register's
/// folder) when it lies inside it, so the project folder can move; else
/// absolute.
pub fn relative_path(base: &Path, file: &Path) -> String {
    let absolute = |p: &Path| {
        std::path::absolute(p)
            .map(|a| normalize(&a))
            .unwrap_or_else(|_| p.to_owned())
    };
    let file = absolute(file);
    let base = absolute(base);
    file.strip_prefix(&base)
        .map(Path::to_owned)
        .unwrap_or(file)
        .to_string_lossy()
        .into_owned()
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The register a command means: `explicit`, else the one beside the
/// event settings `config`, else `piagam-register.sqlite` here.
pub fn locate(explicit: Option<&Path>, config: Option<&Path>) -> PathBuf {
    match (explicit, config) {
        (Some(path), _) => path.to_owned(),
        (None, Some(config)) => config
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .join(REGISTER_FILE),
        (None, None) => PathBuf::from(REGISTER_FILE),
    }
}

/// A file of an issued document, as the register records it.
#[derive(Debug, Clone)]
pub struct IssuedFileRow {
    pub serial: String,
    /// Lowercase hex.
    pub sha256: String,
    /// When the document was issued (UTC, RFC 3339).
    pub issued_at: String,
}

/// Every text value in a JSON value, keys left out.
/// A document's claims from the CBOR the register keeps: what was signed.
/// Bytes the seal's codec refuses are an error naming the column, never
/// a blank entry.
fn claims_of(cbor: &[u8]) -> Result<crate::seal::Claims, rusqlite::Error> {
    let bad = |why: String| {
        rusqlite::Error::FromSqlConversionFailure(
            7,
            rusqlite::types::Type::Blob,
            format!("claims_cbor: {why}").into(),
        )
    };
    let value = crate::seal::cbor::decode(cbor).map_err(|e| bad(e.to_string()))?;
    crate::seal::Claims::from_cbor(&value).map_err(|e| bad(e.to_string()))
}

/// Every value the claims hold, as text (dates as YYYY-MM-DD).
fn values(c: &crate::seal::Claims) -> impl Iterator<Item = String> + '_ {
    [
        Some(c.serial.clone()),
        Some(c.kind.clone()),
        Some(c.recipient.clone()),
        Some(c.achievement.clone()),
        Some(c.event.clone()),
        Some(c.date.to_string()),
        c.place.clone(),
        c.valid_until.map(|d| d.to_string()),
    ]
    .into_iter()
    .flatten()
    .chain(c.extra.values().cloned())
}

/// The register's documents as CSV, every cell safe to open in a
/// spreadsheet (a recipient or reason starting with `=` is text).
pub fn entries_csv(entries: &[Entry]) -> Vec<u8> {
    use crate::spreadsheet::safe_cell;
    let mut csv = csv::Writer::from_writer(Vec::new());
    let _ = csv.write_record([
        "serial",
        "status",
        "kind",
        "recipient",
        "achievement",
        "category",
        "date",
        "issued_at",
        "superseded_by",
        "revoked_reason",
        "revoked_on",
        "roster",
        "roster_row",
        "files",
    ]);
    for e in entries {
        let claims = &e.claims;
        let files: Vec<&str> = e.files.iter().map(|(p, _)| p.as_str()).collect();
        let cells = [
            e.serial.clone(),
            e.status.code().to_owned(),
            e.kind.clone(),
            e.recipient.clone(),
            claims.achievement.clone(),
            claims.extra.get("category").cloned().unwrap_or_default(),
            claims.date.to_string(),
            e.issued_at.clone().unwrap_or_default(),
            e.superseded_by.clone().unwrap_or_default(),
            e.revoked_reason.clone().unwrap_or_default(),
            e.revoked_on.clone().unwrap_or_default(),
            e.roster.clone(),
            e.roster_row.to_string(),
            files.join(" "),
        ];
        let _ = csv.write_record(cells.iter().map(|c| safe_cell(c)));
    }
    csv.into_inner().unwrap_or_default()
}

/// Which documents `piagam list` shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<Status>,
    pub kind: Option<String>,
    /// Case-insensitive, in the serial, recipient, achievement and claims.
    pub search: Option<String>,
}

impl Filter {
    pub fn matches(&self, e: &Entry) -> bool {
        self.status.is_none_or(|s| s == e.status)
            && self
                .kind
                .as_ref()
                .is_none_or(|k| k.eq_ignore_ascii_case(&e.kind))
            && self.search.as_ref().is_none_or(|text| {
                let text = text.to_lowercase();
                // The values only: a search for "recipient" finds a name,
                // never every document through its claims' keys.
                e.serial.to_lowercase().contains(&text)
                    || values(&e.claims).any(|v| v.to_lowercase().contains(&text))
            })
    }
}

impl Entry {
    /// The entry as JSON, its claims as an object.
    pub fn to_json(&self) -> serde_json::Value {
        let claims = crate::report_text::claims_json(&self.claims);
        serde_json::json!({
            "serial": self.serial,
            "status": self.status.code(),
            "kind": self.kind,
            "recipient": self.recipient,
            "claims": claims,
            "kid": self.kid,
            "seal_sha256": self.seal_sha256,
            "roster": self.roster,
            "roster_row": self.roster_row,
            "reserved_at": self.reserved_at,
            "issued_at": self.issued_at,
            "superseded_by": self.superseded_by,
            "superseded_on": self.superseded_on,
            "revoked_reason": self.revoked_reason,
            "revoked_on": self.revoked_on,
            "files": self.files.iter().map(|(path, sha)| serde_json::json!({"path": path, "sha256": sha})).collect::<Vec<_>>(),
        })
    }
}

/// The meta key that says the signed revocation list is out of date.
const LIST_STALE: &str = "revocations_stale";

fn mark_list_stale(tx: &rusqlite::Transaction) -> Result<(), rusqlite::Error> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, '1')
         ON CONFLICT (key) DO UPDATE SET value = '1'",
        [LIST_STALE],
    )
    .map(|_| ())
}

/// Opens a register to read it. For writing where allowed (nothing is
/// written), so that closing it tidies away the WAL's side files.
///
/// Where only reading is allowed (another user's register), a read-only
/// connection would leave `-wal` and `-shm` files owned by this user, which
/// the owner's next run cannot write: it failed with "attempt to write a
/// readonly database". So with no WAL present (no run under way, nothing
/// uncommitted) the file is read as immutable, which makes no side files;
/// with one present, its files already exist and are shared read-only. On
/// read-only media, immutable is the only way. Each way is tried with a
/// first read, since opening alone checks little.
fn open_for_reading(path: &Path) -> Result<Connection, rusqlite::Error> {
    let flags = OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let tried = |conn: Connection| schema::version(&conn).map(|_| conn);
    let immutable = || {
        let absolute = std::path::absolute(path)
            .map_err(|e| rusqlite::Error::InvalidPath(PathBuf::from(e.to_string())))?;
        // A URI names the file; characters a URI reserves are escaped.
        let escaped: String = absolute
            .to_string_lossy()
            .chars()
            .map(|c| match c {
                '%' => "%25".to_owned(),
                '?' => "%3f".to_owned(),
                '#' => "%23".to_owned(),
                c => c.to_string(),
            })
            .collect();
        Connection::open_with_flags(
            format!("file:{escaped}?immutable=1"),
            flags | OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
        )
        .and_then(tried)
    };
    let read_only = || {
        Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_READ_ONLY).and_then(tried)
    };
    if writable(path) {
        // SQLite falls back to read-only by itself where it cannot write,
        // so this is tried only where this user may write.
        return Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_READ_WRITE)
            .and_then(tried)
            .or_else(|_| read_only());
    }
    if side_file(path, "-wal").exists() {
        read_only().or_else(|first| immutable().map_err(|_| first))
    } else {
        immutable().or_else(|_| read_only())
    }
}

/// `register.sqlite-wal` and the like: SQLite's names for its side files.
fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Refuses a register path that is a device, FIFO or socket, before
/// anything opens it (reading one may never end).
fn check_kind(path: &Path) -> Result<(), RegisterError> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() && !m.is_dir() => Err(RegisterError::Invalid {
            path: path.to_owned(),
            message: "this is not a regular file (a device, FIFO or socket)".into(),
        }),
        Ok(m) if m.is_dir() => Err(RegisterError::Invalid {
            path: path.to_owned(),
            message: "this is a folder; name the register's file".into(),
        }),
        _ => Ok(()),
    }
}

/// The path a register really lives at: symlinks followed, `..` resolved.
fn resolve(path: &Path) -> Result<PathBuf, RegisterError> {
    if path.exists() {
        return std::fs::canonicalize(path).map_err(|e| RegisterError::Invalid {
            path: path.to_owned(),
            message: e.to_string(),
        });
    }
    if path.symlink_metadata().is_ok() {
        return Err(RegisterError::Invalid {
            path: path.to_owned(),
            message: "this is a link to a file that does not exist".into(),
        });
    }
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let folder = std::fs::canonicalize(folder).map_err(|e| RegisterError::Invalid {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    Ok(folder.join(path.file_name().unwrap_or_default()))
}

/// Whether this process may write the register and beside it.
fn writable(path: &Path) -> bool {
    let file_ok = std::fs::OpenOptions::new().append(true).open(path).is_ok();
    let folder = path.parent().unwrap_or(Path::new("."));
    let probe = folder.join(format!(".piagam-write-probe-{}", std::process::id()));
    let folder_ok = std::fs::File::create(&probe).is_ok();
    let _ = std::fs::remove_file(&probe);
    file_ok && folder_ok
}

/// Refuses an SQLite file that is not a piagam register (its own tables,
/// no piagam schema version) instead of adding piagam's tables to it.
fn refuse_foreign(path: &Path) -> Result<(), RegisterError> {
    if std::fs::metadata(path).map_or(true, |m| m.len() == 0) {
        return Ok(());
    }
    let conn = open_for_reading(path).map_err(sql_error(path))?;
    schema::version(&conn).map_err(|e| RegisterError::Invalid {
        path: path.to_owned(),
        message: format!("{e}: this is not an SQLite database, so not a piagam register"),
    })?;
    // One statement, so one snapshot: a run creating this register at the
    // same moment commits its tables and their version together, and two
    // separate reads could see the tables without the version.
    let (version, tables, has_ours): (i64, i64, i64) = conn
        .query_row(
            "SELECT (SELECT user_version FROM pragma_user_version),
                    (SELECT count(*) FROM sqlite_master WHERE type = 'table'),
                    (SELECT count(*) FROM sqlite_master WHERE type = 'table'
                       AND name IN ('meta', 'counters', 'documents', 'files'))",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map_err(sql_error(path))?;
    if (version == 0 && tables > 0) || (version > 0 && has_ours < 4) {
        return Err(RegisterError::Invalid {
            path: path.to_owned(),
            message: format!(
                "this SQLite database is not a piagam register ({tables} table(s) of its own, schema version {version}); name another file"
            ),
        });
    }
    Ok(())
}

/// The lock file of a register.
pub fn lock_path(register: &Path) -> PathBuf {
    let name = register
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| REGISTER_FILE.into());
    register.with_file_name(format!("{name}.lock"))
}

fn sql_error(path: &Path) -> impl Fn(rusqlite::Error) -> RegisterError + '_ {
    move |source| RegisterError::Sql {
        path: path.to_owned(),
        source,
    }
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A SHA-256 digest back from its hex, as [`hex`] writes it.
pub fn unhex(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests;
