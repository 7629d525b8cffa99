//! A document's identity: who and what it is for. Two runs that give a
//! record the same identity mean the same document; a changed identity is a
//! new document, or a correction the organizer confirms.

use std::fmt;

/// Who and what a document is for, compared without regard to case,
/// accents' encoding or runs of spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Identity {
    /// The roster's `id` column names it: never guessed at.
    ById {
        slot: String,
        id: String,
        year: String,
    },
    /// Made from the record: its recipient, achievement, category and
    /// event, for one kind of document (`slot`), in the year of its date
    /// (an award given every year under one name is a new document each
    /// year, never a correction of last year's).
    ByFields {
        slot: String,
        recipient: String,
        achievement: String,
        category: String,
        event: String,
        year: String,
    },
    /// A stored identity of another form (a newer piagam's): kept as it is,
    /// equal only to itself, never taken apart.
    Other(String),
}

impl Identity {
    /// The identity of a record: its `id` column if it has one, else
    /// its fields (recipient, achievement, category, event).
    pub fn new(slot: &str, id: Option<&str>, fields: [&str; 4], year: u16) -> Identity {
        use unicode_normalization::UnicodeNormalization;
        let norm = |s: &str| -> String {
            s.nfc()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        };
        match id.map(str::trim).filter(|s| !s.is_empty()) {
            Some(id) => Identity::ById {
                slot: slot.to_owned(),
                id: norm(id),
                year: year.to_string(),
            },
            None => {
                let [recipient, achievement, category, event] = fields.map(norm);
                Identity::ByFields {
                    slot: slot.to_owned(),
                    recipient,
                    achievement,
                    category,
                    event,
                    year: year.to_string(),
                }
            }
        }
    }

    /// The identity as the register stores it: a JSON array of its parts,
    /// `[slot, "id", id, year]` or `[slot, recipient, achievement, category,
    /// event, year]`.
    pub fn stored(&self) -> String {
        let parts: Vec<&str> = match self {
            Identity::ById { slot, id, year } => vec![slot, "id", id, year],
            Identity::ByFields {
                slot,
                recipient,
                achievement,
                category,
                event,
                year,
            } => vec![slot, recipient, achievement, category, event, year],
            Identity::Other(text) => return text.clone(),
        };
        serde_json::to_string(&parts).unwrap_or_default()
    }

    /// An identity read back from the register.
    pub fn from_stored(text: &str) -> Identity {
        let parts: Option<Vec<String>> = serde_json::from_str(text).ok();
        match parts.as_deref() {
            Some([slot, marker, id, year]) if marker == "id" => Identity::ById {
                slot: slot.clone(),
                id: id.clone(),
                year: year.clone(),
            },
            Some([slot, recipient, achievement, category, event, year]) => Identity::ByFields {
                slot: slot.clone(),
                recipient: recipient.clone(),
                achievement: achievement.clone(),
                category: category.clone(),
                event: event.clone(),
                year: year.clone(),
            },
            _ => Identity::Other(text.to_owned()),
        }
    }

    /// The document slot of an identity made from a record's fields; none
    /// for one an `id` column gives, which is never guessed at.
    pub fn fields_slot(&self) -> Option<&str> {
        match self {
            Identity::ByFields { slot, .. } => Some(slot),
            _ => None,
        }
    }
}

impl rusqlite::types::ToSql for Identity {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::from(self.stored()))
    }
}

impl rusqlite::types::FromSql for Identity {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        value.as_str().map(Identity::from_stored)
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.stored())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_stored_as_before_and_read_back() {
        let by_fields = Identity::new("piagam", None, ["Kota  Semarang", "Juara", "", "E"], 2024);
        assert_eq!(
            by_fields.stored(),
            r#"["piagam","kota semarang","juara","","e","2024"]"#
        );
        let by_id = Identity::new("piagam", Some(" A-7 "), ["x", "y", "z", "w"], 2024);
        assert_eq!(by_id.stored(), r#"["piagam","id","a-7","2024"]"#);
        for identity in [by_fields, by_id] {
            assert_eq!(Identity::from_stored(&identity.stored()), identity);
        }
        let odd = Identity::from_stored(r#"["a","b"]"#);
        assert_eq!(odd, Identity::Other(r#"["a","b"]"#.into()));
        assert_eq!(odd.fields_slot(), None);
    }
}
