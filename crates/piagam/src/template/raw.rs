//! The template file as written: serde shapes and defaults, before checking.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use super::{Fit, Orientation, Transform};
use crate::locale::Language;
use crate::style::{Align, Style, VAlign};

/// An old template folder kept as a name for one language of another:
/// `extends = "../piagam"` and `lang = "en"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AliasFile {
    pub(super) extends: PathBuf,
    pub(super) lang: Language,
}

/// A string printed as written, or one string per language.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(super) enum Localized {
    One(String),
    PerLanguage(BTreeMap<Language, String>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TemplateFile {
    pub(super) kind: String,
    pub(super) name: String,
    /// The one language of a template whose strings are all plain.
    pub(super) lang: Option<Language>,
    /// The languages a template with per-language strings offers; the
    /// first is its default.
    pub(super) languages: Option<Vec<Language>>,
    /// This document's own serial pattern, overriding piagam.toml's.
    pub(super) numbering: Option<String>,
    /// Optional with a PDF background, whose page size it then takes.
    pub(super) page: Option<PageSpec>,
    pub(super) background: Option<RawBackground>,
    #[serde(default)]
    pub(super) fonts: BTreeMap<String, FontFiles>,
    /// What elements take when they do not say: font, size, colour.
    #[serde(default)]
    pub(super) defaults: RawDefaults,
    #[serde(rename = "element", default)]
    pub(super) elements: Vec<RawElement>,
    /// `[labels]`: the template's own name for a roster column it prints
    /// (`peringkat = { id = "Peringkat", en = "Rank" }`), signed (in the
    /// template's first language) so a verifier shows it as the page does.
    #[serde(default)]
    pub(super) labels: BTreeMap<String, Localized>,
}

/// `[defaults]`: the template's own font, size and colour, so a design
/// in one typeface says so once.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDefaults {
    pub(super) font: Option<FontChain>,
    pub(super) size: Option<f32>,
    pub(super) color: Option<String>,
}

/// A rule under a text, as long as the text's widest line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    /// The line's width in mm.
    #[serde(default = "default_stroke_width")]
    pub(super) width: f32,
    /// Below the text's last line (its descenders), in mm.
    #[serde(default = "default_rule_gap")]
    pub(super) gap: f32,
    /// Beyond the text at each end, in mm.
    #[serde(default)]
    pub(super) extend: f32,
    /// Default: the text's colour.
    pub(super) color: Option<String>,
}

fn default_rule_gap() -> f32 {
    1.5
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FontFiles {
    pub(super) regular: Option<PathBuf>,
    pub(super) bold: Option<PathBuf>,
    pub(super) italic: Option<PathBuf>,
}

/// `[background]`: the design under everything, a PDF page or an image.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBackground {
    pub(super) src: String,
    /// The page of a PDF, from 1.
    pub(super) page: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PageSpec {
    /// A4, F4, A3, Letter, Legal, or "custom" with width and height;
    /// none to take a PDF background's.
    pub(super) size: Option<String>,
    pub(super) orientation: Option<Orientation>,
    pub(super) width: Option<f32>,
    pub(super) height: Option<f32>,
    /// Paper beyond the trim that the print files' background covers.
    pub(super) bleed_mm: Option<f32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub(super) enum RawElement {
    Text(RawText),
    Rect(RawRect),
    Line(RawLine),
    Qr(RawQr),
    Image(RawImage),
    Signatory(RawSignatory),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawText {
    pub(super) text: Localized,
    pub(super) x: f32,
    pub(super) y: f32,
    pub(super) w: f32,
    pub(super) h: f32,
    /// Default: `[defaults] font`, else Charis SIL.
    pub(super) font: Option<FontChain>,
    #[serde(default = "default_style")]
    pub(super) style: Style,
    /// Default: `[defaults] size`.
    pub(super) size: Option<f32>,
    pub(super) min_size: Option<f32>,
    #[serde(default = "one")]
    pub(super) max_lines: usize,
    #[serde(default)]
    pub(super) align: Align,
    #[serde(default)]
    pub(super) valign: VAlign,
    /// Default: `[defaults] color`, else black.
    pub(super) color: Option<String>,
    #[serde(default = "default_spacing")]
    pub(super) line_spacing: f32,
    #[serde(default)]
    pub(super) underline: bool,
    /// A rule under the text, as long as its widest line.
    pub(super) rule: Option<RawRule>,
    /// Letter case applied after placeholders are filled.
    pub(super) transform: Option<Transform>,
    pub(super) when: Option<String>,
    /// Printed on the blank stock already: left out of a stock print.
    #[serde(default)]
    pub(super) stock: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRect {
    pub(super) x: f32,
    pub(super) y: f32,
    pub(super) w: f32,
    pub(super) h: f32,
    #[serde(default)]
    pub(super) radius: f32,
    pub(super) fill: Option<String>,
    pub(super) stroke: Option<String>,
    #[serde(default = "default_stroke_width")]
    pub(super) stroke_width: f32,
    pub(super) when: Option<String>,
    /// Printed on the blank stock already: left out of a stock print.
    #[serde(default)]
    pub(super) stock: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLine {
    pub(super) x1: f32,
    pub(super) y1: f32,
    pub(super) x2: f32,
    pub(super) y2: f32,
    #[serde(default = "default_color")]
    pub(super) color: String,
    #[serde(default = "default_stroke_width")]
    pub(super) width: f32,
    pub(super) when: Option<String>,
    /// Printed on the blank stock already: left out of a stock print.
    #[serde(default)]
    pub(super) stock: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawQr {
    pub(super) x: f32,
    pub(super) y: f32,
    pub(super) size: f32,
    #[serde(default = "default_color")]
    pub(super) color: String,
    pub(super) caption: Option<Localized>,
    #[serde(default = "default_caption_size")]
    pub(super) caption_size: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawImage {
    pub(super) src: String,
    pub(super) x: f32,
    pub(super) y: f32,
    pub(super) w: f32,
    pub(super) h: f32,
    #[serde(default)]
    pub(super) fit: Fit,
    pub(super) when: Option<String>,
    /// Printed on the blank stock already: left out of a stock print.
    #[serde(default)]
    pub(super) stock: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSignatory {
    pub(super) x: f32,
    pub(super) y: f32,
    pub(super) w: f32,
    pub(super) h: f32,
    pub(super) place_date: Option<Localized>,
    #[serde(default = "default_signatory_title")]
    pub(super) title: Localized,
    #[serde(default = "default_signatory_name")]
    pub(super) name: Localized,
    #[serde(default = "default_signatory_nip")]
    pub(super) nip: Localized,
    pub(super) signature: Option<String>,
    pub(super) stamp: Option<String>,
    pub(super) font: Option<FontChain>,
    /// Default: 11 pt.
    pub(super) size: Option<f32>,
    pub(super) color: Option<String>,
    pub(super) when: Option<String>,
    /// Printed on the blank stock already: left out of a stock print.
    #[serde(default)]
    pub(super) stock: bool,
}

fn default_signatory_title() -> Localized {
    Localized::One("{{signatory.title}}".into())
}
fn default_signatory_name() -> Localized {
    Localized::One("{{signatory.name}}".into())
}
fn default_signatory_nip() -> Localized {
    Localized::One("NIP {{signatory.nip}}".into())
}
pub(super) fn default_signatory_size() -> f32 {
    11.0
}

/// One font name, or a fallback chain of names.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(super) enum FontChain {
    One(String),
    Chain(Vec<String>),
}

impl FontChain {
    pub(super) fn names(self) -> Vec<String> {
        match self {
            FontChain::One(name) => vec![name],
            FontChain::Chain(names) => names,
        }
    }
}

pub(super) fn default_family() -> FontChain {
    FontChain::One("Charis SIL".into())
}
fn default_style() -> Style {
    Style::Regular
}
fn one() -> usize {
    1
}
pub(super) fn default_color() -> String {
    "#000000".into()
}
fn default_spacing() -> f32 {
    1.15
}
fn default_stroke_width() -> f32 {
    0.3
}
fn default_caption_size() -> f32 {
    7.0
}
