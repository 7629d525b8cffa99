//! A page's content stream, written straight from the composed page.
//!
//! Positions are rounded to 1/100 pt (0.0035 mm), far below what a printer
//! resolves, and written as integers with at most two decimals: no float
//! formatting, and the same bytes on every machine. The QR code is not
//! drawn here but in a form of its own (see [`qr_form`]), in whole modules.

use crate::layout::page::{GlyphRun, Item, Page, Rgb, Stroke};
use crate::qr::QrMatrix;

/// Points per millimetre.
const PT_PER_MM: f64 = 72.0 / 25.4;

/// A length in millimetres as hundredths of a point.
fn centi(mm: f32) -> i64 {
    (f64::from(mm) * PT_PER_MM * 100.0).round() as i64
}

/// Appends `v / 100` with no trailing zeros, then a space.
fn num(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    let a = v.unsigned_abs();
    int(out, a / 100);
    let frac = a % 100;
    if frac != 0 {
        out.push(b'.');
        out.push(b'0' + (frac / 10) as u8);
        if !frac.is_multiple_of(10) {
            out.push(b'0' + (frac % 10) as u8);
        }
    }
    out.push(b' ');
}

/// Appends a non-negative integer in decimal.
pub(super) fn int(out: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// A colour component (0–255) as a fraction with three decimals.
fn component(out: &mut Vec<u8>, c: u8) {
    let thousandths = (u32::from(c) * 1000 + 127) / 255;
    match thousandths {
        0 => out.extend_from_slice(b"0 "),
        1000 => out.extend_from_slice(b"1 "),
        t => {
            out.extend_from_slice(b"0.");
            let s = [
                b'0' + (t / 100) as u8,
                b'0' + (t / 10 % 10) as u8,
                b'0' + (t % 10) as u8,
            ];
            let len = if s[2] != b'0' {
                3
            } else if s[1] != b'0' {
                2
            } else {
                1
            };
            out.extend_from_slice(&s[..len]);
            out.push(b' ');
        }
    }
}

fn color(out: &mut Vec<u8>, c: Rgb, op: &[u8]) {
    component(out, c.r);
    component(out, c.g);
    component(out, c.b);
    out.extend_from_slice(op);
    out.push(b'\n');
}

fn stroke_style(out: &mut Vec<u8>, s: &Stroke) {
    color(out, s.color, b"RG");
    num(out, centi(s.width_mm));
    out.extend_from_slice(b"w\n");
}

/// What a page's content refers to, by resource name.
pub(super) trait Resources {
    /// The font's resource name and the code of each glyph in it.
    fn font(&mut self, run: &GlyphRun) -> Option<(String, Vec<u16>)>;
    /// The image's resource name.
    fn image(&mut self, id: &str) -> Option<String>;
    /// The resource name of this QR code's form.
    fn qr(&mut self, matrix: &QrMatrix, color: Rgb) -> String;
    /// The resource name of another PDF's page, as a form.
    fn pdf_page(&mut self, page: &crate::pdf_page::EmbeddedPage) -> Option<String>;
}

/// A scale factor with at most five decimals, then a space.
fn factor(out: &mut Vec<u8>, v: f64) {
    let s = format!("{v:.5}");
    out.extend_from_slice(s.trim_end_matches('0').trim_end_matches('.').as_bytes());
    out.push(b' ');
}

/// The page's content stream; links are left to the caller.
pub(super) fn page_content(page: &Page, res: &mut impl Resources) -> Vec<u8> {
    let height = centi(page.height_mm());
    // From the top-left millimetres of the layout to PDF's bottom-left.
    let x = |mm: f32| centi(mm);
    let y = |mm: f32| height - centi(mm);
    let mut out = Vec::with_capacity(8 * 1024);
    for item in page.items() {
        match item {
            Item::Text(run) => text(&mut out, run, res, x, y),
            Item::Rect {
                x: rx,
                y: ry,
                w,
                h,
                radius,
                fill,
                stroke,
            } => {
                let op: &[u8] = match (fill, stroke) {
                    (Some(_), Some(_)) => b"B\n",
                    (Some(_), None) => b"f\n",
                    (None, Some(_)) => b"S\n",
                    (None, None) => continue,
                };
                out.extend_from_slice(b"q\n");
                if let Some(f) = fill {
                    color(&mut out, *f, b"rg");
                }
                if let Some(s) = stroke {
                    stroke_style(&mut out, s);
                }
                rect_path(&mut out, x(*rx), y(*ry + *h), centi(*w), centi(*h), *radius);
                out.extend_from_slice(op);
                out.extend_from_slice(b"Q\n");
            }
            Item::Line {
                x1,
                y1,
                x2,
                y2,
                stroke,
            } => {
                out.extend_from_slice(b"q\n");
                stroke_style(&mut out, stroke);
                num(&mut out, x(*x1));
                num(&mut out, y(*y1));
                out.extend_from_slice(b"m ");
                num(&mut out, x(*x2));
                num(&mut out, y(*y2));
                out.extend_from_slice(b"l S\nQ\n");
            }
            Item::Image {
                x: ix,
                y: iy,
                w,
                h,
                clip,
                image,
            } => {
                let Some(name) = res.image(&image.id) else {
                    continue;
                };
                out.extend_from_slice(b"q\n");
                if let Some([cx, cy, cw, ch]) = clip {
                    num(&mut out, x(*cx));
                    num(&mut out, y(*cy + *ch));
                    num(&mut out, centi(*cw));
                    num(&mut out, centi(*ch));
                    out.extend_from_slice(b"re W n\n");
                }
                num(&mut out, centi(*w));
                out.extend_from_slice(b"0 0 ");
                num(&mut out, centi(*h));
                num(&mut out, x(*ix));
                num(&mut out, y(*iy + *h));
                out.extend_from_slice(b"cm /");
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b" Do\nQ\n");
            }
            Item::PdfPage {
                x: px,
                y: py,
                w,
                h,
                page: pdf,
            } => {
                let Some(name) = res.pdf_page(pdf) else {
                    continue;
                };
                // The form draws the page as shown, in points from (0, 0).
                let (fw, fh) = pdf.size_mm();
                out.extend_from_slice(b"q\n");
                factor(&mut out, f64::from(*w) / f64::from(fw.max(0.01)));
                out.extend_from_slice(b"0 0 ");
                factor(&mut out, f64::from(*h) / f64::from(fh.max(0.01)));
                num(&mut out, x(*px));
                num(&mut out, y(*py + *h));
                out.extend_from_slice(b"cm /");
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b" Do\nQ\n");
            }
            Item::Qr {
                x: qx,
                y: qy,
                size,
                matrix,
                color: c,
            } => {
                let name = res.qr(matrix, *c);
                // One module is one unit of the form; scale it to size.
                let module = centi(*size) as f64 / matrix.width().max(1) as f64 / 100.0;
                out.extend_from_slice(b"q\n");
                let module = format!("{module:.5}");
                let module = module.trim_end_matches('0').trim_end_matches('.');
                out.extend_from_slice(module.as_bytes());
                out.extend_from_slice(b" 0 0 ");
                out.extend_from_slice(module.as_bytes());
                out.push(b' ');
                num(&mut out, x(*qx));
                num(&mut out, y(*qy + *size));
                out.extend_from_slice(b"cm /");
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b" Do\nQ\n");
            }
            Item::Link { .. } => {}
        }
    }
    out
}

/// Glyphs placed one by one, each by a move relative to the one before:
/// the moves are differences of rounded positions, so nothing drifts.
fn text(
    out: &mut Vec<u8>,
    run: &GlyphRun,
    res: &mut impl Resources,
    x: impl Fn(f32) -> i64,
    y: impl Fn(f32) -> i64,
) {
    let Some((name, codes)) = res.font(run) else {
        return;
    };
    out.extend_from_slice(b"BT\n/");
    out.extend_from_slice(name.as_bytes());
    out.push(b' ');
    num(out, (f64::from(run.size_pt) * 100.0).round() as i64);
    out.extend_from_slice(b"Tf\n");
    color(out, run.color, b"rg");
    if run.outline {
        color(out, run.color, b"RG");
        out.extend_from_slice(b"1.2 w 1 Tr\n");
    }
    let (mut px, mut py) = (0, 0);
    for (glyph, code) in run.glyphs.iter().zip(codes) {
        let (gx, gy) = (x(glyph.x), y(glyph.baseline));
        num(out, gx - px);
        num(out, gy - py);
        (px, py) = (gx, gy);
        out.extend_from_slice(b"Td <");
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        for shift in [12, 8, 4, 0] {
            out.push(HEX[usize::from((code >> shift) & 0xf)]);
        }
        out.extend_from_slice(b"> Tj\n");
    }
    out.extend_from_slice(b"ET\n");
}

/// A rectangle from its lower-left corner, its corners rounded by `radius`
/// millimetres (a quarter circle each, as one cubic).
fn rect_path(out: &mut Vec<u8>, x: i64, y: i64, w: i64, h: i64, radius: f32) {
    let r = centi(radius).clamp(0, w.min(h) / 2);
    if r <= 0 {
        for v in [x, y, w, h] {
            num(out, v);
        }
        out.extend_from_slice(b"re ");
        return;
    }
    let k = (r as f64 * 0.552_284_8).round() as i64;
    let point = |out: &mut Vec<u8>, px: i64, py: i64| {
        num(out, px);
        num(out, py);
    };
    let (x1, y1) = (x + w, y + h);
    point(out, x + r, y);
    out.extend_from_slice(b"m ");
    point(out, x1 - r, y);
    out.extend_from_slice(b"l ");
    point(out, x1 - r + k, y);
    point(out, x1, y + r - k);
    point(out, x1, y + r);
    out.extend_from_slice(b"c ");
    point(out, x1, y1 - r);
    out.extend_from_slice(b"l ");
    point(out, x1, y1 - r + k);
    point(out, x1 - r + k, y1);
    point(out, x1 - r, y1);
    out.extend_from_slice(b"c ");
    point(out, x + r, y1);
    out.extend_from_slice(b"l ");
    point(out, x + r - k, y1);
    point(out, x, y1 - r + k);
    point(out, x, y1 - r);
    out.extend_from_slice(b"c ");
    point(out, x, y + r);
    out.extend_from_slice(b"l ");
    point(out, x, y + r - k);
    point(out, x + r - k, y);
    point(out, x + r, y);
    out.extend_from_slice(b"c h ");
}

/// A QR code as a form of `width` × `width` units, one per module: each
/// run of dark modules in a row is one rectangle with integer corners,
/// row 0 at the top.
pub(super) fn qr_form(matrix: &QrMatrix, c: Rgb) -> Vec<u8> {
    let n = matrix.width();
    let mut out = Vec::with_capacity(n * n);
    color(&mut out, c, b"rg");
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
            int(&mut out, start as u64);
            out.push(b' ');
            int(&mut out, (n - 1 - row) as u64);
            out.push(b' ');
            int(&mut out, (col - start) as u64);
            out.extend_from_slice(b" 1 re\n");
        }
    }
    out.extend_from_slice(b"f\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_have_two_decimals_at_most_and_no_trailing_zeros() {
        assert_eq!(text_of(|o| num(o, 0)), "0 ");
        assert_eq!(text_of(|o| num(o, 1234)), "12.34 ");
        assert_eq!(text_of(|o| num(o, 1230)), "12.3 ");
        assert_eq!(text_of(|o| num(o, -5)), "-0.05 ");
        assert_eq!(text_of(|o| num(o, 84_189)), "841.89 ");
        assert_eq!(text_of(|o| component(o, 255)), "1 ");
        assert_eq!(text_of(|o| component(o, 0)), "0 ");
        assert_eq!(text_of(|o| component(o, 128)), "0.502 ");
        assert_eq!(text_of(|o| component(o, 51)), "0.2 ");
    }

    #[test]
    fn the_qr_form_holds_one_rectangle_per_dark_run() {
        let matrix = crate::qr::encode_seal_text("https://x.example/v#1234567").unwrap();
        let form = String::from_utf8(qr_form(&matrix, Rgb { r: 0, g: 0, b: 0 })).unwrap();
        let n = matrix.width();
        let mut dark = vec![false; n * n];
        for line in form.lines().filter(|l| l.ends_with(" 1 re")) {
            let v: Vec<usize> = line
                .split(' ')
                .take(3)
                .map(|s| s.parse().unwrap())
                .collect();
            let row = n - 1 - v[1];
            for col in v[0]..v[0] + v[2] {
                assert!(!dark[row * n + col], "drawn twice");
                dark[row * n + col] = true;
            }
        }
        for row in 0..n {
            for col in 0..n {
                assert_eq!(dark[row * n + col], matrix.is_dark(col, row));
            }
        }
    }
}
