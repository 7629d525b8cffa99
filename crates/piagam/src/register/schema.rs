//! The register's schema, and the migrations that bring an older file to
//! it. `PRAGMA user_version` holds the version; docs/REGISTER.md describes
//! each table for readers using the `sqlite3` tool.

use rusqlite::Connection;

/// The schema version this piagam writes.
pub const VERSION: i64 = 2;

/// Migration `i` brings a register from version `i` to `i + 1`. Each runs
/// in one transaction with the version bump, so a crash leaves either the
/// old schema or the new.
const MIGRATIONS: &[&str] = &[
    // 0 → 1: the first schema.
    "
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE counters (
        pattern TEXT NOT NULL,
        period  TEXT NOT NULL DEFAULT '',
        next    INTEGER NOT NULL CHECK (next >= 0),
        PRIMARY KEY (pattern, period)
    );
    CREATE TABLE documents (
        id             INTEGER PRIMARY KEY,
        serial         TEXT NOT NULL UNIQUE,
        seq            INTEGER,
        pattern        TEXT,
        period         TEXT,
        identity       TEXT NOT NULL,
        kind           TEXT NOT NULL,
        recipient      TEXT NOT NULL,
        kid            TEXT NOT NULL,
        claims         TEXT NOT NULL,
        claims_cbor    BLOB NOT NULL,
        seal_sha256    TEXT NOT NULL,
        roster         TEXT NOT NULL,
        roster_row     INTEGER NOT NULL,
        status         TEXT NOT NULL
                       CHECK (status IN ('reserved', 'issued', 'superseded', 'revoked')),
        reserved_at    TEXT NOT NULL,
        issued_at      TEXT,
        superseded_by  TEXT,
        superseded_on  TEXT,
        revoked_reason TEXT,
        revoked_on     TEXT
    );
    CREATE INDEX documents_by_identity ON documents (identity);
    CREATE TABLE files (
        document INTEGER NOT NULL REFERENCES documents (id),
        path     TEXT NOT NULL,
        sha256   TEXT NOT NULL,
        PRIMARY KEY (document, path)
    );
    ",
    // 1 → 2: every message `piagam send` tried, and how it went.
    "
    CREATE TABLE messages (
        id          INTEGER PRIMARY KEY,
        serials     TEXT NOT NULL,
        address     TEXT NOT NULL,
        message_id  TEXT NOT NULL,
        at          TEXT NOT NULL,
        state       TEXT NOT NULL
                    CHECK (state IN ('sending', 'accepted', 'refused', 'failed')),
        answer      TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX messages_by_letter ON messages (serials, address);
    ",
];

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("it was made by a newer piagam (schema version {found}; this one knows up to {VERSION}): update piagam")]
    Newer { found: i64 },
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
}

/// Brings the register to [`VERSION`].
pub fn migrate(conn: &mut Connection) -> Result<(), SchemaError> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > VERSION {
        return Err(SchemaError::Newer { found });
    }
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", from as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// The version of an open register.
pub fn version(conn: &Connection) -> Result<i64, rusqlite::Error> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}
