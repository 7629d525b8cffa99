//! `piagam verify` on what people hold: pictures made here from rendered
//! charters (different resolutions, rotated, skewed, blurred, JPEG, a photo
//! on a table, two charters in one picture), PDFs (the demo's print file,
//! an edited charter, a password-protected one), and files that hold no
//! seal at all.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use image::{GrayImage, Luma};

struct Demo {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    rows: Vec<ManifestRow>,
}

fn demo() -> Demo {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    assert!(run_piagam(&["demo", "--out", s(&dir)]).status.success());
    let rows = read_manifest(&dir);
    Demo {
        _tmp: tmp,
        dir,
        rows,
    }
}

impl Demo {
    fn jwks(&self) -> PathBuf {
        self.dir.join("issuer.jwks.json")
    }

    /// Page 1 of a charter, rendered by piagam's own renderer.
    fn render(&self, row: usize, dpi: f32) -> GrayImage {
        let bytes = std::fs::read(self.dir.join(&self.rows[row].file)).unwrap();
        let pdf = hayro::hayro_syntax::Pdf::new(bytes).unwrap();
        piagam::inputs::render_page(&pdf.pages()[0], dpi).unwrap()
    }

    fn verify(&self, file: &Path) -> (Option<i32>, Vec<serde_json::Value>, String) {
        let out = run_piagam(&["verify", "--json", "--trust", s(&self.jwks()), s(file)]);
        let reports = stdout_of(&out)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (
            out.status.code(),
            reports,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// The picture verifies, naming the charter's recipient.
    fn assert_reads(&self, picture: &Path, rows: &[usize]) {
        let (code, reports, stderr) = self.verify(picture);
        assert_eq!(code, Some(0), "{}: {stderr}", picture.display());
        let mut names: Vec<&str> = reports
            .iter()
            .map(|r| r["claims"]["recipient"].as_str().unwrap())
            .collect();
        names.sort_unstable();
        let mut expected: Vec<&str> = rows
            .iter()
            .map(|&r| self.rows[r].recipient.as_str())
            .collect();
        expected.sort_unstable();
        assert_eq!(names, expected, "{}", picture.display());
    }
}

/// Samples `src` at (x, y) with bilinear interpolation; white outside.
fn sample(src: &GrayImage, x: f32, y: f32) -> u8 {
    if x < 0.0 || y < 0.0 || x >= (src.width() - 1) as f32 || y >= (src.height() - 1) as f32 {
        return 255;
    }
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let p = |dx: u32, dy: u32| f32::from(src.get_pixel(x0 + dx, y0 + dy)[0]);
    let top = p(0, 0) * (1.0 - fx) + p(1, 0) * fx;
    let bottom = p(0, 1) * (1.0 - fx) + p(1, 1) * fx;
    (top * (1.0 - fy) + bottom * fy) as u8
}

/// Rotated by `degrees` about its centre, on a canvas that holds it all.
fn rotate(src: &GrayImage, degrees: f32) -> GrayImage {
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (w, h) = (src.width() as f32, src.height() as f32);
    let out_w = (w * cos.abs() + h * sin.abs()).ceil() as u32;
    let out_h = (w * sin.abs() + h * cos.abs()).ceil() as u32;
    GrayImage::from_fn(out_w, out_h, |x, y| {
        let (dx, dy) = (x as f32 - out_w as f32 / 2.0, y as f32 - out_h as f32 / 2.0);
        let sx = cos * dx + sin * dy + w / 2.0;
        let sy = -sin * dx + cos * dy + h / 2.0;
        Luma([sample(src, sx, sy)])
    })
}

/// A keystone: the top edge 10% narrower than the bottom, as a photo taken
/// from below the frame.
fn skew(src: &GrayImage) -> GrayImage {
    let (w, h) = (src.width() as f32, src.height() as f32);
    GrayImage::from_fn(src.width(), src.height(), |x, y| {
        let narrowing = 1.0 - 0.10 * (1.0 - y as f32 / h);
        let sx = w / 2.0 + (x as f32 - w / 2.0) / narrowing;
        Luma([sample(src, sx, y as f32)])
    })
}

fn save(picture: &GrayImage, path: &Path) -> PathBuf {
    picture.save(path).unwrap();
    path.to_owned()
}

#[test]
fn degraded_pictures_of_a_charter_verify_and_name_the_recipient() {
    let d = demo();
    let tmp = tempfile::tempdir().unwrap();
    let at = |name: &str| tmp.path().join(name);
    let page150 = d.render(0, 150.0);
    let page300 = d.render(0, 300.0);
    d.assert_reads(&save(&page150, &at("150dpi.png")), &[0]);
    d.assert_reads(&save(&page300, &at("300dpi.png")), &[0]);
    d.assert_reads(&save(&d.render(0, 100.0), &at("100dpi.png")), &[0]);
    d.assert_reads(
        &save(&image::imageops::rotate90(&page150), &at("rot90.png")),
        &[0],
    );
    d.assert_reads(
        &save(&image::imageops::rotate180(&page150), &at("rot180.png")),
        &[0],
    );
    d.assert_reads(&save(&rotate(&page300, 7.0), &at("rot7.png")), &[0]);
    d.assert_reads(&save(&skew(&page300), &at("skew.png")), &[0]);
    d.assert_reads(
        &save(&image::imageops::blur(&page300, 1.5), &at("blur.png")),
        &[0],
    );
    // JPEG at quality 40.
    let jpeg = at("q40.jpg");
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 40)
        .encode_image(&page150)
        .unwrap();
    std::fs::write(&jpeg, bytes).unwrap();
    d.assert_reads(&jpeg, &[0]);
    // WebP, as messaging apps send screenshots.
    let webp = at("page.webp");
    image::DynamicImage::ImageLuma8(page150.clone())
        .to_rgb8()
        .save(&webp)
        .unwrap();
    d.assert_reads(&webp, &[0]);
    // Uneven light: bright on one side, dim on the other.
    let w = page300.width() as f32;
    let uneven = GrayImage::from_fn(page300.width(), page300.height(), |x, y| {
        let light = 0.45 + 0.55 * (x as f32 / w);
        Luma([(f32::from(page300.get_pixel(x, y)[0]) * light) as u8])
    });
    d.assert_reads(&save(&uneven, &at("uneven.png")), &[0]);
}

/// A PDF as a flatbed scanner writes it: one JPEG per page, no text.
fn scanned_pdf(jpeg: &[u8], width: u32, height: u32) -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    let mut object = |pdf: &mut Vec<u8>, body: &[u8]| {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    };
    object(&mut pdf, b"<< /Type /Catalog /Pages 2 0 R >>");
    object(&mut pdf, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    object(
        &mut pdf,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>",
    );
    let mut image = format!(
        "<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n",
        jpeg.len()
    )
    .into_bytes();
    image.extend_from_slice(jpeg);
    image.extend_from_slice(b"\nendstream");
    object(&mut pdf, &image);
    let content = b"q 842 0 0 595 0 0 cm /Im0 Do Q";
    let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    stream.extend_from_slice(content);
    stream.extend_from_slice(b"\nendstream");
    object(&mut pdf, &stream);
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for o in &offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

#[test]
fn a_scanners_image_only_pdf_verifies() {
    let d = demo();
    let page = d.render(2, 200.0);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
        .encode_image(&page)
        .unwrap();
    let path = d.dir.join("pindaian.pdf");
    std::fs::write(&path, scanned_pdf(&jpeg, page.width(), page.height())).unwrap();
    assert!(!pdf_text(&path).contains("Pemerintah"), "no text layer");
    let (code, reports, stderr) = d.verify(&path);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(reports.len(), 1);
    assert_eq!(
        reports[0]["claims"]["recipient"],
        d.rows[2].recipient.as_str()
    );
    assert_eq!(reports[0]["source"]["page"], 1);
    // Not written by piagam: there is no text to compare.
    assert_eq!(reports[0]["page_text_matches"], serde_json::Value::Null);
}

#[test]
fn a_phone_photo_and_two_charters_in_one_picture() {
    let d = demo();
    let tmp = tempfile::tempdir().unwrap();
    // 4000 × 3000, the page taking 60% of the width, on a grey table.
    let page = d.render(0, 300.0);
    let width = 2400;
    let height = page.height() * width / page.width();
    let page = image::imageops::resize(&page, width, height, image::imageops::FilterType::Triangle);
    let mut photo = GrayImage::from_pixel(4000, 3000, Luma([120]));
    image::imageops::overlay(&mut photo, &page, 800, i64::from((3000 - height) / 2));
    d.assert_reads(&save(&photo, &tmp.path().join("photo.png")), &[0]);
    // Two charters side by side: both are reported.
    let (a, b) = (d.render(0, 150.0), d.render(13, 150.0));
    let mut both = GrayImage::from_pixel(
        a.width() + b.width() + 100,
        a.height().max(b.height()),
        Luma([255]),
    );
    image::imageops::overlay(&mut both, &a, 0, 0);
    image::imageops::overlay(&mut both, &b, i64::from(a.width() + 100), 0);
    d.assert_reads(&save(&both, &tmp.path().join("two.png")), &[0, 13]);
}

#[test]
fn the_demo_print_file_verifies_page_by_page() {
    let d = demo();
    let (code, reports, stderr) = d.verify(&d.dir.join("print.pdf"));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(reports.len(), 20);
    for (i, r) in reports.iter().enumerate() {
        assert_eq!(r["source"]["page"], i + 1);
        assert_eq!(r["claims"]["recipient"], d.rows[i].recipient.as_str());
        assert_eq!(r["page_text_matches"], true);
    }
}

#[test]
fn a_charter_whose_name_was_edited_is_flagged() {
    let d = demo();
    let original = d.dir.join(&d.rows[4].file);
    let mut doc = lopdf::Document::load(&original).unwrap();
    // Take the recipient's name off the page: drop every text drawn in the
    // name's font (EB Garamond), as an editor replacing it would.
    let page = *doc.get_pages().values().next().unwrap();
    let fonts = doc.get_page_fonts(page).unwrap();
    let garamond: Vec<Vec<u8>> = fonts
        .iter()
        .filter(|(_, f)| {
            f.get(b"BaseFont")
                .ok()
                .and_then(|b| b.as_name().ok())
                .is_some_and(|n| String::from_utf8_lossy(n).contains("Garamond"))
        })
        .map(|(name, _)| name.clone())
        .collect();
    assert!(!garamond.is_empty());
    let content = doc.get_and_decode_page_content(page).unwrap();
    let mut current_font = Vec::new();
    let mut kept = Vec::new();
    for op in content.operations {
        if op.operator == "Tf" {
            current_font = op.operands[0].as_name().unwrap_or_default().to_vec();
        }
        let shows_text = matches!(op.operator.as_str(), "Tj" | "TJ" | "'" | "\"");
        if !(shows_text && garamond.contains(&current_font)) {
            kept.push(op);
        }
    }
    let encoded = lopdf::content::Content { operations: kept }
        .encode()
        .unwrap();
    doc.change_page_content(page, encoded).unwrap();
    let edited = d.dir.join("edited.pdf");
    doc.save(&edited).unwrap();
    assert!(!pdf_text(&edited).contains(&d.rows[4].recipient));

    let (code, reports, _) = d.verify(&edited);
    assert_eq!(code, Some(1));
    assert_eq!(reports[0]["checks"]["signature"], "pass");
    assert_eq!(reports[0]["valid"], false);
    assert_eq!(reports[0]["code"], "page-text-differs");
    assert_eq!(
        reports[0]["page_text_missing"][0],
        d.rows[4].recipient.as_str()
    );
    let out = run_piagam(&["verify", "--trust", s(&d.jwks()), s(&edited)]);
    let text = stdout_of(&out);
    assert!(
        text.contains("TIDAK SAH — segel sah, tetapi teks halaman ini berbeda"),
        "{text}"
    );
}

#[test]
fn files_that_hold_no_seal_get_a_clear_answer() {
    let d = demo();
    let tmp = tempfile::tempdir().unwrap();
    let at = |name: &str| tmp.path().join(name);

    // An unrelated QR code: reported as not a seal, with what it holds.
    let matrix = piagam::encode_seal_text("https://example.com/menu").unwrap();
    let n = matrix.width() as u32 + 8;
    let url_qr = GrayImage::from_fn(n * 6, n * 6, |x, y| {
        let (mx, my) = ((x / 6) as i64 - 4, (y / 6) as i64 - 4);
        let dark = mx >= 0 && my >= 0 && matrix.is_dark(mx as usize, my as usize);
        Luma([if dark { 0 } else { 255 }])
    });
    let path = save(&url_qr, &at("menu.png"));
    let out = run_piagam(&["verify", "--trust", s(&d.jwks()), s(&path)]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout_of(&out);
    assert!(
        text.contains("Isi kode QR: https://example.com/menu"),
        "{text}"
    );
    assert!(text.contains("TIDAK SAH"), "{text}");

    // A picture without any QR code.
    let blank = save(
        &GrayImage::from_pixel(800, 600, Luma([230])),
        &at("kosong.png"),
    );
    let out = run_piagam(&["verify", "--trust", s(&d.jwks()), s(&blank)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kosong.png: no QR code found"));

    // A truncated picture, and a picture that declares 100,000 × 100,000.
    let full = std::fs::read(at("menu.png")).unwrap();
    std::fs::write(at("potong.png"), &full[..full.len() / 2]).unwrap();
    let mut bomb = full.clone();
    bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    std::fs::write(at("bom.png"), &bomb).unwrap();
    for (name, needle) in [
        ("potong.png", "potong.png: "),
        ("bom.png", "the limit is 64 megapixels"),
    ] {
        let out = run_piagam(&["verify", "--trust", s(&d.jwks()), s(&at(name))]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(1) | Some(2)),
            "{name}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        if name == "bom.png" {
            assert_eq!(out.status.code(), Some(2));
        }
        assert!(
            stderr.contains(needle) || stdout_of(&out).is_empty(),
            "{name}: {stderr}"
        );
    }

    // A password-protected PDF.
    let locked = at("terkunci.pdf");
    let made = run_tool(
        "qpdf",
        &[
            "--encrypt",
            "rahasia",
            "rahasia",
            "256",
            "--",
            s(&d.dir.join(&d.rows[0].file)),
            s(&locked),
        ],
    );
    assert!(made.status.success());
    let out = run_piagam(&["verify", "--trust", s(&d.jwks()), s(&locked)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("password-protected"));

    // An argument that is neither a file nor a seal.
    let out = run_piagam(&["verify", "--trust", s(&d.jwks()), "sertifikat-saya.pdf"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("'sertifikat-saya.pdf' is not a file, a seal or a verify URL"));
}

#[test]
fn the_qr_code_in_a_pdf_is_a_link_to_the_verification_page() {
    let d = demo();
    let doc = lopdf::Document::load(d.dir.join(&d.rows[0].file)).unwrap();
    let page = *doc.get_pages().values().next().unwrap();
    let annots = doc
        .get_dictionary(page)
        .unwrap()
        .get(b"Annots")
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(annots.len(), 1);
    let annot = match &annots[0] {
        lopdf::Object::Dictionary(d) => d.clone(),
        lopdf::Object::Reference(id) => doc.get_dictionary(*id).unwrap().clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(annot.get(b"Subtype").unwrap().as_name().unwrap(), b"Link");
    let action = annot.get(b"A").unwrap().as_dict().unwrap();
    assert_eq!(
        action.get(b"URI").unwrap().as_str().unwrap(),
        d.rows[0].qr_text.as_bytes()
    );
    // Over the 42 mm code at (26, 141) mm on the A4 landscape page; no frame.
    let rect: Vec<f32> = annot
        .get(b"Rect")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_float().unwrap())
        .collect();
    let mm = |v: f32| v / 72.0 * 25.4;
    assert!(
        (mm(rect[0]) - 26.0).abs() < 0.1 && (mm(rect[2] - rect[0]) - 42.0).abs() < 0.1,
        "{rect:?}"
    );
    assert!(
        (mm(rect[1]) - (210.0 - 141.0 - 42.0)).abs() < 0.1,
        "{rect:?}"
    );
    let border: Vec<f32> = annot
        .get(b"Border")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_float().unwrap())
        .collect();
    assert_eq!(border, [0.0, 0.0, 0.0]);
}

#[test]
fn preview_writes_its_png_without_any_outside_tool() {
    let tmp = tempfile::tempdir().unwrap();
    let out = piagam()
        .args([
            "preview",
            "--template",
            s(&repo().join("templates/piagam")),
            "--out",
            s(tmp.path()),
        ])
        .env("PATH", "") // no pdftoppm, no anything
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = image::open(tmp.path().join("preview.png")).unwrap();
    // A4 landscape at 100 dpi.
    assert_eq!((png.width(), png.height()), (1169, 826));
}

#[test]
fn each_pdf_says_who_issued_it_what_for_when_and_in_which_language() {
    let d = demo();
    let file = d.dir.join(&d.rows[0].file);
    let info = stdout_of(&run_tool("pdfinfo", &[s(&file)]));
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .map(|v| v.trim().to_owned())
    };
    assert_eq!(
        field("Author").as_deref(),
        Some("CONTOH / DEMO — bukan penerbit sungguhan")
    );
    assert_eq!(field("Subject").as_deref(), Some("Juara Pertama"));
    assert_eq!(
        field("Title").as_deref(),
        Some("001/ALDPD/VIII/2024 — Pemerintah Provinsi Jawa Barat")
    );
    // The signed document date, not the clock (so output stays the same).
    assert_eq!(
        field("CreationDate").as_deref(),
        Some("Thu Aug  1 00:00:00 2024 UTC")
    );
    // No empty keys.
    assert_eq!(field("Keywords"), None);
    assert_eq!(field("Custom Metadata").as_deref(), Some("no"));
    let doc = lopdf::Document::load(&file).unwrap();
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    let lang = doc
        .get_dictionary(root)
        .unwrap()
        .get(b"Lang")
        .unwrap()
        .as_str()
        .unwrap()
        .to_vec();
    assert_eq!(lang, b"id");
}

/// The audit's case: preview showed 005/ALDPD/… where the real file says
/// 005/PGM/ALDPD/…, since it ignored the document's own numbering in
/// piagam.toml. Preview and generate now print the same serial.
#[test]
fn preview_numbers_a_row_as_generate_does() {
    let tmp = tempfile::tempdir().unwrap();
    let config = repo().join("examples/piagam-dan-sertifikat.toml");
    let roster = repo().join("examples/adlga-2024.csv");
    let out = run_piagam(&[
        "generate",
        "--roster",
        s(&roster),
        "--config",
        s(&config),
        "--key",
        s(&keygen(&tmp.path().join("kunci"), "Dinas Contoh")),
        "--out",
        s(&tmp.path().join("hasil")),
        "--no-register",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut manifest = csv::Reader::from_path(tmp.path().join("hasil/manifest.csv")).unwrap();
    let generated = manifest
        .records()
        .map(Result::unwrap)
        .find(|r| &r[1] == "piagam" && &r[5] == "6")
        .map(|r| r[0].to_owned())
        .unwrap();
    assert!(generated.contains("/PGM/"), "{generated}");
    let preview = tmp.path().join("pratinjau");
    let out = run_piagam(&[
        "preview",
        "--template",
        s(&repo().join("templates/piagam")),
        "--roster",
        s(&roster),
        "--config",
        s(&config),
        "--row",
        "6",
        "--out",
        s(&preview),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = pdf_text(&preview.join("preview.pdf"));
    assert!(text.contains(&generated), "{generated} not in {text}");
}
