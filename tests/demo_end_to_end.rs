//! The demo, checked the way a user would: pdfinfo, pdftotext, pdffonts,
//! qpdf, pdftoppm + zbarimg, and `piagam verify`.

mod common;

use std::path::Path;

use common::*;

fn demo_into(dir: &Path) {
    let out = run_piagam(&["demo", "--out", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "demo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn roster_names() -> Vec<String> {
    let mut reader = csv::Reader::from_path(repo().join("examples/adlga-2024.csv")).unwrap();
    reader.records().map(|r| r.unwrap()[0].to_owned()).collect()
}

#[test]
fn demo_writes_checkable_charters() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("piagam-demo");
    demo_into(&dir);

    let names = roster_names();
    assert!(names.len() >= 18, "the sample roster has about 20 winners");
    let manifest = read_manifest(&dir);
    assert_eq!(
        manifest.len(),
        names.len(),
        "one manifest row per roster row"
    );
    assert!(dir.join("issuer.jwks.json").is_file());

    // print.pdf: one page per roster row, every name extractable.
    let print = dir.join("print.pdf");
    assert_eq!(pdf_page_count(&print), names.len());
    let text = pdf_text(&print);
    for name in &names {
        assert!(text.contains(name.as_str()), "pdftotext lacks {name:?}");
    }

    // Every file: fonts embedded and subset, qpdf finds no damage.
    let mut files: Vec<_> = manifest.iter().map(|m| dir.join(&m.file)).collect();
    files.push(print.clone());
    for file in &files {
        let fonts = pdf_fonts(file);
        assert!(!fonts.is_empty(), "{} has no fonts", file.display());
        for (name, embedded, subset) in fonts {
            assert!(
                embedded && subset,
                "{}: font {name} emb={embedded} sub={subset}",
                file.display()
            );
            assert!(name.as_bytes()[6] == b'+', "{name} lacks a subset tag");
        }
        let check = run_tool("qpdf", &["--check", file.to_str().unwrap()]);
        assert!(
            check.status.success(),
            "qpdf --check failed on {}: {}",
            file.display(),
            stdout_of(&check)
        );
    }
    // Each one-recipient file names its recipient.
    for m in &manifest {
        let text = pdf_text(&dir.join(&m.file));
        assert!(
            text.contains(&m.recipient),
            "{} lacks {}",
            m.file,
            m.recipient
        );
        assert!(text.contains(&m.serial), "{} lacks {}", m.file, m.serial);
    }

    // Each page scans, at 150 dpi, to exactly its row's QR text.
    let renders = tmp.path().join("renders");
    std::fs::create_dir(&renders).unwrap();
    let pages = render_pages(&print, 150, &renders);
    assert_eq!(pages.len(), manifest.len());
    for (page, row) in pages.iter().zip(&manifest) {
        assert_eq!(
            scan_qr(page),
            vec![row.qr_text.clone()],
            "page {}",
            page.display()
        );
    }

    // verify accepts every QR text.
    let jwks = dir.join("issuer.jwks.json");
    let jwks = jwks.to_str().unwrap();
    let all: Vec<&str> = manifest.iter().map(|m| m.qr_text.as_str()).collect();
    let mut args = vec!["verify", "--trust", jwks, "--json"];
    args.extend(&all);
    let out = run_piagam(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stdout_of(&out));
    let reports: Vec<serde_json::Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports.len(), manifest.len());
    for (report, row) in reports.iter().zip(&manifest) {
        assert_eq!(report["valid"], true);
        assert_eq!(report["claims"]["recipient"], row.recipient.as_str());
        assert_eq!(report["claims"]["serial"], row.serial.as_str());
    }

    // Changing any single digit makes it invalid (exit 1).
    let qr = &manifest[0].qr_text;
    let hash = qr.find('#').unwrap();
    let mut mutated = String::new();
    for i in hash + 1..qr.len() {
        let mut bytes = qr.clone().into_bytes();
        bytes[i] = b'0' + (bytes[i] - b'0' + 1) % 10;
        mutated.push_str(&String::from_utf8(bytes).unwrap());
        mutated.push('\n');
    }
    let out = run_piagam_with_stdin(&["verify", "--trust", jwks, "--json", "-"], &mutated);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), qr.len() - hash - 1);
    for (i, report) in lines.iter().enumerate() {
        assert_eq!(report["valid"], false, "digit {i} changed still verifies");
        assert!(report["claims"].is_null(), "claims shown for a bad seal");
    }
    // One changed digit on every row, through the human report.
    for (n, row) in manifest.iter().enumerate() {
        let mut bytes = row.qr_text.clone().into_bytes();
        let i = hash + 1 + (n * 37) % (bytes.len() - hash - 1);
        bytes[i] = b'0' + (bytes[i] - b'0' + 5) % 10;
        let out = run_piagam(&[
            "verify",
            "--trust",
            jwks,
            &String::from_utf8(bytes).unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stdout_of(&out).starts_with("TIDAK SAH"));
    }

    // The wrong issuer's keys: exit 1.
    let other = tmp.path().join("other");
    let out = run_piagam(&[
        "keygen",
        "--issuer",
        "Penerbit Lain",
        "--out",
        other.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let out = run_piagam(&[
        "verify",
        "--trust",
        other.join("issuer.jwks.json").to_str().unwrap(),
        &manifest[0].qr_text,
    ]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn demo_output_is_byte_identical_across_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    demo_into(&a);
    demo_into(&b);
    let mut names: Vec<_> = std::fs::read_dir(&a)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert!(names.len() > 20);
    names.push("site/index.html".into());
    for name in names {
        if a.join(&name).is_dir() {
            continue;
        }
        if name == "piagam-register.sqlite" {
            // The register records when each document was issued; all the
            // rest of it is the same.
            let entries = |dir: &std::path::Path| {
                let out = run_piagam(&["list", "--json", "--register", s(&dir.join(&name))]);
                assert!(out.status.success());
                let mut list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                for entry in list.as_array_mut().unwrap() {
                    let entry = entry.as_object_mut().unwrap();
                    assert!(entry.remove("issued_at").unwrap().is_string());
                    assert!(entry.remove("reserved_at").unwrap().is_string());
                    // Paths are relative to the register's folder.
                    assert!(!entry["files"][0]["path"].as_str().unwrap().contains('/'));
                }
                list
            };
            let left = entries(&a);
            assert_eq!(left.as_array().unwrap().len(), 20);
            assert_eq!(left, entries(&b));
            continue;
        }
        let left = std::fs::read(a.join(&name)).unwrap();
        let right = std::fs::read(b.join(&name)).unwrap();
        assert!(left == right, "{name:?} differs between runs");
    }
}
