//! The composed page: a fully resolved display list.
//!
//! Everything is absolute: millimetres from the page's top-left corner, font
//! sizes in points, glyph ids of a specific font. A renderer only walks the
//! items in order; it never measures, wraps or looks anything up.

use std::sync::Arc;

use crate::qr::QrMatrix;

use super::fonts::FontKey;
pub use crate::style::{Raster, Rgb};

/// One glyph at an absolute position.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedGlyph {
    pub gid: u16,
    /// Left edge of the glyph's origin, mm from the page's left edge.
    pub x: f32,
    /// Baseline, mm from the page's top edge.
    pub baseline: f32,
    /// The text this glyph stands for (empty for the 2nd+ glyph of a cluster).
    pub text: String,
}

/// A run of glyphs in one font, size and colour.
#[derive(Debug, Clone, PartialEq)]
pub struct GlyphRun {
    pub font: FontKey,
    pub size_pt: f32,
    pub color: Rgb,
    pub glyphs: Vec<PlacedGlyph>,
    /// The run's text, for tests and debugging.
    pub text: String,
    /// Drawn as hollow outlines (for a watermark) instead of filled.
    pub outline: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stroke {
    pub color: Rgb,
    pub width_mm: f32,
}

/// An item of the display list, drawn in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Text(GlyphRun),
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        radius: f32,
        fill: Option<Rgb>,
        stroke: Option<Stroke>,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        stroke: Stroke,
    },
    /// A raster image stretched over (x, y, w, h), drawn only inside `clip`
    /// when set (for "cover" fitting).
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        clip: Option<[f32; 4]>,
        image: Arc<Raster>,
    },
    /// A page of another PDF (the designer's background) scaled onto
    /// (x, y, w, h), drawn as vector art.
    PdfPage {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        page: Arc<crate::pdf_page::EmbeddedPage>,
    },
    /// A clickable area opening `uri`, drawn as nothing (the QR code, so a
    /// reader of the PDF on a screen can open the verification page).
    Link {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        uri: String,
    },
    /// A QR code drawn as dark squares; `size` includes no quiet zone.
    Qr {
        x: f32,
        y: f32,
        size: f32,
        matrix: QrMatrix,
        color: Rgb,
    },
}

/// One composed page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    width_mm: f32,
    height_mm: f32,
    items: Vec<Item>,
    /// The first item is the template's background.
    background_first: bool,
}

impl Page {
    pub(crate) fn new(width_mm: f32, height_mm: f32, items: Vec<Item>) -> Page {
        Page {
            width_mm,
            height_mm,
            items,
            background_first: false,
        }
    }

    /// How close what the page prints comes to the paper's edge, in mm
    /// (the background aside: it is meant to reach it). Text is measured
    /// by its glyphs' origins and an em around them, closely enough to
    /// tell a design that keeps a printer's margin from one that does not.
    pub fn nearest_edge_mm(&self) -> Option<f32> {
        let skip = usize::from(self.background_first);
        let mut boxes: Vec<[f32; 4]> = Vec::new();
        for item in &self.items[skip..] {
            match item {
                Item::Text(run) => {
                    let em = run.size_pt * 25.4 / 72.0;
                    for g in &run.glyphs {
                        boxes.push([
                            g.x,
                            g.baseline - 0.8 * em,
                            g.x + 0.5 * em,
                            g.baseline + 0.25 * em,
                        ]);
                    }
                }
                Item::Rect { x, y, w, h, .. } => boxes.push([*x, *y, x + w, y + h]),
                Item::Line { x1, y1, x2, y2, .. } => {
                    boxes.push([x1.min(*x2), y1.min(*y2), x1.max(*x2), y1.max(*y2)]);
                }
                Item::Image {
                    x, y, w, h, clip, ..
                } => {
                    let [cx, cy, cw, ch] = clip.unwrap_or([*x, *y, *w, *h]);
                    boxes.push([cx, cy, cx + cw, cy + ch]);
                }
                Item::PdfPage { x, y, w, h, .. } => boxes.push([*x, *y, x + w, y + h]),
                Item::Qr { x, y, size, .. } => boxes.push([*x, *y, x + size, y + size]),
                Item::Link { .. } => {}
            }
        }
        boxes
            .iter()
            .map(|[l, t, r, b]| l.min(*t).min(self.width_mm - r).min(self.height_mm - b))
            .reduce(f32::min)
    }

    /// Says that the first item is the template's background.
    pub(crate) fn with_background_first(mut self) -> Page {
        self.background_first = !self.items.is_empty();
        self
    }

    /// The same page with its background run `bleed` mm past each edge,
    /// for a print shop that trims it. The background is stretched by
    /// that much; everything else stays where it is.
    pub(crate) fn bled(&self, bleed: f32) -> Page {
        let mut page = self.clone();
        if !self.background_first || bleed <= 0.0 {
            return page;
        }
        if let Some(Item::Image { x, y, w, h, .. } | Item::PdfPage { x, y, w, h, .. }) =
            page.items.first_mut()
        {
            *x -= bleed;
            *y -= bleed;
            *w += 2.0 * bleed;
            *h += 2.0 * bleed;
        }
        page
    }

    pub fn width_mm(&self) -> f32 {
        self.width_mm
    }

    pub fn height_mm(&self) -> f32 {
        self.height_mm
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// A digest of everything the page draws, given each font's digest.
    /// Two pages with the same digest look the same, however a renderer
    /// numbers their fonts' glyphs (which depends on the rest of a run).
    pub fn digest(&self, font: impl Fn(FontKey) -> [u8; 32]) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        let num = |h: &mut Sha256, v: f32| h.update(v.to_bits().to_be_bytes());
        let rgb = |h: &mut Sha256, c: &Rgb| h.update([c.r, c.g, c.b]);
        let text = |h: &mut Sha256, t: &str| {
            h.update((t.len() as u64).to_be_bytes());
            h.update(t.as_bytes());
        };
        let stroke = |h: &mut Sha256, s: &Stroke| {
            rgb(h, &s.color);
            num(h, s.width_mm);
        };
        h.update(b"piagam-page-1");
        num(&mut h, self.width_mm);
        num(&mut h, self.height_mm);
        for item in &self.items {
            match item {
                Item::Text(run) => {
                    h.update([1]);
                    h.update(font(run.font));
                    num(&mut h, run.size_pt);
                    rgb(&mut h, &run.color);
                    h.update([u8::from(run.outline)]);
                    h.update((run.glyphs.len() as u64).to_be_bytes());
                    for g in &run.glyphs {
                        h.update(g.gid.to_be_bytes());
                        num(&mut h, g.x);
                        num(&mut h, g.baseline);
                        text(&mut h, &g.text);
                    }
                }
                Item::Rect {
                    x,
                    y,
                    w,
                    h: height,
                    radius,
                    fill,
                    stroke: line,
                } => {
                    h.update([2]);
                    for v in [*x, *y, *w, *height, *radius] {
                        num(&mut h, v);
                    }
                    match fill {
                        Some(c) => {
                            h.update([1]);
                            rgb(&mut h, c);
                        }
                        None => h.update([0]),
                    }
                    match line {
                        Some(s) => {
                            h.update([1]);
                            stroke(&mut h, s);
                        }
                        None => h.update([0]),
                    }
                }
                Item::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    stroke: line,
                } => {
                    h.update([3]);
                    for v in [*x1, *y1, *x2, *y2] {
                        num(&mut h, v);
                    }
                    stroke(&mut h, line);
                }
                Item::Image {
                    x,
                    y,
                    w,
                    h: height,
                    clip,
                    image,
                } => {
                    h.update([4]);
                    for v in [*x, *y, *w, *height] {
                        num(&mut h, v);
                    }
                    match clip {
                        Some(c) => {
                            h.update([1]);
                            for v in c {
                                num(&mut h, *v);
                            }
                        }
                        None => h.update([0]),
                    }
                    text(&mut h, &image.id);
                }
                Item::PdfPage {
                    x,
                    y,
                    w,
                    h: height,
                    page,
                } => {
                    h.update([7]);
                    for v in [*x, *y, *w, *height] {
                        num(&mut h, v);
                    }
                    h.update(page.digest());
                }
                Item::Link {
                    x,
                    y,
                    w,
                    h: height,
                    uri,
                } => {
                    h.update([5]);
                    for v in [*x, *y, *w, *height] {
                        num(&mut h, v);
                    }
                    text(&mut h, uri);
                }
                Item::Qr {
                    x,
                    y,
                    size,
                    matrix,
                    color,
                } => {
                    h.update([6]);
                    for v in [*x, *y, *size] {
                        num(&mut h, v);
                    }
                    rgb(&mut h, color);
                    let width = matrix.width();
                    h.update((width as u64).to_be_bytes());
                    for row in 0..width {
                        for col in 0..width {
                            h.update([u8::from(matrix.is_dark(col, row))]);
                        }
                    }
                }
            }
        }
        h.finalize().into()
    }

    /// The same page with one more item drawn on top.
    pub(crate) fn with_item(&self, item: Item) -> Page {
        let mut page = self.clone();
        page.items.push(item);
        page
    }
}
