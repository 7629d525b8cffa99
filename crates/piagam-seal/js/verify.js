// The seal verifier of docs/FORMAT.md §8, in the browser: the same steps,
// refusals and error codes as src/verify.rs, so the page and
// `piagam verify` agree on every input (vectors/ runs through both).
"use strict";

const PiagamVerify = (() => {
  const Cbor = typeof require === "function" ? require("./cbor.js") : PiagamCbor;
  const Ed = typeof require === "function" ? require("./ed25519.js") : PiagamEd25519;

  const MAX_QR_TEXT_LEN = 8192;
  const TAIL_DIGITS = { 0: 0, 3: 1, 5: 2, 8: 3, 10: 4, 13: 5, 15: 6 };
  const CLAIMS = { 1: "serial", 2: "kind", 3: "recipient", 4: "achievement", 5: "event", 6: "date", 7: "place", 8: "extra", 9: "valid_until" };
  const REVOCATION_MARKER = "piagam-revocations";
  const ISSUED_MARKER = "piagam-issued";

  class Refused extends Error {
    constructor(code, message) {
      super(message);
      this.code = code;
    }
  }

  // --- SHA-256, for key ids (FIPS 180-4) -------------------------------------
  const K256 = Uint32Array.from([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);

  function sha256(message) {
    const h = Uint32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    const padded = new Uint8Array(Math.ceil((message.length + 9) / 64) * 64);
    padded.set(message);
    padded[message.length] = 0x80;
    const view = new DataView(padded.buffer);
    view.setUint32(padded.length - 4, message.length * 8);
    view.setUint32(padded.length - 8, Math.floor(message.length / 0x20000000));
    const w = new Uint32Array(64);
    const rotr = (x, n) => (x >>> n) | (x << (32 - n));
    for (let block = 0; block < padded.length; block += 64) {
      for (let i = 0; i < 16; i++) w[i] = view.getUint32(block + 4 * i);
      for (let i = 16; i < 64; i++) {
        const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
      }
      let [a, b, c, d, e, f, g, hh] = h;
      for (let i = 0; i < 64; i++) {
        const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i]) >>> 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
        hh = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
      }
      [a, b, c, d, e, f, g, hh].forEach((x, i) => { h[i] = (h[i] + x) >>> 0; });
    }
    const out = new Uint8Array(32);
    const outView = new DataView(out.buffer);
    h.forEach((x, i) => outView.setUint32(4 * i, x));
    return out;
  }

  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

  function base64url(text) {
    if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text)) return null;
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    try {
      return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    } catch (e) {
      return null;
    }
  }

  /// A strict YYYY-MM-DD date, or null.
  function parseDate(text) {
    if (typeof text !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
    const [y, m, d] = text.split("-").map(Number);
    if (y < 1 || m < 1 || m > 12 || d < 1) return null;
    const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    return d <= days[m - 1] ? text : null;
  }

  // --- §5: trust -------------------------------------------------------------
  function loadTrust(jwks) {
    const bad = (i, why) => new Refused("bad-trust", `the trust file (JWKS) is not valid: key ${i + 1}: ${why}`);
    if (!jwks || typeof jwks !== "object" || !Array.isArray(jwks.keys) || typeof jwks.issuer !== "string") {
      throw new Refused("bad-trust", "the trust file (JWKS) is not valid");
    }
    const keys = jwks.keys.map((jwk, i) => {
      if (!jwk || jwk.kty !== "OKP" || jwk.crv !== "Ed25519") throw bad(i, "not an Ed25519 key");
      const raw = base64url(jwk.x);
      if (raw === null) throw bad(i, "x is not base64url");
      if (raw.length !== 32) throw bad(i, "x is not 32 bytes");
      const point = Ed.decodePoint(raw);
      if (point === null) throw bad(i, "x is not a valid Ed25519 point");
      if (Ed.isSmallOrder(point)) throw bad(i, "x is a small-order point");
      const kid = hex(sha256(raw).subarray(0, 8));
      if (jwk.kid !== kid) throw bad(i, `kid '${jwk.kid}' is not the key's own kid ${kid}`);
      for (const name of ["nbf", "exp"]) {
        if (jwk[name] !== undefined && jwk[name] !== null && parseDate(jwk[name]) === null) {
          throw bad(i, `${name} is not YYYY-MM-DD`);
        }
      }
      return { kid, raw, nbf: jwk.nbf || null, exp: jwk.exp || null };
    });
    return { issuer: jwks.issuer, verifyUrl: typeof jwks.verify_url === "string" ? jwks.verify_url : null, keys };
  }

  // --- §4: digits ------------------------------------------------------------
  function decodeDigits(digits) {
    for (const c of digits) {
      if (c < "0" || c > "9") throw new Refused("not-digits", `the seal contains '${c}' where only digits may be`);
    }
    const full = Math.floor(digits.length / 17);
    const rest = digits.length % 17;
    if (!(rest in TAIL_DIGITS)) throw new Refused("digit-count", `the seal has ${digits.length} digits, which no whole number of bytes gives`);
    const out = [];
    const group = (text, size) => {
      const n = BigInt(text);
      if (n >> BigInt(8 * size) !== 0n) throw new Refused("digit-group", "a group of digits is larger than its bytes can hold");
      for (let i = size - 1; i >= 0; i--) out.push(Number((n >> BigInt(8 * i)) & 0xffn));
    };
    for (let i = 0; i < full; i++) group(digits.slice(17 * i, 17 * i + 17), 7);
    if (rest) group(digits.slice(17 * full), TAIL_DIGITS[rest]);
    return Uint8Array.from(out);
  }

  // --- §2: COSE_Sign1 --------------------------------------------------------
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

  // --- §1: claims -------------------------------------------------------------
  function readClaims(payload) {
    let value;
    try {
      value = Cbor.decode(payload);
    } catch (e) {
      if (e instanceof Cbor.CborError) throw new Refused("bad-claims", `the signed claims are malformed: the claims are not deterministic CBOR: ${e.message}`);
      throw e;
    }
    const bad = (why) => new Refused("bad-claims", `the signed claims are malformed: ${why}`);
    if (!(value instanceof Cbor.CborMap)) throw bad("the payload is not a map");
    // A Map, not an object: a signed key such as "__proto__" is a key like
    // any other, never a property of every object.
    const claims = { place: null, extra: new Map(), valid_until: null };
    for (const [k, v] of value.entries) {
      if (typeof k !== "number") throw bad("a claim key is not an integer");
      const name = CLAIMS[k];
      if (name === undefined) throw bad(`unknown claim key ${k}`);
      if (k === 8) {
        if (!(v instanceof Cbor.CborMap)) throw bad(`claim ${k} is not a map`);
        for (const [ek, ev] of v.entries) {
          if (typeof ek !== "string" || typeof ev !== "string") throw bad(`claim ${k} must map text to text`);
          claims.extra.set(ek, ev);
        }
        continue;
      }
      if (typeof v !== "string") throw bad(`claim ${k} is not text`);
      if ((k === 6 || k === 9) && parseDate(v) === null) throw bad(`claim ${k} is not a YYYY-MM-DD date: '${v}'`);
      claims[name] = v;
    }
    for (const k of [1, 2, 3, 4, 5, 6]) {
      if (claims[CLAIMS[k]] === undefined) throw bad(`the required claim '${CLAIMS[k]}' is missing`);
    }
    return claims;
  }

  // --- Signed lists (§6, §12): a COSE_Sign1 like a seal, checked first -------
  async function openSignedList(bytes, trust, options, bad) {
    let sign1;
    try {
      sign1 = parseSign1(bytes);
    } catch (e) {
      if (e instanceof Refused) throw bad(e.message);
      throw e;
    }
    let signed = false;
    for (const key of trust.keys) {
      if (key.kid === hex(sign1.kid) && (await checkSignature(key, sign1, options.useWebCrypto))) {
        signed = true;
        break;
      }
    }
    if (!signed) throw bad("it is not signed by a trusted key of this issuer");
    try {
      return Cbor.decode(sign1.payload);
    } catch (e) {
      throw bad("its contents are malformed");
    }
  }

  // --- §6: revocation lists -----------------------------------------------------
  async function openRevocations(bytes, trust, options = {}) {
    const bad = (why) => new Refused("bad-revocation-list", `the revocation list cannot be used: ${why}`);
    const body = await openSignedList(bytes, trust, options, bad);
    const malformed = bad("its contents are malformed");
    if (!(body instanceof Cbor.CborMap) || body.entries.length !== 3 || body.get(0) !== REVOCATION_MARKER) throw malformed;
    const issued = body.get(1);
    const items = body.get(2);
    if (parseDate(issued) === null || !Array.isArray(items)) throw malformed;
    const entries = new Map();
    for (const item of items) {
      if (!(item instanceof Cbor.CborMap) || item.entries.length !== 3) throw malformed;
      const serial = item.get(1);
      const reason = item.get(2);
      const date = item.get(3);
      if (typeof serial !== "string" || typeof reason !== "string" || parseDate(date) === null || entries.has(serial)) throw malformed;
      entries.set(serial, { serial, reason, date });
    }
    return { issued, entries };
  }

  // --- §12: the list of issued files ---------------------------------------------
  async function openIssued(bytes, trust, options = {}) {
    const bad = (why) => new Refused("bad-issued-list", `the issued-files list cannot be used: ${why}`);
    const body = await openSignedList(bytes, trust, options, bad);
    const malformed = bad("its contents are malformed");
    if (!(body instanceof Cbor.CborMap) || body.entries.length !== 3 || body.get(0) !== ISSUED_MARKER) throw malformed;
    const date = body.get(1);
    const items = body.get(2);
    if (parseDate(date) === null || !Array.isArray(items)) throw malformed;
    const files = new Map(); // digest hex -> { serial, date }
    const serials = new Set();
    let previous = "";
    for (const item of items) {
      if (!(item instanceof Cbor.CborMap) || item.entries.length !== 3) throw malformed;
      const digest = item.get(1);
      const serial = item.get(2);
      const day = item.get(3);
      if (!(digest instanceof Uint8Array) || digest.length !== 32) throw malformed;
      if (typeof serial !== "string" || serial === "" || parseDate(day) === null) throw malformed;
      // Strictly ascending digests: one order, no duplicates.
      const key = hex(digest);
      if (key <= previous) throw malformed;
      previous = key;
      files.set(key, { serial, date: day });
      serials.add(serial);
    }
    return { date, files, serials };
  }

  /// The SHA-256 of a file's bytes, with WebCrypto where there is one.
  async function digestFile(bytes) {
    if (typeof crypto !== "undefined" && crypto.subtle) {
      return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    }
    return sha256(bytes);
  }

  /// What the list says of a file with this digest whose valid seals carry
  /// `serials`: "issued", "not-as-issued", "several-documents" or
  /// "not-checked" (docs/FORMAT.md §12).
  function judgeFile(list, digest, serials) {
    const several = new Set(serials).size > 1;
    if (list === null) return { check: several ? "several-documents" : "not-checked", entry: null };
    const entry = list.files.get(hex(digest));
    if (entry !== undefined) {
      return serials.includes(entry.serial) ? { check: "issued", entry } : { check: "not-as-issued", entry: null };
    }
    if (several) return { check: "several-documents", entry: null };
    if (serials.some((s) => list.serials.has(s))) return { check: "not-as-issued", entry: null };
    return { check: "not-checked", entry: null };
  }

  // --- §8: verification, step by step -----------------------------------------
  function newReport(today) {
    return {
      valid: false,
      code: null,
      message: null,
      issuer: null,
      kid: null,
      verify_url: null,
      checked_on: today,
      checks: { signature: "not-checked", issuer: "not-checked", revocation: "not-checked", dates: "not-checked" },
      claims: null,
      revoked: null,
      replaced_by: null,
      revocation_list_date: null,
    };
  }

  // A superseded document's reason names the corrected one that replaced it
  // (docs/FORMAT.md §6).
  const SUPERSEDED_PREFIX = "superseded by ";
  function replacedBy(reason) {
    if (!reason.startsWith(SUPERSEDED_PREFIX)) return null;
    const serial = reason.slice(SUPERSEDED_PREFIX.length).trim();
    return serial === "" ? null : serial;
  }

  async function run(text, trust, options, report) {
    if (text.length > MAX_QR_TEXT_LEN) throw new Refused("too-large", `the input is ${text.length} characters long, more than a seal can be`);
    const trimmed = text.trim();
    const at = trimmed.lastIndexOf("#");
    const url = at >= 0 ? trimmed.slice(0, at) : null;
    const digits = at >= 0 ? trimmed.slice(at + 1) : trimmed;
    report.verify_url = url;
    if (digits.length === 0) throw new Refused("empty", "the seal is empty");
    const expected = options.expectedUrl !== undefined ? options.expectedUrl : trust.verifyUrl;
    if (expected && url !== null && url !== expected) {
      throw new Refused("wrong-prefix", `the address before '#' is ${url}, but this issuer's seals use ${expected}`);
    }
    const sign1 = parseSign1(decodeDigits(digits));
    report.kid = hex(sign1.kid);
    if (!Ed.isCanonicalS(sign1.signature)) {
      report.checks.signature = "fail";
      throw new Refused("non-canonical-signature", "the signature is not in canonical form (S is not reduced)");
    }
    const candidates = trust.keys.filter((k) => k.kid === report.kid);
    if (candidates.length === 0) {
      report.checks.signature = "fail";
      throw new Refused("unknown-kid", `no trusted key has the key id ${report.kid}`);
    }
    let signer = null;
    for (const key of candidates) {
      if (await checkSignature(key, sign1, options.useWebCrypto)) {
        signer = key;
        break;
      }
    }
    if (signer === null) {
      report.checks.signature = "fail";
      throw new Refused("bad-signature", "the signature does not match: the seal was altered or signed by another key");
    }
    report.checks.signature = "pass";
    report.checks.issuer = "pass";
    report.issuer = trust.issuer;
    // Only now, with the signature good, is the payload read.
    const claims = readClaims(sign1.payload);
    report.claims = claims;
    const list = options.revocations;
    if (list) {
      report.revocation_list_date = list.issued;
      const entry = list.entries.get(claims.serial);
      if (entry) {
        report.checks.revocation = "fail";
        report.revoked = entry;
        report.replaced_by = replacedBy(entry.reason);
        if (report.replaced_by) {
          throw new Refused("revoked", `the seal was replaced by ${report.replaced_by} on ${entry.date} (revocation list of ${list.issued})`);
        }
        throw new Refused("revoked", `the seal was revoked on ${entry.date}: ${entry.reason} (revocation list of ${list.issued})`);
      }
      report.checks.revocation = "pass";
    }
    if ((signer.nbf && claims.date < signer.nbf) || (signer.exp && claims.date > signer.exp)) {
      report.checks.dates = "fail";
      throw new Refused("key-not-valid-on-date", `the seal is dated ${claims.date}, outside the signing key's validity (${signer.nbf || "…"} – ${signer.exp || "…"})`);
    }
    if (claims.valid_until && claims.valid_until < report.checked_on) {
      report.checks.dates = "fail";
      throw new Refused("expired", `the seal was valid until ${claims.valid_until}`);
    }
    report.checks.dates = "pass";
  }

  /// Verifies a QR text or verify URL. Never throws for a bad seal: the
  /// report says why. options: { today: "YYYY-MM-DD", revocations,
  /// expectedUrl, useWebCrypto }.
  /// Claims as the JSON of docs/FORMAT.md (the extra claims as an object
  /// with each signed key as its own property).
  function claimsToJson(claims) {
    return { ...claims, extra: Object.fromEntries(claims.extra) };
  }

  async function verifyText(text, trust, options = {}) {
    const report = newReport(options.today || new Date().toISOString().slice(0, 10));
    try {
      await run(String(text), trust, options, report);
      report.valid = true;
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
      report.code = e.code;
      report.message = e.message;
    }
    return report;
  }

  return {
    loadTrust, claimsToJson, openRevocations, openIssued, digestFile, judgeFile, verifyText, webCryptoHasEd25519, parseDate, Refused, sha256, replacedBy,
  };
})();

if (typeof module !== "undefined") module.exports = PiagamVerify;
