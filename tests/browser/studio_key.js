// Takes an existing key into the studio as an organizer would: a file that
// is no key first (refused on the issuer field), then the real PEM. Prints
// what the page said, as JSON. tests/studio.rs runs it.
//
// Usage: node studio_key.js URL PEM_FILE
"use strict";

const { chromium } = require("playwright-core");

const CHROMIUM = process.env.PIAGAM_CHROMIUM || "/usr/bin/chromium";

async function main() {
  const [url, pem] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"], headless: true });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.ready === "true");
    await page.fill('input[name="issuer"]', "Dinas Kominfo Contoh");
    await page.setInputFiles("#key-file", { name: "bad.pem", mimeType: "text/plain", buffer: Buffer.from("nope") });
    await page.waitForFunction(() => document.querySelector('.problem[data-for="issuer"]').textContent !== "");
    const bad = await page.textContent('.problem[data-for="issuer"]');
    await page.setInputFiles("#key-file", pem);
    await page.waitForFunction(() => document.getElementById("key-new").hidden);
    const status = await page.textContent("#key-status");
    process.stdout.write(JSON.stringify({ bad, status }));
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
