//! Templates: a folder with `template.toml` and its assets. See docs/TEMPLATES.md.

mod elements;
pub mod placeholder;
mod raw;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::locale::Language;
use crate::style::{Align, Raster, Rgb, Style, VAlign};
pub use placeholder::TextPattern;
use raw::{AliasFile, FontFiles, TemplateFile};

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
    /// A rule under the text, as long as its widest line.
    pub rule: Option<Rule>,
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
        /// The caption's font chain (the template's default font).
        caption_fonts: Vec<String>,
        x: f32,
        y: f32,
        size: f32,
        color: Rgb,
        caption: Option<TextPattern>,
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
    /// Files inside the template folder (or the shared `assets` folder
    /// beside it), so a template from someone else cannot read the
    /// organizer's other files into a PDF.
    Dir,
    /// Files anywhere, for a template the organizer trusts
    /// (`--allow-outside-assets`).
    DirUnconfined,
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
    /// Printed on pre-printed blank stock already: a stock print leaves
    /// it out.
    pub stock: bool,
}

impl Element {
    /// The texts this element prints.
    fn patterns(&self) -> Vec<&TextPattern> {
        match &self.kind {
            ElementKind::Text(t) => vec![&t.pattern],
            ElementKind::Signatory(s) => [Some(&s.title), Some(&s.name), Some(&s.nip)]
                .into_iter()
                .chain([s.place_date.as_ref()])
                .flatten()
                .collect(),
            ElementKind::Qr {
                caption: Some(c), ..
            } => vec![c],
            _ => Vec::new(),
        }
    }

    /// The fields this element prints, or is shown only when set.
    fn fields(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.when.as_deref().into_iter().collect();
        out.extend(self.patterns().into_iter().flat_map(TextPattern::fields));
        if matches!(self.kind, ElementKind::Signatory(_)) {
            // The NIP line is shown only when the NIP is set.
            out.push("signatory.nip");
        }
        out
    }
}

/// The design under everything on the page.
#[derive(Debug, Clone)]
pub enum Background {
    /// A page of the designer's PDF, drawn as vector art.
    Pdf(Arc<crate::pdf_page::EmbeddedPage>),
    /// A PNG or JPEG stretched over the page.
    Image(Arc<Raster>),
}

/// Pages may differ from their PDF background's size by this much (a
/// designer's A4 is often 210.02 mm wide).
pub const BACKGROUND_SIZE_TOLERANCE_MM: f32 = 1.0;

/// A line under a text that follows its length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub width: f32,
    /// Below the text's last line's descenders, in mm.
    pub gap: f32,
    /// Beyond each end of the widest line, in mm.
    pub extend: f32,
    pub color: Rgb,
}

/// A loaded, validated template, in one of its languages.
#[derive(Debug, Clone)]
pub struct Template {
    pub dir: PathBuf,
    pub kind: String,
    /// Serial pattern for this document, if it has its own.
    pub numbering: Option<String>,
    pub name: String,
    /// The language this template was loaded in: its strings and filters.
    pub lang: Language,
    /// Every language the template offers; the first is its default.
    pub languages: Vec<Language>,
    pub width_mm: f32,
    pub height_mm: f32,
    /// Drawn first, over the whole page.
    pub background: Option<Background>,
    /// Paper beyond the trim, on each side, that the print files'
    /// background covers (0: none).
    pub bleed_mm: f32,
    pub elements: Vec<Element>,
    /// The template's label for each extra column it names in `[labels]`,
    /// in its language.
    pub labels: BTreeMap<String, String>,
    font_files: Vec<FontFile>,
}

/// One font file a template brings.
#[derive(Debug, Clone)]
pub struct FontFile {
    pub family: String,
    pub style: Style,
    pub path: PathBuf,
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

/// `[labels]` in the template's language. A label is for a roster column
/// the template prints (`{{extra.<column>}}`); any other is refused.
fn resolve_labels(
    raw: &BTreeMap<String, raw::Localized>,
    elements: &[Element],
    lang: Language,
    languages: &[Language],
) -> Result<BTreeMap<String, String>, String> {
    let printed: std::collections::BTreeSet<String> = elements
        .iter()
        .flat_map(Element::fields)
        .filter_map(|f| f.strip_prefix(placeholder::EXTRA_PREFIX).map(str::to_owned))
        .collect();
    let mut labels = BTreeMap::new();
    for (column, label) in raw {
        if !printed.contains(column) {
            return Err(format!(
                "labels.{column}: the template prints no {{{{extra.{column}}}}} to label"
            ));
        }
        let text = match label {
            raw::Localized::One(s) => s.clone(),
            raw::Localized::PerLanguage(map) => {
                let mut given: Vec<Language> = map.keys().copied().collect();
                given.sort();
                let mut offered = languages.to_vec();
                offered.sort();
                if given != offered {
                    return Err(format!(
                        "labels.{column} gives {} languages but the template offers {}",
                        given.len(),
                        offered.len()
                    ));
                }
                map.get(&lang).cloned().unwrap_or_default()
            }
        };
        let text = text.trim().to_owned();
        if text.is_empty() || text.chars().count() > 60 {
            return Err(format!("labels.{column}: a label is 1 to 60 characters"));
        }
        labels.insert(column.clone(), text);
    }
    Ok(labels)
}

/// Why an element does not lie where it prints whole: the seal and every
/// text on the page itself (a part beyond the edge is cut off, and what is
/// printed must be what is signed); a drawing or image may reach into the
/// bleed. None if it does.
fn off_the_page(kind: &ElementKind, width: f32, height: f32, bleed: f32) -> Option<String> {
    const SLACK_MM: f32 = 0.05;
    let (what, [x0, y0, x1, y1], reach) = match kind {
        ElementKind::Qr { x, y, size, .. } => ("the QR code", [*x, *y, x + size, y + size], 0.0),
        ElementKind::Text(t) => ("the text", [t.x, t.y, t.x + t.w, t.y + t.h], 0.0),
        ElementKind::Signatory(s) => ("the signatory", [s.x, s.y, s.x + s.w, s.y + s.h], 0.0),
        ElementKind::Rect { x, y, w, h, .. } | ElementKind::Image { x, y, w, h, .. } => {
            ("the box", [*x, *y, x + w, y + h], bleed)
        }
        ElementKind::Line { x1, y1, x2, y2, .. } => (
            "the line",
            [x1.min(*x2), y1.min(*y2), x1.max(*x2), y1.max(*y2)],
            bleed,
        ),
    };
    let outside = x0 < -reach - SLACK_MM
        || y0 < -reach - SLACK_MM
        || x1 > width + reach + SLACK_MM
        || y1 > height + reach + SLACK_MM;
    // To a tenth of a millimetre, as a person measures a page.
    let mm = |v: f32| {
        let tenths = (v * 10.0).round() / 10.0;
        if tenths.fract() == 0.0 {
            format!("{tenths:.0}")
        } else {
            format!("{tenths:.1}")
        }
    };
    outside.then(|| {
        format!(
            "{what} spans {}–{} × {}–{} mm, beyond the {}×{} mm page{}; move it onto the page",
            mm(x0),
            mm(x1),
            mm(y0),
            mm(y1),
            mm(width),
            mm(height),
            if reach > 0.0 { " and its bleed" } else { "" }
        )
    })
}

/// Whether `bytes` are a PNG or JPEG image a template can print (as an
/// image, a signature or a stamp); the reason if not.
pub fn usable_image(bytes: &[u8]) -> Result<(), String> {
    crate::style::Raster::decode(bytes)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

impl Template {
    /// The place of the QR element among the elements (there is one).
    pub fn qr_element(&self) -> Option<usize> {
        self.elements
            .iter()
            .position(|e| matches!(e.kind, ElementKind::Qr { .. }))
    }

    /// Loads `DIR/template.toml` in its default language.
    pub fn load(dir: &Path) -> Result<Template, TemplateError> {
        Template::load_in(dir, None)
    }

    /// Loads `DIR/template.toml` in `lang`, or in its default language.
    /// A folder whose file only says `extends = "../other"` and `lang` is
    /// another name for that template in that language.
    pub fn load_in(dir: &Path, lang: Option<Language>) -> Result<Template, TemplateError> {
        Template::load_with(dir, lang, Assets::Dir)
    }

    /// [`Template::load_in`], with a choice of where its files may lie.
    pub fn load_with(
        dir: &Path,
        lang: Option<Language>,
        assets: Assets<'_>,
    ) -> Result<Template, TemplateError> {
        let path = dir.join("template.toml");
        let text = read_template_file(&path)?;
        if let Some(alias) = parse_alias(&text, &path)? {
            let target = lexical_join(dir, &alias.extends);
            let target_path = target.join("template.toml");
            let target_text = read_template_file(&target_path)?;
            if parse_alias(&target_text, &target_path)?.is_some() {
                return Err(TemplateError::Invalid {
                    path: target_path,
                    line: None,
                    message: "an alias may not point at another alias".into(),
                });
            }
            return Template::from_toml_with(
                &target_text,
                &target,
                &target_path,
                assets,
                Some(lang.unwrap_or(alias.lang)),
            );
        }
        Template::from_toml_with(&text, dir, &path, assets, lang)
    }

    pub fn from_toml(text: &str, dir: &Path, path: &Path) -> Result<Template, TemplateError> {
        Template::from_toml_with(text, dir, path, Assets::Dir, None)
    }

    /// Reads a template from its text in `lang` (default: its first).
    pub fn from_toml_with(
        text: &str,
        dir: &Path,
        path: &Path,
        assets: Assets<'_>,
        lang: Option<Language>,
    ) -> Result<Template, TemplateError> {
        let invalid = |message: String| TemplateError::Invalid {
            path: path.to_owned(),
            line: None,
            message,
        };
        let file: TemplateFile = toml::from_str(text).map_err(|e| toml_error(&e, text, path))?;
        let languages = match (&file.lang, &file.languages) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "give either lang (one language) or languages (several), not both".into(),
                ))
            }
            (Some(one), None) => vec![*one],
            (None, Some(list)) if !list.is_empty() => {
                let mut seen = list.clone();
                seen.sort();
                seen.dedup();
                if seen.len() != list.len() {
                    return Err(invalid("languages lists a language twice".into()));
                }
                list.clone()
            }
            (None, Some(_)) => return Err(invalid("languages is empty".into())),
            (None, None) => vec![Language::Id],
        };
        let lang = lang.unwrap_or(languages[0]);
        if !languages.contains(&lang) {
            return Err(invalid(format!(
                "this template has no '{lang}' strings (it offers: {})",
                languages
                    .iter()
                    .map(|l| l.code())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        if let Some(pattern) = &file.numbering {
            crate::numbering::check_pattern(pattern)
                .map_err(|e| invalid(format!("numbering: {e}")))?;
        }
        let source = elements::Source {
            text,
            path,
            dir,
            assets,
            lang,
            languages: &languages,
            images: Default::default(),
            defaults: file.defaults.clone(),
        };
        let background = match &file.background {
            Some(raw) => Some(source.background(raw)?),
            None => None,
        };
        let (width_mm, height_mm) =
            page_dimensions(file.page.as_ref(), background.as_ref()).map_err(invalid)?;
        let bleed_mm = file.page.as_ref().and_then(|p| p.bleed_mm).unwrap_or(0.0);
        if !(0.0..=MAX_BLEED_MM).contains(&bleed_mm) {
            return Err(invalid(format!(
                "page.bleed_mm is {bleed_mm}; a bleed is 0 to {MAX_BLEED_MM} mm (print shops ask for 3)"
            )));
        }
        let font_files = font_files(&file.fonts, dir, path, assets)?;
        let elements = file
            .elements
            .into_iter()
            .enumerate()
            .map(|(i, raw)| source.element(i, raw))
            .collect::<Result<Vec<_>, _>>()?;
        let elements = downsample_images(elements);
        let qr_count = elements
            .iter()
            .filter(|e| matches!(e.kind, ElementKind::Qr { .. }))
            .count();
        if qr_count != 1 {
            return Err(invalid(format!(
                "a template needs exactly one qr element, found {qr_count}"
            )));
        }
        for (i, element) in elements.iter().enumerate() {
            if let Some(message) = off_the_page(&element.kind, width_mm, height_mm, bleed_mm) {
                return Err(source.error(i, Some("x"), format!("element {}: {message}", i + 1)));
            }
        }
        // In the template's first language, whatever this variant's: a
        // document printed in two languages has one seal.
        let first = languages.first().copied().unwrap_or(lang);
        let labels = resolve_labels(&file.labels, &elements, first, &languages).map_err(invalid)?;
        Ok(Template {
            dir: dir.to_owned(),
            numbering: file.numbering,
            kind: file.kind,
            name: file.name,
            lang,
            languages,
            width_mm,
            height_mm,
            background,
            bleed_mm,
            elements,
            labels,
            font_files,
        })
    }

    /// The font files this template brings, with their paths resolved.
    pub fn font_files(&self) -> &[FontFile] {
        &self.font_files
    }

    /// Each font family the template names, with the styles it needs.
    pub fn font_uses(&self) -> Vec<(&str, Style)> {
        let mut uses = Vec::new();
        for e in &self.elements {
            match &e.kind {
                ElementKind::Text(t) => {
                    uses.extend(t.fonts.iter().map(|f| (f.as_str(), t.style)));
                }
                ElementKind::Signatory(s) => {
                    for f in &s.fonts {
                        uses.push((f.as_str(), Style::Regular));
                        uses.push((f.as_str(), Style::Bold));
                    }
                }
                ElementKind::Qr {
                    caption: Some(_),
                    caption_fonts,
                    ..
                } => uses.extend(caption_fonts.iter().map(|f| (f.as_str(), Style::Regular))),
                _ => {}
            }
        }
        uses
    }

    /// Every field the page can show, or that decides what it shows
    /// (`when`). Each must be signed for every document.
    pub fn printed_fields(&self) -> std::collections::BTreeSet<&str> {
        self.elements.iter().flat_map(Element::fields).collect()
    }

    /// Extra column `column` as this template prints it for `fields`: its
    /// first `{{extra.<column>}}`, filters applied in the template's first
    /// language (so every language's variant signs the same); None if not
    /// printed.
    pub fn printed_form(&self, column: &str, fields: &BTreeMap<String, String>) -> Option<String> {
        let name = format!("{}{column}", placeholder::EXTRA_PREFIX);
        let first = self.languages.first().copied().unwrap_or(self.lang);
        self.elements
            .iter()
            .flat_map(Element::patterns)
            .find_map(|p| p.render_field(&name, fields, first))
    }
}

/// `dir/relative` with `..` resolved by name, so messages and file
/// lookups show `templates/piagam`, not `templates/piagam-en/../piagam`.
fn lexical_join(dir: &Path, relative: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = dir.to_path_buf();
    for part in relative.components() {
        match part {
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Print resolution images need at most; more is only bytes.
const IMAGE_DPI: f32 = 600.0;

/// Shrinks each image that is far larger than the largest box showing it
/// needs at [`IMAGE_DPI`]. Elements sharing an image still share it.
fn downsample_images(mut elements: Vec<Element>) -> Vec<Element> {
    use std::collections::HashMap;
    let px = |mm: f32| (mm / 25.4 * IMAGE_DPI).ceil().clamp(1.0, 100_000.0) as u32;
    let mut need: HashMap<String, (u32, u32)> = HashMap::new();
    let mut note = |r: &Arc<Raster>, w: f32, h: f32| {
        let e = need.entry(r.id.clone()).or_insert((1, 1));
        *e = (e.0.max(px(w)), e.1.max(px(h)));
    };
    for e in &elements {
        match &e.kind {
            ElementKind::Image { w, h, raster, .. } => note(raster, *w, *h),
            ElementKind::Signatory(s) => {
                for r in [&s.signature, &s.stamp].into_iter().flatten() {
                    note(r, s.w, s.h);
                }
            }
            _ => {}
        }
    }
    let mut done: HashMap<String, Arc<Raster>> = HashMap::new();
    let mut shrink = |r: &mut Arc<Raster>| {
        let (w, h) = need.get(&r.id).copied().unwrap_or((r.width, r.height));
        let small = done
            .entry(r.id.clone())
            .or_insert_with(|| r.at_most(w, h))
            .clone();
        *r = small;
    };
    for e in &mut elements {
        match &mut e.kind {
            ElementKind::Image { raster, .. } => shrink(raster),
            ElementKind::Signatory(s) => {
                for r in [&mut s.signature, &mut s.stamp].into_iter().flatten() {
                    shrink(r);
                }
            }
            _ => {}
        }
    }
    elements
}

/// Resolves the `[fonts]` table, keeping each file inside the template's
/// folders unless the organizer allowed otherwise.
fn font_files(
    fonts: &BTreeMap<String, FontFiles>,
    dir: &Path,
    path: &Path,
    assets: Assets<'_>,
) -> Result<Vec<FontFile>, TemplateError> {
    let mut out = Vec::new();
    for (family, files) in fonts {
        for (style, file) in [
            (Style::Regular, &files.regular),
            (Style::Bold, &files.bold),
            (Style::Italic, &files.italic),
        ] {
            let Some(file) = file else { continue };
            let resolved = match assets {
                Assets::Dir => crate::fsio::resolve_inside(dir, &file.to_string_lossy()).map_err(
                    |message| TemplateError::Invalid {
                        path: path.to_owned(),
                        line: None,
                        message: format!("font '{family}': {message}"),
                    },
                )?,
                _ => dir.join(file),
            };
            out.push(FontFile {
                family: family.clone(),
                style,
                path: resolved,
            });
        }
    }
    Ok(out)
}

fn read_template_file(path: &Path) -> Result<String, TemplateError> {
    crate::fsio::read_text_capped(path, MAX_TEMPLATE_BYTES).map_err(|e| TemplateError::Io {
        path: path.to_owned(),
        message: e,
    })
}

/// A template file is a few kilobytes; anything near this is not one.
pub const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;

fn toml_error(e: &toml::de::Error, text: &str, path: &Path) -> TemplateError {
    TemplateError::Invalid {
        path: path.to_owned(),
        line: e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
        message: e.message().to_owned(),
    }
}

/// The alias form of a template file, if that is what it is.
fn parse_alias(text: &str, path: &Path) -> Result<Option<AliasFile>, TemplateError> {
    let table: toml::Table = toml::from_str(text).map_err(|e| toml_error(&e, text, path))?;
    if !table.contains_key("extends") {
        return Ok(None);
    }
    toml::from_str(text)
        .map(Some)
        .map_err(|e| toml_error(&e, text, path))
}

/// The page's width and height in mm, portrait.
/// The page's width and height in mm: as `[page]` says, or, without it,
/// as the PDF background's page is. A PDF background that differs from
/// `[page]` by more than the tolerance would be stretched: refused.
fn page_dimensions(
    page: Option<&raw::PageSpec>,
    background: Option<&Background>,
) -> Result<(f32, f32), String> {
    let pdf_size = match background {
        Some(Background::Pdf(p)) => Some(p.size_mm()),
        _ => None,
    };
    let Some((page, size)) = page.and_then(|p| Some((p, p.size.as_deref()?))) else {
        return pdf_size.ok_or_else(|| {
            "[page] has no size: give its size and orientation (only a PDF background gives its own)"
                .to_owned()
        });
    };
    let (w, h) = page_size(page, size)?;
    let (w, h) = match page.orientation {
        Some(Orientation::Portrait) => (w, h),
        Some(Orientation::Landscape) => (h, w),
        None => return Err("page.orientation is missing: portrait or landscape".into()),
    };
    if let Some((bw, bh)) = pdf_size {
        if (bw - w).abs() > BACKGROUND_SIZE_TOLERANCE_MM
            || (bh - h).abs() > BACKGROUND_SIZE_TOLERANCE_MM
        {
            return Err(format!(
                "the background PDF's page is {bw:.1} × {bh:.1} mm, but [page] is {w:.1} × {h:.1} mm; remove [page] to take the background's size, or export the design at the page's size"
            ));
        }
    }
    Ok((w, h))
}

/// The most bleed a template may ask.
pub const MAX_BLEED_MM: f32 = 10.0;

fn page_size(page: &raw::PageSpec, size: &str) -> Result<(f32, f32), String> {
    if size.eq_ignore_ascii_case("custom") {
        match (page.width, page.height) {
            (Some(w), Some(h))
                if w.is_finite()
                    && h.is_finite()
                    && (10.0..=5000.0).contains(&w)
                    && (10.0..=5000.0).contains(&h) =>
            {
                Ok((w.min(h), w.max(h)))
            }
            _ => Err("page.size = \"custom\" needs width and height in mm, each 10…5000".into()),
        }
    } else {
        paper_size(size).ok_or_else(|| {
            format!("page.size '{size}' is unknown (A4, F4, A3, A5, Letter, Legal or custom)")
        })
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

    fn text_element(text: &str) -> String {
        format!("\n[[element]]\ntype = \"text\"\nx = 0\ny = 0\nw = 10\nh = 10\nsize = 10\ntext = {text}\n")
    }

    #[test]
    fn what_prints_must_lie_on_the_page_and_drawings_may_reach_the_bleed() {
        let err = load(
            &text_element("\"{{recipient}}\"")
                .replace("x = 0\ny = 0\nw = 10", "x = 200\ny = 0\nw = 20"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("element 2: the text spans 200–220 × 0–10 mm, beyond the 215×330 mm page"),
            "{err}"
        );
        let rect = |x: f32| {
            format!("\n[[element]]\ntype = \"rect\"\nx = {x}\ny = 0\nw = 10\nh = 10\nfill = \"#ff0000\"\n")
        };
        let bled = |body: &str| {
            let text = HEAD.replace(
                "orientation = \"portrait\"\n",
                "orientation = \"portrait\"\nbleed_mm = 3\n",
            ) + body;
            Template::from_toml(&text, Path::new("t"), Path::new("t/template.toml"))
        };
        assert!(bled(&rect(-3.0)).is_ok());
        let err = bled(&rect(-4.0)).unwrap_err().to_string();
        assert!(
            err.contains("beyond the 215×330 mm page and its bleed"),
            "{err}"
        );
    }

    #[test]
    fn a_field_the_seal_does_not_sign_is_refused_naming_the_element() {
        let err = load(&text_element("\"Dicetak {{today}}\""))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "t/template.toml:20: element 2 text \"Dicetak {{today}}\": 'today' is not a field the seal signs"
            ),
            "{err}"
        );
        let err = load("\n[[element]]\ntype = \"signatory\"\nx = 0\ny = 0\nw = 50\nh = 40\nplace_date = \"{{roster.row}}\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("t/template.toml:19: element 2 place_date"),
            "{err}"
        );
        let err = load("\n[[element]]\ntype = \"line\"\nx1 = 0\ny1 = 0\nx2 = 1\ny2 = 1\nwhen = \"nomor_urut\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("t/template.toml:19: element 2 when"),
            "{err}"
        );
    }

    #[test]
    fn unknown_filters_and_element_types_name_the_file_and_line() {
        let err = load(&text_element("\"{{date | tanggall}}\""))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("t/template.toml:20: element 2 text"),
            "{err}"
        );
        assert!(err.contains("unknown filter 'tanggall'"), "{err}");
        let err = load("\n[[element]]\ntype = \"circle\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("t/template.toml:14:"), "{err}");
    }

    #[test]
    fn printed_fields_include_when_fields_and_the_nip() {
        let t = load(&format!(
            "{}\n[[element]]\ntype = \"signatory\"\nx = 0\ny = 0\nw = 50\nh = 40\nwhen = \"extra.Juri\"\n",
            text_element("\"{{extra.peringkat | ordinal}} {{recipient}}\"")
        ))
        .unwrap();
        let fields: Vec<&str> = t.printed_fields().into_iter().collect();
        assert_eq!(
            fields,
            [
                "extra.Juri",
                "extra.peringkat",
                "recipient",
                "signatory.name",
                "signatory.nip",
                "signatory.title"
            ]
        );
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
        for (body, line, key) in [
            (
                "type = \"rect\"\nx = 0\ny = 0\nw = -5\nh = 10\nradius = 2",
                17,
                "w",
            ),
            (
                "type = \"rect\"\nx = 0\ny = 0\nw = 5\nh = 10\nradius = 3",
                19,
                "radius",
            ),
            ("type = \"rect\"\nx = nan\ny = 0\nw = 5\nh = 10", 15, "x"),
            (
                "type = \"line\"\nx1 = 0\ny1 = inf\nx2 = 1\ny2 = 1",
                16,
                "y1",
            ),
            (
                "type = \"line\"\nx1 = 0\ny1 = 0\nx2 = 1\ny2 = 1\nwidth = -1",
                19,
                "width",
            ),
            (
                "type = \"signatory\"\nx = 1e30\ny = 0\nw = 50\nh = 40",
                15,
                "x",
            ),
        ] {
            let err = load(&format!("\n[[element]]\n{body}\n"))
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with(&format!("t/template.toml:{line}: element 2: {key} = ")),
                "{body}: {err}"
            );
        }
        let err = Template::from_toml(
            "kind = \"k\"\nname = \"n\"\n[page]\nsize = \"custom\"\norientation = \"portrait\"\nwidth = inf\nheight = 100\n",
            Path::new("t"),
            Path::new("t/template.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("needs width and height in mm"), "{err}");
    }

    #[test]
    fn defaults_give_font_size_and_colour_once() {
        let text = "kind = \"piagam\"\nname = \"t\"\n[page]\nsize = \"A4\"\norientation = \"landscape\"\n\n[defaults]\nfont = \"EB Garamond\"\nsize = 18\ncolor = \"#1f3a5f\"\n\n[[element]]\ntype = \"text\"\ntext = \"a\"\nx = 10\ny = 10\nw = 100\nh = 20\n\n[[element]]\ntype = \"text\"\ntext = \"b\"\nx = 10\ny = 40\nw = 100\nh = 20\nsize = 9\nfont = \"Charis SIL\"\n\n[[element]]\ntype = \"qr\"\nx = 10\ny = 100\nsize = 30\ncaption = \"Pindai\"\n";
        let t = Template::from_toml(text, Path::new("t"), Path::new("t/template.toml")).unwrap();
        let texts: Vec<&TextElement> = t
            .elements
            .iter()
            .filter_map(|e| match &e.kind {
                ElementKind::Text(t) => Some(t),
                _ => None,
            })
            .collect();
        assert_eq!(texts[0].fonts, ["EB Garamond"]);
        assert_eq!(texts[0].size, 18.0);
        assert_eq!(
            texts[0].color,
            Rgb {
                r: 0x1f,
                g: 0x3a,
                b: 0x5f
            }
        );
        // An element's own setting wins.
        assert_eq!(texts[1].fonts, ["Charis SIL"]);
        assert_eq!(texts[1].size, 9.0);
        // The QR caption takes the template's font too.
        assert!(t.elements.iter().any(|e| matches!(&e.kind,
            ElementKind::Qr { caption_fonts, .. } if caption_fonts == &["EB Garamond"])));
        assert!(t.font_uses().contains(&("EB Garamond", Style::Regular)));
        // Without [defaults], a text must say its size.
        let bare = text.replace(
            "[defaults]\nfont = \"EB Garamond\"\nsize = 18\n",
            "[defaults]\n",
        );
        let e = Template::from_toml(&bare, Path::new("t"), Path::new("t/template.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("element 1: size is missing"), "{e}");
    }

    #[test]
    fn a_rule_follows_the_length_of_its_text() {
        let book = crate::layout::fonts::FontBook::with_bundled();
        let qr = crate::qr::encode_seal_text("https://x.example/v#123456").unwrap();
        let rule_of = |name: &str| {
            let t = load(
                "[[element]]\ntype = \"text\"\ntext = \"{{recipient}}\"\nx = 20\ny = 50\nw = 170\nh = 20\nsize = 20\nalign = \"center\"\nrule = { width = 0.5, gap = 2, extend = 4 }\n",
            )
            .unwrap();
            let mut fields = BTreeMap::new();
            fields.insert("recipient".to_string(), name.to_string());
            let page =
                crate::layout::compose(&t, &book, &fields, &qr, None, Default::default()).unwrap();
            page.items()
                .iter()
                .find_map(|i| match i {
                    crate::layout::page::Item::Line {
                        x1, x2, y1, stroke, ..
                    } => Some((*x1, *x2, *y1, stroke.width_mm)),
                    _ => None,
                })
                .unwrap()
        };
        let (short_left, short_right, y, width) = rule_of("Ani");
        let (long_left, long_right, _, _) = rule_of("Pemerintah Kabupaten Contoh");
        assert_eq!(width, 0.5);
        // Centred under the text, 4 mm beyond each end, longer for longer text.
        assert!((short_left + short_right - 2.0 * 105.0).abs() < 0.01);
        assert!(long_right - long_left > 3.0 * (short_right - short_left));
        assert!(short_right - short_left > 8.0);
        // Below the text's line, inside its box.
        assert!(y > 50.0 && y < 70.0 + 5.0, "{y}");
    }

    #[test]
    fn page_sizes_and_orientation() {
        let t = load("").unwrap();
        assert_eq!((t.width_mm, t.height_mm), (215.0, 330.0));
        assert_eq!(t.languages, [Language::Id]);
    }

    #[test]
    fn per_language_strings_follow_the_chosen_language() {
        let body = "languages = [\"id\", \"en\"]\n".to_owned()
            + HEAD
            + &text_element("{ id = \"Nomor {{serial}}\", en = \"No. {{serial}}\" }");
        let at = |lang| {
            Template::from_toml_with(
                &body,
                Path::new("t"),
                Path::new("t/template.toml"),
                Assets::Dir,
                lang,
            )
        };
        let pattern = |t: &Template| match &t.elements[1].kind {
            ElementKind::Text(text) => text.pattern.clone(),
            _ => panic!("element 2 is text"),
        };
        let id = at(None).unwrap();
        assert_eq!(id.lang, Language::Id);
        assert_eq!(
            pattern(&id),
            TextPattern::parse("Nomor {{serial}}").unwrap()
        );
        let en = at(Some(Language::En)).unwrap();
        assert_eq!(en.lang, Language::En);
        assert_eq!(pattern(&en), TextPattern::parse("No. {{serial}}").unwrap());

        let one_language = HEAD.to_owned() + &text_element("\"x\"");
        let err = Template::from_toml_with(
            &one_language,
            Path::new("t"),
            Path::new("t/template.toml"),
            Assets::Dir,
            Some(Language::En),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("has no 'en' strings (it offers: id)"), "{err}");

        let missing = "languages = [\"id\", \"en\"]\n".to_owned()
            + HEAD
            + &text_element("{ id = \"Nomor\" }");
        let err = Template::from_toml(&missing, Path::new("t"), Path::new("t/template.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("element 2: text gives the languages id but the template offers id, en"),
            "{err}"
        );
    }

    #[test]
    fn old_language_folders_are_aliases_of_the_bilingual_template() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates");
        for (alias, base) in [("piagam-en", "piagam"), ("sertifikat-en", "sertifikat")] {
            let via_alias = Template::load(&root.join(alias)).unwrap();
            let direct = Template::load_in(&root.join(base), Some(Language::En)).unwrap();
            assert_eq!(via_alias.lang, Language::En);
            assert_eq!(via_alias.dir, direct.dir);
            assert_eq!(via_alias.kind, direct.kind);
            assert_eq!(via_alias.elements.len(), direct.elements.len());
        }
    }

    /// The image of every image element, in order.
    fn images(t: &Template) -> Vec<&Arc<Raster>> {
        t.elements
            .iter()
            .filter_map(|e| match &e.kind {
                ElementKind::Image { raster, .. } => Some(raster),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn images_far_larger_than_their_box_are_downsampled_once() {
        let tmp = tempfile::tempdir().unwrap();
        image::RgbImage::from_pixel(3000, 1500, image::Rgb([200, 30, 30]))
            .save(tmp.path().join("big.png"))
            .unwrap();
        let body = "\n[[element]]\ntype = \"image\"\nsrc = \"big.png\"\nx = 0\ny = 0\nw = 20\nh = 20\n\n[[element]]\ntype = \"image\"\nsrc = \"big.png\"\nx = 0\ny = 0\nw = 40\nh = 10\n";
        let text = format!("{HEAD}{body}");
        let t = Template::from_toml(&text, tmp.path(), &tmp.path().join("template.toml")).unwrap();
        let rasters = images(&t);
        // Both boxes together need 945 × 473 pixels at 600 dpi (40 × 20 mm);
        // the image keeps its shape and covers both.
        let (w, h) = (rasters[0].width, rasters[0].height);
        assert!(
            (945..=948).contains(&w) && (473..=475).contains(&h),
            "{w}×{h}"
        );
        assert!(Arc::ptr_eq(rasters[0], rasters[1]));
    }

    #[test]
    fn each_image_is_decoded_once_per_template() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates/piagam");
        let logo = "[[element]]\ntype = \"image\"\nsrc = \"../assets/logo-placeholder.png\"\nx = 10\ny = 10\nw = 20\nh = 20\n\n";
        let text = format!("{HEAD}{logo}{}", logo.replace("x = 10", "x = 180"));
        let t = Template::from_toml(&text, &dir, &dir.join("template.toml")).unwrap();
        let logos = images(&t);
        assert_eq!(logos.len(), 2);
        assert!(std::sync::Arc::ptr_eq(logos[0], logos[1]));
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use crate::layout::fonts::FontBook;

    /// Mutated bundled templates must load or fail with an error, never
    /// panic, and a loaded one must lay out or fail, never panic.
    #[test]
    fn mutated_templates_never_panic() {
        let started = std::time::Instant::now();
        let base = include_str!("../../../../templates/piagam/template.toml");
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
            "nan",
            "\"\"",
            "\"{{\"",
            "[]",
            "\"#zzzzzz\"",
            "0.0001",
        ];
        let (mut loaded, mut refused, mut composed) = (0, 0, 0);
        // PIAGAM_FUZZ_ITERATIONS runs it longer (time limit off then).
        let longer = std::env::var("PIAGAM_FUZZ_ITERATIONS")
            .ok()
            .and_then(|v| v.parse::<usize>().ok());
        for _ in 0..longer.unwrap_or(400) {
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
            match Template::from_toml_with(
                &text,
                dir,
                &dir.join("template.toml"),
                Assets::Embedded(crate::demo::TEMPLATE_ASSETS),
                None,
            ) {
                Ok(t) => {
                    loaded += 1;
                    composed += usize::from(
                        crate::layout::compose(&t, &book, &fields, &qr, None, Default::default())
                            .is_ok(),
                    );
                }
                Err(e) => {
                    refused += 1;
                    // Every refusal names the file.
                    assert!(e.to_string().contains("template.toml"), "{e}");
                }
            }
        }
        assert!(
            loaded > 10 && refused > 100,
            "loaded {loaded}, refused {refused}"
        );
        assert!(composed > 0, "no mutated template composed");
        assert!(
            longer.is_some() || started.elapsed() < std::time::Duration::from_secs(60),
            "400 mutations took {:?}",
            started.elapsed()
        );
    }
}
