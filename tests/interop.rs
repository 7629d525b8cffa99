//! A verifier written in another language (Python, from docs/FORMAT.md)
//! agrees with piagam: on the demo's seals, on changed ones, and on every
//! shared test vector in crates/piagam-seal/vectors.

mod common;

use common::*;

fn python(args: &[&str]) -> (bool, serde_json::Value) {
    let script = repo().join("tests/interop/verify_seal.py");
    let probe = run_tool("python3", &["-c", "import cryptography"]);
    assert!(
        probe.status.success(),
        "the Python package 'cryptography' is missing: pip install cryptography (or run bash .ci/run)"
    );
    let mut all = vec![script.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = run_tool("python3", &all);
    let text = stdout_of(&out);
    let json = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("python printed no JSON ({e}): {text}"));
    (out.status.success(), json)
}

#[test]
fn an_independent_python_verifier_agrees_on_the_demo() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    assert!(run_piagam(&["demo", "--out", dir.to_str().unwrap()])
        .status
        .success());
    let jwks = dir.join("issuer.jwks.json");
    let rows = read_manifest(&dir);
    assert_eq!(rows.len(), 20);
    for row in rows {
        let (ok, v) = python(&[jwks.to_str().unwrap(), &row.qr_text]);
        assert!(ok, "python rejected {}: {v}", row.serial);
        assert_eq!(v["claims"]["recipient"], row.recipient.as_str());
        assert_eq!(v["claims"]["serial"], row.serial.as_str());
        assert_eq!(v["claims"]["kind"], "piagam");
        // Claim 8 is shown too: every demo charter prints its category.
        let category = v["claims"]["extra"]["category"].as_str().unwrap();
        assert!(["Provinsi", "Kabupaten", "Kota"].contains(&category), "{v}");

        let mut bytes = row.qr_text.clone().into_bytes();
        let last = bytes.len() - 20;
        bytes[last] = if bytes[last] == b'0' { b'1' } else { b'0' };
        let (ok, v) = python(&[jwks.to_str().unwrap(), &String::from_utf8(bytes).unwrap()]);
        assert!(!ok, "python accepted a changed seal");
        assert_eq!(v["claims"], serde_json::Value::Null);
    }
}

#[test]
fn an_independent_python_verifier_agrees_on_every_vector() {
    let mut count = 0;
    for entry in std::fs::read_dir(repo().join("crates/piagam-seal/vectors")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let expected = &doc["expected"];
        let (ok, v) = python(&["--vector", path.to_str().unwrap()]);
        let name = path.display();
        assert_eq!(ok, expected["valid"].as_bool().unwrap(), "{name}: {v}");
        assert_eq!(v["valid"], expected["valid"], "{name}: {v}");
        assert_eq!(v["code"], expected["code"], "{name}: {v}");
        assert_eq!(v["claims"], expected["claims"], "{name}: {v}");
        count += 1;
    }
    assert!(count >= 35, "only {count} vectors");
}
