//! PDF output. The only module that knows printpdf.
//!
//! It walks composed pages and writes what they say. Output is deterministic:
//! font resource names and the document ID are derived from content, and no
//! clock is read.

use std::collections::{BTreeMap, BTreeSet};

use printpdf::{
    Codepoint, Color, FontId, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFont,
    PdfFontHandle, PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, RawImage,
    RawImageData, RawImageFormat, TextItem, TextMatrix, WindingOrder, XObject, XObjectId,
    XObjectTransform,
};
use sha2::{Digest, Sha256};

use crate::layout::fonts::{FontBook, FontKey};
use crate::layout::page::{GlyphRun, Item, Page, Raster, Rgb, Stroke};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    #[error("font {0} cannot be prepared for PDF embedding")]
    Font(String),
    #[error("the PDF writer failed: {0}")]
    Write(String),
}

/// What a PDF says about itself (its Info dictionary and /Lang). Empty
/// values are left out. The date is the signed document date, never the
/// clock, so output stays byte-identical.
#[derive(Debug, Clone, Copy, Default)]
pub struct DocInfo<'a> {
    pub title: &'a str,
    /// The issuer.
    pub author: &'a str,
    /// The achievement.
    pub subject: &'a str,
    pub date: Option<crate::date::Date>,
    pub lang: Option<crate::locale::Language>,
}

/// A PDF text string: PDFDocEncoding-safe ASCII as is, else UTF-16BE.
fn pdf_text(s: &str) -> lopdf::Object {
    if s.is_ascii() {
        lopdf::Object::String(s.as_bytes().to_vec(), lopdf::StringFormat::Literal)
    } else {
        let mut bytes = vec![0xfe, 0xff];
        for unit in s.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        lopdf::Object::String(bytes, lopdf::StringFormat::Hexadecimal)
    }
}

/// Sets the Info dictionary and the catalog's /Lang as `info` says.
fn apply_info(lo: &mut lopdf::Document, info: &DocInfo) {
    if let Ok(root) = lo.trailer.get(b"Root").and_then(|r| r.as_reference()) {
        if let (Some(lang), Ok(catalog)) = (info.lang, lo.get_dictionary_mut(root)) {
            catalog.set("Lang", pdf_text(lang.code()));
        }
    }
    let Ok(id) = lo.trailer.get(b"Info").and_then(|r| r.as_reference()) else {
        return;
    };
    let Ok(dict) = lo.get_dictionary_mut(id) else {
        return;
    };
    for (key, value) in [
        ("Title", info.title),
        ("Author", info.author),
        ("Subject", info.subject),
    ] {
        if value.trim().is_empty() {
            dict.remove(key.as_bytes());
        } else {
            dict.set(key, pdf_text(value));
        }
    }
    for key in ["Keywords", "GTS_PDFXVersion", "Trapped", "Identifier"] {
        dict.remove(key.as_bytes());
    }
    match info.date {
        Some(d) => {
            let stamp = format!("D:{:04}{:02}{:02}000000Z", d.year(), d.month(), d.day());
            dict.set("CreationDate", pdf_text(&stamp));
            dict.set("ModDate", pdf_text(&stamp));
        }
        None => {
            dict.remove(b"CreationDate");
            dict.remove(b"ModDate");
        }
    }
}

/// Fonts parsed once for PDF embedding and reused for every document.
pub struct PdfWriter<'a> {
    book: &'a FontBook,
    parsed: BTreeMap<FontKey, ParsedFont>,
}

/// Placeholder for the document ID, replaced by a hash of the file.
const ID_PLACEHOLDER: &str = "00000000000000000000000000000000";

impl<'a> PdfWriter<'a> {
    pub fn new(book: &'a FontBook) -> PdfWriter<'a> {
        PdfWriter {
            book,
            parsed: BTreeMap::new(),
        }
    }

    fn parsed_font(&mut self, key: FontKey) -> Result<ParsedFont, RenderError> {
        if let Some(p) = self.parsed.get(&key) {
            return Ok(p.clone());
        }
        let font = self.book.font(key);
        let mut warnings = Vec::new();
        let parsed = ParsedFont::from_bytes(font.bytes(), 0, &mut warnings)
            .ok_or_else(|| RenderError::Font(font.postscript_name.clone()))?;
        self.parsed.insert(key, parsed.clone());
        Ok(parsed)
    }

    /// Writes pages as one PDF document and returns its bytes. A damaged
    /// font can make the PDF library panic while subsetting; that is an
    /// error about the font, never a crash.
    pub fn write(&mut self, pages: &[&Page], info: &DocInfo) -> Result<Vec<u8>, RenderError> {
        crate::guard::guarded(|| self.write_unguarded(pages, info)).unwrap_or_else(|| {
            Err(RenderError::Write(
                "a font could not be embedded (the file may be damaged)".into(),
            ))
        })
    }

    fn write_unguarded(&mut self, pages: &[&Page], info: &DocInfo) -> Result<Vec<u8>, RenderError> {
        let mut doc = PdfDocument::new(info.title);
        doc.metadata.info.creator = "piagam".into();
        doc.metadata.info.producer = format!("piagam {}", env!("CARGO_PKG_VERSION"));

        // Fonts used, and the glyphs used of each, decide the resource names.
        let mut used: BTreeMap<FontKey, BTreeSet<u16>> = BTreeMap::new();
        for page in pages {
            for item in page.items() {
                if let Item::Text(run) = item {
                    used.entry(run.font)
                        .or_default()
                        .extend(run.glyphs.iter().map(|g| g.gid));
                }
            }
        }
        let mut ids = BTreeMap::new();
        for (key, glyphs) in &used {
            let font = self.book.font(*key);
            let id = FontId(subset_tag(font.bytes(), glyphs));
            let parsed = self.parsed_font(*key)?;
            doc.resources
                .fonts
                .map
                .insert(id.clone(), PdfFont::new(parsed));
            ids.insert(*key, id);
        }

        // Each image is embedded once per document, however many pages show it.
        for page in pages {
            for item in page.items() {
                if let Item::Image { image, .. } = item {
                    doc.resources
                        .xobjects
                        .map
                        .entry(XObjectId(image.id.clone()))
                        .or_insert_with(|| XObject::Image(raw_image(image)));
                }
            }
        }

        doc.pages = pages
            .iter()
            .map(|page| {
                PdfPage::new(
                    Mm(page.width_mm()),
                    Mm(page.height_mm()),
                    page_ops(page, &ids),
                )
            })
            .collect();

        let mut warnings = Vec::new();
        let opts = PdfSaveOptions {
            optimize: true,
            subset_fonts: true,
            secure: true,
            image_optimization: None,
        };
        let mut lo = doc.to_lopdf_document(&opts, &mut warnings);
        if let Some(w) = warnings
            .iter()
            .find(|w| w.severity == printpdf::PdfParseErrorSeverity::Error)
        {
            return Err(RenderError::Write(w.msg.clone()));
        }
        apply_info(&mut lo, info);
        let placeholder = lopdf::Object::String(
            ID_PLACEHOLDER.as_bytes().to_vec(),
            lopdf::StringFormat::Literal,
        );
        lo.trailer.set(
            "ID",
            lopdf::Object::Array(vec![placeholder.clone(), placeholder]),
        );
        lo.compress();
        let mut bytes = Vec::new();
        lo.save_to(&mut bytes)
            .map_err(|e| RenderError::Write(e.to_string()))?;
        // Same length, so the cross-reference offsets stay right.
        let digest = Sha256::digest(&bytes);
        let id: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        replace_all(&mut bytes, ID_PLACEHOLDER.as_bytes(), id.as_bytes());
        Ok(bytes)
    }
}

/// Six capital letters naming a font subset (ISO 32000-1 §9.6.4), from content.
fn subset_tag(font: &[u8], glyphs: &BTreeSet<u16>) -> String {
    let mut h = Sha256::new();
    h.update(font);
    for g in glyphs {
        h.update(g.to_be_bytes());
    }
    h.finalize()[..6]
        .iter()
        .map(|b| char::from(b'A' + b % 26))
        .collect()
}

fn replace_all(haystack: &mut [u8], needle: &[u8], with: &[u8]) {
    let mut i = 0;
    while i + needle.len() <= haystack.len() {
        if &haystack[i..i + needle.len()] == needle {
            haystack[i..i + needle.len()].copy_from_slice(with);
            i += needle.len();
        } else {
            i += 1;
        }
    }
}

fn raw_image(r: &Raster) -> RawImage {
    let (pixels, format) = if r.has_alpha {
        (r.rgba.clone(), RawImageFormat::RGBA8)
    } else {
        // Opaque images need no soft mask.
        let rgb = r
            .rgba
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        (rgb, RawImageFormat::RGB8)
    };
    RawImage {
        pixels: RawImageData::U8(pixels),
        width: r.width as usize,
        height: r.height as usize,
        data_format: format,
        tag: Vec::new(),
    }
}

fn color(c: Rgb) -> Color {
    Color::Rgb(printpdf::Rgb {
        r: f32::from(c.r) / 255.0,
        g: f32::from(c.g) / 255.0,
        b: f32::from(c.b) / 255.0,
        icc_profile: None,
    })
}

fn mm(v: f32) -> Pt {
    Mm(v).into_pt()
}

/// Converts a top-left millimetre point to PDF's bottom-left points.
fn point(page: &Page, x: f32, y: f32) -> Point {
    Point {
        x: mm(x),
        y: mm(page.height_mm() - y),
    }
}

fn page_ops(page: &Page, ids: &BTreeMap<FontKey, FontId>) -> Vec<Op> {
    let mut ops = Vec::new();
    for item in page.items() {
        ops.push(Op::SaveGraphicsState);
        match item {
            Item::Text(run) => text_ops(page, run, ids, &mut ops),
            Item::Rect {
                x,
                y,
                w,
                h,
                radius,
                fill,
                stroke,
            } => {
                let ring = rect_ring(page, *x, *y, *w, *h, *radius);
                paint(vec![ring], *fill, stroke.as_ref(), &mut ops);
            }
            Item::Line {
                x1,
                y1,
                x2,
                y2,
                stroke,
            } => {
                ops.push(Op::SetOutlineColor {
                    col: color(stroke.color),
                });
                ops.push(Op::SetOutlineThickness {
                    pt: mm(stroke.width_mm),
                });
                ops.push(Op::DrawLine {
                    line: Line {
                        points: vec![
                            LinePoint {
                                p: point(page, *x1, *y1),
                                bezier: false,
                            },
                            LinePoint {
                                p: point(page, *x2, *y2),
                                bezier: false,
                            },
                        ],
                        is_closed: false,
                    },
                });
            }
            Item::Image {
                x,
                y,
                w,
                h,
                clip,
                image,
            } => {
                if let Some([cx, cy, cw, ch]) = clip {
                    ops.push(Op::DrawPolygon {
                        polygon: Polygon {
                            rings: vec![rect_ring(page, *cx, *cy, *cw, *ch, 0.0)],
                            mode: PaintMode::Clip,
                            winding_order: WindingOrder::NonZero,
                        },
                    });
                }
                let bottom_left = point(page, *x, y + h);
                ops.push(Op::UseXobject {
                    id: XObjectId(image.id.clone()),
                    transform: XObjectTransform {
                        translate_x: Some(bottom_left.x),
                        translate_y: Some(bottom_left.y),
                        rotate: None,
                        // At 72 dpi one pixel is one point; scale from there.
                        scale_x: Some(mm(*w).0 / image.width as f32),
                        scale_y: Some(mm(*h).0 / image.height as f32),
                        dpi: Some(72.0),
                        no_auto_scale: false,
                    },
                });
            }
            Item::Link { x, y, w, h, uri } => {
                let lower_left = point(page, *x, y + h);
                ops.push(Op::LinkAnnotation {
                    link: printpdf::LinkAnnotation::new(
                        printpdf::Rect {
                            x: lower_left.x,
                            y: lower_left.y,
                            width: mm(*w),
                            height: mm(*h),
                            mode: None,
                            winding_order: None,
                        },
                        printpdf::Actions::Uri(uri.clone()),
                        // No frame around the code.
                        Some(printpdf::BorderArray::Solid([0.0, 0.0, 0.0])),
                        None,
                        None,
                    ),
                });
            }
            Item::Qr {
                x,
                y,
                size,
                matrix,
                color: c,
            } => {
                let n = matrix.width();
                let module = size / n as f32;
                let mut rings = Vec::new();
                for row in 0..n {
                    let mut col = 0;
                    while col < n {
                        if !matrix.is_dark(col, row) {
                            col += 1;
                            continue;
                        }
                        let start = col;
                        while col < n && matrix.is_dark(col, row) {
                            col += 1;
                        }
                        rings.push(rect_ring(
                            page,
                            x + start as f32 * module,
                            y + row as f32 * module,
                            (col - start) as f32 * module,
                            module,
                            0.0,
                        ));
                    }
                }
                paint(rings, Some(*c), None, &mut ops);
            }
        }
        ops.push(Op::RestoreGraphicsState);
    }
    ops
}

fn text_ops(page: &Page, run: &GlyphRun, ids: &BTreeMap<FontKey, FontId>, ops: &mut Vec<Op>) {
    let Some(id) = ids.get(&run.font) else {
        return;
    };
    ops.push(Op::StartTextSection);
    ops.push(Op::SetFont {
        font: PdfFontHandle::External(id.clone()),
        size: Pt(run.size_pt),
    });
    ops.push(Op::SetFillColor {
        col: color(run.color),
    });
    if run.outline {
        ops.push(Op::SetTextRenderingMode {
            mode: printpdf::TextRenderingMode::Stroke,
        });
        ops.push(Op::SetOutlineColor {
            col: color(run.color),
        });
        ops.push(Op::SetOutlineThickness { pt: Pt(1.2) });
    }
    for g in &run.glyphs {
        let p = point(page, g.x, g.baseline);
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(p.x, p.y),
        });
        let cid = (!g.text.is_empty()).then(|| g.text.clone());
        ops.push(Op::ShowText {
            items: vec![TextItem::GlyphIds(vec![Codepoint {
                gid: g.gid,
                offset: 0.0,
                cid,
            }])],
        });
    }
    ops.push(Op::EndTextSection);
}

/// A closed outline of a (rounded) rectangle.
fn rect_ring(page: &Page, x: f32, y: f32, w: f32, h: f32, radius: f32) -> PolygonRing {
    let r = radius.clamp(0.0, w.min(h) / 2.0);
    let pt = |px: f32, py: f32, bezier: bool| LinePoint {
        p: point(page, px, py),
        bezier,
    };
    if r <= 0.0 {
        return PolygonRing {
            points: vec![
                pt(x, y, false),
                pt(x + w, y, false),
                pt(x + w, y + h, false),
                pt(x, y + h, false),
            ],
        };
    }
    // Control-point distance for a quarter circle drawn with one cubic.
    let k = r * 0.552_284_8;
    PolygonRing {
        points: vec![
            pt(x + r, y, false),
            pt(x + w - r, y, false),
            pt(x + w - r + k, y, true),
            pt(x + w, y + r - k, true),
            pt(x + w, y + r, false),
            pt(x + w, y + h - r, false),
            pt(x + w, y + h - r + k, true),
            pt(x + w - r + k, y + h, true),
            pt(x + w - r, y + h, false),
            pt(x + r, y + h, false),
            pt(x + r - k, y + h, true),
            pt(x, y + h - r + k, true),
            pt(x, y + h - r, false),
            pt(x, y + r, false),
            pt(x, y + r - k, true),
            pt(x + r - k, y, true),
            pt(x + r, y, false),
        ],
    }
}

fn paint(rings: Vec<PolygonRing>, fill: Option<Rgb>, stroke: Option<&Stroke>, ops: &mut Vec<Op>) {
    let mode = match (fill, stroke) {
        (Some(_), Some(_)) => PaintMode::FillStroke,
        (Some(_), None) => PaintMode::Fill,
        (None, Some(_)) => PaintMode::Stroke,
        (None, None) => return,
    };
    if let Some(f) = fill {
        ops.push(Op::SetFillColor { col: color(f) });
    }
    if let Some(s) = stroke {
        ops.push(Op::SetOutlineColor {
            col: color(s.color),
        });
        ops.push(Op::SetOutlineThickness { pt: mm(s.width_mm) });
    }
    ops.push(Op::DrawPolygon {
        polygon: Polygon {
            rings,
            mode,
            winding_order: WindingOrder::NonZero,
        },
    });
}
