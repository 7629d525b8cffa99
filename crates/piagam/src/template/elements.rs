//! Turning each raw `[[element]]` into a checked [`Element`], one function
//! per kind. Every number is range-checked here, with the line it is on.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::raw::{
    default_color, default_family, default_signatory_size, Localized, RawBackground, RawDefaults,
    RawElement, RawImage, RawLine, RawQr, RawRect, RawSignatory, RawText,
};
use super::{
    element_key_line, Assets, Background, Element, ElementKind, SignatoryElement, TemplateError,
};
use super::{Rule, TextElement, TextPattern};
use crate::locale::Language;
use crate::style::{Raster, Rgb};

/// Coordinates beyond this many mm from the page are typing mistakes.
const FAR: f32 = 10_000.0;

/// What the element builders read from: the file, its folder, the chosen
/// language, and the images decoded so far (each is decoded once).
pub(super) struct Source<'a> {
    pub(super) text: &'a str,
    pub(super) path: &'a Path,
    pub(super) dir: &'a Path,
    pub(super) assets: Assets<'a>,
    pub(super) lang: Language,
    pub(super) languages: &'a [Language],
    pub(super) images: RefCell<BTreeMap<String, Arc<Raster>>>,
    pub(super) defaults: RawDefaults,
}

impl Source<'_> {
    pub(super) fn error(&self, i: usize, key: Option<&str>, message: String) -> TemplateError {
        TemplateError::Invalid {
            path: self.path.to_owned(),
            line: key.and_then(|k| element_key_line(self.text, i, k)),
            message,
        }
    }

    /// Numbers outside their range are typing mistakes, and would make the
    /// layout meaningless or the PDF invalid (NaN, infinity).
    fn range(&self, i: usize, key: &str, v: f32, lo: f32, hi: f32) -> Result<f32, TemplateError> {
        if v.is_finite() && (lo..=hi).contains(&v) {
            Ok(v)
        } else {
            Err(self.error(
                i,
                Some(key),
                format!("element {}: {key} = {v} is outside {lo}…{hi}", i + 1),
            ))
        }
    }

    fn color(&self, i: usize, key: &str, s: &str) -> Result<Rgb, TemplateError> {
        Rgb::parse_hex(s).ok_or_else(|| {
            self.error(
                i,
                Some(key),
                format!("element {}: colour '{s}' is not #rrggbb", i + 1),
            )
        })
    }

    /// The string in this template's language; a per-language string must
    /// give exactly the languages the template offers.
    fn localized<'s>(
        &self,
        i: usize,
        key: &str,
        value: &'s Localized,
    ) -> Result<&'s str, TemplateError> {
        match value {
            Localized::One(s) => Ok(s),
            Localized::PerLanguage(map) => {
                let given: Vec<Language> = map.keys().copied().collect();
                let mut offered = self.languages.to_vec();
                offered.sort();
                if given != offered {
                    return Err(self.error(
                        i,
                        Some(key),
                        format!(
                            "element {}: {key} gives the languages {} but the template offers {}",
                            i + 1,
                            codes(&given),
                            codes(self.languages)
                        ),
                    ));
                }
                Ok(map.get(&self.lang).map(String::as_str).unwrap_or(""))
            }
        }
    }

    fn pattern(
        &self,
        i: usize,
        key: &str,
        value: &Localized,
    ) -> Result<TextPattern, TemplateError> {
        let s = self.localized(i, key, value)?;
        TextPattern::parse(s).map_err(|e| {
            self.error(
                i,
                Some(key),
                format!("element {} {key} \"{s}\": {e}", i + 1),
            )
        })
    }

    fn when(&self, i: usize, when: Option<String>) -> Result<Option<String>, TemplateError> {
        let Some(field) = when else { return Ok(None) };
        TextPattern::parse(&format!("{{{{{field}}}}}"))
            .map_err(|e| self.error(i, Some("when"), format!("element {} when: {e}", i + 1)))?;
        Ok(Some(field))
    }

    /// A file the template names, read within `cap` bytes.
    fn asset(&self, src: &str, cap: u64) -> Result<Vec<u8>, String> {
        match self.assets {
            Assets::Dir | Assets::DirUnconfined => {
                let path = match self.assets {
                    Assets::Dir => crate::fsio::resolve_inside(self.dir, src),
                    _ => Ok(self.dir.join(src)),
                };
                path.and_then(|path| crate::fsio::read_capped(&path, cap))
            }
            Assets::Embedded(files) => files
                .iter()
                .find(|(name, _)| *name == src)
                .map(|(_, b)| b.to_vec())
                .ok_or_else(|| format!("no bundled file {src}")),
        }
    }

    fn image(&self, i: usize, key: &str, src: &str) -> Result<Arc<Raster>, TemplateError> {
        if let Some(done) = self.images.borrow().get(src) {
            return Ok(done.clone());
        }
        let bytes = self
            .asset(src, crate::style::MAX_IMAGE_FILE_BYTES)
            .map_err(|e| TemplateError::Invalid {
                // A missing file is named; a missing bundled one is the
                // template's mistake.
                path: match self.assets {
                    Assets::Embedded(_) => self.path.to_owned(),
                    _ => self.dir.join(src),
                },
                line: element_key_line(self.text, i, key),
                message: format!("element {}: {e}", i + 1),
            })?;
        let raster = Raster::decode(&bytes)
            .map(Arc::new)
            .map_err(|e| TemplateError::Invalid {
                path: self.dir.join(src),
                line: None,
                message: format!("not a usable PNG or JPEG image: {e}"),
            })?;
        self.images
            .borrow_mut()
            .insert(src.to_owned(), raster.clone());
        Ok(raster)
    }

    /// The `[background]`: a page of a PDF (kept as vector art), or a PNG
    /// or JPEG image, told apart by their first bytes.
    pub(super) fn background(&self, raw: &RawBackground) -> Result<Background, TemplateError> {
        let line = self
            .text
            .lines()
            .position(|l| l.trim() == "[background]")
            .map(|n| n + 1);
        let invalid = |message: String| TemplateError::Invalid {
            path: self.dir.join(&raw.src),
            line,
            message: format!("background: {message}"),
        };
        let cap = crate::pdf_page::MAX_PDF_BYTES.max(crate::style::MAX_IMAGE_FILE_BYTES);
        let bytes = self.asset(&raw.src, cap).map_err(invalid)?;
        let is_pdf = bytes
            .get(..1024.min(bytes.len()))
            .is_some_and(|head| head.windows(5).any(|w| w == b"%PDF-"));
        if is_pdf {
            let page = raw.page.unwrap_or(1);
            return crate::pdf_page::EmbeddedPage::read(&bytes, page)
                .map(|p| Background::Pdf(Arc::new(p)))
                .map_err(|e| invalid(e.to_string()));
        }
        if raw.page.is_some() {
            return Err(invalid(
                "page is for a PDF background; this file is an image".into(),
            ));
        }
        if bytes.len() as u64 > crate::style::MAX_IMAGE_FILE_BYTES {
            return Err(invalid("the image file is too large".into()));
        }
        Raster::decode(&bytes)
            .map(|r| Background::Image(Arc::new(r)))
            .map_err(|e| invalid(format!("not a usable PDF, PNG or JPEG file: {e}")))
    }

    pub(super) fn element(&self, i: usize, raw: RawElement) -> Result<Element, TemplateError> {
        match raw {
            RawElement::Text(t) => self.text_element(i, t),
            RawElement::Rect(r) => self.rect(i, r),
            RawElement::Line(l) => self.line(i, l),
            RawElement::Qr(q) => self.qr(i, q),
            RawElement::Image(m) => self.image_element(i, m),
            RawElement::Signatory(s) => self.signatory(i, s),
        }
    }

    fn text_element(&self, i: usize, raw: RawText) -> Result<Element, TemplateError> {
        let RawText {
            text,
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
            color,
            line_spacing,
            underline,
            rule,
            transform,
            when,
            stock,
        } = raw;
        let d = &self.defaults;
        let font = font
            .or_else(|| d.font.clone())
            .unwrap_or_else(default_family);
        let color = color
            .or_else(|| d.color.clone())
            .unwrap_or_else(default_color);
        let Some(size) = size.or(d.size) else {
            return Err(self.error(
                i,
                None,
                format!(
                    "element {}: size is missing (give it here, or once in [defaults])",
                    i + 1
                ),
            ));
        };
        let when = self.when(i, when)?;
        let pattern = self.pattern(i, "text", &text)?;
        if stock {
            if let Some(field) = pattern.fields().next().or(when.as_deref()) {
                return Err(self.error(
                    i,
                    Some("stock"),
                    format!(
                        "element {}: stock = true marks words printed on the blank stock already, the same on every sheet; this one shows {{{{{field}}}}}, which differs per winner",
                        i + 1
                    ),
                ));
            }
        }
        let size = self.range(i, "size", size, 1.0, 1000.0)?;
        let min_size = self.range(i, "min_size", min_size.unwrap_or(size), 1.0, 1000.0)?;
        self.range(i, "max_lines", max_lines as f32, 1.0, 50.0)?;
        let fonts = font.names();
        if fonts.is_empty() {
            return Err(self.error(
                i,
                Some("font"),
                format!("element {}: font list is empty", i + 1),
            ));
        }
        Ok(Element {
            kind: ElementKind::Text(TextElement {
                pattern,
                x: self.range(i, "x", x, -FAR, FAR)?,
                y: self.range(i, "y", y, -FAR, FAR)?,
                w: self.range(i, "w", w, 0.1, FAR)?,
                h: self.range(i, "h", h, 0.1, FAR)?,
                fonts,
                style,
                size,
                min_size: min_size.min(size),
                max_lines,
                align,
                valign,
                color: self.color(i, "color", &color)?,
                line_spacing: self.range(i, "line_spacing", line_spacing, 0.3, 5.0)?,
                underline,
                rule: rule
                    .map(|r| -> Result<Rule, TemplateError> {
                        Ok(Rule {
                            width: self.range(i, "rule", r.width, 0.05, 10.0)?,
                            gap: self.range(i, "rule", r.gap, -50.0, 50.0)?,
                            extend: self.range(i, "rule", r.extend, -100.0, 100.0)?,
                            color: match &r.color {
                                Some(c) => self.color(i, "rule", c)?,
                                None => self.color(i, "color", &color)?,
                            },
                        })
                    })
                    .transpose()?,
                transform,
            }),
            when,
            stock,
        })
    }

    fn rect(&self, i: usize, raw: RawRect) -> Result<Element, TemplateError> {
        let RawRect {
            x,
            y,
            w,
            h,
            radius,
            fill,
            stroke,
            stroke_width,
            when,
            stock,
        } = raw;
        let when = self.when(i, when)?;
        let w = self.range(i, "w", w, 0.01, FAR)?;
        let h = self.range(i, "h", h, 0.01, FAR)?;
        let stroke_width = self.range(i, "stroke_width", stroke_width, 0.01, 50.0)?;
        Ok(Element {
            kind: ElementKind::Rect {
                x: self.range(i, "x", x, -FAR, FAR)?,
                y: self.range(i, "y", y, -FAR, FAR)?,
                w,
                h,
                radius: self.range(i, "radius", radius, 0.0, w.min(h) / 2.0)?,
                fill: fill.map(|c| self.color(i, "fill", &c)).transpose()?,
                stroke: stroke
                    .map(|c| self.color(i, "stroke", &c).map(|c| (c, stroke_width)))
                    .transpose()?,
            },
            when,
            stock,
        })
    }

    fn line(&self, i: usize, raw: RawLine) -> Result<Element, TemplateError> {
        let RawLine {
            x1,
            y1,
            x2,
            y2,
            color,
            width,
            when,
            stock,
        } = raw;
        Ok(Element {
            kind: ElementKind::Line {
                x1: self.range(i, "x1", x1, -FAR, FAR)?,
                y1: self.range(i, "y1", y1, -FAR, FAR)?,
                x2: self.range(i, "x2", x2, -FAR, FAR)?,
                y2: self.range(i, "y2", y2, -FAR, FAR)?,
                color: self.color(i, "color", &color)?,
                width: self.range(i, "width", width, 0.01, 50.0)?,
            },
            when: self.when(i, when)?,
            stock,
        })
    }

    fn qr(&self, i: usize, raw: RawQr) -> Result<Element, TemplateError> {
        let RawQr {
            x,
            y,
            size,
            color,
            caption,
            caption_size,
        } = raw;
        let caption_fonts = self
            .defaults
            .font
            .clone()
            .unwrap_or_else(default_family)
            .names();
        Ok(Element {
            kind: ElementKind::Qr {
                caption_fonts,
                x: self.range(i, "x", x, -FAR, FAR)?,
                y: self.range(i, "y", y, -FAR, FAR)?,
                size: self.range(i, "size", size, 5.0, FAR)?,
                color: self.color(i, "color", &color)?,
                caption: caption
                    .map(|c| self.pattern(i, "caption", &c))
                    .transpose()?,
                caption_size: self.range(i, "caption_size", caption_size, 1.0, 200.0)?,
            },
            when: None,
            stock: false,
        })
    }

    fn image_element(&self, i: usize, raw: RawImage) -> Result<Element, TemplateError> {
        let RawImage {
            src,
            x,
            y,
            w,
            h,
            fit,
            when,
            stock,
        } = raw;
        Ok(Element {
            kind: ElementKind::Image {
                x: self.range(i, "x", x, -FAR, FAR)?,
                y: self.range(i, "y", y, -FAR, FAR)?,
                w: self.range(i, "w", w, 0.1, FAR)?,
                h: self.range(i, "h", h, 0.1, FAR)?,
                fit,
                raster: self.image(i, "src", &src)?,
            },
            when: self.when(i, when)?,
            stock,
        })
    }

    fn signatory(&self, i: usize, raw: RawSignatory) -> Result<Element, TemplateError> {
        let RawSignatory {
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
            color,
            when,
            stock,
        } = raw;
        let d = &self.defaults;
        let font = font
            .or_else(|| d.font.clone())
            .unwrap_or_else(default_family);
        let color = color
            .or_else(|| d.color.clone())
            .unwrap_or_else(default_color);
        let size = size.unwrap_or_else(default_signatory_size);
        Ok(Element {
            kind: ElementKind::Signatory(SignatoryElement {
                x: self.range(i, "x", x, -FAR, FAR)?,
                y: self.range(i, "y", y, -FAR, FAR)?,
                w: self.range(i, "w", w, 1.0, FAR)?,
                h: self.range(i, "h", h, 1.0, FAR)?,
                place_date: place_date
                    .map(|p| self.pattern(i, "place_date", &p))
                    .transpose()?,
                title: self.pattern(i, "title", &title)?,
                name: self.pattern(i, "name", &name)?,
                nip: self.pattern(i, "nip", &nip)?,
                signature: signature
                    .map(|s| self.image(i, "signature", &s))
                    .transpose()?,
                stamp: stamp.map(|s| self.image(i, "stamp", &s)).transpose()?,
                fonts: font.names(),
                size: self.range(i, "size", size, 1.0, 200.0)?,
                color: self.color(i, "color", &color)?,
            }),
            when: self.when(i, when)?,
            stock,
        })
    }
}

fn codes(langs: &[Language]) -> String {
    langs
        .iter()
        .map(|l| l.code())
        .collect::<Vec<_>>()
        .join(", ")
}
