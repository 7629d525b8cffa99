//! Printed = signed: every value on a page that varies from document to
//! document is among the claims `verify --json` reports for its seal.
//!
//! Two rows that differ in every field are generated with each bundled
//! template in each language it offers. The words that differ between the
//! two pages (read back with pdftotext) are the variable text; each must be
//! found in that page's signed claims.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

const CONFIG: &str = r#"
verify_url = "https://piagam.example/verifikasi"
[event]
name = "Anugerah Layanan Digital 2024"
date = "2024-08-01"
place = "Jakarta"
[signatory]
name = "Dr. Budi Santoso"
title = "Direktur Jenderal"
nip = "19700101 199503 1 001"
[numbering]
pattern = "{seq:03}/ALD/{month_roman}/{year}"
"#;

/// Two rows with nothing in common, per-row event, date, place and
/// signatory included, and a column no bundled template prints.
const ROSTER: &str = "nama,prestasi,kategori,acara,tanggal,tempat,nama penandatangan,jabatan penandatangan,nip penandatangan,catatan\n\
Pemerintah Kota Semarang,Juara Pertama,Kota,Festival Inovasi Daerah,2024-08-01,Semarang,Ir. Wahyuni Lestari,Gubernur Jawa Tengah,19650303 199003 2 004,tidak dicetak\n\
Kabupaten Kepulauan Siau Tagulandang Biaro,Harapan Ketiga,Kabupaten,Pekan Digital Nusantara,2025-03-17,Manado,Drs. Yohanes Kaligis,Bupati Sitaro,19710909 199803 1 009,juga tidak\n";

struct Generated {
    dir: std::path::PathBuf,
    jwks: std::path::PathBuf,
}

fn generate(tmp: &Path, name: &str, extra_args: &[&str], roster: &str, config: &str) -> Generated {
    let work = tmp.join(name);
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("piagam.toml"), config).unwrap();
    std::fs::write(work.join("pemenang.csv"), roster).unwrap();
    let keys = work.join("kunci");
    let key = keygen(&keys, "Dinas Kominfo Contoh");
    let out = work.join("hasil");
    let roster_path = work.join("pemenang.csv");
    let mut args = vec![
        "generate",
        "--roster",
        s(&roster_path),
        "--key",
        s(&key),
        "--out",
        s(&out),
    ];
    args.extend_from_slice(extra_args);
    let run = run_piagam(&args);
    assert!(
        run.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    Generated {
        dir: out,
        jwks: keys.join("issuer.jwks.json"),
    }
}

/// The seal's size in bytes and the QR version it needs, at level M.
fn seal_size(qr_text: &str) -> (usize, i16) {
    let (_, digits) = piagam::seal::qrtext::split_qr_text(qr_text);
    let bytes = piagam::seal::qrtext::decode_digits(digits).unwrap().len();
    let version = piagam::encode_seal_text(qr_text).unwrap().version();
    (bytes, version)
}

fn verify_json(jwks: &Path, qr_text: &str) -> Value {
    let out = run_piagam(&["verify", "--json", "--trust", s(jwks), qr_text]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout_of(&out));
    serde_json::from_str(stdout_of(&out).trim()).unwrap()
}

/// Everything a seal signs, as one searchable text: every claim, and the
/// dates also in the long forms the templates print them in.
fn signed_text(claims: &Value) -> String {
    let mut parts = Vec::new();
    for (key, value) in claims.as_object().unwrap() {
        match value {
            Value::String(s) => {
                parts.push(s.clone());
                if key == "date" || key == "valid_until" {
                    let d: piagam::date::Date = s.parse().unwrap();
                    for lang in piagam::locale::Language::ALL {
                        parts.push(piagam::locale::long_date(d, lang));
                    }
                }
            }
            Value::Object(extra) => {
                parts.extend(extra.values().map(|v| v.as_str().unwrap().to_owned()))
            }
            _ => {}
        }
    }
    parts.join("\n")
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| c.is_ascii_punctuation() && c != '/')
                .to_owned()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

#[test]
fn every_bundled_template_in_every_language_prints_only_signed_values() {
    let tmp = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for template in ["piagam", "sertifikat"] {
        let t = piagam::template::Template::load(&repo().join("templates").join(template)).unwrap();
        assert_eq!(
            t.languages,
            [piagam::locale::Language::Id, piagam::locale::Language::En]
        );
        for lang in t.languages {
            let template_dir = repo().join("templates").join(template);
            let g = generate(
                tmp.path(),
                &format!("{template}-{lang}"),
                &["--template", s(&template_dir), "--lang", lang.code()],
                ROSTER,
                CONFIG,
            );
            let rows = read_manifest(&g.dir);
            assert_eq!(rows.len(), 2);
            let pages: Vec<Vec<String>> = rows
                .iter()
                .map(|r| words(&pdf_text(&g.dir.join(&r.file))))
                .collect();
            for (i, row) in rows.iter().enumerate() {
                let report = verify_json(&g.jwks, &row.qr_text);
                let signed = signed_text(&report["claims"]);
                let other = &pages[1 - i];
                let variable: Vec<&String> =
                    pages[i].iter().filter(|w| !other.contains(w)).collect();
                assert!(
                    variable.len() >= 10,
                    "{template}/{lang}: too little variable text: {variable:?}"
                );
                for word in variable {
                    assert!(
                        signed.contains(word.as_str()),
                        "{template}/{lang} row {i}: '{word}' is printed but not signed.\nsigned: {signed}"
                    );
                }
                // Per-row signatories vary, so they are signed, raw.
                let extra = &report["claims"]["extra"];
                assert_eq!(
                    extra["signatory.name"],
                    ["Ir. Wahyuni Lestari", "Drs. Yohanes Kaligis"][i]
                );
                assert_eq!(
                    extra["signatory.nip"],
                    ["19650303 199003 2 004", "19710909 199803 1 009"][i]
                );
                // A column no template prints is not signed: the seal stays small.
                assert!(extra.get("catatan").is_none(), "{extra}");
                // Even with every field set per row (event, place, and
                // the signatory's name, title and NIP), the QR stays
                // within what the bundled 42 mm code prints legibly.
                let (bytes, version) = seal_size(&row.qr_text);
                eprintln!("{template}/{lang} row {i}: seal {bytes} bytes, QR version {version}-M");
                assert!(version <= 16, "{bytes}-byte seal needs version {version}");
                checked += 1;
            }
            // The language shows on the page.
            let heading = match (template, lang) {
                ("piagam", piagam::locale::Language::Id) => "PIAGAM",
                ("piagam", _) => "APPRECIATION",
                (_, piagam::locale::Language::Id) => "SERTIFIKAT",
                _ => "CERTIFICATE",
            };
            assert!(pages[0].iter().any(|w| w == heading), "{:?}", pages[0]);
        }
    }
    assert_eq!(checked, 8);
}

#[test]
fn a_typical_seal_stays_at_qr_version_13_or_below() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    assert!(run_piagam(&["demo", "--out", s(&dir)]).status.success());
    let sizes: Vec<(usize, i16)> = read_manifest(&dir)
        .iter()
        .map(|r| seal_size(&r.qr_text))
        .collect();
    let largest = sizes.iter().max().unwrap();
    eprintln!("demo seals: {sizes:?}");
    assert!(largest.1 <= 13, "the demo's largest seal: {largest:?}");
}

#[test]
fn the_readme_peringkat_example_is_printed_signed_and_shown() {
    let tmp = tempfile::tempdir().unwrap();
    // The bundled charter with one more line: the rank, as an ordinal word.
    let template_dir = tmp.path().join("templates").join("piagam-peringkat");
    std::fs::create_dir_all(&template_dir).unwrap();
    std::fs::create_dir_all(tmp.path().join("templates/assets")).unwrap();
    for f in [
        "logo-placeholder.png",
        "signature-sample.png",
        "stamp-sample.png",
        "latar-piagam.pdf",
    ] {
        std::fs::copy(
            repo().join("templates/assets").join(f),
            tmp.path().join("templates/assets").join(f),
        )
        .unwrap();
    }
    let mut toml = std::fs::read_to_string(repo().join("templates/piagam/template.toml")).unwrap();
    toml.push_str(
        "\n[[element]]\ntype = \"text\"\ntext = { id = \"Peringkat {{extra.peringkat | ordinal}}\", en = \"Rank: {{extra.peringkat | ordinal}}\" }\nx = 30\ny = 46\nw = 237\nh = 6\nsize = 10\nwhen = \"extra.peringkat\"\n",
    );
    toml.push_str("\n[labels]\nperingkat = { id = \"Peringkat\", en = \"Rank\" }\n");
    std::fs::write(template_dir.join("template.toml"), toml).unwrap();
    let roster = "nama,prestasi,kategori,peringkat\nPemerintah Kota Semarang,Juara,Kota,2\nPemerintah Kota Bandung,Juara,Kota,1\n";
    let g = generate(
        tmp.path(),
        "run",
        &["--template", s(&template_dir), "--lang", "id,en"],
        roster,
        CONFIG,
    );
    let rows = read_manifest(&g.dir);
    assert_eq!(rows.len(), 4, "two rows in two languages");
    let files: Vec<&str> = rows.iter().map(|r| r.file.as_str()).collect();
    assert_eq!(
        files,
        [
            "001-piagam-pemerintah-kota-semarang.pdf",
            "002-piagam-pemerintah-kota-bandung.pdf",
            "001-piagam-en-pemerintah-kota-semarang.pdf",
            "002-piagam-en-pemerintah-kota-bandung.pdf",
        ]
    );
    let text = pdf_text(&g.dir.join(files[0]));
    assert!(text.contains("Peringkat Kedua"), "{text}");
    let text = pdf_text(&g.dir.join(files[2]));
    assert!(text.contains("Rank: Second"), "{text}");

    let report = verify_json(&g.jwks, &rows[0].qr_text);
    assert_eq!(report["claims"]["extra"]["peringkat"], "2");
    assert_eq!(report["claims"]["extra"]["category"], "Kota");
    // The template's label, and the field as printed, are signed too, in
    // the template's first language.
    assert_eq!(
        report["claims"]["labels"],
        serde_json::json!({"peringkat": "Peringkat"})
    );
    assert_eq!(
        report["claims"]["shown"],
        serde_json::json!({"peringkat": "Kedua"})
    );
    // In the template's first language: both languages' pages carry one
    // seal.
    assert_eq!(rows[2].qr_text, rows[0].qr_text);
    let out = run_piagam(&["verify", "--trust", s(&g.jwks), &rows[0].qr_text]);
    let human = stdout_of(&out);
    assert!(
        human
            .lines()
            .any(|l| l.trim_start().starts_with("Peringkat")
                && l.trim_end().ends_with(": Kedua (2)")),
        "{human}"
    );
    // A label for a column the template does not print is refused.
    let mut stray = std::fs::read_to_string(template_dir.join("template.toml")).unwrap();
    stray.push_str("instansi = \"Instansi\"\n");
    std::fs::write(template_dir.join("template.toml"), stray).unwrap();
    let roster_file = tmp.path().join("run/pemenang.csv");
    let out = run_piagam(&[
        "check",
        "--roster",
        s(&roster_file),
        "--template",
        s(&template_dir),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("labels.instansi: the template prints no {{extra.instansi}} to label"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `check` on a one-text template and a roster; its stderr, after exit 2.
fn check_refuses(text: &str, roster: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let template_dir = tmp.path().join("t");
    std::fs::create_dir_all(&template_dir).unwrap();
    std::fs::write(
        template_dir.join("template.toml"),
        format!("kind = \"piagam\"\nname = \"t\"\n[page]\nsize = \"A4\"\norientation = \"portrait\"\n\n[[element]]\ntype = \"qr\"\nx = 10\ny = 10\nsize = 40\n\n[[element]]\ntype = \"text\"\ntext = \"{text}\"\nx = 10\ny = 60\nw = 100\nh = 10\nsize = 10\n"),
    )
    .unwrap();
    std::fs::write(tmp.path().join("piagam.toml"), CONFIG).unwrap();
    std::fs::write(tmp.path().join("r.csv"), roster).unwrap();
    let out = run_piagam(&[
        "check",
        "--roster",
        s(&tmp.path().join("r.csv")),
        "--template",
        s(&template_dir),
    ]);
    assert_eq!(out.status.code(), Some(2));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_template_printing_an_unsigned_field_does_not_load() {
    let stderr = check_refuses("Dicetak {{tanggal_cetak}}", "nama,prestasi\nA,B\n");
    assert!(
        stderr.contains("template.toml:15: element 2 text \"Dicetak {{tanggal_cetak}}\": 'tanggal_cetak' is not a field the seal signs"),
        "{stderr}"
    );
}

#[test]
fn a_template_printing_a_column_the_roster_lacks_is_refused() {
    let stderr = check_refuses("{{extra.peringkat}}", "nama,prestasi,rangking\nA,B,1\n");
    assert!(
        stderr.contains("prints {{extra.peringkat}}, but the roster has no column 'peringkat' (its other columns: rangking)"),
        "{stderr}"
    );
}
