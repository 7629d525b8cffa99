//! The generate job: roster + event settings + templates + key → signed PDFs.
//!
//! Everything is signed and laid out in memory first. Only when every row has
//! composed without error is anything written, each file atomically.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use unicode_normalization::UnicodeNormalization;

use crate::config::EventConfig;
use crate::fsio::{self, WriteError};
use crate::layout::fonts::FontBook;
use crate::layout::{compose, ComposeError, Page};
use crate::numbering::{format_serial, SerialParts};
use crate::qr::{self, QrError};
use crate::render::pdf::{PdfWriter, RenderError};
use crate::roster::Record;
use crate::seal::{self, qrtext, Claims, IssuerKey, Jwks};
use crate::template::Template;

/// One document to be issued, after signing and layout.
#[derive(Debug, Clone)]
pub struct Issued {
    pub row: usize,
    pub serial: String,
    pub kind: String,
    pub recipient: String,
    pub achievement: String,
    pub category: String,
    /// File name inside the output folder.
    pub file: String,
    pub qr_text: String,
    pub claims: Claims,
    pub page: Page,
}

/// What a generate run needs.
pub struct Job<'a> {
    /// Names the roster in messages.
    pub roster_name: PathBuf,
    pub records: &'a [Record],
    pub config: &'a EventConfig,
    pub templates: &'a [Template],
    pub fonts: &'a FontBook,
    pub key: &'a IssuerKey,
    /// Overrides the config's verify URL.
    pub verify_url: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    #[error("{}", .0.join("\n"))]
    Rows(Vec<String>),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Signs and lays out every document. Reports every row problem at once.
pub fn prepare(job: &Job) -> Result<Vec<Issued>, GenerateError> {
    let config = job.config;
    let verify_url = job.verify_url.clone().or_else(|| config.verify_url.clone());
    let event_date = config
        .event_date()
        .map_err(|e| GenerateError::Rows(vec![e.to_string()]))?;
    let mut issued = Vec::new();
    let mut problems = Vec::new();
    let here = |row: usize| format!("{}:{row}", job.roster_name.display());

    // Documents of one kind stay together, in roster order.
    for template in job.templates {
        for (index, record) in job.records.iter().enumerate() {
            let date = record.date.unwrap_or(event_date);
            let seq = config.numbering.start.saturating_add(index as u32);
            let serial = match &record.serial {
                Some(s) if job.templates.len() == 1 => s.clone(),
                _ => match format_serial(
                    &config.numbering.pattern,
                    &SerialParts {
                        seq,
                        date,
                        kind: &template.kind,
                    },
                ) {
                    Ok(s) => s,
                    Err(e) => {
                        problems.push(format!("{}: serial: {e}", here(record.row)));
                        continue;
                    }
                },
            };
            let mut extra = BTreeMap::new();
            if let Some(category) = &record.category {
                extra.insert("category".to_owned(), category.clone());
            }
            let claims = Claims {
                serial: serial.clone(),
                kind: template.kind.clone(),
                recipient: record.recipient.clone(),
                achievement: record.achievement.clone(),
                event: record
                    .event
                    .clone()
                    .unwrap_or_else(|| config.event.name.clone()),
                date,
                place: record.place.clone().or_else(|| config.event.place.clone()),
                extra,
                valid_until: config.valid_until(),
            };
            let cose = seal::sign(&claims, job.key);
            let qr_text = qrtext::qr_text(verify_url.as_deref(), &cose);
            let matrix = match qr::encode_seal_text(&qr_text) {
                Ok(m) => m,
                Err(QrError::TooLong(n)) => {
                    problems.push(format!(
                        "{}: the seal ({n} characters) is too long for a QR code; shorten the fields",
                        here(record.row)
                    ));
                    continue;
                }
            };
            let fields = page_fields(&claims, record, config);
            match compose(template, job.fonts, &fields, &matrix) {
                Ok(page) => issued.push(Issued {
                    row: record.row,
                    file: file_name(seq, &template.kind, &record.recipient),
                    serial,
                    kind: template.kind.clone(),
                    recipient: record.recipient.clone(),
                    achievement: record.achievement.clone(),
                    category: record.category.clone().unwrap_or_default(),
                    qr_text,
                    claims,
                    page,
                }),
                Err(ComposeError { what, text, source }) => problems.push(format!(
                    "{}: {what} \"{text}\" in template {}: {source}",
                    here(record.row),
                    template.dir.display()
                )),
            }
        }
    }
    if problems.is_empty() {
        Ok(issued)
    } else {
        Err(GenerateError::Rows(problems))
    }
}

/// The values templates can print for one document.
fn page_fields(claims: &Claims, record: &Record, config: &EventConfig) -> BTreeMap<String, String> {
    let mut f = BTreeMap::new();
    let mut put = |k: &str, v: &str| {
        f.insert(k.to_owned(), v.to_owned());
    };
    put("recipient", &claims.recipient);
    put("achievement", &claims.achievement);
    put("category", record.category.as_deref().unwrap_or(""));
    put("serial", &claims.serial);
    put("event", &claims.event);
    put("place", claims.place.as_deref().unwrap_or(""));
    put("date", &claims.date.to_string());
    put(
        "valid_until",
        &claims
            .valid_until
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    put("kind", &claims.kind);
    put("signatory.name", &config.signatory.name);
    put("signatory.title", &config.signatory.title);
    put("signatory.nip", &config.signatory.nip);
    for (k, v) in &record.extra {
        put(&format!("extra.{k}"), v);
    }
    f
}

/// `007-piagam-pemerintah-kota-semarang.pdf`: sortable, ASCII, no spaces.
fn file_name(seq: u32, kind: &str, recipient: &str) -> String {
    let mut slug = String::new();
    for c in recipient.nfd() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if (c.is_whitespace() || c.is_ascii_punctuation()) && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_matches('-').chars().take(60).collect();
    let slug = slug.trim_end_matches('-');
    let kind: String = kind.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("{seq:03}-{kind}-{slug}.pdf")
}

/// Writes every PDF, the merged print file, the manifest and the JWKS.
pub fn write_outputs(
    issued: &[Issued],
    fonts: &FontBook,
    jwks: &Jwks,
    out_dir: &Path,
) -> Result<Vec<PathBuf>, GenerateError> {
    std::fs::create_dir_all(out_dir).map_err(|e| WriteError {
        path: out_dir.to_owned(),
        message: e.to_string(),
    })?;
    let mut writer = PdfWriter::new(fonts);
    let mut written = Vec::new();
    for doc in issued {
        let bytes = writer.write(&[&doc.page], &format!("{} — {}", doc.serial, doc.recipient))?;
        let path = out_dir.join(&doc.file);
        fsio::write_atomic(&path, &bytes)?;
        written.push(path);
    }
    let pages: Vec<&Page> = issued.iter().map(|d| &d.page).collect();
    let print = writer.write(&pages, "print")?;
    let print_path = out_dir.join("print.pdf");
    fsio::write_atomic(&print_path, &print)?;
    written.push(print_path);

    let manifest_path = out_dir.join("manifest.csv");
    fsio::write_atomic(&manifest_path, &manifest_csv(issued))?;
    written.push(manifest_path);

    let jwks_path = out_dir.join("issuer.jwks.json");
    fsio::write_atomic(&jwks_path, jwks.to_json().as_bytes())?;
    written.push(jwks_path);
    Ok(written)
}

fn manifest_csv(issued: &[Issued]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "serial",
        "kind",
        "recipient",
        "achievement",
        "category",
        "row",
        "file",
        "qr_text",
    ];
    // Writing to a Vec cannot fail.
    let _ = w.write_record(header);
    for d in issued {
        let row = d.row.to_string();
        let _ = w.write_record([
            d.serial.as_str(),
            &d.kind,
            &d.recipient,
            &d.achievement,
            &d.category,
            &row,
            &d.file,
            &d.qr_text,
        ]);
    }
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_ascii_slugs() {
        assert_eq!(
            file_name(7, "piagam", "Nguyễn Thị Ánh"),
            "007-piagam-nguyen-thi-anh.pdf"
        );
        assert_eq!(
            file_name(
                12,
                "sertifikat",
                "Dr. dr. H. Muhammad Ma’ruf, S.Kom., M.T.I."
            ),
            "012-sertifikat-dr-dr-h-muhammad-maruf-s-kom-m-t-i.pdf"
        );
    }
}
