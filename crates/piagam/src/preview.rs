//! `piagam preview`: one page of a template, marked CONTOH (sample), as PDF
//! and PNG.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::EventConfig;
use crate::fsio;
use crate::generate::{self, GenerateError, Loaded, RunError};
use crate::layout::compose::watermark;
use crate::roster::{Record, Roster, RowProblem};
use crate::template::Template;

/// Event settings for a preview with no piagam.toml: plainly placeholders.
const PLACEHOLDER_CONFIG: &str = r#"
verify_url = "https://piagam.example/verifikasi"
[event]
name = "Nama Acara Penghargaan 2024"
date = "2024-08-01"
place = "Jakarta"
[signatory]
name = "Nama Penanda Tangan, Gelar"
title = "Jabatan Penanda Tangan"
nip = "19700101 199503 1 001"
"#;

#[derive(Debug, Clone, Default)]
pub struct PreviewRequest {
    pub template: PathBuf,
    pub roster: Option<PathBuf>,
    /// The spreadsheet row to show; default the first.
    pub row: Option<usize>,
    pub config: Option<PathBuf>,
    pub sheet: Option<String>,
    pub header_row: Option<usize>,
    /// The language to show; default the template's.
    pub lang: Option<crate::locale::Language>,
    /// Let the template read files outside its folders.
    pub allow_outside_assets: bool,
    pub out: PathBuf,
}

#[derive(Debug)]
pub struct PreviewOutcome {
    pub pdf: PathBuf,
    /// None if the page could not be rendered.
    pub png: Option<PathBuf>,
    pub recipient: String,
}

/// A sample record; each roster column the template prints shows its
/// name, e.g. ‹peringkat›.
fn placeholder_record(template: &Template) -> Record {
    let extra = template
        .printed_fields()
        .into_iter()
        .filter_map(|f| f.strip_prefix(crate::template::placeholder::EXTRA_PREFIX))
        .map(|column| (column.to_owned(), format!("‹{column}›")))
        .collect();
    Record {
        row: 2,
        ordinal: 0,
        recipient: "Pemerintah Kabupaten Contoh Nama Penerima".into(),
        achievement: "Juara Pertama".into(),
        category: Some("Kabupaten".into()),
        serial: None,
        date: None,
        place: None,
        event: None,
        signatory: BTreeMap::new(),
        extra,
    }
}

pub fn run(req: &PreviewRequest) -> Result<PreviewOutcome, RunError> {
    let config = match (&req.config, &req.roster) {
        (Some(path), _) => EventConfig::read(path)?,
        (None, Some(roster)) => EventConfig::locate(None, roster)?,
        (None, None) => EventConfig::from_toml(PLACEHOLDER_CONFIG, Path::new("(placeholder)"))?,
    };
    // The template as generate prints it: with the numbering and language
    // its [[documents]] entry in piagam.toml gives, if it has one.
    let same_folder =
        |a: &Path, b: &Path| match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
    let spec = config
        .documents
        .iter()
        .find(|d| same_folder(&config.base_dir.join(&d.template), &req.template));
    let mut template = Template::load_with(
        &req.template,
        req.lang.or(spec.and_then(|d| d.lang)),
        generate::assets_policy(req.allow_outside_assets),
    )?;
    if let Some(numbering) = spec.and_then(|d| d.numbering.clone()) {
        template.numbering = Some(numbering);
    }
    let record = match &req.roster {
        None => placeholder_record(&template),
        Some(path) => {
            let roster = crate::roster::read_roster(
                path,
                &config.roster_options(req.sheet.as_deref(), req.header_row),
            )?;
            let found = match req.row {
                None => roster.records.first().cloned(),
                Some(row) => roster.records.iter().find(|r| r.row == row).cloned(),
            };
            found.ok_or_else(|| {
                RunError::Usage(match req.row {
                    Some(row) => format!("{}: no valid row {row}", path.display()),
                    None => format!("{}: no valid rows", path.display()),
                })
            })?
        }
    };
    let roster = Roster {
        records: vec![record],
        ..Roster::default()
    };
    let loaded = Loaded::assemble(config, roster, vec![template])?;
    let roster_name = req.roster.clone().unwrap_or_else(|| "(placeholder)".into());
    let page = sample_page(&loaded, &roster_name)?;
    fsio::create_folder(&req.out).map_err(GenerateError::Write)?;
    let pdf = req.out.join("preview.pdf");
    fsio::write_atomic(&pdf, &page.pdf).map_err(GenerateError::from)?;
    let png = render_png(&pdf, &req.out.join("preview.png"));
    Ok(PreviewOutcome {
        pdf,
        png,
        recipient: page.recipient,
    })
}

/// One page as the engine renders it, marked as a sample.
pub struct PreviewPage {
    /// The page as a one-page PDF.
    pub pdf: Vec<u8>,
    pub recipient: String,
    pub serial: String,
}

/// The first document of `loaded` (one record, one template), laid out as
/// generate would, signed with a throwaway key, marked CONTOH (sample).
pub fn sample_page(loaded: &Loaded, roster_name: &Path) -> Result<PreviewPage, RunError> {
    let fonts = &loaded.fonts;
    let key = generate::layout_key();
    let job = generate::Job {
        keep_pages: true,
        ..loaded.job(roster_name, &key, None)
    };
    let (mut issued, _) = generate::prepare(&job)?.into_all()?;
    let doc = issued.pop().ok_or_else(|| {
        GenerateError::Rows(vec![RowProblem {
            file: roster_name.to_owned(),
            row: None,
            column: None,
            reason: "nothing to preview".into(),
            spot: None,
            kind: None,
        }])
    })?;
    let Some(page) = &doc.page else {
        return Err(GenerateError::Recompose("the page was not kept".into()).into());
    };
    let page = watermark(page, fonts, "CONTOH");
    let pdf = crate::render::pdf::write_pages(
        fonts,
        &[&page],
        &crate::render::pdf::DocInfo {
            title: "preview",
            lang: Some(doc.lang),
            ..Default::default()
        },
    )
    .map_err(GenerateError::from)?;
    Ok(PreviewPage {
        pdf,
        recipient: doc.recipient().to_owned(),
        serial: doc.serial().to_owned(),
    })
}

/// Renders the first page to PNG at 100 dpi, with piagam's own renderer.
fn render_png(pdf: &Path, png: &Path) -> Option<PathBuf> {
    let bytes = std::fs::read(pdf).ok()?;
    fsio::write_atomic(png, &crate::share::page_png(bytes, 100.0)?).ok()?;
    Some(png.to_owned())
}

impl PreviewPage {
    /// The page as a PNG at `dpi`, drawn by piagam's own renderer from the
    /// PDF itself, so what a front end shows is the file.
    pub fn png(&self, dpi: f32) -> Option<Vec<u8>> {
        crate::share::page_png(self.pdf.clone(), dpi)
    }
}
