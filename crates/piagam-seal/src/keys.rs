//! Issuer keys: the private key as PKCS#8 PEM, public keys as a JWKS, and kids.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::pkcs8::DecodePrivateKey;
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{KeyError, VerifyError};
use crate::date::Date;

/// The first 8 bytes of SHA-256 over the raw 32-byte public key.
pub type Kid = [u8; 8];

pub fn kid_of(key: &VerifyingKey) -> Kid {
    let digest = Sha256::digest(key.as_bytes());
    let mut kid = [0u8; 8];
    kid.copy_from_slice(&digest[..8]);
    kid
}

pub fn kid_hex(kid: &Kid) -> String {
    kid.iter().map(|b| format!("{b:02x}")).collect()
}

/// An issuer's private signing key.
pub struct IssuerKey {
    signing: SigningKey,
}

impl std::fmt::Debug for IssuerKey {
    // Never print key material, even in debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IssuerKey(kid {})", kid_hex(&self.kid()))
    }
}

impl IssuerKey {
    /// The key from its 32-byte seed. A new key's seed comes from the
    /// operating system's random source (this crate has none).
    pub fn from_seed(seed: &[u8; 32]) -> IssuerKey {
        IssuerKey {
            signing: SigningKey::from_bytes(seed),
        }
    }

    pub fn from_pkcs8_pem(pem: &str) -> Result<IssuerKey, KeyError> {
        if pem.trim().is_empty() {
            return Err(KeyError::Empty);
        }
        if let Some(other) = other_key_type(pem) {
            return Err(KeyError::NotEd25519(other));
        }
        let signing =
            SigningKey::from_pkcs8_pem(pem).map_err(|e| KeyError::Malformed(e.to_string()))?;
        Ok(IssuerKey { signing })
    }

    /// PKCS#8 v1 PEM (RFC 8410), the form `openssl genpkey` writes. The v2
    /// form with an embedded public key is not read by OpenSSL 3.0.
    pub fn to_pkcs8_pem(&self) -> String {
        const PREFIX: [u8; 16] = [
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ];
        let mut der = PREFIX.to_vec();
        der.extend_from_slice(&self.signing.to_bytes());
        let body = base64::engine::general_purpose::STANDARD.encode(&der);
        format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n")
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    pub fn kid(&self) -> Kid {
        kid_of(&self.verifying_key())
    }

    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.signing
    }
}

/// Names the kind of a private key that is not Ed25519, from its PEM label
/// or its PKCS#8 algorithm identifier, so the message says what it is.
fn other_key_type(pem: &str) -> Option<&'static str> {
    if pem.contains("BEGIN RSA PRIVATE KEY") {
        return Some("an RSA");
    }
    if pem.contains("BEGIN EC PRIVATE KEY") {
        return Some("an elliptic-curve (EC)");
    }
    if pem.contains("BEGIN ENCRYPTED PRIVATE KEY") {
        return Some("a password-protected");
    }
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .ok()?;
    const OIDS: [(&[u8], &str); 4] = [
        (
            &[
                0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
            ],
            "an RSA",
        ),
        (
            &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01],
            "an elliptic-curve (EC)",
        ),
        (
            &[0x06, 0x03, 0x2b, 0x65, 0x6e],
            "an X25519 (encryption, not signing)",
        ),
        (&[0x06, 0x03, 0x2b, 0x65, 0x71], "an Ed448"),
    ];
    OIDS.iter()
        .find(|(oid, _)| der.windows(oid.len()).take(24).any(|w| w == *oid))
        .map(|(_, name)| *name)
}

/// One public key in a JWKS (RFC 7517, RFC 8037).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Jwk {
    pub kty: String,
    pub crv: String,
    pub x: String,
    pub kid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    /// First date (YYYY-MM-DD) a seal by this key may carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<String>,
    /// Last date (YYYY-MM-DD) a seal by this key may carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<String>,
}

impl Jwk {
    pub fn from_key(key: &VerifyingKey) -> Jwk {
        Jwk {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x: URL_SAFE_NO_PAD.encode(key.as_bytes()),
            kid: kid_hex(&kid_of(key)),
            alg: Some("EdDSA".into()),
            use_: Some("sig".into()),
            nbf: None,
            exp: None,
        }
    }
}

/// The public face of an issuer: display name and keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Jwks {
    /// Display name of the issuer, shown by verifiers.
    pub issuer: String,
    /// Address of the issuer's verification page, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_url: Option<String>,
    pub keys: Vec<Jwk>,
}

/// A key the verifier trusts, with its validity window.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    pub kid: Kid,
    pub key: VerifyingKey,
    pub not_before: Option<Date>,
    pub not_after: Option<Date>,
}

/// Everything a verifier trusts: one issuer's name and keys.
#[derive(Debug, Clone)]
pub struct Trust {
    pub issuer: String,
    pub verify_url: Option<String>,
    pub keys: Vec<TrustedKey>,
}

impl Trust {
    pub fn from_jwks(jwks: &Jwks) -> Result<Trust, VerifyError> {
        let mut keys = Vec::new();
        for (i, jwk) in jwks.keys.iter().enumerate() {
            let bad = |why: String| VerifyError::BadTrust(format!("key {}: {why}", i + 1));
            if jwk.kty != "OKP" || jwk.crv != "Ed25519" {
                return Err(bad(format!(
                    "kty/crv is {}/{}, expected OKP/Ed25519",
                    jwk.kty, jwk.crv
                )));
            }
            let raw = URL_SAFE_NO_PAD
                .decode(jwk.x.as_bytes())
                .map_err(|_| bad("x is not base64url".into()))?;
            let raw: [u8; 32] = raw
                .try_into()
                .map_err(|_| bad("x is not 32 bytes".into()))?;
            let key = VerifyingKey::from_bytes(&raw)
                .map_err(|_| bad("x is not a valid Ed25519 point".into()))?;
            if key.is_weak() {
                return Err(bad(
                    "x is a small-order point, which cannot make a binding signature".into(),
                ));
            }
            // The kid is derived from the key (docs/FORMAT.md §3). A stated
            // kid that differs is a broken or doctored trust file.
            let kid = kid_of(&key);
            if jwk.kid != kid_hex(&kid) {
                return Err(bad(format!(
                    "kid '{}' is not the key's own kid {}",
                    jwk.kid,
                    kid_hex(&kid)
                )));
            }
            let date = |d: &Option<String>, name: &str| -> Result<Option<Date>, VerifyError> {
                d.as_deref()
                    .map(|s| {
                        s.parse()
                            .map_err(|_| bad(format!("{name} is not YYYY-MM-DD")))
                    })
                    .transpose()
            };
            keys.push(TrustedKey {
                kid,
                key,
                not_before: date(&jwk.nbf, "nbf")?,
                not_after: date(&jwk.exp, "exp")?,
            });
        }
        Ok(Trust {
            issuer: jwks.issuer.clone(),
            verify_url: jwks.verify_url.clone(),
            keys,
        })
    }
}
