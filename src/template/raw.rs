//! The template file as written: serde shapes and defaults, before checking.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use super::{Fit, Orientation, Transform};
use crate::layout::fonts::Style;
use crate::layout::text::{Align, VAlign};
use crate::locale::Language;
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TemplateFile {
    pub(super) kind: String,
    pub(super) name: String,
    #[serde(default = "default_lang")]
    pub(super) lang: Language,
    /// This document's own serial pattern, overriding piagam.toml's.
    pub(super) numbering: Option<String>,
    pub(super) page: PageSpec,
    #[serde(default)]
    pub(super) fonts: BTreeMap<String, FontFiles>,
    #[serde(rename = "element", default)]
    pub(super) elements: Vec<RawElement>,
}

fn default_lang() -> Language {
    Language::Id
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FontFiles {
    pub(super) regular: Option<PathBuf>,
    pub(super) bold: Option<PathBuf>,
    pub(super) italic: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PageSpec {
    /// A4, F4, A3, Letter, Legal, or "custom" with width and height.
    pub(super) size: String,
    pub(super) orientation: Orientation,
    pub(super) width: Option<f32>,
    pub(super) height: Option<f32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub(super) enum RawElement {
    Text {
        text: String,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        #[serde(default = "default_family")]
        font: FontChain,
        #[serde(default = "default_style")]
        style: Style,
        size: f32,
        min_size: Option<f32>,
        #[serde(default = "one")]
        max_lines: usize,
        #[serde(default)]
        align: Align,
        #[serde(default)]
        valign: VAlign,
        #[serde(default = "default_color")]
        color: String,
        #[serde(default = "default_spacing")]
        line_spacing: f32,
        #[serde(default)]
        underline: bool,
        /// Letter case applied after placeholders are filled.
        transform: Option<Transform>,
        when: Option<String>,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        #[serde(default)]
        radius: f32,
        fill: Option<String>,
        stroke: Option<String>,
        #[serde(default = "default_stroke_width")]
        stroke_width: f32,
        when: Option<String>,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        #[serde(default = "default_color")]
        color: String,
        #[serde(default = "default_stroke_width")]
        width: f32,
        when: Option<String>,
    },
    Qr {
        x: f32,
        y: f32,
        size: f32,
        #[serde(default = "default_color")]
        color: String,
        caption: Option<String>,
        #[serde(default = "default_caption_size")]
        caption_size: f32,
    },
    Image {
        src: String,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        #[serde(default)]
        fit: Fit,
        when: Option<String>,
    },
    Signatory {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        place_date: Option<String>,
        #[serde(default = "default_signatory_title")]
        title: String,
        #[serde(default = "default_signatory_name")]
        name: String,
        #[serde(default = "default_signatory_nip")]
        nip: String,
        signature: Option<String>,
        stamp: Option<String>,
        #[serde(default = "default_family")]
        font: FontChain,
        #[serde(default = "default_signatory_size")]
        size: f32,
        #[serde(default = "default_color")]
        color: String,
        when: Option<String>,
    },
}

fn default_signatory_title() -> String {
    "{{signatory.title}}".into()
}
fn default_signatory_name() -> String {
    "{{signatory.name}}".into()
}
fn default_signatory_nip() -> String {
    "NIP {{signatory.nip}}".into()
}
fn default_signatory_size() -> f32 {
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

fn default_family() -> FontChain {
    FontChain::One("Charis SIL".into())
}
fn default_style() -> Style {
    Style::Regular
}
fn one() -> usize {
    1
}
fn default_color() -> String {
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
