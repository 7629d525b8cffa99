//! A verifier written in another language (Python, from docs/FORMAT.md)
//! accepts piagam's seals and rejects a changed one.

mod common;

use common::*;

fn python_verify(jwks: &std::path::Path, qr_text: &str) -> (bool, String) {
    let script = repo().join("tests/interop/verify_seal.py");
    let probe = run_tool("python3", &["-c", "import cryptography"]);
    assert!(
        probe.status.success(),
        "the Python package 'cryptography' is missing: pip install cryptography (or run bash .ci/run)"
    );
    let out = run_tool(
        "python3",
        &[script.to_str().unwrap(), jwks.to_str().unwrap(), qr_text],
    );
    (out.status.success(), stdout_of(&out))
}

#[test]
fn an_independent_python_verifier_agrees() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    assert!(run_piagam(&["demo", "--out", dir.to_str().unwrap()])
        .status
        .success());
    let jwks = dir.join("issuer.jwks.json");
    for row in read_manifest(&dir) {
        let (ok, out) = python_verify(&jwks, &row.qr_text);
        assert!(ok, "python rejected {}: {out}", row.serial);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["claims"]["recipient"], row.recipient.as_str());
        assert_eq!(v["claims"]["serial"], row.serial.as_str());
        assert_eq!(v["claims"]["kind"], "piagam");

        let mut bytes = row.qr_text.clone().into_bytes();
        let last = bytes.len() - 20;
        bytes[last] = if bytes[last] == b'0' { b'1' } else { b'0' };
        let (ok, _) = python_verify(&jwks, &String::from_utf8(bytes).unwrap());
        assert!(!ok, "python accepted a changed seal");
    }
}
