// The verification page: reads the seal from the address's fragment (the
// part after '#', which browsers never send to the server), checks it with
// PiagamVerify against the embedded trust, and shows the verdict. Claims
// are only ever set with textContent.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);

  const BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"];
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

  const TEXT = {
    id: {
      toggle: "English",
      checking: "Memeriksa…",
      valid: "SAH",
      invalid: "TIDAK SAH",
      revokedWord: "DICABUT",
      replacedWord: "DIGANTI",
      summaryGood: "Tanda tangan digital cocok dan penerbitnya dikenal",
      summaryBad: "Jangan mengandalkan dokumen ini",
      summaryRevocationFree: "tidak dicabut menurut daftar pencabutan per {date}",
      summaryRevocationUnknown: "belum dapat dipastikan apakah dokumen ini pernah dicabut, karena penerbit belum memasang daftar pencabutan di halaman ini",
      summaryRevoked: "dicabut oleh penerbitnya",
      summaryReplaced: "diganti oleh penerbitnya dengan dokumen yang datanya diperbaiki",
      linkedin: "Tambahkan ke LinkedIn",
      share: "Bagikan tautan verifikasi",
      validReason: "Segel asli dan utuh, ditandatangani secara digital oleh penerbit di bawah.",
      compare: "Bandingkan data ini dengan kertas di tangan Anda. Jika ada yang berbeda, dokumen itu telah diubah.",
      compareFile: "Bandingkan data ini dengan isi berkas. Jika ada yang berbeda, berkas itu telah diubah.",
      altered: "Isi segel telah diubah atau rusak.",
      unknownIssuer: "Penerbit tidak dikenal: segel ini tidak ditandatangani oleh {issuer}.",
      revoked: "Dokumen ini telah dicabut pada {date}. Alasan: {reason}",
      replaced: "Dokumen ini telah diganti pada {date} dengan dokumen bernomor {serial}, yang memuat data yang telah diperbaiki.",
      keyWindow: "Segel bertanggal di luar masa berlaku kunci penerbit.",
      expired: "Masa berlaku dokumen ini berakhir pada {date}.",
      notSeal: "Ini bukan segel piagam.",
      issuer: "Penerbit",
      checksTitle: "Pemeriksaan",
      checkSignature: "Tanda tangan digital cocok",
      checkIssuer: "Penerbit dikenal",
      checkRevocation: "Tidak dicabut (daftar pencabutan per {date})",
      checkRevoked: "DICABUT (daftar pencabutan per {date})",
      checkReplaced: "DIGANTI dengan {serial} (daftar pencabutan per {date})",
      checkNoList: "Belum dapat dipastikan apakah dokumen ini pernah dicabut (penerbit belum memasang daftar pencabutan)",
      checkDates: "Masa berlaku, per {date}",
      askTitle: "Periksa piagam atau sertifikat",
      askPhoto: "Foto kode QR pada dokumen:",
      askPhotoMissing: "Browser ini tidak dapat membaca kode QR dari foto. Pindai kode QR dengan kamera ponsel, atau tempel teksnya di bawah.",
      askText: "Atau tempel teks atau alamat dari kode QR:",
      askButton: "Periksa",
      noQr: "Tidak ada kode QR yang terbaca pada foto itu.",
      askPdf: "Atau pilih berkas PDF piagam (atau seret ke halaman ini):",
      sealValid: "SEGEL SAH",
      fileIssued: "Berkas ini persis berkas yang diterbitkan oleh {issuer} pada {date}.",
      fileNotIssued: "Berkas ini bukan berkas yang diterbitkan: telah diubah atau disimpan ulang. Rincian di bawah adalah yang ditandatangani; bandingkan dengan isi berkas.",
      fileNotChecked: "Segelnya sah, tetapi berkasnya sendiri tidak dapat diperiksa di sini (tidak ada daftar berkas terbit untuknya). Bandingkan isi berkas dengan rincian di bawah.",
      fileSeveral: "Berkas ini memuat {count} dokumen; yang ditampilkan adalah yang pertama.",
      fileNoLink: "Tidak ada segel yang dapat dibaca dari berkas ini. Pindai kode QR pada kertasnya dengan kamera ponsel.",
      fileTooLarge: "Berkas ini terlalu besar untuk diperiksa di sini.",
      privacy: "Segel dibaca dari bagian alamat setelah tanda #, yang tidak pernah dikirim ke server. Pemeriksaan dilakukan sepenuhnya di perangkat Anda.",
      legal: "Segel QR ini bukan tanda tangan elektronik tersertifikasi (TTE).",
    },
    en: {
      toggle: "Bahasa Indonesia",
      checking: "Checking…",
      valid: "VALID",
      invalid: "NOT VALID",
      revokedWord: "REVOKED",
      replacedWord: "REPLACED",
      summaryGood: "The digital signature matches and the issuer is known",
      summaryBad: "Do not rely on this document",
      summaryRevocationFree: "not revoked according to the revocation list of {date}",
      summaryRevocationUnknown: "whether it was ever revoked cannot be told yet, because the issuer has not put a revocation list on this page",
      summaryRevoked: "revoked by its issuer",
      summaryReplaced: "replaced by its issuer with a document whose details were corrected",
      linkedin: "Add to LinkedIn",
      share: "Share the verification link",
      validReason: "The seal is genuine and intact, digitally signed by the issuer below.",
      compare: "Compare these details with the paper in front of you. If anything differs, the document was altered.",
      compareFile: "Compare these details with the file. If anything differs, the file was altered.",
      altered: "The seal was altered or is damaged.",
      unknownIssuer: "Unknown issuer: this seal was not signed by {issuer}.",
      revoked: "This document was revoked on {date}. Reason: {reason}",
      replaced: "This document was replaced on {date} by document number {serial}, which carries corrected details.",
      keyWindow: "The seal is dated outside the validity of the issuer's key.",
      expired: "This document was valid until {date}.",
      notSeal: "This is not a piagam seal.",
      issuer: "Issuer",
      checksTitle: "Checks",
      checkSignature: "Digital signature matches",
      checkIssuer: "Issuer known",
      checkRevocation: "Not revoked (revocation list of {date})",
      checkRevoked: "REVOKED (revocation list of {date})",
      checkReplaced: "REPLACED by {serial} (revocation list of {date})",
      checkNoList: "Whether it was ever revoked cannot be told yet (the issuer has put up no revocation list)",
      checkDates: "Validity dates, as of {date}",
      askTitle: "Check a charter or certificate",
      askPhoto: "A photo of the document's QR code:",
      askPhotoMissing: "This browser cannot read QR codes from photos. Scan the QR code with a phone camera, or paste its text below.",
      askText: "Or paste the text or address from the QR code:",
      askButton: "Check",
      noQr: "No QR code could be read in that photo.",
      askPdf: "Or choose the charter's PDF file (or drop it onto this page):",
      sealValid: "SEAL VALID",
      fileIssued: "This exact file was issued by {issuer} on {date}.",
      fileNotIssued: "This file is not the one issued: it was changed or saved again. The details below are what was signed; compare them with the file.",
      fileNotChecked: "The seal is valid, but the file itself cannot be checked here (no list of issued files covers it). Compare the file with the details below.",
      fileSeveral: "This file holds {count} documents; the first is shown.",
      fileNoLink: "No seal can be read from this file. Scan the QR code on the paper with a phone camera.",
      fileTooLarge: "This file is too large to check here.",
      privacy: "The seal is read from the part of the address after #, which is never sent to the server. The check runs entirely on your device.",
      legal: "This QR seal is not a certified electronic signature (TTE).",
    },
  };

  // file: what the issued-files list said of a PDF checked here, with the
  // count of seals it links; note: a message about a PDF with no seal.
  const state = { lang: "id", trust: null, list: null, report: null, useWebCrypto: false, file: null, note: null };

  try {
    const saved = localStorage.getItem("piagam-lang");
    if (saved === "en" || saved === "id") state.lang = saved;
  } catch (e) {
    // No storage (a private window, a file:// page): the default stays.
  }

  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? "");

  function longDate(iso) {
    const [y, m, d] = iso.split("-").map(Number);
    return `${d} ${(state.lang === "id" ? BULAN : MONTHS)[m - 1]} ${y}`;
  }

  function reasonFor(report, t) {
    switch (report.code) {
      case "bad-signature":
      case "bad-cbor":
      case "bad-structure":
      case "bad-claims":
      case "digit-count":
      case "digit-group":
      case "non-canonical-signature":
        return t.altered;
      case "unknown-kid":
        return fill(t.unknownIssuer, { issuer: state.trust ? state.trust.issuer : "" });
      case "revoked":
        if (report.replaced_by) return fill(t.replaced, { date: longDate(report.revoked.date), serial: report.replaced_by });
        return fill(t.revoked, { date: longDate(report.revoked.date), reason: report.revoked.reason });
      case "key-not-valid-on-date":
        return t.keyWindow;
      case "expired":
        return fill(t.expired, { date: longDate(report.claims.valid_until) });
      default:
        return t.notSeal;
    }
  }

  /// The verdict on what the reader holds: the seal alone, or, for a PDF
  /// checked here, the seal and the file together. Never SAH / VALID for
  /// a file that is not the one issued.
  function verdictOf(report, file, t) {
    // A revoked or replaced document was genuine once: its own word and
    // colour, so nobody takes it for a forgery, or for valid.
    if (!report.valid && report.code === "revoked") {
      const replaced = Boolean(report.replaced_by);
      return { kind: replaced ? "replaced" : "revoked", code: "revoked", word: replaced ? t.replacedWord : t.revokedWord, reason: reasonFor(report, t) };
    }
    if (!report.valid) return { kind: "invalid", code: report.code || "", word: t.invalid, reason: reasonFor(report, t) };
    if (file === null) return { kind: "valid", code: "", word: t.valid, reason: t.validReason };
    switch (file.check) {
      case "issued":
        return {
          kind: "valid",
          code: "",
          word: t.valid,
          reason: fill(t.fileIssued, { issuer: state.trust.issuer, date: longDate(file.entry.date) }),
        };
      case "not-as-issued":
        return { kind: "invalid", code: "file-not-as-issued", word: t.invalid, reason: t.fileNotIssued };
      default:
        return { kind: "compare", code: "", word: t.sealValid, reason: t.fileNotChecked };
    }
  }

  /// One line a layperson reads before any detail: what the checks found.
  /// Revocation is said to be unknown only where there is no list.
  function summaryOf(report, verdict, t) {
    if (verdict.kind === "invalid") return t.summaryBad + ".";
    const parts = [t.summaryGood];
    if (verdict.kind === "revoked") parts.push(t.summaryRevoked);
    else if (verdict.kind === "replaced") parts.push(t.summaryReplaced);
    else if (state.list === null) parts.push(t.summaryRevocationUnknown);
    else parts.push(fill(t.summaryRevocationFree, { date: longDate(state.list.issued) }));
    return parts.join("; ") + ".";
  }

  /// LinkedIn's public "add a certification" address, filled with what
  /// the seal signs, and the verification link; a share button where the
  /// device can share. Only for a valid seal.
  function offerSharing(report, verdict, t) {
    const valid = verdict.kind === "valid" || verdict.kind === "compare";
    const c = report.claims;
    const linkedin = $("linkedin");
    linkedin.hidden = !(valid && c);
    if (valid && c) {
      const [year, month] = c.date.split("-").map(Number);
      const query = new URLSearchParams({
        startTask: "CERTIFICATION_NAME",
        name: c.event ? `${c.achievement} — ${c.event}` : c.achievement,
        organizationName: report.issuer || "",
        issueYear: String(year),
        issueMonth: String(month),
        certUrl: location.href,
        certId: c.serial,
      });
      linkedin.href = "https://www.linkedin.com/profile/add?" + query;
      linkedin.textContent = t.linkedin;
    }
    const share = $("share");
    share.hidden = !(valid && typeof navigator.share === "function");
    share.textContent = t.share;
  }

  function row(list, label, value) {
    if (value === null || value === undefined || value === "") return;
    const item = document.createElement("div");
    const dt = document.createElement("dt");
    const dd = document.createElement("dd");
    dt.textContent = label;
    dd.textContent = value;
    item.append(dt, dd);
    list.append(item);
  }

  function render() {
    const t = TEXT[state.lang];
    document.documentElement.lang = state.lang;
    $("lang-toggle").textContent = t.toggle;
    $("lang-toggle").lang = state.lang === "id" ? "en" : "id";
    $("privacy").textContent = t.privacy;
    $("legal").textContent = t.legal;
    $("ask-title").textContent = t.askTitle;
    $("ask-photo-label").textContent = t.askPhoto;
    $("ask-text-label").textContent = t.askText;
    $("check-text").textContent = t.askButton;
    const hasDetector = typeof BarcodeDetector !== "undefined";
    $("photo").hidden = !hasDetector;
    $("ask-photo-note").textContent = hasDetector ? "" : t.askPhotoMissing;

    $("ask-pdf-label").textContent = t.askPdf;
    $("file-note").hidden = state.note === null && state.file === null;
    $("file-verdict").textContent = state.note !== null ? t[state.note] : state.file && state.file.count > 1 ? fill(t.fileSeveral, { count: state.file.count }) : "";

    const report = state.report;
    $("ask").hidden = report !== null;
    if (report === null) {
      document.body.dataset.verdict = "none";
      $("verdict").hidden = true;
      return;
    }
    $("verdict").hidden = false;
    const verdict = verdictOf(report, state.file, t);
    document.body.dataset.verdict = verdict.kind;
    document.body.dataset.code = verdict.code;
    document.body.dataset.file = state.file ? state.file.check : "";
    // A word and a sign, not only a colour.
    $("verdict-icon").textContent = { valid: "✔", invalid: "✖", compare: "!", revoked: "⊘", replaced: "↻" }[verdict.kind];
    $("verdict-word").textContent = verdict.word;
    $("verdict-reason").textContent = verdict.reason;
    $("verdict-summary").textContent = summaryOf(report, verdict, t);
    offerSharing(report, verdict, t);

    // Claims are shown only when the signature is good: nothing unsigned
    // may look signed.
    const signed = report.claims !== null && report.checks.signature === "pass";
    $("fields").hidden = !signed;
    const list = $("claims");
    list.replaceChildren();
    if (signed) {
      $("compare").textContent = state.file ? t.compareFile : t.compare;
      const c = report.claims;
      // The fields' labels are piagam's own (print_field.rs), embedded in
      // the page, so the page and the text report name a field alike.
      const f = { issuer: t.issuer, ...JSON.parse($("labels").textContent)[state.lang] };
      row(list, f.issuer, report.issuer);
      row(list, f.recipient, c.recipient);
      row(list, f.achievement, c.achievement);
      row(list, f.category, c.extra.get("category"));
      row(list, f.serial, c.serial);
      row(list, f.kind, c.kind);
      row(list, f.event, c.event);
      row(list, f.date, longDate(c.date));
      row(list, f.place, c.place);
      row(list, f.valid_until, c.valid_until ? longDate(c.valid_until) : null);
      // Each other field under the template's own label where it signed
      // one, as printed, with the raw value beside it where they differ.
      for (const [key, value] of c.extra) {
        if (key === "category") continue;
        const label = c.labels.get(key) ?? (Object.hasOwn(f, key) ? f[key] : key);
        row(list, label, c.shown.has(key) ? `${c.shown.get(key)} (${value})` : value);
      }
    }

    $("checks").hidden = false;
    $("checks-title").textContent = t.checksTitle;
    const mark = (v) => (v === "pass" ? "✔ " : v === "fail" ? "✖ " : "– ");
    const checks = [
      [report.checks.signature, t.checkSignature],
      [report.checks.issuer, report.issuer ? `${t.checkIssuer}: ${report.issuer}` : t.checkIssuer],
      [
        report.checks.revocation,
        state.list === null
          ? t.checkNoList
          : fill(
              report.checks.revocation !== "fail" ? t.checkRevocation : report.replaced_by ? t.checkReplaced : t.checkRevoked,
              { date: longDate(state.list.issued), serial: report.replaced_by || "" },
            ),
      ],
      [report.checks.dates, fill(t.checkDates, { date: longDate(report.checked_on) })],
    ];
    const items = checks.map(([v, text]) => {
      const li = document.createElement("li");
      li.textContent = mark(v) + text;
      return li;
    });
    $("check-list").replaceChildren(...items);
  }

  function decodeBase64(text) {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  }

  /// The embedded revocation list, and a fresher one from the page's own
  /// folder when it is served over HTTP: whichever valid list is newer.
  async function loadRevocations() {
    let list = null;
    const embedded = JSON.parse($("embedded-revocations").textContent);
    if (typeof embedded === "string") {
      list = await PiagamVerify.openRevocations(decodeBase64(embedded), state.trust, { useWebCrypto: state.useWebCrypto });
    }
    if (location.protocol === "http:" || location.protocol === "https:") {
      try {
        const response = await fetch("revocations", { cache: "no-store" });
        if (response.ok) {
          const fetched = await PiagamVerify.openRevocations(new Uint8Array(await response.arrayBuffer()), state.trust, {
            useWebCrypto: state.useWebCrypto,
          });
          if (list === null || fetched.issued > list.issued) list = fetched;
        }
      } catch (e) {
        // A missing or unusable file: the embedded list stands.
      }
    }
    return list;
  }

  /// Checks a seal's text. The previous verdict is cleared first, so a
  /// check that fails midway never leaves an earlier SAH on screen.
  async function check(text, options) {
    state.file = null;
    state.note = null;
    state.report = null;
    render();
    try {
      state.report = await PiagamVerify.verifyText(text, state.trust, {
        revocations: state.list,
        useWebCrypto: state.useWebCrypto,
        ...options,
      });
    } catch (e) {
      return showError(e);
    }
    render();
    // Milliseconds since the page was opened (navigation start).
    document.body.dataset.ms = String(Math.round(performance.now()));
  }

  /// The issuer's list of issued files, from the page's own folder (too
  /// large to embed); none from disk or when it is missing or unusable.
  async function loadIssued() {
    if (location.protocol !== "http:" && location.protocol !== "https:") return null;
    try {
      const response = await fetch("issued", { cache: "no-store" });
      if (!response.ok) return null;
      return await PiagamVerify.openIssued(new Uint8Array(await response.arrayBuffer()), state.trust, {
        useWebCrypto: state.useWebCrypto,
      });
    } catch (e) {
      return null;
    }
  }

  async function checkPdf(file) {
    state.report = null;
    state.file = null;
    state.note = null;
    if (file.size > PiagamPdf.MAX_PDF_BYTES) {
      state.note = "fileTooLarge";
      return render();
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const issued = await loadIssued();
    const result = await PiagamPdf.checkPdf(bytes, state.trust, issued, {
      revocations: state.list,
      useWebCrypto: state.useWebCrypto,
      expectedUrl: state.trust.verifyUrl,
    });
    if (result.reports.length === 0) {
      state.note = "fileNoLink";
    } else {
      state.report = result.reports[0];
      state.file = { ...result.file, count: result.reports.length };
    }
    render();
    document.body.dataset.ms = String(Math.round(performance.now()));
  }

  async function checkPhoto(file) {
    const t = TEXT[state.lang];
    try {
      const detector = new BarcodeDetector({ formats: ["qr_code"] });
      const codes = await detector.detect(await createImageBitmap(file));
      if (codes.length === 0) throw new Error("none");
      await check(codes[0].rawValue, { expectedUrl: state.trust.verifyUrl });
    } catch (e) {
      $("ask-photo-note").textContent = t.noQr;
    }
  }

  async function main() {
    $("lang-toggle").addEventListener("click", () => {
      state.lang = state.lang === "id" ? "en" : "id";
      try {
        localStorage.setItem("piagam-lang", state.lang);
      } catch (e) {
        // Not remembered; still switched.
      }
      render();
    });
    $("check-text").addEventListener("click", () => check($("seal-text").value, { expectedUrl: state.trust.verifyUrl }));
    $("share").addEventListener("click", () => {
      navigator.share({ title: document.title, url: location.href }).catch(() => {
        // Cancelled, or not allowed: nothing to say.
      });
    });
    $("photo").addEventListener("change", (event) => {
      const file = event.target.files && event.target.files[0];
      if (file) checkPhoto(file);
    });
    $("pdf").addEventListener("change", (event) => {
      const file = event.target.files && event.target.files[0];
      if (file) checkPdf(file);
    });
    // A PDF dropped anywhere on the page is checked, never opened.
    document.addEventListener("dragover", (event) => event.preventDefault());
    document.addEventListener("drop", (event) => {
      event.preventDefault();
      const file = event.dataTransfer && event.dataTransfer.files[0];
      if (file) checkPdf(file);
    });
    state.trust = PiagamVerify.loadTrust(JSON.parse($("trust").textContent));
    $("issuer-name").textContent = state.trust.issuer;
    state.useWebCrypto = await PiagamVerify.webCryptoHasEd25519();
    try {
      state.list = await loadRevocations();
    } catch (e) {
      state.list = null;
    }
    const fragment = fragmentText();
    if (fragment) {
      // The page's own address is the URL part; only the digits matter.
      await check(fragment, { expectedUrl: null });
    } else {
      render();
    }
    document.body.dataset.webcrypto = String(state.useWebCrypto);
    window.addEventListener("hashchange", () => check(fragmentText(), { expectedUrl: null }));
  }

  /// An error no verdict covers (a bug, a browser without what the page
  /// needs): said as NOT VALID, never left as the previous verdict.
  function showError(e) {
    document.body.dataset.verdict = "error";
    $("verdict").hidden = false;
    $("fields").hidden = true;
    $("verdict-icon").textContent = "✖";
    $("verdict-word").textContent = TEXT[state.lang].invalid;
    $("verdict-reason").textContent = String(e && e.message ? e.message : e);
  }

  /// The seal in the address after '#'. A broken %-escape is left as
  /// typed, so the verifier refuses it by name instead of the page failing.
  function fragmentText() {
    const raw = location.hash.slice(1);
    try {
      return decodeURIComponent(raw);
    } catch (e) {
      return raw;
    }
  }

  main().catch(showError);
})();
