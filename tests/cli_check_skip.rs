//! `piagam check` and `generate --skip-invalid`, through the binary.

mod common;

use common::*;

/// A roster folder with the sample event settings beside it.
fn roster_dir(rows: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join("examples/piagam.toml"),
        tmp.path().join("piagam.toml"),
    )
    .unwrap();
    let roster = tmp.path().join("pemenang.csv");
    std::fs::write(&roster, format!("nama;prestasi;kategori\n{rows}")).unwrap();
    (tmp, roster)
}

#[test]
fn check_passes_the_sample_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let before: Vec<_> = std::fs::read_dir(repo().join("examples"))
        .unwrap()
        .collect();
    let out = piagam()
        .current_dir(tmp.path())
        .args([
            "check",
            "--roster",
            s(&repo().join("examples/adlga-2024.csv")),
            "--template",
            s(&repo().join("templates/piagam")),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "ok: 20 row(s), 20 document(s) laid out; nothing written"
    );
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    assert_eq!(
        std::fs::read_dir(repo().join("examples")).unwrap().count(),
        before.len()
    );
}

#[test]
fn check_reports_roster_and_layout_problems_together() {
    let long = "Pemerintah Kabupaten Kepulauan Siau Tagulandang Biaro dan Sekitarnya yang Sangat Panjang Sekali Namanya Hingga Tidak Muat di Mana Pun Juga Walau Sudah Dikecilkan";
    let (tmp, roster) = roster_dir(&format!(
        "Kota A;Juara Pertama;Kota\n;Juara Kedua;Kota\n{long};Harapan;Kabupaten\n"
    ));
    let out = run_piagam(&[
        "check",
        "--roster",
        s(&roster),
        "--template",
        s(&repo().join("templates/piagam")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    let r = roster.display();
    assert_eq!(
        lines[0],
        format!("piagam: error: {r}:3:nama: this required field is empty")
    );
    assert!(
        lines[1].starts_with(&format!(
            "piagam: error: {r}:4:recipient: \"{long}\" does not fit template "
        )),
        "{err}"
    );
    assert!(
        lines[1].contains("mm too wide for its box even at 22 pt in 2 line(s)"),
        "{err}"
    );
    assert_eq!(lines[2], "piagam: error: 2 problem(s) found");
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        2,
        "nothing written"
    );
}

#[test]
fn skip_invalid_writes_the_good_rows_and_lists_the_rest() {
    let (tmp, roster) = roster_dir(
        "Kota A;Juara Pertama;Kota\nKota \u{202E}B;Juara Kedua;Kota\nKota C;Harapan;Kota\n",
    );
    let key = keygen(&tmp.path().join("kunci"), "X");
    let out_dir = tmp.path().join("hasil");
    let template = repo().join("templates/piagam");
    let args = [
        "generate",
        "--roster",
        s(&roster),
        "--template",
        s(&template),
        "--key",
        s(&key),
        "--out",
        s(&out_dir),
    ];
    // Without --skip-invalid: nothing.
    let out = run_piagam(&args);
    assert_eq!(out.status.code(), Some(2));
    assert!(!out_dir.exists());
    // With it: two charters and rejected.csv.
    let mut with_skip = args.to_vec();
    with_skip.push("--skip-invalid");
    let out = run_piagam(&with_skip);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest = read_manifest(&out_dir);
    let names: Vec<&str> = manifest.iter().map(|m| m.recipient.as_str()).collect();
    assert_eq!(names, vec!["Kota A", "Kota C"]);
    // Numbers go to the documents issued; the register gives row 3 its
    // serial back when it is printed again.
    assert_eq!(manifest[1].serial, "002/ALDPD/VIII/2024");
    let rejected = std::fs::read_to_string(out_dir.join("rejected.csv")).unwrap();
    assert_eq!(
        rejected,
        format!(
            "file,row,column,reason\n{},3,nama,\"contains the invisible character U+202E (right-to-left override), which can disguise text; retype the cell\"\n",
            roster.display()
        )
    );
    assert_eq!(pdf_page_count(&out_dir.join("print.pdf")), 2);
}

/// The audit's case: a long seal in a small QR code read badly from a
/// photo, and nothing warned. Under 0.5 mm a module is warned about
/// (naming its size, the version and what makes the seal long); under
/// 0.35 mm the document is refused.
#[test]
fn small_qr_modules_are_warned_about_or_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = |from: &std::path::Path, to: &std::path::Path| {
        let status = std::process::Command::new("cp")
            .arg("-r")
            .arg(from)
            .arg(to)
            .status()
            .unwrap();
        assert!(status.success());
    };
    copy(&repo().join("templates/assets"), &tmp.path().join("assets"));
    let check_at = |size: u32| {
        let dir = tmp.path().join(format!("piagam-{size}"));
        copy(&repo().join("templates/piagam"), &dir);
        let toml = dir.join("template.toml");
        let text = std::fs::read_to_string(&toml).unwrap();
        let sized = text.replace(
            "type = \"qr\"\nx = 26\ny = 141\nsize = 42",
            &format!("type = \"qr\"\nx = 26\ny = 141\nsize = {size}"),
        );
        assert!(size == 42 || sized != text);
        std::fs::write(&toml, sized).unwrap();
        run_piagam(&[
            "check",
            "--roster",
            s(&repo().join("examples/adlga-2024.csv")),
            "--template",
            s(&dir),
        ])
    };
    let fine = check_at(42);
    assert!(fine.status.success());
    assert!(!String::from_utf8_lossy(&fine.stderr).contains("QR code"));
    let small = check_at(30);
    assert!(small.status.success());
    let err = String::from_utf8_lossy(&small.stderr);
    assert!(
        err.contains(
            "warning: the QR code of row 2 (piagam) prints with 0.39 mm modules (version 13)"
        ) && err.contains("event: 47 characters"),
        "{err}"
    );
    assert_eq!(
        err.matches("warning: the QR code").count(),
        1,
        "one warning a run"
    );
    let tiny = check_at(20);
    assert_eq!(tiny.status.code(), Some(2));
    let err = String::from_utf8_lossy(&tiny.stderr);
    assert!(
        err.contains("adlga-2024.csv:2:seal: the QR code would print with 0.26 mm modules (version 13), too small to read"),
        "{err}"
    );
}
