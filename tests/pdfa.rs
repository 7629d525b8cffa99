//! PDF/A-2b for archives: each rule checked in the files themselves, since
//! no PDF/A-2 validator installs here. The sample event's charters and
//! certificates, with `--pdfa`.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use lopdf::{Document, Object};

fn generate_pdfa(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_owned();
    for file in ["adlga-2024.csv", "piagam-dan-sertifikat.toml"] {
        std::fs::copy(repo().join("examples").join(file), dir.join(file)).unwrap();
    }
    let toml = std::fs::read_to_string(dir.join("piagam-dan-sertifikat.toml")).unwrap();
    let templates = repo().join("templates");
    std::fs::write(
        dir.join("piagam.toml"),
        toml.replace("../templates", &templates.to_string_lossy()),
    )
    .unwrap();
    let key = keygen(&dir.join("kunci"), "Dinas Kominfo Contoh");
    let out = dir.join("arsip");
    let result = piagam()
        .args(["generate", "--roster"])
        .arg(dir.join("adlga-2024.csv"))
        .arg("--key")
        .arg(&key)
        .arg("--out")
        .arg(&out)
        .args(["--no-register", "--pdfa"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    (tmp, out)
}

/// A text string of the Info dictionary, decoded (UTF-16 or PDFDoc ASCII).
fn text_of(object: &Object) -> String {
    let Object::String(bytes, _) = object else {
        panic!("not a string: {object:?}")
    };
    match bytes.strip_prefix(&[0xfe, 0xff]) {
        Some(utf16) => String::from_utf16(
            &utf16
                .chunks_exact(2)
                .map(|p| u16::from_be_bytes([p[0], p[1]]))
                .collect::<Vec<_>>(),
        )
        .unwrap(),
        None => String::from_utf8(bytes.clone()).unwrap(),
    }
}

/// The text between `<tag>` and `</tag>` (inside an rdf:li if it has one).
fn xmp_value(xmp: &str, tag: &str) -> Option<String> {
    let start = xmp.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = xmp[start..].find(&format!("</{tag}>"))? + start;
    let inner = &xmp[start..end];
    let value = match inner.find("<rdf:li") {
        Some(li) => {
            let from = inner[li..].find('>')? + li + 1;
            &inner[from..inner[from..].find("</rdf:li>")? + from]
        }
        None => inner,
    };
    Some(
        value
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&"),
    )
}

fn check_pdfa(pdf: &Path) {
    qpdf_check(pdf);
    let bytes = std::fs::read(pdf).unwrap();
    // The header, and the binary comment line after it.
    assert!(bytes.starts_with(b"%PDF-1.7\n%"), "{}", pdf.display());
    assert!(bytes[10..14].iter().all(|b| *b > 127));
    let doc = Document::load_mem(&bytes).unwrap();
    // A trailer ID, and no encryption.
    assert!(doc.trailer.get(b"ID").is_ok(), "no ID");
    assert!(doc.trailer.get(b"Encrypt").is_err(), "encrypted");
    let catalog = doc.catalog().unwrap();

    // XMP, unfiltered, naming PDF/A-2b and agreeing with the Info dictionary.
    let metadata = catalog.get(b"Metadata").unwrap().as_reference().unwrap();
    let stream = doc.get_object(metadata).unwrap().as_stream().unwrap();
    assert!(
        stream.dict.get(b"Filter").is_err(),
        "the metadata is filtered"
    );
    assert_eq!(
        stream.dict.get(b"Subtype").unwrap().as_name().unwrap(),
        b"XML"
    );
    let xmp = String::from_utf8(stream.content.clone()).unwrap();
    assert!(xmp.starts_with("<?xpacket begin=\"\u{feff}\""), "{xmp}");
    assert_eq!(xmp_value(&xmp, "pdfaid:part").as_deref(), Some("2"));
    assert_eq!(xmp_value(&xmp, "pdfaid:conformance").as_deref(), Some("B"));
    let info_id = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let info = doc.get_dictionary(info_id).unwrap();
    let info_text = |key: &[u8]| info.get(key).ok().map(text_of);
    assert_eq!(xmp_value(&xmp, "dc:title"), info_text(b"Title"));
    assert_eq!(xmp_value(&xmp, "dc:creator"), info_text(b"Author"));
    assert_eq!(xmp_value(&xmp, "dc:description"), info_text(b"Subject"));
    assert_eq!(xmp_value(&xmp, "xmp:CreatorTool"), info_text(b"Creator"));
    assert_eq!(xmp_value(&xmp, "pdf:Producer"), info_text(b"Producer"));
    // D:20240801000000Z and 2024-08-01T00:00:00Z are the same moment.
    let created = info_text(b"CreationDate").unwrap();
    let xmp_created = xmp_value(&xmp, "xmp:CreateDate").unwrap();
    assert_eq!(
        created.replace(['D', ':', 'Z'], ""),
        xmp_created.replace(['-', ':', 'T', 'Z'], ""),
    );
    assert_eq!(info_text(b"ModDate"), Some(created));

    // The output intent: GTS_PDFA1 with an RGB ICC profile.
    let intents = catalog.get(b"OutputIntents").unwrap().as_array().unwrap();
    assert_eq!(intents.len(), 1);
    let intent = doc.dereference(&intents[0]).unwrap().1.as_dict().unwrap();
    assert_eq!(intent.get(b"S").unwrap().as_name().unwrap(), b"GTS_PDFA1");
    let profile = intent
        .get(b"DestOutputProfile")
        .unwrap()
        .as_reference()
        .unwrap();
    let profile = doc.get_object(profile).unwrap().as_stream().unwrap();
    assert_eq!(profile.dict.get(b"N").unwrap().as_i64().unwrap(), 3);
    let icc = profile.decompressed_content().unwrap();
    assert_eq!(&icc[36..40], b"acsp");
    assert_eq!(&icc[16..20], b"RGB ");
    assert_eq!(
        u32::from_be_bytes(icc[0..4].try_into().unwrap()) as usize,
        icc.len()
    );

    // Every annotation printable; no JavaScript; no LZW anywhere.
    for object in doc.objects.values() {
        let dict = match object {
            Object::Dictionary(d) => d,
            Object::Stream(s) => &s.dict,
            _ => continue,
        };
        if dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"Annot") {
            let flags = dict.get(b"F").unwrap().as_i64().unwrap();
            assert_eq!(flags & 4, 4, "an annotation is not printable");
            assert_eq!(flags & 2, 0, "an annotation is hidden");
        }
        for key in [b"JS".as_ref(), b"JavaScript", b"AA", b"OpenAction"] {
            assert!(dict.get(key).is_err(), "{}", String::from_utf8_lossy(key));
        }
        if let Ok(filter) = dict.get(b"Filter") {
            assert!(
                !format!("{filter:?}").contains("LZW"),
                "LZW in {}",
                pdf.display()
            );
        }
    }
    // Every font embedded.
    let fonts = pdf_fonts(pdf);
    assert!(!fonts.is_empty());
    for (name, embedded, _) in fonts {
        assert!(embedded, "{name} is not embedded");
    }
}

#[test]
fn every_file_of_a_pdfa_run_follows_each_rule_checked() {
    let (_tmp, out) = generate_pdfa(&[]);
    let documents = document_pdfs(&out);
    assert!(documents.len() >= 2);
    // A charter and a certificate, and the print files.
    for name in documents.iter().take(2) {
        check_pdfa(&out.join(name));
    }
    for name in file_names(&out).iter().filter(|n| n.starts_with("print")) {
        check_pdfa(&out.join(name));
    }
}

#[test]
fn pdfa_print_files_with_marks_draw_them_in_grey_not_cmyk() {
    let (_tmp, out) = generate_pdfa(&["--marks", "--outputs", "print"]);
    let print = out.join("print.pdf");
    check_pdfa(&print);
    let doc = Document::load(&print).unwrap();
    let page = *doc.get_pages().get(&1).unwrap();
    let content = String::from_utf8_lossy(&doc.get_page_content(page)).into_owned();
    assert!(content.contains("0 G"), "no marks");
    assert!(
        !content.contains(" K\n") && !content.contains(" k\n"),
        "CMYK in {content}"
    );
}

#[test]
fn a_pdf_background_is_refused_for_pdfa_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let template = dir.join("desain");
    std::fs::create_dir_all(&template).unwrap();
    std::fs::write(template.join("latar.pdf"), background_pdf(&Design::a4())).unwrap();
    std::fs::write(
        template.join("template.toml"),
        "kind = \"piagam\"\nname = \"x\"\n[background]\nsrc = \"latar.pdf\"\n\n[[element]]\ntype = \"text\"\ntext = \"{{recipient}} {{achievement}} {{serial}}\"\nx = 20\ny = 90\nw = 250\nh = 20\nsize = 14\n\n[[element]]\ntype = \"qr\"\nx = 230\ny = 140\nsize = 42\n",
    )
    .unwrap();
    std::fs::write(dir.join("r.csv"), "nama,prestasi\nKota A,Juara 1\n").unwrap();
    std::fs::copy(repo().join("examples/piagam.toml"), dir.join("piagam.toml")).unwrap();
    let key = keygen(&dir.join("kunci"), "Dinas");
    let result = run_piagam(&[
        "generate",
        "--roster",
        s(&dir.join("r.csv")),
        "--template",
        s(&template),
        "--key",
        s(&key),
        "--out",
        s(&dir.join("o")),
        "--no-register",
        "--pdfa",
    ]);
    let said = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(2), "{said}");
    assert!(
        said.contains("desain")
            && said.contains("PDF/A-2b")
            && said.contains("resources (/Font)")
            && said.contains("PNG or JPEG"),
        "{said}"
    );
    assert!(!dir.join("o").exists());
}

#[test]
fn a_rerun_with_pdfa_never_keeps_the_file_issued_without_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("r.csv"), "nama,prestasi\nKota A,Juara 1\n").unwrap();
    std::fs::copy(repo().join("examples/piagam.toml"), dir.join("piagam.toml")).unwrap();
    let key = keygen(&dir.join("kunci"), "Dinas");
    let (roster, template, out) = (
        dir.join("r.csv"),
        repo().join("templates/piagam"),
        dir.join("o"),
    );
    let run = |extra: &[&str]| {
        let mut args = vec![
            "generate",
            "--roster",
            s(&roster),
            "--template",
            s(&template),
            "--key",
            s(&key),
            "--out",
            s(&out),
        ];
        args.extend_from_slice(extra);
        run_piagam(&args)
    };
    assert!(run(&[]).status.success());
    let name = document_pdfs(&dir.join("o")).into_iter().next().unwrap();
    let before = std::fs::read(dir.join("o").join(&name)).unwrap();
    // The same document as PDF/A is another file: refused, not kept.
    let again = run(&["--pdfa"]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(std::fs::read(dir.join("o").join(&name)).unwrap(), before);
    // With --overwrite it is replaced, and is PDF/A.
    assert!(run(&["--pdfa", "--overwrite"]).status.success());
    check_pdfa(&dir.join("o").join(&name));
}
