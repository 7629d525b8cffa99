//! Writing a run's files: every PDF, the print files, the manifest, the JWKS.
//!
//! Pages are composed again and rendered in parallel, a slice at a time;
//! each document's file goes to the staging folder as soon as it is made,
//! and its page is appended to the print files, which stream to staging
//! too. Memory stays flat whatever the roster's length. Everything moves
//! into place only at the end.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::{compose_again, GenerateError, Issued, Job};
use crate::fsio::WriteError;
use crate::layout::{Layers, Page};
use crate::outdir::{OutDir, Staging};
use crate::render::pdf::{DocInfo, Kit, PdfFile, RenderedPage, Sheet, Usage};
use crate::roster::RowProblem;
use crate::seal::Jwks;

/// Which files a run writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outputs {
    /// One PDF per document.
    pub files: bool,
    /// The merged print files.
    pub print: bool,
    /// `charters.zip`, holding every document's own file.
    pub zip: bool,
    /// A share image beside each document's file (same name, `.png`),
    /// drawn from the PDF itself.
    pub png: bool,
}

impl Outputs {
    /// Whether a document's file is needed whole in memory: for the ZIP,
    /// or to draw its share image.
    fn needs_bytes(&self) -> bool {
        self.zip || self.png
    }
}

impl Default for Outputs {
    fn default() -> Outputs {
        Outputs {
            files: true,
            print: true,
            zip: false,
            png: false,
        }
    }
}

/// Told of the run's progress, from any thread.
pub trait Progress: Sync {
    fn start(&self, _documents: usize) {}
    fn advance(&self, _documents: usize) {}
    fn finish(&self) {}
}

/// Progress nobody watches.
pub struct Silent;
impl Progress for Silent {}

/// Asks a run to stop: checked before each document is made. A stopped
/// run leaves what a killed one leaves: nothing moved into place, and the
/// register's reservations, which the next run completes.
#[derive(Debug, Clone, Default)]
pub struct Cancel(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Stops the run that holds a clone of this token.
    pub fn cancel(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// How a run writes.
#[derive(Clone, Copy)]
pub struct WriteOptions<'a> {
    pub outputs: Outputs,
    /// Replace files whose content would change.
    pub overwrite: bool,
    /// Split each print file every this many pages.
    pub print_chunk: Option<usize>,
    pub progress: &'a dyn Progress,
    /// Stops the run between documents when cancelled.
    pub cancel: Option<&'a Cancel>,
    /// Take each document file's SHA-256 as it is staged (for the
    /// register, which records them before any file moves into place).
    pub hash_files: bool,
    /// Per document, the SHA-256 its file was issued with under this very
    /// seal, as the register recorded it: a file in place with that digest
    /// and the same design is left alone, not written again.
    pub issued_files: Option<&'a [Option<[u8; 32]>]>,
    /// The print files and the manifest describe the run, not a document:
    /// replace them when they change (with the register, which keeps what
    /// was issued).
    pub replace_run_files: bool,
    /// How the print files' pages are printed: onto blank stock, moved
    /// and stretched for the printer, with crop marks. (Each template's
    /// bleed comes with it.)
    pub print: crate::config::PrintSettings,
    /// Every file conforms to PDF/A-2b.
    pub pdfa: bool,
}

/// A document's file, as staged.
#[derive(Debug, Clone)]
pub struct FileDigest {
    /// The document, as an index into the run's documents.
    pub document: usize,
    /// Where the file ends up.
    pub path: PathBuf,
    pub sha256: [u8; 32],
}

impl Default for WriteOptions<'_> {
    fn default() -> Self {
        WriteOptions {
            outputs: Outputs::default(),
            overwrite: false,
            print_chunk: None,
            progress: &Silent,
            cancel: None,
            hash_files: false,
            issued_files: None,
            replace_run_files: false,
            print: Default::default(),
            pdfa: false,
        }
    }
}

/// What a run wrote (or, for a check, would have written).
#[derive(Debug, Default, Clone)]
pub struct Written {
    /// Every file of the run, in place.
    pub files: Vec<PathBuf>,
    pub documents: usize,
    pub pages: usize,
    pub bytes: u64,
    /// Each document file's digest, when the run asked for them.
    pub digests: Vec<FileDigest>,
    /// Document files: written where there was none, left in place as
    /// they were (the same bytes), and replaced (`overwrite`).
    pub new_files: usize,
    pub unchanged_files: usize,
    pub replaced_files: usize,
}

/// What became of one document's own file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileFate {
    New,
    Unchanged,
    Replaced,
    /// Would change, and may not: listed in `changed`.
    Refused,
}

/// Documents composed, rendered and written per slice: enough to keep
/// every core busy, few enough that memory does not notice.
const SLICE: usize = 256;

/// Writes every PDF, the merged print files, the manifest and the JWKS:
/// all or nothing, with the output folder held for the whole run. A
/// folder left half-done by a killed run is completed: what is in place
/// and unchanged stays untouched.
pub fn write_outputs(
    job: &Job,
    issued: &[Issued],
    usage: &Usage,
    jwks: &Jwks,
    out_dir: &Path,
    rejected: Option<&[RowProblem]>,
    options: &WriteOptions,
) -> Result<Written, GenerateError> {
    let out = OutDir::hold(out_dir)?;
    let staging = out.staging()?;
    let written = stage_outputs(job, issued, usage, jwks, &staging, rejected, options)?;
    staging.commit()?;
    Ok(written)
}

/// Writes every file of the run into `staging`, and moves none into
/// place: the caller commits the staging once it has recorded what it
/// must. Fails, with nothing moved, if a file in place would change and
/// may not.
pub fn stage_outputs(
    job: &Job,
    issued: &[Issued],
    usage: &Usage,
    jwks: &Jwks,
    staging: &Staging,
    rejected: Option<&[RowProblem]>,
    options: &WriteOptions,
) -> Result<Written, GenerateError> {
    let mut written = render_all(job, issued, usage, &jwks.issuer, Some(staging), options)?;
    let mut changed = Vec::new();
    // The manifest is written row by row: it grows with the roster.
    let manifest = "manifest.csv";
    let path = staging.path(manifest);
    let file = File::create(&path).map_err(|e| write_error(&path, e))?;
    let mut csv = csv::Writer::from_writer(BufWriter::new(file));
    write_manifest(&mut csv, issued, options.outputs.files).map_err(|e| write_error(&path, e))?;
    csv.into_inner()
        .map_err(|e| write_error(&path, e.error()))?
        .into_inner()
        .map_err(|e| write_error(&path, e.error()))?;
    changed.extend(settle(
        staging,
        manifest,
        options.overwrite || options.replace_run_files,
    ));
    written.bytes += std::fs::metadata(staging.target(manifest))
        .or_else(|_| std::fs::metadata(&path))
        .map_or(0, |m| m.len());
    written.files.push(staging.target(manifest));
    let mut small = vec![(
        "issuer.jwks.json".to_owned(),
        crate::keystore::jwks_json(jwks).into_bytes(),
    )];
    if let Some(rejected) = rejected {
        small.push(("rejected.csv".into(), rejected_csv(rejected)));
    }
    for (name, bytes) in &small {
        let target = staging.target(name);
        if std::fs::read(&target).is_ok_and(|old| &old != bytes) && !options.overwrite {
            changed.push(target);
        } else {
            staging.write_if_changed(name, bytes)?;
        }
        written.files.push(staging.target(name));
        written.bytes += bytes.len() as u64;
    }
    if !changed.is_empty() {
        return Err(GenerateError::WouldReplace(changed));
    }
    Ok(written)
}

/// Renders every document as `generate` would and throws the bytes away:
/// `check` meets the same failures (fonts that cannot be subset, pages that
/// do not compose again) without writing anything.
/// `options` says how the print files would be printed (stock, sheet,
/// PDF/A), so those pages are made too.
pub fn render_only(
    job: &Job,
    issued: &[Issued],
    usage: &Usage,
    options: &WriteOptions,
) -> Result<Written, GenerateError> {
    render_all(job, issued, usage, "", None, options)
}

/// One print file (or chunk series) being streamed.
struct PrintFile<'k> {
    /// Name without ".pdf" (e.g. "print", "print-piagam").
    stem: String,
    title: String,
    info_from: Option<usize>,
    chunk: usize,
    part: usize,
    current: Option<(String, PdfFile<'k, Sink>)>,
    /// Written to conform to PDF/A-2b.
    pdfa: bool,
    /// (name, bytes) of each finished part.
    done: Vec<(String, u64)>,
}

/// Where a file's bytes go: a staged file (its SHA-256 taken on the way
/// when asked), or nowhere (a check).
enum Sink {
    File(BufWriter<File>),
    Hashed(BufWriter<File>, Sha256),
    Nowhere,
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::File(f) => f.write(buf),
            Sink::Hashed(f, hasher) => {
                let n = f.write(buf)?;
                hasher.update(&buf[..n]);
                Ok(n)
            }
            Sink::Nowhere => Ok(buf.len()),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::File(f) | Sink::Hashed(f, _) => f.flush(),
            Sink::Nowhere => Ok(()),
        }
    }
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> GenerateError {
    GenerateError::Write(WriteError::new(path, e.to_string()))
}

/// A document, made: its page (for the print files), its own file's
/// SHA-256 where taken, and the file's bytes where the ZIP wants them.
struct Made {
    page: RenderedPage,
    /// The page as the print files have it, where it differs.
    print: Option<RenderedPage>,
    digest: Option<[u8; 32]>,
    bytes: Option<Vec<u8>>,
}

/// The files' and print files' bytes, for every document.
fn render_all(
    job: &Job,
    issued: &[Issued],
    usage: &Usage,
    issuer: &str,
    staging: Option<&Staging>,
    options: &WriteOptions,
) -> Result<Written, GenerateError> {
    // Names are unique by construction (sequence, label); a repeat would
    // be a defect, and writing on would silently lose a document.
    check_unique_names(issued)?;
    let kit = Kit::build(job.fonts, usage)?;
    let mut prints = print_files(issued, options);
    let mut zip = match staging {
        Some(staging) if options.outputs.zip => Some(StagedZip::start(staging)?),
        _ => None,
    };
    let tally = Tally::default();
    let mut written = Written {
        documents: issued.len(),
        ..Written::default()
    };
    options.progress.start(issued.len());
    let files = DocumentFiles {
        job,
        kit: &kit,
        issuer,
        staging,
        options,
        tally: &tally,
    };
    let render_slice = |start: usize, slice: &[Issued]| -> Vec<Result<Made, GenerateError>> {
        slice
            .par_iter()
            .enumerate()
            .map(|(i, doc)| files.make(start + i, doc))
            .collect()
    };
    let mut print_pages = 0;
    let mut digests = Vec::new();
    let mut append = |start: usize, pages: Vec<Result<Made, GenerateError>>| {
        for (i, made) in pages.into_iter().enumerate() {
            let Made {
                page,
                print: print_page,
                digest,
                bytes,
            } = made?;
            let page = print_page.as_ref().unwrap_or(&page);
            let doc = &issued[start + i];
            if let (Some(zip), Some(bytes)) = (zip.as_mut(), bytes) {
                zip.add(&doc.file, &bytes)?;
            }
            if let (Some(sha256), Some(staging)) = (digest, staging) {
                digests.push(FileDigest {
                    document: start + i,
                    path: staging.target(&doc.file),
                    sha256,
                });
            }
            for (label, print) in &mut prints {
                if label.as_ref().is_none_or(|l| *l == doc.label) {
                    print.add(&kit, page, issued, issuer, staging)?;
                }
            }
            print_pages += usize::from(options.outputs.print);
        }
        Ok::<(), GenerateError>(())
    };
    // The print files take each slice's pages while the next slice is made
    // on the other cores.
    let mut pending: Option<(usize, Vec<Result<Made, GenerateError>>)> = None;
    for (slice_index, slice) in issued.chunks(SLICE).enumerate() {
        let (appended, pages) = rayon::join(
            || match pending.take() {
                Some((start, pages)) => append(start, pages),
                None => Ok(()),
            },
            || render_slice(slice_index * SLICE, slice),
        );
        appended?;
        pending = Some((slice_index * SLICE, pages));
    }
    if let Some((start, pages)) = pending.take() {
        append(start, pages)?;
    }
    written.pages += print_pages;
    written.digests = digests;
    options.progress.finish();
    let changed = std::mem::take(&mut *lock(&tally.changed));
    if !changed.is_empty() {
        return Err(GenerateError::WouldReplace(changed));
    }
    if options.outputs.files {
        written.pages += issued.len();
        if let Some(staging) = staging {
            written
                .files
                .extend(issued.iter().map(|d| staging.target(&d.file)));
        }
    }
    if let (true, Some(staging)) = (options.outputs.png, staging) {
        written.files.extend(
            issued
                .iter()
                .map(|d| staging.target(&share_image_name(&d.file))),
        );
    }
    tally.count_into(&mut written);
    let mut parts = Vec::new();
    for (_, print) in prints {
        parts.extend(print.finish(
            issued,
            issuer,
            staging,
            options.overwrite || options.replace_run_files,
        )?);
    }
    if let (Some(zip), Some(staging)) = (zip, staging) {
        parts.push(zip.finish(staging, options.overwrite || options.replace_run_files)?);
        written.pages += issued.len();
    }
    for (name, len) in parts {
        written.bytes += len;
        if let Some(staging) = staging {
            written.files.push(staging.target(&name));
        }
    }
    Ok(written)
}

/// What the documents' files came to, counted from every worker.
#[derive(Default)]
struct Tally {
    /// Files in place whose content would change (refused without overwrite).
    changed: Mutex<Vec<PathBuf>>,
    bytes: Mutex<u64>,
    fates: Mutex<Vec<FileFate>>,
}

impl Tally {
    fn add(&self, fate: FileFate, bytes: u64) {
        lock(&self.fates).push(fate);
        *lock(&self.bytes) += bytes;
    }

    fn count_into(&self, written: &mut Written) {
        written.bytes = *lock(&self.bytes);
        let fates = lock(&self.fates);
        let count = |fate: FileFate| fates.iter().filter(|f| **f == fate).count();
        written.new_files = count(FileFate::New);
        written.unchanged_files = count(FileFate::Unchanged);
        written.replaced_files = count(FileFate::Replaced);
    }
}

/// A lock that a panicked worker left poisoned still holds good counts.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Makes each document's page and, where asked, its own file.
struct DocumentFiles<'a> {
    job: &'a Job<'a>,
    kit: &'a Kit,
    issuer: &'a str,
    staging: Option<&'a Staging<'a>>,
    options: &'a WriteOptions<'a>,
    tally: &'a Tally,
}

impl DocumentFiles<'_> {
    /// Document `index`'s page, rendered for the print files, and its
    /// file's SHA-256 where one is written or kept.
    fn make(&self, index: usize, doc: &Issued) -> Result<Made, GenerateError> {
        let options = self.options;
        if options.cancel.is_some_and(Cancel::is_cancelled) {
            return Err(GenerateError::Cancelled);
        }
        let page = compose_again(self.job, doc, Layers::Whole)?;
        let rendered = RenderedPage::new(self.kit, &page);
        let print = self.print_page(doc, &page)?;
        if let Some((sha, target)) = self.kept(index, doc, &rendered) {
            let size = std::fs::metadata(&target).map_or(0, |m| m.len());
            self.tally.add(FileFate::Unchanged, size);
            // The very file issued goes into the ZIP, as it is in place.
            let bytes = if options.outputs.needs_bytes() {
                Some(std::fs::read(&target).map_err(|e| write_error(&target, e))?)
            } else {
                None
            };
            self.share_image(doc, bytes.as_deref())?;
            options.progress.advance(1);
            return Ok(Made {
                page: rendered,
                print,
                digest: Some(sha),
                bytes,
            });
        }
        let mut made = Made {
            page: rendered,
            print,
            digest: None,
            bytes: None,
        };
        if options.outputs.files {
            let file = write_document(
                self.kit,
                &made.page,
                doc,
                self.issuer,
                self.staging,
                options,
                &self.tally.changed,
            )?;
            made.digest = file.sha256;
            made.bytes = file.bytes;
            self.tally.add(file.fate, file.len);
        } else if options.outputs.needs_bytes() && self.staging.is_some() {
            made.bytes =
                Some(document_bytes(self.kit, &made.page, doc, self.issuer, options.pdfa)?.0);
        }
        self.share_image(doc, made.bytes.as_deref())?;
        options.progress.advance(1);
        Ok(made)
    }

    /// The document's share image, beside its file: its page drawn from
    /// the PDF's own bytes, so the picture is the page issued.
    fn share_image(&self, doc: &Issued, pdf: Option<&[u8]>) -> Result<(), GenerateError> {
        let (Some(staging), Some(pdf), true) = (self.staging, pdf, self.options.outputs.png) else {
            return Ok(());
        };
        let name = share_image_name(&doc.file);
        let png = crate::share::share_png(pdf.to_vec(), crate::share::SHARE_WIDTH_PX).ok_or_else(
            || GenerateError::Recompose(format!("{name}: the page could not be drawn")),
        )?;
        staging.write_if_changed(&name, &png)?;
        Ok(())
    }

    /// The page as a print file has it, where that is not the document's
    /// own page: onto blank stock (without the background and what the
    /// stock bears), moved and stretched for the printer, bled, marked.
    fn print_page(&self, doc: &Issued, page: &Page) -> Result<Option<RenderedPage>, GenerateError> {
        let setup = &self.options.print;
        if !self.options.outputs.print {
            return Ok(None);
        }
        let template = &self.job.templates[doc.source.0];
        let sheet = Sheet {
            offset_mm: setup.offset_mm,
            scale: setup.scale,
            bleed_mm: if setup.stock { 0.0 } else { template.bleed_mm },
            marks: setup.marks,
        };
        if !setup.stock && sheet.is_plain() {
            return Ok(None);
        }
        let on_stock;
        let page = if setup.stock {
            on_stock = compose_again(self.job, doc, Layers::OntoStock)?;
            &on_stock
        } else {
            page
        };
        let page = page.bled(sheet.bleed_mm);
        Ok(Some(RenderedPage::on_sheet(self.kit, &page, &sheet)))
    }

    /// The SHA-256 of the document's file in place, if it is the one issued
    /// and this run would write the very same bytes: its document ID (a
    /// hash of all before the trailer) says so without writing it. A
    /// changed design is never kept silently.
    fn kept(
        &self,
        index: usize,
        doc: &Issued,
        rendered: &RenderedPage,
    ) -> Option<([u8; 32], PathBuf)> {
        let recorded = (*self.options.issued_files?.get(index)?)?;
        let staging = self.staging.filter(|_| self.options.outputs.files)?;
        let target = staging.target(&doc.file);
        let sha = crate::fsio::file_sha256(&target).filter(|sha| *sha == recorded)?;
        same_design(rendered, doc, self.issuer, &target, self.options.pdfa).then_some((sha, target))
    }
}

/// `007-piagam-kota-semarang.pdf` → `007-piagam-kota-semarang.png`.
pub fn share_image_name(file: &str) -> String {
    format!("{}.png", file.strip_suffix(".pdf").unwrap_or(file))
}

/// Every document file name once, or the first that repeats.
fn check_unique_names(issued: &[Issued]) -> Result<(), GenerateError> {
    let mut names = std::collections::BTreeSet::new();
    for d in issued {
        if !names.insert(d.file.as_str()) {
            return Err(GenerateError::DuplicateName(d.file.clone().into()));
        }
    }
    Ok(())
}

/// The print files a run makes: `print.pdf` with every page, and with
/// several documents per winner one per document too (for different
/// paper), each split every `print_chunk` pages. None without print output.
fn print_files<'k>(
    issued: &[Issued],
    options: &WriteOptions,
) -> Vec<(Option<String>, PrintFile<'k>)> {
    let mut prints: Vec<(Option<String>, PrintFile<'k>)> = Vec::new();
    if !options.outputs.print {
        return prints;
    }
    let chunk = options.print_chunk.unwrap_or(usize::MAX).max(1);
    let new = |stem: String, title: String, first: Option<usize>| PrintFile {
        stem,
        title,
        info_from: first,
        chunk,
        part: 0,
        current: None,
        done: Vec::new(),
        pdfa: options.pdfa,
    };
    prints.push((
        None,
        new(
            "print".into(),
            "print".into(),
            (!issued.is_empty()).then_some(0),
        ),
    ));
    // Labels are unique in the run.
    let mut labels: Vec<&str> = issued.iter().map(|d| d.label.as_str()).collect();
    labels.dedup();
    if labels.len() > 1 {
        for label in labels {
            let first = issued.iter().position(|d| d.label == label);
            prints.push((
                Some(label.to_owned()),
                new(format!("print-{label}"), format!("print {label}"), first),
            ));
        }
    }
    prints
}

fn doc_info<'a>(doc: &'a Issued, issuer: &'a str, title: &'a str, pdfa: bool) -> DocInfo<'a> {
    DocInfo {
        title,
        author: issuer,
        subject: doc.achievement(),
        date: Some(doc.claims.date),
        lang: Some(doc.lang),
        pdfa,
    }
}

/// Whether the file at `target` shows what this run would draw for `doc`:
/// the same design ID, the first part of the file's ID. (Its bytes may
/// differ only in which glyphs the run's font subsets hold.) A file
/// written before piagam kept a design ID (both parts equal) counts as the
/// same, as it did then.
fn same_design(page: &RenderedPage, doc: &Issued, issuer: &str, target: &Path, pdfa: bool) -> bool {
    let title = format!("{} — {}", doc.serial(), doc.recipient());
    let info = doc_info(doc, issuer, &title, pdfa);
    let id = crate::render::pdf::design_id(std::iter::once(page.design()), &info);
    crate::render::pdf::ids_in_file(target)
        .is_some_and(|(design, bytes)| design == id || design == bytes)
}

/// What became of one document's own file.
struct DocumentFile {
    len: u64,
    /// Taken when the run asks for digests.
    sha256: Option<[u8; 32]>,
    fate: FileFate,
    /// The file's bytes, when the run writes a ZIP.
    bytes: Option<Vec<u8>>,
}

/// The bytes of a document's own file, and their length.
fn document_bytes(
    kit: &Kit,
    page: &RenderedPage,
    doc: &Issued,
    issuer: &str,
    pdfa: bool,
) -> Result<(Vec<u8>, u64), GenerateError> {
    let title = format!("{} — {}", doc.serial(), doc.recipient());
    let mut file = PdfFile::start(kit, Vec::new())?;
    file.add_page(page)?;
    Ok(file.finish(&doc_info(doc, issuer, &title, pdfa))?)
}

/// Writes one document's own file: straight into staging, or, if a file
/// of that name is in place, only when its bytes would differ (and then
/// only when the run may overwrite; otherwise it is listed in `changed`).
fn write_document(
    kit: &Kit,
    page: &RenderedPage,
    doc: &Issued,
    issuer: &str,
    staging: Option<&Staging>,
    options: &WriteOptions,
    changed: &Mutex<Vec<PathBuf>>,
) -> Result<DocumentFile, GenerateError> {
    let hash = options.hash_files;
    let Some(staging) = staging else {
        let title = format!("{} — {}", doc.serial(), doc.recipient());
        let mut file = PdfFile::start(kit, Sink::Nowhere)?;
        file.add_page(page)?;
        let len = file.finish(&doc_info(doc, issuer, &title, options.pdfa))?.1;
        return Ok(DocumentFile {
            len,
            sha256: None,
            fate: FileFate::New,
            bytes: None,
        });
    };
    let target = staging.target(&doc.file);
    // Made whole in memory when the ZIP or the share image takes it too,
    // or to compare.
    if target.exists() || options.outputs.needs_bytes() {
        let (bytes, len) = document_bytes(kit, page, doc, issuer, options.pdfa)?;
        let fate = match std::fs::read(&target) {
            Ok(old) if old == bytes => FileFate::Unchanged,
            Ok(_) if !options.overwrite => {
                if let Ok(mut c) = changed.lock() {
                    c.push(target);
                }
                FileFate::Refused
            }
            Ok(_) => {
                staging.write_if_changed(&doc.file, &bytes)?;
                FileFate::Replaced
            }
            Err(_) => {
                staging.write_if_changed(&doc.file, &bytes)?;
                FileFate::New
            }
        };
        return Ok(DocumentFile {
            len,
            sha256: hash.then(|| Sha256::digest(&bytes).into()),
            fate,
            bytes: options.outputs.needs_bytes().then_some(bytes),
        });
    }
    let path = staging.path(&doc.file);
    let created = File::create(&path).map_err(|e| write_error(&path, e))?;
    let buffered = BufWriter::with_capacity(64 * 1024, created);
    let sink = if hash {
        Sink::Hashed(buffered, Sha256::new())
    } else {
        Sink::File(buffered)
    };
    let title = format!("{} — {}", doc.serial(), doc.recipient());
    let mut file = PdfFile::start(kit, sink)?;
    file.add_page(page)?;
    let (sink, len) = file.finish(&doc_info(doc, issuer, &title, options.pdfa))?;
    let sha256 = match sink {
        // Flushed here; made durable with the rest before any is moved.
        Sink::File(buffered) => {
            buffered.into_inner().map_err(|e| write_error(&path, e))?;
            None
        }
        Sink::Hashed(buffered, hasher) => {
            buffered.into_inner().map_err(|e| write_error(&path, e))?;
            Some(hasher.finalize().into())
        }
        Sink::Nowhere => None,
    };
    staging.add(&doc.file);
    Ok(DocumentFile {
        len,
        sha256,
        fate: FileFate::New,
        bytes: None,
    })
}

/// `charters.zip`, streamed into staging as the documents are made.
struct StagedZip {
    zip: super::DocumentZip<BufWriter<File>>,
    path: PathBuf,
}

impl StagedZip {
    fn start(staging: &Staging) -> Result<StagedZip, GenerateError> {
        let path = staging.path(super::ZIP_FILE);
        let file = File::create(&path).map_err(|e| write_error(&path, e))?;
        Ok(StagedZip {
            zip: super::DocumentZip::new(BufWriter::with_capacity(256 * 1024, file)),
            path,
        })
    }

    fn add(&mut self, name: &str, bytes: &[u8]) -> Result<(), GenerateError> {
        self.zip
            .add(name, bytes)
            .map_err(|e| write_error(&self.path, e))
    }

    /// Closes the archive and stages it like a print file; its name and
    /// length.
    fn finish(self, staging: &Staging, overwrite: bool) -> Result<(String, u64), GenerateError> {
        let path = self.path;
        let file = self
            .zip
            .finish()
            .map_err(|e| write_error(&path, e))?
            .into_inner()
            .map_err(|e| write_error(&path, e.error()))?;
        let len = file.metadata().map_or(0, |m| m.len());
        drop(file);
        if let Some(changed) = settle(staging, super::ZIP_FILE, overwrite) {
            return Err(GenerateError::WouldReplace(vec![changed]));
        }
        Ok((super::ZIP_FILE.to_owned(), len))
    }
}

impl<'k> PrintFile<'k> {
    fn part_name(&self) -> String {
        if self.chunk == usize::MAX {
            format!("{}.pdf", self.stem)
        } else {
            format!("{}-{:04}.pdf", self.stem, self.part)
        }
    }

    fn add(
        &mut self,
        kit: &'k Kit,
        page: &RenderedPage,
        issued: &[Issued],
        issuer: &str,
        staging: Option<&Staging>,
    ) -> Result<(), GenerateError> {
        if self
            .current
            .as_ref()
            .is_some_and(|(_, f)| f.page_count() >= self.chunk)
        {
            self.close(issued, issuer)?;
        }
        if self.current.is_none() {
            self.part += 1;
            let name = self.part_name();
            let sink = match staging {
                Some(staging) => {
                    let path = staging.path(&name);
                    Sink::File(BufWriter::with_capacity(
                        256 * 1024,
                        File::create(&path).map_err(|e| write_error(&path, e))?,
                    ))
                }
                None => Sink::Nowhere,
            };
            self.current = Some((name, PdfFile::start(kit, sink)?));
        }
        if let Some((_, file)) = &mut self.current {
            file.add_page(page)?;
        }
        Ok(())
    }

    fn close(&mut self, issued: &[Issued], issuer: &str) -> Result<(), GenerateError> {
        if let Some((name, file)) = self.current.take() {
            let first = self.info_from.map(|i| &issued[i]);
            let (sink, len) = file.finish(&print_info(&self.title, issuer, first, self.pdfa))?;
            if let Sink::File(buffered) = sink {
                let file = buffered
                    .into_inner()
                    .map_err(|e| write_error(Path::new(&name), e))?;
                file.sync_all()
                    .map_err(|e| write_error(Path::new(&name), e))?;
            }
            self.done.push((name, len));
        }
        Ok(())
    }

    /// Closes the last part; stages each part unless the same bytes are
    /// already in place.
    fn finish(
        mut self,
        issued: &[Issued],
        issuer: &str,
        staging: Option<&Staging>,
        overwrite: bool,
    ) -> Result<Vec<(String, u64)>, GenerateError> {
        self.close(issued, issuer)?;
        if let Some(staging) = staging {
            let changed: Vec<PathBuf> = self
                .done
                .iter()
                .filter_map(|(name, _)| settle(staging, name, overwrite))
                .collect();
            if !changed.is_empty() {
                return Err(GenerateError::WouldReplace(changed));
            }
        }
        Ok(self.done)
    }
}

/// Decides what becomes of a file written to staging: moved in at the end
/// if nothing is in its place, dropped if the same bytes are, and moved
/// over a different file only when the run may overwrite. Returns the file in
/// place if it would change without it.
fn settle(staging: &Staging, name: &str, overwrite: bool) -> Option<PathBuf> {
    let (new, old) = (staging.path(name), staging.target(name));
    if !old.exists() {
        staging.add(name);
    } else if same_bytes(&new, &old) {
        let _ = std::fs::remove_file(&new);
    } else if overwrite {
        staging.add(name);
    } else {
        return Some(old);
    }
    None
}

/// Whether two files hold the same bytes, read a block at a time.
fn same_bytes(a: &Path, b: &Path) -> bool {
    let (Ok(fa), Ok(fb)) = (File::open(a), File::open(b)) else {
        return false;
    };
    match (fa.metadata(), fb.metadata()) {
        (Ok(ma), Ok(mb)) if ma.len() == mb.len() => {}
        _ => return false,
    }
    let (mut ra, mut rb) = (
        std::io::BufReader::with_capacity(1 << 16, fa),
        std::io::BufReader::with_capacity(1 << 16, fb),
    );
    let (mut ba, mut bb) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    loop {
        let Ok(n) = ra.read(&mut ba) else {
            return false;
        };
        if n == 0 {
            return true;
        }
        if rb.read_exact(&mut bb[..n]).is_err() || ba[..n] != bb[..n] {
            return false;
        }
    }
}

/// A print file is dated and set in the language of its first page.
fn print_info<'a>(
    title: &'a str,
    issuer: &'a str,
    first: Option<&Issued>,
    pdfa: bool,
) -> DocInfo<'a> {
    DocInfo {
        title,
        author: issuer,
        subject: "",
        date: first.map(|d| d.claims.date),
        lang: first.map(|d| d.lang),
        pdfa,
    }
}

/// Rows left out by `--skip-invalid`, each with its reason.
use crate::spreadsheet::safe_cell as csv_cell;

fn rejected_csv(problems: &[RowProblem]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["file", "row", "column", "reason"]);
    for p in problems {
        let file = p.file.display().to_string();
        let row = p.row.map(|r| r.to_string()).unwrap_or_default();
        let _ = w.write_record([
            csv_cell(&file),
            csv_cell(&row),
            csv_cell(p.column.as_deref().unwrap_or_default()),
            csv_cell(&p.reason),
        ]);
    }
    w.into_inner().unwrap_or_default()
}

/// One row per document. Without per-document files (`--outputs print`),
/// the file column is empty.
fn write_manifest<W: Write>(
    w: &mut csv::Writer<W>,
    issued: &[Issued],
    with_files: bool,
) -> csv::Result<()> {
    w.write_record([
        "serial",
        "kind",
        "recipient",
        "achievement",
        "category",
        "row",
        "file",
        "qr_text",
    ])?;
    for d in issued {
        let row = d.row.to_string();
        let file = if with_files { d.file.as_str() } else { "" };
        w.write_record(
            [
                d.serial(),
                d.kind(),
                d.recipient(),
                d.achievement(),
                d.category(),
                &row,
                file,
                &d.qr_text,
            ]
            .map(csv_cell),
        )?;
    }
    w.flush()?;
    Ok(())
}
