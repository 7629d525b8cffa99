//! Test vectors for the issued-files list (docs/FORMAT.md §12), in
//! `vectors/issued/`: generated here, checked here against piagam's
//! own reader, and run by the page's verifier under Node and in Chromium.
//! `PIAGAM_WRITE_VECTORS=1 cargo test -p piagam-seal --test issued_vectors` rewrites them.

use std::collections::BTreeSet;
use std::path::PathBuf;

use piagam_seal::cbor::{self, Value};
use piagam_seal::cose;
use piagam_seal::issued::{judge_file, FileVerdict};
use piagam_seal::{IssuedFile, IssuedList, IssuerKey, Jwk, Jwks, RevocationList, Trust};

fn trust_of(json: &str) -> Result<Trust, piagam_seal::VerifyError> {
    let jwks: Jwks = serde_json::from_str(json)
        .map_err(|e| piagam_seal::VerifyError::BadTrust(e.to_string()))?;
    Trust::from_jwks(&jwks)
}
use serde_json::{json, Value as Json};

const RFC8032_TEST1_SEED: [u8; 32] = [
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
];

fn issuer() -> IssuerKey {
    IssuerKey::from_seed(&RFC8032_TEST1_SEED)
}

fn jwks() -> Json {
    serde_json::to_value(Jwks {
        issuer: "Penerbit Contoh".into(),
        verify_url: Some("https://verify.example/v".into()),
        keys: vec![Jwk::from_key(&issuer().verifying_key())],
    })
    .unwrap()
}

fn sha256(b: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(b).into()
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

/// Stand-ins for the files: any bytes do, the list holds their digests.
const FILE_A: &[u8] = b"%PDF-1.7 the charter of 001/ADLGA/VIII/2024, as issued";
const FILE_B: &[u8] = b"%PDF-1.7 the charter of 002/ADLGA/VIII/2024, as issued";
const FILE_A_RESAVED: &[u8] = b"%PDF-1.7 the charter of 001/ADLGA/VIII/2024, saved again";
const SERIAL_A: &str = "001/ADLGA/VIII/2024";
const SERIAL_B: &str = "002/ADLGA/VIII/2024";
const SERIAL_C: &str = "003/ADLGA/VIII/2024";

fn the_list() -> IssuedList {
    let mut list = IssuedList::new("2024-08-02".parse().unwrap());
    for (bytes, serial, day) in [
        (FILE_A, SERIAL_A, "2024-08-01"),
        (FILE_B, SERIAL_B, "2024-08-02"),
    ] {
        list.add(IssuedFile {
            sha256: sha256(bytes),
            serial: serial.into(),
            date: day.parse().unwrap(),
        });
    }
    list
}

fn entry(digest: Value, serial: &str, day: &str) -> Value {
    Value::Map(vec![
        (Value::int(1), digest),
        (Value::int(2), Value::Text(serial.into())),
        (Value::int(3), Value::Text(day.into())),
    ])
}

/// A list signed as given, entries in the order given.
fn raw_list(entries: Vec<Value>) -> Vec<u8> {
    let payload = cbor::encode(&Value::Map(vec![
        (Value::int(0), Value::Text("piagam-issued".into())),
        (Value::int(1), Value::Text("2024-08-02".into())),
        (Value::int(2), Value::Array(entries)),
    ]));
    cose::sign(&payload, &issuer())
}

struct Vector {
    name: &'static str,
    description: &'static str,
    list: Vec<u8>,
    file: &'static [u8],
    serials: Vec<&'static str>,
    /// None: the list is good.
    list_code: Option<&'static str>,
    file_check: &'static str,
    issued_on: Option<&'static str>,
}

fn build() -> Vec<Vector> {
    let good = the_list().sign(&issuer());
    let mut sorted = [sha256(FILE_A), sha256(FILE_B)];
    sorted.sort();
    let ok = |name, description, file, serials: Vec<&'static str>, check, on| Vector {
        name,
        description,
        list: good.clone(),
        file,
        serials,
        list_code: None,
        file_check: check,
        issued_on: on,
    };
    let refused = |name, description, list: Vec<u8>| Vector {
        name,
        description,
        list,
        file: FILE_A,
        serials: vec![SERIAL_A],
        list_code: Some("bad-issued-list"),
        file_check: "not-checked",
        issued_on: None,
    };
    let mut tampered = good.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    vec![
        ok(
            "issued-exact-file",
            "The file's SHA-256 is listed under the serial its seal carries: this exact file was issued, on the entry's date.",
            FILE_A,
            vec![SERIAL_A],
            "issued",
            Some("2024-08-01"),
        ),
        ok(
            "issued-resaved-file",
            "The list holds files of the seal's serial, but not this file's digest: not the file issued (changed or saved again).",
            FILE_A_RESAVED,
            vec![SERIAL_A],
            "not-as-issued",
            None,
        ),
        ok(
            "issued-other-documents-file",
            "The file's digest is listed, but under another serial than its seal carries: not the file issued for this document.",
            FILE_B,
            vec![SERIAL_A],
            "not-as-issued",
            None,
        ),
        ok(
            "issued-serial-not-listed",
            "The list holds nothing of the seal's serial: the file is not checked, and its page decides.",
            FILE_A_RESAVED,
            vec![SERIAL_C],
            "not-checked",
            None,
        ),
        ok(
            "issued-several-documents",
            "An unlisted file whose seals carry two serials (a print file): judged page by page.",
            FILE_A_RESAVED,
            vec![SERIAL_A, SERIAL_B],
            "several-documents",
            None,
        ),
        refused(
            "issued-wrong-key",
            "The list is signed by a key the issuer does not list.",
            the_list().sign(&IssuerKey::from_seed(&[2; 32])),
        ),
        refused(
            "issued-tampered-signature",
            "The list's signature has one bit flipped.",
            tampered,
        ),
        refused(
            "issued-revocation-list",
            "A revocation list signed by the issuer is not a list of issued files.",
            RevocationList::new("2024-08-02".parse().unwrap()).sign(&issuer()),
        ),
        refused(
            "issued-unsorted",
            "Entries out of digest order.",
            raw_list(vec![
                entry(Value::Bytes(sorted[1].to_vec()), SERIAL_A, "2024-08-01"),
                entry(Value::Bytes(sorted[0].to_vec()), SERIAL_B, "2024-08-01"),
            ]),
        ),
        refused(
            "issued-duplicate-digest",
            "The same digest listed twice.",
            raw_list(vec![
                entry(Value::Bytes(sorted[0].to_vec()), SERIAL_A, "2024-08-01"),
                entry(Value::Bytes(sorted[0].to_vec()), SERIAL_B, "2024-08-01"),
            ]),
        ),
        refused(
            "issued-short-digest",
            "A digest of 31 bytes.",
            raw_list(vec![entry(
                Value::Bytes(sorted[0][..31].to_vec()),
                SERIAL_A,
                "2024-08-01",
            )]),
        ),
        refused(
            "issued-digest-as-text",
            "A digest written as hex text instead of a byte string.",
            raw_list(vec![entry(
                Value::Text(hex(&sorted[0])),
                SERIAL_A,
                "2024-08-01",
            )]),
        ),
        refused(
            "issued-bad-date",
            "An entry dated 2024-02-30.",
            raw_list(vec![entry(
                Value::Bytes(sorted[0].to_vec()),
                SERIAL_A,
                "2024-02-30",
            )]),
        ),
        refused(
            "issued-empty-serial",
            "An entry with an empty serial.",
            raw_list(vec![entry(Value::Bytes(sorted[0].to_vec()), "", "2024-08-01")]),
        ),
    ]
}

fn to_json(v: &Vector) -> Json {
    json!({
        "description": v.description,
        "jwks": jwks(),
        "list_hex": hex(&v.list),
        "file_hex": hex(v.file),
        "serials": v.serials,
        "expected": {
            "list": v.list_code,
            "file": v.file_check,
            "issued_on": v.issued_on,
        },
    })
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors/issued")
}

/// Runs one stored vector through piagam's reader: (list code, file check,
/// issued on).
fn run(doc: &Json) -> (Option<String>, String, Option<String>) {
    let trust = trust_of(&doc["jwks"].to_string()).unwrap();
    let list = match IssuedList::open(&unhex(doc["list_hex"].as_str().unwrap()), &trust) {
        Ok(list) => list,
        Err(e) => return (Some(e.code().to_owned()), "not-checked".into(), None),
    };
    let file = unhex(doc["file_hex"].as_str().unwrap());
    let serials: BTreeSet<&str> = doc["serials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let verdict = judge_file(Some(&list), &sha256(&file), &serials);
    let on = match &verdict {
        FileVerdict::Issued(f) => Some(f.date.to_string()),
        _ => None,
    };
    (None, verdict.code().to_owned(), on)
}

#[test]
fn stored_vectors_match_the_generator() {
    let write = std::env::var_os("PIAGAM_WRITE_VECTORS").is_some();
    if write {
        std::fs::create_dir_all(dir()).unwrap();
    }
    let vectors = build();
    for v in &vectors {
        let path = dir().join(format!("{}.json", v.name));
        let mut content = serde_json::to_string_pretty(&to_json(v)).unwrap();
        content.push('\n');
        if write {
            std::fs::write(&path, &content).unwrap();
        } else {
            let stored = std::fs::read_to_string(&path).unwrap_or_else(|_| {
                panic!(
                    "{} is missing; run PIAGAM_WRITE_VECTORS=1 cargo test -p piagam-seal --test issued_vectors",
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
    let stored = std::fs::read_dir(dir()).unwrap().count();
    assert_eq!(stored, vectors.len(), "a stored vector has no generator");
}

#[test]
fn every_stored_vector_gives_its_expected_result() {
    let mut checks = BTreeSet::new();
    for entry in std::fs::read_dir(dir()).unwrap() {
        let path = entry.unwrap().path();
        let doc: Json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let (list, file, on) = run(&doc);
        let expected = &doc["expected"];
        assert_eq!(json!(list), expected["list"], "{}", path.display());
        assert_eq!(json!(file), expected["file"], "{}", path.display());
        assert_eq!(json!(on), expected["issued_on"], "{}", path.display());
        checks.insert(file);
    }
    assert_eq!(
        checks.len(),
        4,
        "every kind of answer is covered: {checks:?}"
    );
}

#[test]
fn flipping_any_byte_of_the_good_list_refuses_it() {
    let trust = trust_of(&jwks().to_string()).unwrap();
    let good = the_list().sign(&issuer());
    for i in 0..good.len() {
        let mut bytes = good.clone();
        bytes[i] ^= 0x01;
        assert!(
            IssuedList::open(&bytes, &trust).is_err(),
            "byte {i} flipped still opens"
        );
    }
}
