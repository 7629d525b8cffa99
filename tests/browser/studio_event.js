// Drives the studio's event screen as an organizer would: opens the
// address piagam studio printed, leaves the name empty and saves, fills
// the event in and saves, makes the key, switches to English. Prints what
// the page showed at each step, as JSON. tests/studio.rs runs it.
//
// Usage: node studio_event.js URL
"use strict";

const { chromium } = require("playwright-core");

const CHROMIUM = process.env.PIAGAM_CHROMIUM || "/usr/bin/chromium";
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

async function main() {
  const [url] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  const out = { errors: [] };
  try {
    const page = await browser.newPage();
    page.on("pageerror", (e) => out.errors.push(String(e)));
    // A refused save answers 422 on purpose; any other failed load, or
    // any script error, is a defect.
    page.on("console", (m) => {
      if (m.type() === "error" && !/status of 422/.test(m.text())) out.errors.push(m.text());
    });
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.ready === "true");
    out.address = page.url();
    out.heading = await page.textContent("#event-heading");
    out.keyBefore = await page.textContent("#key-status");

    // Saved with no name: the problem shows on the name field.
    await page.fill('input[name="date"]', "2026-11-20");
    await page.click('#event-form button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('.problem[data-for="name"]').textContent !== "");
    out.nameProblem = await page.textContent('.problem[data-for="name"]');
    out.nameInvalid = await page.getAttribute('input[name="name"]', "aria-invalid");

    await page.fill('input[name="name"]', "Anugerah Layanan Digital 2026");
    await page.fill('input[name="place"]', "Semarang");
    await page.fill('input[name="verify_url"]', "https://kominfo.example.go.id/verifikasi");
    await page.fill('input[name="signatory_name"]', "Dr. Budi Santoso");
    await page.fill('input[name="signatory_title"]', "Kepala Dinas");
    await page.click('#event-form button[type="submit"]');
    await page.waitForSelector("#event-saved:not([hidden])");
    out.saved = await page.textContent("#event-saved");
    out.nameProblemAfter = await page.textContent('.problem[data-for="name"]');

    await page.fill('input[name="issuer"]', "Dinas Kominfo Provinsi Contoh");
    await page.click('#key-form button[type="submit"]');
    await page.waitForFunction(() => document.getElementById("key-new").hidden);
    out.keyAfter = await page.textContent("#key-status");

    await page.click("#language");
    out.englishHeading = await page.textContent("#event-heading");
    out.englishKey = await page.textContent("#key-status");
    out.lang = await page.evaluate(() => document.documentElement.lang);

    // A reload keeps the token for this tab, though the address lost it.
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.ready === "true");
    out.reloadedName = await page.inputValue('input[name="name"]');
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
