// The roster screen: the uploaded spreadsheet as generate reads it. Each
// column's field is chosen from a list; every problem is shown on its row
// and cell, and listed below. Fix the sheet in Excel and upload it again.

import { call, send } from "./api.js";
import { label } from "./labels.js";

function element(doc, tag, text, attrs = {}) {
  const el = doc.createElement(tag);
  if (text !== undefined) el.textContent = text;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

/// Which column a problem names: its header, as the roster writes it.
/// A problem in the page's language where it has words for its kind,
/// else as the engine said it.
export function problemText(lang, p) {
  const kind = p.kind;
  if (!kind || !kind.code) return p.reason;
  const facts = { ...kind };
  if (kind.field) facts.field = label(lang, "field:" + kind.field);
  if (kind.headers) facts.headers = kind.headers.join(", ");
  const key = "kind:" + kind.code;
  const said = label(lang, key, facts);
  return said === key ? p.reason : said;
}

export function columnOf(headers, column) {
  if (!column) return -1;
  const want = column.trim().toLowerCase();
  return headers.findIndex((h) => h.trim().toLowerCase() === want);
}

export function startRoster(doc, getLang, onOffline) {
  const view = doc.getElementById("roster-view");
  const fileInput = doc.getElementById("roster-file");
  const fileProblem = doc.querySelector('#roster .problem[data-for="file"]');
  const columnsProblem = doc.querySelector('#roster .problem[data-for="columns"]');
  let shown = null;

  function showError(spot, errors) {
    spot.textContent = (errors || []).map((e) => label(getLang(), "problem:" + e.code, { detail: e.detail })).join(" ");
  }

  function render() {
    const lang = getLang();
    fileProblem.textContent = "";
    columnsProblem.textContent = "";
    if (!shown) {
      view.hidden = true;
      return;
    }
    view.hidden = false;
    const r = shown;
    doc.getElementById("roster-summary").textContent = label(lang, "roster-summary", { rows: r.total_rows, file: r.file, problems: r.problems.length });
    const sheet = doc.getElementById("roster-sheet");
    sheet.replaceChildren(...r.sheets.map((s) => element(doc, "option", s, { value: s })));
    sheet.value = r.sheet || "";
    doc.getElementById("roster-sheet-label").hidden = r.sheets.length === 0;
    doc.getElementById("roster-header-row").value = r.header_row;

    const bad = new Map();
    for (const p of r.problems) {
      if (p.row === null) continue;
      bad.set(p.row + ":" + columnOf(r.headers, p.column), problemText(lang, p));
    }
    const head = doc.querySelector("#roster-table thead");
    const names = element(doc, "tr");
    const picks = element(doc, "tr");
    names.append(element(doc, "th", "#"));
    picks.append(element(doc, "th", ""));
    r.headers.forEach((h, i) => {
      names.append(element(doc, "th", h));
      const select = element(doc, "select", undefined, { "data-header": h, "aria-label": h });
      select.append(element(doc, "option", label(lang, "own-column"), { value: "" }));
      for (const f of r.choices) select.append(element(doc, "option", label(lang, "field:" + f), { value: f }));
      select.value = r.fields[i] || "";
      const cell = element(doc, "th");
      cell.append(select);
      picks.append(cell);
    });
    head.replaceChildren(names, picks);
    const body = doc.querySelector("#roster-table tbody");
    body.replaceChildren(
      ...r.rows.map(([row, cells]) => {
        const tr = element(doc, "tr", undefined, { "data-row": row });
        tr.append(element(doc, "th", String(row)));
        r.headers.forEach((_, i) => {
          const td = element(doc, "td", cells[i] || "");
          const reason = bad.get(row + ":" + i) || (i === 0 ? bad.get(row + ":-1") : undefined);
          if (reason) {
            td.classList.add("bad");
            td.title = reason;
          }
          tr.append(td);
        });
        return tr;
      }),
    );
    doc.getElementById("roster-problems").replaceChildren(
      ...r.problems.map((p) =>
        element(doc, "li", p.row === null ? label(lang, "file-problem", { reason: problemText(lang, p) }) : label(lang, "row-problem", { row: p.row, column: p.column || "—", reason: problemText(lang, p) })),
      ),
    );
  }

  async function take(result) {
    if (result.status === 200) {
      shown = result.body.roster;
      render();
    } else {
      showError(fileProblem, result.body && result.body.errors);
    }
  }

  async function choose() {
    const columns = {};
    for (const s of doc.querySelectorAll("#roster-table select")) columns[s.dataset.header] = s.value;
    const headerRow = Number(doc.getElementById("roster-header-row").value) || null;
    const result = await call("PUT", "/api/roster/choices", { sheet: doc.getElementById("roster-sheet").value || null, header_row: headerRow, columns });
    if (result.status === 200) {
      shown = result.body.roster;
      render();
    } else {
      showError(columnsProblem, result.body && result.body.errors);
    }
  }

  fileInput.addEventListener("change", async () => {
    const file = fileInput.files[0];
    if (!file) return;
    try {
      await take(await send("/api/roster?name=" + encodeURIComponent(file.name), await file.arrayBuffer()));
    } catch {
      onOffline();
    }
    fileInput.value = "";
  });
  doc.getElementById("roster-save").addEventListener("click", () => choose().catch(onOffline));
  doc.getElementById("roster-sheet").addEventListener("change", () => choose().catch(onOffline));
  doc.getElementById("roster-header-row").addEventListener("change", () => choose().catch(onOffline));

  return {
    load: () => call("GET", "/api/roster").then(take).catch(onOffline),
    relabel: render,
  };
}
