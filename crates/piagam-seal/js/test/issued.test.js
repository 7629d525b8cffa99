// The page's reader of the issued-files list agrees with piagam on every
// vector in vectors/issued (docs/FORMAT.md §12): the same refusal of a
// bad list, and the same answer for each file. Both Ed25519 paths.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const Verify = require("../verify.js");

const dir = path.join(__dirname, "..", "..", "vectors", "issued");
const vectors = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => ({ name: f, doc: JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) }));

async function runVector(doc, useWebCrypto) {
  const trust = Verify.loadTrust(doc.jwks);
  let list;
  try {
    list = await Verify.openIssued(Buffer.from(doc.list_hex, "hex"), trust, { useWebCrypto });
  } catch (e) {
    if (e instanceof Verify.Refused) return { list: e.code, file: "not-checked", issued_on: null };
    throw e;
  }
  const digest = await Verify.digestFile(Uint8Array.from(Buffer.from(doc.file_hex, "hex")));
  const judged = Verify.judgeFile(list, digest, doc.serials);
  return { list: null, file: judged.check, issued_on: judged.entry ? judged.entry.date : null };
}

test("there are vectors for each answer and each kind of bad list", () => {
  assert.ok(vectors.length >= 14, `only ${vectors.length} vectors`);
});

for (const useWebCrypto of [true, false]) {
  const way = useWebCrypto ? "WebCrypto" : "plain-JS Ed25519";
  test(`every issued-list vector gives its expected result (${way})`, async () => {
    for (const { name, doc } of vectors) {
      assert.deepEqual(await runVector(doc, useWebCrypto), doc.expected, name);
    }
  });
}

test("the plain-JS SHA-256 and WebCrypto's agree on a file", async () => {
  const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) & 0xff);
  assert.deepEqual(Verify.sha256(bytes), await Verify.digestFile(bytes));
});

test("with no list at hand a file is not checked, or judged page by page", () => {
  const digest = new Uint8Array(32);
  assert.equal(Verify.judgeFile(null, digest, ["001"]).check, "not-checked");
  assert.equal(Verify.judgeFile(null, digest, ["001", "002"]).check, "several-documents");
});
