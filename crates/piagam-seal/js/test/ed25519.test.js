// The plain-JS Ed25519 against RFC 8032's examples and Project Wycheproof's
// EdDSA cases (vectors/ed25519/): every valid signature passes and every
// invalid one, malleable S and bad encodings included, fails. The Rust
// side runs the same files (tests/ed25519_vectors.rs), so both agree.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const Ed = require("../ed25519.js");

const dir = path.join(__dirname, "..", "..", "vectors", "ed25519");
const bytes = (hex) => Uint8Array.from((hex.match(/../g) || []).map((b) => parseInt(b, 16)));

test("RFC 8032 examples verify, and fail with any bit of the signature flipped", () => {
  const { cases } = require(path.join(dir, "rfc8032.json"));
  assert.equal(cases.length, 3);
  for (const c of cases) {
    const [pk, msg, sig] = [bytes(c.pk), bytes(c.msg), bytes(c.sig)];
    assert.equal(Ed.verify(pk, msg, sig), true, c.name);
    for (let bit = 0; bit < 512; bit += 37) {
      const flipped = sig.slice();
      flipped[bit >> 3] ^= 1 << (bit & 7);
      assert.equal(Ed.verify(pk, msg, flipped), false, `${c.name}, bit ${bit}`);
    }
  }
});

test("Wycheproof EdDSA cases give Wycheproof's result", () => {
  const { cases } = require(path.join(dir, "wycheproof.json"));
  assert.ok(cases.length >= 150, `${cases.length} cases`);
  for (const c of cases) {
    const got = Ed.verify(bytes(c.pk), bytes(c.msg), bytes(c.sig));
    assert.equal(got, c.result === "valid", `tcId ${c.tcId} (${c.comment}; ${c.flags.join(", ")})`);
  }
});
