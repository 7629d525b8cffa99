//! Print production: names printed onto pre-printed blank stock (blanko)
//! after a printer's calibration, and print-shop files with bleed and crop
//! marks. Only the print files change; each recipient's file stays whole.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// An event with one winner and a template drawn on a designer's PDF, with
/// a frame and fixed words the blank stock already bears.
struct Event {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    key: PathBuf,
    template: PathBuf,
}

const TEMPLATE: &str = r##"kind = "piagam"
name = "Blanko dinas"
PAGE

[background]
src = "latar.pdf"

[[element]]
type = "rect"
x = 12
y = 12
w = 273
h = 186
stroke = "#9a7b2f"
stroke_width = 1
stock = true

[[element]]
type = "text"
text = "PIAGAM PENGHARGAAN TERCETAK"
x = 40
y = 30
w = 217
h = 14
size = 22
align = "center"
stock = true

[[element]]
type = "text"
text = "{{recipient}}"
x = 60
y = 90
w = 177
h = 20
size = 24
align = "center"

[[element]]
type = "text"
text = "{{achievement}}"
x = 60
y = 115
w = 177
h = 12
size = 14
align = "center"

[[element]]
type = "text"
text = "Nomor {{serial}}"
x = 60
y = 60
w = 177
h = 10
size = 10
align = "center"

[[element]]
type = "qr"
x = 230
y = 140
size = 42
"##;

fn event(page: &str, print: &str) -> Event {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_owned();
    std::fs::write(
        dir.join("pemenang.csv"),
        "nama,prestasi\nKota Semarang,Juara Umum\n",
    )
    .unwrap();
    let config = std::fs::read_to_string(repo().join("examples/piagam.toml")).unwrap();
    std::fs::write(dir.join("piagam.toml"), format!("{config}\n{print}\n")).unwrap();
    let key = keygen(&dir.join("kunci"), "Dinas Kominfo Contoh");
    let template = dir.join("blanko");
    std::fs::create_dir_all(&template).unwrap();
    let design = Design {
        tint: true,
        ..Design::a4()
    };
    std::fs::write(template.join("latar.pdf"), background_pdf(&design)).unwrap();
    std::fs::write(
        template.join("template.toml"),
        TEMPLATE.replace("PAGE", page),
    )
    .unwrap();
    Event {
        _tmp: tmp,
        dir,
        key,
        template,
    }
}

impl Event {
    fn generate(&self, out: &str, extra: &[&str]) -> (PathBuf, String) {
        let result = piagam()
            .args(["generate", "--roster"])
            .arg(self.dir.join("pemenang.csv"))
            .arg("--template")
            .arg(&self.template)
            .arg("--key")
            .arg(&self.key)
            .arg("--out")
            .arg(self.dir.join(out))
            .args(["--no-register"])
            .args(extra)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&result.stderr).into_owned();
        assert!(result.status.success(), "{said}");
        (self.dir.join(out), said)
    }
}

/// Each word on page 1 with its top-left corner, in points.
fn words(pdf: &Path) -> Vec<(String, f64, f64)> {
    let out = run_tool("pdftotext", &["-bbox", "-f", "1", "-l", "1", s(pdf), "-"]);
    stdout_of(&out)
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            let rest = line.strip_prefix("<word ")?;
            let attr = |name: &str| -> Option<f64> {
                let at = rest.find(&format!("{name}=\""))? + name.len() + 2;
                rest[at..].split('"').next()?.parse().ok()
            };
            let text = rest.split('>').nth(1)?.split('<').next()?.to_owned();
            Some((text, attr("xMin")?, attr("yMin")?))
        })
        .collect()
}

fn word_at(words: &[(String, f64, f64)], text: &str) -> (f64, f64) {
    let (_, x, y) = words
        .iter()
        .find(|(w, _, _)| w == text)
        .unwrap_or_else(|| panic!("no word {text} in {words:?}"));
    (*x, *y)
}

const PT_PER_MM: f64 = 72.0 / 25.4;

#[test]
fn a_stock_print_leaves_out_what_the_blank_bears_and_moves_by_the_calibration() {
    let plain = event("", "");
    let (whole, said) = plain.generate("utuh", &[]);
    assert!(!said.contains("actual size"), "{said}");
    let before = words(&whole.join("print.pdf"));

    let calibrated = event("", "[print]\noffset_mm = [2.5, -1.5]");
    let (stock, said) = calibrated.generate("blanko", &["--stock"]);
    // Every stock print is told to be printed at 100%.
    assert!(said.contains("100% (\"actual size\")"), "{said}");
    let print = stock.join("print.pdf");
    let text = pdf_text(&print);
    // Neither the background nor the words on the stock are printed.
    assert!(!text.contains("LATAR DESAINER"), "{text}");
    assert!(!text.contains("TERCETAK"), "{text}");
    assert!(
        text.contains("Kota Semarang") && text.contains("Juara Umum"),
        "{text}"
    );
    // The recipient's own file is whole, for the screen.
    let own = stock.join(document_pdfs(&stock).into_iter().next().unwrap());
    let own_text = pdf_text(&own);
    assert!(own_text.contains("LATAR DESAINER") && own_text.contains("TERCETAK"));
    // What is printed is where it was, moved by the offset, to 0.1 mm.
    let after = words(&print);
    for word in ["Kota", "Semarang", "Juara", "Umum", "Nomor"] {
        let (x0, y0) = word_at(&before, word);
        let (x1, y1) = word_at(&after, word);
        assert!(
            ((x1 - x0) / PT_PER_MM - 2.5).abs() < 0.1 && ((y1 - y0) / PT_PER_MM + 1.5).abs() < 0.1,
            "{word}: ({x0}, {y0}) → ({x1}, {y1})"
        );
    }
    // Nothing is drawn outside the page: the stock print is the same size.
    let info = stdout_of(&run_tool("pdfinfo", &[s(&print)]));
    assert!(info.contains("841.89 x 595.2"), "{info}");

    // check, as generate, lays out the stock pages and says the same.
    let stock_config = event("", "[print]\nstock = true");
    let checked = piagam()
        .args(["check", "--roster"])
        .arg(stock_config.dir.join("pemenang.csv"))
        .arg("--template")
        .arg(&stock_config.template)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&checked.stderr);
    assert!(checked.status.success(), "{said}");
    assert!(said.contains("100% (\"actual size\")"), "{said}");

    // A printer that prints 1% large across and 1% small down is
    // corrected about the top-left corner.
    let scaled = event("", "[print]\nstock = true\nscale = [0.99, 1.01]");
    let (out, _) = scaled.generate("skala", &[]);
    let after = words(&out.join("print.pdf"));
    for word in ["Kota", "Semarang", "Nomor"] {
        let (x0, y0) = word_at(&before, word);
        let (x1, y1) = word_at(&after, word);
        assert!(
            (x1 - x0 * 0.99).abs() / PT_PER_MM < 0.1 && (y1 - y0 * 1.01).abs() / PT_PER_MM < 0.2,
            "{word}: ({x0}, {y0}) → ({x1}, {y1})"
        );
    }

    // A calibration past what a printer needs is refused, naming the key.
    let wrong = event("", "[print]\noffset_mm = [45, 0]");
    let refused = piagam()
        .args(["generate", "--roster"])
        .arg(wrong.dir.join("pemenang.csv"))
        .arg("--template")
        .arg(&wrong.template)
        .arg("--key")
        .arg(&wrong.key)
        .arg("--out")
        .arg(wrong.dir.join("x"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{said}");
    assert!(said.contains("print.offset_mm x is 45"), "{said}");
}

#[test]
fn words_the_page_shows_per_winner_cannot_be_marked_as_stock() {
    let event = event("", "");
    let path = event.template.join("template.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            "text = \"{{achievement}}\"",
            "text = \"{{achievement}}\"\nstock = true",
        ),
    )
    .unwrap();
    let out = run_piagam(&[
        "check",
        "--template",
        s(&event.template),
        "--roster",
        s(&event.dir.join("pemenang.csv")),
    ]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("template.toml")
            && said.contains("stock = true")
            && said.contains("{{achievement}}"),
        "{said}"
    );
}

/// A box from `pdfinfo -box`, in points.
fn page_box(info: &str, name: &str) -> [f64; 4] {
    let line = info
        .lines()
        .find(|l| {
            l.starts_with(&format!("Page    1 {name}:")) || l.starts_with(&format!("{name}:"))
        })
        .unwrap_or_else(|| panic!("no {name} in {info}"));
    let numbers: Vec<f64> = line
        .split(':')
        .nth(1)
        .unwrap()
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    [numbers[0], numbers[1], numbers[2], numbers[3]]
}

#[test]
fn print_shop_files_have_bleed_and_crop_marks_and_the_recipients_do_not() {
    let event = event(
        "[page]\nsize = \"A4\"\norientation = \"landscape\"\nbleed_mm = 3",
        "",
    );
    let (out, _) = event.generate("percetakan", &["--marks"]);
    let print = out.join("print.pdf");
    qpdf_check(&print);
    let info = stdout_of(&run_tool("pdfinfo", &["-box", s(&print)]));
    let media = page_box(&info, "MediaBox");
    let trim = page_box(&info, "TrimBox");
    let bleed = page_box(&info, "BleedBox");
    let mm = |pt: f64| pt / PT_PER_MM;
    // The trim is the A4 page; the bleed 3 mm around it; the paper more.
    assert!((mm(trim[2] - trim[0]) - 297.0).abs() < 0.05, "{info}");
    assert!((mm(trim[3] - trim[1]) - 210.0).abs() < 0.05, "{info}");
    for i in 0..2 {
        assert!((mm(trim[i] - bleed[i]) - 3.0).abs() < 0.05, "{info}");
        assert!(
            (mm(bleed[i + 2] - trim[i + 2]) - 3.0).abs() < 0.05,
            "{info}"
        );
        assert!(media[i] < bleed[i] && media[i + 2] > bleed[i + 2], "{info}");
    }

    // Rendered at 4 px a point: the background runs into the bleed; the
    // marks lie outside it, in line with the trim's edges.
    let dir = out.join("png");
    std::fs::create_dir_all(&dir).unwrap();
    run_tool(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "288",
            "-f",
            "1",
            "-l",
            "1",
            s(&print),
            s(&dir.join("p")),
        ],
    );
    let png = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let image = image::open(png).unwrap().to_luma8();
    let px = |pt: f64| (pt * 4.0).round() as u32;
    let height = media[3];
    // From PDF points (bottom-up) to the picture's rows (top-down).
    let at = |x: f64, y: f64| image.get_pixel(px(x), px(height - y)).0[0];
    let darkest = |x: f64, y: f64| {
        let mut min = 255;
        for dx in -3i32..=3 {
            for dy in -3i32..=3 {
                let (cx, cy) = (px(x) as i32 + dx, px(height - y) as i32 + dy);
                min = min.min(image.get_pixel(cx as u32, cy as u32).0[0]);
            }
        }
        min
    };
    let middle = (trim[1] + trim[3]) / 2.0;
    // In the bleed, beside the trim: the background's tint, not paper.
    let in_bleed = at((bleed[0] + trim[0]) / 2.0, middle);
    assert!(in_bleed < 250, "the bleed is white ({in_bleed})");
    // Beyond the bleed, away from the corners: paper.
    assert_eq!(at(bleed[0] / 2.0, middle), 255);
    // A mark beside each corner, on the trim's line, outside the bleed.
    let mark_x = bleed[0] - 3.0 * PT_PER_MM + 1.0;
    for y in [trim[1], trim[3]] {
        assert!(darkest(mark_x, y) < 128, "no mark at y {y}");
        assert!(
            darkest(media[2] - (mark_x - media[0]), y) < 128,
            "no mark at y {y}"
        );
    }
    let mark_y = bleed[1] - 3.0 * PT_PER_MM + 1.0;
    for x in [trim[0], trim[2]] {
        assert!(darkest(x, mark_y) < 128, "no mark at x {x}");
        assert!(
            darkest(x, media[3] - (mark_y - media[1])) < 128,
            "no mark at x {x}"
        );
    }

    // The recipient's own file is the trimmed page, for screens.
    let own = out.join(document_pdfs(&out).into_iter().next().unwrap());
    let info = stdout_of(&run_tool("pdfinfo", &["-box", s(&own)]));
    assert_eq!(
        page_box(&info, "MediaBox"),
        page_box(&info, "TrimBox"),
        "{info}"
    );
    assert!(info.contains("841.89 x 595.2"), "{info}");
}

#[test]
fn the_calibration_sheet_has_true_scale_rulers_and_marks_each_place() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("kalibrasi.pdf");
    let result = run_piagam(&[
        "calibrate",
        "--template",
        s(&repo().join("templates/piagam")),
        "--out",
        s(&out),
    ]);
    let said = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(0), "{said}");
    assert!(said.contains("offset_mm"), "{said}");
    qpdf_check(&out);
    let info = stdout_of(&run_tool("pdfinfo", &[s(&out)]));
    assert!(info.contains("841.89 x 595.2"), "{info}");
    // The ruler's numbers sit on their ticks: 100 mm and 200 mm from the
    // left edge, each centred there.
    let words = words(&out);
    let centre = |label: &str| {
        let out = run_tool("pdftotext", &["-bbox", "-f", "1", "-l", "1", s(&out), "-"]);
        let text = stdout_of(&out);
        let line = text
            .lines()
            .find(|l| l.trim().ends_with(&format!(">{label}</word>")))
            .unwrap_or_else(|| panic!("no {label}"));
        let attr = |name: &str| -> f64 {
            let at = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            line[at..].split('"').next().unwrap().parse().unwrap()
        };
        (attr("xMin") + attr("xMax")) / 2.0 / PT_PER_MM
    };
    assert!((centre("100") - 100.0).abs() < 0.2, "{}", centre("100"));
    assert!((centre("200") - 200.0).abs() < 0.2, "{}", centre("200"));
    // Each place is named with where it is.
    let text = pdf_text(&out);
    for place in ["nama: x 148,5 mm, y 90,0 mm", "QR: x 26,0 mm, y 141,0 mm"] {
        assert!(text.contains(place), "{place} not in {text}");
    }
    assert!(words.iter().any(|(w, _, _)| w == "KALIBRASI."), "{words:?}");
    // Rendered, the 100 mm tick is a dark line 100 mm from the left edge.
    let dir = tmp.path().join("png");
    std::fs::create_dir_all(&dir).unwrap();
    run_tool(
        "pdftoppm",
        &["-png", "-r", "254", s(&out), s(&dir.join("p"))],
    );
    let png = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let image = image::open(png).unwrap().to_luma8();
    // 254 dpi is 10 px a millimetre; the tick runs down from 12 mm.
    let column = |x: u32| {
        (125..160)
            .map(|y| image.get_pixel(x, y).0[0])
            .min()
            .unwrap()
    };
    let near = |x_mm: u32| (x_mm * 10 - 1..=x_mm * 10 + 1).map(column).min().unwrap();
    assert!(near(100) < 160, "no tick at 100 mm");
    assert!(near(200) < 160, "no tick at 200 mm");
    // And half a millimetre on, paper: the ticks are a millimetre apart.
    assert!(column(1005) > 230 && column(1995) > 230);
}
