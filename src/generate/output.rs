//! Writing a run's files: every PDF, the print files, the manifest, the JWKS.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{GenerateError, Issued};
use crate::layout::fonts::FontBook;
use crate::layout::Page;
use crate::outdir::OutDir;
use crate::render::pdf::{DocInfo, PdfWriter};
use crate::roster::RowProblem;
use crate::seal::Jwks;

/// Writes every PDF, the merged print file, the manifest and the JWKS:
/// all or nothing, with the output folder held for the whole run.
pub fn write_outputs(
    issued: &[Issued],
    fonts: &FontBook,
    jwks: &Jwks,
    out_dir: &Path,
    rejected: Option<&[RowProblem]>,
    overwrite: bool,
) -> Result<Vec<PathBuf>, GenerateError> {
    let out = OutDir::hold(out_dir)?;
    let files = render_outputs(issued, fonts, jwks, rejected)?;
    // A PDF may have been signed (by hand-scan or through BSrE) since it was
    // written: never replace a file whose content would change, unless told.
    // The folder is held, so nothing changes between this look and the move.
    if !overwrite {
        let changed: Vec<PathBuf> = files
            .iter()
            .map(|(name, bytes)| (out_dir.join(name), bytes))
            .filter(|(path, bytes)| std::fs::read(path).is_ok_and(|old| &old != *bytes))
            .map(|(path, _)| path)
            .collect();
        if !changed.is_empty() {
            return Err(GenerateError::WouldReplace(changed));
        }
    }
    out.commit(&files)?;
    Ok(files.iter().map(|(name, _)| out_dir.join(name)).collect())
}

/// Every output file of a run, by name, in memory: what `generate` writes
/// and what `check` makes and throws away, so both meet the same failures
/// (fonts that cannot be subset, images that cannot be embedded).
pub fn render_outputs(
    issued: &[Issued],
    fonts: &FontBook,
    jwks: &Jwks,
    rejected: Option<&[RowProblem]>,
) -> Result<Vec<(String, Vec<u8>)>, GenerateError> {
    // One PDF per document, rendered in parallel; each is independent, so
    // the bytes do not depend on which thread made them.
    let mut files: Vec<(String, Vec<u8>)> = issued
        .par_iter()
        .map_init(
            || PdfWriter::new(fonts),
            |writer, doc| {
                writer
                    .write(
                        &[&doc.page],
                        &DocInfo {
                            title: &format!("{} — {}", doc.serial, doc.recipient),
                            author: &jwks.issuer,
                            subject: &doc.achievement,
                            date: Some(doc.claims.date),
                            lang: Some(doc.lang),
                        },
                    )
                    .map(|bytes| (doc.file.clone(), bytes))
            },
        )
        .collect::<Result<_, _>>()?;
    let mut writer = PdfWriter::new(fonts);
    let pages: Vec<&Page> = issued.iter().map(|d| &d.page).collect();
    files.push((
        "print.pdf".into(),
        writer.write(&pages, &print_info("print", &jwks.issuer, issued.first()))?,
    ));
    // With several documents per winner, one print file per document
    // too, for different paper. Labels are unique in the run.
    let mut labels: Vec<&str> = issued.iter().map(|d| d.label.as_str()).collect();
    labels.dedup();
    if labels.len() > 1 {
        for label in labels {
            let pages: Vec<&Page> = issued
                .iter()
                .filter(|d| d.label == label)
                .map(|d| &d.page)
                .collect();
            let title = format!("print {label}");
            let first = issued.iter().find(|d| d.label == label);
            let bytes = writer.write(&pages, &print_info(&title, &jwks.issuer, first))?;
            files.push((format!("print-{label}.pdf"), bytes));
        }
    }
    files.push(("manifest.csv".into(), manifest_csv(issued)));
    files.push(("issuer.jwks.json".into(), jwks.to_json().into_bytes()));
    if let Some(rejected) = rejected {
        files.push(("rejected.csv".into(), rejected_csv(rejected)));
    }
    // Names are unique by construction (sequence, label); a repeat here is
    // a defect, and writing on would silently lose a document.
    let mut names = std::collections::BTreeSet::new();
    for (name, _) in &files {
        if !names.insert(name.as_str()) {
            return Err(GenerateError::DuplicateName(name.into()));
        }
    }
    Ok(files)
}

/// A print file is dated and set in the language of its first page.
fn print_info<'a>(title: &'a str, issuer: &'a str, first: Option<&Issued>) -> DocInfo<'a> {
    DocInfo {
        title,
        author: issuer,
        subject: "",
        date: first.map(|d| d.claims.date),
        lang: first.map(|d| d.lang),
    }
}

/// Rows left out by `--skip-invalid`, each with its reason.
/// A cell as a spreadsheet may safely open it: text that Excel or
/// LibreOffice would run as a formula (`=`, `+`, `-`, `@`, or a leading tab
/// or carriage return) gets a leading apostrophe, which they show as text.
/// Only the CSV files change; the seal and the PDFs keep the value as is.
fn csv_cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

fn rejected_csv(problems: &[RowProblem]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["file", "row", "column", "reason"]);
    for p in problems {
        let file = p.file.display().to_string();
        let row = p.row.map(|r| r.to_string()).unwrap_or_default();
        let _ = w.write_record([
            csv_cell(&file),
            csv_cell(&row),
            csv_cell(p.column.as_deref().unwrap_or_default()),
            csv_cell(&p.reason),
        ]);
    }
    w.into_inner().unwrap_or_default()
}

fn manifest_csv(issued: &[Issued]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "serial",
        "kind",
        "recipient",
        "achievement",
        "category",
        "row",
        "file",
        "qr_text",
    ];
    // Writing to a Vec cannot fail.
    let _ = w.write_record(header);
    for d in issued {
        let row = d.row.to_string();
        let _ = w.write_record(
            [
                d.serial.as_str(),
                &d.kind,
                &d.recipient,
                &d.achievement,
                &d.category,
                &row,
                &d.file,
                &d.qr_text,
            ]
            .map(csv_cell),
        );
    }
    w.into_inner().unwrap_or_default()
}
