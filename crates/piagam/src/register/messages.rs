//! The register's record of every message `piagam send` tried: which
//! documents, to which address, under which Message-ID, when, and what the
//! server answered. A message is recorded as `sending` before it goes and
//! updated after, so a run killed midway resends only what no server
//! accepted (one killed between the server's answer and the update may
//! send that one message twice, under the same Message-ID).

use rusqlite::params;

use super::{Register, RegisterError};
use crate::date::Date;

/// How a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Handed to the server; the outcome was not heard (a run killed).
    Sending,
    /// The server accepted it.
    Accepted,
    /// The server refused it for good (5xx, a bad address).
    Refused,
    /// It could not be handed over this time (4xx after retries, the
    /// network); a rerun tries again.
    Failed,
}

impl Delivery {
    pub fn code(self) -> &'static str {
        match self {
            Delivery::Sending => "sending",
            Delivery::Accepted => "accepted",
            Delivery::Refused => "refused",
            Delivery::Failed => "failed",
        }
    }

    fn parse(code: &str) -> Delivery {
        match code {
            "accepted" => Delivery::Accepted,
            "refused" => Delivery::Refused,
            "failed" => Delivery::Failed,
            _ => Delivery::Sending,
        }
    }
}

/// One message as the register keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    /// The documents attached, by serial.
    pub serials: Vec<String>,
    pub address: String,
    pub message_id: String,
    /// When it was last tried (UTC).
    pub at: String,
    pub delivery: Delivery,
    /// The server's answer, or the error.
    pub answer: String,
}

fn key(serials: &[String]) -> String {
    serials.join("\n")
}

impl Register {
    /// Records that a message is going out now; its id for [`Register::settle_message`].
    pub fn start_message(
        &self,
        serials: &[String],
        address: &str,
        message_id: &str,
    ) -> Result<i64, RegisterError> {
        self.conn
            .execute(
                "INSERT INTO messages (serials, address, message_id, at, state)
                 VALUES (?1, ?2, ?3, ?4, 'sending')",
                params![key(serials), address, message_id, Date::now_utc_timestamp()],
            )
            .map_err(self.sql())?;
        Ok(self.conn.last_insert_rowid())
    }

    /// How the message `id` went.
    pub fn settle_message(
        &self,
        id: i64,
        delivery: Delivery,
        answer: &str,
    ) -> Result<(), RegisterError> {
        self.conn
            .execute(
                "UPDATE messages SET state = ?2, answer = ?3, at = ?4 WHERE id = ?1",
                params![id, delivery.code(), answer, Date::now_utc_timestamp()],
            )
            .map(|_| ())
            .map_err(self.sql())
    }

    /// The latest try of each message (documents and address), oldest
    /// first.
    pub fn messages(&self) -> Result<Vec<SentMessage>, RegisterError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT serials, address, message_id, at, state, answer FROM messages
                 WHERE id IN (SELECT MAX(id) FROM messages GROUP BY serials, address)
                 ORDER BY id",
            )
            .map_err(self.sql())?;
        let rows = statement
            .query_map([], |r| {
                let serials: String = r.get(0)?;
                let state: String = r.get(4)?;
                Ok(SentMessage {
                    serials: serials.split('\n').map(str::to_owned).collect(),
                    address: r.get(1)?,
                    message_id: r.get(2)?,
                    at: r.get(3)?,
                    delivery: Delivery::parse(&state),
                    answer: r.get(5)?,
                })
            })
            .map_err(self.sql())?;
        rows.collect::<Result<_, _>>().map_err(self.sql())
    }
}
