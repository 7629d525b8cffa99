//! What people hold: a photo, a scan, a screenshot or a PDF, read into the
//! QR texts it shows. PDFs are rasterized (hayro), so a PDF from any
//! producer works, a scanner's image-only PDF included. Each PDF page's
//! visible text is read too (`visible`), whoever made the PDF, to compare
//! with what the seal signs; and a PDF's bytes are looked up in the
//! issuer's list of issued files, where one is at hand.

mod visible;

pub use visible::{missing_values, page_text, PageText};

use crate::report_text::{shown, ReportText};
use crate::seal::issued::{judge_file, FileVerdict};

use std::path::{Path, PathBuf};

use crate::guard::guarded;
use crate::qr::scan::{scan_all, scan_rendered, FoundCode, Luma};

/// The largest file `verify` reads: a 50 MP photo is about 25 MB.
pub const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;
/// The most pixels a picture may decode to: a 50 MP phone photo, with room.
pub const MAX_PICTURE_PIXELS: u64 = 64_000_000;
/// Pages of a PDF are rendered at this resolution; QR codes read down to
/// about 60 dpi.
const PDF_DPI: f32 = 150.0;
/// A rendered page never has more pixels than this (an A4 page at 150 dpi
/// has 2.2 million).
const MAX_PAGE_PIXELS: f32 = 20_000_000.0;
/// The most pages read from one PDF.
pub const MAX_PDF_PAGES: usize = 2_000;

/// One QR code found in a file.
#[derive(Debug, Clone)]
pub struct Seen {
    pub file: PathBuf,
    /// From 1, for PDFs.
    pub page: Option<usize>,
    /// The code's centre in pixels (of the page rendered at 150 dpi, for PDFs).
    pub x: u32,
    pub y: u32,
    pub text: String,
    /// What a reader sees of the page's text, for PDF pages that have a
    /// text layer; none for pictures and for scanned pages.
    pub page_text: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    #[error("{path}: {message}")]
    Unreadable { path: PathBuf, message: String },
    #[error("{path}: not a picture or PDF piagam can read (PNG, JPEG, WebP or PDF)")]
    UnknownKind { path: PathBuf },
    #[error("{path}: the picture is {width}×{height} pixels; the limit is {} megapixels", MAX_PICTURE_PIXELS / 1_000_000)]
    TooManyPixels {
        path: PathBuf,
        width: u32,
        height: u32,
    },
    #[error(
        "{path}: the PDF is password-protected; open it, print it to a new PDF, and check that"
    )]
    Encrypted { path: PathBuf },
}

/// What kind of file the bytes are, by their first bytes.
enum Kind {
    Pdf,
    Picture,
}

fn kind_of(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(b"%PDF-") {
        Some(Kind::Pdf)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n")
        || bytes.starts_with(&[0xff, 0xd8, 0xff])
        || (bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP")
    {
        Some(Kind::Picture)
    } else {
        None
    }
}

/// True if `path` names a file `verify` should read rather than a seal.
pub fn is_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// A file `verify` was given, read whole (within [`MAX_INPUT_BYTES`]).
pub struct Held {
    pub path: PathBuf,
    /// Shared with the PDF reader, which keeps them while pages are read.
    pub bytes: std::sync::Arc<Vec<u8>>,
}

impl Held {
    /// A file's bytes already in hand (an upload), named for messages;
    /// refused over [`MAX_INPUT_BYTES`] as a file on disk is.
    pub fn from_bytes(name: &Path, bytes: Vec<u8>) -> Result<Held, InputError> {
        if bytes.len() as u64 > MAX_INPUT_BYTES {
            return Err(InputError::Unreadable {
                path: name.to_owned(),
                message: format!(
                    "{} bytes is more than the {MAX_INPUT_BYTES} a picture or PDF may have",
                    bytes.len()
                ),
            });
        }
        Ok(Held {
            path: name.to_owned(),
            bytes: std::sync::Arc::new(bytes),
        })
    }

    pub fn read(path: &Path) -> Result<Held, InputError> {
        let bytes = crate::fsio::read_capped(path, MAX_INPUT_BYTES).map_err(|message| {
            InputError::Unreadable {
                path: path.to_owned(),
                message,
            }
        })?;
        Ok(Held {
            path: path.to_owned(),
            bytes: std::sync::Arc::new(bytes),
        })
    }

    pub fn is_pdf(&self) -> bool {
        matches!(kind_of(&self.bytes), Some(Kind::Pdf))
    }

    pub fn sha256(&self) -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(self.bytes.as_slice()).into()
    }
}

/// Every QR code in a picture or PDF file.
pub fn read(path: &Path) -> Result<Vec<Seen>, InputError> {
    let held = Held::read(path)?;
    Ok(read_held(&held)?.0)
}

/// The codes read, and how many more were seen but not read.
fn read_held(held: &Held) -> Result<(Vec<Seen>, usize), InputError> {
    let path = held.path.as_path();
    match kind_of(&held.bytes) {
        Some(Kind::Picture) => read_picture(path, &held.bytes),
        Some(Kind::Pdf) => Ok((read_pdf(path, held.bytes.clone())?, 0)),
        None => Err(InputError::UnknownKind {
            path: path.to_owned(),
        }),
    }
}

fn unreadable(path: &Path, message: impl std::fmt::Display) -> InputError {
    InputError::Unreadable {
        path: path.to_owned(),
        message: message.to_string(),
    }
}

/// Decodes a picture upright (EXIF orientation applied) and greyscale.
pub fn decode_picture(path: &Path, bytes: &[u8]) -> Result<image::GrayImage, InputError> {
    use image::ImageDecoder;
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| unreadable(path, e))?;
    let mut decoder = reader.into_decoder().map_err(|e| unreadable(path, e))?;
    // The header is read first: a small file that declares a huge picture
    // is refused before any pixel memory is taken.
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PICTURE_PIXELS {
        return Err(InputError::TooManyPixels {
            path: path.to_owned(),
            width,
            height,
        });
    }
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PICTURE_PIXELS * 8);
    decoder
        .set_limits(limits)
        .map_err(|e| unreadable(path, e))?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture =
        image::DynamicImage::from_decoder(decoder).map_err(|e| unreadable(path, e))?;
    picture.apply_orientation(orientation);
    Ok(picture.into_luma8())
}

fn read_picture(path: &Path, bytes: &[u8]) -> Result<(Vec<Seen>, usize), InputError> {
    let grey = decode_picture(path, bytes)?;
    let found = scan_all(&Luma {
        pixels: grey.as_raw(),
        width: grey.width(),
        height: grey.height(),
    });
    let seen = found
        .codes
        .into_iter()
        .map(|FoundCode { text, x, y, .. }| Seen {
            file: path.to_owned(),
            page: None,
            x,
            y,
            text,
            page_text: None,
        })
        .collect();
    Ok((seen, found.unread))
}

/// A PDF page as greyscale pixels on white, at `dpi`, within the pixel cap.
pub fn render_page(page: &hayro::hayro_syntax::page::Page, dpi: f32) -> Option<image::GrayImage> {
    let rgba = render_page_rgba(page, dpi)?;
    let (width, height) = rgba.dimensions();
    let raw = rgba.as_raw();
    let mut grey = vec![0u8; raw.len() / 4];
    for (g, p) in grey.iter_mut().zip(raw.chunks_exact(4)) {
        // Integer weights (×1024) of the usual 0.299, 0.587, 0.114.
        *g = ((u32::from(p[0]) * 306 + u32::from(p[1]) * 601 + u32::from(p[2]) * 117) >> 10) as u8;
    }
    image::GrayImage::from_raw(width, height, grey)
}

/// A PDF page in colour on white, at `dpi`, within the pixel cap.
pub fn render_page_rgba(
    page: &hayro::hayro_syntax::page::Page,
    dpi: f32,
) -> Option<image::RgbaImage> {
    let (w_pt, h_pt) = page.render_dimensions();
    if !(w_pt.is_finite() && h_pt.is_finite() && w_pt > 0.0 && h_pt > 0.0) {
        return None;
    }
    let mut scale = dpi / 72.0;
    let pixels = w_pt * h_pt * scale * scale;
    if pixels > MAX_PAGE_PIXELS {
        scale *= (MAX_PAGE_PIXELS / pixels).sqrt();
    }
    // The renderer takes sizes as u16.
    scale = scale.min(65_000.0 / w_pt.max(h_pt));
    let settings = hayro::PixmapSettings {
        x_scale: scale,
        y_scale: scale,
        bg_color: hayro::vello_cpu::color::palette::css::WHITE,
    };
    let cache = hayro::RenderCache::new();
    let pixmap = guarded(|| {
        hayro::render(
            page,
            &cache,
            &hayro::hayro_interpret::InterpreterSettings::default(),
            &hayro::RenderSettings::default(),
            &settings,
        )
    })?;
    let (width, height) = (u32::from(pixmap.width()), u32::from(pixmap.height()));
    // On an opaque white background, premultiplied colour is plain colour.
    image::RgbaImage::from_raw(width, height, pixmap.data_as_u8_slice().to_vec())
}

fn read_pdf(path: &Path, bytes: std::sync::Arc<Vec<u8>>) -> Result<Vec<Seen>, InputError> {
    use hayro::hayro_syntax::{LoadPdfError, Pdf};
    use rayon::prelude::*;
    let open = || match guarded(|| Pdf::new(bytes.clone())) {
        Some(Ok(pdf)) => Ok(pdf),
        Some(Err(LoadPdfError::Decryption(_))) => Err(InputError::Encrypted {
            path: path.to_owned(),
        }),
        Some(Err(_)) | None => Err(unreadable(path, "not a readable PDF")),
    };
    let count = open()?.pages().len();
    if count > MAX_PDF_PAGES {
        return Err(unreadable(
            path,
            format!("the PDF has {count} pages; the limit is {MAX_PDF_PAGES}"),
        ));
    }
    // Pages are read on every core; each worker opens the file once (the
    // parsed document is not shared between threads).
    let per_page: Vec<Result<Vec<Seen>, InputError>> = (0..count)
        .into_par_iter()
        .map_init(open, |pdf, i| match pdf {
            Ok(pdf) => match pdf.pages().get(i) {
                Some(page) => read_pdf_page(path, page, i + 1),
                None => Ok(Vec::new()),
            },
            Err(e) => Err(unreadable(path, e.to_string())),
        })
        .collect();
    let mut seen = Vec::new();
    for page in per_page {
        seen.extend(page?);
    }
    Ok(seen)
}

/// Every QR code on one PDF page, with what a reader sees of its text.
fn read_pdf_page(
    path: &Path,
    page: &hayro::hayro_syntax::page::Page<'_>,
    number: usize,
) -> Result<Vec<Seen>, InputError> {
    // A page that asks more than any real one is refused by name before
    // the renderer takes the memory or time it asks for.
    if let Some(Err(exceeded)) = guarded(|| crate::pdf_budget::check(page)) {
        return Err(unreadable(
            path,
            format!("page {number} is too complex to check safely: {exceeded}"),
        ));
    }
    let Some(grey) = render_page(page, PDF_DPI) else {
        return Ok(Vec::new());
    };
    let codes = scan_rendered(&Luma {
        pixels: grey.as_raw(),
        width: grey.width(),
        height: grey.height(),
    });
    drop(grey);
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    // Whoever made the PDF: the text a reader sees, or none for a page
    // with no text at all (a scan).
    let text = guarded(|| page_text(page))
        .filter(|t| t.glyphs > 0)
        .map(|t| t.visible);
    Ok(codes
        .into_iter()
        .map(|FoundCode { text: qr, x, y, .. }| Seen {
            file: path.to_owned(),
            page: Some(number),
            x,
            y,
            text: qr,
            page_text: text.clone(),
        })
        .collect())
}

/// What the issuer's list of issued files says of the file in hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileCheck {
    /// A picture: what counts is the paper it shows.
    Picture,
    /// A PDF, judged by the list (or not, with none at hand).
    Pdf(FileVerdict),
}

/// What the page shows, compared with what the seal signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageCheck {
    /// A picture, or a PDF page with no text (a scan): a person compares
    /// the paper with the signed details.
    ForAPerson,
    /// The page shows every signed value that is compared.
    Shows,
    /// The page does not show these signed values.
    Differs(Vec<String>),
}

/// The verdict on the thing in the user's hand, seal and file together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The seal is not valid (its report says why).
    SealInvalid,
    /// A valid seal in a file that is not the file issued.
    FileNotAsIssued,
    /// A valid seal on a page that shows something else.
    PageDiffers,
    /// A valid seal in the very file that was issued.
    ExactFile,
    /// A valid seal on a page that shows what was signed; the file itself
    /// was not checked.
    PageShows,
    /// A valid seal; the page's text was not checked (a picture or a scan).
    CompareThePaper,
}

impl Verdict {
    pub fn is_valid(self) -> bool {
        matches!(
            self,
            Verdict::ExactFile | Verdict::PageShows | Verdict::CompareThePaper
        )
    }

    /// The code `--json` gives where the seal is valid but the file or
    /// page is not (docs/FORMAT.md §8).
    pub fn code(self) -> Option<&'static str> {
        match self {
            Verdict::FileNotAsIssued => Some("file-not-as-issued"),
            Verdict::PageDiffers => Some("page-text-differs"),
            _ => None,
        }
    }
}

/// A seal read from a file, checked, with where it was found.
#[derive(Debug, Clone)]
pub struct Checked {
    pub report: crate::seal::Report,
    pub seen: Seen,
    pub file: FileCheck,
    pub page: PageCheck,
}

impl Checked {
    pub fn verdict(&self) -> Verdict {
        if !self.report.is_valid() {
            return Verdict::SealInvalid;
        }
        match (&self.file, &self.page) {
            (FileCheck::Pdf(FileVerdict::Issued(_)), _) => Verdict::ExactFile,
            (FileCheck::Pdf(FileVerdict::NotAsIssued), _) => Verdict::FileNotAsIssued,
            (_, PageCheck::Differs(_)) => Verdict::PageDiffers,
            (_, PageCheck::Shows) => Verdict::PageShows,
            (_, PageCheck::ForAPerson) => Verdict::CompareThePaper,
        }
    }

    /// Valid only if the seal is, and the file and page agree with it.
    pub fn is_valid(&self) -> bool {
        self.verdict().is_valid()
    }

    /// Signed values the page does not show.
    pub fn missing_from_page(&self) -> &[String] {
        match &self.page {
            PageCheck::Differs(missing) => missing,
            _ => &[],
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        let mut json = self.report.to_json();
        let verdict = self.verdict();
        if let Some(object) = json.as_object_mut() {
            object.insert(
                "source".into(),
                json!({
                    "file": self.seen.file.display().to_string(),
                    "page": self.seen.page,
                    "x": self.seen.x,
                    "y": self.seen.y,
                }),
            );
            object.insert("qr_text".into(), self.seen.text.clone().into());
            object.insert(
                "page_text_matches".into(),
                match &self.page {
                    PageCheck::ForAPerson => serde_json::Value::Null,
                    PageCheck::Shows => true.into(),
                    PageCheck::Differs(_) => false.into(),
                },
            );
            object.insert(
                "page_text_missing".into(),
                self.missing_from_page().to_vec().into(),
            );
            let (file, issued_on) = match &self.file {
                FileCheck::Picture => ("picture", None),
                FileCheck::Pdf(FileVerdict::Issued(f)) => ("issued", Some(f.date.to_string())),
                FileCheck::Pdf(v) => (v.code(), None),
            };
            object.insert(
                "file".into(),
                json!({ "check": file, "issued_on": issued_on }),
            );
            if !verdict.is_valid() {
                object.insert("valid".into(), false.into());
            }
            if let Some(code) = verdict.code() {
                object.insert("code".into(), code.into());
            }
        }
        json
    }

    /// The verdict for the thing in hand, then the seal's details.
    pub fn to_text(&self, lang: crate::locale::Language) -> String {
        use crate::locale::Language;
        let id = lang == Language::Id;
        let t = |i: &'static str, e: &'static str| if id { i } else { e };
        let place = match self.seen.page {
            Some(p) if id => format!("{}, halaman {p}", self.seen.file.display()),
            Some(p) => format!("{}, page {p}", self.seen.file.display()),
            None => self.seen.file.display().to_string(),
        };
        let mut out = format!("{place}:\n");
        let issuer = shown(self.report.issuer.as_deref().unwrap_or("?"));
        match self.verdict() {
            Verdict::SealInvalid => {
                out.push_str(&self.report.headline_text(lang));
                if self.report.claims.is_none() {
                    let held: String = self.seen.text.chars().take(200).collect();
                    out.push_str(t("Isi kode QR: ", "The QR code holds: "));
                    out.push_str(&shown(&held));
                    out.push('\n');
                }
            }
            Verdict::FileNotAsIssued => {
                out.push_str(t(
                    "TIDAK SAH — berkas ini bukan berkas yang diterbitkan (diubah atau disimpan ulang).\n",
                    "NOT VALID — this file is not the one issued (changed or re-saved).\n",
                ));
                out.push_str(t(
                    "  Segelnya sah; bandingkan isi halaman dengan rincian yang ditandatangani di bawah.\n",
                    "  Its seal is valid; compare the page with the signed details below.\n",
                ));
            }
            Verdict::PageDiffers => {
                out.push_str(t(
                    "TIDAK SAH — segel sah, tetapi teks halaman ini berbeda dari yang ditandatangani.\n",
                    "NOT VALID — the seal is valid, but the page text says something else.\n",
                ));
                out.push_str(t(
                    "  Tidak terlihat di halaman: ",
                    "  Not visible on the page: ",
                ));
                let missing: Vec<String> =
                    self.missing_from_page().iter().map(|v| shown(v)).collect();
                out.push_str(&missing.join("; "));
                out.push('\n');
            }
            Verdict::ExactFile => {
                let date = match &self.file {
                    FileCheck::Pdf(FileVerdict::Issued(f)) => f.date.to_string(),
                    _ => String::new(),
                };
                out.push_str(&if id {
                    format!("SAH — berkas ini persis berkas yang diterbitkan oleh {issuer} pada {date}.\n")
                } else {
                    format!("VALID — this exact file was issued by {issuer} on {date}.\n")
                });
            }
            Verdict::PageShows => {
                out.push_str(t(
                    "SAH — segel asli dan utuh, dan halaman ini menampilkan isi yang ditandatangani.\n",
                    "VALID — the seal is genuine and intact, and the page shows what was signed.\n",
                ));
                out.push_str(match &self.file {
                    FileCheck::Pdf(FileVerdict::SeveralDocuments) => t(
                        "  Berkas ini memuat beberapa dokumen; tiap halaman diperiksa dari teksnya.\n",
                        "  This file holds several documents; each page was checked by its text.\n",
                    ),
                    _ => t(
                        "  Berkasnya sendiri tidak diperiksa (tidak ada daftar berkas terbit untuknya).\n",
                        "  The file itself was not checked (no list of issued files covers it).\n",
                    ),
                });
            }
            Verdict::CompareThePaper => {
                out.push_str(t(
                    "SEGEL SAH — teks halaman tidak diperiksa: bandingkan kertasnya dengan rincian di bawah.\n",
                    "SEAL VALID — page text not checked: compare the paper with the details below.\n",
                ));
            }
        }
        out.push_str(&self.report.details_text(lang));
        out
    }
}

/// Every seal a file holds, checked, and how many more QR codes were
/// seen in it but could not be read (their finder patterns were there).
#[derive(Debug, Clone)]
pub struct FileReport {
    pub checked: Vec<Checked>,
    pub unread: usize,
}

/// Reads every QR code in a file and checks each: the seal, the page's
/// visible text, and (for a PDF, with the issuer's list at hand) the file.
pub fn check_file(
    path: &Path,
    trust: &crate::seal::Trust,
    options: &crate::seal::VerifyOptions,
    issued: Option<&crate::seal::IssuedList>,
) -> Result<FileReport, InputError> {
    check_held(&Held::read(path)?, trust, options, issued)
}

/// [`check_file`] on a file already read.
pub fn check_held(
    held: &Held,
    trust: &crate::seal::Trust,
    options: &crate::seal::VerifyOptions,
    issued: Option<&crate::seal::IssuedList>,
) -> Result<FileReport, InputError> {
    let (seen, unread) = read_held(held)?;
    let reports: Vec<crate::seal::Report> = seen
        .iter()
        .map(|s| crate::seal::verify_qr_text(&s.text, trust, options))
        .collect();
    let file = if held.is_pdf() {
        let serials: std::collections::BTreeSet<&str> = reports
            .iter()
            .filter(|r| r.is_valid())
            .filter_map(|r| r.claims.as_ref().map(|c| c.serial.as_str()))
            .collect();
        FileCheck::Pdf(judge_file(issued, &held.sha256(), &serials))
    } else {
        FileCheck::Picture
    };
    let checked = seen
        .into_iter()
        .zip(reports)
        .map(|(seen, report)| {
            let page = match (&seen.page_text, &report.claims) {
                (Some(text), Some(c)) => {
                    let missing = missing_values(text, &[&c.recipient, &c.achievement, &c.serial]);
                    if missing.is_empty() {
                        PageCheck::Shows
                    } else {
                        PageCheck::Differs(missing)
                    }
                }
                _ => PageCheck::ForAPerson,
            };
            Checked {
                report,
                seen,
                file: file.clone(),
                page,
            }
        })
        .collect();
    Ok(FileReport { checked, unread })
}
