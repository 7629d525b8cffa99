// A PDF dropped onto the verification page (docs/FORMAT.md §12): its SHA-256
// is looked up in the issuer's list of issued files, and its seal is read
// from the link piagam puts over each QR code. Reading the QR picture
// itself is left to the camera: a PDF that holds no such link asks for the
// paper to be scanned.
"use strict";

const PiagamPdf = (() => {
  const Verify = typeof require === "function" ? require("./verify.js") : PiagamVerify;

  /// The largest PDF the page reads: a charter is well under 2 MB.
  const MAX_PDF_BYTES = 64 * 1024 * 1024;
  const latin1 = new TextDecoder("latin1");

  /// Every seal address in the PDF's link annotations (`/URI (…#digits)`),
  /// each once, in file order. Only plain literal strings of printable
  /// ASCII count; anything else is not a piagam link.
  function sealLinks(bytes) {
    const text = latin1.decode(bytes);
    const found = [];
    const pattern = /\/URI\s*\(([\x21-\x27\x2a-\x5b\x5d-\x7e]{1,8192})\)/g;
    for (const match of text.matchAll(pattern)) {
      const uri = match[1];
      if (/#\d+$/.test(uri) && !found.includes(uri)) found.push(uri);
    }
    return found;
  }

  /// Checks a PDF's bytes: each seal linked in it, and the file itself
  /// against `issued` (null when no list could be had).
  /// Returns { reports, file: { check, entry } } or { tooLarge: true }.
  async function checkPdf(bytes, trust, issued, options) {
    if (bytes.length > MAX_PDF_BYTES) return { tooLarge: true, reports: [], file: null };
    const reports = [];
    for (const link of sealLinks(bytes)) {
      reports.push(await Verify.verifyText(link, trust, options));
    }
    const serials = reports.filter((r) => r.valid).map((r) => r.claims.serial);
    const digest = await Verify.digestFile(bytes);
    return { tooLarge: false, reports, file: Verify.judgeFile(issued, digest, serials) };
  }

  return { sealLinks, checkPdf, MAX_PDF_BYTES };
})();

if (typeof module !== "undefined") module.exports = PiagamPdf;
