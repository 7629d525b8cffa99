//! Keys, rotation, revocation and hostile input, through the binary.

mod common;

use std::path::Path;

use common::*;

/// Generates the sample roster with `key` into `out`; returns the manifest.
fn generate(key: &Path, out: &Path, extra: &[&str]) -> Vec<ManifestRow> {
    let roster = repo().join("examples/adlga-2024.csv");
    let template = repo().join("templates/piagam");
    let register = out.with_extension("register.sqlite");
    let mut args = vec![
        "generate",
        "--roster",
        s(&roster),
        "--template",
        s(&template),
        "--key",
        s(key),
        "--out",
        s(out),
        "--register",
        s(&register),
    ];
    args.extend(extra);
    let result = run_piagam(&args);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    read_manifest(out)
}

fn verify_code(jwks: &Path, extra: &[&str], qr: &str) -> (Option<i32>, String) {
    let mut args = vec!["verify", "--trust", s(jwks)];
    args.extend(extra);
    args.push(qr);
    let out = run_piagam(&args);
    (out.status.code(), stdout_of(&out))
}

#[test]
fn openssl_reads_our_keys_and_we_use_openssl_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let ours = tmp.path().join("ours");
    keygen(&ours, "Penerbit A");
    let out = run_tool(
        "openssl",
        &[
            "pkey",
            "-in",
            s(&ours.join("issuer.key.pem")),
            "-noout",
            "-text",
        ],
    );
    assert!(out.status.success(), "openssl cannot read our key");
    assert!(
        stdout_of(&out).contains("ED25519 Private-Key"),
        "{}",
        stdout_of(&out)
    );

    // A key from openssl: write its JWKS with keygen --from-key, then generate.
    let theirs = tmp.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    let pem = theirs.join("issuer.key.pem");
    let out = run_tool(
        "openssl",
        &["genpkey", "-algorithm", "ed25519", "-out", s(&pem)],
    );
    assert!(out.status.success());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pem, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let out = run_piagam(&[
        "keygen",
        "--from-key",
        s(&pem),
        "--issuer",
        "Penerbit B",
        "--out",
        s(&theirs),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest = generate(&pem, &tmp.path().join("hasil"), &[]);
    let (code, report) = verify_code(&theirs.join("issuer.jwks.json"), &[], &manifest[0].qr_text);
    assert_eq!(code, Some(0), "{report}");
    assert!(report.contains("Penerbit B"));

    // The kid in our JWKS is the one openssl's public key gives.
    let der = run_tool(
        "openssl",
        &["pkey", "-in", s(&pem), "-pubout", "-outform", "DER"],
    );
    let raw = &der.stdout[der.stdout.len() - 32..];
    use sha2::Digest;
    let kid: String = sha2::Sha256::digest(raw)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let jwks: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(theirs.join("issuer.jwks.json")).unwrap())
            .unwrap();
    assert_eq!(jwks["keys"][0]["kid"], kid.as_str());

    // generate --issuer also works with no JWKS at all.
    let bare = tmp.path().join("bare");
    std::fs::create_dir(&bare).unwrap();
    std::fs::copy(&pem, bare.join("k.pem")).unwrap();
    let out_dir = tmp.path().join("hasil2");
    let manifest = generate(&bare.join("k.pem"), &out_dir, &["--issuer", "Penerbit C"]);
    let (code, report) = verify_code(&out_dir.join("issuer.jwks.json"), &[], &manifest[1].qr_text);
    assert_eq!(code, Some(0), "{report}");
    assert!(report.contains("Penerbit C"));
}

#[test]
fn rotation_keeps_old_documents_valid() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("kunci");
    keygen(&keys, "Penerbit Rotasi");
    let key = keys.join("issuer.key.pem");
    let before = generate(&key, &tmp.path().join("lama"), &[]);
    let old_key = std::fs::read_to_string(&key).unwrap();

    let out = run_piagam(&["keygen", "--rotate", "--out", s(&keys)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(std::fs::read_to_string(&key).unwrap(), old_key, "a new key");
    let retired: Vec<_> = std::fs::read_dir(keys.join("retired")).unwrap().collect();
    assert_eq!(retired.len(), 1);
    let retired = retired[0].as_ref().unwrap().path();
    assert_eq!(
        std::fs::read_to_string(&retired).unwrap(),
        old_key,
        "old key kept"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for p in [&key, &retired] {
            assert_eq!(
                std::fs::metadata(p).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }
    let jwks_path = keys.join("issuer.jwks.json");
    let jwks: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&jwks_path).unwrap()).unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    assert_eq!(jwks["issuer"], "Penerbit Rotasi");

    let after = generate(&key, &tmp.path().join("baru"), &[]);
    assert_ne!(before[0].qr_text, after[0].qr_text);
    for qr in [&before[0].qr_text, &after[0].qr_text] {
        let (code, report) = verify_code(&jwks_path, &[], qr);
        assert_eq!(code, Some(0), "{report}");
    }
}

#[test]
fn revoked_documents_are_reported_with_reason_and_list_date() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("kunci");
    keygen(&keys, "Penerbit Cabut");
    let key = keys.join("issuer.key.pem");
    let manifest = generate(&key, &tmp.path().join("hasil"), &[]);
    let list = tmp.path().join("pencabutan.cose");
    let out = run_piagam(&[
        "revoke",
        "--key",
        s(&key),
        "--list",
        s(&list),
        "--reason",
        "nama penerima salah cetak",
        "--date",
        "2024-09-02",
        &manifest[3].serial,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Revoking a second serial later extends the same signed list.
    let out = run_piagam(&[
        "revoke",
        "--key",
        s(&key),
        "--list",
        s(&list),
        "--reason",
        "ganda",
        "--date",
        "2024-09-05",
        &manifest[5].serial,
        &manifest[3].serial,
    ]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already revoked"));

    let jwks = keys.join("issuer.jwks.json");
    let rev = ["--revocations", s(&list)];
    let (code, report) = verify_code(&jwks, &rev, &manifest[3].qr_text);
    assert_eq!(code, Some(1), "{report}");
    assert!(report.starts_with("TIDAK SAH"), "{report}");
    assert!(report.contains("nama penerima salah cetak"), "{report}");
    assert!(report.contains("2024-09-05"), "the list's date: {report}");
    // The Indonesian report says it all in Indonesian.
    assert!(
        report.contains("segel telah dicabut pada 2024-09-02: nama penerima salah cetak (daftar pencabutan per 2024-09-05)"),
        "{report}"
    );
    assert!(!report.contains("revoked"), "{report}");
    let (_, english) = verify_code(
        &jwks,
        &["--revocations", s(&list), "--lang", "en"],
        &manifest[3].qr_text,
    );
    assert!(
        english.contains("the seal was revoked on 2024-09-02: nama penerima salah cetak (revocation list of 2024-09-05)"),
        "{english}"
    );
    // A missing list is named once, with the reason.
    let missing = tmp.path().join("nope.cose");
    let out = run_piagam(&[
        "verify",
        "--trust",
        s(&jwks),
        "--revocations",
        s(&missing),
        &manifest[0].qr_text,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("nope.cose").count(), 1, "{stderr}");
    let (code, json) = verify_code(
        &jwks,
        &["--revocations", s(&list), "--json"],
        &manifest[5].qr_text,
    );
    assert_eq!(code, Some(1));
    let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(v["code"], "revoked");
    assert_eq!(v["checks"]["revocation"], "fail");
    let (code, json) = verify_code(
        &jwks,
        &["--revocations", s(&list), "--json"],
        &manifest[0].qr_text,
    );
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(v["checks"]["revocation"], "pass");

    // A list altered after signing is refused outright.
    let mut bytes = std::fs::read(&list).unwrap();
    let n = bytes.len();
    bytes[n - 70] ^= 1;
    let forged = tmp.path().join("palsu.cose");
    std::fs::write(&forged, &bytes).unwrap();
    let (code, _) = verify_code(&jwks, &["--revocations", s(&forged)], &manifest[0].qr_text);
    assert_eq!(code, Some(2));
}

fn hostile_inputs(valid: &[String]) -> Vec<Vec<u8>> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut inputs = Vec::new();
    let (iterations, _) = fuzz_iterations(10_000);
    for i in 0..iterations {
        let base = valid[i % valid.len()].as_bytes();
        let hash = base.iter().position(|&b| b == b'#').unwrap() + 1;
        let mut v = base.to_vec();
        match i % 8 {
            // Random digits of random length.
            0 => {
                let len = rng.below(900);
                v = (0..len).map(|_| b'0' + rng.below(10) as u8).collect();
            }
            // Random bytes, any value but newline.
            1 => {
                let len = rng.below(300);
                v = (0..len)
                    .map(|_| (rng.next() as u8).max(1))
                    .filter(|&b| b != b'\n')
                    .collect();
            }
            // Change one to four digits.
            2 => {
                for _ in 0..1 + rng.below(4) {
                    let at = hash + rng.below(v.len() - hash);
                    v[at] = b'0' + rng.below(10) as u8;
                }
            }
            // Truncate.
            3 => v.truncate(hash + rng.below(v.len() - hash)),
            // Insert or delete a digit.
            4 => {
                let at = hash + rng.below(v.len() - hash);
                if rng.below(2) == 0 {
                    v.insert(at, b'0' + rng.below(10) as u8);
                } else {
                    v.remove(at);
                }
            }
            // Flip a byte of the COSE bytes, re-encoded as digits.
            5 => {
                let text = String::from_utf8(v.clone()).unwrap();
                let mut bytes = piagam::seal::qrtext::decode_digits(&text[hash..]).unwrap();
                let at = rng.below(bytes.len());
                bytes[at] ^= 1 << rng.below(8);
                v = format!(
                    "{}{}",
                    &text[..hash],
                    piagam::seal::qrtext::encode_digits(&bytes)
                )
                .into_bytes();
            }
            // Random CBOR-ish bytes with a COSE tag in front, as digits.
            6 => {
                let mut bytes = vec![0xd2, 0x84];
                let len = rng.below(250);
                bytes.extend((0..len).map(|_| rng.next() as u8));
                v = piagam::seal::qrtext::encode_digits(&bytes).into_bytes();
            }
            // Unicode noise and huge inputs.
            _ => {
                let pick = ["#", "ễ", "\u{202E}", "\u{0}", "١٢٣", "9", "##", " "];
                let len = rng.below(40);
                v = (0..len)
                    .flat_map(|_| pick[rng.below(pick.len())].bytes())
                    .collect();
                if rng.below(50) == 0 {
                    v = vec![b'7'; 20_000];
                }
            }
        }
        if !v.is_empty() && v != base {
            inputs.push(v);
        }
    }
    inputs
}

#[test]
fn ten_thousand_hostile_inputs_never_panic_and_never_verify() {
    let started = std::time::Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    assert!(run_piagam(&["demo", "--out", s(&dir)]).status.success());
    let valid: Vec<String> = read_manifest(&dir).into_iter().map(|m| m.qr_text).collect();
    let inputs = hostile_inputs(&valid);
    let (iterations, timed) = fuzz_iterations(10_000);
    assert!(inputs.len() >= iterations * 95 / 100, "{}", inputs.len());

    // In the library: no panic, nothing valid.
    let trust = piagam::keystore::trust_from_json(
        &std::fs::read_to_string(dir.join("issuer.jwks.json")).unwrap(),
    )
    .unwrap();
    let options = piagam::seal::VerifyOptions::default();
    for input in &inputs {
        let text = String::from_utf8_lossy(input);
        let report = piagam::seal::verify_qr_text(&text, &trust, &options);
        assert!(!report.is_valid(), "verified: {text}");
    }

    // Through the binary, all at once on stdin.
    let mut stdin = Vec::new();
    for input in &inputs {
        stdin.extend_from_slice(input);
        stdin.push(b'\n');
    }
    let out = run_piagam_with_stdin(
        &[
            "verify",
            "--json",
            "--trust",
            s(&dir.join("issuer.jwks.json")),
            "-",
        ],
        &String::from_utf8_lossy(&stdin),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let reports: Vec<serde_json::Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        reports.len() >= inputs.len() - 50,
        "{} reports for {} inputs",
        reports.len(),
        inputs.len()
    );
    assert!(reports
        .iter()
        .all(|r| r["valid"] == false && r["code"].is_string()));
    assert!(
        !timed || started.elapsed() < std::time::Duration::from_secs(120),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn every_flipped_byte_of_a_printed_seal_makes_verify_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    assert!(run_piagam(&["demo", "--out", s(&dir)]).status.success());
    let qr = read_manifest(&dir)[7].qr_text.clone();
    let hash = qr.find('#').unwrap() + 1;
    let bytes = piagam::seal::qrtext::decode_digits(&qr[hash..]).unwrap();
    let mut stdin = String::new();
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x01;
        stdin.push_str(&qr[..hash]);
        stdin.push_str(&piagam::seal::qrtext::encode_digits(&b));
        stdin.push('\n');
    }
    let out = run_piagam_with_stdin(
        &[
            "verify",
            "--json",
            "--trust",
            s(&dir.join("issuer.jwks.json")),
            "-",
        ],
        &stdin,
    );
    assert_eq!(out.status.code(), Some(1));
    let reports: Vec<serde_json::Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports.len(), bytes.len());
    for (i, r) in reports.iter().enumerate() {
        assert_eq!(r["valid"], false, "byte {i} flipped still verifies");
    }
    // And each one alone, through the plain report, exits 1 too.
    for line in stdin.lines().step_by(41) {
        assert_eq!(
            run_piagam(&["verify", "--trust", s(&dir.join("issuer.jwks.json")), line])
                .status
                .code(),
            Some(1)
        );
    }
}
