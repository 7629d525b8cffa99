// Why a seal, list or trust file is refused: a stable code and words.
"use strict";

const PiagamRefused = (() => {
  /// A seal, list or trust file refused, with its stable code
  /// (docs/FORMAT.md §9).
  class Refused extends Error {
    constructor(code, message) {
      super(message);
      this.code = code;
    }
  }

  return { Refused };
})();

if (typeof module !== "undefined") module.exports = PiagamRefused;
