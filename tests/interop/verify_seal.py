#!/usr/bin/env python3
"""An independent piagam seal verifier, written from docs/FORMAT.md alone.

It shares no code with the Rust implementation: if both accept the same
seals and reject the same tampering, the format is specified well enough.

Usage: verify_seal.py ISSUER.jwks.json QR_TEXT
Prints the signed claims as JSON and exits 0, or prints the reason and exits 1.
Needs the 'cryptography' package (pip install cryptography).
"""
import base64
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

TAIL_DIGITS = {0: 0, 3: 1, 5: 2, 8: 3, 10: 4, 13: 5, 15: 6}


def digits_to_bytes(digits):
    if not digits.isdigit() or not digits.isascii():
        raise ValueError("not digits")
    full, rest = divmod(len(digits), 17)
    if rest not in TAIL_DIGITS:
        raise ValueError("bad digit count")
    out = bytearray()
    for i in range(full):
        n = int(digits[17 * i:17 * i + 17])
        if n >= 1 << 56:
            raise ValueError("group too large")
        out += n.to_bytes(7, "big")
    if rest:
        size = TAIL_DIGITS[rest]
        n = int(digits[17 * full:])
        if n >= 1 << (8 * size):
            raise ValueError("group too large")
        out += n.to_bytes(size, "big")
    return bytes(out)


class Cbor:
    """Just enough strict CBOR: ints, byte and text strings, arrays, maps, tags."""

    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise ValueError("truncated")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def head(self):
        b = self.take(1)[0]
        major, info = b >> 5, b & 31
        if major == 7 or info > 27:
            raise ValueError("unsupported item")
        if info < 24:
            return major, info
        size = 1 << (info - 24)
        n = int.from_bytes(self.take(size), "big")
        if n < (24 if size == 1 else 1 << (4 * size)):
            raise ValueError("non-shortest head")
        return major, n

    def item(self):
        start = self.pos
        major, n = self.head()
        if major == 0:
            return n
        if major == 1:
            return -1 - n
        if major == 2:
            return bytes(self.take(n))
        if major == 3:
            return self.take(n).decode("utf-8")
        if major == 4:
            return [self.item() for _ in range(n)]
        if major == 5:
            result, last = {}, None
            for _ in range(n):
                key_start = self.pos
                key = self.item()
                raw = self.data[key_start:self.pos]
                if last is not None and raw <= last:
                    raise ValueError("map keys not in deterministic order")
                last = raw
                result[key] = self.item()
            return result
        if major == 6:
            return ("tag", n, self.item())
        raise ValueError("bad item at %d" % start)


def decode(data):
    reader = Cbor(data)
    value = reader.item()
    if reader.pos != len(data):
        raise ValueError("trailing bytes")
    return value


def b64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def cbor_bstr(b):
    n = len(b)
    if n < 24:
        head = bytes([0x40 | n])
    elif n < 256:
        head = bytes([0x58, n])
    else:
        head = bytes([0x59]) + n.to_bytes(2, "big")
    return head + b


def verify(jwks, qr_text):
    digits = qr_text.rsplit("#", 1)[-1]
    cose = decode(digits_to_bytes(digits))
    if not (isinstance(cose, tuple) and cose[1] == 18):
        raise ValueError("not a COSE_Sign1 (tag 18)")
    protected, unprotected, payload, signature = cose[2]
    header = decode(protected)
    if set(header) != {1, 4} or header[1] != -8 or len(header[4]) != 8:
        raise ValueError("protected header must be exactly {1: -8, 4: kid}")
    if unprotected != {}:
        raise ValueError("unprotected header must be empty")
    kid = header[4].hex()
    # Sig_structure = ["Signature1", protected, h'', payload]
    to_be_signed = (bytes([0x84, 0x6A]) + b"Signature1" + cbor_bstr(protected)
                    + bytes([0x40]) + cbor_bstr(payload))
    for key in jwks["keys"]:
        if key["kid"] != kid:
            continue
        raw = b64url(key["x"])
        try:
            Ed25519PublicKey.from_public_bytes(raw).verify(signature, to_be_signed)
        except InvalidSignature:
            continue
        claims = decode(payload)
        names = {1: "serial", 2: "kind", 3: "recipient", 4: "achievement", 5: "event",
                 6: "date", 7: "place", 8: "extra", 9: "valid_until"}
        return {"issuer": jwks["issuer"], "kid": kid,
                "claims": {names[k]: v for k, v in claims.items()}}
    raise ValueError("no trusted key with kid %s verifies the signature" % kid)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        jwks = json.load(f)
    try:
        result = verify(jwks, sys.argv[2])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
        print("invalid: %s" % e)
        return 1
    print(json.dumps(result, ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
