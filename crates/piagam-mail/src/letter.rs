//! The message itself: a subject and body per language, with the page
//! templates' placeholders, and the winner's documents attached as they
//! were issued (their files' very bytes), with their verification links.

use lettre::message::header::ContentType;
pub use lettre::message::Mailbox;
use lettre::message::{Attachment, MultiPart, SinglePart};
use lettre::Message;

use crate::plan::Letter;
use crate::MailError;

/// What one message says, in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wording {
    pub subject: String,
    pub body: String,
}

/// The bundled wording: plain, polite, and saying how to check.
pub fn default_wording(lang: piagam::locale::Language) -> Wording {
    match lang {
        piagam::locale::Language::En => Wording {
            subject: "Your documents from {{event}}".into(),
            body: "Dear {{recipient}},\n\n\
                   Attached are your documents from {{event}} ({{achievement}}), issued by {{issuer}}:\n\n\
                   {{documents}}\n\n\
                   Each carries a QR code with a digital seal. Anyone can check a document by scanning \
                   its QR code with a phone camera, or by opening its verification link above.\n\n\
                   Congratulations,\n{{issuer}}\n"
                .into(),
        },
        _ => Wording {
            subject: "Dokumen Anda dari {{event}}".into(),
            body: "Yth. {{recipient}},\n\n\
                   Terlampir dokumen Anda dari {{event}} ({{achievement}}) yang diterbitkan oleh {{issuer}}:\n\n\
                   {{documents}}\n\n\
                   Setiap dokumen memuat kode QR bersegel digital. Siapa pun dapat memeriksanya dengan \
                   memindai kode QR itu dengan kamera ponsel, atau membuka tautan verifikasinya di atas.\n\n\
                   Selamat,\n{{issuer}}\n"
                .into(),
        },
    }
}

/// The placeholders a message may use.
pub const PLACEHOLDERS: &[&str] = &["recipient", "achievement", "event", "issuer", "documents"];

/// `text` with each `{{name}}` filled; an unknown one is refused by name.
fn fill(text: &str, values: &[(&str, String)]) -> Result<String, MailError> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| MailError::Wording("a '{{' is not closed".into()))?;
        let name = after[..end].trim();
        let value = values
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| {
                MailError::Wording(format!(
                    "'{{{{{name}}}}}' is not a placeholder a message knows ({})",
                    PLACEHOLDERS.join(", ")
                ))
            })?;
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Checks a wording before anything is sent: every placeholder known.
pub fn check_wording(wording: &Wording) -> Result<(), MailError> {
    let values: Vec<(&str, String)> = PLACEHOLDERS.iter().map(|p| (*p, String::new())).collect();
    fill(&wording.subject, &values)?;
    fill(&wording.body, &values)?;
    Ok(())
}

/// Attachments over this are refused: many mail servers take no more.
pub const MAX_ATTACHMENTS_BYTES: u64 = 20 * 1024 * 1024;

/// What the event says of itself, for the placeholders.
#[derive(Debug, Clone)]
pub struct Event {
    pub name: String,
    pub issuer: String,
}

/// The message for `letter` to `to`, with `message_id`.
pub fn compose(
    letter: &Letter,
    to: &str,
    from: &Mailbox,
    event: &Event,
    wording: &Wording,
    message_id: &str,
) -> Result<Message, MailError> {
    let mut total = 0u64;
    let mut files = Vec::new();
    for d in &letter.documents {
        let bytes = std::fs::read(&d.file).map_err(|e| MailError::Batch {
            path: d.file.clone(),
            message: e.to_string(),
        })?;
        total += bytes.len() as u64;
        files.push((d, bytes));
    }
    if total > MAX_ATTACHMENTS_BYTES {
        return Err(MailError::TooLarge {
            row: letter.row,
            bytes: total,
        });
    }
    let list = letter
        .documents
        .iter()
        .map(|d| {
            let name = d.file.file_name().unwrap_or_default().to_string_lossy();
            format!("- {} {} ({name})\n  {}", d.kind, d.serial, d.link)
        })
        .collect::<Vec<_>>()
        .join("\n");
    let values = [
        ("recipient", letter.recipient.clone()),
        ("achievement", letter.achievement.clone()),
        ("event", event.name.clone()),
        ("issuer", event.issuer.clone()),
        ("documents", list),
    ];
    let subject = fill(&wording.subject, &values)?;
    let body = fill(&wording.body, &values)?;
    let to: Mailbox = to
        .parse()
        .map_err(|e| MailError::Address(format!("{to}: {e}")))?;
    let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(body));
    for (d, bytes) in files {
        let name = d
            .file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let pdf = ContentType::parse("application/pdf").expect("a valid MIME type");
        parts = parts.singlepart(Attachment::new(name).body(bytes, pdf));
    }
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .message_id(Some(message_id.to_owned()))
        .multipart(parts)
        .map_err(|e| MailError::Wording(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Document, Letter};

    #[test]
    fn documents_over_20_mb_together_are_refused_saying_so() {
        let dir = tempfile::tempdir().unwrap();
        let documents: Vec<Document> = (1..=2)
            .map(|i| {
                let file = dir.path().join(format!("00{i}.pdf"));
                std::fs::write(&file, vec![b'%'; 10 * 1024 * 1024 + 1]).unwrap();
                Document {
                    serial: format!("00{i}/A"),
                    kind: "piagam".into(),
                    file,
                    link: "https://v.example#1".into(),
                }
            })
            .collect();
        let letter = Letter {
            row: 7,
            recipient: "Kota Semarang".into(),
            achievement: "Juara".into(),
            addresses: vec!["humas@semarangkota.go.id".into()],
            documents,
        };
        let from: Mailbox = "humas@kominfo.go.id".parse().unwrap();
        let event = Event {
            name: "Anugerah".into(),
            issuer: "Dinas".into(),
        };
        let wording = default_wording(piagam::locale::Language::Id);
        let err = compose(
            &letter,
            "humas@semarangkota.go.id",
            &from,
            &event,
            &wording,
            "<m@x>",
        )
        .unwrap_err();
        assert!(matches!(err, MailError::TooLarge { row: 7, .. }), "{err}");
        assert!(
            err.to_string()
                .contains("more than the 20 MB a message may carry"),
            "{err}"
        );
        // Under the limit, the same letter is composed.
        std::fs::write(&letter.documents[1].file, b"%PDF-").unwrap();
        compose(
            &letter,
            "humas@semarangkota.go.id",
            &from,
            &event,
            &wording,
            "<m@x>",
        )
        .unwrap();
    }

    #[test]
    fn placeholders_are_filled_and_an_unknown_one_named() {
        let values = [("recipient", "Kota Semarang".to_owned())];
        assert_eq!(
            fill("Yth. {{recipient}}, {{ recipient }}!", &values).unwrap(),
            "Yth. Kota Semarang, Kota Semarang!"
        );
        let err = fill("{{nama}}", &values).unwrap_err().to_string();
        assert!(err.contains("'{{nama}}' is not a placeholder"), "{err}");
        assert!(fill("{{recipient", &values).is_err());
        for lang in [piagam::locale::Language::Id, piagam::locale::Language::En] {
            check_wording(&default_wording(lang)).unwrap();
        }
    }
}
