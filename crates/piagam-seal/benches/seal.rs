//! Seals signed and verified per second, on one thread.
//!
//! Run with `cargo bench -p piagam-seal --bench seal`. A plain timing loop (no harness):
//! each measurement repeats until a second has passed and reports the rate.
//! Target: at least 20,000 verifications per second on one core.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use piagam_seal::{self as seal, qrtext, Claims, IssuerKey, Jwk, Jwks, Trust, VerifyOptions};

fn rate(name: &str, mut f: impl FnMut()) -> f64 {
    // Warm up, then time whole batches until a second has passed.
    for _ in 0..200 {
        f();
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(1) {
        for _ in 0..100 {
            f();
        }
        n += 100;
    }
    let per_sec = n as f64 / start.elapsed().as_secs_f64();
    println!(
        "{name:<40} {per_sec:>12.0} /s   ({:.1} µs each)",
        1e6 / per_sec
    );
    per_sec
}

fn main() {
    let key = IssuerKey::from_seed(&[42; 32]);
    let mut extra = BTreeMap::new();
    extra.insert("category".to_string(), "Kabupaten".to_string());
    let claims = Claims {
        serial: "009/ALDPD/VIII/2024".into(),
        kind: "piagam".into(),
        recipient: "Pemerintah Kabupaten Kepulauan Siau Tagulandang Biaro".into(),
        achievement: "Juara Ketiga".into(),
        event: "Anugerah Layanan Digital Pemerintah Daerah 2024".into(),
        date: "2024-08-01".parse().unwrap(),
        place: Some("Jakarta".into()),
        extra,
        valid_until: None,
        labels: Default::default(),
        shown: Default::default(),
    };
    let trust = Trust::from_jwks(&Jwks {
        issuer: "Bench".into(),
        verify_url: None,
        keys: vec![Jwk::from_key(&key.verifying_key())],
    })
    .unwrap();
    let cose = seal::sign(&claims, &key);
    let text = qrtext::qr_text(Some("https://piagam.example/verifikasi"), &cose);
    let options = VerifyOptions::default();
    assert!(seal::verify_qr_text(&text, &trust, &options).is_valid());

    println!(
        "seal of {} bytes, QR text of {} characters",
        cose.len(),
        text.len()
    );
    rate("sign (claims -> COSE bytes)", || {
        black_box(seal::sign(black_box(&claims), &key));
    });
    rate("sign + QR text", || {
        let c = seal::sign(black_box(&claims), &key);
        black_box(qrtext::qr_text(
            Some("https://piagam.example/verifikasi"),
            &c,
        ));
    });
    let verified = rate("verify (QR text -> report)", || {
        black_box(seal::verify_qr_text(black_box(&text), &trust, &options));
    });
    let target = 20_000.0;
    println!(
        "verify target {target:.0}/s: {}",
        if verified >= target { "met" } else { "NOT met" }
    );
}
