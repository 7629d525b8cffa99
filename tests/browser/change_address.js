// Opens the verification page at an address, waits for its verdict, then
// changes what follows '#' in the same tab, as a reader who pastes another
// link does. Prints, as JSON, the verdict before and after: an earlier SAH
// must never stay on screen. tests/site.rs runs it.
//
// Usage: node change_address.js URL NEW_FRAGMENT
"use strict";

const { chromium } = require("playwright-core");

const CHROMIUM = process.env.PIAGAM_CHROMIUM || "/usr/bin/chromium";
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

function shown() {
  return {
    verdict: document.body.dataset.verdict,
    code: document.body.dataset.code || null,
    word: document.getElementById("verdict-word").textContent,
    claimsShown: !document.getElementById("fields").hidden,
    claims: Array.from(document.querySelectorAll("#claims div")).map((d) => d.textContent),
  };
}

async function main() {
  const [url, fragment] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url);
    // "pending" is the page checking; wait for what it then says.
    const settled = () => !["", "none", "pending", "changing", undefined].includes(document.body.dataset.verdict);
    await page.waitForFunction(settled);
    const before = await page.evaluate(shown);
    await page.evaluate((f) => {
      document.body.dataset.verdict = "changing";
      location.hash = f;
    }, fragment);
    await page.waitForFunction(settled, null, { timeout: 10000 });
    const after = await page.evaluate(shown);
    process.stdout.write(JSON.stringify({ before, after, errors }));
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
