//! Fonts: loading, metrics and shaping.

use std::path::Path;
use std::sync::Arc;

/// Index of a font in a [`FontBook`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FontKey(pub(crate) usize);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Style {
    Regular,
    Bold,
    Italic,
}

/// A loaded font face and the metrics layout needs.
#[derive(Debug, Clone)]
pub struct Font {
    pub family: String,
    pub style: Style,
    /// A PostScript-safe name for the PDF.
    pub postscript_name: String,
    bytes: Arc<Vec<u8>>,
    pub units_per_em: f32,
    pub ascender: f32,
    pub descender: f32,
    pub underline_position: f32,
    pub underline_thickness: f32,
}

impl Font {
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn face(&self) -> Option<rustybuzz::Face<'_>> {
        rustybuzz::Face::from_slice(&self.bytes, 0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FontError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{0}: not a usable TrueType/OpenType font")]
    Unparsable(String),
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
        include_bytes!("../../assets/fonts/charis-sil/CharisSIL-Regular.ttf"),
    ),
    (
        "Charis SIL",
        Style::Bold,
        include_bytes!("../../assets/fonts/charis-sil/CharisSIL-Bold.ttf"),
    ),
    (
        "Charis SIL",
        Style::Italic,
        include_bytes!("../../assets/fonts/charis-sil/CharisSIL-Italic.ttf"),
    ),
    (
        "EB Garamond",
        Style::Regular,
        include_bytes!("../../assets/fonts/eb-garamond/EBGaramond12-Regular.ttf"),
    ),
    (
        "EB Garamond",
        Style::Italic,
        include_bytes!("../../assets/fonts/eb-garamond/EBGaramond12-Italic.ttf"),
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
            let _ = book.add(family, *style, bytes.to_vec(), family);
        }
        book
    }

    pub fn add_file(
        &mut self,
        family: &str,
        style: Style,
        path: &Path,
    ) -> Result<FontKey, FontError> {
        let bytes = std::fs::read(path).map_err(|e| FontError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
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
            style,
            postscript_name,
            units_per_em: upem,
            ascender: f32::from(face.ascender()),
            descender: f32::from(face.descender()),
            underline_position: underline.map_or(-0.1 * upem, |u| f32::from(u.position)),
            underline_thickness: underline.map_or(0.05 * upem, |u| f32::from(u.thickness)),
            bytes: Arc::new(bytes),
        };
        // Replace an earlier font of the same family and style.
        if let Some(i) = self
            .fonts
            .iter()
            .position(|f| f.family == family && f.style == style)
        {
            self.fonts[i] = font;
            return Ok(FontKey(i));
        }
        self.fonts.push(font);
        Ok(FontKey(self.fonts.len() - 1))
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

    /// Shapes one line of text. The first character the font lacks is an error.
    pub fn shape(&self, key: FontKey, text: &str) -> Result<Shaped, char> {
        let font = self.font(key);
        let Some(face) = font.face() else {
            return Err(text.chars().next().unwrap_or(' '));
        };
        if let Some(missing) = text
            .chars()
            .find(|&c| !c.is_whitespace() && face.glyph_index(c).is_none() && !is_ignorable(c))
        {
            return Err(missing);
        }
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        let output = rustybuzz::shape(&face, &[], buffer);
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        let mut glyphs = Vec::with_capacity(infos.len());
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let cluster = info.cluster as usize;
            let first_in_cluster = i == 0 || infos[i - 1].cluster != info.cluster;
            let cluster_end = infos
                .iter()
                .map(|g| g.cluster as usize)
                .filter(|&c| c > cluster)
                .min()
                .unwrap_or(text.len());
            let glyph_text = if first_in_cluster {
                text.get(cluster..cluster_end).unwrap_or("").to_owned()
            } else {
                String::new()
            };
            glyphs.push(ShapedGlyph {
                gid: info.glyph_id as u16,
                x_advance: pos.x_advance as f32,
                x_offset: pos.x_offset as f32,
                y_offset: pos.y_offset as f32,
                text: glyph_text,
            });
        }
        Ok(Shaped {
            glyphs,
            units_per_em: font.units_per_em,
        })
    }
}

fn is_ignorable(c: char) -> bool {
    // Variation selectors and joiners carry no ink of their own.
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{200C}' | '\u{200D}')
}

/// A shaped line, in font units.
#[derive(Debug, Clone)]
pub struct Shaped {
    pub glyphs: Vec<ShapedGlyph>,
    pub units_per_em: f32,
}

impl Shaped {
    /// Advance width at `size_pt`, in millimetres.
    pub fn width_mm(&self, size_pt: f32) -> f32 {
        let units: f32 = self.glyphs.iter().map(|g| g.x_advance).sum();
        units / self.units_per_em * size_pt * MM_PER_PT
    }
}

#[derive(Debug, Clone)]
pub struct ShapedGlyph {
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
    fn bundled_fonts_load_and_shape_vietnamese() {
        let book = FontBook::with_bundled();
        let key = book.find("Charis SIL", Style::Regular).unwrap();
        let shaped = book.shape(key, "Nguyễn Thị Ánh").unwrap();
        assert!(shaped.glyphs.iter().all(|g| g.gid != 0));
        let text: String = shaped.glyphs.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(text, "Nguyễn Thị Ánh");
        assert!(shaped.width_mm(12.0) > 20.0);
        assert!(matches!(book.shape(key, "a\u{10FFFD}"), Err('\u{10FFFD}')));
    }
}
