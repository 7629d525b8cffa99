// The page's verifier agrees with `piagam verify` on every shared vector in
// vectors/: same verdict, same error code, same claims. Both paths:
// WebCrypto's Ed25519 and the plain-JS fallback.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const Verify = require("../verify.js");
const Ed = require("../ed25519.js");

const vectorDir = path.join(__dirname, "..", "..", "vectors");
const vectors = fs
  .readdirSync(vectorDir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => ({ name: f, doc: JSON.parse(fs.readFileSync(path.join(vectorDir, f), "utf8")) }));

async function runVector(doc, useWebCrypto) {
  let trust;
  try {
    trust = Verify.loadTrust(doc.jwks);
  } catch (e) {
    if (e instanceof Verify.Refused) return { valid: false, code: e.code, claims: null };
    throw e;
  }
  let revocations = null;
  if (doc.revocations_hex) {
    try {
      revocations = await Verify.openRevocations(Buffer.from(doc.revocations_hex, "hex"), trust, { useWebCrypto });
    } catch (e) {
      if (e instanceof Verify.Refused) return { valid: false, code: e.code, claims: null };
      throw e;
    }
  }
  const report = await Verify.verifyText(doc.qr_text, trust, { today: doc.today, revocations, useWebCrypto });
  return { valid: report.valid, code: report.code, claims: report.valid ? Verify.claimsToJson(report.claims) : null, replaced_by: report.replaced_by };
}

test("there are vectors for every error class", () => {
  assert.ok(vectors.length >= 35, `only ${vectors.length} vectors`);
});

for (const useWebCrypto of [true, false]) {
  const way = useWebCrypto ? "WebCrypto" : "plain-JS Ed25519";
  test(`every vector gives its expected result (${way})`, async () => {
    for (const { name, doc } of vectors) {
      const got = await runVector(doc, useWebCrypto);
      assert.equal(got.valid, doc.expected.valid, `${name}: ${JSON.stringify(got)}`);
      assert.equal(got.code, doc.expected.code, `${name}: ${JSON.stringify(got)}`);
      assert.deepEqual(got.claims, doc.expected.claims, name);
      if ("replaced_by" in doc.expected) assert.equal(got.replaced_by, doc.expected.replaced_by, name);
    }
  });

  test(`flipping any byte of a valid seal fails (${way})`, async () => {
    const { doc } = vectors.find((v) => v.name === "valid-basic.json");
    const trust = Verify.loadTrust(doc.jwks);
    const [url, digits] = doc.qr_text.split("#");
    // Re-encode each altered byte string as digits, like the Rust test.
    const bytes = [];
    for (let i = 0; i < Math.floor(digits.length / 17); i++) {
      let n = BigInt(digits.slice(17 * i, 17 * i + 17));
      const group = [];
      for (let j = 0; j < 7; j++) {
        group.unshift(Number(n & 0xffn));
        n >>= 8n;
      }
      bytes.push(...group);
    }
    const tail = digits.slice(17 * Math.floor(digits.length / 17));
    const tailBytes = { 0: 0, 3: 1, 5: 2, 8: 3, 10: 4, 13: 5, 15: 6 }[tail.length];
    let n = tail ? BigInt(tail) : 0n;
    const last = [];
    for (let j = 0; j < tailBytes; j++) {
      last.unshift(Number(n & 0xffn));
      n >>= 8n;
    }
    bytes.push(...last);
    const encode = (b) => {
      let out = "";
      for (let i = 0; i < b.length; i += 7) {
        const chunk = b.slice(i, i + 7);
        let v = 0n;
        for (const x of chunk) v = (v << 8n) | BigInt(x);
        const width = [0, 3, 5, 8, 10, 13, 15, 17][chunk.length];
        out += v.toString().padStart(width, "0");
      }
      return out;
    };
    assert.equal(encode(bytes), digits, "the digit codec round-trips");
    const step = useWebCrypto ? 1 : 7; // the plain-JS path is slower; every 7th byte
    for (let i = 0; i < bytes.length; i += step) {
      const altered = bytes.slice();
      altered[i] ^= 0x01;
      const report = await Verify.verifyText(`${url}#${encode(altered)}`, trust, { today: doc.today, useWebCrypto });
      assert.equal(report.valid, false, `byte ${i}`);
      assert.equal(report.claims === null || report.checks.signature !== "pass", true, `byte ${i}`);
    }
  });
}

test("the plain-JS Ed25519 passes RFC 8032 test 1 and refuses S + L", () => {
  const h = (s) => Uint8Array.from(Buffer.from(s, "hex"));
  const pk = h("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const sig = h(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  );
  assert.equal(Ed.verify(pk, new Uint8Array(0), sig), true);
  // S + L: the same signature, malleated.
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]);
  s += L;
  const malleated = sig.slice();
  for (let i = 32; i < 64; i++) {
    malleated[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  assert.equal(Ed.verify(pk, new Uint8Array(0), malleated), false);
});

test("SHA-256 and SHA-512 match Node's", () => {
  const crypto = require("node:crypto");
  for (const n of [0, 1, 55, 56, 63, 64, 111, 112, 127, 128, 300]) {
    const m = crypto.randomBytes(n);
    assert.equal(Buffer.from(Verify.sha256(new Uint8Array(m))).toString("hex"), crypto.createHash("sha256").update(m).digest("hex"));
    assert.equal(Buffer.from(Ed.sha512(new Uint8Array(m))).toString("hex"), crypto.createHash("sha512").update(m).digest("hex"));
  }
});
