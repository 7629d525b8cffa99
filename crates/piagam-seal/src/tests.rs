//! Round trips and the pinned RFC 8032 test-1 example from docs/FORMAT.md.

use std::collections::BTreeMap;

use super::*;
use crate::date::Date;

/// RFC 8032 §7.1, TEST 1 secret key.
pub(crate) const RFC8032_TEST1_SEED: [u8; 32] = [
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
];

pub(crate) fn example_claims() -> Claims {
    let mut extra = BTreeMap::new();
    extra.insert("category".to_string(), "Kota".to_string());
    Claims {
        serial: "001/ADLGA/VIII/2024".into(),
        kind: "piagam".into(),
        recipient: "Pemerintah Kota Semarang".into(),
        achievement: "Juara Pertama".into(),
        event: "Anugerah Digital Government 2024".into(),
        date: "2024-08-01".parse().unwrap(),
        place: Some("Jakarta".into()),
        extra,
        valid_until: None,
        labels: Default::default(),
        shown: Default::default(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn trust_for(key: &IssuerKey) -> Trust {
    Trust::from_jwks(&Jwks {
        issuer: "Contoh Penerbit".into(),
        verify_url: None,
        keys: vec![Jwk::from_key(&key.verifying_key())],
    })
    .unwrap()
}

fn options() -> VerifyOptions {
    VerifyOptions {
        today: Date::new(2025, 1, 1).unwrap(),
        expected_url: None,
        revocations: None,
    }
}

#[test]
fn rfc8032_test1_key_has_the_documented_kid() {
    let key = IssuerKey::from_seed(&RFC8032_TEST1_SEED);
    assert_eq!(
        hex(key.verifying_key().as_bytes()),
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    );
    assert_eq!(keys::kid_hex(&key.kid()), EXAMPLE_KID);
}

const EXAMPLE_KID: &str = "21fe31dfa154a261";
const EXAMPLE_COSE_HEX: &str = concat!(
    "d2844da20127044821fe31dfa154a261a05890a801733030312f41444c47412f564949492f32303234026670",
    "696167616d03781850656d6572696e746168204b6f74612053656d6172616e67046d4a756172612050657274",
    "616d61057820416e756765726168204469676974616c20476f7665726e6d656e742032303234066a32303234",
    "2d30382d303107674a616b6172746108a16863617465676f7279644b6f746158405a8b5ea69435e950ea6b98",
    "0ce1d08d37d5d290b69b586776b3d2e2cb5c253fdeb995a6c4ebf9e7302cf8b2d3cc0e90822ced1945f8922b",
    "eaff94f16a527a7d01",
);

#[test]
fn rfc8032_test1_seal_is_pinned_to_exact_bytes() {
    let key = IssuerKey::from_seed(&RFC8032_TEST1_SEED);
    let cose = sign(&example_claims(), &key);
    assert_eq!(hex(&cose), EXAMPLE_COSE_HEX);
}

#[test]
fn a_signed_seal_verifies_and_shows_its_claims() {
    let key = IssuerKey::from_seed(&RFC8032_TEST1_SEED);
    let cose = sign(&example_claims(), &key);
    let text = qrtext::qr_text(Some("https://verify.example/v"), &cose);
    let report = verify_qr_text(&text, &trust_for(&key), &options());
    assert!(report.is_valid(), "{:?}", report.status);
    assert_eq!(report.claims, Some(example_claims()));
    assert_eq!(report.issuer.as_deref(), Some("Contoh Penerbit"));
}

#[test]
fn every_flipped_byte_is_refused() {
    let key = IssuerKey::from_seed(&RFC8032_TEST1_SEED);
    let cose = sign(&example_claims(), &key);
    let trust = trust_for(&key);
    for i in 0..cose.len() {
        for bit in [0x01u8, 0x80] {
            let mut bad = cose.clone();
            bad[i] ^= bit;
            let report = verify_qr_text(&qrtext::qr_text(None, &bad), &trust, &options());
            assert!(!report.is_valid(), "byte {i} bit {bit:#x} still verifies");
            assert!(report.claims.is_none() || report.checks.signature == report::Check::Passed);
        }
    }
}

#[test]
fn a_different_key_is_refused() {
    let key = IssuerKey::from_seed(&RFC8032_TEST1_SEED);
    let other = IssuerKey::from_seed(&[7u8; 32]);
    let cose = sign(&example_claims(), &key);
    let report = verify_qr_text(
        &qrtext::qr_text(None, &cose),
        &trust_for(&other),
        &options(),
    );
    assert!(matches!(
        report.status,
        Status::Invalid(VerifyError::UnknownKid(_))
    ));
}

#[test]
fn pem_round_trip() {
    let key = IssuerKey::from_seed(&RFC8032_TEST1_SEED);
    let pem = key.to_pkcs8_pem();
    // Byte for byte what `openssl pkey` writes for this key (PKCS#8 v1).
    assert_eq!(
        pem,
        "-----BEGIN PRIVATE KEY-----\n\
         MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n\
         -----END PRIVATE KEY-----\n"
    );
    let back = IssuerKey::from_pkcs8_pem(&pem).unwrap();
    assert_eq!(back.kid(), key.kid());
}

#[test]
fn docs_format_md_shows_the_pinned_example() {
    let doc: String = include_str!("../../../docs/FORMAT.md")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let key = IssuerKey::from_seed(&RFC8032_TEST1_SEED);
    let cose = sign(&example_claims(), &key);
    assert!(
        doc.contains(EXAMPLE_COSE_HEX),
        "FORMAT.md lacks the COSE hex"
    );
    assert!(
        doc.contains(&qrtext::encode_digits(&cose)),
        "FORMAT.md lacks the digits"
    );
    assert!(doc.contains(&format!("kid{EXAMPLE_KID}")));
}
