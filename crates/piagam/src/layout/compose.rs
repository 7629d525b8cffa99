//! Compose: a template, one record's fields and a QR code become a [`Page`].

use std::collections::BTreeMap;

use super::fonts::{FontBook, FontKey, Style, MM_PER_PT};
use super::page::{GlyphRun, Item, Page, PlacedGlyph, Raster, Rgb, Stroke};
use super::text::{self, Align, BoxMm, FitError, FitRules, Fitted, VAlign};
use crate::locale::Language;
use crate::qr::QrMatrix;
use crate::template::{Background, ElementKind, Fit, SignatoryElement, Template, TextElement};

/// Quiet zone around a QR code, in modules (ISO/IEC 18004 asks for 4).
const QR_QUIET_MODULES: usize = 4;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{what}: {source}")]
pub struct ComposeError {
    /// The field (or element) whose text did not fit, e.g. "recipient".
    pub what: String,
    /// The template element (from 0) the text belongs to, so a designer
    /// can show the problem on its box.
    pub element: usize,
    pub text: String,
    #[source]
    pub source: FitError,
}

/// What of the design a page draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layers {
    /// Everything: the document as the recipient sees it.
    #[default]
    Whole,
    /// For pre-printed blank stock: no background and no element marked
    /// `stock`, which the sheet bears already.
    OntoStock,
}

/// Lays out one page. Fails if any text cannot be set without overflowing.
pub fn compose(
    template: &Template,
    book: &FontBook,
    fields: &BTreeMap<String, String>,
    qr: &QrMatrix,
    link: Option<&str>,
    layers: Layers,
) -> Result<Page, ComposeError> {
    let mut items = Vec::new();
    let (w, h) = (template.width_mm, template.height_mm);
    let whole = layers == Layers::Whole;
    match template.background.as_ref().filter(|_| whole) {
        Some(Background::Pdf(page)) => items.push(Item::PdfPage {
            x: 0.0,
            y: 0.0,
            w,
            h,
            page: page.clone(),
        }),
        Some(Background::Image(image)) => items.push(Item::Image {
            x: 0.0,
            y: 0.0,
            w,
            h,
            clip: None,
            image: image.clone(),
        }),
        None => {}
    }
    for (index, element) in template.elements.iter().enumerate() {
        if element.stock && !whole {
            continue;
        }
        if let Some(field) = &element.when {
            if fields.get(field).is_none_or(|v| v.trim().is_empty()) {
                continue;
            }
        }
        match &element.kind {
            ElementKind::Text(t) => {
                let rendered = t.pattern.render(fields, template.lang);
                let text = collapse(&match t.transform {
                    Some(transform) => transform.apply(&rendered),
                    None => rendered,
                });
                if text.is_empty() {
                    continue;
                }
                let what = t
                    .pattern
                    .fields()
                    .next()
                    .map_or_else(|| format!("element {}", index + 1), str::to_owned);
                set_text(book, &TextSpec::from(t), &text, &mut items).map_err(|source| {
                    ComposeError {
                        what,
                        element: index,
                        text: text.clone(),
                        source,
                    }
                })?;
            }
            ElementKind::Rect {
                x,
                y,
                w,
                h,
                radius,
                fill,
                stroke,
            } => items.push(Item::Rect {
                x: *x,
                y: *y,
                w: *w,
                h: *h,
                radius: *radius,
                fill: *fill,
                stroke: stroke.map(|(color, width_mm)| Stroke { color, width_mm }),
            }),
            ElementKind::Line {
                x1,
                y1,
                x2,
                y2,
                color,
                width,
            } => items.push(Item::Line {
                x1: *x1,
                y1: *y1,
                x2: *x2,
                y2: *y2,
                stroke: Stroke {
                    color: *color,
                    width_mm: *width,
                },
            }),
            ElementKind::Image {
                x,
                y,
                w,
                h,
                fit,
                raster,
            } => place_image(&mut items, raster, [*x, *y, *w, *h], *fit),
            ElementKind::Signatory(s) => signatory(book, s, fields, template.lang, &mut items)
                .map_err(|(what, text, source)| ComposeError {
                    what,
                    element: index,
                    text,
                    source,
                })?,
            ElementKind::Qr {
                caption_fonts,
                x,
                y,
                size,
                color,
                caption,
                caption_size,
            } => {
                let module = size / (qr.width() + 2 * QR_QUIET_MODULES) as f32;
                let quiet = module * QR_QUIET_MODULES as f32;
                items.push(Item::Rect {
                    x: *x,
                    y: *y,
                    w: *size,
                    h: *size,
                    radius: 0.0,
                    fill: Some(Rgb::WHITE),
                    stroke: None,
                });
                items.push(Item::Qr {
                    x: x + quiet,
                    y: y + quiet,
                    size: size - 2.0 * quiet,
                    matrix: qr.clone(),
                    color: *color,
                });
                if let Some(uri) = link {
                    items.push(Item::Link {
                        x: *x,
                        y: *y,
                        w: *size,
                        h: *size,
                        uri: uri.to_owned(),
                    });
                }
                if let Some(caption) = caption
                    .as_ref()
                    .map(|c| collapse(&c.render(fields, template.lang)))
                    .filter(|c| !c.is_empty())
                {
                    let spec = TextSpec {
                        x: x - 10.0,
                        y: y + size,
                        w: size + 20.0,
                        h: caption_size * MM_PER_PT * 2.6,
                        fonts: caption_fonts,
                        style: Style::Regular,
                        size: *caption_size,
                        min_size: caption_size * 0.75,
                        max_lines: 2,
                        align: Align::Center,
                        valign: VAlign::Top,
                        color: *color,
                        line_spacing: 1.1,
                        underline: false,
                        rule: None,
                    };
                    set_text(book, &spec, &caption, &mut items).map_err(|source| ComposeError {
                        what: "qr caption".into(),
                        element: index,
                        text: caption.clone(),
                        source,
                    })?;
                }
            }
        }
    }
    let page = Page::new(template.width_mm, template.height_mm, items);
    Ok(match template.background.as_ref().filter(|_| whole) {
        Some(_) => page.with_background_first(),
        None => page,
    })
}

/// Marks a page as a sample: large hollow letters across its middle, on
/// top of everything but leaving what is under them readable.
pub fn watermark(page: &Page, book: &FontBook, text: &str) -> Page {
    let Ok(font) = book
        .find("Charis SIL", Style::Bold)
        .or_else(|_| book.find("Charis SIL", Style::Regular))
    else {
        return page.clone();
    };
    let Ok(shaped) = book.shape(&[font], text) else {
        return page.clone();
    };
    let at_one_pt = shaped.width_mm(1.0);
    if at_one_pt <= 0.0 {
        return page.clone();
    }
    let size = (page.width_mm() * 0.6 / at_one_pt).min(page.height_mm() * 0.5 / MM_PER_PT);
    let width = shaped.width_mm(size);
    let f = book.font(font);
    let baseline = page.height_mm() / 2.0
        + (f.ascender + f.descender) / f.units_per_em * size * MM_PER_PT / 2.0;
    let x = (page.width_mm() - width) / 2.0;
    let color = Rgb {
        r: 200,
        g: 40,
        b: 40,
    };
    glyph_runs(&shaped, x, baseline, size, color, true)
        .into_iter()
        .fold(page.clone(), |p, run| p.with_item(Item::Text(run)))
}

/// Positions a shaped line from `x` on `baseline`, as one run per stretch
/// of glyphs in the same font.
fn glyph_runs(
    shaped: &super::fonts::Shaped,
    x: f32,
    baseline: f32,
    size: f32,
    color: Rgb,
    outline: bool,
) -> Vec<GlyphRun> {
    let em = size * MM_PER_PT;
    let mut pen = x;
    let mut runs: Vec<GlyphRun> = Vec::new();
    for g in &shaped.glyphs {
        let placed = PlacedGlyph {
            gid: g.gid,
            x: pen + g.x_offset * em,
            baseline: baseline - g.y_offset * em,
            text: g.text.clone(),
        };
        pen += g.x_advance * em;
        match runs.last_mut() {
            Some(r) if r.font == g.font => {
                r.text.push_str(&g.text);
                r.glyphs.push(placed);
            }
            _ => runs.push(GlyphRun {
                font: g.font,
                size_pt: size,
                color,
                glyphs: vec![placed],
                text: g.text.clone(),
                outline,
            }),
        }
    }
    runs
}

/// Places an image in a box, scaled to fit (contain) or to fill (cover).
fn place_image(items: &mut Vec<Item>, raster: &std::sync::Arc<Raster>, area: [f32; 4], fit: Fit) {
    let [x, y, w, h] = area;
    let aspect = raster.width as f32 / raster.height as f32;
    let (iw, ih) = match fit {
        Fit::Contain if w / h > aspect => (h * aspect, h),
        Fit::Contain => (w, w / aspect),
        Fit::Cover if w / h > aspect => (w, w / aspect),
        Fit::Cover => (h * aspect, h),
    };
    items.push(Item::Image {
        x: x + (w - iw) / 2.0,
        y: y + (h - ih) / 2.0,
        w: iw,
        h: ih,
        clip: (fit == Fit::Cover).then_some(area),
        image: raster.clone(),
    });
}

/// The signatory block, from the bottom up: NIP, the underlined name, then
/// the place and date and the title from the top; the signature and stamp
/// take the space between, which stays empty for a wet-ink signature.
fn signatory(
    book: &FontBook,
    s: &SignatoryElement,
    fields: &BTreeMap<String, String>,
    lang: Language,
    items: &mut Vec<Item>,
) -> Result<(), (String, String, FitError)> {
    let line = s.size * MM_PER_PT * 1.5;
    let spec = |y: f32, h: f32, bold: bool, max_lines: usize, underline: bool| TextSpec {
        x: s.x,
        y,
        w: s.w,
        h,
        fonts: &s.fonts,
        style: if bold { Style::Bold } else { Style::Regular },
        size: s.size,
        min_size: s.size * 0.7,
        max_lines,
        align: Align::Center,
        valign: VAlign::Top,
        color: s.color,
        line_spacing: 1.15,
        underline,
        rule: None,
    };
    let set = |what: &str, text: String, sp: TextSpec, items: &mut Vec<Item>| {
        let text = collapse(&text);
        if text.is_empty() {
            return Ok(0);
        }
        set_text(book, &sp, &text, items)
            .map(|f| f.lines.len())
            .map_err(|e| (what.to_owned(), text, e))
    };
    let mut top = s.y;
    if let Some(p) = &s.place_date {
        top += set(
            "signatory place and date",
            p.render(fields, lang),
            spec(top, line, false, 1, false),
            items,
        )? as f32
            * line;
    }
    let title_lines = set(
        "signatory.title",
        s.title.render(fields, lang),
        spec(top, line * 2.0, false, 2, false),
        items,
    )?;
    top += title_lines as f32 * line;
    let has_nip = fields
        .get("signatory.nip")
        .is_some_and(|v| !v.trim().is_empty());
    let mut bottom = s.y + s.h;
    if has_nip {
        bottom -= line;
        set(
            "signatory.nip",
            s.nip.render(fields, lang),
            spec(bottom, line, false, 1, false),
            items,
        )?;
    }
    bottom -= line;
    set(
        "signatory.name",
        s.name.render(fields, lang),
        spec(bottom, line, true, 1, true),
        items,
    )?;
    let gap = (bottom - top).max(0.0);
    if gap > 1.0 {
        let area = [s.x + s.w * 0.15, top + 0.5, s.w * 0.7, gap - 1.0];
        if let Some(sig) = &s.signature {
            place_image(items, sig, area, Fit::Contain);
        }
        if let Some(stamp) = &s.stamp {
            // A stamp overlaps the left part of the signature, as on paper.
            let side = (gap * 0.9).min(s.w * 0.4);
            let stamp_area = [
                s.x + s.w * 0.22 - side / 2.0,
                top + (gap - side) / 2.0,
                side,
                side,
            ];
            place_image(items, stamp, stamp_area, Fit::Contain);
        }
    }
    Ok(())
}

/// Where and how to set one piece of text.
struct TextSpec<'a> {
    x: f32,
    y: f32,
    w: f32,
    h: f32,
    fonts: &'a [String],
    style: Style,
    size: f32,
    min_size: f32,
    max_lines: usize,
    align: Align,
    valign: VAlign,
    color: Rgb,
    line_spacing: f32,
    underline: bool,
    rule: Option<crate::template::Rule>,
}

impl<'a> From<&'a TextElement> for TextSpec<'a> {
    fn from(t: &'a TextElement) -> Self {
        TextSpec {
            x: t.x,
            y: t.y,
            w: t.w,
            h: t.h,
            fonts: &t.fonts,
            style: t.style,
            size: t.size,
            min_size: t.min_size,
            max_lines: t.max_lines,
            align: t.align,
            valign: t.valign,
            color: t.color,
            line_spacing: t.line_spacing,
            underline: t.underline,
            rule: t.rule,
        }
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn find_chain(book: &FontBook, t: &TextSpec) -> Result<Vec<FontKey>, FitError> {
    // Templates are checked against the book when loaded, so every name
    // resolves; an empty chain would mean that check was skipped.
    let chain: Vec<FontKey> = t
        .fonts
        .iter()
        .filter_map(|name| book.find(name, t.style).ok())
        .collect();
    if chain.is_empty() {
        return Err(FitError::NoFont);
    }
    Ok(chain)
}

/// Fits one text element and appends its glyph runs (and underline).
fn set_text(
    book: &FontBook,
    t: &TextSpec,
    text: &str,
    items: &mut Vec<Item>,
) -> Result<Fitted, FitError> {
    let chain = find_chain(book, t)?;
    let area = BoxMm { w: t.w, h: t.h };
    let fitted = text::fit(
        book,
        &chain,
        text,
        FitRules {
            size_pt: t.size,
            min_size_pt: t.min_size,
            max_lines: t.max_lines,
            line_spacing: t.line_spacing,
        },
        area,
    )?;
    let primary = book.font(chain[0]);
    let size = fitted.size_pt;
    let em = size * MM_PER_PT;
    let block = text::block_height_mm(book, &chain, size, fitted.lines.len(), t.line_spacing);
    let top = match t.valign {
        VAlign::Top => t.y,
        VAlign::Middle => t.y + (t.h - block) / 2.0,
        VAlign::Bottom => t.y + t.h - block,
    };
    let leading = size * t.line_spacing * MM_PER_PT;
    // The widest line's ends and the last baseline, for a rule below.
    let mut extent = (f32::INFINITY, f32::NEG_INFINITY, top);
    for (i, (_, shaped)) in fitted.lines.iter().enumerate() {
        let baseline = top + primary.ascender / primary.units_per_em * em + leading * i as f32;
        let width = shaped.width_mm(size);
        let start = match t.align {
            Align::Left => t.x,
            Align::Center => t.x + (t.w - width) / 2.0,
            Align::Right => t.x + t.w - width,
        };
        extent = (extent.0.min(start), extent.1.max(start + width), baseline);
        items.extend(
            glyph_runs(shaped, start, baseline, size, t.color, false)
                .into_iter()
                .map(Item::Text),
        );
        if t.underline {
            let scale = em / primary.units_per_em;
            let y = baseline - primary.underline_position * scale;
            let thickness = (primary.underline_thickness * scale).max(0.2);
            items.push(Item::Line {
                x1: start,
                y1: y,
                x2: start + width,
                y2: y,
                stroke: Stroke {
                    color: t.color,
                    width_mm: thickness,
                },
            });
        }
    }
    if let (Some(rule), true) = (t.rule, extent.0 <= extent.1) {
        let descent = -primary.descender / primary.units_per_em * em;
        let y = extent.2 + descent.max(0.0) + rule.gap;
        items.push(Item::Line {
            x1: extent.0 - rule.extend,
            y1: y,
            x2: extent.1 + rule.extend,
            y2: y,
            stroke: Stroke {
                color: rule.color,
                width_mm: rule.width,
            },
        });
    }
    Ok(fitted)
}
