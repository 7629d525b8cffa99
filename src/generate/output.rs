//! Writing a run's files: every PDF, the print files, the manifest, the JWKS.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{GenerateError, Issued};
use crate::fsio::{self, WriteError};
use crate::layout::fonts::FontBook;
use crate::layout::Page;
use crate::render::pdf::PdfWriter;
use crate::roster::RowProblem;
use crate::seal::Jwks;

/// Writes every PDF, the merged print file, the manifest and the JWKS.
pub fn write_outputs(
    issued: &[Issued],
    fonts: &FontBook,
    jwks: &Jwks,
    out_dir: &Path,
    rejected: Option<&[RowProblem]>,
    overwrite: bool,
) -> Result<Vec<PathBuf>, GenerateError> {
    // Everything is made in memory first, so a refusal leaves no file changed.
    // One PDF per document, rendered in parallel; each is independent, so
    // the bytes do not depend on which thread made them.

    let mut files: Vec<(PathBuf, Vec<u8>)> = issued
        .par_iter()
        .map_init(
            || PdfWriter::new(fonts),
            |writer, doc| {
                writer
                    .write(&[&doc.page], &format!("{} — {}", doc.serial, doc.recipient))
                    .map(|bytes| (out_dir.join(&doc.file), bytes))
            },
        )
        .collect::<Result<_, _>>()?;
    let mut writer = PdfWriter::new(fonts);
    let pages: Vec<&Page> = issued.iter().map(|d| &d.page).collect();
    files.push((out_dir.join("print.pdf"), writer.write(&pages, "print")?));
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
            let bytes = writer.write(&pages, &format!("print {label}"))?;
            files.push((out_dir.join(format!("print-{label}.pdf")), bytes));
        }
    }
    files.push((out_dir.join("manifest.csv"), manifest_csv(issued)));
    files.push((
        out_dir.join("issuer.jwks.json"),
        jwks.to_json().into_bytes(),
    ));
    if let Some(rejected) = rejected {
        files.push((out_dir.join("rejected.csv"), rejected_csv(rejected)));
    }

    // Names are unique by construction (sequence, label); a repeat here is
    // a defect, and writing on would silently lose a document.
    let mut names = std::collections::BTreeSet::new();
    for (path, _) in &files {
        if !names.insert(path.clone()) {
            return Err(GenerateError::DuplicateName(path.clone()));
        }
    }
    // A PDF may have been signed (by hand-scan or through BSrE) since it was
    // written: never replace a file whose content would change, unless told.
    if !overwrite {
        let changed: Vec<PathBuf> = files
            .iter()
            .filter(|(path, bytes)| std::fs::read(path).is_ok_and(|old| &old != bytes))
            .map(|(path, _)| path.clone())
            .collect();
        if !changed.is_empty() {
            return Err(GenerateError::WouldReplace(changed));
        }
    }
    std::fs::create_dir_all(out_dir).map_err(|e| WriteError {
        path: out_dir.to_owned(),
        message: e.to_string(),
    })?;
    let mut written = Vec::new();
    for (path, bytes) in files {
        // Identical files are left alone, so a re-run touches nothing.
        if std::fs::read(&path).is_ok_and(|old| old == bytes) {
            written.push(path);
            continue;
        }
        fsio::write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// Rows left out by `--skip-invalid`, each with its reason.
fn rejected_csv(problems: &[RowProblem]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["file", "row", "column", "reason"]);
    for p in problems {
        let _ = w.write_record([
            p.file.display().to_string(),
            p.row.map(|r| r.to_string()).unwrap_or_default(),
            p.column.clone().unwrap_or_default(),
            p.reason.clone(),
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
        let _ = w.write_record([
            d.serial.as_str(),
            &d.kind,
            &d.recipient,
            &d.achievement,
            &d.category,
            &row,
            &d.file,
            &d.qr_text,
        ]);
    }
    w.into_inner().unwrap_or_default()
}
