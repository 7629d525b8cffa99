//! Batches as a print shop runs them: output choice, thread count, print
//! chunks, file names, and a run killed halfway then run again.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::*;

#[test]
fn one_thread_or_two_the_files_are_the_same_bytes() {
    let batch = Batch::with_rows(40);
    let one = batch.run("satu", &["--jobs", "1"]);
    let two = batch.run("dua", &["--jobs", "2"]);
    let names = file_names(&one);
    assert_eq!(names, file_names(&two));
    assert_eq!(document_pdfs(&one).len(), 40);
    for name in names {
        assert_eq!(
            std::fs::read(one.join(&name)).unwrap(),
            std::fs::read(two.join(&name)).unwrap(),
            "{name} differs between --jobs 1 and --jobs 2"
        );
    }
}

#[test]
fn outputs_choose_the_print_file_or_the_documents() {
    let batch = Batch::with_rows(6);
    let print = batch.run("cetak", &["--outputs", "print"]);
    assert!(document_pdfs(&print).is_empty(), "{:?}", file_names(&print));
    assert_eq!(pdf_page_count(&print.join("print.pdf")), 6);
    assert!(print.join("manifest.csv").exists());

    let files = batch.run("berkas", &["--outputs", "files"]);
    assert_eq!(document_pdfs(&files).len(), 6);
    assert!(
        !file_names(&files).iter().any(|n| n.starts_with("print")),
        "{:?}",
        file_names(&files)
    );
    // The manifest names exactly the files written.
    let listed: BTreeSet<String> = read_manifest(&files).into_iter().map(|r| r.file).collect();
    assert_eq!(listed, document_pdfs(&files));

    let chunks = batch.run("potong", &["--outputs", "print", "--print-chunk", "4"]);
    let parts: Vec<String> = file_names(&chunks)
        .into_iter()
        .filter(|n| n.starts_with("print"))
        .collect();
    assert_eq!(parts, ["print-0001.pdf", "print-0002.pdf"]);
    assert_eq!(pdf_page_count(&chunks.join("print-0001.pdf")), 4);
    assert_eq!(pdf_page_count(&chunks.join("print-0002.pdf")), 2);

    let bad = batch
        .generate("x", &["--outputs", "mail"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// Each entry of a ZIP, by name, with its bytes.
fn zip_entries(path: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let file = std::fs::File::open(path).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let name = entry.name().unwrap().to_string();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
            (name, bytes)
        })
        .collect()
}

#[test]
fn a_zip_holds_every_document_file_as_issued() {
    let batch = Batch::with_rows(5);
    let out = batch.run("zip", &["--outputs", "files,print,zip"]);
    let zipped = zip_entries(&out.join("charters.zip"));
    // Every document's own file, in roster order, byte for byte.
    let names: Vec<&str> = zipped.iter().map(|(n, _)| n.as_str()).collect();
    let files: Vec<String> = document_pdfs(&out).into_iter().collect();
    assert_eq!(names, files);
    for (name, bytes) in &zipped {
        assert_eq!(*bytes, std::fs::read(out.join(name)).unwrap(), "{name}");
    }
    // A rerun leaves the issued files in place, and the same archive.
    let before = std::fs::read(out.join("charters.zip")).unwrap();
    let again = batch
        .generate("zip", &["--outputs", "files,print,zip"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{said}");
    assert!(said.contains("5 unchanged"), "{said}");
    assert_eq!(std::fs::read(out.join("charters.zip")).unwrap(), before);

    // The ZIP alone: no loose files, the same documents inside, and each
    // verifies as what it says.
    let only = batch.run("zip-saja", &["--outputs", "zip", "--no-register"]);
    assert!(document_pdfs(&only).is_empty(), "{:?}", file_names(&only));
    let zipped = zip_entries(&only.join("charters.zip"));
    assert_eq!(
        zipped.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        files
    );
    let first = only.join("first.pdf");
    std::fs::write(&first, &zipped[0].1).unwrap();
    let verified = run_piagam(&[
        "verify",
        "--trust",
        s(&batch.key.with_file_name("issuer.jwks.json")),
        s(&first),
    ]);
    assert_eq!(verified.status.code(), Some(0), "{}", stdout_of(&verified));
    assert!(stdout_of(&verified).contains("Pemerintah Kabupaten Contoh Nomor 1"));
}

#[test]
fn file_names_are_safe_for_every_system_and_unique() {
    let long = "Pemerintah Kabupaten Kepulauan Siau Tagulandang Biaro, Provinsi Sulawesi Utara, Indonesia Bagian Timur Laut Nusantara";
    assert!(long.chars().count() >= 110);
    let names = [
        "CON".to_owned(),
        "NUL".to_owned(),
        "a/b".to_owned(),
        "..\\..\\windows".to_owned(),
        long.to_owned(),
        "Budi Santoso".to_owned(),
        "Budi Santoso".to_owned(),
        "Nguyễn Thị Ánh".to_owned(),
    ];
    let batch = Batch::new(&names);
    for mode in ["ascii", "unicode"] {
        let out = batch.run(mode, &["--outputs", "files", "--file-names", mode]);
        let files = document_pdfs(&out);
        assert_eq!(files.len(), names.len(), "{files:?}");
        const RESERVED: [&str; 6] = ["CON", "PRN", "AUX", "NUL", "COM1", "LPT1"];
        for f in &files {
            let stem = f.trim_end_matches(".pdf").to_uppercase();
            assert!(!RESERVED.contains(&stem.as_str()), "{f}");
            assert!(
                !f.contains(['/', '\\', ':', '*', '?', '"', '<', '>', '|']),
                "{f}"
            );
            assert!(!f.chars().any(char::is_control), "{f}");
            assert!(f.len() <= 120, "{f} is {} bytes", f.len());
            if mode == "ascii" {
                assert!(f.is_ascii(), "{f}");
            }
        }
        assert!(files.iter().any(|f| f.contains("biaro")), "{files:?}");
        if mode == "unicode" {
            assert!(files.iter().any(|f| f.contains("nguyễn")), "{files:?}");
        } else {
            assert!(
                files.iter().any(|f| f.contains("nguyen-thi-anh")),
                "{files:?}"
            );
        }
        // Nothing escaped the output folder.
        assert!(!batch.dir.join("b").exists() && !batch.dir.join("windows").exists());
    }
}

#[cfg(unix)]
#[test]
fn a_batch_killed_midway_is_completed_by_running_it_again() {
    let batch = Batch::with_rows(400);
    let out = batch.dir.join("hasil");
    let staging = out.join(".piagam-staging");
    // Kill early (as soon as staging exists), and midway (when some
    // documents are staged): each time, nothing half-written is in place,
    // and a rerun completes the batch.
    for staged_before_kill in [0usize, 150] {
        let mut child = batch.generate("hasil", &["--jobs", "2"]).spawn().unwrap();
        let started = Instant::now();
        loop {
            let staged = std::fs::read_dir(&staging).map(|d| d.count()).ok();
            if staged.is_some_and(|n| n >= staged_before_kill) {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the batch never reached {staged_before_kill} staged files"
            );
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the batch ended before it could be killed"
        );
        child.kill().unwrap();
        child.wait().unwrap();
        // It died holding the folder, and before moving anything in.
        assert!(staging.exists() && out.join(".piagam.lock").exists());
        // Whatever is in place is whole.
        for name in document_pdfs(&out) {
            qpdf_check(&out.join(name));
        }
    }
    batch.run("hasil", &[]);
    assert!(!staging.exists(), "the staging folder was left behind");
    assert!(!out.join(".piagam.lock").exists());
    let documents = document_pdfs(&out);
    assert_eq!(documents.len(), 400);
    let listed: BTreeSet<String> = read_manifest(&out).into_iter().map(|r| r.file).collect();
    assert_eq!(listed, documents);
    for name in &documents {
        qpdf_check(&out.join(name));
    }
    qpdf_check(&out.join("print.pdf"));
    assert_eq!(pdf_page_count(&out.join("print.pdf")), 400);

    // A third run finds everything in place and changes nothing.
    let before: Vec<_> = documents
        .iter()
        .map(|n| std::fs::metadata(out.join(n)).unwrap().modified().unwrap())
        .collect();
    batch.run("hasil", &[]);
    let after: Vec<_> = documents
        .iter()
        .map(|n| std::fs::metadata(out.join(n)).unwrap().modified().unwrap())
        .collect();
    assert_eq!(before, after);
}

#[test]
fn serial_file_names_are_short_and_name_each_document_once() {
    let batch = Batch::new(&[
        "Prof. Dr. Ir. H. Raden Mas Bambang Sutrisno Hadiningrat, M.Sc., Ph.D.".to_owned(),
        "Pemerintah Kabupaten Contoh".to_owned(),
    ]);
    // Two documents per winner: each serial names its kind, or is given it.
    let out = batch.run(
        "seri",
        &[
            "--template",
            s(&repo().join("templates/sertifikat")),
            "--outputs",
            "files",
            "--file-names",
            "serial",
        ],
    );
    let files = document_pdfs(&out);
    let manifest = read_manifest(&out);
    assert_eq!(files.len(), 4, "{files:?}");
    for row in &manifest {
        // The serial made safe; these serials do not name their kind, so
        // with two kinds each is given it.
        let base = row.serial.replace('/', "-");
        assert!(
            [
                format!("{base}-piagam.pdf"),
                format!("{base}-sertifikat.pdf")
            ]
            .contains(&row.file),
            "{manifest:?}"
        );
        assert!(files.contains(&row.file), "{files:?}");
        assert!(row.file.len() <= 40, "{}", row.file);
        // The file is the document: its seal names the same serial.
        let shown = run_piagam(&[
            "verify",
            "--trust",
            s(&out.join("issuer.jwks.json")),
            s(&out.join(&row.file)),
        ]);
        assert!(
            shown.status.success(),
            "{}",
            String::from_utf8_lossy(&shown.stderr)
        );
        assert!(stdout_of(&shown).contains(&row.serial));
    }
}

#[test]
fn a_share_image_beside_each_document_is_its_page_and_verifies() {
    let batch = Batch::with_rows(2);
    let out = batch.run("bagikan", &["--outputs", "files,png"]);
    let manifest = read_manifest(&out);
    assert_eq!(manifest.len(), 2);
    for row in &manifest {
        let png = out.join(row.file.replace(".pdf", ".png"));
        let image = image::open(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
        // 1600 px wide, an A4 landscape page's height, opaque.
        assert_eq!(image.width(), 1600);
        assert!(
            (1130..=1132).contains(&image.height()),
            "{}",
            image.height()
        );
        assert!(!image.color().has_alpha());
        // piagam verify reads the seal from the picture: this document's.
        let shown = run_piagam(&[
            "verify",
            "--json",
            "--trust",
            s(&out.join("issuer.jwks.json")),
            s(&png),
        ]);
        assert!(
            shown.status.success(),
            "{}",
            String::from_utf8_lossy(&shown.stderr)
        );
        let report: serde_json::Value = serde_json::from_str(stdout_of(&shown).trim()).unwrap();
        assert_eq!(report["claims"]["serial"], row.serial.as_str());
        assert_eq!(report["qr_text"], row.qr_text.as_str());
    }
    // A rerun keeps the pictures as they are: drawn alike from the same PDF.
    let before: Vec<Vec<u8>> = manifest
        .iter()
        .map(|r| std::fs::read(out.join(r.file.replace(".pdf", ".png"))).unwrap())
        .collect();
    batch.run("bagikan", &["--outputs", "files,png"]);
    for (row, old) in manifest.iter().zip(before) {
        assert_eq!(
            std::fs::read(out.join(row.file.replace(".pdf", ".png"))).unwrap(),
            old
        );
    }
}
