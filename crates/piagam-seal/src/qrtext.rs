//! The QR text: an optional verify URL, `#`, then the COSE bytes as digits.
//!
//! Digits are used because QR numeric mode packs 3.33 bits per character
//! against 8 for byte mode, while a phone camera still sees a plain URL.

use super::VerifyError;

/// Bytes per full group and the digits that carry one.
const GROUP_BYTES: usize = 7;
const GROUP_DIGITS: usize = 17;
/// Digits for a final group of 1..=6 bytes: enough for 256^n - 1.
const TAIL_DIGITS: [usize; 7] = [0, 3, 5, 8, 10, 13, 15];

/// Writes bytes as digits: 7-byte big-endian groups of 17 zero-padded digits.
pub fn encode_digits(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() / GROUP_BYTES * GROUP_DIGITS + 15);
    for chunk in bytes.chunks(GROUP_BYTES) {
        let mut n: u64 = 0;
        for &b in chunk {
            n = (n << 8) | u64::from(b);
        }
        let width = if chunk.len() == GROUP_BYTES {
            GROUP_DIGITS
        } else {
            TAIL_DIGITS[chunk.len()]
        };
        out.push_str(&format!("{n:0width$}"));
    }
    out
}

/// Reads digits written by [`encode_digits`], refusing any other form.
pub fn decode_digits(digits: &str) -> Result<Vec<u8>, VerifyError> {
    if let Some(bad) = digits.chars().find(|c| !c.is_ascii_digit()) {
        return Err(VerifyError::NotDigits(bad));
    }
    let full = digits.len() / GROUP_DIGITS;
    let tail_len = digits.len() % GROUP_DIGITS;
    let tail_bytes = TAIL_DIGITS
        .iter()
        .position(|&d| d == tail_len)
        .ok_or(VerifyError::DigitCount(digits.len()))?;
    let mut out = Vec::with_capacity(full * GROUP_BYTES + tail_bytes);
    let groups = digits.as_bytes().chunks(GROUP_DIGITS);
    for group in groups {
        let nbytes = if group.len() == GROUP_DIGITS {
            GROUP_BYTES
        } else {
            tail_bytes
        };
        let mut n: u64 = 0;
        for &d in group {
            // At most 17 digits: fits in u64 without overflow.
            n = n * 10 + u64::from(d - b'0');
        }
        if nbytes < 8 && n >> (8 * nbytes) != 0 {
            return Err(VerifyError::DigitGroupTooLarge);
        }
        out.extend_from_slice(&n.to_be_bytes()[8 - nbytes..]);
    }
    Ok(out)
}

/// Why a verify URL cannot prefix a QR text, if it cannot: the seal follows
/// the first '#', and a QR text is one unbroken token.
pub fn check_verify_url(url: &str) -> Result<(), String> {
    if url.is_empty()
        || url.contains('#')
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        Err(format!(
            "the verify URL '{}' must be an address without '#', spaces or control characters",
            url.escape_debug()
        ))
    } else {
        Ok(())
    }
}

/// The full QR text for a seal.
pub fn qr_text(verify_url: Option<&str>, cose: &[u8]) -> String {
    match verify_url {
        Some(url) => format!("{url}#{}", encode_digits(cose)),
        None => encode_digits(cose),
    }
}

/// Splits a QR text into its URL (if any) and the digits after `#`.
pub fn split_qr_text(text: &str) -> (Option<&str>, &str) {
    let text = text.trim();
    match text.rfind('#') {
        Some(i) => (Some(&text[..i]), &text[i + 1..]),
        None => (None, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_and_tails_have_fixed_widths() {
        assert_eq!(encode_digits(&[]), "");
        assert_eq!(encode_digits(&[0xff]), "255");
        assert_eq!(encode_digits(&[0, 1]), "00001");
        assert_eq!(encode_digits(&[0xff; 7]), "72057594037927935");
        assert_eq!(encode_digits(&[0; 8]), "00000000000000000000");
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let digits = encode_digits(&bytes);
            assert_eq!(decode_digits(&digits).unwrap(), bytes, "len {len}");
        }
    }

    #[test]
    fn malformed_digits_are_refused() {
        assert!(matches!(
            decode_digits("12a"),
            Err(VerifyError::NotDigits('a'))
        ));
        assert!(matches!(
            decode_digits("1234"),
            Err(VerifyError::DigitCount(4))
        ));
        assert!(matches!(
            decode_digits("256"),
            Err(VerifyError::DigitGroupTooLarge)
        ));
        assert!(matches!(
            decode_digits("72057594037927936"),
            Err(VerifyError::DigitGroupTooLarge)
        ));
    }

    #[test]
    fn splits_on_the_last_hash() {
        assert_eq!(
            split_qr_text("https://x.id/v#a#123"),
            (Some("https://x.id/v#a"), "123")
        );
        assert_eq!(split_qr_text("123"), (None, "123"));
    }
}
