//! The designer's PDF as the page's background: embedded as vector art (its
//! text stays text), shared once per run, turned by /Rotate, cropped by its
//! CropBox, and refused with a reason when it cannot be used.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use lopdf::{dictionary, Document, Object, Stream};

/// The fields' boxes and the QR code's, in mm, as the template places
/// them: the name, the achievement and the serial (every signed field a
/// page must show, or verify says it is not what was signed).
const NAME_BOX: [f32; 4] = [60.0, 90.0, 177.0, 20.0];
const ACHIEVEMENT_BOX: [f32; 4] = [60.0, 115.0, 177.0, 12.0];
const SERIAL_BOX: [f32; 4] = [60.0, 60.0, 177.0, 10.0];
const QR_BOX: [f32; 4] = [230.0, 140.0, 42.0, 42.0];
const FIELD_BOXES: [[f32; 4]; 4] = [NAME_BOX, ACHIEVEMENT_BOX, SERIAL_BOX, QR_BOX];

/// A template of the background and two fields on it; `page` is the
/// `[page]` table, if any.
fn template(dir: &Path, background: &[u8], page: Option<&str>) -> PathBuf {
    let folder = dir.join("desain");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("latar.pdf"), background).unwrap();
    let field = |text: &str, [x, y, w, h]: [f32; 4], size: u32| {
        format!(
            "[[element]]\ntype = \"text\"\ntext = \"{text}\"\nx = {x}\ny = {y}\nw = {w}\nh = {h}\nsize = {size}\nalign = \"center\"\n\n"
        )
    };
    let fields = field("{{recipient}}", NAME_BOX, 24)
        + &field("{{achievement}}", ACHIEVEMENT_BOX, 14)
        + &field("Nomor: {{serial}}", SERIAL_BOX, 10);
    let [qx, qy, qs, _] = QR_BOX;
    let page = page.map(|p| format!("[page]\n{p}\n")).unwrap_or_default();
    std::fs::write(
        folder.join("template.toml"),
        format!(
            "kind = \"piagam\"\nname = \"Desain dinas\"\n{page}\n\
             [background]\nsrc = \"latar.pdf\"\n\n{fields}\
             [[element]]\ntype = \"qr\"\nx = {qx}\ny = {qy}\nsize = {qs}\n"
        ),
    )
    .unwrap();
    folder
}

struct Event {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    key: PathBuf,
}

fn event(rows: usize) -> Event {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_owned();
    let mut roster = String::from("nama,prestasi\n");
    for i in 1..=rows {
        roster.push_str(&format!("Kota Contoh {i},Juara {i}\n"));
    }
    std::fs::write(dir.join("pemenang.csv"), roster).unwrap();
    std::fs::copy(repo().join("examples/piagam.toml"), dir.join("piagam.toml")).unwrap();
    let key = keygen(&dir.join("kunci"), "Dinas Kominfo Contoh");
    Event {
        _tmp: tmp,
        dir,
        key,
    }
}

impl Event {
    fn generate(&self, template: &Path, out: &str) -> std::process::Output {
        run_piagam(&[
            "generate",
            "--roster",
            s(&self.dir.join("pemenang.csv")),
            "--template",
            s(template),
            "--key",
            s(&self.key),
            "--out",
            s(&self.dir.join(out)),
            "--no-register",
        ])
    }

    fn made(&self, template: &Path, out: &str) -> PathBuf {
        let result = self.generate(template, out);
        assert!(
            result.status.success(),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
        self.dir.join(out)
    }
}

/// The first page at 60 dpi, as a viewer shows it (its CropBox).
fn render(pdf: &Path, dir: &Path) -> image::RgbImage {
    std::fs::create_dir_all(dir).unwrap();
    let prefix = dir.join("page");
    let out = run_tool(
        "pdftoppm",
        &[
            "-png",
            "-cropbox",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            s(pdf),
            s(&prefix),
        ],
    );
    assert!(out.status.success(), "pdftoppm {}", pdf.display());
    let png = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "png"))
        .unwrap();
    image::open(png).unwrap().to_rgb8()
}

/// Pixels that differ by more than a trace between two renderings, outside
/// the given boxes (mm, with a margin), as a share of those compared.
fn differing_outside(a: &image::RgbImage, b: &image::RgbImage, boxes: &[[f32; 4]]) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions(), "page sizes differ");
    let px_per_mm = 60.0 / 25.4;
    let inside = |x: u32, y: u32| {
        let (mx, my) = (x as f32 / px_per_mm, y as f32 / px_per_mm);
        boxes.iter().any(|[bx, by, bw, bh]| {
            mx > bx - 3.0 && mx < bx + bw + 3.0 && my > by - 3.0 && my < by + bh + 3.0
        })
    };
    let (mut compared, mut differing) = (0u64, 0u64);
    for (x, y, p) in a.enumerate_pixels() {
        if inside(x, y) {
            continue;
        }
        compared += 1;
        let q = b.get_pixel(x, y);
        if p.0.iter().zip(q.0).any(|(u, v)| u.abs_diff(v) > 24) {
            differing += 1;
        }
    }
    differing as f64 / compared as f64
}

/// The page as the background alone draws it, and as generated on it:
/// the same outside the fields, and the background's art is there at all.
fn assert_drawn_as_background(background: &[u8], generated: &Path, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let alone = dir.join("alone.pdf");
    std::fs::write(&alone, background).unwrap();
    let expected = render(&alone, &dir.join("png-alone"));
    let got = render(generated, &dir.join("png-got"));
    let share = differing_outside(&expected, &got, &FIELD_BOXES);
    assert!(share < 0.002, "{:.3}% of the pixels differ", share * 100.0);
    // The background is not blank: its frame and shapes are drawn.
    let dark = expected
        .pixels()
        .filter(|p| p.0.iter().all(|c| *c < 200))
        .count();
    assert!(dark > 2000, "the background drew {dark} dark pixels");
}

#[test]
fn a_designers_pdf_is_the_background_as_vector_art_shared_once() {
    let event = event(5);
    let design = Design {
        noise: 200_000,
        ..Design::a4()
    };
    let background = background_pdf(&design);
    let folder = template(&event.dir, &background, None);
    let out = event.made(&folder, "hasil");
    let first = out.join(document_pdfs(&out).into_iter().next().unwrap());
    qpdf_check(&first);
    // The background's words are still text, beside the winner's name.
    let text = pdf_text(&first);
    assert!(text.contains("LATAR DESAINER DINAS"), "{text}");
    assert!(text.contains("Kota Contoh 1"), "{text}");
    // The page takes the background's size: A4 landscape.
    let info = run_tool("pdfinfo", &[s(&first)]);
    assert!(
        stdout_of(&info).contains("841.89 x 595.28 pts")
            || stdout_of(&info).contains("841.89 x 595.27 pts"),
        "{}",
        stdout_of(&info)
    );
    assert_drawn_as_background(&background, &first, &event.dir);
    // A document is its background plus a little; the print file holds
    // the background once for five pages.
    let size = |p: &Path| std::fs::metadata(p).unwrap().len();
    let bg = background.len() as u64;
    assert!(
        size(&first) <= bg + 40_000,
        "{} for a {bg}-byte background",
        size(&first)
    );
    let print = size(&out.join("print.pdf"));
    assert!(print < bg + 5 * 40_000, "print.pdf is {print} bytes");
    // The QR code on it reads, and verifies.
    std::fs::create_dir_all(event.dir.join("qr")).unwrap();
    let png = render_pages(&first, 150, &event.dir.join("qr"));
    let codes = scan_qr(&png[0]);
    assert_eq!(codes.len(), 1, "{codes:?}");
    let verified = run_piagam(&[
        "verify",
        "--trust",
        s(&event.key.with_file_name("issuer.jwks.json")),
        s(&first),
    ]);
    assert_eq!(verified.status.code(), Some(0), "{}", stdout_of(&verified));
}

#[test]
fn a_rotated_background_is_turned_and_a_cropped_one_cut() {
    // A portrait page turned a quarter either way, or a landscape one
    // turned upside down: each shown as A4 landscape.
    let event = event(1);
    for rotate in [90, 180, 270, -90] {
        let media = if rotate == 180 {
            [0.0, 0.0, A4_LANDSCAPE.0, A4_LANDSCAPE.1]
        } else {
            [0.0, 0.0, A4_LANDSCAPE.1, A4_LANDSCAPE.0]
        };
        let turned = Design {
            media,
            rotate: Some(rotate),
            ..Design::a4()
        };
        let background = background_pdf(&turned);
        let dir = event.dir.join(format!("putar{rotate}"));
        let folder = template(&dir, &background, None);
        let out = event.made(&folder, &format!("putar{rotate}-hasil"));
        let first = out.join(document_pdfs(&out).into_iter().next().unwrap());
        let info = stdout_of(&run_tool("pdfinfo", &[s(&first)]));
        assert!(
            info.lines()
                .any(|l| l.starts_with("Page rot:") && l.trim_end().ends_with(" 0")),
            "{info}"
        );
        assert!(info.contains("841.89 x 595.2"), "{info}");
        assert_drawn_as_background(&background, &first, &dir.join("png"));
    }

    // A page whose visible area starts away from the origin.
    let cropped = Design {
        media: [0.0, 0.0, 1000.0, 800.0],
        crop: Some([100.0, 50.0, 100.0 + A4_LANDSCAPE.0, 50.0 + A4_LANDSCAPE.1]),
        ..Design::a4()
    };
    let background = background_pdf(&cropped);
    let folder = template(&event.dir.join("potong"), &background, None);
    let out = event.made(&folder, "potong-hasil");
    let first = out.join(document_pdfs(&out).into_iter().next().unwrap());
    assert_drawn_as_background(&background, &first, &event.dir.join("potong-png"));
}

#[test]
fn a_background_that_cannot_be_used_is_refused_with_its_reason() {
    let event = event(1);
    let background = background_pdf(&Design::a4());
    // A page size that is not the background's, by more than 1 mm.
    let folder = template(
        &event.dir.join("a4tegak"),
        &background,
        Some("size = \"A4\"\norientation = \"portrait\""),
    );
    let refused = event.generate(&folder, "x");
    let said = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{said}");
    assert!(
        said.contains("297.0 × 210.0 mm") && said.contains("210.0 × 297.0 mm"),
        "{said}"
    );
    // Within a millimetre, [page] is kept.
    let folder = template(
        &event.dir.join("a4lanskap"),
        &background,
        Some("size = \"A4\"\norientation = \"landscape\""),
    );
    event.made(&folder, "a4lanskap-hasil");

    // Locked against changes only (an owner password): opened.
    let plain = event.dir.join("polos.pdf");
    std::fs::write(&plain, &background).unwrap();
    let owner = event.dir.join("pemilik.pdf");
    let status = run_tool(
        "qpdf",
        &[
            "--encrypt",
            "",
            "rahasia",
            "256",
            "--",
            s(&plain),
            s(&owner),
        ],
    );
    assert!(status.status.success(), "{}", stdout_of(&status));
    let folder = template(
        &event.dir.join("pemilik"),
        &std::fs::read(&owner).unwrap(),
        None,
    );
    let out = event.made(&folder, "pemilik-hasil");
    let first = out.join(document_pdfs(&out).into_iter().next().unwrap());
    assert!(pdf_text(&first).contains("LATAR DESAINER DINAS"));
    assert_drawn_as_background(&background, &first, &event.dir.join("pemilik-png"));

    // One that needs a password to open: refused, saying so.
    let user = event.dir.join("pengguna.pdf");
    let status = run_tool(
        "qpdf",
        &[
            "--encrypt",
            "buka",
            "rahasia",
            "256",
            "--",
            s(&plain),
            s(&user),
        ],
    );
    assert!(status.status.success(), "{}", stdout_of(&status));
    let folder = template(
        &event.dir.join("pengguna"),
        &std::fs::read(&user).unwrap(),
        None,
    );
    let refused = event.generate(&folder, "y");
    let said = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{said}");
    assert!(
        said.contains("latar.pdf") && said.contains("password"),
        "{said}"
    );

    // A page asking more than any design would: refused by name.
    let mut ops = String::new();
    for i in 0..120_000 {
        ops.push_str(&format!("{} 10 m {} 20 l\n", i % 800, i % 800));
    }
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let contents = doc.add_object(Stream::new(dictionary! {}, ops.into_bytes()));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => contents,
        "MediaBox" => vec![0.into(), 0.into(), 841.89.into(), 595.28.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.compress();
    let mut heavy = Vec::new();
    doc.save_to(&mut heavy).unwrap();
    let folder = template(&event.dir.join("berat"), &heavy, None);
    let refused = event.generate(&folder, "z");
    let said = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{said}");
    assert!(said.contains("asks more than any design would"), "{said}");

    // A page that is not there.
    let folder = template(&event.dir.join("halaman"), &background, None);
    let text = std::fs::read_to_string(folder.join("template.toml")).unwrap();
    std::fs::write(
        folder.join("template.toml"),
        text.replace("src = \"latar.pdf\"", "src = \"latar.pdf\"\npage = 3"),
    )
    .unwrap();
    let refused = event.generate(&folder, "w");
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("it has 1 page(s); page 3 was asked for"),
        "{said}"
    );
}
