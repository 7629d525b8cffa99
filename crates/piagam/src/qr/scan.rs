//! Finding QR codes in pictures: photos, scans, rendered PDF pages.
//!
//! rxing (the ZXing port) reads each greyscale picture. Large photos are
//! searched at a reduced size first; when nothing is found, other sizes, a
//! single-code reader and a global-threshold binarizer are tried, which
//! between them cope with blur, JPEG artefacts, uneven light and small codes.

use std::collections::HashSet;

use rxing::{BarcodeFormat, DecodeHints};

use crate::guard::guarded;

/// One QR code found in a picture.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundCode {
    pub text: String,
    /// The code's centre, in pixels of the picture as given.
    pub x: u32,
    pub y: u32,
    /// The points the reader located (finder patterns and the like), in
    /// pixels of the picture as given.
    pub corners: Vec<(f32, f32)>,
}

/// A greyscale picture, row by row.
pub struct Luma<'a> {
    pub pixels: &'a [u8],
    pub width: u32,
    pub height: u32,
}

/// Longest side searched first: a 12 MP photo shrinks to this, and a QR
/// code that fills a twentieth of it still has 3 pixels per module.
const FIRST_SIDE: u32 = 2400;

fn hints() -> DecodeHints {
    hints_trying(true)
}

fn hints_trying(harder: bool) -> DecodeHints {
    DecodeHints {
        TryHarder: Some(harder),
        PossibleFormats: Some(HashSet::from([BarcodeFormat::QR_CODE])),
        ..DecodeHints::default()
    }
}

fn resized(picture: &Luma, side: u32) -> Option<(Vec<u8>, u32, u32, f32)> {
    let longest = picture.width.max(picture.height);
    let image = image::GrayImage::from_raw(picture.width, picture.height, picture.pixels.to_vec())?;
    if longest <= side {
        return Some((image.into_raw(), picture.width, picture.height, 1.0));
    }
    let scale = side as f32 / longest as f32;
    let w = ((picture.width as f32 * scale) as u32).max(1);
    let h = ((picture.height as f32 * scale) as u32).max(1);
    let small = image::imageops::resize(&image, w, h, image::imageops::FilterType::Triangle);
    Some((small.into_raw(), w, h, scale))
}

fn centre(result: &rxing::RXingResult, scale: f32) -> (u32, u32) {
    let points = result.getPoints();
    if points.is_empty() {
        return (0, 0);
    }
    let n = points.len() as f32;
    let x = points.iter().map(|p| p.x).sum::<f32>() / n / scale;
    let y = points.iter().map(|p| p.y).sum::<f32>() / n / scale;
    (x.max(0.0) as u32, y.max(0.0) as u32)
}

/// Adds each result not found yet, in the picture's own pixels (`scale`
/// is the size searched over the size given).
fn add(found: &mut Vec<FoundCode>, results: Vec<rxing::RXingResult>, scale: f32) {
    for r in results {
        let text = r.getText().to_owned();
        if !found.iter().any(|f| f.text == text) {
            let (x, y) = centre(&r, scale);
            let corners = corners(&r, scale);
            found.push(FoundCode {
                text,
                x,
                y,
                corners,
            });
        }
    }
}

fn corners(result: &rxing::RXingResult, scale: f32) -> Vec<(f32, f32)> {
    result
        .getPoints()
        .iter()
        .map(|p| (p.x / scale, p.y / scale))
        .collect()
}

/// The single-code reader with a global-histogram binarizer.
fn global_threshold(pixels: &[u8], w: u32, h: u32) -> rxing::common::Result<rxing::RXingResult> {
    use rxing::Reader;
    let source = rxing::Luma8LuminanceSource::new(pixels.to_vec(), w, h)?;
    let mut bitmap = rxing::BinaryBitmap::new(rxing::common::GlobalHistogramBinarizer::new(source));
    rxing::MultiFormatReader::default().decode_with_hints(&mut bitmap, &hints())
}

/// Every QR code on a page rendered from a PDF: sharp, upright and
/// evenly lit, so a quick search (every few rows, not every row) finds
/// what is there; only a page where it finds nothing is searched as a
/// photo would be. It took half the time of `verify` on a print file.
pub fn scan_rendered(picture: &Luma) -> Vec<FoundCode> {
    if picture.width >= 21
        && picture.height >= 21
        && picture.pixels.len() == picture.width as usize * picture.height as usize
    {
        let quick = guarded(|| {
            rxing::helpers::detect_multiple_in_luma_with_hints(
                picture.pixels.to_vec(),
                picture.width,
                picture.height,
                &mut hints_trying(false),
            )
        });
        if let Some(Ok(results)) = quick {
            if !results.is_empty() {
                let mut found: Vec<FoundCode> = Vec::new();
                add(&mut found, results, 1.0);
                found.sort_by_key(|f| (f.y, f.x));
                return found;
            }
        }
    }
    scan(picture)
}

/// What a search of a picture found: the codes read, and how many more
/// codes' finder patterns were seen where nothing could be read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scanned {
    pub codes: Vec<FoundCode>,
    pub unread: usize,
}

/// Every QR code found, each once, in reading order (top to bottom).
pub fn scan(picture: &Luma) -> Vec<FoundCode> {
    scan_all(picture).codes
}

/// Every QR code found, and a count of those seen but not read. A picture
/// of several codes (a sheet) is also searched tile by tile: the reader
/// for several codes misses some among many (14 of 20 on a clean sheet).
pub fn scan_all(picture: &Luma) -> Scanned {
    let mut patterns = Vec::new();
    let mut found = scan_whole(picture, Some(&mut patterns));
    let unaccounted = |found: &[FoundCode]| {
        patterns
            .iter()
            .filter(|(x, y, module)| {
                // Inside a code read (its located points, widened by the
                // finder pattern's own size) is accounted for.
                !found.iter().any(|f| {
                    let xs = f.corners.iter().map(|c| c.0);
                    let ys = f.corners.iter().map(|c| c.1);
                    let (x0, x1) = (
                        xs.clone().fold(f32::MAX, f32::min),
                        xs.fold(f32::MIN, f32::max),
                    );
                    let (y0, y1) = (
                        ys.clone().fold(f32::MAX, f32::min),
                        ys.fold(f32::MIN, f32::max),
                    );
                    let margin = 8.0 * module;
                    *x > x0 - margin && *x < x1 + margin && *y > y0 - margin && *y < y1 + margin
                })
            })
            .count()
    };
    // A sheet of codes, or codes seen and not read: search tile by tile.
    if found.len() >= 2 || unaccounted(&found) >= 3 {
        for code in tiled(picture) {
            if !found.iter().any(|f| f.text == code.text) {
                found.push(code);
            }
        }
    }
    found.sort_by_key(|f| (f.y, f.x));
    let unread = unaccounted(&found) / 3;
    Scanned {
        codes: found,
        unread,
    }
}

/// Searches overlapping tiles (a 3 × 3 grid of half-size tiles), each
/// holding a few codes of a sheet.
fn tiled(picture: &Luma) -> Vec<FoundCode> {
    let (w, h) = (picture.width, picture.height);
    let (tw, th) = (w.div_ceil(2), h.div_ceil(2));
    let mut out: Vec<FoundCode> = Vec::new();
    for row in 0..3u32 {
        for col in 0..3u32 {
            let (x0, y0) = ((w - tw) * col / 2, (h - th) * row / 2);
            let mut pixels = Vec::with_capacity((tw * th) as usize);
            for y in y0..y0 + th {
                let start = (y * w + x0) as usize;
                pixels.extend_from_slice(&picture.pixels[start..start + tw as usize]);
            }
            let tile = Luma {
                pixels: &pixels,
                width: tw,
                height: th,
            };
            // One pass of the reader for several codes a tile: the full
            // ladder of fallbacks on every empty tile cost seconds.
            for mut code in scan_once(&tile) {
                if out.iter().any(|f| f.text == code.text) {
                    continue;
                }
                code.x += x0;
                code.y += y0;
                for (cx, cy) in &mut code.corners {
                    *cx += x0 as f32;
                    *cy += y0 as f32;
                }
                out.push(code);
            }
        }
    }
    out
}

/// One pass of the reader for several codes, at the first search size.
fn scan_once(picture: &Luma) -> Vec<FoundCode> {
    let Some((pixels, w, h, scale)) = resized(picture, FIRST_SIDE) else {
        return Vec::new();
    };
    let mut found: Vec<FoundCode> = Vec::new();
    if let Some(Ok(results)) =
        guarded(|| rxing::helpers::detect_multiple_in_luma_with_hints(pixels, w, h, &mut hints()))
    {
        add(&mut found, results, scale);
    }
    found
}

/// A finder pattern seen: its centre (x, y) and module size, in pixels.
type Pattern = (f32, f32, f32);

/// The reader for several codes on one binarized picture, and the finder
/// patterns (the three squares in a code's corners) seen in it: centre and
/// module size, in the picture's own pixels. One binarization serves both.
fn several_and_patterns(
    pixels: Vec<u8>,
    w: u32,
    h: u32,
    scale: f32,
) -> rxing::common::Result<(Vec<rxing::RXingResult>, Vec<Pattern>)> {
    use rxing::multi::MultipleBarcodeReader;
    use rxing::qrcode::detector::FinderPatternFinder;
    let source = rxing::Luma8LuminanceSource::new(pixels, w, h)?;
    let mut bitmap = rxing::BinaryBitmap::new(rxing::common::HybridBinarizer::new(source));
    let mut reader = rxing::multi::GenericMultipleBarcodeReader::new(
        rxing::MultiUseMultiFormatReader::default(),
    );
    let results = reader
        .decode_multiple_with_hints(&mut bitmap, &hints())
        .unwrap_or_default();
    let matrix = bitmap.get_black_matrix();
    let mut finder = FinderPatternFinder::new(matrix);
    // Every few rows, not every row: quick, and a code's patterns span many.
    let _ = finder.find(&hints_trying(false));
    let patterns = finder
        .getPossibleCenters()
        .iter()
        // Seen on three rows at least: a letter "o" passes once.
        .filter(|p| p.getCount() >= 3)
        .map(|p| {
            let centre = rxing::Point::from(p);
            (
                centre.x / scale,
                centre.y / scale,
                p.getEstimatedModuleSize() / scale,
            )
        })
        .collect();
    Ok((results, patterns))
}

/// Every code found by the ladder of searches; `patterns`, when given,
/// receives the finder patterns the first search saw.
fn scan_whole(picture: &Luma, mut patterns: Option<&mut Vec<Pattern>>) -> Vec<FoundCode> {
    // The smallest QR code, without its quiet zone, is 21 modules wide.
    if picture.width < 21
        || picture.height < 21
        || picture.pixels.len() != picture.width as usize * picture.height as usize
    {
        return Vec::new();
    }
    let mut found: Vec<FoundCode> = Vec::new();
    // Every search below may panic on a crafted picture; that is "no code".
    for side in [FIRST_SIDE, 1600, 1000, 3600] {
        let Some((pixels, w, h, scale)) = resized(picture, side) else {
            continue;
        };
        let several = match patterns.take() {
            Some(seen) => guarded(|| several_and_patterns(pixels.clone(), w, h, scale)).map(|r| {
                r.map(|(results, found_patterns)| {
                    *seen = found_patterns;
                    results
                })
            }),
            None => guarded(|| {
                rxing::helpers::detect_multiple_in_luma_with_hints(
                    pixels.clone(),
                    w,
                    h,
                    &mut hints(),
                )
            }),
        };
        if let Some(Ok(results)) = several {
            add(&mut found, results, scale);
        }
        if found.is_empty() {
            // The single-code reader sometimes finds what the multiple
            // one misses. (rxing's filtered reader is not used: it took 31 s
            // on a 3 × 7000 picture.)
            let one = guarded(|| {
                rxing::helpers::detect_in_luma_with_hints(
                    pixels.clone(),
                    w,
                    h,
                    Some(BarcodeFormat::QR_CODE),
                    &mut hints(),
                )
            });
            if let Some(Ok(result)) = one {
                add(&mut found, vec![result], scale);
            }
        }
        if found.is_empty() {
            // A global threshold, for pictures the local one breaks up.
            if let Some(Ok(result)) = guarded(|| global_threshold(&pixels, w, h)) {
                add(&mut found, vec![result], scale);
            }
        }
        if !found.is_empty() {
            break;
        }
    }
    found.sort_by_key(|f| (f.y, f.x));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A code drawn at `module` pixels per module with a quiet zone.
    fn draw(text: &str, module: u32) -> (Vec<u8>, u32) {
        let matrix = crate::qr::encode_seal_text(text).unwrap();
        let n = matrix.width() as u32 + 8;
        let side = n * module;
        let mut pixels = vec![255u8; (side * side) as usize];
        for y in 0..side {
            for x in 0..side {
                let (mx, my) = ((x / module) as i64 - 4, (y / module) as i64 - 4);
                if mx >= 0 && my >= 0 && matrix.is_dark(mx as usize, my as usize) {
                    pixels[(y * side + x) as usize] = 0;
                }
            }
        }
        (pixels, side)
    }

    #[test]
    fn reads_a_seal_text_back() {
        let text = "https://v.example/cek#12345678901234567123";
        let (pixels, side) = draw(text, 4);
        let found = scan(&Luma {
            pixels: &pixels,
            width: side,
            height: side,
        });
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].text, text);
        assert!(
            (found[0].x as i64 - side as i64 / 2).abs() < 20,
            "{found:?}"
        );
    }

    #[test]
    fn noise_and_odd_sizes_find_nothing_and_never_panic() {
        let mut state = 0x1234_5678u32;
        for (w, h) in [(1, 1), (3, 7000), (257, 129), (640, 480)] {
            let pixels: Vec<u8> = (0..w * h)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    state as u8
                })
                .collect();
            assert!(scan(&Luma {
                pixels: &pixels,
                width: w,
                height: h
            })
            .is_empty());
        }
        assert!(scan(&Luma {
            pixels: &[0; 10],
            width: 4,
            height: 4
        })
        .is_empty());
    }
}
