//! Fonts: loading, metrics and shaping.

use std::path::Path;
use std::sync::Arc;

/// Index of a font in a [`FontBook`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FontKey(pub(crate) usize);

pub use crate::style::Style;
use crate::template::Template;

/// The largest font file accepted; the biggest CJK fonts are about 20 MB.
pub const MAX_FONT_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A loaded font face and the metrics layout needs.
#[derive(Debug, Clone)]
pub struct Font {
    pub family: String,
    /// Where it came from, for messages: a path, or "bundled".
    origin: String,
    pub style: Style,
    /// A PostScript-safe name for the PDF.
    pub postscript_name: String,
    /// The shaping face, parsed once: making one builds lookup tables, and
    /// layout shapes every word of every page. Declared before `bytes`, so
    /// it is dropped first.
    face: Option<ShapingFace>,
    bytes: Arc<Vec<u8>>,
    pub units_per_em: f32,
    pub ascender: f32,
    pub descender: f32,
    pub underline_position: f32,
    pub underline_thickness: f32,
}

/// A rustybuzz face over the bytes of the `Font` that holds it, and the
/// shaping plans made for it so far (making one reads the font's feature
/// tables: it cost more than shaping a word).
struct ShapingFace(rustybuzz::Face<'static>, PlanCache);

type PlanKey = (
    rustybuzz::Direction,
    Option<rustybuzz::Script>,
    Option<rustybuzz::Language>,
);

#[derive(Default)]
struct PlanCache(std::sync::Mutex<Vec<(PlanKey, Arc<rustybuzz::ShapePlan>)>>);

impl Clone for ShapingFace {
    fn clone(&self) -> ShapingFace {
        ShapingFace(self.0.clone(), PlanCache::default())
    }
}

impl ShapingFace {
    /// Shapes `buffer` as `rustybuzz::shape` would, with a kept plan.
    fn shape(&self, mut buffer: rustybuzz::UnicodeBuffer) -> rustybuzz::GlyphBuffer {
        buffer.guess_segment_properties();
        let script = Some(buffer.script()).filter(|s| *s != rustybuzz::script::UNKNOWN);
        let key: PlanKey = (buffer.direction(), script, buffer.language());
        let cached = self.1 .0.lock().ok().and_then(|plans| {
            plans
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, p)| p.clone())
        });
        let plan = cached.unwrap_or_else(|| {
            let plan = Arc::new(rustybuzz::ShapePlan::new(
                &self.0,
                key.0,
                key.1,
                key.2.as_ref(),
                &[],
            ));
            if let Ok(mut plans) = self.1 .0.lock() {
                plans.push((key, plan.clone()));
            }
            plan
        });
        rustybuzz::shape_with_plan(&self.0, &plan, buffer)
    }
}

impl std::fmt::Debug for ShapingFace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShapingFace")
    }
}

impl ShapingFace {
    fn new(bytes: &Arc<Vec<u8>>) -> Option<ShapingFace> {
        // SAFETY: the face borrows the heap buffer of `bytes`. That buffer
        // never moves or changes (the Vec is behind an Arc and never
        // mutated), and every Font that holds a ShapingFace also holds an
        // Arc of the same buffer, dropped after the face. The 'static never
        // escapes: `Font::face` hands the face out at the Font's lifetime.
        let slice: &'static [u8] =
            unsafe { std::slice::from_raw_parts(bytes.as_ptr(), bytes.len()) };
        rustybuzz::Face::from_slice(slice, 0).map(|face| ShapingFace(face, PlanCache::default()))
    }
}

impl Font {
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn face(&self) -> Option<&rustybuzz::Face<'_>> {
        self.face.as_ref().map(|f| &f.0)
    }

    fn shaper(&self) -> Option<&ShapingFace> {
        self.face.as_ref()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FontError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{0}: not a usable TrueType/OpenType font")]
    Unparsable(String),
    #[error("font family '{family}' ({style:?}) comes from both {first} and {second}, with different files; give one of them another family name")]
    Conflict {
        family: String,
        style: Style,
        first: String,
        second: String,
    },
    #[error("no font '{family}' in style {style:?} (known: {known})")]
    Unknown {
        family: String,
        style: Style,
        known: String,
    },
}

const BUNDLED: &[(&str, Style, &[u8])] = &[
    (
        "Charis SIL",
        Style::Regular,
        include_bytes!("../../../../assets/fonts/charis-sil/CharisSIL-Regular.ttf"),
    ),
    (
        "Charis SIL",
        Style::Bold,
        include_bytes!("../../../../assets/fonts/charis-sil/CharisSIL-Bold.ttf"),
    ),
    (
        "Charis SIL",
        Style::Italic,
        include_bytes!("../../../../assets/fonts/charis-sil/CharisSIL-Italic.ttf"),
    ),
    (
        "EB Garamond",
        Style::Regular,
        include_bytes!("../../../../assets/fonts/eb-garamond/EBGaramond12-Regular.ttf"),
    ),
    (
        "EB Garamond",
        Style::Italic,
        include_bytes!("../../../../assets/fonts/eb-garamond/EBGaramond12-Italic.ttf"),
    ),
];

/// All fonts a job can use. Fonts are loaded once and shared by every page.
#[derive(Debug, Clone, Default)]
pub struct FontBook {
    fonts: Vec<Font>,
}

impl FontBook {
    /// The fonts bundled with piagam (see assets/fonts).
    pub fn with_bundled() -> FontBook {
        let mut book = FontBook::default();
        for (family, style, bytes) in BUNDLED {
            // Bundled fonts are known-good; a failure here is a build defect
            // that the unit tests catch.
            let _ = book.add(family, *style, bytes.to_vec(), "the bundled fonts");
        }
        book
    }

    pub fn add_file(
        &mut self,
        family: &str,
        style: Style,
        path: &Path,
    ) -> Result<FontKey, FontError> {
        let bytes = crate::fsio::read_capped(path, MAX_FONT_FILE_BYTES).map_err(|message| {
            FontError::Io {
                path: path.display().to_string(),
                message,
            }
        })?;
        self.add(family, style, bytes, &path.display().to_string())
    }

    pub fn add(
        &mut self,
        family: &str,
        style: Style,
        bytes: Vec<u8>,
        origin: &str,
    ) -> Result<FontKey, FontError> {
        // Families match case-insensitively, as `find` does. The same file
        // twice is fine (two templates sharing a font); two different files
        // under one name would silently change one template's text.
        if let Some(i) = self
            .fonts
            .iter()
            .position(|f| f.family.eq_ignore_ascii_case(family) && f.style == style)
        {
            let existing = &self.fonts[i];
            if existing.bytes.as_slice() == bytes.as_slice() {
                return Ok(FontKey(i));
            }
            return Err(FontError::Conflict {
                family: family.to_owned(),
                style,
                first: existing.origin.clone(),
                second: origin.to_owned(),
            });
        }
        let face = ttf_parser::Face::parse(&bytes, 0)
            .map_err(|_| FontError::Unparsable(origin.to_owned()))?;
        rustybuzz::Face::from_slice(&bytes, 0)
            .ok_or_else(|| FontError::Unparsable(origin.to_owned()))?;
        let underline = face.underline_metrics();
        let upem = f32::from(face.units_per_em());
        let postscript_name: String = format!("{family}-{style:?}")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let font = Font {
            family: family.to_owned(),
            origin: origin.to_owned(),
            style,
            postscript_name,
            units_per_em: upem,
            ascender: f32::from(face.ascender()),
            descender: f32::from(face.descender()),
            underline_position: underline.map_or(-0.1 * upem, |u| f32::from(u.position)),
            underline_thickness: underline.map_or(0.05 * upem, |u| f32::from(u.thickness)),
            face: None,
            bytes: Arc::new(bytes),
        };
        let font = Font {
            face: ShapingFace::new(&font.bytes),
            ..font
        };
        self.fonts.push(font);
        Ok(FontKey(self.fonts.len() - 1))
    }

    /// Adds the font files a template brings.
    pub fn add_template_fonts(&mut self, template: &Template) -> Result<(), FontError> {
        for f in template.font_files() {
            self.add_file(&f.family, f.style, &f.path)?;
        }
        Ok(())
    }

    /// Checks that every font a template names is in the book.
    pub fn check_template(&self, template: &Template) -> Result<(), FontError> {
        for (family, style) in template.font_uses() {
            self.find(family, style)?;
        }
        Ok(())
    }

    pub fn find(&self, family: &str, style: Style) -> Result<FontKey, FontError> {
        self.fonts
            .iter()
            .position(|f| f.family.eq_ignore_ascii_case(family) && f.style == style)
            .map(FontKey)
            .ok_or_else(|| FontError::Unknown {
                family: family.to_owned(),
                style,
                known: self.families().join(", "),
            })
    }

    fn families(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .fonts
            .iter()
            .map(|f| format!("{} {:?}", f.family, f.style))
            .collect();
        names.dedup();
        names
    }

    pub fn font(&self, key: FontKey) -> &Font {
        &self.fonts[key.0]
    }

    pub fn fonts(&self) -> impl Iterator<Item = (FontKey, &Font)> {
        self.fonts.iter().enumerate().map(|(i, f)| (FontKey(i), f))
    }

    /// True if the font has a glyph for `c`.
    pub fn covers(&self, key: FontKey, c: char) -> bool {
        self.font(key)
            .face()
            .is_some_and(|f| f.glyph_index(c).is_some())
    }

    /// Shapes one line of text with a fallback chain: each character is set
    /// in the first font of the chain that has it. A character that no font
    /// in the chain has is returned as the error.
    pub fn shape(&self, chain: &[FontKey], text: &str) -> Result<Shaped, ShapeError> {
        let faces: Vec<Option<&rustybuzz::Face<'_>>> =
            chain.iter().map(|k| self.font(*k).face()).collect();
        let has = |i: usize, c: char| {
            faces[i]
                .as_ref()
                .is_some_and(|f| f.glyph_index(c).is_some())
        };
        // Split the text into runs, each in one font of the chain.
        let mut runs: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
        for (at, c) in text.char_indices() {
            let end = at + c.len_utf8();
            let current = runs.last().map(|(font, _)| *font);
            // Spaces, marks and joiners stay in the current font if it has them.
            let keep = current.filter(|&f| {
                (c.is_whitespace() || is_mark(c) || is_ignorable(c))
                    && (has(f, c) || is_ignorable(c))
            });
            let font = match keep {
                Some(f) => f,
                None => match (0..chain.len()).find(|&i| has(i, c)) {
                    Some(i) => i,
                    None if is_ignorable(c) => current.unwrap_or(0),
                    None => return Err(ShapeError::Missing(c)),
                },
            };
            match runs.last_mut() {
                Some((f, range)) if *f == font => range.end = end,
                _ => runs.push((font, at..end)),
            }
        }
        let mut glyphs = Vec::new();
        for (font_index, range) in runs {
            let font = self.font(chain[font_index]);
            let Some(shaper) = font.shaper() else {
                return Err(ShapeError::BrokenFont(font.origin.clone()));
            };
            let key = chain[font_index];
            let upem = self.font(key).units_per_em;
            let run_text = &text[range.clone()];
            let mut buffer = rustybuzz::UnicodeBuffer::new();
            buffer.push_str(run_text);
            // A damaged font can make the shaper panic; that is a bad input
            // file, reported as such, never a crash.
            let output = guarded(|| shaper.shape(buffer))
                .ok_or_else(|| ShapeError::BrokenFont(font.origin.clone()))?;
            let infos = output.glyph_infos();
            let positions = output.glyph_positions();
            for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
                let cluster = info.cluster as usize;
                let first_in_cluster = i == 0 || infos[i - 1].cluster != info.cluster;
                let cluster_end = infos
                    .iter()
                    .map(|g| g.cluster as usize)
                    .filter(|&c| c > cluster)
                    .min()
                    .unwrap_or(run_text.len());
                let glyph_text = if first_in_cluster {
                    run_text.get(cluster..cluster_end).unwrap_or("").to_owned()
                } else {
                    String::new()
                };
                glyphs.push(ShapedGlyph {
                    font: key,
                    gid: info.glyph_id as u16,
                    x_advance: pos.x_advance as f32 / upem,
                    x_offset: pos.x_offset as f32 / upem,
                    y_offset: pos.y_offset as f32 / upem,
                    text: glyph_text,
                });
            }
        }
        Ok(Shaped { glyphs })
    }
}

/// Why a text could not be shaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShapeError {
    /// No font of the chain has this character.
    Missing(char),
    /// The font file (named) is damaged: the shaper failed on it.
    BrokenFont(String),
}

use crate::guard::guarded;

fn is_ignorable(c: char) -> bool {
    // Variation selectors and joiners carry no ink of their own.
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{200C}' | '\u{200D}')
}

/// Combining marks (the ranges that matter for Latin and Vietnamese text).
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}')
}

/// A shaped line. Advances and offsets are in ems of each glyph's font.
#[derive(Debug, Clone)]
pub struct Shaped {
    pub glyphs: Vec<ShapedGlyph>,
}

impl Shaped {
    /// Advance width at `size_pt`, in millimetres.
    pub fn width_mm(&self, size_pt: f32) -> f32 {
        let ems: f32 = self.glyphs.iter().map(|g| g.x_advance).sum();
        ems * size_pt * MM_PER_PT
    }
}

#[derive(Debug, Clone)]
pub struct ShapedGlyph {
    pub font: FontKey,
    pub gid: u16,
    pub x_advance: f32,
    pub x_offset: f32,
    pub y_offset: f32,
    pub text: String,
}

pub const MM_PER_PT: f32 = 25.4 / 72.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shaping_with_kept_plans_is_shaping_afresh() {
        let book = FontBook::with_bundled();
        let texts = [
            "Pemerintah Kabupaten Banyuwangi",
            "2024",
            "Nguyễn Thị Ánh",
            "fi ffi Th",
            "Ω Ж ά",
            " ",
            "Dr. dr. H. Muhammad Ma’ruf, S.Kom., M.T.I.",
        ];
        for family in ["Charis SIL", "EB Garamond"] {
            let key = book.find(family, Style::Regular).unwrap();
            let font = book.font(key);
            // Twice: once making the plans, once using them.
            for _ in 0..2 {
                for text in texts {
                    let buffer = || {
                        let mut b = rustybuzz::UnicodeBuffer::new();
                        b.push_str(text);
                        b
                    };
                    let kept = font.shaper().unwrap().shape(buffer());
                    let fresh = rustybuzz::shape(font.face().unwrap(), &[], buffer());
                    let ids = |g: &rustybuzz::GlyphBuffer| {
                        g.glyph_infos()
                            .iter()
                            .zip(g.glyph_positions())
                            .map(|(i, p)| (i.glyph_id, i.cluster, p.x_advance, p.x_offset))
                            .collect::<Vec<_>>()
                    };
                    assert_eq!(ids(&kept), ids(&fresh), "{family}: {text}");
                }
            }
        }
    }

    #[test]
    fn bundled_fonts_load_and_shape_vietnamese() {
        let book = FontBook::with_bundled();
        let key = book.find("Charis SIL", Style::Regular).unwrap();
        let shaped = book.shape(&[key], "Nguyễn Thị Ánh").unwrap();
        assert!(shaped.glyphs.iter().all(|g| g.gid != 0));
        let text: String = shaped.glyphs.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(text, "Nguyễn Thị Ánh");
        assert!(shaped.width_mm(12.0) > 20.0);
        assert_eq!(
            book.shape(&[key], "a\u{10FFFD}").unwrap_err(),
            ShapeError::Missing('\u{10FFFD}')
        );
    }

    #[test]
    fn families_match_case_insensitively_and_never_replace_each_other() {
        let mut book = FontBook::with_bundled();
        let garamond = BUNDLED[3].2.to_vec();
        // The same name in other letters, with another file: refused, not
        // silently ignored (find would have kept returning the bundled one).
        let err = book
            .add(
                "charis sil",
                Style::Regular,
                garamond.clone(),
                "t/fonts/x.ttf",
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "font family 'charis sil' (Regular) comes from both the bundled fonts and t/fonts/x.ttf, with different files; give one of them another family name"
        );
        // Two templates bringing the same file under one name share it.
        let a = book
            .add("Sans A", Style::Regular, garamond.clone(), "a")
            .unwrap();
        let b = book.add("sans a", Style::Regular, garamond, "b").unwrap();
        assert_eq!(a, b);
        assert_eq!(book.find("SANS A", Style::Regular).unwrap(), a);
    }

    #[test]
    fn a_fallback_font_sets_what_the_first_lacks() {
        let book = FontBook::with_bundled();
        let garamond = book.find("EB Garamond", Style::Regular).unwrap();
        let charis = book.find("Charis SIL", Style::Regular).unwrap();
        // U+02C0 (modifier glottal stop) is in Charis SIL but not EB Garamond 12.
        assert!(!book.covers(garamond, '\u{02C0}') && book.covers(charis, '\u{02C0}'));
        assert!(book.shape(&[garamond], "a\u{02C0}b").is_err());
        let shaped = book.shape(&[garamond, charis], "a\u{02C0}b").unwrap();
        let fonts: Vec<FontKey> = shaped.glyphs.iter().map(|g| g.font).collect();
        assert_eq!(fonts, vec![garamond, charis, garamond]);
    }
}
