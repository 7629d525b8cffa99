//! A whole generate run for 148 winners (the size of the award that started
//! piagam): sign, lay out, write 148 PDFs and the merged print file.
//!
//! Run with `cargo bench --bench generate`. Reports wall time per run and
//! documents per second, on one thread.

use std::time::Instant;

use piagam::generate::{self, Request};

fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(repo.join("examples/piagam.toml"), dir.join("piagam.toml")).expect("config");
    let mut roster = String::from("nama,prestasi,kategori\n");
    let ranks = ["Juara Pertama", "Juara Kedua", "Juara Ketiga", "Harapan"];
    let kinds = ["Provinsi", "Kabupaten", "Kota"];
    for i in 0..148 {
        roster.push_str(&format!(
            "Pemerintah Kabupaten Contoh Nomor {},{},{}\n",
            i + 1,
            ranks[i % 4],
            kinds[i % 3]
        ));
    }
    std::fs::write(dir.join("pemenang.csv"), roster).expect("roster");
    let keys = dir.join("kunci");
    piagam::keystore::create(
        &keys,
        &piagam::keystore::NewKey {
            issuer: Some("Bench".into()),
            ..Default::default()
        },
    )
    .expect("key");

    for run in 1..=3 {
        let out = dir.join(format!("hasil-{run}"));
        let request = Request {
            roster: dir.join("pemenang.csv"),
            templates: vec![repo.join("templates/piagam")],
            key: Some(keys.join("issuer.key.pem")),
            out: Some(out),
            ..Request::default()
        };
        let start = Instant::now();
        let outcome = generate::run(&request).expect("generate");
        let secs = start.elapsed().as_secs_f64();
        println!(
            "run {run}: {} documents + print.pdf in {secs:.2} s ({:.0} documents/s)",
            outcome.issued.len(),
            outcome.issued.len() as f64 / secs
        );
    }
}
