//! Verification: decode, check the signature, and only then read the claims.

use super::claims::Claims;
use super::keys::{kid_hex, Trust};
use super::report::{Check, Report, Status};
use super::revocation::RevocationList;
use super::{cbor, cose, qrtext, VerifyError};
use crate::date::Date;

/// Longer than any QR code can hold (7089 digits at version 40-L) plus a URL.
pub const MAX_QR_TEXT_LEN: usize = 8192;

/// What a verifier knows besides the seal itself.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The date against which validity windows are judged.
    pub today: Date,
    /// If set, the address a seal's QR text must start with, when it has one.
    /// Defaults to the trust bundle's `verify_url`.
    pub expected_url: Option<String>,
    /// An issuer-signed revocation list, already checked against the trust.
    pub revocations: Option<RevocationList>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            today: Date::today_utc(),
            expected_url: None,
            revocations: None,
        }
    }
}

/// Verifies one QR text (or verify URL) against a trust bundle.
pub fn verify_qr_text(text: &str, trust: &Trust, options: &VerifyOptions) -> Report {
    let mut report = Report::new(options.today);
    report.status = match run(text, trust, options, &mut report) {
        Ok(()) => Status::Valid,
        Err(e) => Status::Invalid(e),
    };
    report
}

/// The report for an input of `length` characters that was too long to
/// read whole (a line of a stream, say).
pub fn too_large(length: usize, options: &VerifyOptions) -> Report {
    let mut report = Report::new(options.today);
    report.status = Status::Invalid(VerifyError::TooLarge(length));
    report
}

fn run(
    text: &str,
    trust: &Trust,
    options: &VerifyOptions,
    report: &mut Report,
) -> Result<(), VerifyError> {
    if text.len() > MAX_QR_TEXT_LEN {
        return Err(VerifyError::TooLarge(text.len()));
    }
    let (url, digits) = qrtext::split_qr_text(text);
    report.verify_url = url.map(str::to_owned);
    if digits.is_empty() {
        return Err(VerifyError::Empty);
    }
    let expected = options.expected_url.as_ref().or(trust.verify_url.as_ref());
    if let (Some(expected), Some(found)) = (expected, url) {
        if found != expected {
            return Err(VerifyError::WrongPrefix {
                found: found.into(),
                expected: expected.clone(),
            });
        }
    }
    let bytes = qrtext::decode_digits(digits)?;
    let sign1 = cose::parse(&bytes)?;
    report.kid = Some(kid_hex(&sign1.kid));

    if !is_canonical_scalar(&sign1.signature[32..]) {
        report.checks.signature = Check::Failed;
        return Err(VerifyError::NonCanonicalSignature);
    }
    let candidates: Vec<_> = trust.keys.iter().filter(|k| k.kid == sign1.kid).collect();
    if candidates.is_empty() {
        report.checks.signature = Check::Failed;
        return Err(VerifyError::UnknownKid(kid_hex(&sign1.kid)));
    }
    let Some(signer) = candidates
        .into_iter()
        .find(|k| cose::check_signature(&sign1, &k.key))
    else {
        report.checks.signature = Check::Failed;
        return Err(VerifyError::BadSignature);
    };
    report.checks.signature = Check::Passed;
    report.checks.issuer = Check::Passed;
    report.issuer = Some(trust.issuer.clone());

    // Only now, with the signature good, is the payload read.
    let payload = cbor::decode(&sign1.payload).map_err(|e| {
        VerifyError::BadClaims(format!("the claims are not deterministic CBOR: {e}"))
    })?;
    let claims = Claims::from_cbor(&payload)?;
    report.claims = Some(claims.clone());

    if let Some(list) = &options.revocations {
        report.revocation_list_date = Some(list.issued);
        if let Some(entry) = list.find(&claims.serial) {
            report.checks.revocation = Check::Failed;
            report.revoked = Some(entry.clone());
            return Err(VerifyError::Revoked {
                reason: entry.reason.clone(),
                on: entry.date,
                list: list.issued,
            });
        }
        report.checks.revocation = Check::Passed;
    }

    let outside_window = signer.not_before.is_some_and(|nbf| claims.date < nbf)
        || signer.not_after.is_some_and(|exp| claims.date > exp);
    if outside_window {
        report.checks.dates = Check::Failed;
        let window = format!(
            "{} – {}",
            signer.not_before.map_or("…".into(), |d| d.to_string()),
            signer.not_after.map_or("…".into(), |d| d.to_string())
        );
        return Err(VerifyError::KeyNotValidOnDate {
            date: claims.date.to_string(),
            window,
        });
    }
    if let Some(until) = claims.valid_until {
        if until < options.today {
            report.checks.dates = Check::Failed;
            return Err(VerifyError::Expired(until.to_string()));
        }
    }
    report.checks.dates = Check::Passed;
    Ok(())
}

/// The group order L of Ed25519, little-endian (RFC 8032 §5.1).
const ORDER_L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// True if the little-endian scalar S is below L, as RFC 8032 requires.
fn is_canonical_scalar(s: &[u8]) -> bool {
    for i in (0..32).rev() {
        let (a, b) = (s.get(i).copied().unwrap_or(0), ORDER_L[i]);
        if a != b {
            return a < b;
        }
    }
    false
}
