// COSE_Sign1 (docs/FORMAT.md §2): read strictly, and its Ed25519 signature
// checked as piagam checks it, with WebCrypto where the browser has it.
"use strict";

const PiagamCose = (() => {
  const Cbor = typeof require === "function" ? require("./cbor.js") : PiagamCbor;
  const Ed = typeof require === "function" ? require("./ed25519.js") : PiagamEd25519;
  const { Refused } = typeof require === "function" ? require("./refused.js") : PiagamRefused;

  function decodeCbor(bytes, code) {
    try {
      return Cbor.decode(bytes);
    } catch (e) {
      if (e instanceof Cbor.CborError) throw new Refused(code, `the seal is not well-formed CBOR: ${e.message}`);
      throw e;
    }
  }

  function parseSign1(bytes) {
    const value = decodeCbor(bytes, "bad-cbor");
    if (!(value instanceof Cbor.CborTag)) throw new Refused("not-cose-sign1", "the seal is not a COSE_Sign1 (tag missing)");
    if (value.tag !== 18n) throw new Refused("not-cose-sign1", `the seal is not a COSE_Sign1 (tag ${value.tag})`);
    const parts = value.value;
    if (!Array.isArray(parts)) throw new Refused("bad-structure", "the seal is malformed: COSE_Sign1 is not an array");
    if (parts.length !== 4) throw new Refused("bad-structure", `the seal is malformed: COSE_Sign1 has ${parts.length} parts, not 4`);
    const [protectedBytes, unprotected, payload, signature] = parts;
    if (!(protectedBytes instanceof Uint8Array)) throw new Refused("bad-structure", "the seal is malformed: protected header is not a byte string");
    if (!(unprotected instanceof Cbor.CborMap)) throw new Refused("bad-structure", "the seal is malformed: unprotected header is not a map");
    if (unprotected.entries.length !== 0) throw new Refused("unprotected-header", "the unprotected header must be empty");
    if (!(payload instanceof Uint8Array)) throw new Refused("bad-structure", "the seal is malformed: payload is not a byte string");
    if (!(signature instanceof Uint8Array)) throw new Refused("bad-structure", "the seal is malformed: signature is not a byte string");
    if (signature.length !== 64) throw new Refused("bad-structure", `the seal is malformed: signature is ${signature.length} bytes, not 64`);
    const header = decodeCbor(protectedBytes, "bad-cbor");
    if (!(header instanceof Cbor.CborMap)) throw new Refused("bad-structure", "the seal is malformed: protected header is not a map");
    let alg;
    let kid;
    for (const [label, v] of header.entries) {
      if (label === 1) alg = v;
      else if (label === 4) kid = v;
      else if (label === 2) throw new Refused("unknown-header", "the seal has a header this verifier does not understand: crit (2)");
      else throw new Refused("unknown-header", `the seal has a header this verifier does not understand: ${String(label)}`);
    }
    if (alg !== -8) throw new Refused("wrong-alg", "the seal names an algorithm other than EdDSA");
    if (!(kid instanceof Uint8Array) || kid.length !== 8) throw new Refused("missing-kid", "the seal does not carry an 8-byte key id");
    return { protectedBytes, payload, signature, kid };
  }

  function toBeSigned(protectedBytes, payload) {
    // ["Signature1", protected, h'', payload]
    const parts = [
      Uint8Array.of(0x84, 0x6a),
      new TextEncoder().encode("Signature1"),
      Cbor.encodeBytes(protectedBytes),
      Uint8Array.of(0x40),
      Cbor.encodeBytes(payload),
    ];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /// WebCrypto's Ed25519 where the browser has it; else the plain-JS one.
  /// Both are strict: S below L, no small-order R (the key was checked when
  /// the trust was loaded).
  async function checkSignature(key, sign1, useWebCrypto) {
    // Checked here, before WebCrypto, so that every browser accepts exactly
    // what piagam accepts, for seals and signed lists alike.
    if (!Ed.isCanonicalS(sign1.signature)) return false;
    const message = toBeSigned(sign1.protectedBytes, sign1.payload);
    const r = Ed.decodePoint(sign1.signature.subarray(0, 32));
    if (r === null || Ed.isSmallOrder(r)) return false;
    if (useWebCrypto) {
      try {
        const cryptoKey = await crypto.subtle.importKey("raw", key.raw, { name: "Ed25519" }, false, ["verify"]);
        return await crypto.subtle.verify({ name: "Ed25519" }, cryptoKey, sign1.signature, message);
      } catch (e) {
        return false;
      }
    }
    return Ed.verify(key.raw, message, sign1.signature);
  }

  /// True where this browser's WebCrypto verifies Ed25519.
  async function webCryptoHasEd25519() {
    try {
      if (typeof crypto === "undefined" || !crypto.subtle) return false;
      const key = await crypto.subtle.importKey("raw", new Uint8Array(32).fill(0x11).map((b, i) => (i === 31 ? 0x22 : b)), { name: "Ed25519" }, false, ["verify"]);
      return Boolean(key);
    } catch (e) {
      return false;
    }
  }

  return { decodeCbor, parseSign1, checkSignature, webCryptoHasEd25519 };
})();

if (typeof module !== "undefined") module.exports = PiagamCose;
