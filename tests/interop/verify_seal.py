#!/usr/bin/env python3
"""An independent piagam seal verifier, written from docs/FORMAT.md alone.

It shares no code with the Rust implementation: if both reach the same
verdict on every seal and every test vector, the format is specified well
enough for anyone to write a verifier.

Usage:
  verify_seal.py ISSUER.jwks.json QR_TEXT      check one seal, today
  verify_seal.py --vector VECTOR.json          check a test vector (tests/vectors)

Prints {"valid", "code", "issuer", "kid", "claims"} as JSON, with every
signed claim (claim 8, "extra", included). Exits 0 if the seal is valid,
1 if it is not. Needs the 'cryptography' package (pip install cryptography).
"""
import base64
import datetime
import hashlib
import json
import re
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

MAX_TEXT = 8192
TAIL_DIGITS = {0: 0, 3: 1, 5: 2, 8: 3, 10: 4, 13: 5, 15: 6}
CLAIM_NAMES = {1: "serial", 2: "kind", 3: "recipient", 4: "achievement", 5: "event",
               6: "date", 7: "place", 8: "extra", 9: "valid_until",
               10: "labels", 11: "shown"}
REQUIRED = (1, 2, 3, 4, 5, 6)
# The group order L and the field prime p of Ed25519 (RFC 8032 §5.1).
L = 2 ** 252 + 27742317777372353535851937790883648493
P = 2 ** 255 - 19
D = -121665 * pow(121666, P - 2, P) % P


class Refused(Exception):
    """A seal (or trust file) that must not be accepted, with its code (§9)."""

    def __init__(self, code, why):
        super().__init__(why)
        self.code = code


# --- §4: digits to bytes ---------------------------------------------------

def digits_to_bytes(digits):
    if not digits:
        raise Refused("empty", "no digits")
    if not all("0" <= c <= "9" for c in digits):
        raise Refused("not-digits", "not digits")
    full, rest = divmod(len(digits), 17)
    if rest not in TAIL_DIGITS:
        raise Refused("digit-count", "bad digit count")
    out = bytearray()
    groups = [(digits[17 * i:17 * i + 17], 7) for i in range(full)]
    if rest:
        groups.append((digits[17 * full:], TAIL_DIGITS[rest]))
    for group, size in groups:
        n = int(group)
        if n >= 1 << (8 * size):
            raise Refused("digit-group", "group too large")
        out += n.to_bytes(size, "big")
    return bytes(out)


# --- Strict, deterministic CBOR (RFC 8949 §4.2) ------------------------------

class Tagged:
    def __init__(self, tag, value):
        self.tag, self.value = tag, value


class Cbor:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise Refused("bad-cbor", "truncated")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def head(self):
        b = self.take(1)[0]
        major, info = b >> 5, b & 31
        if major == 7:
            raise Refused("bad-cbor", "floats and simple values are not allowed")
        if info > 27:
            raise Refused("bad-cbor", "indefinite lengths are not allowed")
        if info < 24:
            return major, info
        size = 1 << (info - 24)
        n = int.from_bytes(self.take(size), "big")
        if n < (24 if size == 1 else 1 << (4 * size)):
            raise Refused("bad-cbor", "non-shortest head")
        return major, n

    def item(self):
        major, n = self.head()
        if major == 0:
            return n
        if major == 1:
            return -1 - n
        if major == 2:
            return bytes(self.take(n))
        if major == 3:
            try:
                return self.take(n).decode("utf-8")
            except UnicodeDecodeError:
                raise Refused("bad-cbor", "text is not UTF-8")
        if major == 4:
            return [self.item() for _ in range(n)]
        if major == 5:
            result, last = {}, None
            for _ in range(n):
                start = self.pos
                key = self.item()
                raw = self.data[start:self.pos]
                if last is not None and raw <= last:
                    raise Refused("bad-cbor", "map keys not in deterministic order")
                last = raw
                if isinstance(key, (list, dict, Tagged)):
                    raise Refused("bad-cbor", "map key is not a number or string")
                result[key] = self.item()
            return result
        return Tagged(n, self.item())


def decode(data):
    reader = Cbor(data)
    value = reader.item()
    if reader.pos != len(data):
        raise Refused("bad-cbor", "trailing bytes")
    return value


def cbor_bstr(b):
    n = len(b)
    if n < 24:
        head = bytes([0x40 | n])
    elif n < 256:
        head = bytes([0x58, n])
    else:
        head = bytes([0x59]) + n.to_bytes(2, "big")
    return head + b


def contains_tag(value):
    if isinstance(value, Tagged):
        return True
    if isinstance(value, list):
        return any(contains_tag(v) for v in value)
    if isinstance(value, dict):
        return any(contains_tag(v) for v in value.values())
    return False


# --- §2: COSE_Sign1 ---------------------------------------------------------

def parse_sign1(data):
    cose = decode(data)
    if not isinstance(cose, Tagged) or cose.tag != 18:
        raise Refused("not-cose-sign1", "not tag 18")
    parts = cose.value
    if not isinstance(parts, list) or len(parts) != 4:
        raise Refused("bad-structure", "not an array of four")
    protected, unprotected, payload, signature = parts
    if not isinstance(protected, bytes):
        raise Refused("bad-structure", "protected is not bytes")
    if not isinstance(unprotected, dict):
        raise Refused("bad-structure", "unprotected is not a map")
    if unprotected:
        raise Refused("unprotected-header", "unprotected header not empty")
    if not isinstance(payload, bytes) or not isinstance(signature, bytes):
        raise Refused("bad-structure", "payload or signature is not bytes")
    if len(signature) != 64:
        raise Refused("bad-structure", "signature is not 64 bytes")
    header = decode(protected)
    if not isinstance(header, dict):
        raise Refused("bad-structure", "protected header is not a map")
    for label in header:
        if label not in (1, 4):
            raise Refused("unknown-header", "header %r" % (label,))
    if header.get(1) != -8:
        raise Refused("wrong-alg", "alg is not EdDSA")
    kid = header.get(4)
    if not isinstance(kid, bytes) or len(kid) != 8:
        raise Refused("missing-kid", "no 8-byte kid")
    return protected, payload, signature, kid


def signed_bytes(protected, payload):
    # Sig_structure = ["Signature1", protected, h'', payload]
    return (bytes([0x84, 0x6A]) + b"Signature1" + cbor_bstr(protected)
            + bytes([0x40]) + cbor_bstr(payload))


# --- §5: trust ---------------------------------------------------------------

def b64url(s):
    if not re.fullmatch(r"[A-Za-z0-9_-]*", s):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def point_from_bytes(raw):
    """Decompresses an Edwards point; None if it is not on the curve."""
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    sign = raw[31] >> 7
    y %= P
    u, v = (y * y - 1) % P, (D * y * y + 1) % P
    x = (u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P)) % P
    if (v * x * x - u) % P != 0:
        x = x * pow(2, (P - 1) // 4, P) % P
        if (v * x * x - u) % P != 0:
            return None
    if x & 1 != sign:
        x = (-x) % P
    return (x, y, 1, x * y % P)


def point_add(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa, bb = (y1 - x1) * (y2 - x2) % P, (y1 + x1) * (y2 + x2) % P
    cc, dd = 2 * D * t1 * t2 % P, 2 * z1 * z2 % P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def is_small_order(point):
    q = point
    for _ in range(3):
        q = point_add(q, q)
    x, y, z, _ = q
    return x % P == 0 and (y - z) % P == 0


def load_trust(jwks):
    keys = []
    for i, jwk in enumerate(jwks.get("keys", [])):
        where = "key %d" % (i + 1)
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            raise Refused("bad-trust", where + ": not an Ed25519 key")
        try:
            raw = b64url(jwk.get("x", ""))
        except ValueError:
            raise Refused("bad-trust", where + ": x is not base64url")
        if len(raw) != 32:
            raise Refused("bad-trust", where + ": x is not 32 bytes")
        point = point_from_bytes(raw)
        if point is None:
            raise Refused("bad-trust", where + ": x is not on the curve")
        if is_small_order(point):
            raise Refused("bad-trust", where + ": small-order key")
        kid = hashlib.sha256(raw).digest()[:8]
        if jwk.get("kid") != kid.hex():
            raise Refused("bad-trust", where + ": kid is not the key's own")
        window = []
        for name in ("nbf", "exp"):
            value = jwk.get(name)
            if value is not None and parse_date(value) is None:
                raise Refused("bad-trust", where + ": %s is not a date" % name)
            window.append(value)
        keys.append({"kid": kid, "raw": raw, "nbf": window[0], "exp": window[1]})
    return {"issuer": jwks.get("issuer"), "verify_url": jwks.get("verify_url"), "keys": keys}


def parse_date(text):
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def check_signature(key, protected, payload, signature):
    if int.from_bytes(signature[32:], "little") >= L:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(key["raw"]).verify(
            signature, signed_bytes(protected, payload))
        return True
    except InvalidSignature:
        return False


def signer_of(trust, protected, payload, signature, kid):
    candidates = [k for k in trust["keys"] if k["kid"] == kid]
    if not candidates:
        raise Refused("unknown-kid", "no trusted key with kid %s" % kid.hex())
    for key in candidates:
        if check_signature(key, protected, payload, signature):
            return key
    raise Refused("bad-signature", "no key with that kid verifies the signature")


# --- §1: claims --------------------------------------------------------------

def read_claims(payload):
    try:
        claims = decode(payload)
    except Refused as e:
        raise Refused("bad-claims", "the claims are not deterministic CBOR: %s" % e)
    if not isinstance(claims, dict) or contains_tag(claims):
        raise Refused("bad-claims", "the claims are not a plain map")
    out = {}
    for key, value in claims.items():
        if key not in CLAIM_NAMES:
            raise Refused("bad-claims", "unknown claim %r" % (key,))
        if key in (8, 10, 11):
            if not isinstance(value, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
                raise Refused("bad-claims", "claim %d must map text to text" % key)
        elif not isinstance(value, str):
            raise Refused("bad-claims", "claim %d is not text" % key)
        if key in (6, 9) and parse_date(value) is None:
            raise Refused("bad-claims", "claim %d is not a date" % key)
        out[CLAIM_NAMES[key]] = value
    for key in REQUIRED:
        if CLAIM_NAMES[key] not in out:
            raise Refused("bad-claims", "claim %d is missing" % key)
    out.setdefault("place", None)
    out.setdefault("extra", {})
    out.setdefault("valid_until", None)
    # A label or printed form is of a field the seal signs (claims 10, 11).
    for key in (10, 11):
        for name in out.get(CLAIM_NAMES[key], {}):
            if name not in out["extra"]:
                raise Refused("bad-claims", "claim %d names %r, which claim 8 does not hold" % (key, name))
    return out


# --- §6: revocation lists ----------------------------------------------------

def read_revocations(data, trust):
    try:
        protected, payload, signature, kid = parse_sign1(data)
        signer_of(trust, protected, payload, signature, kid)
        body = decode(payload)
    except Refused as e:
        raise Refused("bad-revocation-list", str(e))
    if (not isinstance(body, dict) or set(body) != {0, 1, 2}
            or body[0] != "piagam-revocations" or parse_date(body[1]) is None
            or not isinstance(body[2], list)):
        raise Refused("bad-revocation-list", "malformed list")
    entries = {}
    for entry in body[2]:
        if (not isinstance(entry, dict) or set(entry) != {1, 2, 3}
                or not all(isinstance(v, str) for v in entry.values())
                or parse_date(entry[3]) is None or entry[1] in entries):
            raise Refused("bad-revocation-list", "malformed entry")
        entries[entry[1]] = {"reason": entry[2], "date": entry[3]}
    return {"date": body[1], "entries": entries}


# --- §8: verification, step by step -------------------------------------------

def verify(jwks, qr_text, today, revocations_bytes=None):
    trust = load_trust(jwks)
    revocations = read_revocations(revocations_bytes, trust) if revocations_bytes else None
    if len(qr_text) > MAX_TEXT:
        raise Refused("too-large", "input too long")
    text = qr_text.strip()
    address, _, digits = text.rpartition("#")
    has_address = "#" in text
    if not digits:
        raise Refused("empty", "no digits")
    if has_address and trust["verify_url"] is not None and address != trust["verify_url"]:
        raise Refused("wrong-prefix", "address %s is not the issuer's" % address)
    protected, payload, signature, kid = parse_sign1(digits_to_bytes(digits))
    if int.from_bytes(signature[32:], "little") >= L:
        raise Refused("non-canonical-signature", "S is not below L")
    signer = signer_of(trust, protected, payload, signature, kid)
    claims = read_claims(payload)
    if revocations and claims["serial"] in revocations["entries"]:
        raise Refused("revoked", "revoked: %s" % revocations["entries"][claims["serial"]])
    date = parse_date(claims["date"])
    if (signer["nbf"] and date < parse_date(signer["nbf"])) or (
            signer["exp"] and date > parse_date(signer["exp"])):
        raise Refused("key-not-valid-on-date", "outside the key's window")
    if claims["valid_until"] and parse_date(claims["valid_until"]) < today:
        raise Refused("expired", "valid until %s" % claims["valid_until"])
    return {"valid": True, "code": None, "issuer": trust["issuer"], "kid": kid.hex(),
            "claims": claims}


def run(jwks, qr_text, today, revocations_bytes=None):
    try:
        return verify(jwks, qr_text, today, revocations_bytes)
    except Refused as e:
        return {"valid": False, "code": e.code, "message": str(e), "claims": None}


def main(argv):
    if len(argv) == 3 and argv[1] == "--vector":
        with open(argv[2], encoding="utf-8") as f:
            vector = json.load(f)
        hex_list = vector.get("revocations_hex")
        result = run(vector["jwks"], vector["qr_text"],
                     datetime.date.fromisoformat(vector["today"]),
                     bytes.fromhex(hex_list) if hex_list else None)
    elif len(argv) == 3:
        with open(argv[1], encoding="utf-8") as f:
            jwks = json.load(f)
        result = run(jwks, argv[2], datetime.datetime.now(datetime.timezone.utc).date())
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, sort_keys=True))
    return 0 if result["valid"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
