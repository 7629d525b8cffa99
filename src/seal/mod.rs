//! The seal: signed claims in a COSE_Sign1, carried as digits in a QR code.
//!
//! This module knows nothing of layout, templates or PDF. See docs/FORMAT.md.

pub mod cbor;
pub mod claims;
pub mod cose;
pub mod issued;
pub mod keys;
pub mod qrtext;
pub mod report;
pub mod revocation;
mod signed_list;
mod verify;

pub use claims::Claims;
pub use issued::{IssuedFile, IssuedList};
pub use keys::{IssuerKey, Jwk, Jwks, Kid, Trust};
pub use report::{Report, Status};
pub use revocation::RevocationList;
pub use verify::{too_large, verify_qr_text, VerifyOptions, MAX_QR_TEXT_LEN};

/// Everything that can be wrong with a seal or the keys around it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    #[error("the input is {0} characters long, more than a seal can be")]
    TooLarge(usize),
    #[error("the seal is empty")]
    Empty,
    #[error("the address before '#' is {found}, but this issuer's seals use {expected}")]
    WrongPrefix { found: String, expected: String },
    #[error("the seal contains '{0}' where only digits may be")]
    NotDigits(char),
    #[error("the seal has {0} digits, which no whole number of bytes gives")]
    DigitCount(usize),
    #[error("a group of digits is larger than its bytes can hold")]
    DigitGroupTooLarge,
    #[error("the seal is not well-formed CBOR: {0}")]
    Cbor(cbor::CborError),
    #[error("the seal is not a COSE_Sign1 (tag {})", .0.map_or("missing".to_string(), |t| t.to_string()))]
    WrongTag(Option<u64>),
    #[error("the seal is malformed: {0}")]
    BadStructure(String),
    #[error("the unprotected header must be empty")]
    UnprotectedNotEmpty,
    #[error("the seal names an algorithm other than EdDSA")]
    WrongAlgorithm,
    #[error("the seal does not carry an 8-byte key id")]
    MissingKid,
    #[error("the seal has a header this verifier does not understand: {0}")]
    UnknownHeader(String),
    #[error("no trusted key has the key id {0}")]
    UnknownKid(String),
    #[error("the signature does not match: the seal was altered or signed by another key")]
    BadSignature,
    #[error("the signed claims are malformed: {0}")]
    BadClaims(String),
    #[error("the seal is dated {date}, outside the signing key's validity ({window})")]
    KeyNotValidOnDate { date: String, window: String },
    #[error("the seal was valid until {0}")]
    Expired(String),
    #[error("{}", match revocation::replaced_by(reason) {
        Some(by) => format!("the seal was replaced by {by} on {on} (revocation list of {list})"),
        None => format!("the seal was revoked on {on}: {reason} (revocation list of {list})"),
    })]
    Revoked {
        reason: String,
        on: crate::date::Date,
        list: crate::date::Date,
    },
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("the private key cannot be read: {0}")]
    BadPrivateKey(String),
    #[error("{path} can be read by other users (mode {mode:03o}); run: chmod 600 {path}")]
    KeyTooOpen { path: String, mode: u32 },
    #[error("the trust file (JWKS) is not valid: {0}")]
    BadTrust(String),
    #[error("the system random source failed: {0}")]
    Random(String),
    #[error("the revocation list cannot be used: {0}")]
    BadRevocationList(String),
    #[error("the issued-files list cannot be used: {0}")]
    BadIssuedList(String),
    #[error("the signature is not in canonical form (S is not reduced)")]
    NonCanonicalSignature,
}

impl SealError {
    /// A stable machine-readable code, documented in docs/FORMAT.md.
    pub fn code(&self) -> &'static str {
        match self {
            SealError::TooLarge(_) => "too-large",
            SealError::Empty => "empty",
            SealError::WrongPrefix { .. } => "wrong-prefix",
            SealError::NotDigits(_) => "not-digits",
            SealError::DigitCount(_) => "digit-count",
            SealError::DigitGroupTooLarge => "digit-group",
            SealError::Cbor(_) => "bad-cbor",
            SealError::WrongTag(_) => "not-cose-sign1",
            SealError::BadStructure(_) => "bad-structure",
            SealError::UnprotectedNotEmpty => "unprotected-header",
            SealError::WrongAlgorithm => "wrong-alg",
            SealError::MissingKid => "missing-kid",
            SealError::UnknownHeader(_) => "unknown-header",
            SealError::UnknownKid(_) => "unknown-kid",
            SealError::BadSignature => "bad-signature",
            SealError::BadClaims(_) => "bad-claims",
            SealError::KeyNotValidOnDate { .. } => "key-not-valid-on-date",
            SealError::Expired(_) => "expired",
            SealError::Revoked { .. } => "revoked",
            SealError::Io { .. } => "io",
            SealError::BadPrivateKey(_) => "bad-private-key",
            SealError::KeyTooOpen { .. } => "key-too-open",
            SealError::BadTrust(_) => "bad-trust",
            SealError::Random(_) => "random",
            SealError::BadRevocationList(_) => "bad-revocation-list",
            SealError::NonCanonicalSignature => "non-canonical-signature",
            SealError::BadIssuedList(_) => "bad-issued-list",
        }
    }
}

/// Signs claims and returns the COSE_Sign1 bytes.
pub fn sign(claims: &Claims, key: &IssuerKey) -> Vec<u8> {
    let payload = cbor::encode(&claims.to_cbor());
    cose::sign(&payload, key)
}

#[cfg(test)]
mod tests;
