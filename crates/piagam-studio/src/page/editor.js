// The design editor: every element of a template as a box over the
// engine's own preview of the page. A box is dragged, resized (from its
// corner) or restyled; each change is written into template.toml by the
// studio, and the preview is drawn again from the PDF it would issue. What
// the engine refuses, or finds does not fit for some row, shows on the box.

import { call } from "./api.js";
import { label } from "./labels.js";
import { linesFor, snapMove, snapResize } from "./snap.js";
import { History, valuesBefore } from "./history.js";

const STEP_MM = 1;
const BIG_STEP_MM = 10;

export function startEditor(doc, getLang, onOffline, { documentIndex, redraw }) {
  const editor = doc.getElementById("editor");
  const stage = doc.getElementById("stage");
  const layer = doc.getElementById("boxes");
  const guideX = doc.getElementById("guide-x");
  const guideY = doc.getElementById("guide-y");
  const form = doc.getElementById("box-form");
  const list = doc.getElementById("layout-problems");
  const refusal = doc.querySelector('#design .problem[data-for="layout"]');
  const undoButton = doc.getElementById("editor-undo");
  const redoButton = doc.getElementById("editor-redo");
  const snapping = doc.getElementById("editor-snap");
  const history = new History();
  let layout = null;
  let selected = null;
  let found = [];
  let refused = null;
  let busy = Promise.resolve();
  let drag = null;

  const lang = () => getLang();
  const boxOf = (element) => layout && layout.boxes.find((b) => b.element === element);
  const percent = (mm, of) => `${(mm / of) * 100}%`;

  function nameOf(b) {
    if (b.kind === "text" && b.words) {
      const words = b.words[lang()] || b.words["*"] || Object.values(b.words)[0] || "";
      return words.length > 40 ? words.slice(0, 39) + "…" : words;
    }
    return label(lang(), "box:" + b.kind);
  }

  function problemText(p) {
    return label(lang(), "layout:" + p.code, { row: p.row ?? "", detail: p.detail });
  }

  function troubleOf(element) {
    if (refused && refused.element === element) return refused.text;
    const p = found.find((f) => f.element === element);
    return p ? problemText(p) : "";
  }

  function place(div, b) {
    div.style.left = percent(b.x, layout.width);
    div.style.top = percent(b.y, layout.height);
    div.style.width = percent(Math.max(b.w, 0.5), layout.width);
    div.style.height = percent(Math.max(b.h, 0.5), layout.height);
  }

  function showGuides(guides) {
    guideX.hidden = guides.x == null;
    guideY.hidden = guides.y == null;
    if (guides.x != null) guideX.style.left = percent(guides.x, layout.width);
    if (guides.y != null) guideY.style.top = percent(guides.y, layout.height);
  }

  // The boxes and the problems; the form is left as the organizer is
  // typing in it (problems arrive while they type).
  function renderBoxes() {
    if (!layout) return;
    // Not under the pointer: the box being dragged stays the one held.
    if (drag) {
      drag.stale = true;
      return;
    }
    stage.style.aspectRatio = `${layout.width} / ${layout.height}`;
    layer.replaceChildren(
      ...layout.boxes.map((b) => {
        const div = doc.createElement("div");
        div.className = "box";
        div.dataset.element = String(b.element);
        div.dataset.kind = b.kind;
        div.tabIndex = 0;
        div.setAttribute("role", "button");
        const trouble = troubleOf(b.element);
        div.setAttribute("aria-label", trouble ? `${nameOf(b)}: ${trouble}` : nameOf(b));
        if (b.element === selected) div.classList.add("selected");
        if (trouble) {
          div.classList.add("bad");
          div.title = trouble;
        }
        const tag = doc.createElement("span");
        tag.className = "tag";
        tag.textContent = nameOf(b);
        div.append(tag);
        if (b.resizable) {
          const handle = doc.createElement("span");
          handle.className = "handle";
          div.append(handle);
        }
        place(div, b);
        return div;
      }),
    );
    list.replaceChildren(
      ...found.map((p) => {
        const li = doc.createElement("li");
        const b = boxOf(p.element);
        li.textContent = `${b ? nameOf(b) : p.element}: ${problemText(p)}`;
        li.dataset.element = String(p.element);
        return li;
      }),
    );
    refusal.textContent = refused ? refused.text : "";
    undoButton.disabled = !history.canUndo;
    redoButton.disabled = !history.canRedo;
  }

  function render() {
    renderBoxes();
    if (layout) renderForm();
  }

  // The selected box's settings, as numbers and words to type.
  function renderForm() {
    const b = selected == null ? null : boxOf(selected);
    form.hidden = !b;
    if (!b) return;
    doc.getElementById("box-name").textContent = nameOf(b);
    for (const key of ["x", "y", "w", "h"]) {
      const input = form.elements[key];
      input.value = String(b[key]);
      input.disabled = !b.resizable && (key === "w" || key === "h");
    }
    const styled = b.kind === "text" || b.kind === "signatory";
    doc.getElementById("box-style").hidden = !styled;
    const fonts = form.elements.font;
    const automatic = doc.createElement("option");
    automatic.value = "";
    automatic.textContent = label(lang(), "font-default");
    fonts.replaceChildren(
      automatic,
      ...layout.fonts.map((f) => {
        const option = doc.createElement("option");
        option.value = f;
        option.textContent = f;
        return option;
      }),
    );
    fonts.value = b.font || "";
    form.elements.size.value = b.size == null ? "" : String(b.size);
    form.elements.min_size.value = b.min_size == null ? "" : String(b.min_size);
    form.elements.color.value = /^#[0-9a-fA-F]{6}$/.test(b.color || "") ? b.color.toLowerCase() : "#000000";
    form.elements.color.dataset.was = form.elements.color.value;
    const text = b.kind === "text";
    doc.getElementById("box-text").hidden = !text;
    form.elements.align.value = b.align || "center";
    const words = doc.getElementById("box-words");
    words.replaceChildren(
      ...(text ? layout.languages : []).map((code) => {
        const row = doc.createElement("label");
        const name = doc.createElement("span");
        name.textContent = label(lang(), "words-in", { lang: code });
        const input = doc.createElement("input");
        input.name = "words-" + code;
        input.dataset.lang = code;
        input.value = (b.words && (b.words[code] ?? b.words["*"])) || "";
        row.append(name, input);
        return row;
      }),
    );
  }

  // What the form would change on the box; nothing it leaves as it was.
  function changeFromForm(b) {
    const change = { element: b.element };
    const number = (name) => {
      const raw = form.elements[name].value.trim();
      return raw === "" ? null : Number(raw);
    };
    for (const key of ["x", "y", "w", "h"]) {
      const v = number(key);
      if (v != null && !Number.isNaN(v) && v !== b[key] && !form.elements[key].disabled) change[key] = v;
    }
    if (!doc.getElementById("box-style").hidden) {
      const font = form.elements.font.value || null;
      if (font !== (b.font ?? null)) change.font = font;
      for (const key of ["size", "min_size"]) {
        const v = number(key);
        if (v !== (b[key] ?? null) && !Number.isNaN(v)) change[key] = v;
      }
      const color = form.elements.color.value;
      if (color !== form.elements.color.dataset.was) change.color = color;
    }
    if (b.kind === "text") {
      if (form.elements.align.value !== (b.align || "center")) change.align = form.elements.align.value;
      const typed = {};
      for (const input of doc.querySelectorAll("#box-words input")) typed[input.dataset.lang] = input.value;
      const values = Object.values(typed);
      const one = b.words && "*" in b.words && values.every((v) => v === values[0]);
      const words = one ? { "*": values[0] } : typed;
      if (JSON.stringify(words) !== JSON.stringify(b.words)) change.words = words;
    }
    return change;
  }

  // Sends one change; on success the layout is the file's, the step is
  // kept for undo, and the page is drawn again.
  async function commit(change, { record = true } = {}) {
    const b = boxOf(change.element);
    const before = b ? valuesBefore(b, change) : {};
    const after = { ...change };
    delete after.element;
    let answer;
    try {
      answer = await call("PUT", "/api/layout?" + new URLSearchParams({ document: documentIndex() }), change);
    } catch {
      onOffline();
      return false;
    }
    if (answer.status === 200) {
      layout = answer.body.layout;
      refused = null;
      if (record) history.record(change.element, before, after);
      render();
      editor.dataset.saved = String(Number(editor.dataset.saved || "0") + 1);
      redraw();
      loadProblems();
      return true;
    }
    const e = answer.body && answer.body.errors && answer.body.errors[0];
    refused = { element: e && e.element != null ? e.element : change.element, text: e ? label(lang(), "problem:" + e.code, { detail: e.detail }) : String(answer.status) };
    render();
    return false;
  }

  // One change at a time, in order, however fast the organizer works.
  function queue(change, options) {
    busy = busy.then(() => commit(change, options));
    return busy;
  }

  async function loadProblems() {
    try {
      const { status, body } = await call("GET", "/api/layout/problems?" + new URLSearchParams({ document: documentIndex() }));
      found = status === 200 ? body.problems : [];
    } catch {
      found = [];
    }
    renderBoxes();
    editor.dataset.checked = String(Number(editor.dataset.checked || "0") + 1);
  }

  async function load() {
    selected = null;
    refused = null;
    found = [];
    history.clear();
    const { status, body } = await call("GET", "/api/layout?" + new URLSearchParams({ document: documentIndex() }));
    if (status !== 200) {
      layout = null;
      editor.hidden = true;
      return;
    }
    layout = body.layout;
    editor.hidden = false;
    render();
    await loadProblems();
  }

  // Dragging: the box follows the pointer, snapped; the change is sent
  // when it is let go.
  layer.addEventListener("pointerdown", (event) => {
    const div = event.target.closest(".box");
    if (!div || !layout) return;
    const b = boxOf(Number(div.dataset.element));
    selected = b.element;
    const rect = stage.getBoundingClientRect();
    drag = {
      div,
      box: { ...b },
      resize: event.target.classList.contains("handle"),
      from: [event.clientX, event.clientY],
      mmPerPx: layout.width / rect.width,
      lines: linesFor(layout.boxes, b.element, layout),
      to: null,
    };
    div.setPointerCapture(event.pointerId);
    for (const other of layer.children) other.classList.toggle("selected", other === div);
    renderForm();
    event.preventDefault();
  });
  layer.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const dx = (event.clientX - drag.from[0]) * drag.mmPerPx;
    const dy = (event.clientY - drag.from[1]) * drag.mmPerPx;
    const b = drag.box;
    const snap = snapping.checked;
    if (drag.resize) {
      const r = snapResize(b, b.w + dx, b.h + dy, drag.lines, layout, snap, b.kind === "qr");
      drag.to = { w: r.w, h: r.h };
      showGuides(r.guides);
    } else {
      const m = snapMove(b, b.x + dx, b.y + dy, drag.lines, layout, snap);
      drag.to = { x: m.x, y: m.y };
      showGuides(m.guides);
    }
    place(drag.div, { ...b, ...drag.to });
  });
  const drop = () => {
    if (!drag) return;
    const { box, to, stale } = drag;
    drag = null;
    if (stale) renderBoxes();
    showGuides({ x: null, y: null });
    const moved = to && Object.entries(to).some(([k, v]) => v !== box[k]);
    if (moved) queue({ element: box.element, ...to });
  };
  layer.addEventListener("pointerup", drop);
  layer.addEventListener("pointercancel", drop);

  // The keyboard moves the chosen box 1 mm (10 with Shift).
  layer.addEventListener("keydown", (event) => {
    const div = event.target.closest(".box");
    if (!div) return;
    const b = boxOf(Number(div.dataset.element));
    selected = b.element;
    const step = event.shiftKey ? BIG_STEP_MM : STEP_MM;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    const move = moves[event.key];
    if (!move) {
      renderForm();
      return;
    }
    event.preventDefault();
    const m = snapMove(b, b.x + move[0], b.y + move[1], { xs: [], ys: [] }, layout, false);
    queue({ element: b.element, x: m.x, y: m.y }).then(() => {
      const again = layer.querySelector(`.box[data-element="${b.element}"]`);
      if (again) again.focus();
    });
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const b = boxOf(selected);
    if (!b) return;
    const change = changeFromForm(b);
    if (Object.keys(change).length > 1) queue(change);
  });

  async function step(wasUndo) {
    const s = wasUndo ? history.undo() : history.redo();
    if (!s) return;
    selected = s.element;
    const ok = await queue({ element: s.element, ...s.values }, { record: false });
    if (!ok) history.putBack(wasUndo);
    render();
  }
  undoButton.addEventListener("click", () => step(true));
  redoButton.addEventListener("click", () => step(false));
  doc.addEventListener("keydown", (event) => {
    if (editor.hidden || !(event.ctrlKey || event.metaKey) || event.target.matches("input, select, textarea")) return;
    const key = event.key.toLowerCase();
    if (key === "z" && !event.shiftKey) step(true);
    else if (key === "y" || (key === "z" && event.shiftKey)) step(false);
    else return;
    event.preventDefault();
  });
  list.addEventListener("click", (event) => {
    const li = event.target.closest("li");
    if (!li) return;
    selected = Number(li.dataset.element);
    render();
  });

  return { load: () => load().catch(onOffline), relabel: render, settled: () => busy };
}
