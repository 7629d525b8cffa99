//! Fitting text into a box: keep the size, else shrink, else wrap in balanced lines.

use super::fonts::{FontBook, FontKey, ShapeError, Shaped, MM_PER_PT};

pub use crate::style::{Align, VAlign};

/// How a piece of text may be sized and broken.
#[derive(Debug, Clone, Copy)]
pub struct FitRules {
    pub size_pt: f32,
    pub min_size_pt: f32,
    pub max_lines: usize,
    pub line_spacing: f32,
}

/// The size of a text's box in millimetres (fitting does not place it).
#[derive(Debug, Clone, Copy)]
pub struct BoxMm {
    pub w: f32,
    pub h: f32,
}

/// The outcome of fitting: the size chosen and the lines at that size.
#[derive(Debug, Clone)]
pub struct Fitted {
    pub size_pt: f32,
    pub lines: Vec<(String, Shaped)>,
    /// What fitting had to do; the tests read it.
    #[cfg_attr(not(test), allow(dead_code))]
    pub how: FitOutcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FitOutcome {
    AsIs,
    Shrunk,
    Wrapped,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    #[error("none of the element's fonts is loaded")]
    NoFont,
    #[error("no font of this element has the character '{ch}' (U+{code:04X}); add a font that has it to the element's font list", code = *.ch as u32)]
    MissingGlyph { ch: char },
    #[error("the text is {overflow_mm:.1} mm too wide for its box even at {min_size_pt} pt in {max_lines} line(s)")]
    TooWide {
        overflow_mm: f32,
        min_size_pt: f32,
        max_lines: usize,
    },
    #[error("the text is {overflow_mm:.1} mm too tall for its box even at {min_size_pt} pt")]
    TooTall { overflow_mm: f32, min_size_pt: f32 },
    #[error("the font {font} is damaged: text cannot be set with it")]
    BrokenFont { font: String },
}

impl From<ShapeError> for FitError {
    fn from(e: ShapeError) -> FitError {
        match e {
            ShapeError::Missing(ch) => FitError::MissingGlyph { ch },
            ShapeError::BrokenFont(font) => FitError::BrokenFont { font },
        }
    }
}

const STEP_PT: f32 = 0.25;
/// Rounding slack when comparing widths, in mm.
const EPSILON_MM: f32 = 0.01;

/// Height of a block of `lines` lines at `size`, from the first line's
/// ascender to the last line's descender, in mm.
pub fn block_height_mm(
    book: &FontBook,
    chain: &[FontKey],
    size_pt: f32,
    lines: usize,
    spacing: f32,
) -> f32 {
    let Some(first) = chain.first() else {
        return 0.0;
    };
    let f = book.font(*first);
    let extent = (f.ascender - f.descender) / f.units_per_em * size_pt * MM_PER_PT;
    let leading = size_pt * spacing * MM_PER_PT;
    extent + leading * (lines.saturating_sub(1)) as f32
}

pub fn fit(
    book: &FontBook,
    chain: &[FontKey],
    text: &str,
    rules: FitRules,
    area: BoxMm,
) -> Result<Fitted, FitError> {
    let whole = book.shape(chain, text).map_err(FitError::from)?;
    let min = rules.min_size_pt.min(rules.size_pt);
    let fits_height = |size: f32, lines: usize| {
        block_height_mm(book, chain, size, lines, rules.line_spacing) <= area.h + EPSILON_MM
    };

    // 1. As designed.
    let width = whole.width_mm(rules.size_pt);
    if width <= area.w + EPSILON_MM && fits_height(rules.size_pt, 1) {
        return Ok(Fitted {
            size_pt: rules.size_pt,
            lines: vec![(text.to_owned(), whole)],
            how: FitOutcome::AsIs,
        });
    }
    // 2. Shrunk on one line, no further than needed.
    if width > 0.0 {
        let by_width = rules.size_pt * area.w / width;
        let by_height = rules.size_pt * area.h
            / block_height_mm(book, chain, rules.size_pt, 1, rules.line_spacing);
        let start = floor_step(by_width.min(by_height).min(rules.size_pt));
        let found = sizes_down(start, min)
            .find(|&size| whole.width_mm(size) <= area.w + EPSILON_MM && fits_height(size, 1));
        if let Some(size) = found {
            return Ok(Fitted {
                size_pt: size,
                lines: vec![(text.to_owned(), whole)],
                how: FitOutcome::Shrunk,
            });
        }
    }
    // 3. Balanced lines, at the largest size that works.
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    let mut best_overflow = f32::INFINITY;
    // Balancing is quadratic in words; no printed field is anywhere near this.
    let max_lines = if words.len() > MAX_WORDS {
        1
    } else {
        rules.max_lines.min(words.len())
    };
    for n in 2..=max_lines {
        let breaks = balanced_breaks(book, chain, &words, n)?;
        let lines: Vec<String> = breaks.iter().map(|r| words[r.clone()].join(" ")).collect();
        let shaped: Vec<Shaped> = lines
            .iter()
            .map(|l| book.shape(chain, l).map_err(FitError::from))
            .collect::<Result<_, _>>()?;
        for size in sizes_down(rules.size_pt, min) {
            let widest = shaped.iter().map(|s| s.width_mm(size)).fold(0.0, f32::max);
            if widest <= area.w + EPSILON_MM && fits_height(size, n) {
                return Ok(Fitted {
                    size_pt: size,
                    lines: lines.into_iter().zip(shaped).collect(),
                    how: FitOutcome::Wrapped,
                });
            }
        }
        let widest = shaped.iter().map(|s| s.width_mm(min)).fold(0.0, f32::max);
        best_overflow = best_overflow.min(widest - area.w);
    }
    let one_line_overflow = whole.width_mm(min) - area.w;
    let overflow = best_overflow.min(one_line_overflow);
    if overflow > EPSILON_MM {
        Err(FitError::TooWide {
            overflow_mm: overflow,
            min_size_pt: min,
            max_lines: rules.max_lines,
        })
    } else {
        Err(FitError::TooTall {
            overflow_mm: block_height_mm(book, chain, min, 1, rules.line_spacing) - area.h,
            min_size_pt: min,
        })
    }
}

/// Sizes from `start` down to `min` in quarter points. Counted, not
/// accumulated, so it always ends, whatever the numbers.
fn sizes_down(start: f32, min: f32) -> impl Iterator<Item = f32> {
    let steps = if start.is_finite() && min.is_finite() && start >= min {
        (((start - min) / STEP_PT + 1e-3).floor() as usize).min(MAX_STEPS)
    } else {
        0
    };
    let valid = start.is_finite() && start >= min;
    (0..=steps)
        .filter(move |_| valid)
        .map(move |k| start - k as f32 * STEP_PT)
}

/// Enough quarter-point steps for any sensible type size.
const MAX_STEPS: usize = 4000;
/// Above this many words a text is not balanced into lines.
const MAX_WORDS: usize = 200;

fn floor_step(size: f32) -> f32 {
    (size / STEP_PT).floor() * STEP_PT
}

/// Splits words into `n` lines so the widest line is as narrow as possible,
/// then the line widths as even as possible.
fn balanced_breaks(
    book: &FontBook,
    chain: &[FontKey],
    words: &[&str],
    n: usize,
) -> Result<Vec<std::ops::Range<usize>>, FitError> {
    let widths: Vec<f32> = words
        .iter()
        .map(|w| book.shape(chain, w).map(|s| s.width_mm(1.0)))
        .collect::<Result<_, _>>()
        .map_err(FitError::from)?;
    let space = book
        .shape(chain, " ")
        .map(|s| s.width_mm(1.0))
        .unwrap_or(0.0);
    let line_width = |a: usize, b: usize| -> f32 {
        widths[a..b].iter().sum::<f32>() + space * (b - a - 1) as f32
    };
    let m = words.len();
    // cost[k][j]: best (max width, sum of squares) for the first j words in k lines.
    let inf = (f32::INFINITY, f32::INFINITY);
    let mut cost = vec![vec![inf; m + 1]; n + 1];
    let mut from = vec![vec![0usize; m + 1]; n + 1];
    cost[0][0] = (0.0, 0.0);
    for k in 1..=n {
        for j in k..=m {
            for i in (k - 1)..j {
                let (prev_max, prev_sq) = cost[k - 1][i];
                if prev_max.is_infinite() {
                    continue;
                }
                let w = line_width(i, j);
                let candidate = (prev_max.max(w), prev_sq + w * w);
                if candidate.0 < cost[k][j].0 - 1e-6
                    || ((candidate.0 - cost[k][j].0).abs() <= 1e-6 && candidate.1 < cost[k][j].1)
                {
                    cost[k][j] = candidate;
                    from[k][j] = i;
                }
            }
        }
    }
    let mut ranges = Vec::with_capacity(n);
    let mut j = m;
    for k in (1..=n).rev() {
        let i = from[k][j];
        ranges.push(i..j);
        j = i;
    }
    ranges.reverse();
    Ok(ranges)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::fonts::Style;

    fn setup() -> (FontBook, FontKey) {
        let book = FontBook::with_bundled();
        let key = book.find("Charis SIL", Style::Regular).unwrap();
        (book, key)
    }

    fn rules(max_lines: usize) -> FitRules {
        FitRules {
            size_pt: 24.0,
            min_size_pt: 16.0,
            max_lines,
            line_spacing: 1.15,
        }
    }

    fn area(w: f32) -> BoxMm {
        BoxMm { w, h: 30.0 }
    }

    #[test]
    fn short_text_keeps_its_size() {
        let (book, key) = setup();
        let fit = fit(&book, &[key], "Sukarno", rules(2), area(200.0)).unwrap();
        assert_eq!(fit.how, FitOutcome::AsIs);
        assert_eq!(fit.size_pt, 24.0);
        assert_eq!(fit.lines.len(), 1);
    }

    #[test]
    fn slightly_long_text_shrinks_only_as_needed() {
        let (book, key) = setup();
        let text = "Pemerintah Kabupaten Banyuwangi";
        let natural = book.shape(&[key], text).unwrap().width_mm(24.0);
        let fit = fit(&book, &[key], text, rules(2), area(natural * 0.9)).unwrap();
        assert_eq!(fit.how, FitOutcome::Shrunk);
        assert!(fit.size_pt < 24.0 && fit.size_pt >= 21.0, "{}", fit.size_pt);
        assert!(fit.lines[0].1.width_mm(fit.size_pt) <= natural * 0.9 + EPSILON_MM);
        // One step larger would not fit.
        assert!(fit.lines[0].1.width_mm(fit.size_pt + STEP_PT) > natural * 0.9);
    }

    #[test]
    fn long_text_wraps_into_balanced_lines() {
        let (book, key) = setup();
        let text = "Dinas Komunikasi, Informatika, Statistik dan Persandian Kota Semarang";
        let fit = fit(&book, &[key], text, rules(2), area(150.0)).unwrap();
        assert_eq!(fit.how, FitOutcome::Wrapped);
        assert_eq!(fit.lines.len(), 2);
        assert_eq!(fit.lines[0].0, "Dinas Komunikasi, Informatika,");
        assert_eq!(fit.lines[1].0, "Statistik dan Persandian Kota Semarang");
        // Two lines fit at the designed size, so it is kept.
        assert_eq!(fit.size_pt, 24.0);

        // In a narrower box: two lines at the largest size that fits.
        let narrow = super::fit(&book, &[key], text, rules(2), area(120.0)).unwrap();
        assert_eq!(narrow.how, FitOutcome::Wrapped);
        assert_eq!(narrow.lines.len(), 2);
        let widest = |size: f32| {
            narrow
                .lines
                .iter()
                .map(|(_, s)| s.width_mm(size))
                .fold(0.0, f32::max)
        };
        assert!(
            narrow.size_pt >= 16.0 && narrow.size_pt < 24.0,
            "{}",
            narrow.size_pt
        );
        assert!(widest(narrow.size_pt) <= 120.0 + EPSILON_MM);
        assert!(widest(narrow.size_pt + STEP_PT) > 120.0);
    }

    #[test]
    fn absurd_sizes_end_quickly() {
        let (book, key) = setup();
        for (size, min) in [
            (1e9, 1e9),
            (f32::NAN, 1.0),
            (24.0, f32::INFINITY),
            (1e30, 1.0),
        ] {
            let rules = FitRules {
                size_pt: size,
                min_size_pt: min,
                max_lines: 3,
                line_spacing: 1.15,
            };
            let _ = fit(
                &book,
                &[key],
                "Dinas Komunikasi dan Informatika",
                rules,
                area(20.0),
            );
        }
    }

    #[test]
    fn impossible_text_is_an_error_with_the_overflow() {
        let (book, key) = setup();
        let err = fit(
            &book,
            &[key],
            "Dinas Komunikasi Informatika",
            rules(1),
            area(40.0),
        )
        .unwrap_err();
        let FitError::TooWide { overflow_mm, .. } = err else {
            panic!("{err:?}")
        };
        assert!(overflow_mm > 10.0, "{overflow_mm}");
    }
}
