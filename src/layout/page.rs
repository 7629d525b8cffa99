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
}

impl Page {
    pub(crate) fn new(width_mm: f32, height_mm: f32, items: Vec<Item>) -> Page {
        Page {
            width_mm,
            height_mm,
            items,
        }
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

    /// The same page with one more item drawn on top.
    pub(crate) fn with_item(&self, item: Item) -> Page {
        let mut items = self.items.clone();
        items.push(item);
        Page::new(self.width_mm, self.height_mm, items)
    }
}
