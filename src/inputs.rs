//! What people hold: a photo, a scan, a screenshot or a PDF, read into the
//! QR texts it shows. PDFs are rasterized (hayro), so a PDF from any
//! producer works, a scanner's image-only PDF included; for a PDF that
//! piagam wrote, each page's text is read too (lopdf), to compare with what
//! the seal signs.

use std::path::{Path, PathBuf};

use crate::guard::guarded;
use crate::qr::scan::{scan, FoundCode, Luma};

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
    /// The page's text, for PDFs that piagam wrote.
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

/// Every QR code in a picture or PDF file.
pub fn read(path: &Path) -> Result<Vec<Seen>, InputError> {
    let bytes = crate::fsio::read_capped(path, MAX_INPUT_BYTES).map_err(|message| {
        InputError::Unreadable {
            path: path.to_owned(),
            message,
        }
    })?;
    match kind_of(&bytes) {
        Some(Kind::Picture) => read_picture(path, &bytes),
        Some(Kind::Pdf) => read_pdf(path, bytes),
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

fn read_picture(path: &Path, bytes: &[u8]) -> Result<Vec<Seen>, InputError> {
    let grey = decode_picture(path, bytes)?;
    let found = scan(&Luma {
        pixels: grey.as_raw(),
        width: grey.width(),
        height: grey.height(),
    });
    Ok(found
        .into_iter()
        .map(|FoundCode { text, x, y }| Seen {
            file: path.to_owned(),
            page: None,
            x,
            y,
            text,
            page_text: None,
        })
        .collect())
}

/// A PDF page as greyscale pixels on white, at `dpi`, within the pixel cap.
pub fn render_page(page: &hayro::hayro_syntax::page::Page, dpi: f32) -> Option<image::GrayImage> {
    let rgba = render_page_rgba(page, dpi)?;
    let (width, height) = rgba.dimensions();
    let grey: Vec<u8> = rgba
        .as_raw()
        .chunks_exact(4)
        .map(|p| {
            ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000) as u8
        })
        .collect();
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

fn read_pdf(path: &Path, bytes: Vec<u8>) -> Result<Vec<Seen>, InputError> {
    use hayro::hayro_syntax::{LoadPdfError, Pdf};
    let texts = piagam_page_texts(&bytes);
    let pdf = match guarded(|| Pdf::new(bytes)) {
        Some(Ok(pdf)) => pdf,
        Some(Err(LoadPdfError::Decryption(_))) => {
            return Err(InputError::Encrypted {
                path: path.to_owned(),
            })
        }
        Some(Err(_)) | None => return Err(unreadable(path, "not a readable PDF")),
    };
    let pages = pdf.pages();
    if pages.len() > MAX_PDF_PAGES {
        return Err(unreadable(
            path,
            format!(
                "the PDF has {} pages; the limit is {MAX_PDF_PAGES}",
                pages.len()
            ),
        ));
    }
    let mut seen = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        let Some(grey) = render_page(page, PDF_DPI) else {
            continue;
        };
        for FoundCode { text, x, y } in scan(&Luma {
            pixels: grey.as_raw(),
            width: grey.width(),
            height: grey.height(),
        }) {
            seen.push(Seen {
                file: path.to_owned(),
                page: Some(i + 1),
                x,
                y,
                text,
                page_text: texts.as_ref().and_then(|t| t.get(i).cloned()),
            });
        }
    }
    Ok(seen)
}

/// Each page's text, if piagam wrote the PDF (its Producer says so).
fn piagam_page_texts(bytes: &[u8]) -> Option<Vec<String>> {
    guarded(|| {
        let doc = lopdf::Document::load_mem(bytes).ok()?;
        let info = doc.trailer.get(b"Info").ok()?;
        let info = doc.dereference(info).ok()?.1.as_dict().ok()?;
        let producer = info.get(b"Producer").ok()?.as_str().ok()?;
        // PDF text strings are PDFDocEncoding, or UTF-16BE after a BOM.
        let producer = match producer.strip_prefix(&[0xfe, 0xff]) {
            Some(utf16) => String::from_utf16_lossy(
                &utf16
                    .chunks_exact(2)
                    .map(|p| u16::from_be_bytes([p[0], p[1]]))
                    .collect::<Vec<_>>(),
            ),
            None => String::from_utf8_lossy(producer).into_owned(),
        };
        if !producer.starts_with("piagam") {
            return None;
        }
        let count = doc.get_pages().len().min(MAX_PDF_PAGES) as u32;
        Some(
            (1..=count)
                .map(|n| {
                    doc.extract_text_with_limit(&[n], 16 * 1024 * 1024)
                        .unwrap_or_default()
                })
                .collect(),
        )
    })
    .flatten()
}

/// The signed values a page's text does not show, spacing aside.
pub fn page_shows(page_text: &str, values: &[&str]) -> Vec<String> {
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let page = squash(page_text);
    values
        .iter()
        .filter(|v| !page.contains(&squash(v)))
        .map(|v| (*v).to_owned())
        .collect()
}

/// A seal read from a file, checked, with where it was found.
#[derive(Debug, Clone)]
pub struct Checked {
    pub report: crate::seal::Report,
    pub seen: Seen,
    /// Signed values the page's text does not show (PDFs piagam wrote).
    pub missing_from_page: Vec<String>,
}

impl Checked {
    /// Valid only if the seal is, and the page (where read) says the same.
    pub fn is_valid(&self) -> bool {
        self.report.is_valid() && self.missing_from_page.is_empty()
    }

    pub fn to_json(&self) -> serde_json::Value {
        let mut json = self.report.to_json();
        if let Some(object) = json.as_object_mut() {
            object.insert(
                "source".into(),
                serde_json::json!({
                    "file": self.seen.file.display().to_string(),
                    "page": self.seen.page,
                    "x": self.seen.x,
                    "y": self.seen.y,
                }),
            );
            object.insert("qr_text".into(), self.seen.text.clone().into());
            object.insert(
                "page_text_matches".into(),
                match &self.seen.page_text {
                    Some(_) => self.missing_from_page.is_empty().into(),
                    None => serde_json::Value::Null,
                },
            );
            object.insert(
                "page_text_missing".into(),
                self.missing_from_page.clone().into(),
            );
            if !self.is_valid() {
                object.insert("valid".into(), false.into());
                if self.report.is_valid() {
                    object.insert("code".into(), "page-text-differs".into());
                }
            }
        }
        json
    }

    pub fn to_text(&self, lang: crate::locale::Language) -> String {
        use crate::locale::Language;
        let id = lang == Language::Id;
        let place = match self.seen.page {
            Some(p) if id => format!("{}, halaman {p}", self.seen.file.display()),
            Some(p) => format!("{}, page {p}", self.seen.file.display()),
            None => self.seen.file.display().to_string(),
        };
        let mut out = format!("{place}:\n");
        if !self.missing_from_page.is_empty() {
            out.push_str(if id {
                "PERINGATAN: segel sah, tetapi teks halaman ini berbeda dari yang ditandatangani.\n  Tidak tertulis di halaman: "
            } else {
                "WARNING: the seal is valid, but the page text says something else.\n  Not on the page: "
            });
            out.push_str(&self.missing_from_page.join("; "));
            out.push_str("\n\n");
        }
        if !self.report.is_valid() && self.report.claims.is_none() {
            let shown: String = self.seen.text.chars().take(200).collect();
            out.push_str(if id {
                "Isi kode QR: "
            } else {
                "The QR code holds: "
            });
            out.push_str(&shown);
            out.push('\n');
        }
        out.push_str(&self.report.to_text(lang));
        out
    }
}

/// Reads every QR code in a file and checks each.
pub fn check_file(
    path: &Path,
    trust: &crate::seal::Trust,
    options: &crate::seal::VerifyOptions,
) -> Result<Vec<Checked>, InputError> {
    Ok(read(path)?
        .into_iter()
        .map(|seen| {
            let report = crate::seal::verify_qr_text(&seen.text, trust, options);
            let missing_from_page = match (&seen.page_text, &report.claims) {
                (Some(text), Some(c)) if report.is_valid() => {
                    page_shows(text, &[&c.recipient, &c.achievement, &c.serial])
                }
                _ => Vec::new(),
            };
            Checked {
                report,
                seen,
                missing_from_page,
            }
        })
        .collect())
}
