//! QR codes: seal text in, a matrix of modules out.
//!
//! The URL part goes in byte mode and the digits in numeric mode, so a
//! typical seal fits a version-11 symbol at error-correction level M.

use qrcode::bits::Bits;
use qrcode::canvas::Canvas;
use qrcode::{EcLevel, Version};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QrError {
    #[error("the seal text ({0} characters) does not fit in any QR code")]
    TooLong(usize),
}

/// A square grid of QR modules, row by row, one bit each (set is dark):
/// a run keeps one per document, so it is kept small.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    width: usize,
    version: i16,
    dark: Vec<u64>,
}

impl QrMatrix {
    pub fn width(&self) -> usize {
        self.width
    }

    pub fn version(&self) -> i16 {
        self.version
    }

    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        let i = y * self.width + x;
        x < self.width && y < self.width && self.dark[i / 64] & (1 << (i % 64)) != 0
    }
}

/// Encodes seal text at error-correction level M in the smallest version.
pub fn encode_seal_text(text: &str) -> Result<QrMatrix, QrError> {
    let (head, digits) = match text.rfind('#') {
        Some(i) => text.split_at(i + 1),
        None => ("", text),
    };
    let numeric_ok = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    let ec = EcLevel::M;
    for v in 1..=40 {
        let mut bits = Bits::new(Version::Normal(v));
        let pushed = if numeric_ok {
            (head.is_empty() || bits.push_byte_data(head.as_bytes()).is_ok())
                && bits.push_numeric_data(digits.as_bytes()).is_ok()
        } else {
            bits.push_byte_data(text.as_bytes()).is_ok()
        };
        if !pushed || bits.push_terminator(ec).is_err() {
            continue;
        }
        if let Some(matrix) = draw(bits, v, ec) {
            return Ok(matrix);
        }
    }
    Err(QrError::TooLong(text.len()))
}

/// What qrcode's `QrCode::with_bits` does, with the faster mask choice.
fn draw(bits: Bits, version: i16, ec: EcLevel) -> Option<QrMatrix> {
    let v = Version::Normal(version);
    let (data, ec_data) = qrcode::ec::construct_codewords(&bits.into_bytes(), v, ec).ok()?;
    let mut canvas = Canvas::new(v, ec);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ec_data);
    let width = usize::try_from(v.width()).ok()?;
    Some(QrMatrix {
        width,
        version,
        dark: pack(&mask::apply_best_mask(&canvas, width, version, ec)),
    })
}

fn pack(modules: &[bool]) -> Vec<u64> {
    let mut bits = vec![0u64; modules.len().div_ceil(64)];
    for (i, _) in modules.iter().enumerate().filter(|(_, dark)| **dark) {
        bits[i / 64] |= 1 << (i % 64);
    }
    bits
}

mod mask;
pub mod scan;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_200_byte_seal_with_url_fits_version_11() {
        let digits = crate::seal::qrtext::encode_digits(&[0xa5; 200]);
        let text = format!("https://piagam.example.go.id/v#{digits}");
        let m = encode_seal_text(&text).unwrap();
        assert!(m.version() <= 11, "version {}", m.version());
        assert_eq!(m.width(), 17 + 4 * m.version() as usize);
    }
}
