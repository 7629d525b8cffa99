//! COSE_Sign1 (RFC 9052) with EdDSA, in the one shape the seal allows.

use ed25519_dalek::{Signature, Signer};

use super::cbor::{self, Value};
use super::keys::{IssuerKey, Kid};
use super::VerifyError;

pub const TAG_SIGN1: u64 = 18;
pub const HEADER_ALG: i64 = 1;
pub const HEADER_CRIT: i64 = 2;
pub const HEADER_KID: i64 = 4;
pub const ALG_EDDSA: i64 = -8;

/// The parts of a COSE_Sign1 needed to check it, still undecoded where signed.
#[derive(Debug, Clone)]
pub struct Sign1 {
    pub kid: Kid,
    pub protected: Vec<u8>,
    pub payload: Vec<u8>,
    pub signature: [u8; 64],
}

impl Sign1 {
    /// The bytes the signature covers: `["Signature1", protected, h'', payload]`.
    pub fn to_be_signed(&self) -> Vec<u8> {
        sig_structure(&self.protected, &self.payload)
    }
}

fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    cbor::encode(&Value::Array(vec![
        Value::Text("Signature1".into()),
        Value::Bytes(protected.to_vec()),
        Value::Bytes(Vec::new()),
        Value::Bytes(payload.to_vec()),
    ]))
}

fn protected_header(kid: &Kid) -> Vec<u8> {
    cbor::encode(&Value::Map(vec![
        (Value::int(HEADER_ALG), Value::int(ALG_EDDSA)),
        (Value::int(HEADER_KID), Value::Bytes(kid.to_vec())),
    ]))
}

/// Signs a payload and returns the tagged COSE_Sign1 bytes.
pub fn sign(payload: &[u8], key: &IssuerKey) -> Vec<u8> {
    let protected = protected_header(&key.kid());
    cbor::encode(&sign_parts(protected, Value::Map(Vec::new()), payload, key))
}

/// Builds a tagged COSE_Sign1 from any protected header bytes and
/// unprotected header. Only [`sign`] makes valid seals; this exists so test
/// vectors can show what verifiers must refuse.
pub fn sign_parts(
    protected: Vec<u8>,
    unprotected: Value,
    payload: &[u8],
    key: &IssuerKey,
) -> Value {
    let signature = key.signing_key().sign(&sig_structure(&protected, payload));
    Value::Tag(
        TAG_SIGN1,
        Box::new(Value::Array(vec![
            Value::Bytes(protected),
            unprotected,
            Value::Bytes(payload.to_vec()),
            Value::Bytes(signature.to_bytes().to_vec()),
        ])),
    )
}

/// Parses COSE bytes strictly. Nothing in the payload is interpreted here.
pub fn parse(bytes: &[u8]) -> Result<Sign1, VerifyError> {
    let value = cbor::decode(bytes).map_err(VerifyError::Cbor)?;
    let inner = match value {
        Value::Tag(TAG_SIGN1, inner) => *inner,
        Value::Tag(other, _) => return Err(VerifyError::WrongTag(Some(other))),
        _ => return Err(VerifyError::WrongTag(None)),
    };
    let Value::Array(parts) = inner else {
        return Err(VerifyError::BadStructure(
            "COSE_Sign1 is not an array".into(),
        ));
    };
    let [protected, unprotected, payload, signature]: [Value; 4] =
        parts.try_into().map_err(|p: Vec<Value>| {
            VerifyError::BadStructure(format!("COSE_Sign1 has {} parts, not 4", p.len()))
        })?;
    let Value::Bytes(protected) = protected else {
        return Err(VerifyError::BadStructure(
            "protected header is not a byte string".into(),
        ));
    };
    match unprotected {
        Value::Map(m) if m.is_empty() => {}
        Value::Map(_) => return Err(VerifyError::UnprotectedNotEmpty),
        _ => {
            return Err(VerifyError::BadStructure(
                "unprotected header is not a map".into(),
            ))
        }
    }
    let Value::Bytes(payload) = payload else {
        return Err(VerifyError::BadStructure(
            "payload is not a byte string".into(),
        ));
    };
    let Value::Bytes(signature) = signature else {
        return Err(VerifyError::BadStructure(
            "signature is not a byte string".into(),
        ));
    };
    let signature: [u8; 64] = signature.try_into().map_err(|s: Vec<u8>| {
        VerifyError::BadStructure(format!("signature is {} bytes, not 64", s.len()))
    })?;
    let kid = parse_protected(&protected)?;
    Ok(Sign1 {
        kid,
        protected,
        payload,
        signature,
    })
}

fn parse_protected(bytes: &[u8]) -> Result<Kid, VerifyError> {
    let Value::Map(entries) = cbor::decode(bytes).map_err(VerifyError::Cbor)? else {
        return Err(VerifyError::BadStructure(
            "protected header is not a map".into(),
        ));
    };
    let mut alg = None;
    let mut kid = None;
    for (k, v) in entries {
        match k.as_i64() {
            Some(HEADER_ALG) => alg = Some(v),
            Some(HEADER_KID) => kid = Some(v),
            Some(HEADER_CRIT) => return Err(VerifyError::UnknownHeader("crit (2)".into())),
            Some(other) => return Err(VerifyError::UnknownHeader(other.to_string())),
            None => return Err(VerifyError::UnknownHeader(format!("{k:?}"))),
        }
    }
    match alg.as_ref().and_then(Value::as_i64) {
        Some(ALG_EDDSA) => {}
        _ => return Err(VerifyError::WrongAlgorithm),
    }
    match kid {
        Some(Value::Bytes(k)) => k.try_into().map_err(|_| VerifyError::MissingKid),
        _ => Err(VerifyError::MissingKid),
    }
}

/// Checks an Ed25519 signature strictly: canonical S, no small-order keys.
pub fn check_signature(sign1: &Sign1, key: &ed25519_dalek::VerifyingKey) -> bool {
    if key.is_weak() {
        return false;
    }
    let signature = Signature::from_bytes(&sign1.signature);
    key.verify_strict(&sign1.to_be_signed(), &signature).is_ok()
}
