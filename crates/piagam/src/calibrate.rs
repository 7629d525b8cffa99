//! The calibration sheet for pre-printed stock. Printed at 100% on plain
//! paper and held against a blank charter (against the light), it shows
//! how far this printer lands from where the template places the name, the
//! QR code and the signature: millimetre rulers along two edges, and a
//! labelled crosshair on each place. The difference read off goes into
//! piagam.toml as `[print] offset_mm`.
//!
//! The sheet is itself a template (written here as TOML), laid out and
//! rendered by the same engine as every charter, so it prints at the same
//! scale.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::layout::fonts::FontBook;
use crate::layout::{compose, Layers};
use crate::locale::Language;
use crate::render::pdf::DocInfo;
use crate::style::Align;
use crate::template::{Assets, ElementKind, Template, TemplateError};

/// Rulers keep this far from the paper's edge, where printers leave blank.
const RULER_AT_MM: f32 = 12.0;
/// Crosshair arms, each way.
const ARM_MM: f32 = 6.0;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CalibrateError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Write(#[from] crate::fsio::WriteError),
    #[error("the calibration sheet could not be laid out: {0}")]
    Layout(String),
    #[error(transparent)]
    Render(#[from] crate::render::pdf::RenderError),
}

/// A place on the page the organizer lines up: a name and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub label: &'static str,
    pub x_mm: f32,
    pub y_mm: f32,
}

/// Where the winner's name, achievement, QR code and signature fall on
/// `template`'s page (where it has them).
pub fn targets(template: &Template) -> Vec<Target> {
    let mut out = Vec::new();
    for element in &template.elements {
        match &element.kind {
            ElementKind::Text(t) => {
                let label = match t.pattern.fields().next() {
                    Some("recipient") => "nama",
                    Some("achievement") => "prestasi",
                    _ => continue,
                };
                let x = match t.align {
                    Align::Left => t.x,
                    Align::Right => t.x + t.w,
                    _ => t.x + t.w / 2.0,
                };
                out.push(Target {
                    label,
                    x_mm: x,
                    y_mm: t.y + t.h / 2.0,
                });
            }
            ElementKind::Qr { x, y, .. } => out.push(Target {
                label: "QR",
                x_mm: *x,
                y_mm: *y,
            }),
            ElementKind::Signatory(s) => out.push(Target {
                label: "tanda tangan",
                x_mm: s.x + s.w / 2.0,
                y_mm: s.y,
            }),
            _ => {}
        }
    }
    out
}

/// Writes the calibration sheet of the template in `dir` to `out`; returns
/// where the template places what the sheet marks.
pub fn write_sheet(
    dir: &Path,
    lang: Option<Language>,
    assets: Assets<'_>,
    out: &Path,
) -> Result<Vec<Target>, CalibrateError> {
    let template = Template::load_with(dir, lang, assets)?;
    let pdf = calibration_sheet(&template)?;
    crate::fsio::write_atomic(out, &pdf)?;
    Ok(targets(&template))
}

/// The calibration sheet for `template`, as a one-page PDF of its size.
pub fn calibration_sheet(template: &Template) -> Result<Vec<u8>, CalibrateError> {
    let text = sheet_toml(template);
    let sheet = Template::from_toml_with(
        &text,
        &template.dir,
        Path::new("(calibration sheet)"),
        Assets::Embedded(&[]),
        Some(Language::Id),
    )
    .map_err(|e: TemplateError| CalibrateError::Layout(e.to_string()))?;
    let book = FontBook::with_bundled();
    let qr = crate::qr::encode_seal_text("KALIBRASI")
        .map_err(|e| CalibrateError::Layout(e.to_string()))?;
    let page = compose(&sheet, &book, &BTreeMap::new(), &qr, None, Layers::Whole)
        .map_err(|e| CalibrateError::Layout(e.to_string()))?;
    let info = DocInfo {
        title: "kalibrasi",
        lang: Some(Language::Id),
        ..Default::default()
    };
    Ok(crate::render::pdf::write_pages(&book, &[&page], &info)?)
}

/// Millimetres as Indonesian writes them: `148,5`.
fn mm(v: f32) -> String {
    format!("{v:.1}").replace('.', ",")
}

fn line(out: &mut String, [x1, y1, x2, y2]: [f32; 4], width: f32) {
    let _ = write!(
        out,
        "[[element]]\ntype = \"line\"\nx1 = {x1}\ny1 = {y1}\nx2 = {x2}\ny2 = {y2}\nwidth = {width}\ncolor = \"#000000\"\n\n"
    );
}

fn label(out: &mut String, text: &str, [x, y, w, h]: [f32; 4], size: f32, align: &str) {
    let _ = write!(
        out,
        "[[element]]\ntype = \"text\"\ntext = \"{text}\"\nx = {x}\ny = {y}\nw = {w}\nh = {h}\nsize = {size}\nmin_size = {size}\nalign = \"{align}\"\nmax_lines = 3\n\n"
    );
}

/// The sheet as a template: the page size, rulers, crosshairs, words.
fn sheet_toml(template: &Template) -> String {
    let (w, h) = (template.width_mm, template.height_mm);
    let orientation = if w > h { "landscape" } else { "portrait" };
    let mut out = format!(
        "kind = \"kalibrasi\"\nname = \"Lembar kalibrasi\"\n\n[page]\nsize = \"custom\"\nwidth = {w}\nheight = {h}\norientation = \"{orientation}\"\n\n"
    );
    // Along the top: a tick every millimetre, longer at 5 and 10, numbered
    // at every 10 (the number centred on its tick).
    let top = RULER_AT_MM;
    for x in (RULER_AT_MM as u32)..=((w - 5.0) as u32) {
        let long = if x % 10 == 0 {
            5.0
        } else if x % 5 == 0 {
            3.5
        } else {
            2.0
        };
        line(&mut out, [x as f32, top, x as f32, top + long], 0.1);
        if x % 10 == 0 {
            label(
                &mut out,
                &x.to_string(),
                [x as f32 - 5.0, top + 5.5, 10.0, 4.0],
                6.0,
                "center",
            );
        }
    }
    // Down the left side likewise, numbered to the right of each 10.
    let left = RULER_AT_MM;
    for y in (RULER_AT_MM as u32 + 10)..=((h - 5.0) as u32) {
        let long = if y % 10 == 0 {
            5.0
        } else if y % 5 == 0 {
            3.5
        } else {
            2.0
        };
        line(&mut out, [left, y as f32, left + long, y as f32], 0.1);
        if y % 10 == 0 {
            label(
                &mut out,
                &y.to_string(),
                [left + 5.5, y as f32 - 2.0, 8.0, 4.0],
                6.0,
                "left",
            );
        }
    }
    label(
        &mut out,
        "LEMBAR KALIBRASI. Cetak di kertas biasa pada 100% (ukuran sebenarnya, bukan fit to page). Letakkan di atas blanko dan terawangkan ke cahaya: bila tanda + jatuh di kanan atau di bawah tempatnya pada blanko, selisihnya dalam mm ditulis negatif di piagam.toml, [print] offset_mm = [x, y]; bila di kiri atau di atas, positif.",
        [RULER_AT_MM + 12.0, RULER_AT_MM + 10.0, w - 2.0 * RULER_AT_MM - 24.0, 14.0],
        8.0,
        "left",
    );
    // The QR code itself, where the template prints it, in grey; the
    // crosshairs go over it.
    let (qx, qy, size) = template
        .elements
        .iter()
        .find_map(|e| match &e.kind {
            ElementKind::Qr { x, y, size, .. } => Some((*x, *y, *size)),
            _ => None,
        })
        .unwrap_or((w - 40.0, h - 40.0, 30.0));
    let _ = write!(
        out,
        "[[element]]\ntype = \"qr\"\nx = {qx}\ny = {qy}\nsize = {size}\ncolor = \"#c8c8c8\"\n\n"
    );
    for target in targets(template) {
        let (x, y) = (target.x_mm, target.y_mm);
        line(&mut out, [x - ARM_MM, y, x + ARM_MM, y], 0.15);
        line(&mut out, [x, y - ARM_MM, x, y + ARM_MM], 0.15);
        label(
            &mut out,
            &format!("{}: x {} mm, y {} mm", target.label, mm(x), mm(y)),
            [x + 1.5, y + 1.0, 60.0, 4.5],
            7.0,
            "left",
        );
    }
    out
}
