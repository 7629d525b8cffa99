//! The seal's signature check against RFC 8032's examples and Project
//! Wycheproof's EdDSA cases in vectors/ed25519/: the same files the
//! JavaScript verifier passes (js/test/ed25519.test.js), so that the page
//! and piagam accept exactly the same signatures.

use std::path::PathBuf;

use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use serde_json::Value;

fn vectors(name: &str) -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("vectors/ed25519")
        .join(name);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    doc["cases"].as_array().unwrap().clone()
}

fn bytes(value: &Value) -> Vec<u8> {
    let hex = value.as_str().unwrap();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

/// What the seal accepts: a well-formed key that is not of small order,
/// and a strict signature (canonical S, R not of small order).
fn accepted(pk: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    let (Ok(pk), Ok(sig)) = (<[u8; 32]>::try_from(pk), <[u8; 64]>::try_from(sig)) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(&pk) else {
        return false;
    };
    !key.is_weak() && key.verify_strict(msg, &Signature::from_bytes(&sig)).is_ok()
}

#[test]
fn rfc8032_examples_sign_and_verify() {
    let cases = vectors("rfc8032.json");
    assert_eq!(cases.len(), 3);
    for c in &cases {
        let seed: [u8; 32] = bytes(&c["secret"]).try_into().unwrap();
        let key = SigningKey::from_bytes(&seed);
        assert_eq!(key.verifying_key().as_bytes().to_vec(), bytes(&c["pk"]));
        let msg = bytes(&c["msg"]);
        let signed = piagam_seal::IssuerKey::from_seed(&seed);
        assert_eq!(signed.verifying_key(), key.verifying_key());
        use ed25519_dalek::Signer;
        assert_eq!(key.sign(&msg).to_bytes().to_vec(), bytes(&c["sig"]));
        assert!(accepted(&bytes(&c["pk"]), &msg, &bytes(&c["sig"])));
    }
}

#[test]
fn wycheproof_cases_give_wycheproofs_result() {
    let cases = vectors("wycheproof.json");
    assert!(cases.len() >= 150);
    for c in &cases {
        let got = accepted(&bytes(&c["pk"]), &bytes(&c["msg"]), &bytes(&c["sig"]));
        assert_eq!(
            got,
            c["result"] == "valid",
            "tcId {} ({})",
            c["tcId"],
            c["comment"]
        );
    }
}
