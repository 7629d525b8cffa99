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
use crate::roster::{Field, Record, RowProblem};
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
    #[error("{}\n{} problem(s) found; no file was written", .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"), .0.len())]
    Rows(Vec<RowProblem>),
    #[error("{} file(s) in the output folder would change, e.g. {}; piagam never replaces a document that may have been signed since it was written. Use a new --out folder, or pass --overwrite.", .0.len(), .0[0].display())]
    WouldReplace(Vec<PathBuf>),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Every document that could be made, and every problem with the others.
#[derive(Debug, Default)]
pub struct Prepared {
    pub issued: Vec<Issued>,
    pub problems: Vec<RowProblem>,
}

impl Prepared {
    /// Adds problems found earlier (e.g. by the roster reader).
    pub fn with_problems(mut self, mut earlier: Vec<RowProblem>) -> Prepared {
        earlier.append(&mut self.problems);
        self.problems = earlier;
        self
    }

    /// All documents, or every problem if there is any.
    pub fn into_all(self) -> Result<Vec<Issued>, GenerateError> {
        if self.problems.is_empty() {
            Ok(self.issued)
        } else {
            Err(GenerateError::Rows(self.problems))
        }
    }

    /// Drops every document of a row with a problem; returns the documents
    /// kept and the problems, for `rejected.csv`.
    pub fn skip_invalid(self) -> (Vec<Issued>, Vec<RowProblem>) {
        let bad: std::collections::BTreeSet<usize> =
            self.problems.iter().filter_map(|p| p.row).collect();
        let kept = self
            .issued
            .into_iter()
            .filter(|d| !bad.contains(&d.row))
            .collect();
        (kept, self.problems)
    }
}

/// Signs and lays out every document, collecting every problem.
pub fn prepare(job: &Job) -> Result<Prepared, GenerateError> {
    let config = job.config;
    let verify_url = job.verify_url.clone().or_else(|| config.verify_url.clone());
    let event_date = config.event_date().map_err(|e| {
        GenerateError::Rows(vec![RowProblem {
            file: job.roster_name.clone(),
            row: None,
            column: None,
            reason: format!("event date: {e}"),
        }])
    })?;
    let problem = |row: usize, column: &str, reason: String| RowProblem {
        file: job.roster_name.clone(),
        row: Some(row),
        column: Some(column.to_owned()),
        reason,
    };
    // Documents of one kind stay together, in roster order. Each document
    // is independent, so they are made in parallel; order is kept.
    use rayon::prelude::*;
    let pairs: Vec<(&Template, &Record)> = job
        .templates
        .iter()
        .flat_map(|t| job.records.iter().map(move |r| (t, r)))
        .collect();
    let made: Vec<Result<Issued, RowProblem>> = pairs
        .par_iter()
        .map(|(template, record)| {
            make_document(job, template, record, event_date, verify_url.as_deref())
                .map_err(|(column, reason)| problem(record.row, &column, reason))
        })
        .collect();
    let mut issued = Vec::new();
    let mut problems = Vec::new();
    for result in made {
        match result {
            Ok(doc) => issued.push(doc),
            Err(p) => problems.push(p),
        }
    }
    // Two documents must never share a serial: it is what a revocation names.
    let mut seen: std::collections::HashMap<&str, (usize, &str)> = std::collections::HashMap::new();
    for doc in &issued {
        if let Some((row, kind)) = seen.get(doc.serial.as_str()) {
            problems.push(problem(
                doc.row,
                "serial",
                format!(
                    "serial {} is also given to the {kind} of row {row}; put {{kind}} in the numbering pattern or give each document its own numbering",
                    doc.serial
                ),
            ));
        } else {
            seen.insert(&doc.serial, (doc.row, &doc.kind));
        }
    }
    Ok(Prepared { issued, problems })
}

/// Signs and lays out one document; on failure, the column and reason.
fn make_document(
    job: &Job,
    template: &Template,
    record: &Record,
    event_date: crate::date::Date,
    verify_url: Option<&str>,
) -> Result<Issued, (String, String)> {
    let config = job.config;
    let date = record.date.unwrap_or(event_date);
    let seq = config
        .numbering
        .start
        .saturating_add(u32::try_from(record.ordinal).unwrap_or(u32::MAX));
    let serial = match &record.serial {
        Some(s) if job.templates.len() == 1 => s.clone(),
        _ => format_serial(
            template
                .numbering
                .as_deref()
                .unwrap_or(&config.numbering.pattern),
            &SerialParts {
                seq,
                date,
                kind: &template.kind,
            },
        )
        .map_err(|e| ("serial".to_owned(), e.to_string()))?,
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
    let qr_text = qrtext::qr_text(verify_url, &cose);
    let matrix = qr::encode_seal_text(&qr_text).map_err(|QrError::TooLong(n)| {
        (
            "seal".to_owned(),
            format!("the seal ({n} characters) is too long for a QR code; shorten the fields"),
        )
    })?;
    let fields = page_fields(&claims, record, config);
    let page = compose(template, job.fonts, &fields, &matrix).map_err(
        |ComposeError { what, text, source }| {
            (
                what,
                format!(
                    "\"{text}\" does not fit template {}: {source}",
                    template.dir.display()
                ),
            )
        },
    )?;
    Ok(Issued {
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
    })
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
    let signatory = |field: Field, default: &str| {
        record
            .signatory
            .get(&field)
            .cloned()
            .unwrap_or_else(|| default.to_owned())
    };
    put(
        "signatory.name",
        &signatory(Field::SignatoryName, &config.signatory.name),
    );
    put(
        "signatory.title",
        &signatory(Field::SignatoryTitle, &config.signatory.title),
    );
    put(
        "signatory.nip",
        &signatory(Field::SignatoryNip, &config.signatory.nip),
    );
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
    rejected: Option<&[RowProblem]>,
    overwrite: bool,
) -> Result<Vec<PathBuf>, GenerateError> {
    // Everything is made in memory first, so a refusal leaves no file changed.
    // One PDF per document, rendered in parallel; each is independent, so
    // the bytes do not depend on which thread made them.
    use rayon::prelude::*;
    let mut files: Vec<(PathBuf, Vec<u8>)> = issued
        .par_iter()
        .map_init(
            || PdfWriter::new(fonts),
            |writer, doc| {
                writer
                    .write(&[&doc.page], &format!("{} — {}", doc.serial, doc.recipient))
                    .map(|bytes| (out_dir.join(&doc.file), bytes))
            },
        )
        .collect::<Result<_, _>>()?;
    let mut writer = PdfWriter::new(fonts);
    let pages: Vec<&Page> = issued.iter().map(|d| &d.page).collect();
    files.push((out_dir.join("print.pdf"), writer.write(&pages, "print")?));
    // With several kinds, one print file per kind too, for different paper.
    let mut kinds: Vec<&str> = issued.iter().map(|d| d.kind.as_str()).collect();
    kinds.dedup();
    if kinds.len() > 1 {
        for kind in kinds {
            let pages: Vec<&Page> = issued
                .iter()
                .filter(|d| d.kind == kind)
                .map(|d| &d.page)
                .collect();
            let bytes = writer.write(&pages, &format!("print {kind}"))?;
            let safe: String = kind
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            files.push((out_dir.join(format!("print-{safe}.pdf")), bytes));
        }
    }
    files.push((out_dir.join("manifest.csv"), manifest_csv(issued)));
    files.push((
        out_dir.join("issuer.jwks.json"),
        jwks.to_json().into_bytes(),
    ));
    if let Some(rejected) = rejected {
        files.push((out_dir.join("rejected.csv"), rejected_csv(rejected)));
    }

    // A PDF may have been signed (by hand-scan or through BSrE) since it was
    // written: never replace a file whose content would change, unless told.
    if !overwrite {
        let changed: Vec<PathBuf> = files
            .iter()
            .filter(|(path, bytes)| std::fs::read(path).is_ok_and(|old| &old != bytes))
            .map(|(path, _)| path.clone())
            .collect();
        if !changed.is_empty() {
            return Err(GenerateError::WouldReplace(changed));
        }
    }
    std::fs::create_dir_all(out_dir).map_err(|e| WriteError {
        path: out_dir.to_owned(),
        message: e.to_string(),
    })?;
    let mut written = Vec::new();
    for (path, bytes) in files {
        // Identical files are left alone, so a re-run touches nothing.
        if std::fs::read(&path).is_ok_and(|old| old == bytes) {
            written.push(path);
            continue;
        }
        fsio::write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// Rows left out by `--skip-invalid`, each with its reason.
fn rejected_csv(problems: &[RowProblem]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["file", "row", "column", "reason"]);
    for p in problems {
        let _ = w.write_record([
            p.file.display().to_string(),
            p.row.map(|r| r.to_string()).unwrap_or_default(),
            p.column.clone().unwrap_or_default(),
            p.reason.clone(),
        ]);
    }
    w.into_inner().unwrap_or_default()
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

/// A generate or check run, as the command line describes it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub roster: PathBuf,
    pub templates: Vec<PathBuf>,
    /// Needed to generate; `check` signs with a throwaway key of the same size.
    pub key: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub verify_url: Option<String>,
    pub config: Option<PathBuf>,
    pub jwks: Option<PathBuf>,
    pub issuer: Option<String>,
    pub sheet: Option<String>,
    pub skip_invalid: bool,
    /// Replace files in the output folder whose content would change.
    pub overwrite: bool,
}

/// What a run did.
#[derive(Debug)]
pub struct Outcome {
    pub issued: Vec<Issued>,
    /// Rows left out under `--skip-invalid`, with their problems.
    pub rejected: Vec<RowProblem>,
    pub warnings: Vec<String>,
    pub rows: usize,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Roster(#[from] crate::roster::RosterError),
    #[error(transparent)]
    Template(#[from] crate::template::TemplateError),
    #[error(transparent)]
    Seal(#[from] crate::seal::SealError),
    #[error(transparent)]
    Keystore(#[from] crate::keystore::KeystoreError),
    #[error(transparent)]
    Generate(#[from] GenerateError),
    #[error("{0}")]
    Usage(String),
}

struct Loaded {
    config: EventConfig,
    roster: crate::roster::Roster,
    templates: Vec<Template>,
    fonts: FontBook,
}

fn load(req: &Request) -> Result<Loaded, RunError> {
    if let Some(url) = &req.verify_url {
        if url.is_empty() || url.contains('#') || url.chars().any(char::is_whitespace) {
            return Err(RunError::Usage(format!(
                "--verify-url '{url}' must be an address without '#' or spaces"
            )));
        }
    }
    let config = EventConfig::locate(req.config.as_deref(), &req.roster)?;
    // --template wins; otherwise the documents piagam.toml lists.
    let documents: Vec<(PathBuf, Option<String>)> = if req.templates.is_empty() {
        config
            .documents
            .iter()
            .map(|d| (config.base_dir.join(&d.template), d.numbering.clone()))
            .collect()
    } else {
        req.templates.iter().map(|t| (t.clone(), None)).collect()
    };
    if documents.is_empty() {
        return Err(RunError::Usage(
            "no template: give --template DIR, or list [[documents]] in piagam.toml".into(),
        ));
    }
    let roster =
        crate::roster::read_roster(&req.roster, &config.roster_options(req.sheet.as_deref()))?;
    let mut fonts = FontBook::with_bundled();
    let mut templates = Vec::new();
    for (dir, numbering) in &documents {
        let mut template = Template::load(dir)?;
        if numbering.is_some() {
            template.numbering = numbering.clone();
        }
        template.register_fonts(&mut fonts)?;
        templates.push(template);
    }
    for t in &templates {
        t.check_fonts(&fonts)?;
    }
    Ok(Loaded {
        config,
        roster,
        templates,
        fonts,
    })
}

fn lay_out(req: &Request, loaded: &Loaded, key: &IssuerKey) -> Result<Prepared, RunError> {
    let job = Job {
        roster_name: req.roster.clone(),
        records: &loaded.roster.records,
        config: &loaded.config,
        templates: &loaded.templates,
        fonts: &loaded.fonts,
        key,
        verify_url: req.verify_url.clone(),
    };
    Ok(prepare(&job)?.with_problems(loaded.roster.problems.clone()))
}

/// A throwaway key for laying out pages that are never issued (check,
/// preview). Any key gives a seal of the same size, so the QR code and
/// the page come out as they will when generated with the real key.
pub fn layout_key() -> IssuerKey {
    IssuerKey::from_seed(&[0x5a; 32])
}

/// Validates and lays out everything, writing nothing.
pub fn check(req: &Request) -> Result<Outcome, RunError> {
    let loaded = load(req)?;
    let key = layout_key();
    let prepared = lay_out(req, &loaded, &key)?;
    Ok(Outcome {
        rows: loaded.roster.records.len() + count_rows(&loaded.roster.problems),
        issued: prepared.issued,
        rejected: prepared.problems,
        warnings: loaded.roster.warnings,
    })
}

fn count_rows(problems: &[RowProblem]) -> usize {
    problems
        .iter()
        .filter_map(|p| p.row)
        .collect::<std::collections::BTreeSet<_>>()
        .len()
}

/// Signs, lays out and writes every document.
pub fn run(req: &Request) -> Result<Outcome, RunError> {
    let key_path = req
        .key
        .as_deref()
        .ok_or_else(|| RunError::Usage("give the issuer's key with --key".into()))?;
    let out = req
        .out
        .as_deref()
        .ok_or_else(|| RunError::Usage("give the output folder with --out".into()))?;
    let loaded = load(req)?;
    let key = IssuerKey::read_pem_file(key_path)?;
    let jwks = issuer_jwks(req, key_path, &key)?;
    let prepared = lay_out(req, &loaded, &key)?;
    let rows = loaded.roster.records.len() + count_rows(&loaded.roster.problems);
    let (issued, rejected) = if req.skip_invalid {
        let (issued, rejected) = prepared.skip_invalid();
        if issued.is_empty() {
            return Err(GenerateError::Rows(rejected).into());
        }
        (issued, rejected)
    } else {
        (prepared.into_all()?, Vec::new())
    };
    write_outputs(
        &issued,
        &loaded.fonts,
        &jwks,
        out,
        req.skip_invalid.then_some(rejected.as_slice()),
        req.overwrite,
    )?;
    Ok(Outcome {
        issued,
        rejected,
        warnings: loaded.roster.warnings,
        rows,
    })
}

/// The issuer's JWKS: `--jwks`, else beside the key, else made from `--issuer`.
fn issuer_jwks(req: &Request, key_path: &Path, key: &IssuerKey) -> Result<Jwks, RunError> {
    let beside = key_path
        .parent()
        .unwrap_or(Path::new("."))
        .join(crate::keystore::JWKS_FILE);
    let path = req.jwks.clone().unwrap_or(beside);
    let jwks = match (&req.issuer, path.exists()) {
        (Some(name), false) if req.jwks.is_none() => Jwks {
            issuer: name.trim().to_owned(),
            verify_url: None,
            keys: vec![crate::seal::Jwk::from_key(&key.verifying_key())],
        },
        (_, false) => {
            return Err(RunError::Usage(format!(
                "{} not found: piagam keygen writes it beside the key; or pass --jwks FILE, or --issuer NAME",
                path.display()
            )))
        }
        _ => crate::keystore::read_jwks(&path)?,
    };
    let kid = crate::seal::keys::kid_hex(&key.kid());
    if !jwks.keys.iter().any(|k| k.kid == kid) {
        return Err(RunError::Usage(format!(
            "{} does not list the key in {} (kid {kid}); pass the issuer's JWKS with --jwks",
            path.display(),
            key_path.display()
        )));
    }
    Ok(jwks)
}
