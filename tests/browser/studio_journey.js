// An organizer's whole event in the studio, in Chromium, from an empty
// folder: the event and its key; a workbook with a title block above its
// headers and a renamed column; both bundled designs, with the piagam's QR
// code dragged to the bottom left and undone and done again; a preview;
// check and issue; the ZIP downloaded; a document checked on the verify
// screen; one revoked; the page published. It measures what the organizer
// waits for, and (given a folder) takes a screenshot of every screen at
// 1366×768 and 390×844. Prints what it saw, as JSON; tests/studio.rs runs
// it and checks the files it left.
//
// Usage: node studio_journey.js URL FOLDER WINNERS.xlsx CORRECTED.xlsx
//          THOUSAND.xlsx BACKGROUND.pdf SIGNATURE.png [SHOTS]
"use strict";

const fs = require("fs");
const path = require("path");
const { chromium } = require("playwright-core");

const CHROMIUM = process.env.PIAGAM_CHROMIUM || "/usr/bin/chromium";
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
// Each screen, by the part of it a screenshot starts at.
const SCREENS = [
  ["event", "#event"],
  ["roster", "#roster"],
  ["design", "#editor .tools"],
  ["issue", "#issue"],
  ["register", "#register"],
  ["verify", "#verify"],
];

const count = (page, selector, attribute) =>
  page.evaluate(([s, a]) => Number(document.querySelector(s).dataset[a] || "0"), [selector, attribute]);

async function shoot(page, shots, out) {
  for (const [w, h] of [
    [1366, 768],
    [390, 844],
  ]) {
    await page.setViewportSize({ width: w, height: h });
    for (const [id, start] of SCREENS) {
      await page.evaluate((s) => document.querySelector(s).scrollIntoView({ block: "start" }), start);
      await page.waitForTimeout(150);
      const file = path.join(shots, `${id}-${w}.png`);
      await page.screenshot({ path: file });
      out.shots.push(file);
    }
  }
  await page.setViewportSize({ width: 1366, height: 768 });
}

async function main() {
  const [url, folder, winners, corrected, thousand, background, signature, shots] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  const out = { errors: [], shots: [] };
  let page = null;
  try {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
    page = await context.newPage();
    page.on("pageerror", (e) => out.errors.push(String(e)));
    page.on("console", (m) => {
      if (m.type() === "error" && !/status of 422/.test(m.text())) out.errors.push(m.text());
    });
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.ready === "true");
    out.firstPaintMs = await page.evaluate(() => {
      const paint = performance.getEntriesByType("paint").find((p) => p.name === "first-contentful-paint");
      return paint ? paint.startTime : null;
    });

    // 1. The event, and its key.
    await page.fill('input[name="name"]', "Anugerah Layanan Digital 2026");
    await page.fill('input[name="date"]', "2026-11-20");
    await page.fill('input[name="place"]', "Semarang");
    await page.fill('input[name="verify_url"]', "https://kominfo.example.go.id/verifikasi");
    await page.fill('input[name="signatory_name"]', "Dr. Budi Santoso");
    await page.fill('input[name="signatory_title"]', "Kepala Dinas Kominfo");
    await page.click('#event-form button[type="submit"]');
    await page.waitForSelector("#event-saved:not([hidden])");
    await page.fill('input[name="issuer"]', "Dinas Kominfo Provinsi Contoh");
    await page.click('#key-form button[type="submit"]');
    await page.waitForFunction(() => document.getElementById("key-new").hidden);
    await page.setInputFiles("#mark-signature", signature);
    await page.waitForSelector("#mark-signature-shown:not([hidden])");

    // 2. A thousand rows uploaded, mapped and validated: timed.
    let t0 = Date.now();
    await page.setInputFiles("#roster-file", thousand);
    await page.waitForFunction(() => /^1000 /.test(document.getElementById("roster-summary").textContent));
    await page.selectOption('select[data-header="Nama Penerima"]', "recipient");
    await page.click("#roster-save");
    await page.waitForFunction(() => /; 0 /.test(document.getElementById("roster-summary").textContent) && document.querySelector('select[data-header="Nama Penerima"]').value === "recipient");
    out.thousandRowsMs = Date.now() - t0;
    out.thousandSummary = await page.textContent("#roster-summary");

    // The real roster: a title block above the headers, a renamed column.
    await page.setInputFiles("#roster-file", winners);
    await page.waitForFunction(() => /^5 /.test(document.getElementById("roster-summary").textContent));
    out.headerRow = await page.inputValue("#roster-header-row");
    out.headers = await page.$$eval("#roster-table thead tr:first-child th", (ths) => ths.map((t) => t.textContent));
    out.problemsBefore = await page.$$eval("#roster-problems li", (lis) => lis.map((l) => l.textContent));
    await page.selectOption('select[data-header="Nama Instansi Penerima"]', "recipient");
    await page.click("#roster-save");
    await page.waitForFunction(() => document.querySelectorAll("#roster-problems li").length === 0 && document.querySelector('select[data-header="Nama Instansi Penerima"]').value === "recipient");
    out.rosterSummary = await page.textContent("#roster-summary");

    // 3. Both designs; the piagam's QR code dragged to the bottom left.
    await page.check('#design-choices input[value="piagam"]');
    await page.check('#design-choices input[value="sertifikat"]');
    await page.click("#design-save");
    await page.waitForFunction(() => document.querySelectorAll("#preview-document option").length === 2);
    await page.waitForSelector("#editor:not([hidden])");
    await page.waitForFunction(() => Number(document.getElementById("stage").dataset.drawn || "0") > 0);
    // The sertifikat takes the designer's PDF as its background.
    let drawnNow = await count(page, "#stage", "drawn");
    await page.selectOption("#preview-document", "1");
    await page.waitForFunction((n) => Number(document.getElementById("stage").dataset.drawn) > n, drawnNow);
    drawnNow = await count(page, "#stage", "drawn");
    await page.setInputFiles("#background-file", background);
    await page.waitForFunction((n) => Number(document.getElementById("stage").dataset.drawn) > n, drawnNow);
    out.sertifikatToml = fs.readFileSync(path.join(folder, "templates/sertifikat/template.toml"), "utf8");
    drawnNow = await count(page, "#stage", "drawn");
    await page.selectOption("#preview-document", "0");
    await page.waitForFunction((n) => Number(document.getElementById("stage").dataset.drawn) > n, drawnNow);
    const toml = path.join(folder, "templates/piagam/template.toml");
    out.tomlBefore = fs.readFileSync(toml, "utf8");
    await page.locator("#stage").evaluate((e) => e.scrollIntoView({ block: "start" }));
    const stage = await page.locator("#stage").boundingBox();
    const qr = page.locator('.box[data-kind="qr"]');
    const from = await qr.boundingBox();
    const pxPerMm = stage.width / 297;
    const target = { x: stage.x + 15 * pxPerMm, y: stage.y + stage.height - 15 * pxPerMm - from.height };
    const grab = { x: from.x + from.width / 2, y: from.y + from.height / 2 };
    await page.mouse.move(grab.x, grab.y);
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) {
      await page.mouse.move(grab.x + ((target.x - from.x) * i) / 12, grab.y + ((target.y - from.y) * i) / 12);
    }
    out.guideShown = await page.evaluate(() => !document.getElementById("guide-x").hidden || !document.getElementById("guide-y").hidden);
    const drawn = await count(page, "#stage", "drawn");
    const saved = await count(page, "#editor", "saved");
    t0 = Date.now();
    await page.mouse.up();
    await page.waitForFunction((n) => Number(document.getElementById("stage").dataset.drawn) > n, drawn);
    out.dragToPreviewMs = Date.now() - t0;
    await page.waitForFunction((n) => Number(document.getElementById("editor").dataset.saved) > n, saved);
    out.tomlAfterDrag = fs.readFileSync(toml, "utf8");
    // Undone, the file is as it was; done again, moved again.
    await page.click("#editor-undo");
    await page.waitForFunction((n) => Number(document.getElementById("editor").dataset.saved) > n + 1, saved);
    out.tomlAfterUndo = fs.readFileSync(toml, "utf8");
    await page.keyboard.press("Control+y");
    await page.waitForFunction((n) => Number(document.getElementById("editor").dataset.saved) > n + 2, saved);
    out.tomlAfterRedo = fs.readFileSync(toml, "utf8");

    // The heading's English words, changed in the chosen box's form.
    await page.click('.box[aria-label="PIAGAM PENGHARGAAN"]', { position: { x: 4, y: 4 } });
    await page.waitForSelector("#box-form:not([hidden])");
    out.formLanguages = await page.$$eval("#box-words input", (is) => is.map((i) => i.dataset.lang));
    await page.fill('#box-words input[data-lang="en"]', "CERTIFICATE OF HONOUR");
    const beforeWords = await count(page, "#editor", "saved");
    await page.click('#box-form button[type="submit"]');
    await page.waitForFunction((n) => Number(document.getElementById("editor").dataset.saved) > n, beforeWords);
    out.tomlAfterWords = fs.readFileSync(toml, "utf8");

    // A name box too narrow: the problem shows on the box, with its row.
    const nameBox = page.locator('.box[aria-label="{{recipient}}"]');
    await nameBox.click({ position: { x: 4, y: 4 } });
    await page.fill('#box-form input[name="w"]', "20");
    await page.fill('#box-form input[name="min_size"]', "20");
    await page.click('#box-form button[type="submit"]');
    await page.waitForSelector(".box.bad");
    out.badBox = await page.$$eval(".box.bad", (bs) => bs.map((b) => [b.dataset.kind, b.title]));
    out.layoutProblems = await page.$$eval("#layout-problems li", (lis) => lis.map((l) => l.textContent));
    await page.click("#editor-undo");
    await page.waitForFunction(() => !document.querySelector(".box.bad"));
    out.badAfterUndo = await page.$$eval(".box.bad", (bs) => bs.length);

    // The third winner previewed (sheet row 7: the headers are in row 4).
    const before = await count(page, "#stage", "drawn");
    await page.fill("#preview-row", "7");
    await page.click("#preview-show");
    await page.waitForFunction((n) => Number(document.getElementById("stage").dataset.drawn) > n && / 7,/.test(document.getElementById("preview").alt), before);
    out.previewAlt = await page.getAttribute("#preview", "alt");
    // The boxes lie exactly over the page drawn under them.
    out.stageAndPreview = await page.evaluate(() =>
      ["boxes", "preview"].map((id) => {
        const r = document.getElementById(id).getBoundingClientRect();
        return [r.x, r.y, r.width, r.height].map(Math.round);
      }),
    );

    // 4. Check, then issue both documents for every winner.
    await page.click("#issue-check");
    await page.waitForFunction(() => document.body.dataset.checked);
    out.checked = await page.textContent("#issue-checked");
    await page.check("#issue-share");
    await page.click("#issue-go");
    await page.waitForFunction(() => ["done", "failed", "cancelled", "corrections"].includes(document.body.dataset.issue), null, { timeout: 30000 });
    out.issued = await page.evaluate(() => document.body.dataset.issue);
    out.files = await page.$$eval("#issue-files a", (as) => as.map((a) => a.textContent));
    const zipHref = await page.getAttribute('#issue-files a[href*="charters.zip"]', "href");
    const zip = await page.request.get(new URL(zipHref, page.url()).toString());
    out.zipType = zip.headers()["content-type"];
    out.zipPath = path.join(path.dirname(folder), "unduhan.zip");
    fs.writeFileSync(out.zipPath, await zip.body());

    // 6. A document checked on the verify screen, as piagam verify would.
    const pdf = fs
      .readdirSync(path.join(folder, "hasil"))
      .filter((f) => f.endsWith(".pdf") && f !== "print.pdf")
      .sort()[0];
    await page.setInputFiles("#verify-file", path.join(folder, "hasil", pdf));
    await page.waitForFunction(() => document.getElementById("verify-results").dataset.verdict);
    out.verifyVerdict = await page.getAttribute("#verify-results", "data-verdict");
    out.verifyText = await page.textContent("#verify-results");

    // A name corrected in the sheet: asked about, confirmed, replaced.
    await page.setInputFiles("#roster-file", corrected);
    await page.waitForFunction(() => /^5 /.test(document.getElementById("roster-summary").textContent));
    await page.click("#issue-go");
    await page.waitForFunction(() => document.body.dataset.issue === "corrections", null, { timeout: 30000 });
    out.proposals = await page.$$eval("#issue-proposals li", (lis) => lis.map((l) => l.textContent));
    await page.click("#corrections-accept");
    await page.waitForFunction(() => ["done", "failed"].includes(document.body.dataset.issue), null, { timeout: 30000 });
    out.afterCorrections = await page.evaluate(() => document.body.dataset.issue);

    // 5. One document revoked, after confirming; the page published.
    await page.waitForFunction(() => document.querySelectorAll("#register-table tr[data-serial]").length === 12 && document.querySelector('#register-table tr[data-status="superseded"]'));
    out.superseded = await page.$$eval('#register-table tr[data-status="superseded"]', (trs) => trs.length);
    page.once("dialog", (d) => d.accept());
    await page.check('#register-table tr[data-status="issued"] input');
    await page.fill("#revoke-reason", "Salah ketik nama");
    await page.click("#revoke");
    await page.waitForFunction(() => document.querySelector('#register-table tr[data-status="revoked"]'));
    out.revokedSerial = await page.getAttribute('#register-table tr[data-status="revoked"]', "data-serial");
    await page.click("#publish");
    await page.waitForFunction(() => document.getElementById("publish-result").textContent !== "");
    out.published = await page.textContent("#publish-result");
    if (shots) await shoot(page, shots, out);
  } catch (e) {
    // Say what the page showed when the step failed.
    const shown = page
      ? await page
          .evaluate(() => JSON.stringify({ editor: { ...document.getElementById("editor").dataset }, stage: { ...document.getElementById("stage").dataset }, refused: document.querySelector('#design .problem[data-for="layout"]').textContent }) + document.querySelector("main").textContent)
          .catch(() => "")
      : "";
    throw new Error(`${e.stack}\n--- the page showed:\n${shown.replace(/\s+/g, " ")}\n--- so far: ${JSON.stringify({ ...out, tomlBefore: undefined })}`);
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
