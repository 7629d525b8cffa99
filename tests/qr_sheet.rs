//! A sheet of many seals, as a print shop's proof or a photo of a table of
//! charters: every code is read, or verify says how many it saw and could
//! not read.

mod common;

use std::path::Path;

use common::*;
use image::{GrayImage, Luma};

/// Draws each text's QR code at `module` pixels a module, `columns` a row,
/// with quiet zones, on white.
fn sheet(texts: &[String], module: u32, columns: u32) -> GrayImage {
    let matrices: Vec<_> = texts
        .iter()
        .map(|t| piagam::encode_seal_text(t).unwrap())
        .collect();
    let cell = (matrices.iter().map(|m| m.width()).max().unwrap() as u32 + 8) * module;
    let rows = (texts.len() as u32).div_ceil(columns);
    let mut picture = GrayImage::from_pixel(cell * columns, cell * rows, Luma([255]));
    for (i, m) in matrices.iter().enumerate() {
        let (cx, cy) = ((i as u32 % columns) * cell, (i as u32 / columns) * cell);
        for y in 0..m.width() {
            for x in 0..m.width() {
                if m.is_dark(x, y) {
                    for dy in 0..module {
                        for dx in 0..module {
                            picture.put_pixel(
                                cx + (x as u32 + 4) * module + dx,
                                cy + (y as u32 + 4) * module + dy,
                                Luma([0]),
                            );
                        }
                    }
                }
            }
        }
    }
    picture
}

fn verify(jwks: &Path, picture: &Path) -> (Option<i32>, Vec<serde_json::Value>, String) {
    let out = run_piagam(&["verify", "--json", "--trust", s(jwks), s(picture)]);
    (
        out.status.code(),
        stdout_of(&out)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_code_on_a_sheet_of_twenty_is_read() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = tmp.path().join("demo");
    assert!(run_piagam(&["demo", "--out", s(&demo)]).status.success());
    let jwks = demo.join("issuer.jwks.json");
    let texts: Vec<String> = read_manifest(&demo)
        .into_iter()
        .map(|r| r.qr_text)
        .collect();
    assert_eq!(texts.len(), 20);
    let path = tmp.path().join("lembar.png");
    sheet(&texts, 3, 5).save(&path).unwrap();
    let (code, reports, err) = verify(&jwks, &path);
    assert_eq!(reports.len(), 20, "{err}");
    assert_eq!(code, Some(0), "{err}");

    // One of the twenty forged: reported, and the sheet is not all valid.
    let mut forged = texts.clone();
    let digits = forged[7].rsplit_once('#').unwrap().1.to_owned();
    let changed: String = digits
        .char_indices()
        .map(|(i, c)| {
            if i == 200 {
                if c == '1' {
                    '2'
                } else {
                    '1'
                }
            } else {
                c
            }
        })
        .collect();
    forged[7] = forged[7].replace(&digits, &changed);
    let path = tmp.path().join("lembar-palsu.png");
    sheet(&forged, 3, 5).save(&path).unwrap();
    let (code, reports, err) = verify(&jwks, &path);
    assert_eq!(reports.len(), 20, "{err}");
    assert_eq!(code, Some(1));
    assert_eq!(reports.iter().filter(|r| r["valid"] == false).count(), 1);

    // One code's data torn away, its finder patterns left: the others are
    // read, and verify says one more was seen that it could not read.
    let mut torn = sheet(&texts, 3, 5);
    let cell = torn.width() / 5;
    let (cx, cy) = ((12 % 5) * cell, (12 / 5) * cell);
    for y in cy + cell / 2 - cell / 6..cy + cell / 2 + cell / 6 {
        for x in cx + cell / 3..cx + cell * 2 / 3 {
            torn.put_pixel(x, y, Luma([if (x / 5 + y / 3) % 2 == 0 { 255 } else { 0 }]));
        }
    }
    let path = tmp.path().join("lembar-robek.png");
    torn.save(&path).unwrap();
    let (code, reports, err) = verify(&jwks, &path);
    assert_eq!(reports.len(), 19, "{err}");
    assert_eq!(code, Some(1));
    assert!(err.contains("1 more QR code(s) seen but not read"), "{err}");
}
