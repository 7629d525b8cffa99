//! Helpers for end-to-end tests that drive the `piagam` binary and the
//! outside tools a user would check its output with.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn piagam() -> Command {
    Command::new(env!("CARGO_BIN_EXE_piagam"))
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs a command and returns its output, failing with a clear message if
/// the tool is not installed.
pub fn run_tool(program: &str, args: &[&str]) -> Output {
    match Command::new(program).args(args).output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "`{program}` is not installed. Install it with: \
             apt-get install -y poppler-utils qpdf zbar-tools sqlite3 (or run bash .ci/run)"
        ),
        Err(e) => panic!("{program}: {e}"),
    }
}

pub fn stdout_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn run_piagam(args: &[&str]) -> Output {
    piagam().args(args).output().expect("run piagam")
}

pub fn run_piagam_with_stdin(args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = piagam()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn piagam");
    // Written from another thread: piagam answers line by line, so its
    // output must be read while its input is still being written.
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.as_bytes().to_vec();
    let writer = std::thread::spawn(move || {
        // A closed pipe (piagam stopped reading) is the test's to judge.
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait piagam");
    writer.join().expect("stdin writer");
    out
}

/// One manifest row.
#[derive(Debug, Clone)]
pub struct ManifestRow {
    pub serial: String,
    pub recipient: String,
    /// The roster's row.
    pub row: usize,
    pub file: String,
    pub qr_text: String,
}

pub fn read_manifest(dir: &Path) -> Vec<ManifestRow> {
    let mut reader = csv::Reader::from_path(dir.join("manifest.csv")).expect("manifest.csv");
    let headers = reader.headers().expect("header").clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("manifest has no {name} column: {headers:?}"))
    };
    let (serial, recipient, row, file, qr) = (
        col("serial"),
        col("recipient"),
        col("row"),
        col("file"),
        col("qr_text"),
    );
    reader
        .records()
        .map(|r| {
            let r = r.expect("manifest row");
            ManifestRow {
                serial: r[serial].to_owned(),
                recipient: r[recipient].to_owned(),
                row: r[row].parse().expect("a row number"),
                file: r[file].to_owned(),
                qr_text: r[qr].to_owned(),
            }
        })
        .collect()
}

/// Every font in a PDF, as (name, embedded, subset) from `pdffonts`.
pub fn pdf_fonts(pdf: &Path) -> Vec<(String, bool, bool)> {
    let out = run_tool("pdffonts", &[pdf.to_str().expect("utf-8 path")]);
    assert!(out.status.success(), "pdffonts failed on {}", pdf.display());
    stdout_of(&out)
        .lines()
        .skip(2)
        .map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            // name type... encoding emb sub uni object-id gen
            let n = cols.len();
            (
                cols[0].to_owned(),
                cols[n - 5] == "yes",
                cols[n - 4] == "yes",
            )
        })
        .collect()
}

pub fn pdf_page_count(pdf: &Path) -> usize {
    let out = run_tool("pdfinfo", &[pdf.to_str().expect("utf-8 path")]);
    stdout_of(&out)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo Pages")
}

pub fn pdf_text(pdf: &Path) -> String {
    let out = run_tool(
        "pdftotext",
        &["-enc", "UTF-8", pdf.to_str().expect("utf-8 path"), "-"],
    );
    assert!(out.status.success());
    stdout_of(&out)
}

/// Renders every page at `dpi` and returns the PNG paths in page order.
pub fn render_pages(pdf: &Path, dpi: u32, dir: &Path) -> Vec<PathBuf> {
    let prefix = dir.join("page");
    let out = run_tool(
        "pdftoppm",
        &[
            "-png",
            "-r",
            &dpi.to_string(),
            pdf.to_str().expect("utf-8 path"),
            prefix.to_str().expect("utf-8 path"),
        ],
    );
    assert!(out.status.success(), "pdftoppm failed");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read render dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    pages.sort();
    pages
}

/// Decodes every QR code in a PNG with zbarimg.
pub fn scan_qr(png: &Path) -> Vec<String> {
    let out = run_tool(
        "zbarimg",
        &[
            "--quiet",
            "--raw",
            "-Sdisable",
            "-Sqrcode.enable",
            png.to_str().expect("utf-8 path"),
        ],
    );
    stdout_of(&out)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A path as the `&str` an argument list wants.
pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Makes an issuer key pair in `dir` with `piagam keygen`; returns the
/// private key's path.
pub fn keygen(dir: &Path, issuer: &str) -> PathBuf {
    let out = run_piagam(&["keygen", "--issuer", issuer, "--out", s(dir)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join("issuer.key.pem")
}

/// How many cases a randomized (fuzz) test tries: `default` in CI, or
/// `PIAGAM_FUZZ_ITERATIONS` to run longer, e.g. overnight. The second value
/// says whether the default is in force (time limits apply only then).
pub fn fuzz_iterations(default: usize) -> (usize, bool) {
    match std::env::var("PIAGAM_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(n) => (n, false),
        None => (default, true),
    }
}

/// A small deterministic generator (xorshift), so a failure can be replayed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A folder with piagam.toml, a key and a roster of `rows` winners.
pub struct Batch {
    _tmp: tempfile::TempDir,
    pub dir: PathBuf,
    pub key: PathBuf,
}

impl Batch {
    pub fn new(names: &[String]) -> Batch {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_owned();
        std::fs::copy(repo().join("examples/piagam.toml"), dir.join("piagam.toml")).unwrap();
        let mut roster = String::from("nama,prestasi\n");
        for (i, name) in names.iter().enumerate() {
            roster.push_str(&format!(
                "\"{}\",Juara {}\n",
                name.replace('"', "\"\""),
                i % 7 + 1
            ));
        }
        std::fs::write(dir.join("pemenang.csv"), roster).unwrap();
        let key = keygen(&dir.join("kunci"), "Dinas Kominfo Contoh");
        Batch {
            _tmp: tmp,
            dir,
            key,
        }
    }

    pub fn with_rows(rows: usize) -> Batch {
        let names: Vec<String> = (1..=rows)
            .map(|i| format!("Pemerintah Kabupaten Contoh Nomor {i}"))
            .collect();
        Batch::new(&names)
    }

    pub fn generate(&self, out: &str, extra: &[&str]) -> Command {
        let mut cmd = piagam();
        cmd.args(["generate", "--roster"])
            .arg(self.dir.join("pemenang.csv"))
            .arg("--template")
            .arg(repo().join("templates/piagam"))
            .arg("--key")
            .arg(&self.key)
            .arg("--out")
            .arg(self.dir.join(out))
            .args(extra);
        cmd
    }

    /// `piagam check` on the batch's roster, as generate would read it.
    pub fn check(&self, extra: &[&str]) -> Output {
        piagam()
            .args(["check", "--roster"])
            .arg(self.dir.join("pemenang.csv"))
            .arg("--template")
            .arg(repo().join("templates/piagam"))
            .args(extra)
            .output()
            .unwrap()
    }

    pub fn run(&self, out: &str, extra: &[&str]) -> PathBuf {
        let result = self.generate(out, extra).output().unwrap();
        assert!(
            result.status.success(),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
        self.dir.join(out)
    }
}

/// The names in a folder; none if it does not exist (yet).
pub fn file_names(dir: &Path) -> BTreeSet<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeSet::new();
    };
    entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

pub fn document_pdfs(dir: &Path) -> BTreeSet<String> {
    file_names(dir)
        .into_iter()
        .filter(|n| n.ends_with(".pdf") && !n.starts_with("print"))
        .collect()
}

pub fn qpdf_check(pdf: &Path) {
    let out = run_tool("qpdf", &["--check", pdf.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "qpdf --check {}: {}",
        pdf.display(),
        stdout_of(&out)
    );
}

/// A4 landscape in points.
pub const A4_LANDSCAPE: (f32, f32) = (841.89, 595.28);

/// How the test's background PDF is drawn.
pub struct Design {
    pub media: [f32; 4],
    pub crop: Option<[f32; 4]>,
    pub rotate: Option<i64>,
    /// Bytes of incompressible image data drawn in a corner, to give the
    /// background a size of its own.
    pub noise: usize,
    /// A light tint over the whole visible area first, to its edges.
    pub tint: bool,
}

impl Design {
    pub fn a4() -> Design {
        Design {
            media: [0.0, 0.0, A4_LANDSCAPE.0, A4_LANDSCAPE.1],
            crop: None,
            rotate: None,
            noise: 0,
            tint: false,
        }
    }
}

/// A designer's page: a frame, a curve, filled shapes and one line of text
/// in Helvetica, drawn relative to the visible area's corner `(ox, oy)` of
/// size `(w, h)`, in the page's own (unturned) units.
pub fn background_pdf(design: &Design) -> Vec<u8> {
    use lopdf::dictionary;
    let [l, b, r, t] = design.crop.unwrap_or(design.media);
    let (w, h) = (r - l, t - b);
    let mut doc = lopdf::Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let tint = if design.tint {
        format!("q 0.85 0.92 0.8 rg {l} {b} {w} {h} re f Q\n")
    } else {
        String::new()
    };
    let mut content = tint
        + &format!(
            "q 0.12 0.23 0.37 RG 6 w {x} {y} {fw} {fh} re S Q\n\
         q 0.6 0.48 0.18 rg {x2} {y2} 60 60 re f Q\n\
         q 0.6 0.48 0.18 RG 3 w {x2} {ym} m {cx1} {t2} {cx2} {b2} {xe} {ym} c S Q\n\
         BT /F1 28 Tf 0.12 0.23 0.37 rg {tx} {ty} Td (LATAR DESAINER DINAS) Tj ET\n",
            x = l + 20.0,
            y = b + 20.0,
            fw = w - 40.0,
            fh = h - 40.0,
            x2 = l + 40.0,
            y2 = b + 40.0,
            ym = b + h * 0.3,
            cx1 = l + w * 0.3,
            t2 = b + h * 0.45,
            cx2 = l + w * 0.6,
            b2 = b + h * 0.15,
            xe = r - 40.0,
            tx = l + 60.0,
            ty = t - 80.0,
        );
    let mut resources = dictionary! { "Font" => dictionary! { "F1" => font } };
    if design.noise > 0 {
        let side = ((design.noise / 3) as f64).sqrt() as i64;
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let pixels: Vec<u8> = (0..side * side * 3)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let image = doc.add_object(lopdf::Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => side, "Height" => side,
                "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8,
            },
            pixels,
        ));
        resources.set("XObject", dictionary! { "Im1" => image });
        content.push_str(&format!(
            "q 80 0 0 80 {} {} cm /Im1 Do Q\n",
            r - 130.0,
            t - 130.0
        ));
    }
    let contents = doc.add_object(lopdf::Stream::new(dictionary! {}, content.into_bytes()));
    let mut page = dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => contents,
    };
    if let Some(crop) = design.crop {
        page.set("CropBox", crop.map(lopdf::Object::Real).to_vec());
    }
    let page_id = doc.add_object(page);
    // MediaBox, Rotate and Resources are inherited from the page tree, as
    // some design programs write them.
    let mut pages = dictionary! {
        "Type" => "Pages",
        "Kids" => vec![page_id.into()],
        "Count" => 1,
        "MediaBox" => design.media.map(lopdf::Object::Real).to_vec(),
        "Resources" => resources,
    };
    if let Some(rotate) = design.rotate {
        pages.set("Rotate", rotate);
    }
    doc.objects
        .insert(pages_id, lopdf::Object::Dictionary(pages));
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.compress();
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// Debian's chromium, headless, on `url` with `args` and a fresh profile.
pub fn chromium(args: &[&str], url: &str) -> std::process::Output {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "chromium is not installed ({e}): apt-get install -y chromium, or run bash .ci/run"
            )
        });
    out
}
