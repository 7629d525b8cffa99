// The studio's words: both languages say every thing, and label() fills
// in values without ever showing a blank.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LABELS, LANGUAGES, label } from "../labels.js";

test("Indonesian and English have the same keys, none empty", () => {
  assert.deepEqual(LANGUAGES, ["id", "en"]);
  const id = Object.keys(LABELS.id).sort();
  assert.deepEqual(Object.keys(LABELS.en).sort(), id);
  for (const lang of LANGUAGES) {
    for (const [key, text] of Object.entries(LABELS[lang])) {
      assert.ok(text.trim().length > 0, `${lang}.${key} is empty`);
    }
  }
});

test("every label the page names exists", async () => {
  const { readFile } = await import("node:fs/promises");
  const html = await readFile(new URL("../index.html", import.meta.url), "utf8");
  const named = [...html.matchAll(/data-label="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(named.length > 10);
  for (const key of named) assert.ok(key in LABELS.id, `index.html names ${key}`);
});

test("values are filled in, and a gap shows as itself", () => {
  assert.equal(label("id", "problem:not-a-date", { detail: "20/11" }), "Bukan tanggal (TTTT-BB-HH): 20/11");
  assert.equal(label("en", "key-made", { issuer: "Dinas", kid: "ab" }).startsWith("The key of Dinas (id ab)"), true);
  assert.equal(label("en", "no-such-key"), "no-such-key");
  assert.equal(label("xx", "save"), "Simpan");
  // A value that looks like a placeholder is not filled again.
  assert.equal(label("id", "problem:not-a-date", { detail: "{detail}" }), "Bukan tanggal (TTTT-BB-HH): {detail}");
  // Inherited names are not labels.
  assert.equal(label("id", "constructor"), "constructor");
});

test("a row problem the page has words for is said in its language, else as the engine said it", async () => {
  const { problemText } = await import("../roster.js");
  const missing = { reason: "no 'recipient' column", kind: { code: "missing-column", field: "recipient", headers: ["No", "Nama Instansi"] } };
  assert.equal(problemText("id", missing), "Tidak ada kolom untuk Nama penerima (judul kolomnya: No, Nama Instansi). Pilih kolomnya pada daftar pilihan di atas tabel, atau periksa baris judul kolom.");
  assert.ok(problemText("en", missing).startsWith("No column for "));
  assert.equal(problemText("id", { reason: "this required field is empty", kind: { code: "empty-required" } }), "Wajib diisi, tetapi kosong.");
  assert.equal(problemText("id", { reason: "not a date: 31/02", kind: null }), "not a date: 31/02");
  assert.equal(problemText("id", { reason: "x", kind: { code: "no-such-kind" } }), "x");
});
