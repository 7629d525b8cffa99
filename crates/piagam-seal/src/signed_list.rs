//! What the issuer's signed lists share (revocations, §6; issued files,
//! §12): a COSE_Sign1 like a seal, its signature checked against the
//! trusted keys before its payload is read, and a CBOR map whose key 0
//! names which list it is.

use super::cbor::{self, Value};
use super::cose;
use super::keys::{IssuerKey, Trust};
use super::VerifyError;

/// Signs a list: `{0: marker, 1: date, 2: [entries…]}` as COSE_Sign1 bytes.
pub(crate) fn sign(marker: &str, date: &str, entries: Vec<Value>, key: &IssuerKey) -> Vec<u8> {
    let payload = Value::Map(vec![
        (Value::int(0), Value::Text(marker.into())),
        (Value::int(1), Value::Text(date.into())),
        (Value::int(2), Value::Array(entries)),
    ]);
    cose::sign(&cbor::encode(&payload), key)
}

/// The list's payload as `{key: value}` entries, once its size, signature
/// and marker are checked. `bad` words the refusal for the list at hand.
pub(crate) fn open(
    bytes: &[u8],
    trust: &Trust,
    max_bytes: usize,
    marker: &str,
    bad: impl Fn(&str) -> VerifyError,
) -> Result<Vec<(Value, Value)>, VerifyError> {
    if bytes.len() > max_bytes {
        return Err(bad("the file is too large"));
    }
    let sign1 = cose::parse(bytes).map_err(|e| bad(&e.to_string()))?;
    let signed = trust
        .keys
        .iter()
        .filter(|k| k.kid == sign1.kid)
        .any(|k| cose::check_signature(&sign1, &k.key));
    if !signed {
        return Err(bad("it is not signed by a trusted key of this issuer"));
    }
    let malformed = || bad("its contents are malformed");
    let Value::Map(top) = cbor::decode(&sign1.payload).map_err(|e| bad(&e.to_string()))? else {
        return Err(malformed());
    };
    if top.len() != 3 || field(&top, 0) != Some(&Value::Text(marker.into())) {
        return Err(malformed());
    }
    Ok(top)
}

/// The value under integer key `k` of a CBOR map's entries.
pub(crate) fn field(map: &[(Value, Value)], k: i64) -> Option<&Value> {
    map.iter()
        .find(|(key, _)| key.as_i64() == Some(k))
        .map(|(_, v)| v)
}

/// A text value.
pub(crate) fn text(v: &Value) -> Option<&str> {
    match v {
        Value::Text(s) => Some(s),
        _ => None,
    }
}
