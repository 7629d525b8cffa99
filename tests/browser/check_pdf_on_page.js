// Opens the verification page in Debian's Chromium (driven by playwright-core,
// no downloaded browser) and gives it PDF files the way a reader does: picked
// with the file input, or dropped onto the page. Prints, as JSON, what the
// page then shows for each. tests/site.rs runs it and judges the answers.
//
// Usage: node check_pdf_on_page.js CASES.json
//   CASES.json: [{ "url": "...", "pdf": "/path/file.pdf", "how": "input" | "drop" }]
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { chromium } = require("playwright-core");

const CHROMIUM = process.env.PIAGAM_CHROMIUM || "/usr/bin/chromium";
// The flags a closed network needs: no background requests to Google.
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

async function give(page, pdf, how) {
  if (how === "input") {
    await page.setInputFiles("#pdf", pdf);
    return;
  }
  // A drop carries a DataTransfer holding the file, as from a file manager.
  const bytes = Array.from(fs.readFileSync(pdf));
  const transfer = await page.evaluateHandle(
    ({ bytes, name }) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], name, { type: "application/pdf" }));
      return data;
    },
    { bytes, name: path.basename(pdf) },
  );
  await page.dispatchEvent("body", "drop", { dataTransfer: transfer });
}

async function main() {
  const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  const results = [];
  try {
    for (const { url, pdf, how } of cases) {
      const page = await browser.newPage();
      await page.goto(url);
      // The page is ready once it has asked for a seal.
      await page.waitForFunction(() => document.body.dataset.verdict === "none");
      await give(page, pdf, how);
      // A verdict, or a word on the file alone; never "pending" (checking).
      await page.waitForFunction(() => {
        const verdict = document.body.dataset.verdict;
        if (verdict === "pending") return false;
        return verdict !== "none" || !document.getElementById("file-note").hidden;
      });
      results.push(
        await page.evaluate(() => ({
          verdict: document.body.dataset.verdict,
          file: document.body.dataset.file || null,
          code: document.body.dataset.code || null,
          word: document.getElementById("verdict-word").textContent,
          reason: document.getElementById("verdict-reason").textContent,
          note: document.getElementById("file-note").hidden ? null : document.getElementById("file-verdict").textContent,
          recipient: (() => {
            const dd = document.querySelector("#claims dd");
            return dd && !document.getElementById("fields").hidden ? document.querySelectorAll("#claims dd")[1].textContent : null;
          })(),
        })),
      );
      await page.close();
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((e) => {
  process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
