//! Choosing the QR mask: the same choice as qrcode's `apply_best_mask`,
//! about ten times faster.
//!
//! qrcode scores each of the 8 masked symbols with its penalty rules
//! through per-module closures; that was most of the 1.8 ms a seal's QR
//! matrix took. Here each masked symbol is read once into a flat array and
//! scored by the same rules, with the same quirks (the finder rule's
//! `- 360`, the balance rule without 5% steps, 16-bit wrapping sums, the
//! first of equal scores wins), so the chosen mask, and so every symbol, is
//! exactly what qrcode would make. A test compares the two on thousands of
//! inputs.

use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::Color;

/// The QR masks in qrcode's order of trial (it keeps the first best).
const PATTERNS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// Masks `canvas` (data drawn, not yet masked) with the lowest-penalty mask
/// and returns its modules, row by row, `true` for dark.
pub fn apply_best_mask(canvas: &Canvas, width: usize) -> Vec<bool> {
    let mut best: Option<(u16, Vec<bool>)> = None;
    for pattern in PATTERNS {
        let mut masked = canvas.clone();
        masked.apply_mask(pattern);
        let dark = modules(&masked, width);
        let score = penalty(&dark, width);
        if best.as_ref().is_none_or(|(s, _)| score < *s) {
            best = Some((score, dark));
        }
    }
    best.map(|(_, dark)| dark).unwrap_or_default()
}

fn modules(canvas: &Canvas, width: usize) -> Vec<bool> {
    let w = i16::try_from(width).unwrap_or(i16::MAX);
    let mut dark = Vec::with_capacity(width * width);
    for y in 0..w {
        for x in 0..w {
            dark.push(Color::from(canvas.get(x, y)) == Color::Dark);
        }
    }
    dark
}

/// qrcode's total penalty for a normal (not micro) QR symbol.
pub fn penalty(dark: &[bool], n: usize) -> u16 {
    let at = |x: usize, y: usize| dark[y * n + x];
    let row = |i: usize| move |j: usize| at(j, i);
    let col = |i: usize| move |j: usize| at(i, j);
    let mut total = 0u16;
    for i in 0..n {
        total = total
            .wrapping_add(runs(n, row(i)))
            .wrapping_add(runs(n, col(i)));
    }
    total = total.wrapping_add(blocks(dark, n));
    let mut finder = 0u16;
    for i in 0..n {
        finder = finder
            .wrapping_add(finders(n, row(i)))
            .wrapping_add(finders(n, col(i)));
    }
    // qrcode subtracts the finder patterns' own matches once for both
    // directions; its score is the sum of the two, each less 360.
    total = total.wrapping_add(finder.wrapping_sub(720));
    total.wrapping_add(balance(dark))
}

/// Every run of 5 + k modules of one colour in a line adds 3 + k.
fn runs(n: usize, line: impl Fn(usize) -> bool) -> u16 {
    let mut score = 0u16;
    let mut run = 1u16;
    for j in 1..n {
        if line(j) == line(j - 1) {
            run += 1;
        } else {
            if run >= 5 {
                score = score.wrapping_add(run - 2);
            }
            run = 1;
        }
    }
    if run >= 5 {
        score = score.wrapping_add(run - 2);
    }
    score
}

/// Every 2×2 block of one colour, overlapping ones too, adds 3.
fn blocks(dark: &[bool], n: usize) -> u16 {
    let mut score = 0u16;
    for y in 0..n - 1 {
        let (top, bottom) = (&dark[y * n..(y + 1) * n], &dark[(y + 1) * n..(y + 2) * n]);
        for x in 0..n - 1 {
            let c = top[x];
            if top[x + 1] == c && bottom[x] == c && bottom[x + 1] == c {
                score = score.wrapping_add(3);
            }
        }
    }
    score
}

/// Every dark-light-dark-dark-dark-light-dark with four light modules (or
/// the edge) on at least one side adds 40.
fn finders(n: usize, line: impl Fn(usize) -> bool) -> u16 {
    const PATTERN: [bool; 7] = [true, false, true, true, true, false, true];
    let mut score = 0u16;
    for j in 0..n.saturating_sub(6) {
        if !(0..7).all(|k| line(j + k) == PATTERN[k]) {
            continue;
        }
        let dark_in = |from: usize, to: usize| (from..to.min(n)).any(&line);
        if !dark_in(j.saturating_sub(4), j) || !dark_in(j + 7, j + 11) {
            score = score.wrapping_add(40);
        }
    }
    score
}

/// The distance of the dark share from 50%, in half-percent steps.
fn balance(dark: &[bool]) -> u16 {
    let count = dark.iter().filter(|d| **d).count();
    let ratio = count * 200 / dark.len().max(1);
    u16::try_from(ratio.abs_diff(100)).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use qrcode::bits::Bits;
    use qrcode::{EcLevel, QrCode, Version};

    use super::*;

    /// Draws `data` as qrcode would before masking.
    fn unmasked(data: &[u8], version: i16) -> Option<(Canvas, usize)> {
        let v = Version::Normal(version);
        let mut bits = Bits::new(v);
        bits.push_byte_data(data).ok()?;
        bits.push_terminator(EcLevel::M).ok()?;
        let raw = bits.into_bytes();
        let (data, ec) = qrcode::ec::construct_codewords(&raw, v, EcLevel::M).ok()?;
        let mut canvas = Canvas::new(v, EcLevel::M);
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&data, &ec);
        Some((canvas, usize::try_from(v.width()).ok()?))
    }

    #[test]
    fn the_choice_is_qrcodes_on_thousands_of_inputs() {
        let iterations: usize = std::env::var("PIAGAM_FUZZ_ITERATIONS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(3000);
        // A small xorshift, so the inputs are the same on every run.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut compared = 0;
        for i in 0..iterations {
            let version = [1, 2, 5, 7, 10, 11, 12, 13, 14, 20][i % 10];
            let len = (next() % 200) as usize + 1;
            let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let Some((canvas, width)) = unmasked(&data, version) else {
                continue;
            };
            let theirs: Vec<bool> = canvas
                .apply_best_mask()
                .into_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect();
            assert_eq!(
                apply_best_mask(&canvas, width),
                theirs,
                "input {i}: version {version}, {len} bytes"
            );
            compared += 1;
        }
        assert!(compared > iterations / 2, "only {compared} inputs fitted");
    }

    #[test]
    fn a_seal_matrix_is_the_one_qrcode_makes() {
        let text = format!(
            "https://piagam.example/v#{}",
            crate::seal::qrtext::encode_digits(&[0x5c; 250])
        );
        let ours = crate::qr::encode_seal_text(&text).unwrap();
        let (head, digits) = text.split_at(text.find('#').unwrap() + 1);
        let mut bits = Bits::new(Version::Normal(ours.version()));
        bits.push_byte_data(head.as_bytes()).unwrap();
        bits.push_numeric_data(digits.as_bytes()).unwrap();
        bits.push_terminator(EcLevel::M).unwrap();
        let code = QrCode::with_bits(bits, EcLevel::M).unwrap();
        for y in 0..ours.width() {
            for x in 0..ours.width() {
                assert_eq!(ours.is_dark(x, y), code[(x, y)] == Color::Dark);
            }
        }
    }
}
