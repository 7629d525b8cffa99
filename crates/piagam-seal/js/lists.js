// The issuer's signed lists: revocations (docs/FORMAT.md §6) and issued
// files (§12), and what the issued-files list says of a file.
"use strict";

const PiagamLists = (() => {
  const Cbor = typeof require === "function" ? require("./cbor.js") : PiagamCbor;
  const { Refused } = typeof require === "function" ? require("./refused.js") : PiagamRefused;
  const { sha256 } = typeof require === "function" ? require("./sha256.js") : PiagamSha256;
  const { hex, parseDate } = typeof require === "function" ? require("./encoding.js") : PiagamEncoding;
  const { parseSign1, checkSignature } = typeof require === "function" ? require("./cose.js") : PiagamCose;

  const REVOCATION_MARKER = "piagam-revocations";
  const ISSUED_MARKER = "piagam-issued";

  // A signed list is a COSE_Sign1 like a seal, its signature checked first.
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

  // A superseded document's reason names the corrected one that replaced it
  // (docs/FORMAT.md §6).
  const SUPERSEDED_PREFIX = "superseded by ";
  function replacedBy(reason) {
    if (!reason.startsWith(SUPERSEDED_PREFIX)) return null;
    const serial = reason.slice(SUPERSEDED_PREFIX.length).trim();
    return serial === "" ? null : serial;
  }

  return { openRevocations, openIssued, digestFile, judgeFile, replacedBy };
})();

if (typeof module !== "undefined") module.exports = PiagamLists;
