// The seal verifier of docs/FORMAT.md §8, in the browser: the same steps,
// refusals and error codes as src/verify.rs, so the page and
// `piagam verify` agree on every input (vectors/ runs through both). It is
// made of cbor.js, ed25519.js, refused.js, sha256.js, encoding.js, cose.js
// and lists.js, loaded in that order before it.
"use strict";

const PiagamVerify = (() => {
  const Ed = typeof require === "function" ? require("./ed25519.js") : PiagamEd25519;
  const Cbor = typeof require === "function" ? require("./cbor.js") : PiagamCbor;
  const { Refused } = typeof require === "function" ? require("./refused.js") : PiagamRefused;
  const { sha256 } = typeof require === "function" ? require("./sha256.js") : PiagamSha256;
  const { hex, base64url, parseDate, decodeDigits } = typeof require === "function" ? require("./encoding.js") : PiagamEncoding;
  const { parseSign1, checkSignature, webCryptoHasEd25519 } = typeof require === "function" ? require("./cose.js") : PiagamCose;
  const Lists = typeof require === "function" ? require("./lists.js") : PiagamLists;

  const MAX_QR_TEXT_LEN = 8192;
  const CLAIMS = { 1: "serial", 2: "kind", 3: "recipient", 4: "achievement", 5: "event", 6: "date", 7: "place", 8: "extra", 9: "valid_until", 10: "labels", 11: "shown" };

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
    const claims = { place: null, extra: new Map(), valid_until: null, labels: new Map(), shown: new Map() };
    for (const [k, v] of value.entries) {
      if (typeof k !== "number") throw bad("a claim key is not an integer");
      const name = CLAIMS[k];
      if (name === undefined) throw bad(`unknown claim key ${k}`);
      if (k === 8 || k === 10 || k === 11) {
        if (!(v instanceof Cbor.CborMap)) throw bad(`claim ${k} is not a map`);
        for (const [ek, ev] of v.entries) {
          if (typeof ek !== "string" || typeof ev !== "string") throw bad(`claim ${k} must map text to text`);
          claims[name].set(ek, ev);
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
    // A label or printed form is of a field the document signs.
    for (const k of [10, 11]) {
      for (const key of claims[CLAIMS[k]].keys()) {
        if (!claims.extra.has(key)) throw bad(`claim ${k} names '${key}', which claim 8 does not hold`);
      }
    }
    return claims;
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
        report.replaced_by = Lists.replacedBy(entry.reason);
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

  /// Claims as the JSON of docs/FORMAT.md (the extra claims as an object
  /// with each signed key as its own property).
  function claimsToJson(claims) {
    const { labels, shown, ...rest } = claims;
    const json = { ...rest, extra: Object.fromEntries(claims.extra) };
    // Only where the seal holds them, as the Rust verifier says them.
    if (labels.size > 0) json.labels = Object.fromEntries(labels);
    if (shown.size > 0) json.shown = Object.fromEntries(shown);
    return json;
  }

  /// Verifies a QR text or verify URL. Never throws for a bad seal: the
  /// report says why. options: { today: "YYYY-MM-DD", revocations,
  /// expectedUrl, useWebCrypto }.
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
    loadTrust,
    claimsToJson,
    verifyText,
    webCryptoHasEd25519,
    parseDate,
    Refused,
    sha256,
    openRevocations: Lists.openRevocations,
    openIssued: Lists.openIssued,
    digestFile: Lists.digestFile,
    judgeFile: Lists.judgeFile,
    replacedBy: Lists.replacedBy,
  };
})();

if (typeof module !== "undefined") module.exports = PiagamVerify;
