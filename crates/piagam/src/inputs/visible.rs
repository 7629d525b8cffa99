//! The text a reader sees on a PDF page, in reading order.
//!
//! A PDF's text layer is not what a person sees: text can be drawn in an
//! invisible render mode, outside the page, under a white box, in the colour
//! of what it sits on, or under a later glyph. An edited charter keeps its
//! signed name in the text layer that way while showing another. So the
//! page is interpreted as a renderer would (hayro), every glyph is kept with
//! where it lands and what is drawn over and under it, and only glyphs a
//! reader could see count. It is a judgement "as far as can be told": soft
//! masks and blend modes are taken as hiding what they touch, and the
//! colour under a glyph is known only where a solid fill lies beneath it.

use hayro::hayro_interpret::{
    font::GlyphRun, interpret_page, BlendMode, ClipPath, Context, Device, DrawMode, DrawProps,
    Image, ImageDrawProps, InterpreterCache, InterpreterSettings, Paint, SoftMask, TransformExt,
};
use hayro::hayro_syntax::page::Page;
use hayro::kurbo::{Affine, BezPath, Point, Rect, Shape};

/// Glyphs smaller than this (in points) are too small to read.
const MIN_GLYPH_HEIGHT_PT: f64 = 2.0;
/// A glyph counts as shown only if at least this share of it is inside the
/// page and the clip.
const MIN_SHOWN_SHARE: f64 = 0.5;
/// A later glyph over this share of an earlier one hides it.
const OVERPRINT_SHARE: f64 = 0.6;
/// Colours closer than this (largest channel difference, 0–255) are taken
/// as the same colour.
const SAME_COLOUR: i32 = 24;
/// A page's drawing beyond these counts is not followed further; what was
/// seen so far still counts (caps keep a hostile page's memory bounded).
const MAX_GLYPHS: usize = 200_000;
const MAX_COVERS: usize = 200_000;

/// What a reader sees of a page's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageText {
    /// The visible text, in reading order (lines top to bottom, each left
    /// to right), with a space between words and a newline between lines.
    pub visible: String,
    /// How many glyphs the page draws, visible or not. Zero means the page
    /// has no text layer at all (a scan).
    pub glyphs: usize,
}

/// Reads what a reader sees of `page`'s text.
pub fn page_text(page: &Page<'_>) -> PageText {
    let (w, h) = page.render_dimensions();
    let page_box = Rect::new(0.0, 0.0, f64::from(w), f64::from(h));
    let cache = InterpreterCache::new();
    let mut context = Context::new(
        page.initial_transform(true).to_kurbo(),
        page_box,
        &cache,
        page.xref(),
        InterpreterSettings::default(),
    );
    let mut device = Collector::new(page_box);
    interpret_page(page, &mut context, &mut device);
    device.finish()
}

/// A glyph as drawn, in page space (points, origin top left).
struct Glyph {
    text: String,
    bbox: Rect,
    origin: Point,
    height: f64,
    /// Solid colour, if it has one.
    colour: Option<[u8; 3]>,
    /// Hidden by how it was drawn, before anything else is considered.
    hidden: bool,
    /// Its place among everything drawn.
    order: usize,
}

/// An opaque fill or image that hides what lies under it.
struct Cover {
    shape: CoverShape,
    bbox: Rect,
    colour: Option<[u8; 3]>,
    order: usize,
}

enum CoverShape {
    Path(BezPath),
    /// Exactly its bounding box.
    Box,
}

impl Cover {
    fn contains(&self, p: Point) -> bool {
        self.bbox.contains(p)
            && match &self.shape {
                CoverShape::Box => true,
                CoverShape::Path(path) => path.winding(p) != 0,
            }
    }
}

/// The state a drawing call is made in.
#[derive(Clone, Copy)]
struct Group {
    opacity: f32,
    masked: bool,
}

struct Collector {
    page_box: Rect,
    clips: Vec<Rect>,
    groups: Vec<Group>,
    glyphs: Vec<Glyph>,
    covers: Vec<Cover>,
    order: usize,
}

impl Collector {
    fn new(page_box: Rect) -> Collector {
        Collector {
            page_box,
            clips: vec![page_box],
            groups: vec![Group {
                opacity: 1.0,
                masked: false,
            }],
            glyphs: Vec::new(),
            covers: Vec::new(),
            order: 0,
        }
    }

    fn clip(&self) -> Rect {
        self.clips.last().copied().unwrap_or(self.page_box)
    }

    fn group(&self) -> Group {
        self.groups.last().copied().unwrap_or(Group {
            opacity: 1.0,
            masked: false,
        })
    }

    /// True if what is drawn now is drawn plainly: fully opaque, unmasked.
    fn plain(&self, soft_mask: bool, blend: BlendMode) -> bool {
        let g = self.group();
        g.opacity >= 0.99 && !g.masked && !soft_mask && matches!(blend, BlendMode::Normal)
    }

    fn next_order(&mut self) -> usize {
        self.order += 1;
        self.order
    }

    fn add_cover(&mut self, shape: CoverShape, bbox: Rect, colour: Option<[u8; 3]>) {
        let bbox = bbox.intersect(self.clip());
        if self.covers.len() >= MAX_COVERS || bbox.area() <= 0.0 {
            return;
        }
        let order = self.next_order();
        self.covers.push(Cover {
            shape,
            bbox,
            colour,
            order,
        });
    }

    /// Every glyph a reader can see, in reading order.
    fn finish(self) -> PageText {
        let glyphs = self.glyphs.len();
        let shown: Vec<&Glyph> = self
            .glyphs
            .iter()
            .filter(|g| !g.hidden && !g.text.trim().is_empty())
            .filter(|g| !self.covered(g) && !self.same_as_beneath(g))
            .collect();
        let shown: Vec<&Glyph> = shown
            .iter()
            .enumerate()
            .filter(|(i, g)| !overprinted(g, &shown[i + 1..]))
            .map(|(_, g)| *g)
            .collect();
        PageText {
            visible: reading_order(shown),
            glyphs,
        }
    }

    /// Sample points of a glyph: its centre and four points halfway out.
    fn samples(g: &Glyph) -> [Point; 5] {
        let c = g.bbox.center();
        let (dx, dy) = (g.bbox.width() / 4.0, g.bbox.height() / 4.0);
        [
            c,
            Point::new(c.x - dx, c.y - dy),
            Point::new(c.x + dx, c.y - dy),
            Point::new(c.x - dx, c.y + dy),
            Point::new(c.x + dx, c.y + dy),
        ]
    }

    /// Drawn over by a later opaque fill or image.
    fn covered(&self, g: &Glyph) -> bool {
        let points = Self::samples(g);
        self.covers
            .iter()
            .filter(|c| c.order > g.order && c.bbox.intersect(g.bbox).area() > 0.0)
            .any(|c| points.iter().all(|&p| c.contains(p)))
    }

    /// Drawn in the colour of the solid fill it sits on (or white on the
    /// bare page).
    fn same_as_beneath(&self, g: &Glyph) -> bool {
        let Some(ink) = g.colour else { return false };
        let centre = g.bbox.center();
        let beneath = self
            .covers
            .iter()
            .rev()
            .filter(|c| c.order < g.order)
            .find(|c| c.contains(centre));
        let ground = match beneath {
            Some(cover) => match cover.colour {
                Some(colour) => colour,
                None => return false, // an image or pattern: cannot tell
            },
            None => [255, 255, 255],
        };
        ink.iter()
            .zip(ground)
            .all(|(&a, b)| (i32::from(a) - i32::from(b)).abs() < SAME_COLOUR)
    }
}

/// A glyph mostly hidden under a later glyph (an overprinted name).
fn overprinted(g: &Glyph, later: &[&Glyph]) -> bool {
    let area = g.bbox.area();
    area > 0.0
        && later
            .iter()
            .any(|o| o.bbox.intersect(g.bbox).area() >= OVERPRINT_SHARE * area.min(o.bbox.area()))
}

/// Lines from top to bottom, each read left to right; a space where the
/// gap between glyphs is wider than a third of their height.
fn reading_order(mut glyphs: Vec<&Glyph>) -> String {
    glyphs.sort_by(|a, b| a.origin.y.total_cmp(&b.origin.y));
    let mut lines: Vec<Vec<&Glyph>> = Vec::new();
    for g in glyphs {
        match lines.last_mut() {
            Some(line)
                if line.last().is_some_and(|l| {
                    (g.origin.y - l.origin.y).abs() <= 0.4 * l.height.max(g.height)
                }) =>
            {
                line.push(g)
            }
            _ => lines.push(vec![g]),
        }
    }
    let mut out = String::new();
    for mut line in lines {
        line.sort_by(|a, b| a.origin.x.total_cmp(&b.origin.x));
        if !out.is_empty() {
            out.push('\n');
        }
        let mut last_right: Option<f64> = None;
        for g in line {
            if last_right.is_some_and(|r| g.bbox.x0 - r > g.height / 3.0) {
                out.push(' ');
            }
            out.push_str(&g.text);
            last_right = Some(g.bbox.x1);
        }
    }
    out
}

fn solid(paint: &Paint<'_>) -> Option<[u8; 4]> {
    match paint {
        Paint::Color(c) => Some(c.to_rgba().to_rgba8()),
        Paint::Pattern(_) => None,
    }
}

impl<'a> Device<'a> for Collector {
    fn draw_path(&mut self, path: &BezPath, props: DrawProps<'a>, draw_mode: &DrawMode) {
        // Only fills hide what is under them; a stroke is a line.
        if !matches!(draw_mode, DrawMode::Fill(_) | DrawMode::FillAndStroke(..)) {
            return;
        }
        let colour = solid(&props.paint);
        let opaque = colour.is_none_or(|c| c[3] == 255);
        if !opaque || !self.plain(props.soft_mask.is_some(), props.blend_mode) {
            return;
        }
        let placed = props.transform * path.clone();
        let bbox = placed.bounding_box();
        self.add_cover(
            CoverShape::Path(placed),
            bbox,
            colour.map(|c| [c[0], c[1], c[2]]),
        );
    }

    fn push_clip_path(&mut self, clip_path: &ClipPath) {
        let bbox = clip_path.path.bounding_box().intersect(self.clip());
        self.clips.push(bbox);
    }

    fn push_clip_rect(&mut self, rect: &Rect) {
        let bbox = rect.intersect(self.clip());
        self.clips.push(bbox);
    }

    fn push_transparency_group(
        &mut self,
        opacity: f32,
        mask: Option<SoftMask<'a>>,
        blend_mode: BlendMode,
    ) {
        let outer = self.group();
        self.groups.push(Group {
            opacity: outer.opacity * opacity,
            masked: outer.masked || mask.is_some() || !matches!(blend_mode, BlendMode::Normal),
        });
    }

    fn draw_glyph_run(&mut self, run: &GlyphRun<'_, 'a>, props: DrawProps<'a>, mode: &DrawMode) {
        let colour = solid(&props.paint);
        let group = self.group();
        let hidden_run = matches!(mode, DrawMode::Invisible)
            || colour.is_some_and(|c| c[3] < 128)
            || group.opacity < 0.5
            || group.masked
            || props.soft_mask.is_some()
            || !matches!(props.blend_mode, BlendMode::Normal);
        let clip = self.clip();
        for glyph in run.glyphs() {
            if self.glyphs.len() >= MAX_GLYPHS {
                return;
            }
            let text = match glyph.as_unicode() {
                Some(hayro::hayro_interpret::hayro_cmap::BfString::Char(c)) => c.to_string(),
                Some(hayro::hayro_interpret::hayro_cmap::BfString::String(s)) => s,
                None => continue,
            };
            let transform = props.transform * glyph.transform();
            // Glyph space is 1000 units to the em; a glyph's ink is its
            // outline, and a glyph with no outline draws nothing.
            let (ink, blank) = match &**glyph {
                hayro::hayro_interpret::font::Glyph::Outline(o) => {
                    let outline = o.outline();
                    let bbox = outline.bounding_box();
                    (bbox, outline.elements().is_empty() || bbox.area() <= 0.0)
                }
                hayro::hayro_interpret::font::Glyph::Type3(_) => {
                    (Rect::new(0.0, -200.0, 600.0, 800.0), false)
                }
            };
            let bbox = transform.transform_rect_bbox(ink);
            let em = transform.transform_rect_bbox(Rect::new(0.0, 0.0, 0.0, 1000.0));
            let origin = transform * Point::ZERO;
            let height = em.height().max(em.width());
            let area = bbox.area();
            let share = |r: Rect| {
                if area > 0.0 {
                    r.intersect(bbox).area() / area
                } else {
                    0.0
                }
            };
            let hidden = hidden_run
                || (blank && !text.trim().is_empty())
                || height < MIN_GLYPH_HEIGHT_PT
                || share(self.page_box) < MIN_SHOWN_SHARE
                || share(clip) < MIN_SHOWN_SHARE;
            let order = self.next_order();
            self.glyphs.push(Glyph {
                text,
                bbox,
                origin,
                height,
                colour: colour.map(|c| [c[0], c[1], c[2]]),
                hidden,
                order,
            });
        }
    }

    fn draw_image(&mut self, image: Image<'a, '_>, props: ImageDrawProps<'a>) {
        // An image with no mask of its own covers its whole square.
        let Image::Raster(raster) = &image else {
            return;
        };
        let dict = raster.stream().dict();
        if dict.contains_key(b"SMask") || dict.contains_key(b"Mask") {
            return;
        }
        if !self.plain(props.soft_mask.is_some(), props.blend_mode) {
            return;
        }
        let unit = Rect::new(0.0, 0.0, 1.0, 1.0);
        let placed = props.transform * unit.to_path(0.1);
        let bbox = placed.bounding_box();
        let shape = if axis_aligned(props.transform) {
            CoverShape::Box
        } else {
            CoverShape::Path(placed)
        };
        self.add_cover(shape, bbox, None);
    }

    fn pop_clip(&mut self) {
        if self.clips.len() > 1 {
            self.clips.pop();
        }
    }

    fn pop_transparency_group(&mut self) {
        if self.groups.len() > 1 {
            self.groups.pop();
        }
    }
}

fn axis_aligned(t: Affine) -> bool {
    let [a, b, c, d, _, _] = t.as_coeffs();
    (b == 0.0 && c == 0.0) || (a == 0.0 && d == 0.0)
}

/// The signed values a page does not show. Compared without regard to
/// case, Unicode normalization or spacing, since a template may print a
/// name in capitals and wrap it over lines.
pub fn missing_values(visible: &str, values: &[&str]) -> Vec<String> {
    let page = squash(visible);
    values
        .iter()
        .filter(|v| !page.contains(&squash(v)))
        .map(|v| (*v).to_owned())
        .collect()
}

fn squash(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfc()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_match_across_case_spacing_and_normalization() {
        let page = "PIAGAM\nPEMERINTAH KOTA\nSEMARANG\nNomor: 001/X";
        assert!(missing_values(page, &["Pemerintah Kota Semarang", "001/X"]).is_empty());
        assert_eq!(
            missing_values(page, &["Pemerintah Kota Samarinda"]),
            ["Pemerintah Kota Samarinda"]
        );
        // "é" composed on the page, decomposed in the claim.
        assert!(missing_values("Café", &["Cafe\u{301}"]).is_empty());
    }
}
