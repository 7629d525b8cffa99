//! `piagam verify` on what people hold: the time to find and check the seal
//! in a 300 dpi A4 scan, a 12 MP phone photo, and a 20-page print.pdf.
//!
//! Run with `cargo bench --bench verify`. It makes its own inputs from the
//! bundled demo. Targets on the 2-core machine: 300 ms, 1 s and 0.4 s.

use std::path::Path;
use std::time::Instant;

use image::{GrayImage, Luma};
use piagam::seal::VerifyOptions;

fn time(name: &str, runs: u32, mut f: impl FnMut() -> usize) {
    let found = f(); // warm up, and check it works
    let start = Instant::now();
    for _ in 0..runs {
        f();
    }
    let each = start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);
    println!("{name:<40} {each:>8.0} ms each ({found} seal(s) found, {runs} runs)");
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    piagam::demo::run(&dir).unwrap();
    let trust = piagam::keystore::trust_from_json(
        &std::fs::read_to_string(dir.join("issuer.jwks.json")).unwrap(),
    )
    .unwrap();
    let options = VerifyOptions::default();
    let first = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("001-"))
        .unwrap();
    let pdf = hayro::hayro_syntax::Pdf::new(std::fs::read(&first).unwrap()).unwrap();
    let scan = piagam::inputs::render_page(&pdf.pages()[0], 300.0).unwrap();
    let scan_path = tmp.path().join("scan-300dpi.png");
    scan.save(&scan_path).unwrap();

    // A 12 MP photo: the page across 60% of a 4000 × 3000 frame.
    let width = 2400;
    let height = scan.height() * width / scan.width();
    let page = image::imageops::resize(&scan, width, height, image::imageops::FilterType::Triangle);
    let mut photo = GrayImage::from_pixel(4000, 3000, Luma([120]));
    image::imageops::overlay(&mut photo, &page, 800, i64::from((3000 - height) / 2));
    let photo_path = tmp.path().join("photo-12mp.jpg");
    photo.save(&photo_path).unwrap();

    let check = |path: &Path| {
        let found = piagam::inputs::check_file(path, &trust, &options, None).unwrap();
        assert!(found.checked.iter().all(|c| c.is_valid()) && found.unread == 0);
        found.checked.len()
    };
    time("300 dpi A4 scan (PNG)", 10, || check(&scan_path));
    time("12 MP phone photo (JPEG)", 5, || check(&photo_path));
    time("20-page print.pdf", 5, || check(&dir.join("print.pdf")));
}
