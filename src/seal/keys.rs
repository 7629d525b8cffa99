//! Issuer keys: the private key as PKCS#8 PEM, public keys as a JWKS, and kids.

use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::pkcs8::DecodePrivateKey;
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::SealError;
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
    /// A new key from the operating system's random source.
    pub fn generate() -> Result<IssuerKey, SealError> {
        let mut seed = [0u8; 32];
        getrandom::getrandom(&mut seed).map_err(|e| SealError::Random(e.to_string()))?;
        Ok(IssuerKey::from_seed(&seed))
    }

    pub fn from_seed(seed: &[u8; 32]) -> IssuerKey {
        IssuerKey {
            signing: SigningKey::from_bytes(seed),
        }
    }

    pub fn from_pkcs8_pem(pem: &str) -> Result<IssuerKey, SealError> {
        if pem.trim().is_empty() {
            return Err(SealError::BadPrivateKey("the file is empty".into()));
        }
        if let Some(other) = other_key_type(pem) {
            return Err(SealError::BadPrivateKey(format!(
                "this is {other} key; piagam signs with Ed25519 keys only (make one with piagam keygen, or openssl genpkey -algorithm ed25519)"
            )));
        }
        let signing =
            SigningKey::from_pkcs8_pem(pem).map_err(|e| SealError::BadPrivateKey(e.to_string()))?;
        Ok(IssuerKey { signing })
    }

    /// Reads a PEM key file, refusing one that others can read.
    pub fn read_pem_file(path: &Path) -> Result<IssuerKey, SealError> {
        let io = |message: String| SealError::Io {
            path: path.display().to_string(),
            message,
        };
        let meta = std::fs::metadata(path).map_err(|e| io(e.to_string()))?;
        if !meta.is_file() {
            return Err(io("not a key file (it is a folder or a device)".into()));
        }
        let pem = crate::fsio::read_text_capped(path, MAX_KEY_FILE_BYTES).map_err(io)?;
        let key = IssuerKey::from_pkcs8_pem(&pem).map_err(|e| match e {
            SealError::BadPrivateKey(m) => {
                SealError::BadPrivateKey(format!("{}: {m}", path.display()))
            }
            other => other,
        })?;
        // Only a file that is a private key is asked to be kept private:
        // a JWKS or a text file given by mistake is named as what it is.
        check_private_permissions(path)?;
        Ok(key)
    }

    /// PKCS#8 v1 PEM (RFC 8410), the form `openssl genpkey` writes. The v2
    /// form with an embedded public key is not read by OpenSSL 3.0.
    pub fn to_pkcs8_pem(&self) -> Result<String, SealError> {
        const PREFIX: [u8; 16] = [
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ];
        let mut der = PREFIX.to_vec();
        der.extend_from_slice(&self.signing.to_bytes());
        let body = base64::engine::general_purpose::STANDARD.encode(&der);
        Ok(format!(
            "-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n"
        ))
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

/// A PEM private key is a few hundred bytes.
const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

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

#[cfg(unix)]
fn check_private_permissions(path: &Path) -> Result<(), SealError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|e| SealError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(SealError::KeyTooOpen {
            path: path.display().to_string(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private_permissions(_path: &Path) -> Result<(), SealError> {
    Ok(())
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

impl Jwks {
    pub fn to_json(&self) -> String {
        // Serialising these plain structs cannot fail.
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
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
    pub fn from_jwks_json(json: &str) -> Result<Trust, SealError> {
        let jwks: Jwks =
            serde_json::from_str(json).map_err(|e| SealError::BadTrust(e.to_string()))?;
        Trust::from_jwks(&jwks)
    }

    pub fn from_jwks(jwks: &Jwks) -> Result<Trust, SealError> {
        let mut keys = Vec::new();
        for (i, jwk) in jwks.keys.iter().enumerate() {
            let bad = |why: String| SealError::BadTrust(format!("key {}: {why}", i + 1));
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
            let date = |d: &Option<String>, name: &str| -> Result<Option<Date>, SealError> {
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
