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

    // The roster: a sheet whose headers piagam does not know, one row
    // without a name. The columns are chosen; the problem shows on its cell.
    const fs = require("fs");
    const os = require("os");
    const path = require("path");
    const csv = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "studio-")), "Pemenang 2026.csv");
    fs.writeFileSync(csv, "Nama Pemda;Predikat\nKota Semarang;Juara 1\n;Juara 2\nKabupaten Demak;Harapan\n");
    await page.setInputFiles("#roster-file", csv);
    await page.waitForSelector("#roster-view:not([hidden])");
    out.rosterHeaders = await page.$$eval("#roster-table thead tr:first-child th", (ths) => ths.map((t) => t.textContent));
    out.rosterProblemsBefore = await page.$$eval("#roster-problems li", (lis) => lis.length);
    await page.selectOption('select[data-header="Nama Pemda"]', "recipient");
    await page.selectOption('select[data-header="Predikat"]', "achievement");
    await page.click("#roster-save");
    await page.waitForFunction(() => document.querySelectorAll("#roster-problems li").length === 1);
    out.rosterProblem = await page.textContent("#roster-problems li");
    out.badCells = await page.$$eval("td.bad", (tds) => tds.map((td) => [td.parentElement.dataset.row, td.cellIndex]));
    out.rosterSummary = await page.textContent("#roster-summary");
    out.chosenName = await page.inputValue('select[data-header="Nama Pemda"]');

    // The design: the bundled piagam, and row 2 previewed.
    await page.check('#design-choices input[value="piagam"]');
    await page.click("#design-save");
    await page.waitForFunction(() => document.querySelectorAll("#preview-document option").length === 1);
    await page.fill("#preview-row", "2");
    await page.click("#preview-show");
    await page.waitForSelector("#preview:not([hidden])");
    await page.waitForFunction(() => document.getElementById("preview").naturalWidth > 0);
    out.previewSize = await page.evaluate(() => [document.getElementById("preview").naturalWidth, document.getElementById("preview").naturalHeight]);
    await page.fill("#preview-row", "3");
    await page.click("#preview-show");
    await page.waitForFunction(() => document.querySelector('#design .problem[data-for="preview"]').textContent !== "");
    out.previewProblem = await page.textContent('#design .problem[data-for="preview"]');

    // Issue: check, then issue, and the files to open.
    await page.fill("#preview-row", "");
    await page.setInputFiles("#roster-file", { name: "pemenang.csv", mimeType: "text/csv", buffer: Buffer.from("nama,prestasi\nKota Semarang,Juara 1\nKabupaten Demak,Harapan\n") });
    await page.waitForFunction(() => document.getElementById("roster-summary").textContent.startsWith("2 rows"));
    await page.click("#issue-check");
    await page.waitForFunction(() => document.body.dataset.checked);
    out.checked = await page.textContent("#issue-checked");
    await page.click("#issue-go");
    await page.waitForFunction(() => ["done", "failed", "cancelled"].includes(document.body.dataset.issue), null, { timeout: 20000 });
    out.issued = await page.evaluate(() => document.body.dataset.issue);
    out.issueResult = await page.textContent("#issue-result");
    out.files = await page.$$eval("#issue-files a", (as) => as.map((a) => a.textContent));
    const href = await page.getAttribute('#issue-files a[href*="print.pdf"]', "href");
    const pdf = await page.request.get(new URL(href, page.url()).toString());
    out.printType = pdf.headers()["content-type"];

    // The register: both documents, one revoked after confirming.
    await page.waitForFunction(() => document.querySelectorAll("#register-table tr[data-serial]").length === 2);
    page.once("dialog", (d) => {
      out.confirmText = d.message();
      d.accept();
    });
    await page.check("#register-table tr[data-serial] input");
    await page.fill("#revoke-reason", "Salah ketik nama");
    await page.click("#revoke");
    await page.waitForFunction(() => document.querySelector('#register-table tr[data-status="revoked"]'));
    out.revokedRow = await page.textContent('#register-table tr[data-status="revoked"]');
    out.revokeResult = await page.textContent("#revoke-result");
    await page.click("#publish");
    await page.waitForFunction(() => document.getElementById("publish-result").textContent !== "");
    out.published = await page.textContent("#publish-result");

    // A reload keeps the token for this tab, though the address lost it.
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.ready === "true");
    out.reloadedName = await page.inputValue('input[name="name"]');
    await page.waitForSelector("#roster-view:not([hidden])");
    out.reloadedColumn = await page.inputValue('select[data-header="nama"]');
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
