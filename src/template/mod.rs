//! Templates: a folder with `template.toml` and its assets. See docs/TEMPLATES.md.

pub mod placeholder;
mod raw;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::layout::fonts::{FontBook, FontError, Style};
use crate::layout::page::{Raster, Rgb};
use crate::layout::text::{Align, VAlign};
use crate::locale::Language;
pub use placeholder::TextPattern;
use raw::{FontFiles, RawElement, TemplateFile};

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Orientation {
    Portrait,
    Landscape,
}

/// How an image fills its box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fit {
    /// The whole image, as large as fits; the box may show margins.
    #[default]
    Contain,
    /// The whole box, cropping the image's overflow.
    Cover,
}

/// A text element, validated.
#[derive(Debug, Clone)]
pub struct TextElement {
    pub pattern: TextPattern,
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    /// Font families in fallback order.
    pub fonts: Vec<String>,
    pub style: Style,
    pub size: f32,
    pub min_size: f32,
    pub max_lines: usize,
    pub align: Align,
    pub valign: VAlign,
    pub color: Rgb,
    pub line_spacing: f32,
    pub underline: bool,
    pub transform: Option<Transform>,
}

/// Letter case for a text element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transform {
    Upper,
    Lower,
    /// Title case that keeps academic titles such as "dr." and "S.Kom.".
    Title,
}

impl Transform {
    pub fn apply(self, s: &str) -> String {
        match self {
            Transform::Upper => s.to_uppercase(),
            Transform::Lower => s.to_lowercase(),
            Transform::Title => crate::locale::title_case(s),
        }
    }
}

#[derive(Debug, Clone)]
pub enum ElementKind {
    Text(TextElement),
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        radius: f32,
        fill: Option<Rgb>,
        stroke: Option<(Rgb, f32)>,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        color: Rgb,
        width: f32,
    },
    Qr {
        x: f32,
        y: f32,
        size: f32,
        color: Rgb,
        caption: Option<String>,
        caption_size: f32,
    },
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fit: Fit,
        raster: Arc<Raster>,
    },
    Signatory(SignatoryElement),
}

/// Where a template's files (images, fonts) come from.
#[derive(Debug, Clone, Copy)]
pub enum Assets<'a> {
    /// Files relative to the template folder.
    Dir,
    /// Compiled in, by relative path (the bundled templates).
    Embedded(&'a [(&'a str, &'a [u8])]),
}

/// The signatory block: who signs, with room for a signature and a stamp.
#[derive(Debug, Clone)]
pub struct SignatoryElement {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    pub place_date: Option<TextPattern>,
    pub title: TextPattern,
    pub name: TextPattern,
    /// Printed only when the signatory has a NIP.
    pub nip: TextPattern,
    pub signature: Option<Arc<Raster>>,
    pub stamp: Option<Arc<Raster>>,
    pub fonts: Vec<String>,
    pub size: f32,
    pub color: Rgb,
}

/// One element, drawn only when its `when` field is non-empty.
#[derive(Debug, Clone)]
pub struct Element {
    pub kind: ElementKind,
    pub when: Option<String>,
}

/// A loaded, validated template.
#[derive(Debug, Clone)]
pub struct Template {
    pub dir: PathBuf,
    pub kind: String,
    /// Serial pattern for this document, if it has its own.
    pub numbering: Option<String>,
    pub name: String,
    pub lang: Language,
    pub width_mm: f32,
    pub height_mm: f32,
    pub elements: Vec<Element>,
    fonts: BTreeMap<String, FontFiles>,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error(transparent)]
    Font(#[from] FontError),
}

/// The line of `key = …` inside the `index`-th `[[element]]` table, so
/// errors can point at it. Serde cannot carry spans through tagged enums.
fn element_key_line(source: &str, index: usize, key: &str) -> Option<usize> {
    let mut seen = 0;
    let mut inside = false;
    for (n, line) in source.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with("[[") || trimmed.starts_with('[') {
            inside = trimmed == "[[element]]" && {
                seen += 1;
                seen == index + 1
            };
            continue;
        }
        if inside {
            if let Some(rest) = trimmed.strip_prefix(key) {
                if rest.trim_start().starts_with('=') {
                    return Some(n + 1);
                }
            }
        }
    }
    None
}

/// Page sizes in mm, portrait.
fn paper_size(name: &str) -> Option<(f32, f32)> {
    Some(match name.to_ascii_uppercase().as_str() {
        "A4" => (210.0, 297.0),
        "A3" => (297.0, 420.0),
        "A5" => (148.0, 210.0),
        "F4" | "FOLIO" => (215.0, 330.0),
        "LETTER" => (215.9, 279.4),
        "LEGAL" => (215.9, 355.6),
        _ => return None,
    })
}

impl Template {
    /// Loads `DIR/template.toml`.
    pub fn load(dir: &Path) -> Result<Template, TemplateError> {
        let path = dir.join("template.toml");
        let text = std::fs::read_to_string(&path).map_err(|e| TemplateError::Io {
            path: path.clone(),
            message: e.to_string(),
        })?;
        Template::from_toml(&text, dir, &path)
    }

    pub fn from_toml(text: &str, dir: &Path, path: &Path) -> Result<Template, TemplateError> {
        Template::from_toml_with(text, dir, path, Assets::Dir)
    }

    pub fn from_toml_with(
        text: &str,
        dir: &Path,
        path: &Path,
        assets: Assets<'_>,
    ) -> Result<Template, TemplateError> {
        let invalid = |message: String| TemplateError::Invalid {
            path: path.to_owned(),
            line: None,
            message,
        };
        let file: TemplateFile = toml::from_str(text).map_err(|e| TemplateError::Invalid {
            path: path.to_owned(),
            line: e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
            message: e.message().to_owned(),
        })?;
        let (w, h) = if file.page.size.eq_ignore_ascii_case("custom") {
            match (file.page.width, file.page.height) {
                (Some(w), Some(h)) if w > 0.0 && h > 0.0 => (w.min(h), w.max(h)),
                _ => {
                    return Err(invalid(
                        "page.size = \"custom\" needs width and height in mm".into(),
                    ))
                }
            }
        } else {
            paper_size(&file.page.size).ok_or_else(|| {
                invalid(format!(
                    "page.size '{}' is unknown (A4, F4, A3, A5, Letter, Legal or custom)",
                    file.page.size
                ))
            })?
        };
        if let Some(pattern) = &file.numbering {
            crate::numbering::check_pattern(pattern)
                .map_err(|e| invalid(format!("numbering: {e}")))?;
        }
        let (width_mm, height_mm) = match file.page.orientation {
            Orientation::Portrait => (w, h),
            Orientation::Landscape => (h, w),
        };
        let color = |i: usize, s: &str| {
            Rgb::parse_hex(s)
                .ok_or_else(|| invalid(format!("element {}: colour '{s}' is not #rrggbb", i + 1)))
        };
        let check_when =
            |i: usize, when: &Option<String>| -> Result<Option<String>, TemplateError> {
                let Some(field) = when else { return Ok(None) };
                let probe = format!("{{{{{field}}}}}");
                TextPattern::parse(&probe).map_err(|e| TemplateError::Invalid {
                    path: path.to_owned(),
                    line: element_key_line(text, i, "when"),
                    message: format!("element {} when: {e}", i + 1),
                })?;
                Ok(Some(field.clone()))
            };
        let load_image = |src: &str, i: usize| -> Result<Arc<Raster>, TemplateError> {
            let bytes = match assets {
                Assets::Dir => {
                    std::fs::read(dir.join(src)).map_err(|e| TemplateError::Invalid {
                        path: dir.join(src),
                        line: None,
                        message: format!("element {}: {e}", i + 1),
                    })?
                }
                Assets::Embedded(files) => files
                    .iter()
                    .find(|(name, _)| *name == src)
                    .map(|(_, b)| b.to_vec())
                    .ok_or_else(|| invalid(format!("element {}: no bundled file {src}", i + 1)))?,
            };
            Raster::decode(&bytes)
                .map(Arc::new)
                .map_err(|e| TemplateError::Invalid {
                    path: dir.join(src),
                    line: None,
                    message: format!("not a usable PNG or JPEG image: {e}"),
                })
        };
        // Numbers outside these ranges are typing mistakes, and would make
        // layout meaningless (or, for sizes, endless).
        let range = |i: usize, key: &str, v: f32, lo: f32, hi: f32| -> Result<(), TemplateError> {
            if v.is_finite() && (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(TemplateError::Invalid {
                    path: path.to_owned(),
                    line: element_key_line(text, i, key),
                    message: format!("element {}: {key} = {v} is outside {lo}…{hi}", i + 1),
                })
            }
        };
        let mut elements = Vec::new();
        for (i, raw) in file.elements.into_iter().enumerate() {
            let element = match raw {
                RawElement::Text {
                    text: content,
                    x,
                    y,
                    w,
                    h,
                    font,
                    style,
                    size,
                    min_size,
                    max_lines,
                    align,
                    valign,
                    color: c,
                    line_spacing,
                    underline,
                    transform,
                    when,
                } => {
                    let when = check_when(i, &when)?;
                    let pattern =
                        TextPattern::parse(&content).map_err(|e| TemplateError::Invalid {
                            path: path.to_owned(),
                            line: element_key_line(text, i, "text"),
                            message: format!("element {} text \"{content}\": {e}", i + 1),
                        })?;
                    range(i, "x", x, -10_000.0, 10_000.0)?;
                    range(i, "y", y, -10_000.0, 10_000.0)?;
                    range(i, "w", w, 0.1, 10_000.0)?;
                    range(i, "h", h, 0.1, 10_000.0)?;
                    range(i, "size", size, 1.0, 1000.0)?;
                    range(i, "min_size", min_size.unwrap_or(size), 1.0, 1000.0)?;
                    range(i, "line_spacing", line_spacing, 0.3, 5.0)?;
                    range(i, "max_lines", max_lines as f32, 1.0, 50.0)?;
                    Element {
                        kind: ElementKind::Text(TextElement {
                            pattern,
                            x,
                            y,
                            w,
                            h,
                            fonts: {
                                let names = font.names();
                                if names.is_empty() {
                                    return Err(invalid(format!(
                                        "element {}: font list is empty",
                                        i + 1
                                    )));
                                }
                                names
                            },
                            style,
                            size,
                            min_size: min_size.unwrap_or(size).min(size),
                            max_lines,
                            align,
                            valign,
                            color: color(i, &c)?,
                            line_spacing,
                            underline,
                            transform,
                        }),
                        when,
                    }
                }
                RawElement::Rect {
                    x,
                    y,
                    w,
                    h,
                    radius,
                    fill,
                    stroke,
                    stroke_width,
                    when,
                } => {
                    let when = check_when(i, &when)?;
                    Element {
                        kind: ElementKind::Rect {
                            x,
                            y,
                            w,
                            h,
                            radius,
                            fill: fill.map(|c| color(i, &c)).transpose()?,
                            stroke: stroke
                                .map(|c| color(i, &c).map(|c| (c, stroke_width)))
                                .transpose()?,
                        },
                        when,
                    }
                }
                RawElement::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    color: c,
                    width,
                    when,
                } => {
                    let when = check_when(i, &when)?;
                    Element {
                        kind: ElementKind::Line {
                            x1,
                            y1,
                            x2,
                            y2,
                            color: color(i, &c)?,
                            width,
                        },
                        when,
                    }
                }
                RawElement::Qr {
                    x,
                    y,
                    size,
                    color: c,
                    caption,
                    caption_size,
                } => {
                    range(i, "size", size, 5.0, 10_000.0)?;
                    range(i, "x", x, -10_000.0, 10_000.0)?;
                    range(i, "y", y, -10_000.0, 10_000.0)?;
                    range(i, "caption_size", caption_size, 1.0, 200.0)?;
                    Element {
                        kind: ElementKind::Qr {
                            x,
                            y,
                            size,
                            color: color(i, &c)?,
                            caption,
                            caption_size,
                        },
                        when: None,
                    }
                }
                RawElement::Image {
                    src,
                    x,
                    y,
                    w,
                    h,
                    fit,
                    when,
                } => {
                    let when = check_when(i, &when)?;
                    range(i, "w", w, 0.1, 10_000.0)?;
                    range(i, "h", h, 0.1, 10_000.0)?;
                    let raster = load_image(&src, i)?;
                    Element {
                        kind: ElementKind::Image {
                            x,
                            y,
                            w,
                            h,
                            fit,
                            raster,
                        },
                        when,
                    }
                }
                RawElement::Signatory {
                    x,
                    y,
                    w,
                    h,
                    place_date,
                    title,
                    name,
                    nip,
                    signature,
                    stamp,
                    font,
                    size,
                    color: c,
                    when,
                } => {
                    let when = check_when(i, &when)?;
                    range(i, "w", w, 1.0, 10_000.0)?;
                    range(i, "h", h, 1.0, 10_000.0)?;
                    range(i, "size", size, 1.0, 200.0)?;
                    let pattern = |key: &str, value: &str| {
                        TextPattern::parse(value).map_err(|e| TemplateError::Invalid {
                            path: path.to_owned(),
                            line: element_key_line(text, i, key),
                            message: format!("element {} {key} \"{value}\": {e}", i + 1),
                        })
                    };
                    Element {
                        kind: ElementKind::Signatory(SignatoryElement {
                            x,
                            y,
                            w,
                            h,
                            place_date: place_date
                                .map(|p| pattern("place_date", &p))
                                .transpose()?,
                            title: pattern("title", &title)?,
                            name: pattern("name", &name)?,
                            nip: pattern("nip", &nip)?,
                            signature: signature.map(|s| load_image(&s, i)).transpose()?,
                            stamp: stamp.map(|s| load_image(&s, i)).transpose()?,
                            fonts: font.names(),
                            size,
                            color: color(i, &c)?,
                        }),
                        when,
                    }
                }
            };
            elements.push(element);
        }
        let qr_count = elements
            .iter()
            .filter(|e| matches!(e.kind, ElementKind::Qr { .. }))
            .count();
        if qr_count != 1 {
            return Err(invalid(format!(
                "a template needs exactly one qr element, found {qr_count}"
            )));
        }
        Ok(Template {
            dir: dir.to_owned(),
            numbering: file.numbering,
            kind: file.kind,
            name: file.name,
            lang: file.lang,
            width_mm,
            height_mm,
            elements,
            fonts: file.fonts,
        })
    }

    /// Adds this template's own font files to the book.
    pub fn register_fonts(&self, book: &mut FontBook) -> Result<(), TemplateError> {
        for (family, files) in &self.fonts {
            for (style, file) in [
                (Style::Regular, &files.regular),
                (Style::Bold, &files.bold),
                (Style::Italic, &files.italic),
            ] {
                if let Some(file) = file {
                    book.add_file(family, style, &self.dir.join(file))?;
                }
            }
        }
        Ok(())
    }

    /// Checks that every font the template names exists in the book.
    pub fn check_fonts(&self, book: &FontBook) -> Result<(), TemplateError> {
        for e in &self.elements {
            match &e.kind {
                ElementKind::Text(t) => {
                    for name in &t.fonts {
                        book.find(name, t.style)?;
                    }
                }
                ElementKind::Signatory(s) => {
                    for name in &s.fonts {
                        book.find(name, Style::Regular)?;
                        book.find(name, Style::Bold)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "kind = \"piagam\"\nname = \"t\"\n[page]\nsize = \"F4\"\norientation = \"portrait\"\n\n[[element]]\ntype = \"qr\"\nx = 10\ny = 10\nsize = 30\n";

    fn load(body: &str) -> Result<Template, TemplateError> {
        let text = format!("{HEAD}{body}");
        Template::from_toml(&text, Path::new("t"), Path::new("t/template.toml"))
    }

    #[test]
    fn unknown_fields_and_filters_name_the_file_and_line() {
        let err = load("\n[[element]]\ntype = \"text\"\nx = 0\ny = 0\nw = 10\nh = 10\nsize = 10\ntext = \"{{nama}}\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "t/template.toml:20: element 2 text \"{{nama}}\": unknown field 'nama'"
            ),
            "{err}"
        );
        let err = load("\n[[element]]\ntype = \"text\"\nx = 0\ny = 0\nw = 10\nh = 10\nsize = 10\ntext = \"{{date | tanggall}}\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("t/template.toml:20: element 2 text"),
            "{err}"
        );
        assert!(err.contains("unknown filter 'tanggall'"), "{err}");
        let err = load(
            "\n[[element]]\ntype = \"line\"\nx1 = 0\ny1 = 0\nx2 = 1\ny2 = 1\nwhen = \"extra.\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("t/template.toml:19: element 2 when"),
            "{err}"
        );
        let err = load("\n[[element]]\ntype = \"circle\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("t/template.toml:14:"), "{err}");
    }

    #[test]
    fn absurd_numbers_are_refused_with_their_line() {
        let err = load("\n[[element]]\ntype = \"text\"\nx = 0\ny = 0\nw = 10\nh = 10\nsize = 1e9\ntext = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("t/template.toml:19: element 2: size = 1000000000 is outside 1…1000"),
            "{err}"
        );
    }

    #[test]
    fn page_sizes_and_orientation() {
        let t = load("").unwrap();
        assert_eq!((t.width_mm, t.height_mm), (215.0, 330.0));
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;

    /// Mutated bundled templates must load or fail with an error, never
    /// panic, and a loaded one must lay out or fail, never panic.
    #[test]
    fn mutated_templates_never_panic() {
        let base = include_str!("../../templates/piagam/template.toml");
        let book = FontBook::with_bundled();
        let qr = crate::qr::encode_seal_text("https://x.example/v#123456").unwrap();
        let mut fields = BTreeMap::new();
        fields.insert("recipient".to_string(), "Nguyễn Thị Ánh".to_string());
        fields.insert("date".to_string(), "2024-08-01".to_string());
        let mut state = 0x853c_49e6_748f_ea9b_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let swaps = [
            "0",
            "-5",
            "1e9",
            "\"\"",
            "\"{{\"",
            "[]",
            "\"#zzzzzz\"",
            "0.0001",
        ];
        for _ in 0..400 {
            let mut lines: Vec<String> = base.lines().map(str::to_owned).collect();
            for _ in 0..3 {
                let i = (next() as usize) % lines.len();
                if let Some(eq) = lines[i].find(" = ") {
                    let value = swaps[(next() as usize) % swaps.len()];
                    lines[i] = format!("{} = {value}", &lines[i][..eq]);
                }
            }
            let text = lines.join("\n");
            let dir = Path::new("templates/piagam");
            if let Ok(t) = Template::from_toml_with(
                &text,
                dir,
                &dir.join("template.toml"),
                Assets::Embedded(crate::demo::TEMPLATE_ASSETS),
            ) {
                let _ = crate::layout::compose(&t, &book, &fields, &qr);
            }
        }
    }
}
