//! Seal test vectors in vectors/, in the spirit of the EU DCC's
//! dgc-testdata: each file holds a trust bundle, a QR text, the date of
//! checking, an optional revocation list, and the expected result.
//!
//! The test builds every vector in memory, checks that the stored files are
//! exactly those (so code and vectors cannot drift apart), then verifies each
//! stored file. `PIAGAM_WRITE_VECTORS=1 cargo test -p piagam-seal --test seal_vectors`
//! rewrites the files after an intended change.

use std::collections::BTreeMap;
use std::path::PathBuf;

use piagam_seal::cbor::{self, Value};
use piagam_seal::Date;
use piagam_seal::{
    cose, keys, qrtext, verify_qr_text, Claims, IssuerKey, Jwk, Jwks, RevocationList, Status,
    Trust, VerifyError, VerifyOptions,
};
use serde_json::{json, Value as Json};

const URL: &str = "https://verify.example/v";

const RFC8032_TEST1_SEED: [u8; 32] = [
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
];

fn k1() -> IssuerKey {
    IssuerKey::from_seed(&RFC8032_TEST1_SEED)
}
fn k2() -> IssuerKey {
    IssuerKey::from_seed(&[2; 32])
}
fn k3() -> IssuerKey {
    IssuerKey::from_seed(&[3; 32])
}

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn claims() -> Claims {
    let mut extra = BTreeMap::new();
    extra.insert("category".to_string(), "Kota".to_string());
    Claims {
        serial: "001/ADLGA/VIII/2024".into(),
        kind: "piagam".into(),
        recipient: "Pemerintah Kota Semarang".into(),
        achievement: "Juara Pertama".into(),
        event: "Anugerah Digital Government 2024".into(),
        date: date("2024-08-01"),
        place: Some("Jakarta".into()),
        extra,
        valid_until: None,
        labels: Default::default(),
        shown: Default::default(),
    }
}

fn jwk(key: &IssuerKey) -> Jwk {
    Jwk::from_key(&key.verifying_key())
}

fn jwks(keys: Vec<Jwk>) -> Jwks {
    Jwks {
        issuer: "Penerbit Contoh".into(),
        verify_url: Some(URL.into()),
        keys,
    }
}

fn protected(alg: Option<i64>, kid: Option<&[u8]>, extra: Vec<(Value, Value)>) -> Vec<u8> {
    let mut m = Vec::new();
    if let Some(a) = alg {
        m.push((Value::int(1), Value::int(a)));
    }
    if let Some(k) = kid {
        m.push((Value::int(4), Value::Bytes(k.to_vec())));
    }
    m.extend(extra);
    cbor::encode(&Value::Map(m))
}

fn payload(c: &Claims) -> Vec<u8> {
    cbor::encode(&c.to_cbor())
}

fn seal(c: &Claims, key: &IssuerKey) -> Vec<u8> {
    piagam_seal::sign(c, key)
}

/// The four COSE parts of a seal, to rebuild altered ones.
fn parts(cose_bytes: &[u8]) -> Vec<Value> {
    match cbor::decode(cose_bytes).unwrap() {
        Value::Tag(18, inner) => match *inner {
            Value::Array(p) => p,
            _ => unreachable!(),
        },
        _ => unreachable!(),
    }
}

fn tagged(parts: Vec<Value>, tag: Option<u64>) -> Vec<u8> {
    let array = Value::Array(parts);
    cbor::encode(&match tag {
        Some(t) => Value::Tag(t, Box::new(array)),
        None => array,
    })
}

fn text(cose_bytes: &[u8]) -> String {
    qrtext::qr_text(Some(URL), cose_bytes)
}

struct Vector {
    name: &'static str,
    description: &'static str,
    jwks: Json,
    qr_text: String,
    today: &'static str,
    revocations: Option<Vec<u8>>,
    valid: bool,
    code: Option<&'static str>,
    /// For a superseded seal: the serial a verifier says replaced it.
    replaced_by: Option<&'static str>,
}

fn claims_json(c: &Claims) -> Json {
    let mut json = json!({
        "serial": c.serial, "kind": c.kind, "recipient": c.recipient,
        "achievement": c.achievement, "event": c.event, "date": c.date.to_string(),
        "place": c.place, "extra": c.extra,
        "valid_until": c.valid_until.map(|d| d.to_string()),
    });
    // Labels and printed forms appear only where the seal holds them.
    for (name, map) in [("labels", &c.labels), ("shown", &c.shown)] {
        if !map.is_empty() {
            json[name] = json!(map);
        }
    }
    json
}

/// A trust file's keys, read as a verifier reads them: JSON that is not a
/// JWKS is an unusable trust file.
fn trust_of(json: &str) -> Result<Trust, VerifyError> {
    let jwks: Jwks =
        serde_json::from_str(json).map_err(|e| VerifyError::BadTrust(e.to_string()))?;
    Trust::from_jwks(&jwks)
}

fn j(jwks: &Jwks) -> Json {
    serde_json::to_value(jwks).unwrap()
}

fn valid(name: &'static str, description: &'static str, jwks: Json, qr_text: String) -> Vector {
    Vector {
        name,
        description,
        jwks,
        qr_text,
        today: "2025-01-15",
        revocations: None,
        valid: true,
        code: None,
        replaced_by: None,
    }
}

fn invalid(
    name: &'static str,
    description: &'static str,
    jwks: Json,
    qr_text: String,
    code: &'static str,
) -> Vector {
    Vector {
        name,
        description,
        jwks,
        qr_text,
        today: "2025-01-15",
        revocations: None,
        valid: false,
        code: Some(code),
        replaced_by: None,
    }
}

fn build_vectors() -> Vec<Vector> {
    let base = claims();
    let good = seal(&base, &k1());
    let trust1 = j(&jwks(vec![jwk(&k1())]));
    let mut v = Vec::new();

    v.push(valid(
        "valid-basic",
        "A seal by the RFC 8032 test-1 key with the issuer's verify URL.",
        trust1.clone(),
        text(&good),
    ));
    v.push(valid(
        "valid-digits-only",
        "The same seal without a URL: the digits alone.",
        trust1.clone(),
        qrtext::encode_digits(&good),
    ));
    {
        // A roster column the template labels and prints as an ordinal.
        let mut labelled = base.clone();
        labelled.extra.insert("peringkat".into(), "2".into());
        labelled
            .labels
            .insert("peringkat".into(), "Peringkat".into());
        labelled.shown.insert("peringkat".into(), "Kedua".into());
        v.push(valid(
            "valid-labels",
            "Claim 10 gives the template's label of an extra field, claim 11 the field as printed.",
            trust1.clone(),
            text(&seal(&labelled, &k1())),
        ));
        let mut stray = base.clone();
        stray.labels.insert("instansi".into(), "Instansi".into());
        v.push(invalid(
            "invalid-label-unsigned",
            "Claim 10 labels a field that claim 8 does not hold.",
            trust1.clone(),
            text(&seal(&stray, &k1())),
            "bad-claims",
        ));
        let mut stray = base.clone();
        stray.shown.insert("peringkat".into(), "Kedua".into());
        v.push(invalid(
            "invalid-shown-unsigned",
            "Claim 11 gives a printed form of a field that claim 8 does not hold.",
            trust1.clone(),
            text(&seal(&stray, &k1())),
            "bad-claims",
        ));
    }
    {
        let mut c = base.clone();
        c.valid_until = Some(date("2029-12-31"));
        c.extra.insert("provinsi".into(), "Jawa Tengah".into());
        v.push(valid(
            "valid-optional-claims",
            "Claims 8 (two extra fields) and 9 (valid until, in the future).",
            trust1.clone(),
            text(&seal(&c, &k1())),
        ));
    }
    {
        // Keys that mean something to JavaScript objects are plain keys: a
        // verifier that drops one shows less than was signed.
        let mut c = base.clone();
        c.extra.insert("__proto__".into(), "Jawa Tengah".into());
        c.extra.insert("constructor".into(), "Semarang".into());
        v.push(valid(
            "valid-extra-keys-named-like-object-internals",
            "Extra claims named __proto__ and constructor are shown like any other.",
            trust1.clone(),
            text(&seal(&c, &k1())),
        ));
    }
    {
        let mut old = jwk(&k1());
        old.exp = Some("2024-12-31".into());
        let mut new = jwk(&k2());
        new.nbf = Some("2025-01-01".into());
        let rotated = j(&jwks(vec![old, new]));
        let mut c = base.clone();
        c.date = date("2025-01-10");
        c.serial = "101/ADLGA/I/2025".into();
        v.push(valid(
            "valid-rotated-new-key",
            "After rotation: a seal by the new key, inside its window.",
            rotated.clone(),
            text(&seal(&c, &k2())),
        ));
        v.push(valid(
            "valid-rotated-old-key",
            "After rotation: an old seal by the retired key still verifies.",
            rotated.clone(),
            text(&good),
        ));
        v.push(invalid(
            "invalid-key-window",
            "The retired key signed a seal dated after its exp.",
            rotated,
            text(&seal(&c, &k1())),
            "key-not-valid-on-date",
        ));
    }
    {
        // What really happens with kids: a trust file whose entry states a
        // kid that is not its key's (a hand edit, a copy-paste), and a forger
        // who copies the issuer's kid into a seal signed with another key.
        let mut doctored = jwk(&k3());
        doctored.kid = keys::kid_hex(&k1().kid());
        v.push(invalid(
            "invalid-kid-mismatch",
            "The trust file states a kid that is not its key's own; the whole file is refused.",
            j(&jwks(vec![doctored, jwk(&k1())])),
            text(&good),
            "bad-trust",
        ));
        let forged = cbor::encode(&cose::sign_parts(
            protected(Some(-8), Some(&k1().kid()), vec![]),
            Value::Map(vec![]),
            &payload(&base),
            &k3(),
        ));
        v.push(invalid(
            "invalid-kid-wrong-key",
            "Signed by another key, under the issuer's kid: the issuer's key does not verify it.",
            trust1.clone(),
            text(&forged),
            "bad-signature",
        ));
        v.push(valid(
            "valid-key-listed-twice",
            "The same key listed twice (e.g. a JWKS merged by hand) still verifies.",
            j(&jwks(vec![jwk(&k1()), jwk(&k1())])),
            text(&good),
        ));
    }
    {
        let mut list = RevocationList::new(date("2025-01-10"));
        list.revoke("999/ADLGA/VIII/2024", "contoh", date("2025-01-10"));
        let mut vec_ok = valid(
            "valid-not-revoked",
            "A revocation list is given and does not list this serial.",
            trust1.clone(),
            text(&good),
        );
        vec_ok.revocations = Some(list.sign(&k1()));
        v.push(vec_ok);
        list.revoke(
            &base.serial,
            "nama penerima salah cetak",
            date("2025-01-10"),
        );
        let mut vec_bad = invalid(
            "invalid-revoked",
            "The issuer's revocation list lists this serial.",
            trust1.clone(),
            text(&good),
            "revoked",
        );
        vec_bad.revocations = Some(list.sign(&k1()));
        v.push(vec_bad);
        // A corrected document replaced this one: the list says by which.
        let mut list = RevocationList::new(date("2025-01-12"));
        list.revoke(
            &base.serial,
            "superseded by 021/ADLGA/VIII/2024",
            date("2025-01-12"),
        );
        let mut replaced = invalid(
            "invalid-superseded",
            "The revocation list withdraws this serial as superseded by a corrected document; a verifier says which replaced it.",
            trust1.clone(),
            text(&good),
            "revoked",
        );
        replaced.revocations = Some(list.sign(&k1()));
        replaced.replaced_by = Some("021/ADLGA/VIII/2024");
        v.push(replaced);
    }

    // The QR text.
    v.push(invalid(
        "invalid-empty",
        "Nothing after '#'.",
        trust1.clone(),
        format!("{URL}#"),
        "empty",
    ));
    v.push(invalid(
        "invalid-wrong-url",
        "The address before '#' is not the issuer's.",
        trust1.clone(),
        qrtext::qr_text(Some("https://verify.example.net/v"), &good),
        "wrong-prefix",
    ));
    {
        let mut t = text(&good).into_bytes();
        let i = URL.len() + 10;
        t[i] = b'x';
        v.push(invalid(
            "invalid-non-digit",
            "A letter among the digits.",
            trust1.clone(),
            String::from_utf8(t).unwrap(),
            "not-digits",
        ));
    }
    {
        let mut t = text(&good);
        t.pop();
        v.push(invalid(
            "invalid-digit-count",
            "One digit missing: no byte count gives this many digits.",
            trust1.clone(),
            t,
            "digit-count",
        ));
    }
    {
        let t = text(&good);
        let (head, digits) = t.split_at(URL.len() + 1);
        let t = format!("{head}99999999999999999{}", &digits[17..]);
        v.push(invalid(
            "invalid-digit-group",
            "A 17-digit group above 2^56 - 1.",
            trust1.clone(),
            t,
            "digit-group",
        ));
    }
    v.push(invalid(
        "invalid-too-large",
        "Longer than any QR code holds.",
        trust1.clone(),
        format!("{URL}#{}", "0".repeat(9000)),
        "too-large",
    ));

    // The CBOR and COSE structure.
    v.push(invalid(
        "invalid-truncated",
        "The COSE bytes cut short.",
        trust1.clone(),
        text(&good[..good.len() - 10]),
        "bad-cbor",
    ));
    {
        let mut b = good.clone();
        b.push(0);
        v.push(invalid(
            "invalid-trailing-bytes",
            "A byte after the COSE_Sign1.",
            trust1.clone(),
            text(&b),
            "bad-cbor",
        ));
    }
    v.push(invalid(
        "invalid-untagged",
        "The COSE_Sign1 array without tag 18.",
        trust1.clone(),
        text(&tagged(parts(&good), None)),
        "not-cose-sign1",
    ));
    v.push(invalid(
        "invalid-wrong-tag",
        "Tag 98 (COSE_Sign) instead of 18.",
        trust1.clone(),
        text(&tagged(parts(&good), Some(98))),
        "not-cose-sign1",
    ));
    {
        let kid = k1().kid();
        let p = protected(Some(-7), Some(&kid), vec![]);
        let b = cbor::encode(&cose::sign_parts(
            p,
            Value::Map(vec![]),
            &payload(&base),
            &k1(),
        ));
        v.push(invalid(
            "invalid-wrong-alg",
            "The protected header names ES256 (-7).",
            trust1.clone(),
            text(&b),
            "wrong-alg",
        ));
        let p = protected(Some(-8), None, vec![]);
        let b = cbor::encode(&cose::sign_parts(
            p,
            Value::Map(vec![]),
            &payload(&base),
            &k1(),
        ));
        v.push(invalid(
            "invalid-missing-kid",
            "The protected header has no kid.",
            trust1.clone(),
            text(&b),
            "missing-kid",
        ));
        let p = protected(
            Some(-8),
            Some(&kid),
            vec![(Value::int(2), Value::Array(vec![Value::int(99)]))],
        );
        let b = cbor::encode(&cose::sign_parts(
            p,
            Value::Map(vec![]),
            &payload(&base),
            &k1(),
        ));
        v.push(invalid(
            "invalid-critical-header",
            "A crit (2) header naming an unknown label.",
            trust1.clone(),
            text(&b),
            "unknown-header",
        ));
        let p = protected(Some(-8), Some(&kid), vec![]);
        let u = Value::Map(vec![(Value::int(4), Value::Bytes(kid.to_vec()))]);
        let b = cbor::encode(&cose::sign_parts(p, u, &payload(&base), &k1()));
        v.push(invalid(
            "invalid-unprotected-header",
            "The unprotected header is not empty.",
            trust1.clone(),
            text(&b),
            "unprotected-header",
        ));
    }
    v.push(invalid(
        "invalid-unknown-kid",
        "Signed by a key the trust bundle does not hold.",
        trust1.clone(),
        text(&seal(&base, &k3())),
        "unknown-kid",
    ));

    // The signature.
    {
        let mut p = parts(&good);
        let mut c = base.clone();
        c.recipient = "Pemerintah Kota Semarang Barat".into();
        p[2] = Value::Bytes(payload(&c));
        v.push(invalid(
            "invalid-tampered-claim",
            "The recipient changed after signing.",
            trust1.clone(),
            text(&tagged(p, Some(18))),
            "bad-signature",
        ));
    }
    {
        let mut p = parts(&good);
        if let Value::Bytes(s) = &mut p[3] {
            s[10] ^= 0x01;
        }
        v.push(invalid(
            "invalid-tampered-signature",
            "One bit of R flipped.",
            trust1.clone(),
            text(&tagged(p, Some(18))),
            "bad-signature",
        ));
    }
    {
        // S + L is the same point equation but a second encoding: malleability.
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut p = parts(&good);
        if let Value::Bytes(s) = &mut p[3] {
            let mut carry = 0u16;
            for i in 0..32 {
                let sum = u16::from(s[32 + i]) + u16::from(L[i]) + carry;
                s[32 + i] = sum as u8;
                carry = sum >> 8;
            }
        }
        v.push(invalid(
            "invalid-non-canonical-s",
            "S replaced by S + L (not reduced mod L).",
            trust1.clone(),
            text(&tagged(p, Some(18))),
            "non-canonical-signature",
        ));
    }
    {
        // The identity point as public key: R = identity, S = 0 "verifies"
        // any message under lax rules. Such a key must not be trusted.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let weak = Jwk {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x: base64_url(&identity),
            kid: hex(&sha256_8(&identity)),
            alg: Some("EdDSA".into()),
            use_: Some("sig".into()),
            nbf: None,
            exp: None,
        };
        let p = protected(Some(-8), Some(&sha256_8(&identity)), vec![]);
        let mut sig = vec![0u8; 64];
        sig[0] = 1;
        let b = tagged(
            vec![
                Value::Bytes(p),
                Value::Map(vec![]),
                Value::Bytes(payload(&base)),
                Value::Bytes(sig),
            ],
            Some(18),
        );
        v.push(invalid(
            "invalid-small-order-key",
            "The trust bundle holds a small-order public key.",
            j(&jwks(vec![weak])),
            text(&b),
            "bad-trust",
        ));
    }

    // The claims (validly signed, but unacceptable).
    {
        let kid = k1().kid();
        let sign_payload = |payload: Vec<u8>| {
            let p = protected(Some(-8), Some(&kid), vec![]);
            cbor::encode(&cose::sign_parts(p, Value::Map(vec![]), &payload, &k1()))
        };
        // Keys 2 then 1: well-formed CBOR, but not in deterministic order.
        let mut unsorted = vec![0xa6];
        for (k, val) in [
            (2, "piagam"),
            (1, "001/X"),
            (3, "Kota A"),
            (4, "Juara"),
            (5, "Acara"),
            (6, "2024-08-01"),
        ] {
            unsorted.push(k);
            unsorted.extend(cbor::encode(&Value::Text(val.into())));
        }
        v.push(invalid(
            "invalid-non-deterministic-claims",
            "The claim map's keys are out of order.",
            trust1.clone(),
            text(&sign_payload(unsorted)),
            "bad-claims",
        ));
        let mut m = match base.to_cbor() {
            Value::Map(m) => m,
            _ => unreachable!(),
        };
        m.push((Value::int(12), Value::Text("tidak dikenal".into())));
        v.push(invalid(
            "invalid-unknown-claim",
            "Claim key 12 is not defined.",
            trust1.clone(),
            text(&sign_payload(cbor::encode(&Value::Map(m)))),
            "bad-claims",
        ));
        let m: Vec<_> = match base.to_cbor() {
            Value::Map(m) => m,
            _ => unreachable!(),
        }
        .into_iter()
        .filter(|(k, _)| k.as_i64() != Some(3))
        .collect();
        v.push(invalid(
            "invalid-missing-recipient",
            "Claim 3 (recipient) is missing.",
            trust1.clone(),
            text(&sign_payload(cbor::encode(&Value::Map(m)))),
            "bad-claims",
        ));
        let mut m = match base.to_cbor() {
            Value::Map(m) => m,
            _ => unreachable!(),
        };
        for (k, val) in m.iter_mut() {
            if k.as_i64() == Some(6) {
                *val = Value::Text("01/08/2024".into());
            }
        }
        v.push(invalid(
            "invalid-date-format",
            "Claim 6 is not YYYY-MM-DD.",
            trust1.clone(),
            text(&sign_payload(cbor::encode(&Value::Map(m)))),
            "bad-claims",
        ));
    }
    {
        let mut c = base.clone();
        c.valid_until = Some(date("2024-12-31"));
        v.push(invalid(
            "invalid-expired",
            "Claim 9 (valid until) is before the date of checking.",
            trust1.clone(),
            text(&seal(&c, &k1())),
            "expired",
        ));
    }
    v
}

fn base64_url(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

fn sha256_8(b: &[u8]) -> [u8; 8] {
    use sha2::Digest;
    let d = sha2::Sha256::digest(b);
    let mut out = [0u8; 8];
    out.copy_from_slice(&d[..8]);
    out
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn to_json(v: &Vector) -> Json {
    // The expected claims are those of the seal, when the signature is good.
    let today: Date = v.today.parse().unwrap();
    let claims = if v.valid {
        let trust = trust_of(&v.jwks.to_string()).unwrap();
        let report = verify_qr_text(&v.qr_text, &trust, &options(today, None));
        report
            .claims
            .as_ref()
            .map(claims_json)
            .unwrap_or(Json::Null)
    } else {
        Json::Null
    };
    let mut expected = json!({ "valid": v.valid, "code": v.code, "claims": claims });
    if let Some(by) = v.replaced_by {
        expected["replaced_by"] = json!(by);
    }
    json!({
        "description": v.description,
        "jwks": v.jwks,
        "qr_text": v.qr_text,
        "today": v.today,
        "revocations_hex": v.revocations.as_deref().map(hex),
        "expected": expected,
    })
}

fn options(today: Date, revocations: Option<RevocationList>) -> VerifyOptions {
    VerifyOptions {
        today,
        expected_url: None,
        revocations,
    }
}

fn vector_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

/// Runs one stored vector; returns (valid, code, claims).
fn run_vector(doc: &Json) -> (bool, Option<String>, Json) {
    let trust = match trust_of(&doc["jwks"].to_string()) {
        Ok(t) => t,
        Err(e) => return (false, Some(e.code().to_owned()), Json::Null),
    };
    let revocations = match doc["revocations_hex"].as_str() {
        Some(h) => match RevocationList::open(&unhex(h), &trust) {
            Ok(list) => Some(list),
            Err(e) => return (false, Some(e.code().to_owned()), Json::Null),
        },
        None => None,
    };
    let today: Date = doc["today"].as_str().unwrap().parse().unwrap();
    let report = verify_qr_text(
        doc["qr_text"].as_str().unwrap(),
        &trust,
        &options(today, revocations),
    );
    let code = match &report.status {
        Status::Valid => None,
        Status::Invalid(e) => Some(e.code().to_owned()),
    };
    let claims = match (&report.status, &report.claims) {
        (Status::Valid, Some(c)) => claims_json(c),
        _ => Json::Null,
    };
    (report.is_valid(), code, claims)
}

/// What the report of a stored vector says replaced its seal.
fn replaced_by(doc: &Json) -> Json {
    let trust = trust_of(&doc["jwks"].to_string()).unwrap();
    let list = doc["revocations_hex"]
        .as_str()
        .map(|h| RevocationList::open(&unhex(h), &trust).unwrap());
    let today: Date = doc["today"].as_str().unwrap().parse().unwrap();
    let report = verify_qr_text(
        doc["qr_text"].as_str().unwrap(),
        &trust,
        &options(today, list),
    );
    json!(report.revoked.as_ref().and_then(|r| r.replaced_by()))
}

#[test]
fn stored_vectors_match_the_generator() {
    let dir = vector_dir();
    let write = std::env::var_os("PIAGAM_WRITE_VECTORS").is_some();
    let vectors = build_vectors();
    let mut names: Vec<&str> = vectors.iter().map(|v| v.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), vectors.len(), "vector names are unique");
    for v in &vectors {
        let path = dir.join(format!("{}.json", v.name));
        let mut content = serde_json::to_string_pretty(&to_json(v)).unwrap();
        content.push('\n');
        if write {
            std::fs::write(&path, &content).unwrap();
        } else {
            let stored = std::fs::read_to_string(&path).unwrap_or_else(|_| {
                panic!(
                    "{} is missing; run PIAGAM_WRITE_VECTORS=1 cargo test -p piagam-seal --test seal_vectors",
                    path.display()
                )
            });
            assert_eq!(
                stored,
                content,
                "{} differs from the generator",
                path.display()
            );
        }
    }
    let stored = std::fs::read_dir(&dir).unwrap().filter(|e| {
        e.as_ref()
            .unwrap()
            .path()
            .extension()
            .is_some_and(|x| x == "json")
    });
    assert_eq!(
        stored.count(),
        vectors.len(),
        "a stored vector has no generator"
    );
}

#[test]
fn every_stored_vector_gives_its_expected_result() {
    let mut count = 0;
    let mut codes = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(vector_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let doc: Json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let (valid, code, claims) = run_vector(&doc);
        let expected = &doc["expected"];
        assert_eq!(
            valid,
            expected["valid"].as_bool().unwrap(),
            "{}",
            path.display()
        );
        assert_eq!(
            code.as_deref(),
            expected["code"].as_str(),
            "{}",
            path.display()
        );
        assert_eq!(claims, expected["claims"], "{}", path.display());
        if let Some(by) = expected.get("replaced_by") {
            assert_eq!(&replaced_by(&doc), by, "{}", path.display());
        }
        if let Some(c) = code {
            codes.insert(c);
        }
        count += 1;
    }
    assert!(count >= 30, "only {count} vectors");
    // Every way to be wrong that the issue lists has at least one vector.
    for code in [
        "wrong-prefix",
        "not-digits",
        "digit-count",
        "bad-cbor",
        "not-cose-sign1",
        "wrong-alg",
        "missing-kid",
        "unknown-kid",
        "bad-signature",
        "non-canonical-signature",
        "bad-trust",
        "bad-claims",
        "unknown-header",
        "expired",
        "revoked",
        "key-not-valid-on-date",
    ] {
        assert!(codes.contains(code), "no vector for {code}");
    }
}

#[test]
fn flipping_any_byte_of_any_valid_vector_fails() {
    for v in build_vectors().into_iter().filter(|v| v.valid) {
        let trust = trust_of(&v.jwks.to_string()).unwrap();
        let (_, digits) = qrtext::split_qr_text(&v.qr_text);
        let bytes = qrtext::decode_digits(digits).unwrap();
        let today = v.today.parse().unwrap();
        for i in 0..bytes.len() {
            for mask in [0x01, 0x10, 0x80, 0xff] {
                let mut b = bytes.clone();
                b[i] ^= mask;
                let report =
                    verify_qr_text(&qrtext::encode_digits(&b), &trust, &options(today, None));
                assert!(
                    !report.is_valid(),
                    "{}: byte {i} ^ {mask:#x} still verifies",
                    v.name
                );
            }
        }
    }
}
