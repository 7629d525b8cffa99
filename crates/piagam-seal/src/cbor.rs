//! A deliberately small CBOR codec (RFC 8949) for the seal.
//!
//! It encodes only in the deterministic form of RFC 8949 §4.2.1 and decodes
//! strictly: indefinite lengths, non-shortest heads, floats, simple values,
//! unsorted or duplicate map keys and deep nesting are all refused. A general
//! CBOR library would accept inputs that two verifiers could read differently,
//! which is exactly what a signature format must not allow.

use std::fmt;

/// The subset of CBOR data items the seal uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Unsigned(u64),
    /// A negative integer stored as `n` for the value `-1 - n`.
    Negative(u64),
    Bytes(Vec<u8>),
    Text(String),
    Array(Vec<Value>),
    /// Entries in any order; encoding sorts them by encoded key.
    Map(Vec<(Value, Value)>),
    Tag(u64, Box<Value>),
}

impl Value {
    pub fn int(i: i64) -> Value {
        if i >= 0 {
            Value::Unsigned(i as u64)
        } else {
            Value::Negative((-1 - i) as u64)
        }
    }

    /// The value as a signed integer, if it is one that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Unsigned(n) => i64::try_from(n).ok(),
            Value::Negative(n) => i64::try_from(n).ok().map(|n| -1 - n),
            _ => None,
        }
    }
}

/// Why a byte string is not acceptable CBOR for the seal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CborError {
    Truncated,
    TrailingBytes(usize),
    IndefiniteLength,
    NonShortestHead,
    Unsupported(u8),
    InvalidUtf8,
    UnsortedMapKeys,
    DuplicateMapKey,
    TooDeep,
    TooLarge,
}

impl fmt::Display for CborError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CborError::Truncated => write!(f, "the data ends in the middle of an item"),
            CborError::TrailingBytes(n) => write!(f, "{n} unexpected byte(s) after the item"),
            CborError::IndefiniteLength => write!(f, "indefinite-length items are not allowed"),
            CborError::NonShortestHead => write!(f, "a length or number is not in shortest form"),
            CborError::Unsupported(b) => {
                write!(f, "unsupported CBOR item (initial byte 0x{b:02x})")
            }
            CborError::InvalidUtf8 => write!(f, "a text string is not valid UTF-8"),
            CborError::UnsortedMapKeys => write!(f, "map keys are not in deterministic order"),
            CborError::DuplicateMapKey => write!(f, "a map key appears twice"),
            CborError::TooDeep => write!(f, "items are nested too deeply"),
            CborError::TooLarge => write!(f, "an item claims a length larger than the input"),
        }
    }
}

const MAX_DEPTH: usize = 8;

/// Encodes a value deterministically (RFC 8949 §4.2.1).
pub fn encode(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(value, &mut out);
    out
}

fn write_head(major: u8, n: u64, out: &mut Vec<u8>) {
    let m = major << 5;
    if n < 24 {
        out.push(m | n as u8);
    } else if n <= 0xff {
        out.extend_from_slice(&[m | 24, n as u8]);
    } else if n <= 0xffff {
        out.push(m | 25);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else if n <= 0xffff_ffff {
        out.push(m | 26);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    } else {
        out.push(m | 27);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn encode_into(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Unsigned(n) => write_head(0, *n, out),
        Value::Negative(n) => write_head(1, *n, out),
        Value::Bytes(b) => {
            write_head(2, b.len() as u64, out);
            out.extend_from_slice(b);
        }
        Value::Text(s) => {
            write_head(3, s.len() as u64, out);
            out.extend_from_slice(s.as_bytes());
        }
        Value::Array(items) => {
            write_head(4, items.len() as u64, out);
            for item in items {
                encode_into(item, out);
            }
        }
        Value::Map(entries) => {
            let mut encoded: Vec<(Vec<u8>, Vec<u8>)> = entries
                .iter()
                .map(|(k, v)| (encode(k), encode(v)))
                .collect();
            encoded.sort_by(|a, b| a.0.cmp(&b.0));
            write_head(5, encoded.len() as u64, out);
            for (k, v) in encoded {
                out.extend_from_slice(&k);
                out.extend_from_slice(&v);
            }
        }
        Value::Tag(tag, inner) => {
            write_head(6, *tag, out);
            encode_into(inner, out);
        }
    }
}

/// Decodes exactly one item that must fill `bytes` completely.
pub fn decode(bytes: &[u8]) -> Result<Value, CborError> {
    let mut reader = Reader { bytes, pos: 0 };
    let value = reader.item(0)?;
    let rest = bytes.len() - reader.pos;
    if rest != 0 {
        return Err(CborError::TrailingBytes(rest));
    }
    Ok(value)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], CborError> {
        let end = self.pos.checked_add(n).ok_or(CborError::TooLarge)?;
        if end > self.bytes.len() {
            return Err(CborError::Truncated);
        }
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn head(&mut self) -> Result<(u8, u8, u64), CborError> {
        let initial = self.take(1)?[0];
        let major = initial >> 5;
        let info = initial & 0x1f;
        if major == 7 {
            // Floats, booleans, null and other simple values have no place in a seal.
            return Err(CborError::Unsupported(initial));
        }
        let n = match info {
            0..=23 => u64::from(info),
            24 => {
                let n = u64::from(self.take(1)?[0]);
                if n < 24 {
                    return Err(CborError::NonShortestHead);
                }
                n
            }
            25 => {
                let b = self.take(2)?;
                let n = u64::from(u16::from_be_bytes([b[0], b[1]]));
                if n <= 0xff {
                    return Err(CborError::NonShortestHead);
                }
                n
            }
            26 => {
                let b = self.take(4)?;
                let n = u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
                if n <= 0xffff {
                    return Err(CborError::NonShortestHead);
                }
                n
            }
            27 => {
                let b = self.take(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                let n = u64::from_be_bytes(a);
                if n <= 0xffff_ffff {
                    return Err(CborError::NonShortestHead);
                }
                n
            }
            31 => return Err(CborError::IndefiniteLength),
            _ => return Err(CborError::Unsupported(initial)),
        };
        Ok((initial, major, n))
    }

    fn length(&self, n: u64) -> Result<usize, CborError> {
        // No item can be longer than what is left of the input; this also
        // stops a forged length from making us allocate.
        let left = (self.bytes.len() - self.pos) as u64;
        if n > left {
            return Err(CborError::Truncated);
        }
        Ok(n as usize)
    }

    fn item(&mut self, depth: usize) -> Result<Value, CborError> {
        if depth > MAX_DEPTH {
            return Err(CborError::TooDeep);
        }
        let (initial, major, n) = self.head()?;
        match major {
            0 => Ok(Value::Unsigned(n)),
            1 => Ok(Value::Negative(n)),
            2 => {
                let len = self.length(n)?;
                Ok(Value::Bytes(self.take(len)?.to_vec()))
            }
            3 => {
                let len = self.length(n)?;
                let raw = self.take(len)?;
                let text = std::str::from_utf8(raw).map_err(|_| CborError::InvalidUtf8)?;
                Ok(Value::Text(text.to_owned()))
            }
            4 => {
                let len = self.length(n)?;
                let mut items = Vec::with_capacity(len);
                for _ in 0..len {
                    items.push(self.item(depth + 1)?);
                }
                Ok(Value::Array(items))
            }
            5 => {
                // Each entry takes at least two bytes.
                let len = self.length(n.saturating_mul(2))? / 2;
                let mut entries = Vec::with_capacity(len);
                let mut previous_key: Option<Vec<u8>> = None;
                for _ in 0..len {
                    let key_start = self.pos;
                    let key = self.item(depth + 1)?;
                    let key_bytes = self.bytes[key_start..self.pos].to_vec();
                    if let Some(prev) = &previous_key {
                        match prev.as_slice().cmp(&key_bytes) {
                            std::cmp::Ordering::Less => {}
                            std::cmp::Ordering::Equal => return Err(CborError::DuplicateMapKey),
                            std::cmp::Ordering::Greater => return Err(CborError::UnsortedMapKeys),
                        }
                    }
                    previous_key = Some(key_bytes);
                    let value = self.item(depth + 1)?;
                    entries.push((key, value));
                }
                Ok(Value::Map(entries))
            }
            6 => {
                let inner = self.item(depth + 1)?;
                Ok(Value::Tag(n, Box::new(inner)))
            }
            _ => Err(CborError::Unsupported(initial)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_use_shortest_heads() {
        assert_eq!(encode(&Value::int(0)), [0x00]);
        assert_eq!(encode(&Value::int(23)), [0x17]);
        assert_eq!(encode(&Value::int(24)), [0x18, 24]);
        assert_eq!(encode(&Value::int(256)), [0x19, 1, 0]);
        assert_eq!(encode(&Value::int(-8)), [0x27]);
        assert_eq!(encode(&Value::int(-500)), [0x39, 0x01, 0xf3]);
    }

    #[test]
    fn maps_are_sorted_by_encoded_key() {
        let map = Value::Map(vec![
            (Value::Text("bb".into()), Value::int(1)),
            (Value::Text("c".into()), Value::int(2)),
            (Value::int(10), Value::int(3)),
        ]);
        // 10 (0x0a) < "c" (0x61 63) < "bb" (0x62 62 62): length-first for text.
        assert_eq!(
            encode(&map),
            [0xa3, 0x0a, 0x03, 0x61, b'c', 0x02, 0x62, b'b', b'b', 0x01]
        );
    }

    #[test]
    fn round_trips() {
        let v = Value::Tag(
            18,
            Box::new(Value::Array(vec![
                Value::Bytes(vec![1, 2, 3]),
                Value::Map(vec![(Value::int(1), Value::Text("Nguyễn".into()))]),
                Value::int(-8),
            ])),
        );
        assert_eq!(decode(&encode(&v)).unwrap(), v);
    }

    #[test]
    fn strict_decoding_refuses_ambiguous_forms() {
        assert_eq!(decode(&[0x18, 0x05]), Err(CborError::NonShortestHead));
        assert_eq!(decode(&[0x5f, 0xff]), Err(CborError::IndefiniteLength));
        assert_eq!(decode(&[0xf9, 0, 0]), Err(CborError::Unsupported(0xf9)));
        assert_eq!(decode(&[0x01, 0x02]), Err(CborError::TrailingBytes(1)));
        assert_eq!(decode(&[0x43, 1, 2]), Err(CborError::Truncated));
        assert_eq!(
            decode(&[0xa2, 0x02, 0x00, 0x01, 0x00]),
            Err(CborError::UnsortedMapKeys)
        );
        assert_eq!(
            decode(&[0xa2, 0x01, 0x00, 0x01, 0x00]),
            Err(CborError::DuplicateMapKey)
        );
        assert_eq!(decode(&[0x62, 0xff, 0xfe]), Err(CborError::InvalidUtf8));
        assert_eq!(decode(&[0x81; 20]), Err(CborError::TooDeep));
        assert_eq!(
            decode(&[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            Err(CborError::Truncated)
        );
    }
}
