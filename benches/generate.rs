//! A generate run at print-shop scale, end to end, as a user runs it: the
//! release binary reads a roster, signs, encodes QR codes, lays out and
//! writes. Each mode (`--outputs files`, `print`, `files,print`) runs at
//! N = 1,000 and N = 10,000 on a synthetic roster of Indonesian names (9 to
//! 85 characters), with a template of a full-page 300 dpi background
//! (3508×2480 PNG), five texts in two bundled fonts (Charis SIL and EB
//! Garamond, regular) and the signed QR.
//!
//! Run with `cargo bench --bench generate` (`-- 1000` for one size only).
//! Reports certificates per second, milliseconds and bytes per
//! certificate, and the process's peak RSS.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1_000, 10_000]
    } else {
        sizes
    };
    // PIAGAM_BENCH_INPUTS=DIR keeps the inputs there, to profile by hand.
    let tmp = tempfile::tempdir().expect("temp dir");
    let kept = std::env::var_os("PIAGAM_BENCH_INPUTS").map(std::path::PathBuf::from);
    let dir = kept.as_deref().unwrap_or(tmp.path());
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    write_template(&dir.join("template"), repo);
    write_pdf_template(&dir.join("template"), &dir.join("template-pdf"));
    let keys = dir.join("kunci");
    if !keys.join("issuer.key.pem").exists() {
        piagam::keystore::create(
            &keys,
            &piagam::keystore::NewKey {
                issuer: Some("Dinas Komunikasi dan Informatika Provinsi Contoh".into()),
                ..Default::default()
            },
        )
        .expect("key");
    }
    std::fs::write(
        dir.join("piagam.toml"),
        "verify_url = \"https://piagam.example/verifikasi\"\n\
         [event]\nname = \"Pelatihan Literasi Digital Nasional 2026\"\ndate = \"2026-11-20\"\nplace = \"Semarang\"\n\
         [numbering]\npattern = \"{seq:05}/PLDN/{month_roman}/{year}\"\n",
    )
    .expect("config");

    println!(
        "piagam generate, {} (2 cores here); background {}",
        std::env::consts::ARCH,
        human(std::fs::metadata(dir.join("template/background.png")).map_or(0, |m| m.len())),
    );
    println!(
        "{:>7} {:>12} {:>8} {:>10} {:>10} {:>12} {:>10}",
        "N", "outputs", "register", "certs/s", "ms/cert", "bytes/cert", "peak RSS"
    );
    let mut background_overhead = None;
    for &n in &sizes {
        let roster = dir.join(format!("peserta-{n}.csv"));
        std::fs::write(&roster, synthetic_roster(n)).expect("roster");
        if kept.is_some() {
            continue;
        }
        // A first issue into a fresh register, as most runs are; a rerun of
        // the same roster into the same folder (everything kept); and no
        // register at all, for comparison.
        let register = dir.join("piagam-register.sqlite");
        let runs = [
            ("print", "new"),
            ("files", "new"),
            ("files,print", "new"),
            ("files,print", "rerun"),
            ("files,print", "none"),
        ];
        for (outputs, mode) in runs {
            let out = dir.join("hasil");
            if mode != "rerun" {
                let _ = std::fs::remove_dir_all(&out);
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", register.display()));
                }
            }
            // The last run's gigabytes reach the disk before this one starts.
            settle_disk();
            let mut cmd = generate(&roster, &dir.join("template"), &keys, &out, outputs);
            if mode == "none" {
                cmd.arg("--no-register");
            } else {
                cmd.arg("--register").arg(&register);
            }
            let start = Instant::now();
            let rss = run_measured(&mut cmd);
            let secs = start.elapsed().as_secs_f64();
            let bytes = folder_bytes(&out);
            if outputs == "files" {
                background_overhead = Some(file_over_background(&out));
            }
            println!(
                "{n:>7} {:>12} {mode:>8} {:>10.0} {:>10.3} {:>12} {:>10}",
                outputs,
                n as f64 / secs,
                secs * 1000.0 / n as f64,
                human(bytes / n as u64),
                human(rss),
            );
            if mode != "new" || outputs != "files,print" {
                let _ = std::fs::remove_dir_all(&out);
            }
        }
    }
    // The same documents on a vector PDF background (a page with text in
    // embedded fonts, rules and a QR code: the calibration sheet), to set
    // beside the PNG background's row above.
    if kept.is_none() {
        let n = sizes[0];
        let roster = dir.join(format!("peserta-{n}.csv"));
        let out = dir.join("hasil-pdf");
        let _ = std::fs::remove_dir_all(&out);
        settle_disk();
        let mut cmd = generate(
            &roster,
            &dir.join("template-pdf"),
            &keys,
            &out,
            "files,print",
        );
        cmd.arg("--no-register");
        let start = Instant::now();
        let rss = run_measured(&mut cmd);
        let secs = start.elapsed().as_secs_f64();
        let bytes = folder_bytes(&out);
        println!(
            "{n:>7} {:>12} {:>8} {:>10.0} {:>10.3} {:>12} {:>10}   (vector PDF background, {})",
            "files,print",
            "none",
            n as f64 / secs,
            secs * 1000.0 / n as f64,
            human(bytes / n as u64),
            human(rss),
            human(std::fs::metadata(dir.join("template-pdf/latar.pdf")).map_or(0, |m| m.len())),
        );
        let _ = std::fs::remove_dir_all(&out);
    }
    if let Some((background, largest)) = background_overhead {
        println!(
            "the background as embedded: {}; the largest document file: the background + {}",
            human(background),
            human(largest - background)
        );
    }
}

#[cfg(unix)]
fn settle_disk() {
    // SAFETY: sync has no arguments and no failure mode.
    unsafe { libc::sync() };
}

#[cfg(not(unix))]
fn settle_disk() {}

/// The background image's stream length, and the largest document file.
fn file_over_background(dir: &Path) -> (u64, u64) {
    let mut largest = (0, std::path::PathBuf::new());
    for entry in std::fs::read_dir(dir)
        .expect("output")
        .filter_map(Result::ok)
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        let len = entry.metadata().map_or(0, |m| m.len());
        if name.ends_with(".pdf") && !name.starts_with("print") && len > largest.0 {
            largest = (len, entry.path());
        }
    }
    let bytes = std::fs::read(&largest.1).expect("a document file");
    let at = find(&bytes, b"/Width 3508/Height 2480").expect("the background in the PDF");
    let dict = &bytes[at..at + 200];
    let len = find(dict, b"/Length ").expect("its length") + b"/Length ".len();
    let digits: String = dict[len..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| char::from(b))
        .collect();
    (digits.parse().expect("a length"), largest.0)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Runs the command to its end; returns its peak resident set in bytes.
// The child is reaped by wait4, which std does not know of.
#[allow(clippy::zombie_processes)]
fn run_measured(cmd: &mut Command) -> u64 {
    let child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn piagam");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child; status and usage are valid for writing.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "piagam generate failed"
    );
    // Linux reports kilobytes.
    usage.ru_maxrss as u64 * 1024
}

fn folder_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn human(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / (1u64 << 20) as f64)
    } else {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    }
}

/// `piagam generate` as a user runs it, with the bench's key.
fn generate(roster: &Path, template: &Path, keys: &Path, out: &Path, outputs: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_piagam"));
    cmd.arg("generate")
        .arg("--roster")
        .arg(roster)
        .arg("--template")
        .arg(template)
        .arg("--key")
        .arg(keys.join("issuer.key.pem"))
        .arg("--out")
        .arg(out)
        .args(["--outputs", outputs, "--quiet"]);
    cmd
}

/// The benchmark's template on a vector PDF background instead of the PNG:
/// the calibration sheet of the PNG template, a page of text in embedded
/// fonts, 500 rules and a QR code, as a designer's PDF might be.
fn write_pdf_template(png_template: &Path, dir: &Path) {
    std::fs::create_dir_all(dir).expect("template dir");
    let template = piagam::template::Template::load(png_template).expect("template");
    let sheet = piagam::calibrate::calibration_sheet(&template).expect("sheet");
    std::fs::write(dir.join("latar.pdf"), sheet).expect("pdf");
    let toml = std::fs::read_to_string(png_template.join("template.toml")).expect("toml");
    let image = toml
        .find("[[element]]\ntype = \"image\"")
        .expect("the background element");
    let after = toml[image..].find("\n\n[[element]]").expect("next element") + image + 2;
    let toml = format!(
        "{}[background]\nsrc = \"latar.pdf\"\n\n{}",
        &toml[..image],
        &toml[after..]
    );
    std::fs::write(dir.join("template.toml"), toml).expect("toml");
}

/// A4 landscape: the background, five texts in Charis SIL and EB Garamond,
/// and the QR code.
fn write_template(dir: &Path, _repo: &Path) {
    std::fs::create_dir_all(dir).expect("template dir");
    background().save(dir.join("background.png")).expect("png");
    std::fs::write(
        dir.join("template.toml"),
        r##"kind = "sertifikat"
name = "Benchmark"

[page]
size = "A4"
orientation = "landscape"

[[element]]
type = "image"
src = "background.png"
x = 0
y = 0
w = 297
h = 210
fit = "cover"

[[element]]
type = "text"
text = "SERTIFIKAT"
x = 30
y = 26
w = 237
h = 22
font = "Charis SIL"
size = 34
color = "#1f3a5f"

[[element]]
type = "text"
text = "{{recipient}}"
x = 30
y = 70
w = 237
h = 24
font = "EB Garamond"
size = 30
min_size = 18
max_lines = 2
color = "#111111"

[[element]]
type = "text"
text = "{{achievement}}"
x = 30
y = 100
w = 237
h = 10
font = "Charis SIL"
size = 16

[[element]]
type = "text"
text = "{{event}}"
x = 30
y = 114
w = 237
h = 9
font = "EB Garamond"
size = 14

[[element]]
type = "text"
text = "Nomor {{serial}} · {{place}}, {{date | long}}"
x = 30
y = 126
w = 237
h = 7
font = "Charis SIL"
size = 10

[[element]]
type = "qr"
x = 30
y = 145
size = 40
"##,
    )
    .expect("template.toml");
}

/// A 300 dpi A4 background as a designer would make one: paper colour, a
/// patterned border band and a faint emblem in the middle.
fn background() -> image::RgbImage {
    let (w, h) = (3508u32, 2480u32);
    image::RgbImage::from_fn(w, h, |x, y| {
        let edge = x.min(y).min(w - 1 - x).min(h - 1 - y);
        let (fx, fy) = (x as f32, y as f32);
        if edge < 170 {
            let wave = ((fx / 11.0).sin() * (fy / 13.0).cos() * 40.0) as i32;
            let base = [31i32, 58, 95];
            let c = |v: i32| (v + wave + 60).clamp(0, 255) as u8;
            image::Rgb([c(base[0]), c(base[1]), c(base[2])])
        } else {
            let (dx, dy) = (fx - w as f32 / 2.0, fy - h as f32 / 2.0);
            let r = (dx * dx + dy * dy).sqrt();
            let ring = if (r / 24.0).sin() > 0.6 && r < 700.0 {
                8
            } else {
                0
            };
            image::Rgb([251 - ring, 247 - ring, 238 - ring])
        }
    })
}

/// `n` rows of Indonesian names, 9 to 85 characters, deterministic.
fn synthetic_roster(n: usize) -> String {
    const GIVEN: [&str; 16] = [
        "Siti", "Muhammad", "Dewi", "Agus", "Putri", "Budi", "Nurul", "Rizky", "Ayu", "Hendra",
        "Ni Luh", "I Gede", "Fitri", "Yohanes", "Maria", "Andi",
    ];
    const MIDDLE: [&str; 12] = [
        "Rahmawati",
        "Saputra",
        "Lestari",
        "Hidayat",
        "Kusuma",
        "Wulandari",
        "Pratama",
        "Nugroho",
        "Ayu Komang",
        "Setiawan",
        "Handayani",
        "Permata",
    ];
    const FAMILY: [&str; 10] = [
        "Simanjuntak",
        "Siregar",
        "Wijaya",
        "Tanjung",
        "Lumbantobing",
        "Manurung",
        "Sembiring",
        "Pangaribuan",
        "Hutapea",
        "Sitompul",
    ];
    const TITLES: [&str; 6] = ["", "Dr. ", "Ir. ", "dr. ", "Drs. ", "Prof. Dr. "];
    const DEGREES: [&str; 6] = [
        "",
        ", S.Kom.",
        ", S.E., M.M.",
        ", S.T., M.T.",
        ", S.Pd.",
        ", M.Si.",
    ];
    let mut csv = String::from("nama,prestasi\n");
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = |m: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % m as u64) as usize
    };
    let mut seen = std::collections::HashSet::new();
    while seen.len() < n {
        let mut name = format!(
            "{}{} {}",
            TITLES[next(6)],
            GIVEN[next(16)],
            MIDDLE[next(12)]
        );
        for _ in 0..next(4) {
            name.push(' ');
            name.push_str(MIDDLE[next(12)]);
        }
        name.push(' ');
        name.push_str(FAMILY[next(10)]);
        name.push_str(DEGREES[next(6)]);
        if name.chars().count() > 85 {
            name = name
                .chars()
                .take(85)
                .collect::<String>()
                .trim_end()
                .to_owned();
        }
        if name.chars().count() < 9 {
            name.push_str(" Saputra");
        }
        // Each winner once: the roster check refuses a name twice (in any case).
        if seen.insert(name.to_lowercase()) {
            csv.push_str(&format!("\"{name}\",Peserta Terbaik\n"));
        }
    }
    csv
}
