//! PDFs changed as a forger would change them, built here with lopdf and
//! qpdf from the demo's genuine files: none may read SAH / VALID. And the
//! issued-files list: the very file issued is confirmed as such, any other
//! file with a listed seal is not.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Object, ObjectId};

struct Demo {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    /// A folder with nothing in it, to verify from without the demo's lists.
    elsewhere: PathBuf,
    rows: Vec<ManifestRow>,
}

fn demo() -> Demo {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    assert!(run_piagam(&["demo", "--out", s(&dir)]).status.success());
    let rows = read_manifest(&dir);
    Demo {
        _tmp: tmp,
        dir,
        elsewhere,
        rows,
    }
}

struct Verified {
    code: Option<i32>,
    reports: Vec<serde_json::Value>,
    text: String,
}

impl Demo {
    /// `piagam verify` from `cwd`, as JSON and as the human report.
    fn verify_in(&self, cwd: &Path, file: &Path, extra: &[&str]) -> Verified {
        let jwks = self.dir.join("issuer.jwks.json");
        let run = |json: bool| {
            let mut cmd = piagam();
            cmd.current_dir(cwd).args(["verify", "--trust", s(&jwks)]);
            if json {
                cmd.arg("--json");
            }
            cmd.args(extra).arg(file).output().unwrap()
        };
        let json = run(true);
        let human = run(false);
        assert_eq!(json.status.code(), human.status.code());
        Verified {
            code: json.status.code(),
            reports: stdout_of(&json)
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect(),
            text: stdout_of(&human),
        }
    }

    /// Verified with no list of issued files at hand.
    fn verify_alone(&self, file: &Path) -> Verified {
        self.verify_in(&self.elsewhere, file, &[])
    }

    fn file(&self, row: usize) -> PathBuf {
        self.dir.join(&self.rows[row].file)
    }
}

/// Asserts a forged file is refused, whatever the seal says, and names the
/// signed recipient that the page does not show.
fn assert_page_differs(v: &Verified, recipient: &str) {
    assert_eq!(v.code, Some(1), "{}", v.text);
    assert_eq!(v.reports[0]["checks"]["signature"], "pass");
    assert_eq!(v.reports[0]["valid"], false);
    assert_eq!(v.reports[0]["code"], "page-text-differs");
    let missing: Vec<&str> = v.reports[0]["page_text_missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(missing.contains(&recipient), "{missing:?}");
    assert!(!v.text.contains("SAH — segel asli"), "{}", v.text);
    // The verdict for the page in hand comes first, right under its name.
    assert_eq!(
        v.text.lines().nth(1),
        Some("TIDAK SAH — segel sah, tetapi teks halaman ini berbeda dari yang ditandatangani."),
        "{}",
        v.text
    );
}

/// The content operations of a document's only page.
fn page_ops(doc: &Document) -> (ObjectId, Vec<Operation>) {
    let page = *doc.get_pages().values().next().unwrap();
    (
        page,
        doc.get_and_decode_page_content(page).unwrap().operations,
    )
}

fn set_page_ops(doc: &mut Document, page: ObjectId, operations: Vec<Operation>) {
    let encoded = Content { operations }.encode().unwrap();
    doc.change_page_content(page, encoded).unwrap();
}

/// Resource names of the page's fonts whose BaseFont holds `family`.
fn fonts_named(doc: &Document, page: ObjectId, family: &str) -> Vec<Vec<u8>> {
    doc.get_page_fonts(page)
        .unwrap()
        .iter()
        .filter(|(_, f)| {
            f.get(b"BaseFont")
                .ok()
                .and_then(|b| b.as_name().ok())
                .is_some_and(|n| String::from_utf8_lossy(n).contains(family))
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// Inserts `inserted` where text in one of `fonts` gets its colour (piagam
/// sets it right after the font), so it applies to that text alone. The
/// recipient's name is in EB Garamond.
fn after_font(ops: Vec<Operation>, fonts: &[Vec<u8>], inserted: &[Operation]) -> Vec<Operation> {
    let mut out = Vec::new();
    let mut pending = false;
    for op in ops {
        if op.operator == "Tf" {
            pending = op.operands[0]
                .as_name()
                .is_ok_and(|n| fonts.iter().any(|f| f == n));
        }
        let coloured = pending && op.operator == "rg";
        out.push(op);
        if coloured {
            out.extend(inserted.iter().cloned());
            pending = false;
        }
    }
    out
}

fn op(operator: &str, operands: Vec<Object>) -> Operation {
    Operation::new(operator, operands)
}

/// The recipient's name, drawn in a way nobody sees, stays in the text
/// layer. Each way is caught.
#[test]
fn a_name_drawn_invisibly_or_in_the_ground_colour_does_not_count_as_shown() {
    let d = demo();
    let recipient = d.rows[4].recipient.clone();
    let ways: [(&str, Vec<Operation>); 4] = [
        ("invisible", vec![op("Tr", vec![3.into()])]),
        // Raised a thousand points: off the page, outside its crop box.
        ("off-page", vec![op("Ts", vec![(-1000).into()])]),
        ("clip-only", vec![op("Tr", vec![7.into()])]),
        // The page is cream (0.992 0.984 0.961): white on it is unseen.
        ("white", vec![op("rg", vec![1.into(), 1.into(), 1.into()])]),
    ];
    for (name, inserted) in ways {
        let mut doc = Document::load(d.file(4)).unwrap();
        let (page, ops) = page_ops(&doc);
        let garamond = fonts_named(&doc, page, "Garamond");
        assert!(!garamond.is_empty());
        set_page_ops(&mut doc, page, after_font(ops, &garamond, &inserted));
        let forged = d.dir.join(format!("{name}.pdf"));
        doc.save(&forged).unwrap();
        // The text layer still holds the name: a text extractor is fooled
        // (pdftotext leaves out text beyond the page; lopdf does not).
        let layer = if name == "off-page" {
            Document::load(&forged).unwrap().extract_text(&[1]).unwrap()
        } else {
            pdf_text(&forged)
        };
        assert!(
            layer.replace('\n', " ").contains(&recipient),
            "{name}: {layer}"
        );
        let v = d.verify_alone(&forged);
        if name == "clip-only" && v.reports.is_empty() {
            // Text as a clip also clips what follows it, the QR code here:
            // no seal is read at all.
            assert_eq!(v.code, Some(1), "{}", v.text);
            continue;
        }
        assert_page_differs(&v, &recipient);
    }
}

/// Draws `text` in Helvetica at (x, y) points on the page, after all else.
fn draw_text(doc: &mut Document, page: ObjectId, x: f32, y: f32, size: f32, text: &str) {
    let font = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
    });
    let resources = doc.get_or_create_resources(page).unwrap();
    let resources = match resources {
        Object::Dictionary(d) => d,
        _ => unreachable!(),
    };
    let mut fonts = resources
        .get(b"Font")
        .ok()
        .and_then(|f| f.as_dict().ok())
        .cloned()
        .unwrap_or_default();
    fonts.set("Forged", Object::Reference(font));
    resources.set("Font", Object::Dictionary(fonts));
    let (_, mut ops) = page_ops(doc);
    ops.extend([
        op("BT", vec![]),
        op("rg", vec![0.into(), 0.into(), 0.into()]),
        op("Tf", vec![Object::Name(b"Forged".to_vec()), size.into()]),
        op("Td", vec![x.into(), y.into()]),
        op("Tj", vec![Object::string_literal(text)]),
        op("ET", vec![]),
    ]);
    set_page_ops(doc, page, ops);
}

/// The box, in PDF points from the bottom left, that pdftotext gives the
/// words of `phrase` on page 1.
fn words_box(pdf: &Path, phrase: &str) -> (f32, f32, f32, f32) {
    let out = run_tool("pdftotext", &["-bbox", s(pdf), "-"]);
    let html = stdout_of(&out);
    let height: f32 = html
        .split("<page width=\"")
        .nth(1)
        .and_then(|r| r.split("height=\"").nth(1))
        .and_then(|r| r.split('"').next())
        .and_then(|h| h.parse().ok())
        .unwrap();
    let words: Vec<&str> = phrase.split_whitespace().collect();
    let mut boxes = Vec::new();
    for line in html.lines().filter(|l| l.contains("<word ")) {
        let word = line.split('>').nth(1).and_then(|r| r.split('<').next());
        if word.is_some_and(|w| words.contains(&w)) {
            let attr = |name: &str| -> f32 {
                line.split(&format!("{name}=\""))
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                    .and_then(|v| v.parse().ok())
                    .unwrap()
            };
            boxes.push((attr("xMin"), attr("yMin"), attr("xMax"), attr("yMax")));
        }
    }
    // The name is the largest text: keep the words of its line.
    let tallest = boxes.iter().map(|b| b.3 - b.1).fold(0.0f32, f32::max);
    let line: Vec<_> = boxes
        .into_iter()
        .filter(|b| b.3 - b.1 > 0.8 * tallest)
        .collect();
    let x0 = line.iter().map(|b| b.0).fold(f32::MAX, f32::min);
    let x1 = line.iter().map(|b| b.2).fold(0.0, f32::max);
    let top = line.iter().map(|b| b.1).fold(f32::MAX, f32::min);
    let bottom = line.iter().map(|b| b.3).fold(0.0, f32::max);
    (x0, height - bottom, x1 - x0, bottom - top)
}

#[test]
fn a_name_covered_by_a_white_box_and_drawn_anew_is_caught() {
    let d = demo();
    let recipient = d.rows[13].recipient.clone();
    assert_eq!(recipient, "Pemerintah Kota Semarang");
    let original = d.file(13);
    let (x, y, w, h) = words_box(&original, &recipient);
    let mut doc = Document::load(&original).unwrap();
    let (page, mut ops) = page_ops(&doc);
    // The page's own cream, so the box does not show.
    ops.extend([
        op("q", vec![]),
        op("rg", vec![0.992.into(), 0.984.into(), 0.961.into()]),
        op(
            "re",
            vec![
                (x - 2.0).into(),
                (y - 4.0).into(),
                (w + 4.0).into(),
                (h + 8.0).into(),
            ],
        ),
        op("f", vec![]),
        op("Q", vec![]),
    ]);
    set_page_ops(&mut doc, page, ops);
    draw_text(
        &mut doc,
        page,
        x,
        y + 4.0,
        30.0,
        "Pemerintah Kota Samarinda",
    );
    let forged = d.dir.join("covered.pdf");
    doc.save(&forged).unwrap();
    let text = pdf_text(&forged).replace('\n', " ");
    assert!(
        text.contains("Semarang") && text.contains("Samarinda"),
        "{text}"
    );
    assert_page_differs(&d.verify_alone(&forged), &recipient);
}

/// The audit's attack: page 1 of print.pdf carrying page 2's QR code, with
/// the Info dictionary (and its Producer) removed by qpdf.
#[test]
fn a_page_given_another_pages_seal_is_caught_whoever_made_the_pdf() {
    let d = demo();
    let print = d.dir.join("print.pdf");
    let mut doc = Document::load(&print).unwrap();
    let pages: Vec<ObjectId> = doc.get_pages().values().copied().collect();
    let forms = |doc: &Document, page: ObjectId| -> Vec<(Vec<u8>, ObjectId)> {
        let (resources, ids) = doc.get_page_resources(page).unwrap();
        let mut all: Vec<&lopdf::Dictionary> = resources.into_iter().collect();
        for id in ids {
            all.push(doc.get_dictionary(id).unwrap());
        }
        let mut out = Vec::new();
        for r in all {
            if let Ok(x) = r.get(b"XObject").and_then(|x| x.as_dict()) {
                for (name, obj) in x.iter() {
                    let id = obj.as_reference().unwrap();
                    let stream = doc.get_object(id).unwrap().as_stream().unwrap();
                    // The QR code's form (the background is a form too).
                    if stream.dict.get(b"Subtype").unwrap().as_name().unwrap() == b"Form"
                        && name.starts_with(b"QR")
                    {
                        out.push((name.clone(), id));
                    }
                }
            }
        }
        out
    };
    let one = forms(&doc, pages[0]);
    let two = forms(&doc, pages[1]);
    assert_eq!((one.len(), two.len()), (1, 1), "one QR form a page");
    // Page 1 now draws page 2's QR form under its own name.
    let (page1_resources, _) = doc.get_page_resources(pages[0]).unwrap();
    let direct = page1_resources.is_some();
    let target = if direct {
        pages[0]
    } else {
        doc.get_page_resources(pages[0]).unwrap().1[0]
    };
    let dict = doc.get_dictionary_mut(target).unwrap();
    let resources = if direct {
        dict.get_mut(b"Resources").unwrap().as_dict_mut().unwrap()
    } else {
        dict
    };
    let xobjects = resources
        .get_mut(b"XObject")
        .unwrap()
        .as_dict_mut()
        .unwrap();
    xobjects.set(one[0].0.clone(), Object::Reference(two[0].1));
    let swapped = d.dir.join("swapped-full.pdf");
    doc.save(&swapped).unwrap();
    let forged = d.dir.join("swapped.pdf");
    let out = run_tool(
        "qpdf",
        &["--empty", "--pages", s(&swapped), "1", "--", s(&forged)],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let info = run_tool("pdfinfo", &[s(&forged)]);
    assert!(!stdout_of(&info).contains("piagam"), "no Producer left");

    let v = d.verify_alone(&forged);
    assert_eq!(v.reports.len(), 1);
    assert_eq!(
        v.reports[0]["claims"]["recipient"],
        d.rows[1].recipient.as_str()
    );
    assert_page_differs(&v, &d.rows[1].recipient);

    // With the issuer's list of issued files at hand (found in the event
    // folder on its own), the file itself is refused.
    let v = d.verify_in(&d.dir, &forged, &[]);
    assert_eq!(v.code, Some(1));
    assert_eq!(v.reports[0]["code"], "file-not-as-issued");
    assert_eq!(v.reports[0]["file"]["check"], "not-as-issued");
    assert!(
        v.text
            .contains("TIDAK SAH — berkas ini bukan berkas yang diterbitkan"),
        "{}",
        v.text
    );
    // The seal's details are still shown, for comparison.
    assert!(v.text.contains(&d.rows[1].recipient), "{}", v.text);
}

#[test]
fn the_very_file_issued_is_confirmed_and_a_resaved_copy_is_not() {
    let d = demo();
    let list = d.dir.join("piagam-issued.cose");
    assert!(list.is_file(), "the demo writes its list of issued files");
    let genuine = d.file(6);
    let v = d.verify_in(&d.elsewhere, &genuine, &["--issued", s(&list)]);
    assert_eq!(v.code, Some(0), "{}", v.text);
    assert_eq!(v.reports[0]["valid"], true);
    assert_eq!(v.reports[0]["file"]["check"], "issued");
    assert!(
        v.text
            .contains("SAH — berkas ini persis berkas yang diterbitkan oleh CONTOH / DEMO"),
        "{}",
        v.text
    );
    let en = piagam()
        .current_dir(&d.dir)
        .args(["verify", "--lang", "en", s(&genuine)])
        .output()
        .unwrap();
    assert!(
        stdout_of(&en).contains("VALID — this exact file was issued by CONTOH / DEMO"),
        "{}",
        stdout_of(&en)
    );

    // The same pages, saved again by another program: same text, other bytes.
    let resaved = d.dir.join("resaved.pdf");
    let mut doc = Document::load(&genuine).unwrap();
    doc.compress();
    doc.save(&resaved).unwrap();
    let v = d.verify_in(&d.elsewhere, &resaved, &["--issued", s(&list)]);
    assert_eq!(v.code, Some(1), "{}", v.text);
    assert_eq!(v.reports[0]["code"], "file-not-as-issued");
    assert_eq!(v.reports[0]["checks"]["signature"], "pass");
    // Without the list, what the page shows decides, and the report says
    // the file itself was not checked.
    let v = d.verify_alone(&resaved);
    assert_eq!(v.code, Some(0), "{}", v.text);
    assert_eq!(v.reports[0]["file"]["check"], "not-checked");
    assert_eq!(v.reports[0]["page_text_matches"], true);
    assert!(
        v.text.contains("Berkasnya sendiri tidak diperiksa"),
        "{}",
        v.text
    );

    // A list signed by another issuer is refused, naming the file.
    let other = tempfile::tempdir().unwrap();
    let key = keygen(other.path(), "Penerbit Lain");
    let _ = key;
    let out = piagam()
        .current_dir(&d.elsewhere)
        .args([
            "verify",
            "--trust",
            s(&other.path().join("issuer.jwks.json")),
            "--issued",
            s(&list),
            s(&genuine),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("piagam-issued.cose"));
}

#[test]
fn the_demo_print_file_still_reads_page_by_page_with_the_list_at_hand() {
    let d = demo();
    let v = d.verify_in(&d.dir, &d.dir.join("print.pdf"), &[]);
    assert_eq!(v.code, Some(0), "{}", v.text);
    assert_eq!(v.reports.len(), 20);
    for r in &v.reports {
        assert_eq!(r["file"]["check"], "several-documents");
        assert_eq!(r["page_text_matches"], true);
    }
    assert!(
        !v.text.contains("SAH — segel asli dan utuh.\n"),
        "{}",
        v.text
    );
}

/// In an event folder, verify uses the folder's own revocation list and
/// says so; elsewhere, without one, it says revocation was not checked.
#[test]
fn verify_in_an_event_folder_uses_its_lists_and_says_so() {
    let d = demo();
    // The demo keeps no revocation list: make one, revoking row 3, with a
    // private copy of the demo key (its file in the repository is public).
    let serial = d.rows[2].serial.clone();
    let copy = d.elsewhere.join("demo.key.pem");
    std::fs::copy(repo().join("assets/demo/DEMO-ONLY-issuer.key.pem"), &copy).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let revoked = run_piagam(&[
        "revoke",
        "--register",
        s(&d.dir.join("piagam-register.sqlite")),
        "--key",
        s(&copy),
        "--jwks",
        s(&d.dir.join("issuer.jwks.json")),
        "--reason",
        "contoh",
        &serial,
    ]);
    assert!(
        revoked.status.success(),
        "{}",
        String::from_utf8_lossy(&revoked.stderr)
    );
    assert!(d.dir.join("piagam-revocations.cose").is_file());
    let out = piagam()
        .current_dir(&d.dir)
        .args(["verify", "--lang", "en", &d.rows[2].file])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("using the revocation list in this folder"),
        "{err}"
    );
    assert!(stdout_of(&out).contains("REVOKED"), "{}", stdout_of(&out));
    let v = d.verify_alone(&d.file(0));
    assert!(
        v.text.contains("Status pencabutan tidak diperiksa"),
        "{}",
        v.text
    );
}
