//! `verify` on PDFs made to exhaust it: each a few kilobytes asking for
//! gigabytes or minutes (the audit measured 2.9 to 5.9 GB and up to 17 s on
//! each). Under a 2 GB address-space limit, each is refused by name (exit
//! 2), never an abort. And a fuzz loop over the PDF path.

mod common;

use std::io::Write;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::*;

/// A PDF of one page whose content is `content`, with `objects` after the
/// page (numbered from 5) and `resources` as the page's resource dict.
fn pdf(content: &[u8], resources: &str, objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut count = 0;
    let mut object = |out: &mut Vec<u8>, body: &[u8]| {
        count += 1;
        out.extend_from_slice(format!("{count} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    object(&mut out, b"<< /Type /Catalog /Pages 2 0 R >>");
    object(&mut out, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    object(
        &mut out,
        format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources {resources} /Contents 4 0 R >>")
            .as_bytes(),
    );
    object(&mut out, &stream("", &deflate(content)));
    for o in objects {
        object(&mut out, o);
    }
    with_xref(out)
}

/// A deflated stream object with `dict` entries.
fn stream(dict: &str, packed: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "<< {dict} /Filter /FlateDecode /Length {} >>\nstream\n",
        packed.len()
    )
    .into_bytes();
    body.extend_from_slice(packed);
    body.extend_from_slice(b"\nendstream");
    body
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// The same objects with a new cross-reference table (offsets moved).
fn rebuilt_xref(pdf: Vec<u8>) -> Vec<u8> {
    let body_end = pdf.windows(5).rposition(|w| w == b"xref\n").unwrap();
    with_xref(pdf[..body_end].to_vec())
}

/// A PDF's objects (numbered from 1, in order) followed by their
/// cross-reference table and trailer.
fn with_xref(mut out: Vec<u8>) -> Vec<u8> {
    // Each object is looked for after the one before it.
    let mut offsets: Vec<usize> = Vec::new();
    let mut n = 1;
    loop {
        let from = offsets.last().map_or(0, |o| o + 1);
        let head = format!("\n{n} 0 obj");
        let Some(at) = out[from..]
            .windows(head.len())
            .position(|w| w == head.as_bytes())
        else {
            break;
        };
        offsets.push(from + at + 1);
        n += 1;
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for o in &offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn under_two_gigabytes(file: &std::path::Path, jwks: &std::path::Path) -> (Output, Duration) {
    let started = Instant::now();
    let out = Command::new("prlimit")
        .args(["--as=2000000000", "--"])
        .arg(env!("CARGO_BIN_EXE_piagam"))
        .args(["verify", "--trust"])
        .arg(jwks)
        .arg(file)
        .output()
        .expect("prlimit (util-linux) runs: apt-get install -y util-linux");
    (out, started.elapsed())
}

fn hostile_files() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let mut files = Vec::new();
    // An image declaring 2e9 × 2e9 pixels, with ten bytes of data.
    files.push((
        "image-2e9",
        pdf(
            b"q 500 0 0 500 0 0 cm /Im0 Do Q",
            "<< /XObject << /Im0 5 0 R >> >>",
            &[stream(
                "/Type /XObject /Subtype /Image /Width 2000000000 /Height 2000000000 /ColorSpace /DeviceRGB /BitsPerComponent 8",
                &deflate(&[0; 10]),
            )],
        ),
        "an image of 2000000000×2000000000 pixels",
    ));
    // A CCITT image mask declaring 60000 × 60000.
    let mut ccitt = b"<< /Type /XObject /Subtype /Image /Width 60000 /Height 60000 /ImageMask true /BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns 60000 /Rows 60000 >> /Length 4 >>\nstream\n".to_vec();
    ccitt.extend_from_slice(&[0, 1, 0, 1]);
    ccitt.extend_from_slice(b"\nendstream");
    files.push((
        "ccitt-60000",
        pdf(
            b"q 500 0 0 500 0 0 cm /Im0 Do Q",
            "<< /XObject << /Im0 5 0 R >> >>",
            &[ccitt],
        ),
        "an image of 60000×60000 pixels",
    ));
    // One path of 300,000 segments.
    let mut path = b"0 0 m\n".to_vec();
    for i in 0..300_000u32 {
        path.extend_from_slice(format!("{} {} l\n", i % 595, (i * 7) % 842).as_bytes());
    }
    path.extend_from_slice(b"f\n");
    files.push(("path-300k", pdf(&path, "<< >>", &[]), "path segments"));
    // Forms drawing forms: 20 draws a level, 8 levels deep (20^8 draws).
    let mut forms = Vec::new();
    for level in 0..8u32 {
        let next = if level < 7 {
            format!("/Resources << /XObject << /F {} 0 R >> >>", 6 + level)
        } else {
            String::new()
        };
        let body: Vec<u8> = if level < 7 {
            b"/F Do ".repeat(20)
        } else {
            b"0 0 1 1 re f".to_vec()
        };
        forms.push(stream(
            &format!("/Type /XObject /Subtype /Form /BBox [0 0 595 842] {next}"),
            &deflate(&body),
        ));
    }
    files.push((
        "forms-20-8",
        pdf(
            &b"/F Do ".repeat(20),
            "<< /XObject << /F 5 0 R >> >>",
            &forms,
        ),
        "more than 20000 times",
    ));
    // Ten million rectangles.
    let rects = b"0 0 1 1 re f\n".repeat(10_000_000);
    files.push((
        "rects-10m",
        pdf(&rects, "<< >>", &[]),
        "inflates to more than 64 MB",
    ));
    // A million rectangles: within the size, past the segments.
    let rects = b"0 0 1 1 re f\n".repeat(1_000_000);
    files.push(("rects-1m", pdf(&rects, "<< >>", &[]), "path segments"));
    // Ten million operators that draw nothing.
    let moves = b"q Q\n".repeat(5_000_000);
    files.push(("ops-10m", pdf(&moves, "<< >>", &[]), "drawing operators"));
    // A deflate bomb: half a gigabyte of spaces as the page's content.
    let mut bomb = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let spaces = vec![b' '; 1 << 20];
    for _ in 0..512 {
        bomb.write_all(&spaces).unwrap();
    }
    let packed = bomb.finish().unwrap();
    let mut out = pdf(b"", "<< >>", &[]);
    // The page's content stream (object 4) replaced by the bomb.
    let at = out.windows(8).position(|w| w == b"4 0 obj\n").unwrap();
    let end = at + out[at..].windows(6).position(|w| w == b"endobj").unwrap() + 6;
    let mut body = b"4 0 obj\n".to_vec();
    body.extend_from_slice(&stream("", &packed));
    body.extend_from_slice(b"\nendobj");
    out.splice(at..end, body);
    files.push((
        "deflate-bomb",
        rebuilt_xref(out),
        "inflates to more than 64 MB",
    ));
    files
}

#[test]
fn pdfs_that_ask_for_gigabytes_are_refused_by_name_under_2_gb() {
    let tmp = tempfile::tempdir().unwrap();
    let key = keygen(&tmp.path().join("kunci"), "Dinas Contoh");
    let jwks = key.with_file_name("issuer.jwks.json");
    for (name, bytes, why) in hostile_files() {
        assert!(bytes.len() < 1_000_000, "{name} is {} bytes", bytes.len());
        let file = tmp.path().join(format!("{name}.pdf"));
        std::fs::write(&file, &bytes).unwrap();
        let (out, took) = under_two_gigabytes(&file, &jwks);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(
            err.contains("is too complex to check safely") && err.contains(why),
            "{name}: {err}"
        );
        assert!(took < Duration::from_secs(60), "{name} took {took:?}");
    }
}

/// Random damage to a real charter's PDF: every outcome is a report or a
/// clear error (exit 0, 1 or 2), never a crash, under the 2 GB limit.
#[test]
fn mutated_pdfs_never_crash_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = tmp.path().join("demo");
    assert!(run_piagam(&["demo", "--out", s(&demo)]).status.success());
    let rows = read_manifest(&demo);
    let original = std::fs::read(demo.join(&rows[0].file)).unwrap();
    let (iterations, _) = fuzz_iterations(12);
    let mut rng = Rng(0x5eed_f9df);
    for i in 0..iterations {
        let mut bytes = original.clone();
        for _ in 0..1 + rng.below(8) {
            let at = rng.below(bytes.len());
            match rng.below(3) {
                0 => bytes[at] = rng.next() as u8,
                1 => bytes.truncate(at.max(10)),
                _ => {
                    let end = (at + rng.below(64)).min(bytes.len());
                    bytes.drain(at..end);
                }
            }
        }
        let file = tmp.path().join(format!("m{i}.pdf"));
        std::fs::write(&file, &bytes).unwrap();
        let started = Instant::now();
        let out = Command::new("prlimit")
            .args(["--as=2000000000", "--"])
            .arg(env!("CARGO_BIN_EXE_piagam"))
            .args([
                "verify",
                "--trust",
                s(&demo.join("issuer.jwks.json")),
                s(&file),
            ])
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0..=2)),
            "mutation {i}: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "mutation {i} took too long"
        );
        if out.status.code() == Some(0) {
            // A damaged file never passes as the very file issued, nor
            // with a page that shows something else.
            assert!(!stdout_of(&out).contains("persis berkas yang diterbitkan"));
        }
    }
}
