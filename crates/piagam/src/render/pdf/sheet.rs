//! How a print file's page sits on the paper: moved and stretched to
//! calibrate a printer for pre-printed stock, and with bleed and crop
//! marks for a print shop. Only print files use a sheet; each recipient's
//! own file stays at trim size, for screens.

/// Crop marks start this far outside the trim (at least the bleed, so
/// they never print into it), and are this long.
pub const MARK_GAP_MM: f32 = 3.0;
pub const MARK_LENGTH_MM: f32 = 5.0;
/// Crop marks' line width: 0.25 pt, the registration hairline.
const MARK_WIDTH_PT: f32 = 0.25;

/// Where and how the page is printed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sheet {
    /// Everything printed moves this far right and down, in mm.
    pub offset_mm: [f32; 2],
    /// And is stretched by these factors about the page's top-left corner.
    pub scale: [f32; 2],
    /// Paper beyond the trim on each side that the background covers.
    pub bleed_mm: f32,
    /// Crop marks at the trim's corners, outside the bleed.
    pub marks: bool,
}

impl Default for Sheet {
    fn default() -> Sheet {
        Sheet {
            offset_mm: [0.0, 0.0],
            scale: [1.0, 1.0],
            bleed_mm: 0.0,
            marks: false,
        }
    }
}

impl Sheet {
    /// A sheet that changes nothing: the page as it is.
    pub fn is_plain(&self) -> bool {
        *self == Sheet::default()
    }

    /// Paper outside the trim on each side: the bleed, and room for marks.
    pub fn margin_mm(&self) -> f32 {
        if self.marks {
            self.bleed_mm.max(MARK_GAP_MM) + MARK_LENGTH_MM + 1.0
        } else {
            self.bleed_mm
        }
    }
}

/// Points per millimetre.
const PT: f32 = 72.0 / 25.4;

fn number(out: &mut String, v: f32) {
    let s = format!("{v:.4}");
    out.push_str(s.trim_end_matches('0').trim_end_matches('.'));
    out.push(' ');
}

/// The operator that places the page's own content (drawn in trim
/// coordinates, top-left origin flipped by the content itself) on the
/// sheet: into the margin, moved and stretched. `height` is the trim's.
pub(super) fn placement(sheet: &Sheet, height_mm: f32) -> Vec<u8> {
    let m = sheet.margin_mm() * PT;
    let [sx, sy] = sheet.scale;
    let [dx, dy] = sheet.offset_mm;
    let h = height_mm * PT;
    // A point printed at (x, y) mm from the trim's top-left goes to
    // (x·sx + dx, y·sy + dy); in PDF's bottom-up points, that is this.
    let mut out = String::from("q ");
    for v in [sx, 0.0, 0.0, sy, m + dx * PT, m + h * (1.0 - sy) - dy * PT] {
        number(&mut out, v);
    }
    out.push_str("cm\n");
    out.into_bytes()
}

/// The crop marks: at each corner of the trim, a short line along each
/// edge, starting outside the bleed. In the sheet's own points.
pub(super) fn crop_marks(sheet: &Sheet, width_mm: f32, height_mm: f32) -> Vec<u8> {
    if !sheet.marks {
        return Vec::new();
    }
    let m = sheet.margin_mm();
    let gap = sheet.bleed_mm.max(MARK_GAP_MM);
    let (left, right) = (m, m + width_mm);
    let (bottom, top) = (m, m + height_mm);
    let mut out = String::from("q 0 G ");
    number(&mut out, MARK_WIDTH_PT);
    out.push_str("w\n");
    let mut line = |x1: f32, y1: f32, x2: f32, y2: f32| {
        for v in [x1 * PT, y1 * PT] {
            number(&mut out, v);
        }
        out.push_str("m ");
        for v in [x2 * PT, y2 * PT] {
            number(&mut out, v);
        }
        out.push_str("l S\n");
    };
    for x in [left, right] {
        let outward = if x == left { -1.0 } else { 1.0 };
        for y in [bottom, top] {
            let up = if y == top { 1.0 } else { -1.0 };
            // Horizontal, beside the corner; vertical, above or below it.
            line(
                x + outward * gap,
                y,
                x + outward * (gap + MARK_LENGTH_MM),
                y,
            );
            line(x, y + up * gap, x, y + up * (gap + MARK_LENGTH_MM));
        }
    }
    out.push_str("Q\n");
    out.into_bytes()
}

/// The page dictionary's boxes beyond the MediaBox: where the paper is
/// cut, and how far the background runs.
pub(super) fn boxes(sheet: &Sheet, width_mm: f32, height_mm: f32) -> Vec<u8> {
    if sheet.bleed_mm == 0.0 && !sheet.marks {
        return Vec::new();
    }
    let m = sheet.margin_mm();
    let b = sheet.bleed_mm;
    let mut out = String::from("/TrimBox[");
    for v in [m, m, m + width_mm, m + height_mm] {
        number(&mut out, v * PT);
    }
    out.push_str("]/BleedBox[");
    for v in [m - b, m - b, m + width_mm + b, m + height_mm + b] {
        number(&mut out, v * PT);
    }
    out.push(']');
    out.into_bytes()
}
