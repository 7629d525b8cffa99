//! The generate job: roster + event settings + templates + key → signed PDFs.
//!
//! Everything is signed and laid out in memory first. Only when every row has
//! composed without error is anything written, each file atomically.

mod archive;
mod fields;
mod issue;
mod numbers;
mod outcome;
mod output;
mod run;

use std::path::PathBuf;

use rayon::prelude::*;
use sha2::Digest;
use unicode_normalization::UnicodeNormalization;

use crate::config::EventConfig;
use crate::fsio::WriteError;
use crate::layout::fonts::FontBook;
use crate::layout::{compose, ComposeError, Layers, Page};
use crate::numbering::SerialPattern;
use crate::qr::{self, QrError, QrMatrix};
use crate::render::pdf::{RenderError, Usage};
use crate::roster::{DesignSpot, Record, RowProblem};
use crate::seal::{self, qrtext, Claims, IssuerKey};
use crate::template::Template;
use crate::warning::Warning;

pub use archive::{DocumentZip, ZIP_FILE};
pub use fields::{claims_for, printable_fields};
pub use issue::{write_and_record, Recording};
pub use numbers::plan as plan_numbers;
pub use numbers::{Numbers, ID_COLUMN};
pub use outcome::{RegisterReport, RunError};
pub use output::{
    render_only, stage_outputs, write_outputs, Cancel, FileDigest, Outputs, Progress, Silent,
    WriteOptions, Written,
};
pub use run::{assets_policy, layout_key, Loaded, Outcome, RegisterChoice};

/// One document to be issued, after signing and layout.
#[derive(Debug, Clone)]
pub struct Issued {
    pub row: usize,
    /// The language the page is printed in.
    pub lang: crate::locale::Language,
    /// Names this document's files: the kind, and the language where the
    /// run holds the same kind in several languages. Unique in the run.
    pub label: String,
    /// File name inside the output folder.
    pub file: String,
    /// The seal as the QR code holds it, made from `claims`.
    qr_text: String,
    /// SHA-256 of the seal (the COSE bytes), as the register records it.
    seal_sha256: [u8; 32],
    /// What the seal signs; everything the document says about its
    /// winner is read from here, never kept beside it.
    claims: Claims,
    /// The composed page, kept only when the job asks (a preview); a run
    /// composes each page again when it writes it, so memory does not grow
    /// with the roster.
    pub page: Option<Page>,
    /// (template, record) indices in the job, to compose the page again.
    source: (usize, usize),
    /// The printed size of one QR module, and the code's version.
    qr_module: (f32, i16),
    /// How close the page prints to the paper's edge, in mm.
    nearest_edge: f32,
}

impl Issued {
    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    pub fn serial(&self) -> &str {
        &self.claims.serial
    }

    pub fn kind(&self) -> &str {
        &self.claims.kind
    }

    pub fn recipient(&self) -> &str {
        &self.claims.recipient
    }

    pub fn achievement(&self) -> &str {
        &self.claims.achievement
    }

    /// The category, as signed ("" when there is none).
    pub fn category(&self) -> &str {
        self.claims.extra.get("category").map_or("", String::as_str)
    }

    /// The seal as the QR code holds it.
    pub fn qr_text(&self) -> &str {
        &self.qr_text
    }

    /// SHA-256 of the seal (the COSE bytes).
    pub fn seal_sha256(&self) -> &[u8; 32] {
        &self.seal_sha256
    }
}

pub use crate::warning::QR_MODULE_WARN_MM;
/// Below this, refused: at 150 dpi and slight blur it no longer reads.
pub const QR_MODULE_MIN_MM: f32 = 0.35;

/// The most pages one run makes (winners × documents each).
pub const MAX_PAGES: usize = 200_000;
/// The most documents (templates × languages) per winner.
pub const MAX_DOCUMENTS_PER_WINNER: usize = 20;

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
    /// Keep each composed page in its document (for a preview of one).
    pub keep_pages: bool,
    /// How file names are made.
    pub file_names: FileNames,
    /// Serials from the register; without it, from roster positions.
    pub numbers: Option<&'a Numbers>,
    /// The dates the signing key may sign for (its JWK's `nbf` and `exp`):
    /// a seal dated outside them would never verify.
    pub key_window: (Option<crate::date::Date>, Option<crate::date::Date>),
}

/// How document file names are made. Both are safe on every system: no
/// separators, control or reserved names, at most 120 bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FileNames {
    /// Letters and digits of any script, as the roster spells them.
    Unicode,
    /// ASCII only, accents dropped (`Nguyễn` → `nguyen`): for mail systems
    /// that mangle other names.
    #[default]
    Ascii,
    /// The serial alone (`001/ALDPD/VIII/2024` → `001-ALDPD-VIII-2024.pdf`):
    /// short names for recipients with long titled names. With several
    /// documents per winner, a serial that does not name its kind gets it.
    Serial,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    #[error("{}\n{} problem(s) found; no file was written", .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"), .0.len())]
    Rows(Vec<RowProblem>),
    #[error("{} file(s) in the output folder would change, e.g. {}; piagam never replaces a document that may have been signed since it was written", .0.len(), .0.first().map(|p| p.display().to_string()).unwrap_or_default())]
    WouldReplace(Vec<PathBuf>),
    #[error("the run would make {documents} pages ({kinds} per winner); the limit is {MAX_PAGES} pages and {MAX_DOCUMENTS_PER_WINNER} documents per winner: split the roster into several runs")]
    TooMany { documents: usize, kinds: usize },
    #[error("two outputs of this run would both be written to {0}; nothing was written")]
    DuplicateName(PathBuf),
    #[error("composing a page again failed: {0}")]
    Recompose(String),
    #[error(transparent)]
    OutDir(#[from] crate::outdir::OutDirError),
    #[error("{0}; nothing was moved into place")]
    Register(#[source] crate::register::RegisterError),
    #[error("{}\n{} row(s) may correct the name on a document already issued; nothing was written. Confirm them as corrections (the old documents are then replaced), or as new documents", .0.iter().map(|p| format!("{}:{}: {} {} issued to '{}' → '{}'", p.roster, p.row, p.kind, p.old_serial, p.old_recipient, p.new_recipient)).collect::<Vec<_>>().join("\n"), .0.len())]
    Corrections(Vec<crate::register::Proposal>),
    #[error("the run was stopped before it finished; nothing was moved into place")]
    Cancelled,
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
    /// Every glyph and image the documents print, for the run's PDF kit.
    pub usage: Usage,
    /// What the user should know: documents left out on purpose (revoked
    /// ones), and QR codes printed small. They stop nothing.
    pub warnings: Vec<Warning>,
    /// Rows whose record itself is bad (the roster reader's problems): no
    /// document of theirs can be made.
    bad_rows: std::collections::BTreeSet<usize>,
}

impl Prepared {
    /// Adds problems found earlier (e.g. by the roster reader).
    pub fn with_problems(mut self, mut earlier: Vec<RowProblem>) -> Prepared {
        self.bad_rows.extend(earlier.iter().filter_map(|p| p.row));
        earlier.append(&mut self.problems);
        self.problems = earlier;
        self
    }

    /// All documents, or every problem if there is any.
    pub fn into_all(self) -> Result<(Vec<Issued>, Usage), GenerateError> {
        if self.problems.is_empty() {
            Ok((self.issued, self.usage))
        } else {
            Err(GenerateError::Rows(self.problems))
        }
    }

    /// Leaves out the documents that could not be made, and every document
    /// of a row whose record is bad; the winner's other documents are
    /// kept. Returns the documents kept and the problems, for
    /// `rejected.csv`.
    pub fn skip_invalid(self) -> (Vec<Issued>, Vec<RowProblem>, Usage) {
        let kept = self
            .issued
            .into_iter()
            .filter(|d| !self.bad_rows.contains(&d.row))
            .collect();
        (kept, self.problems, self.usage)
    }
}

/// Signs and lays out every document, collecting every problem.
pub fn prepare(job: &Job) -> Result<Prepared, GenerateError> {
    let documents = job.records.len().saturating_mul(job.templates.len());
    if job.templates.len() > MAX_DOCUMENTS_PER_WINNER || documents > MAX_PAGES {
        return Err(GenerateError::TooMany {
            documents,
            kinds: job.templates.len(),
        });
    }
    let config = job.config;
    let verify_url = job.verify_url.clone().or_else(|| config.verify_url.clone());
    let event_date = job.config.event_date();
    let problem = |row: usize, column: &str, reason: String| RowProblem {
        file: job.roster_name.clone(),
        row: Some(row),
        column: Some(column.to_owned()),
        reason,
        spot: None,
        kind: None,
    };
    // Documents of one kind stay together, in roster order. Each document
    // is independent, so they are made in parallel; order is kept.

    let mut problems = missing_columns(job);
    let plan = Plan::new(job);
    // A revoked document is not made again; the winner's others are.
    let revoked = |t: usize, r: usize| job.numbers.and_then(|n| n.revoked(t, r));
    let mut warnings: Vec<Warning> = (0..job.templates.len())
        .flat_map(|t| (0..job.records.len()).map(move |r| (t, r)))
        .filter_map(|(t, r)| revoked(t, r).cloned())
        .collect();
    let pairs: Vec<(usize, usize)> = (0..job.templates.len())
        .flat_map(|t| (0..job.records.len()).map(move |r| (t, r)))
        .filter(|&(t, r)| revoked(t, r).is_none())
        .collect();
    // Each worker adds the glyphs its pages print to its own tally as it
    // goes, and drops the page: nothing kept grows with the pages' size.
    type Made = (Vec<Result<Issued, RowProblem>>, Usage);
    let (made, usage): Made = pairs
        .par_iter()
        .fold(
            || (Vec::new(), Usage::default()),
            |(mut made, mut usage): Made, &(template, record)| {
                let doc = make_document(
                    job,
                    &plan,
                    template,
                    record,
                    event_date,
                    verify_url.as_deref(),
                )
                .map(|mut doc| {
                    if let Some(page) = &doc.page {
                        usage.add_page(page);
                    }
                    if !job.keep_pages {
                        doc.page = None;
                    }
                    doc
                })
                .map_err(|u| RowProblem {
                    spot: u.element.map(|element| DesignSpot { template, element }),
                    ..problem(job.records[record].row, &u.column, u.reason)
                });
                made.push(doc);
                (made, usage)
            },
        )
        .reduce(
            || (Vec::new(), Usage::default()),
            |(mut made, mut usage): Made, (more, used): Made| {
                made.extend(more);
                usage.merge(used);
                (made, usage)
            },
        );
    let mut issued = Vec::with_capacity(made.len());
    for result in made {
        match result {
            Ok(doc) => issued.push(doc),
            Err(p) => problems.push(p),
        }
    }
    // Two documents must never share a serial: it is what a revocation
    // names. The one exception is a document printed in two languages: it
    // says the same thing, so it has the same claims and the same seal.
    let mut seen: std::collections::HashMap<&str, &Issued> = std::collections::HashMap::new();
    for doc in &issued {
        if let Some(first) = seen.get(doc.serial()) {
            if first.claims == doc.claims {
                continue;
            }
            let (row, kind) = (first.row, first.kind());
            problems.push(problem(
                doc.row,
                "serial",
                format!(
                    "serial {} is also given to the {kind} of row {row}; put {{kind}} in the numbering pattern or give each document its own numbering",
                    doc.serial()
                ),
            ));
        } else {
            seen.insert(doc.serial(), doc);
        }
    }
    warnings.dedup();
    warnings.extend(small_qr_warning(&issued));
    warnings.extend(near_edge_warnings(job, &issued));
    Ok(Prepared {
        issued,
        problems,
        usage,
        warnings,
        bad_rows: Default::default(),
    })
}

/// A template that prints `{{extra.X}}` for a roster without a column X
/// would print nothing where the design expects text: a mistyped name.
fn missing_columns(job: &Job) -> Vec<RowProblem> {
    let Some(first) = job.records.first() else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    for t in job.templates {
        for field in t.printed_fields() {
            let Some(column) = field.strip_prefix(crate::template::placeholder::EXTRA_PREFIX)
            else {
                continue;
            };
            if fields::extra_value(first, column).is_none() {
                let columns: Vec<&str> = first.extra.keys().map(String::as_str).collect();
                problems.push(RowProblem {
                    file: job.roster_name.clone(),
                    row: None,
                    column: None,
                    reason: format!(
                        "template {} prints {{{{{field}}}}}, but the roster has no column '{column}' (its other columns: {})",
                        t.dir.display(),
                        if columns.is_empty() { "none".to_owned() } else { columns.join(", ") }
                    ), spot: None, kind: None });
            }
        }
    }
    problems.dedup();
    problems
}

/// One label per document of the run, unique by construction: the kind
/// made safe for file names, the language if it is not the template's
/// default, and a counter if two documents would still share one.
fn document_labels(templates: &[Template]) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    for t in templates {
        let mut base: String = t
            .kind
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .flat_map(|c| c.to_lowercase())
            .collect();
        if base.is_empty() {
            base = "dokumen".into();
        }
        if t.languages.first() != Some(&t.lang) {
            base = format!("{base}-{}", t.lang.code());
        }
        let mut label = base.clone();
        let mut n = 2;
        while labels.contains(&label) {
            label = format!("{base}-{n}");
            n += 1;
        }
        labels.push(label);
    }
    labels
}

/// What every document of a run is made with: its label, and where its
/// numbering counter starts.
struct Plan {
    labels: Vec<String>,
    /// Added to the roster position for each template's sequence number.
    counter_offsets: Vec<u32>,
}

impl Plan {
    fn new(job: &Job) -> Plan {
        Plan {
            labels: document_labels(job.templates),
            counter_offsets: counter_offsets(job),
        }
    }
}

/// Documents whose serials follow one pattern share its counter, as an
/// office's letters share one agenda book: the first document of the run
/// takes the numbers 1..N, the next one N+1..2N, in print order. A pattern
/// that names the `{kind}` makes each kind's numbers its own, so each has
/// its own counter. One template printed in two languages is one document
/// (the same serial and seal), so it is counted once.
fn counter_offsets(job: &Job) -> Vec<u32> {
    let span = job
        .records
        .iter()
        .map(|r| r.ordinal.saturating_add(1))
        .max()
        .unwrap_or(0);
    let span = u32::try_from(span).unwrap_or(u32::MAX);
    let mut counters: Vec<(String, Vec<&std::path::Path>)> = Vec::new();
    job.templates
        .iter()
        .map(|t| {
            let pattern = t
                .numbering
                .as_deref()
                .unwrap_or(&job.config.numbering.pattern)
                .replace("{kind}", &t.kind);
            let counter = match counters.iter().position(|(p, _)| *p == pattern) {
                Some(i) => i,
                None => {
                    counters.push((pattern, Vec::new()));
                    counters.len() - 1
                }
            };
            let documents = &mut counters[counter].1;
            let index = match documents.iter().position(|d| *d == t.dir.as_path()) {
                Some(i) => i,
                None => {
                    documents.push(&t.dir);
                    documents.len() - 1
                }
            };
            span.saturating_mul(u32::try_from(index).unwrap_or(u32::MAX))
        })
        .collect()
}

/// A document's number without a register: its roster position, after
/// the documents that share its counter and come first in print order.
fn stateless_seq(job: &Job, plan: &Plan, template: usize, record: usize) -> u32 {
    job.config
        .numbering
        .start
        .saturating_add(plan.counter_offsets[template])
        .saturating_add(u32::try_from(job.records[record].ordinal).unwrap_or(u32::MAX))
}

/// Signs and lays out one document; on failure, the column and reason.
fn make_document(
    job: &Job,
    plan: &Plan,
    template_index: usize,
    record_index: usize,
    event_date: crate::date::Date,
    verify_url: Option<&str>,
) -> Result<Issued, Unmade> {
    let config = job.config;
    let template = &job.templates[template_index];
    let label = plan.labels[template_index].as_str();
    let record = &job.records[record_index];
    let date = record.date.unwrap_or(event_date);
    let (seq, serial) = match job.numbers {
        Some(numbers) => match numbers.get(template_index, record_index) {
            Ok(assigned) => (assigned.seq, assigned.serial.clone()),
            Err(reason) => return Err(("serial".to_owned(), reason.clone()).into()),
        },
        None => {
            let seq = stateless_seq(job, plan, template_index, record_index);
            let serial = match &record.serial {
                Some(s) if job.templates.len() == 1 => s.clone(),
                _ => SerialPattern::for_kind(
                    template
                        .numbering
                        .as_deref()
                        .unwrap_or(&config.numbering.pattern),
                    &template.kind,
                )
                .and_then(|pattern| pattern.serial(seq, date))
                .map_err(|e| Unmade::from(("serial".to_owned(), e.to_string())))?,
            };
            (seq, serial)
        }
    };
    let (from, until) = job.key_window;
    if from.is_some_and(|f| date < f) || until.is_some_and(|u| date > u) {
        let show = |d: Option<crate::date::Date>| d.map_or("…".to_owned(), |d| d.to_string());
        return Err(Unmade::from((
            "date".to_owned(),
            format!(
                "the document is dated {date}, outside the dates the signing key may sign for ({} to {}); its seal would never verify: sign with a key valid on that date",
                show(from),
                show(until)
            ),
        )));
    }
    // The claims come first; the page prints only what they hold.
    let claims = claims_for(template, record, config, serial.clone(), date);
    let cose = seal::sign(&claims, job.key);
    let qr_text = qrtext::qr_text(verify_url, &cose);
    let matrix = qr::encode_seal_text(&qr_text).map_err(|QrError::TooLong(n)| {
        Unmade::from((
            "seal".to_owned(),
            format!("the seal ({n} characters) is too long for a QR code; shorten the fields"),
        ))
    })?;
    let mut doc = Issued {
        row: record.row,
        file: match job.file_names {
            FileNames::Serial => serial_file_name(seq, label, &serial, job.templates.len() > 1),
            mode => file_name(seq, label, &record.recipient, mode),
        },
        lang: template.lang,
        label: label.to_owned(),
        qr_text,
        seal_sha256: sha2::Sha256::digest(&cose).into(),
        claims,
        page: None,
        source: (template_index, record_index),
        qr_module: (f32::INFINITY, matrix.version()),
        nearest_edge: f32::INFINITY,
    };
    let page = compose_page(job, &doc, &matrix, Layers::Whole)?;
    let module = page
        .items()
        .iter()
        .filter_map(|item| match item {
            crate::layout::page::Item::Qr { size, matrix, .. } => {
                Some(size / matrix.width().max(1) as f32)
            }
            _ => None,
        })
        .fold(f32::INFINITY, f32::min);
    doc.qr_module.0 = module;
    doc.nearest_edge = page.nearest_edge_mm().unwrap_or(f32::INFINITY);
    if module < QR_MODULE_MIN_MM {
        return Err(Unmade {
            element: template.qr_element(),
            ..Unmade::from((
            "seal".to_owned(),
            format!(
                "the QR code would print with {module:.2} mm modules (version {}), too small to read (at least {QR_MODULE_MIN_MM} mm): make the QR element larger, or shorten what the seal carries ({})",
                matrix.version(),
                crate::warning::fields_and_lengths(&longest_fields(&doc.claims, &doc.qr_text))
            ),
            ))
        });
    }
    doc.page = Some(page);
    Ok(doc)
}

/// One warning for the run's smallest QR code, if it prints below
/// [`QR_MODULE_WARN_MM`].
fn small_qr_warning(issued: &[Issued]) -> Option<Warning> {
    let smallest = issued
        .iter()
        .min_by(|a, b| a.qr_module.0.total_cmp(&b.qr_module.0))?;
    let (module_mm, version) = smallest.qr_module;
    (module_mm < QR_MODULE_WARN_MM).then(|| Warning::SmallQr {
        row: smallest.row,
        kind: smallest.kind().to_owned(),
        module_mm,
        version,
        longest: longest_fields(&smallest.claims, &smallest.qr_text),
    })
}

/// One warning per template whose pages print within an office printer's
/// blank margin (not for a template with bleed, which a print shop trims).
fn near_edge_warnings(job: &Job, issued: &[Issued]) -> Vec<Warning> {
    let mut nearest: Vec<f32> = vec![f32::INFINITY; job.templates.len()];
    for doc in issued {
        let slot = &mut nearest[doc.source.0];
        *slot = slot.min(doc.nearest_edge);
    }
    let mut seen = std::collections::BTreeSet::new();
    nearest
        .iter()
        .zip(job.templates)
        .filter(|(mm, t)| **mm < crate::warning::PRINTABLE_MARGIN_MM && t.bleed_mm == 0.0)
        .filter(|(_, t)| seen.insert(t.dir.clone()))
        .map(|(mm, t)| Warning::NearEdge {
            template: t.dir.clone(),
            mm: mm.max(0.0),
        })
        .collect()
}

/// The three signed fields that make a seal long, longest first, with
/// their lengths in characters.
fn longest_fields(claims: &Claims, qr_text: &str) -> Vec<(String, usize)> {
    let mut fields: Vec<(String, usize)> = [
        ("recipient", &claims.recipient),
        ("achievement", &claims.achievement),
        ("event", &claims.event),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.chars().count()))
    .chain(
        claims
            .place
            .iter()
            .map(|p| ("place".to_owned(), p.chars().count())),
    )
    .chain(
        claims
            .extra
            .iter()
            .map(|(k, v)| (k.clone(), v.chars().count())),
    )
    .collect();
    if let Some((url, _)) = qr_text.rsplit_once('#') {
        fields.push(("verify_url".to_owned(), url.chars().count()));
    }
    fields.sort_by_key(|f| std::cmp::Reverse(f.1));
    fields.truncate(3);
    fields
}

/// Why a document could not be made: the column (or what) it concerns,
/// the reason, and the design element it lies in, if it is the design's.
pub(crate) struct Unmade {
    column: String,
    reason: String,
    element: Option<usize>,
}

impl From<(String, String)> for Unmade {
    fn from((column, reason): (String, String)) -> Unmade {
        Unmade {
            column,
            reason,
            element: None,
        }
    }
}

/// Lays out a signed document's page: what its claims say, and its QR code.
fn compose_page(
    job: &Job,
    doc: &Issued,
    matrix: &QrMatrix,
    layers: Layers,
) -> Result<Page, Unmade> {
    let template = &job.templates[doc.source.0];
    let fields = printable_fields(&doc.claims, &job.config.signatory);
    // On a screen, the code is also a link to the verification page.
    let link = qrtext::split_qr_text(&doc.qr_text)
        .0
        .is_some_and(|url| url.starts_with("https://") || url.starts_with("http://"))
        .then_some(doc.qr_text.as_str());
    compose(template, job.fonts, &fields, matrix, link, layers).map_err(
        |ComposeError {
             what,
             element,
             text,
             source,
         }| Unmade {
            column: what,
            reason: format!(
                "\"{text}\" does not fit template {}: {source}",
                template.dir.display()
            ),
            element: Some(element),
        },
    )
}

/// Composes a prepared document's page again, exactly as `prepare` did:
/// from its signed claims, with nothing signed twice. The QR code is
/// encoded again (90 µs) rather than kept, so a run's memory holds no
/// pictures of its documents.
pub fn compose_again(job: &Job, doc: &Issued, layers: Layers) -> Result<Page, GenerateError> {
    let matrix =
        qr::encode_seal_text(&doc.qr_text).map_err(|e| GenerateError::Recompose(e.to_string()))?;
    compose_page(job, doc, &matrix, layers).map_err(|u| GenerateError::Recompose(u.reason))
}

/// The longest file name made, in bytes (well under every file system's
/// 255, leaving room for the folder in Windows' 260-character paths).
pub const MAX_FILE_NAME_BYTES: usize = 120;

/// `007-piagam-pemerintah-kota-semarang.pdf`: sortable, no spaces, no
/// separators or control characters. It starts with the sequence number,
/// so it is never a reserved device name (`CON`, `NUL`, …), and the
/// number and label make it unique in the run.
fn file_name(seq: u32, label: &str, recipient: &str, mode: FileNames) -> String {
    let mut slug = String::new();
    let push = |c: char, slug: &mut String| {
        let keep = match mode {
            FileNames::Unicode => c.is_alphanumeric(),
            FileNames::Ascii | FileNames::Serial => c.is_ascii_alphanumeric(),
        };
        if keep {
            slug.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c.is_ascii_punctuation() || c.is_control())
            && !slug.ends_with('-')
        {
            slug.push('-');
        }
    };
    match mode {
        // Decomposed, the accents are separate marks, and are dropped.
        FileNames::Ascii | FileNames::Serial => recipient.nfd().for_each(|c| push(c, &mut slug)),
        FileNames::Unicode => recipient.nfc().for_each(|c| push(c, &mut slug)),
    }
    let label: String = label.chars().take(40).collect();
    let head = format!("{seq:03}-{label}-");
    let room = MAX_FILE_NAME_BYTES - head.len() - ".pdf".len();
    let mut cut = String::new();
    for c in slug.trim_matches('-').chars() {
        if cut.len() + c.len_utf8() > room {
            break;
        }
        cut.push(c);
    }
    let cut = cut.trim_end_matches('-');
    if cut.is_empty() {
        format!("{seq:03}-{label}.pdf")
    } else {
        format!("{head}{cut}.pdf")
    }
}

/// `001/ALDPD/VIII/2024` → `001-ALDPD-VIII-2024.pdf`: ASCII letters and
/// digits, anything else one `-`. Unique as serials are, per kind; with
/// `several_kinds`, a serial that does not name its kind gets it, so a
/// piagam and a sertifikat numbered alike do not share a name.
fn serial_file_name(seq: u32, label: &str, serial: &str, several_kinds: bool) -> String {
    let mut name = String::new();
    for c in serial.nfd() {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if c.is_ascii() && !name.ends_with('-') {
            name.push('-');
        }
    }
    let mut name = name.trim_matches('-').to_owned();
    let label: String = label
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(40)
        .collect();
    if several_kinds
        && !name
            .to_ascii_lowercase()
            .contains(&label.to_ascii_lowercase())
    {
        name = format!("{name}-{label}");
    }
    name.truncate(MAX_FILE_NAME_BYTES - ".pdf".len());
    let name = name.trim_matches('-');
    // Windows keeps these names for devices.
    const DEVICES: [&str; 22] = [
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
        "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];
    if name.is_empty() {
        format!("{seq:03}-{label}.pdf")
    } else if DEVICES.contains(&name.to_ascii_uppercase().as_str()) {
        format!("{seq:03}-{name}.pdf")
    } else {
        format!("{name}.pdf")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_file_names_are_the_serial_made_safe() {
        assert_eq!(
            serial_file_name(1, "piagam", "001/ALDPD/VIII/2024", false),
            "001-ALDPD-VIII-2024.pdf"
        );
        // With two kinds, the kind is named unless the serial names it.
        assert_eq!(
            serial_file_name(1, "piagam", "001/ALDPD/VIII/2024", true),
            "001-ALDPD-VIII-2024-piagam.pdf"
        );
        assert_eq!(
            serial_file_name(1, "sertifikat", "001/sertifikat/XI/2026", true),
            "001-sertifikat-XI-2026.pdf"
        );
        // Separators, dots and spaces are one '-'; nothing is left to escape.
        assert_eq!(
            serial_file_name(3, "piagam", "../..\\CON: 7 / Ä", false),
            "CON-7-A.pdf"
        );
        assert_eq!(
            serial_file_name(9, "piagam", "///", false),
            "009-piagam.pdf"
        );
        let long = "9".repeat(300);
        assert!(serial_file_name(1, "piagam", &long, true).len() <= MAX_FILE_NAME_BYTES);
    }

    #[test]
    fn file_names_are_ascii_slugs() {
        assert_eq!(
            file_name(7, "piagam", "Nguyễn Thị Ánh", FileNames::Ascii),
            "007-piagam-nguyen-thi-anh.pdf"
        );
        assert_eq!(
            file_name(
                12,
                "sertifikat",
                "Dr. dr. H. Muhammad Ma’ruf, S.Kom., M.T.I.",
                FileNames::Ascii
            ),
            "012-sertifikat-dr-dr-h-muhammad-maruf-s-kom-m-t-i.pdf"
        );
        assert_eq!(
            file_name(7, "piagam", "Nguyễn Thị Ánh", FileNames::Unicode),
            "007-piagam-nguyễn-thị-ánh.pdf"
        );
    }

    #[test]
    fn file_names_are_safe_whatever_the_name() {
        for mode in [FileNames::Ascii, FileNames::Unicode] {
            for name in ["CON", "NUL", "a/b", "..\\..", "x\u{0}y\u{7}", "", "🎉"] {
                let file = file_name(1, "piagam", name, mode);
                assert!(file.starts_with("001-piagam"), "{file}");
                assert!(!file.contains(['/', '\\', ':']), "{file}");
                assert!(!file.chars().any(char::is_control), "{file}");
            }
            let long = "Pemerintah Kabupaten Kepulauan Siau Tagulandang Biaro ".repeat(4);
            let file = file_name(123_456, "piagam", &long, mode);
            assert!(file.len() <= MAX_FILE_NAME_BYTES, "{file}");
            assert!(file.ends_with("-biaro.pdf") || file.ends_with(".pdf"));
            let long = "Ánh ".repeat(60);
            assert!(file_name(1, "piagam", &long, mode).len() <= MAX_FILE_NAME_BYTES);
        }
    }
}
