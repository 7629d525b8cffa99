//! piagam's seal: signed claims in a COSE_Sign1, carried as digits in a QR
//! code, with the issuer's revocation and issued-files lists.
//!
//! This crate knows nothing of layout, templates, PDF or files: it turns
//! text into a [`Report`] and claims into signed bytes. The format is
//! specified in docs/FORMAT.md, with vectors that this crate, the Node
//! verifier and Chromium all pass.
#![doc = include_str!("../README.md")]

pub mod cbor;
pub mod claims;
pub mod cose;
pub mod date;
pub mod issued;
pub mod keys;
pub mod qrtext;
pub mod report;
pub mod revocation;
mod signed_list;
mod verify;

pub use claims::Claims;
pub use date::Date;
pub use issued::{IssuedFile, IssuedList};
pub use keys::{IssuerKey, Jwk, Jwks, Kid, Trust};
pub use report::{Check, Checks, Report, Status};
pub use revocation::RevocationList;
pub use verify::{too_large, verify_qr_text, VerifyOptions, MAX_QR_TEXT_LEN};

/// Everything that can make a seal, or a list or trust file it is checked
/// against, fail verification. Each has a stable code ([`VerifyError::code`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
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
        on: Date,
        list: Date,
    },
    #[error("the trust file (JWKS) is not valid: {0}")]
    BadTrust(String),
    #[error("the revocation list cannot be used: {0}")]
    BadRevocationList(String),
    #[error("the issued-files list cannot be used: {0}")]
    BadIssuedList(String),
    #[error("the signature is not in canonical form (S is not reduced)")]
    NonCanonicalSignature,
}

impl VerifyError {
    /// A stable machine-readable code, documented in docs/FORMAT.md.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::TooLarge(_) => "too-large",
            VerifyError::Empty => "empty",
            VerifyError::WrongPrefix { .. } => "wrong-prefix",
            VerifyError::NotDigits(_) => "not-digits",
            VerifyError::DigitCount(_) => "digit-count",
            VerifyError::DigitGroupTooLarge => "digit-group",
            VerifyError::Cbor(_) => "bad-cbor",
            VerifyError::WrongTag(_) => "not-cose-sign1",
            VerifyError::BadStructure(_) => "bad-structure",
            VerifyError::UnprotectedNotEmpty => "unprotected-header",
            VerifyError::WrongAlgorithm => "wrong-alg",
            VerifyError::MissingKid => "missing-kid",
            VerifyError::UnknownHeader(_) => "unknown-header",
            VerifyError::UnknownKid(_) => "unknown-kid",
            VerifyError::BadSignature => "bad-signature",
            VerifyError::BadClaims(_) => "bad-claims",
            VerifyError::KeyNotValidOnDate { .. } => "key-not-valid-on-date",
            VerifyError::Expired(_) => "expired",
            VerifyError::Revoked { .. } => "revoked",
            VerifyError::BadTrust(_) => "bad-trust",
            VerifyError::BadRevocationList(_) => "bad-revocation-list",
            VerifyError::NonCanonicalSignature => "non-canonical-signature",
            VerifyError::BadIssuedList(_) => "bad-issued-list",
        }
    }
}

/// The same verifier in JavaScript, for a web page (no dependencies, no
/// build step), file by file in the order a page loads them: each defines
/// one namespace the later ones use, `PiagamVerify` last. It passes the
/// same vectors.
pub const JS_VERIFIER: [(&str, &str); 8] = [
    ("cbor.js", include_str!("../js/cbor.js")),
    ("ed25519.js", include_str!("../js/ed25519.js")),
    ("refused.js", include_str!("../js/refused.js")),
    ("sha256.js", include_str!("../js/sha256.js")),
    ("encoding.js", include_str!("../js/encoding.js")),
    ("cose.js", include_str!("../js/cose.js")),
    ("lists.js", include_str!("../js/lists.js")),
    ("verify.js", include_str!("../js/verify.js")),
];

/// A private key that cannot be used to sign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    #[error("the private key is empty")]
    Empty,
    #[error("this is {0} key; piagam signs with Ed25519 keys only")]
    NotEd25519(&'static str),
    #[error("the private key cannot be read: {0}")]
    Malformed(String),
}

/// Signs claims and returns the COSE_Sign1 bytes.
pub fn sign(claims: &Claims, key: &IssuerKey) -> Vec<u8> {
    let payload = cbor::encode(&claims.to_cbor());
    cose::sign(&payload, key)
}

#[cfg(test)]
mod tests;
