//! Hostile and unlucky inputs, tried as an attacker (or a bad day) would:
//! each builds its file here, runs the binary, and checks the exit status,
//! the message, and what the output folder holds afterwards.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

const CONFIG: &str = r#"
verify_url = "https://piagam.example/verifikasi"
[event]
name = "Anugerah Layanan Digital 2024"
date = "2024-08-01"
place = "Jakarta"
[signatory]
name = "Dr. Budi Santoso"
title = "Direktur Jenderal"
[numbering]
pattern = "{seq:03}/ALD/{month_roman}/{year}"
"#;

struct Work {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    key: PathBuf,
}

impl Work {
    fn new() -> Work {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_owned();
        std::fs::write(dir.join("piagam.toml"), CONFIG).unwrap();
        let key = keygen(&dir.join("kunci"), "Dinas Kominfo Contoh");
        Work {
            _tmp: tmp,
            dir,
            key,
        }
    }

    fn roster(&self, name: &str, rows: &[&str]) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(
            &path,
            format!("nama,prestasi,kategori\n{}\n", rows.join("\n")),
        )
        .unwrap();
        path
    }

    fn out(&self) -> PathBuf {
        self.dir.join("hasil")
    }

    fn generate(&self, roster: &Path, extra: &[&str]) -> Output {
        let out = self.out();
        let mut args = vec![
            "generate",
            "--roster",
            s(roster),
            "--key",
            s(&self.key),
            "--out",
            s(&out),
        ];
        if !extra.contains(&"--template") {
            args.extend(["--template", s_static(&repo().join("templates/piagam"))]);
        }
        args.extend_from_slice(extra);
        run_piagam(&args)
    }
}

fn s_static(p: &Path) -> &'static str {
    Box::leak(p.to_str().unwrap().to_owned().into_boxed_str())
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every file in a folder (recursively), with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(
                    path.strip_prefix(dir).unwrap().to_owned(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    files
}

fn twenty_rows() -> Vec<String> {
    (1..=20)
        .map(|i| format!("Pemerintah Kota Contoh {i},Juara {i},Kota"))
        .collect()
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

// --- 1. Documents of the same kind never overwrite each other ----------------

#[test]
fn documents_of_one_kind_in_two_languages_each_get_their_own_files() {
    let w = Work::new();
    let rows = twenty_rows();
    let roster = w.roster("r.csv", &refs(&rows));
    let config = format!(
        "{CONFIG}\n[[documents]]\ntemplate = \"{}\"\n\n[[documents]]\ntemplate = \"{}\"\n",
        repo().join("templates/piagam").display(),
        repo().join("templates/piagam-en").display()
    );
    std::fs::write(w.dir.join("piagam.toml"), config).unwrap();
    let out_dir = w.out();
    let args = [
        "generate",
        "--roster",
        s(&roster),
        "--key",
        s(&w.key),
        "--out",
        s(&out_dir),
    ];
    let out = run_piagam(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest = read_manifest(&w.out());
    assert_eq!(manifest.len(), 40);
    let files: std::collections::BTreeSet<&str> =
        manifest.iter().map(|m| m.file.as_str()).collect();
    assert_eq!(files.len(), 40, "40 documents, 40 names");
    for f in &files {
        assert!(w.out().join(f).is_file(), "{f} is missing");
    }
    let pdfs = std::fs::read_dir(w.out())
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            let name = name.to_string_lossy();
            name.ends_with(".pdf") && name.starts_with(|c: char| c.is_ascii_digit())
        })
        .count();
    assert_eq!(pdfs, 40);
    assert_eq!(pdf_page_count(&w.out().join("print-piagam.pdf")), 20);
    assert_eq!(pdf_page_count(&w.out().join("print-piagam-en.pdf")), 20);
    assert_eq!(pdf_page_count(&w.out().join("print.pdf")), 40);
    assert!(
        pdf_text(&w.out().join("001-piagam-en-pemerintah-kota-contoh-1.pdf"))
            .contains("CERTIFICATE OF APPRECIATION")
    );
    // A rerun finds everything in place and changes nothing.
    let before = snapshot(&w.out());
    let again = run_piagam(&args);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(snapshot(&w.out()), before);
}

#[test]
fn kinds_that_become_equal_as_file_names_stay_apart() {
    let w = Work::new();
    let roster = w.roster("r.csv", &["Kota A,Juara,Kota", "Kota B,Juara,Kota"]);
    let mut templates = Vec::new();
    for (folder, kind) in [("t1", "pia gam"), ("t2", "piagam!")] {
        let dir = w.dir.join("templates").join(folder);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("template.toml"),
            format!("kind = \"{kind}\"\nname = \"t\"\nnumbering = \"{{seq:03}}/{folder}\"\n[page]\nsize = \"A5\"\norientation = \"portrait\"\n[[element]]\ntype = \"qr\"\nx = 10\ny = 10\nsize = 45\n[[element]]\ntype = \"text\"\ntext = \"{{{{recipient}}}}\"\nx = 10\ny = 70\nw = 100\nh = 10\nsize = 12\n"),
        )
        .unwrap();
        templates.push(dir);
    }
    let out = w.generate(
        &roster,
        &[
            "--template",
            s(&templates[0]),
            "--template",
            s(&templates[1]),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let names: Vec<String> = read_manifest(&w.out())
        .into_iter()
        .map(|m| m.file)
        .collect();
    assert_eq!(
        names,
        [
            "001-piagam-kota-a.pdf",
            "002-piagam-kota-b.pdf",
            "001-piagam-2-kota-a.pdf",
            "002-piagam-2-kota-b.pdf"
        ]
    );
    for n in &names {
        assert!(w.out().join(n).is_file());
    }
    assert!(w.out().join("print-piagam.pdf").is_file());
    assert!(w.out().join("print-piagam-2.pdf").is_file());
}

// --- 2. One run at a time holds the output folder ---------------------------

#[test]
fn a_second_run_is_refused_naming_the_holder_and_a_stale_lock_is_taken_over() {
    let w = Work::new();
    let roster = w.roster("r.csv", &["Kota A,Juara,Kota"]);
    std::fs::create_dir_all(w.out()).unwrap();
    let mut holder = Command::new("sleep").arg("60").spawn().unwrap();
    std::fs::write(w.out().join(".piagam.lock"), format!("{}\n", holder.id())).unwrap();
    let out = w.generate(&roster, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(&format!(
            "is in use by another piagam run (process {})",
            holder.id()
        )),
        "{}",
        stderr(&out)
    );
    assert!(!w.out().join("manifest.csv").exists());
    holder.kill().unwrap();
    holder.wait().unwrap();
    // The holder is gone: its lock is stale, and the next run takes it over.
    let out = w.generate(&roster, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(w.out().join("manifest.csv").is_file());
    assert!(
        !w.out().join(".piagam.lock").exists(),
        "the lock is released"
    );
}

#[test]
fn two_runs_at_once_never_mix_their_files() {
    for trial in 0..3 {
        let w = Work::new();
        let a_rows = twenty_rows();
        let a = w.roster("a.csv", &refs(&a_rows));
        let b = w.roster(
            "b.csv",
            &[
                "Kabupaten Lain 1,Harapan,Kabupaten",
                "Kabupaten Lain 2,Harapan,Kabupaten",
            ],
        );
        let spawn = |roster: &Path| {
            piagam()
                .args([
                    "generate",
                    "--roster",
                    s(roster),
                    "--template",
                    s(&repo().join("templates/piagam")),
                    "--key",
                    s(&w.key),
                    "--out",
                    s(&w.out()),
                    "--overwrite",
                ])
                .output()
        };
        let (ra, rb) = std::thread::scope(|scope| {
            let ha = scope.spawn(|| spawn(&a).unwrap());
            let hb = scope.spawn(|| spawn(&b).unwrap());
            (ha.join().unwrap(), hb.join().unwrap())
        });
        for r in [&ra, &rb] {
            assert!(
                r.status.success() || stderr(r).contains("is in use by another piagam run"),
                "trial {trial}: {}",
                stderr(r)
            );
        }
        // Whatever happened, the manifest and print.pdf describe one run,
        // and every file it names holds the recipient it names.
        let manifest = read_manifest(&w.out());
        assert_eq!(
            pdf_page_count(&w.out().join("print.pdf")),
            manifest.len(),
            "trial {trial}"
        );
        for m in &manifest {
            let text = pdf_text(&w.out().join(&m.file));
            assert!(
                text.contains(&m.recipient),
                "trial {trial}: {} / {}",
                m.file,
                m.recipient
            );
        }
    }
}

// --- 3. verify reads all of standard input ----------------------------------

#[test]
fn verify_reads_standard_input_to_its_end() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    assert!(run_piagam(&["demo", "--out", s(&dir)]).status.success());
    let seal = read_manifest(&dir)[0].qr_text.clone();
    // 66 MiB before anything to check, then ten bad lines and a good one.
    let mut input = "\n".repeat(66 * 1024 * 1024);
    input.push_str(&" ".repeat(20_000));
    input.push('\n');
    for i in 0..10 {
        input.push_str(&format!("garbage {i}\n"));
    }
    input.push_str(&seal);
    input.push('\n');
    let out = run_piagam_with_stdin(
        &[
            "verify",
            "--json",
            "--trust",
            s(&dir.join("issuer.jwks.json")),
            "-",
        ],
        &input,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let reports: Vec<serde_json::Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports.len(), 11, "ten bad lines and one seal, all read");
    assert!(reports[..10].iter().all(|r| r["valid"] == false));
    assert_eq!(reports[10]["valid"], true);

    // A line far longer than any seal is reported, and reading goes on.
    let mut input = "9".repeat(200_000);
    input.push('\n');
    input.push_str(&seal);
    let out = run_piagam_with_stdin(
        &[
            "verify",
            "--json",
            "--trust",
            s(&dir.join("issuer.jwks.json")),
            "-",
        ],
        &input,
    );
    let reports: Vec<serde_json::Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0]["code"], "too-large");
    assert!(reports[0]["message"]
        .as_str()
        .unwrap()
        .contains("200000 characters"));
    assert_eq!(reports[1]["valid"], true);
}

// --- 4. A full disk leaves the folder as it was -------------------------------

#[test]
fn a_full_disk_leaves_the_output_folder_as_it_was() {
    let w = Work::new();
    let rows = twenty_rows();
    let roster = w.roster("r.csv", &refs(&rows));
    let first = w.generate(&roster, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = snapshot(&w.out());
    let largest_single = before
        .iter()
        .filter(|(p, _)| {
            p.to_string_lossy()
                .starts_with(|c: char| c.is_ascii_digit())
        })
        .map(|(_, b)| b.len())
        .max()
        .unwrap();
    let print = before[Path::new("print.pdf")].len();
    assert!(print > 2 * largest_single);
    // New names in every row, so every file would change; the file-size
    // limit lets single PDFs through and stops the print file, as a disk
    // that fills up halfway would.
    let changed: Vec<String> = rows.iter().map(|r| r.replace("Contoh", "Baru")).collect();
    let roster = w.roster("r.csv", &refs(&changed));
    let limit = format!("--fsize={}", (largest_single + print) / 2);
    let out = Command::new("prlimit")
        .args([limit.as_str(), "--"])
        .arg(env!("CARGO_BIN_EXE_piagam"))
        .args([
            "generate",
            "--roster",
            s(&roster),
            "--template",
            s(&repo().join("templates/piagam")),
            "--key",
            s(&w.key),
            "--out",
            s(&w.out()),
            "--overwrite",
        ])
        .output()
        .expect("prlimit (util-linux) runs");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("File too large"), "{}", stderr(&out));
    assert_eq!(
        snapshot(&w.out()),
        before,
        "the folder holds what it held before"
    );
}

// --- 5. Small hostile files: clear errors, exit 2, never a panic --------------

fn check(roster: &Path, template: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["check", "--roster", s(roster), "--template", s(template)];
    args.extend_from_slice(extra);
    run_piagam(&args)
}

fn assert_clean_error(out: &Output, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
    assert!(err.contains(needle), "expected '{needle}' in: {err}");
}

/// A workbook with a header and one winner, as Excel would save it.
fn one_row_workbook() -> rust_xlsxwriter::Workbook {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "nama").unwrap();
    sheet.write_string(0, 1, "prestasi").unwrap();
    sheet.write_string(1, 0, "Kota A").unwrap();
    sheet.write_string(1, 1, "Juara").unwrap();
    book
}

#[test]
fn an_xlsx_with_one_cell_at_xfd1048576_is_refused_cheaply() {
    let w = Work::new();
    let mut book = one_row_workbook();
    book.worksheet_from_index(0)
        .unwrap()
        .write_string(1_048_575, 16_383, "x")
        .unwrap();
    let path = w.dir.join("bom.xlsx");
    book.save(&path).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 10_000);
    let out = under_one_gigabyte(&[
        "check",
        "--roster",
        s(&path),
        "--template",
        s(&repo().join("templates/piagam")),
    ]);
    assert_clean_error(
        &out,
        "a value lies in row 1048576, column 16384: beyond the 100000 rows and 200 columns a roster may have",
    );
}

/// A template body holding one 10 mm image element showing `src`.
fn image_element(src: &str) -> String {
    format!("\n[[element]]\ntype = \"image\"\nsrc = \"{src}\"\nx = 0\ny = 0\nw = 10\nh = 10\n")
}

fn write_template(dir: &Path, body: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("template.toml"),
        format!("kind = \"piagam\"\nname = \"t\"\n[page]\nsize = \"A4\"\norientation = \"portrait\"\n\n[[element]]\ntype = \"qr\"\nx = 10\ny = 10\nsize = 45\n{body}"),
    )
    .unwrap();
    dir.to_owned()
}

#[test]
fn absurd_numbers_in_any_element_are_refused_by_generate_check_and_preview() {
    let w = Work::new();
    let roster = w.roster("r.csv", &["Kota A,Juara,Kota"]);
    for (body, line) in [
        (
            "\n[[element]]\ntype = \"rect\"\nx = 5\ny = 5\nw = -20\nh = 10\nradius = 3\n",
            17,
        ),
        (
            "\n[[element]]\ntype = \"line\"\nx1 = nan\ny1 = 0\nx2 = 10\ny2 = 0\n",
            15,
        ),
        (
            "\n[[element]]\ntype = \"signatory\"\nx = inf\ny = 0\nw = 60\nh = 40\n",
            15,
        ),
        (
            "\n[[element]]\ntype = \"image\"\nsrc = \"x.png\"\nx = 1e30\ny = 0\nw = 10\nh = 10\n",
            16,
        ),
    ] {
        let t = write_template(&w.dir.join("t"), body);
        let needle = format!("template.toml:{line}: element 2:");
        assert_clean_error(&check(&roster, &t, &[]), &needle);
        assert_clean_error(&w.generate(&roster, &["--template", s(&t)]), &needle);
        let preview = run_piagam(&["preview", "--template", s(&t), "--out", s(&w.dir.join("p"))]);
        assert_clean_error(&preview, &needle);
    }
    let t = w.dir.join("page");
    std::fs::create_dir_all(&t).unwrap();
    std::fs::write(
        t.join("template.toml"),
        "kind = \"k\"\nname = \"n\"\n[page]\nsize = \"custom\"\norientation = \"portrait\"\nwidth = nan\nheight = 100\n[[element]]\ntype = \"qr\"\nx = 1\ny = 1\nsize = 30\n",
    )
    .unwrap();
    assert_clean_error(&check(&roster, &t, &[]), "needs width and height in mm");
    assert!(!w.out().exists(), "nothing was written");
}

/// A template that sets its text in a font file of its own.
fn template_with_font(dir: &Path, font: &[u8]) -> PathBuf {
    std::fs::create_dir_all(dir.join("fonts")).unwrap();
    std::fs::write(dir.join("fonts/F.ttf"), font).unwrap();
    write_template(
        dir,
        "\n[fonts.Rusak]\nregular = \"fonts/F.ttf\"\n\n[[element]]\ntype = \"text\"\ntext = \"{{recipient}} — Juara Pertama ffi fl\"\nfont = \"Rusak\"\nx = 10\ny = 80\nw = 180\nh = 20\nsize = 14\n",
    )
}

#[test]
fn damaged_fonts_are_errors_and_check_agrees_with_generate() {
    let w = Work::new();
    let roster = w.roster("r.csv", &["Kota Ăn Giang,Juara,Kota"]);
    let original =
        std::fs::read(repo().join("assets/fonts/eb-garamond/EBGaramond12-Regular.ttf")).unwrap();
    // The table directory: (tag, offset, length) of each table.
    let tables: Vec<(String, usize, usize)> = {
        let count = u16::from_be_bytes([original[4], original[5]]) as usize;
        (0..count)
            .map(|i| {
                let e = &original[12 + 16 * i..12 + 16 * (i + 1)];
                let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
                (
                    String::from_utf8_lossy(&e[..4]).into_owned(),
                    be(&e[8..12]),
                    be(&e[12..16]),
                )
            })
            .collect()
    };
    let mut rng = Rng(0x5eed_f0e7);
    let (mut refused, mut made) = (0, 0);
    let targets = [
        "cmap", "loca", "glyf", "GSUB", "GPOS", "hmtx", "head", "maxp",
    ];
    for trial in 0..16 {
        let mut font = original.clone();
        // Damage one table: metrics, glyph outlines, or shaping rules.
        let tag = targets[trial % targets.len()];
        let Some(&(_, offset, length)) = tables.iter().find(|(t, _, _)| t == tag) else {
            continue;
        };
        let span = length.min(4096);
        let at = offset + rng.below(length - span + 1);
        for b in &mut font[at..at + span] {
            *b = rng.next() as u8;
        }
        let t = template_with_font(&w.dir.join(format!("t{trial}")), &font);
        let checked = check(&roster, &t, &[]);
        let out = w.dir.join(format!("out{trial}"));
        let generated = run_piagam(&[
            "generate",
            "--roster",
            s(&roster),
            "--template",
            s(&t),
            "--key",
            s(&w.key),
            "--out",
            s(&out),
        ]);
        for o in [&checked, &generated] {
            let err = stderr(o);
            assert!(
                !err.contains("panicked") && !err.contains("internal error"),
                "{err}"
            );
            assert!(matches!(o.status.code(), Some(0) | Some(2)), "{err}");
        }
        assert_eq!(
            checked.status.code(),
            generated.status.code(),
            "trial {trial}: check said {} but generate said {}",
            stderr(&checked),
            stderr(&generated)
        );
        if checked.status.success() {
            made += 1;
        } else {
            refused += 1;
            assert!(!out.join("manifest.csv").exists());
        }
    }
    assert!(refused > 0, "no damaged font was refused ({made} made)");
}

#[test]
fn check_with_standard_error_on_a_full_device_exits_2_without_panicking() {
    let w = Work::new();
    let roster = w.roster("r.csv", &["Kota A,Juara,Kota"]);
    for args in [
        vec![
            "check",
            "--roster",
            s(&roster),
            "--template",
            s_static(&repo().join("templates/piagam")),
        ],
        vec![
            "check",
            "--roster",
            s_static(&w.dir.join("missing.csv")),
            "--template",
            "x",
        ],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = piagam().args(&args).stderr(full).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
    }
}

// --- 6. Memory: capped before it is spent -------------------------------------

fn under_one_gigabyte(args: &[&str]) -> Output {
    Command::new("prlimit")
        .args(["--as=1000000000", "--"])
        .arg(env!("CARGO_BIN_EXE_piagam"))
        .args(args)
        .output()
        .expect("prlimit (util-linux) runs")
}

#[test]
fn a_huge_image_is_refused_by_its_declared_size() {
    let w = Work::new();
    let roster = w.roster("r.csv", &["Kota A,Juara,Kota"]);
    let t = write_template(
        &w.dir.join("t"),
        "\n[[element]]\ntype = \"image\"\nsrc = \"besar.png\"\nx = 0\ny = 0\nw = 210\nh = 297\n\n[[element]]\ntype = \"image\"\nsrc = \"besar.png\"\nx = 0\ny = 0\nw = 10\nh = 10\n",
    );
    let big = image::GrayImage::new(11_000, 11_000);
    big.save(t.join("besar.png")).unwrap();
    assert!(std::fs::metadata(t.join("besar.png")).unwrap().len() < 1_000_000);
    let out = under_one_gigabyte(&["check", "--roster", s(&roster), "--template", s(&t)]);
    assert_clean_error(
        &out,
        "the image is 11000×11000 pixels; the limit is 50 megapixels",
    );
}

#[test]
fn a_workbook_that_unpacks_to_gigabytes_is_refused() {
    let w = Work::new();
    let mut book = one_row_workbook();
    let plain = w.dir.join("plain.xlsx");
    book.save(&plain).unwrap();
    // The same workbook with 300 MB of whitespace inside the sheet's XML.
    let bomb = w.dir.join("bom.xlsx");
    let script = r#"
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
    for item in zin.infolist():
        data = zin.read(item.filename)
        if item.filename.endswith("sheet1.xml"):
            head, tail = data.split(b"</sheetData>")
            with zout.open(item.filename, "w", force_zip64=True) as f:
                f.write(head)
                for _ in range(300):
                    f.write(b" " * 1_000_000)
                f.write(b"</sheetData>" + tail)
        else:
            zout.writestr(item, data)
"#;
    let made = run_tool("python3", &["-c", script, s(&plain), s(&bomb)]);
    assert!(made.status.success(), "{}", stderr(&made));
    assert!(std::fs::metadata(&bomb).unwrap().len() < 2_000_000);
    let out = under_one_gigabyte(&[
        "check",
        "--roster",
        s(&bomb),
        "--template",
        s(&repo().join("templates/piagam")),
    ]);
    assert_clean_error(
        &out,
        "the workbook unpacks to 300 MB, more than the 268 MB a roster may hold",
    );
}

#[test]
fn oversized_rosters_and_cells_are_refused() {
    let w = Work::new();
    let template = repo().join("templates/piagam");
    // A file larger than any roster: refused before it is read.
    let huge = w.dir.join("besar.csv");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(200 * 1024 * 1024)
        .unwrap();
    assert_clean_error(&check(&huge, &template, &[]), "the limit is 67108864");
    // A cell of a million characters.
    let long = w.roster(
        "panjang.csv",
        &[&format!("{},Juara,Kota", "A".repeat(1_000_000))],
    );
    assert_clean_error(
        &check(&long, &template, &[]),
        "panjang.csv:2:nama: the cell holds 1000000 characters; the limit is 2000",
    );
    // A line of a million empty cells.
    let wide = w.dir.join("lebar.csv");
    std::fs::write(
        &wide,
        format!("nama,prestasi\nKota A,Juara{}\n", ",".repeat(1_000_000)),
    )
    .unwrap();
    assert_clean_error(
        &check(&wide, &template, &[]),
        "lebar.csv:2: the line has 1000002 cells",
    );
    // JSON objects with ever new keys.
    let keys = w.dir.join("kunci.json");
    let items: Vec<String> = (0..300)
        .map(|i| format!("{{\"nama\":\"K{i}\",\"prestasi\":\"J\",\"k{i}\":1}}"))
        .collect();
    std::fs::write(&keys, format!("[{}]", items.join(","))).unwrap();
    assert_clean_error(
        &check(&keys, &template, &[]),
        "more than 200 different keys",
    );
}

#[test]
fn devices_and_fifos_are_refused_as_images_fonts_and_rosters() {
    let w = Work::new();
    let roster = w.roster("r.csv", &["Kota A,Juara,Kota"]);
    // /dev/zero as an image, from a template the organizer trusts.
    let t = write_template(&w.dir.join("t"), &image_element("/dev/zero"));
    assert_clean_error(
        &check(&roster, &t, &["--allow-outside-assets"]),
        "element 2: not a regular file",
    );
    // /dev/zero as a font.
    let t = write_template(
        &w.dir.join("t2"),
        "\n[fonts.Nol]\nregular = \"/dev/zero\"\n",
    );
    assert_clean_error(
        &check(&roster, &t, &["--allow-outside-assets"]),
        "/dev/zero: not a regular file",
    );
    // A FIFO inside the template folder: refused at once, no hang.
    let t = write_template(&w.dir.join("t3"), &image_element("pipa.png"));
    assert!(Command::new("mkfifo")
        .arg(t.join("pipa.png"))
        .status()
        .unwrap()
        .success());
    assert_clean_error(&check(&roster, &t, &[]), "not a regular file");
    // And as a roster.
    assert_clean_error(
        &check(
            Path::new("/dev/zero"),
            &repo().join("templates/piagam"),
            &["--config", s(&w.dir.join("piagam.toml"))],
        ),
        "/dev/zero: not a regular file",
    );
}

// --- Also ---------------------------------------------------------------------

#[test]
fn spreadsheet_formulas_are_neutralised_in_the_csv_files_only() {
    let w = Work::new();
    let roster = w.roster(
        "r.csv",
        &[
            "\"=HYPERLINK(\"\"http://x.example\"\",\"\"klik\"\")\",Juara,Kota",
            "+cmd|' /C calc'!A0,Juara,Kota",
            "@SUM(1+1),,Kota",
        ],
    );
    let out = w.generate(&roster, &["--skip-invalid"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest = std::fs::read_to_string(w.out().join("manifest.csv")).unwrap();
    assert!(manifest.contains("\"'=HYPERLINK("), "{manifest}");
    assert!(manifest.contains("'+cmd|"), "{manifest}");
    assert!(!manifest
        .lines()
        .any(|l| l.split(',').any(|c| c.starts_with(['=', '+', '@']))));
    let rejected = std::fs::read_to_string(w.out().join("rejected.csv")).unwrap();
    assert!(
        rejected.contains("'@SUM") || !rejected.contains("@SUM"),
        "{rejected}"
    );
    // The seal and the PDF keep the name as typed.
    let rows = read_manifest(&w.out());
    let jwks = w.dir.join("kunci/issuer.jwks.json");
    let v = run_piagam(&["verify", "--json", "--trust", s(&jwks), &rows[0].qr_text]);
    let v: serde_json::Value = serde_json::from_str(stdout_of(&v).trim()).unwrap();
    assert_eq!(
        v["claims"]["recipient"],
        "=HYPERLINK(\"http://x.example\",\"klik\")"
    );
    assert!(pdf_text(&w.out().join(rows[0].file.trim_start_matches('\''))).contains("=HYPERLINK"));
}

#[test]
fn template_files_stay_inside_the_template_folder() {
    let w = Work::new();
    let roster = w.roster("r.csv", &["Kota A,Juara,Kota"]);
    let secret = w.dir.join("rahasia.png");
    image::RgbImage::new(4, 4).save(&secret).unwrap();
    let absolute = write_template(&w.dir.join("a/t"), &image_element(s(&secret)));
    let dotdot = write_template(&w.dir.join("b/t"), &image_element("../../rahasia.png"));
    let linked = write_template(&w.dir.join("c/t"), &image_element("tautan.png"));
    std::os::unix::fs::symlink(&secret, linked.join("tautan.png")).unwrap();
    for t in [&absolute, &dotdot, &linked] {
        assert_clean_error(&check(&roster, t, &[]), "lies outside the template folder");
        let out = check(&roster, t, &["--allow-outside-assets"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    // The shared assets folder beside the template is inside.
    let shared = write_template(&w.dir.join("d/t"), &image_element("../assets/logo.png"));
    std::fs::create_dir_all(w.dir.join("d/assets")).unwrap();
    std::fs::copy(&secret, w.dir.join("d/assets/logo.png")).unwrap();
    assert!(check(&roster, &shared, &[]).status.success());
}

#[test]
fn keygen_never_replaces_a_jwks_without_its_key() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("kunci");
    keygen(&dir, "Penerbit Lama");
    std::fs::remove_file(dir.join("issuer.key.pem")).unwrap();
    let before = std::fs::read(dir.join("issuer.jwks.json")).unwrap();
    let out = run_piagam(&["keygen", "--issuer", "Penerbit Baru", "--out", s(&dir)]);
    assert_clean_error(&out, "already exists without its private key (key ids: ");
    assert!(stderr(&out).contains("piagam: hint:"), "{}", stderr(&out));
    assert_eq!(std::fs::read(dir.join("issuer.jwks.json")).unwrap(), before);
    assert!(!dir.join("issuer.key.pem").exists());
}

#[test]
fn verify_shows_control_sequences_instead_of_obeying_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    assert!(run_piagam(&["demo", "--out", s(&dir)]).status.success());
    let out = run_piagam(&[
        "verify",
        "--trust",
        s(&dir.join("issuer.jwks.json")),
        "https://evil.example/\u{1b}[2J\u{202e}#123",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!out.stdout.contains(&0x1b), "{:?}", stdout_of(&out));
    let text = stdout_of(&out);
    assert!(text.contains("\\u{1b}[2J\\u{202e}"), "{text}");
}

#[test]
fn verify_fails_when_its_report_cannot_be_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    assert!(run_piagam(&["demo", "--out", s(&dir)]).status.success());
    let seal = read_manifest(&dir)[0].qr_text.clone();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = piagam()
        .args(["verify", "--trust", s(&dir.join("issuer.jwks.json")), &seal])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the report was not written"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn key_errors_name_what_is_wrong() {
    let w = Work::new();
    let roster = w.roster("r.csv", &["Kota A,Juara,Kota"]);
    let try_key = |key: &Path| {
        run_piagam(&[
            "generate",
            "--roster",
            s(&roster),
            "--template",
            s(&repo().join("templates/piagam")),
            "--key",
            s(key),
            "--jwks",
            s(&w.dir.join("kunci/issuer.jwks.json")),
            "--out",
            s(&w.out()),
        ])
    };
    for (algorithm, extra, needle) in [
        (
            "RSA",
            vec!["-pkeyopt", "rsa_keygen_bits:2048"],
            "this is an RSA key; piagam signs with Ed25519 keys only",
        ),
        (
            "EC",
            vec!["-pkeyopt", "ec_paramgen_curve:P-256"],
            "this is an elliptic-curve (EC) key",
        ),
    ] {
        let path = w.dir.join(format!("{algorithm}.pem"));
        let mut args = vec!["genpkey", "-algorithm", algorithm];
        args.extend(extra);
        args.extend(["-out", s_static(&path)]);
        assert!(run_tool("openssl", &args).status.success());
        set_mode(&path, 0o600);
        assert_clean_error(&try_key(&path), needle);
    }
    let empty = w.dir.join("kosong.pem");
    std::fs::write(&empty, "").unwrap();
    set_mode(&empty, 0o600);
    assert_clean_error(&try_key(&empty), "the private key is empty");
    let folder = w.dir.join("folder.pem");
    std::fs::create_dir(&folder).unwrap();
    assert_clean_error(
        &try_key(&folder),
        "not a key file (it is a folder or a device)",
    );
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_run_beyond_the_page_limits_is_refused_before_any_work() {
    let w = Work::new();
    let roster = w.roster("r.csv", &["Kota A,Juara,Kota"]);
    let template = repo().join("templates/piagam");
    let mut args = vec!["check", "--roster", s(&roster)];
    for _ in 0..21 {
        args.extend(["--template", s(&template)]);
    }
    assert_clean_error(
        &run_piagam(&args),
        "the run would make 21 pages (21 per winner); the limit is 200000 pages and 20 documents per winner",
    );
}
