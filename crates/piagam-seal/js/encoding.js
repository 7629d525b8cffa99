// Text to bytes and back: hex, base64url, a seal's digits (docs/FORMAT.md
// §4), and strict YYYY-MM-DD dates.
"use strict";

const PiagamEncoding = (() => {
  const { Refused } = typeof require === "function" ? require("./refused.js") : PiagamRefused;

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

  const TAIL_DIGITS = { 0: 0, 3: 1, 5: 2, 8: 3, 10: 4, 13: 5, 15: 6 };

  /// The bytes a seal's digits stand for (docs/FORMAT.md §4).
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

  return { hex, base64url, parseDate, decodeDigits };
})();

if (typeof module !== "undefined") module.exports = PiagamEncoding;
