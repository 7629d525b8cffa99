//! Layout checked in the PDF itself, with poppler: every word inside its
//! element's box and the page; names extracted exactly as in the roster;
//! missing characters refused; several documents per winner.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// A word and its box in points, from `pdftotext -bbox` (origin top-left).
#[derive(Debug)]
struct Word {
    text: String,
    x0: f32,
    y0: f32,
    x1: f32,
    y1: f32,
}

fn words(pdf: &Path) -> (f32, f32, Vec<Vec<Word>>) {
    let out = run_tool("pdftotext", &["-bbox", s(pdf), "-"]);
    let html = stdout_of(&out);
    let attr = |tag: &str, name: &str| -> f32 {
        let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        let end = start + tag[start..].find('"').unwrap();
        tag[start..end].parse().unwrap()
    };
    let mut pages = Vec::new();
    let (mut width, mut height) = (0.0, 0.0);
    for line in html.lines() {
        let line = line.trim();
        if line.starts_with("<page ") {
            width = attr(line, "width");
            height = attr(line, "height");
            pages.push(Vec::new());
        } else if line.starts_with("<word ") {
            let text_start = line.find('>').unwrap() + 1;
            let text_end = line.rfind("</word>").unwrap();
            let text = line[text_start..text_end]
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"");
            pages.last_mut().unwrap().push(Word {
                text,
                x0: attr(line, "xMin"),
                y0: attr(line, "yMin"),
                x1: attr(line, "xMax"),
                y1: attr(line, "yMax"),
            });
        }
    }
    (width, height, pages)
}

const MM: f32 = 72.0 / 25.4;

/// A template whose three text boxes each hold one roster column, so every
/// word in the PDF belongs to a known box.
fn fitting_template(dir: &Path) -> PathBuf {
    let t = dir.join("uji");
    std::fs::create_dir_all(&t).unwrap();
    std::fs::write(
        t.join("template.toml"),
        r#"kind = "uji"
name = "fitting test"
[page]
size = "A4"
orientation = "landscape"

[[element]]
type = "text"
text = "{{extra.a}}"
x = 20
y = 20
w = 160
h = 20
font = ["EB Garamond", "Charis SIL"]
size = 28
min_size = 18
max_lines = 2

[[element]]
type = "text"
text = "{{extra.b}}"
x = 20
y = 60
w = 120
h = 12
size = 24
min_size = 12
max_lines = 1
align = "left"

[[element]]
type = "text"
text = "{{extra.c}}"
x = 150
y = 60
w = 110
h = 40
size = 22
min_size = 20
max_lines = 3
align = "right"
valign = "top"

[[element]]
type = "qr"
x = 20
y = 120
size = 50
"#,
    )
    .unwrap();
    t
}

fn write_roster(dir: &Path, name: &str, text: &str) -> PathBuf {
    std::fs::copy(repo().join("examples/piagam.toml"), dir.join("piagam.toml")).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn generate(roster: &Path, template: &Path, key: &Path, out: &Path) -> std::process::Output {
    run_piagam(&[
        "generate",
        "--roster",
        s(roster),
        "--template",
        s(template),
        "--key",
        s(key),
        "--out",
        s(out),
    ])
}

#[test]
fn every_word_lies_inside_its_box_and_the_page() {
    let tmp = tempfile::tempdir().unwrap();
    let template = fitting_template(tmp.path());
    let key = keygen(&tmp.path().join("kunci"), "Uji");
    let roster = write_roster(
        tmp.path(),
        "r.csv",
        "nama;prestasi;a;b;c\n\
         X1;Juara;Sukarno;Nguyễn Thị Ánh;Dinas Komunikasi\n\
         X2;Juara;Dr. dr. H. Muhammad Ma’ruf, S.Kom., M.T.I.;Pemerintah Kabupaten Kepulauan Siau Tagulandang Biaro;Dinas Komunikasi, Informatika, Statistik dan Persandian Kota Semarang\n\
         X3;Juara;Dinas Komunikasi, Informatika, Statistik dan Persandian Kota Semarang;Kota;Kabupaten Kepulauan Siau Tagulandang Biaro Provinsi Sulawesi Utara\n",
    );
    let out_dir = tmp.path().join("hasil");
    let out = generate(&roster, &template, &key, &out_dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let boxes = [
        (20.0, 20.0, 160.0, 20.0),
        (20.0, 60.0, 120.0, 12.0),
        (150.0, 60.0, 110.0, 40.0),
    ];
    let rows: Vec<Vec<&str>> = vec![
        vec!["Sukarno", "Nguyễn Thị Ánh", "Dinas Komunikasi"],
        vec![
            "Dr. dr. H. Muhammad Ma’ruf, S.Kom., M.T.I.",
            "Pemerintah Kabupaten Kepulauan Siau Tagulandang Biaro",
            "Dinas Komunikasi, Informatika, Statistik dan Persandian Kota Semarang",
        ],
        vec![
            "Dinas Komunikasi, Informatika, Statistik dan Persandian Kota Semarang",
            "Kota",
            "Kabupaten Kepulauan Siau Tagulandang Biaro Provinsi Sulawesi Utara",
        ],
    ];
    let (width, height, pages) = words(&out_dir.join("print.pdf"));
    assert_eq!(pages.len(), 3);
    let tol = 0.5;
    for (page, texts) in pages.iter().zip(&rows) {
        // Words in page order: element a, then b, then c.
        let mut expected: Vec<(usize, String)> = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            expected.extend(t.split(' ').map(|w| (i, w.to_owned())));
        }
        assert_eq!(page.len(), expected.len(), "{page:?}");
        for (word, (element, text)) in page.iter().zip(&expected) {
            assert_eq!(&word.text, text);
            let (x, y, w, h) = boxes[*element];
            let inside = word.x0 >= x * MM - tol
                && word.x1 <= (x + w) * MM + tol
                && word.y0 >= y * MM - tol
                && word.y1 <= (y + h) * MM + tol;
            assert!(
                inside,
                "{word:?} is outside element {element} box {:?}",
                boxes[*element]
            );
            assert!(word.x0 >= 0.0 && word.x1 <= width && word.y0 >= 0.0 && word.y1 <= height);
        }
    }
    // The long value of element c on page 2 was wrapped: its words sit on
    // more than one line.
    let c_lines: std::collections::BTreeSet<i32> = pages[1]
        .iter()
        .filter(|w| w.x0 >= 150.0 * MM - tol)
        .map(|w| w.y0.round() as i32)
        .collect();
    assert!(c_lines.len() >= 2, "{c_lines:?}");
}

#[test]
fn names_come_back_exactly_as_in_the_roster_in_nfc() {
    let tmp = tempfile::tempdir().unwrap();
    let key = keygen(&tmp.path().join("kunci"), "Uji");
    // "Jose\u{301}" is typed decomposed; it must come back composed.
    let roster = write_roster(
        tmp.path(),
        "nama.csv",
        "nama;prestasi;kategori\n\
         Nguyễn Thị Ánh;Juara Pertama;Kota\n\
         Dr. dr. H. Muhammad Ma’ruf, S.Kom., M.T.I.;Juara Kedua;Kota\n\
         Jose\u{301} Ramírez;Juara Ketiga;Kota\n\
         Sukarno;Harapan;Kota\n\
         Dinas Komunikasi, Informatika, Statistik dan Persandian Kota Semarang;Harapan;Kabupaten\n",
    );
    let out_dir = tmp.path().join("hasil");
    for template in ["piagam", "sertifikat", "piagam-en"] {
        let out = generate(
            &roster,
            &repo().join("templates").join(template),
            &key,
            &out_dir.join(template),
        );
        assert!(
            out.status.success(),
            "{template}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let manifest = read_manifest(&out_dir.join(template));
        for (row, name) in manifest.iter().zip([
            "Nguyễn Thị Ánh",
            "Dr. dr. H. Muhammad Ma’ruf, S.Kom., M.T.I.",
            "José Ramírez",
            "Sukarno",
            "Dinas Komunikasi, Informatika, Statistik dan Persandian Kota Semarang",
        ]) {
            let text = pdf_text(&out_dir.join(template).join(&row.file));
            // Wrapped names come back with a line break between the lines.
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(flat.contains(name), "{template}: {name:?} not in {flat:?}");
            assert_eq!(row.recipient, name);
        }
    }
}

#[test]
fn a_character_no_font_has_is_refused_with_row_and_character() {
    let tmp = tempfile::tempdir().unwrap();
    let key = keygen(&tmp.path().join("kunci"), "Uji");
    let roster = write_roster(
        tmp.path(),
        "r.csv",
        "nama;prestasi\nKota A;Juara Pertama\nKota 漢字;Juara Kedua\n",
    );
    let out_dir = tmp.path().join("hasil");
    let out = generate(&roster, &repo().join("templates/piagam"), &key, &out_dir);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{}:3:recipient: \"Kota 漢字\" does not fit template",
            roster.display()
        )),
        "{err}"
    );
    assert!(
        err.contains("no font of this element has the character '漢' (U+6F22)"),
        "{err}"
    );
    assert!(!out_dir.exists());
}

#[test]
fn two_documents_per_winner_each_with_its_own_serial_and_seal() {
    let tmp = tempfile::tempdir().unwrap();
    let key = keygen(&tmp.path().join("kunci"), "Uji");
    let out_dir = tmp.path().join("hasil");
    let out = run_piagam(&[
        "generate",
        "--roster",
        s(&repo().join("examples/adlga-2024.csv")),
        "--config",
        s(&repo().join("examples/piagam-dan-sertifikat.toml")),
        "--key",
        s(&key),
        "--out",
        s(&out_dir),
        "--register",
        s(&tmp.path().join("register.sqlite")),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest = read_manifest(&out_dir);
    assert_eq!(manifest.len(), 40);
    let serials: std::collections::BTreeSet<&str> =
        manifest.iter().map(|m| m.serial.as_str()).collect();
    assert_eq!(serials.len(), 40, "every document has its own serial");
    assert_eq!(manifest[0].serial, "001/PGM/ALDPD/VIII/2024");
    assert_eq!(manifest[20].serial, "001/SRT/ALDPD/VIII/2024");
    // print.pdf keeps each kind together; one print file per kind as well.
    assert_eq!(pdf_page_count(&out_dir.join("print.pdf")), 40);
    assert_eq!(pdf_page_count(&out_dir.join("print-piagam.pdf")), 20);
    assert_eq!(pdf_page_count(&out_dir.join("print-sertifikat.pdf")), 20);
    let text = pdf_text(&out_dir.join("print.pdf"));
    let first_sertifikat = text.find("SERTIFIKAT").unwrap();
    assert!(text.rfind("PIAGAM PENGHARGAAN").unwrap() < first_sertifikat);
    // Each seal names its kind.
    let jwks = key.parent().unwrap().join("issuer.jwks.json");
    for (i, kind) in [(0, "piagam"), (20, "sertifikat")] {
        let out = run_piagam(&[
            "verify",
            "--json",
            "--trust",
            s(&jwks),
            &manifest[i].qr_text,
        ]);
        let v: serde_json::Value = serde_json::from_str(stdout_of(&out).trim()).unwrap();
        assert_eq!(v["valid"], true);
        assert_eq!(v["claims"]["kind"], kind);
        assert_eq!(v["claims"]["recipient"], "Pemerintah Provinsi Jawa Barat");
    }
}

#[test]
fn documents_sharing_a_numbering_pattern_share_its_counter() {
    // piagam.toml has one pattern for every document, as an office numbers
    // its letters from one agenda book: the sertifikat numbers follow on
    // from the piagam numbers. A document printed in two languages is one
    // document, with one serial.
    // The same with a fresh register and without one (--no-register).
    let tmp = tempfile::tempdir().unwrap();
    let key = keygen(&tmp.path().join("kunci"), "Uji");
    let register = tmp.path().join("register.sqlite");
    for (i, mode) in [vec!["--register", s(&register)], vec!["--no-register"]]
        .into_iter()
        .enumerate()
    {
        let out_dir = tmp.path().join(format!("hasil-{i}"));
        let (roster, config) = (
            repo().join("examples/adlga-2024.csv"),
            repo().join("examples/piagam.toml"),
        );
        let templates = [
            repo().join("templates/piagam"),
            repo().join("templates/sertifikat"),
        ];
        let mut args = vec![
            "generate",
            "--roster",
            s(&roster),
            "--config",
            s(&config),
            "--template",
            s(&templates[0]),
            "--template",
            s(&templates[1]),
            "--lang",
            "id,en",
            "--key",
            s(&key),
            "--out",
            s(&out_dir),
        ];
        args.extend(mode);
        let out = run_piagam(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let manifest = read_manifest(&out_dir);
        assert_eq!(manifest.len(), 80);
        let serial = |i: usize| manifest[i].serial.as_str();
        // piagam (id), piagam (en), sertifikat (id), sertifikat (en).
        assert_eq!(serial(0), "001/ALDPD/VIII/2024");
        assert_eq!(serial(19), "020/ALDPD/VIII/2024");
        assert_eq!(serial(20), "001/ALDPD/VIII/2024");
        assert_eq!(serial(40), "021/ALDPD/VIII/2024");
        assert_eq!(serial(79), "040/ALDPD/VIII/2024");
        assert_eq!(manifest[20].qr_text, manifest[0].qr_text);
        let distinct: std::collections::BTreeSet<&str> =
            manifest.iter().map(|m| m.serial.as_str()).collect();
        assert_eq!(distinct.len(), 40);
        assert!(
            manifest[40].file.starts_with("021-sertifikat-"),
            "{}",
            manifest[40].file
        );
    }
    // Nothing was written beside the bundled example.
    assert!(!repo()
        .join("examples")
        .join("piagam-register.sqlite")
        .exists());
}

#[test]
fn preview_writes_a_marked_sample() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("pratinjau");
    let out = run_piagam(&[
        "preview",
        "--template",
        s(&repo().join("templates/sertifikat")),
        "--out",
        s(&out_dir),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = pdf_text(&out_dir.join("preview.pdf"));
    assert!(text.contains("CONTOH"));
    assert!(text.contains("SERTIFIKAT"));
    assert!(
        out_dir.join("preview.png").is_file(),
        "pdftoppm is installed in CI"
    );
    let scanned = scan_qr(&out_dir.join("preview.png"));
    assert_eq!(
        scanned.len(),
        1,
        "the sample's QR code still scans at 100 dpi"
    );
}

#[test]
fn a_row_may_name_its_own_signatory() {
    let tmp = tempfile::tempdir().unwrap();
    let key = keygen(&tmp.path().join("kunci"), "Uji");
    let roster = write_roster(
        tmp.path(),
        "r.csv",
        "nama;prestasi;Nama Penandatangan;Jabatan Penandatangan;NIP Penandatangan\n\
         Kota A;Juara Pertama;;;\n\
         Kota B;Juara Kedua;Ir. Siti Rahmawati, M.Kom.;Sekretaris Jenderal;19750505 200003 2 002\n",
    );
    let out_dir = tmp.path().join("hasil");
    let out = generate(&roster, &repo().join("templates/piagam"), &key, &out_dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest = read_manifest(&out_dir);
    let first = pdf_text(&out_dir.join(&manifest[0].file));
    let second = pdf_text(&out_dir.join(&manifest[1].file));
    assert!(first.contains("Dr. Ir. Budi Santoso, M.Sc."), "{first}");
    assert!(second.contains("Ir. Siti Rahmawati, M.Kom."), "{second}");
    assert!(second.contains("Sekretaris Jenderal"));
    assert!(second.contains("NIP 19750505 200003 2 002"));
    assert!(!second.contains("Budi Santoso"));
}
