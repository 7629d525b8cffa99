// The design screen: which documents each winner receives (bundled
// designs, copied into the event folder), and a preview of any roster row,
// drawn by the engine from the very PDF it would write.

import { call, send, takeToken } from "./api.js";
import { label } from "./labels.js";
import { startEditor } from "./editor.js";

export function startDesign(doc, getLang, onOffline) {
  const choices = doc.getElementById("design-choices");
  const problem = (field) => doc.querySelector(`#design .problem[data-for="${field}"]`);
  const image = doc.getElementById("preview");
  const stage = doc.getElementById("stage");
  let state = { bundled: [], chosen: [] };
  const documentIndex = () => doc.getElementById("preview-document").value || "0";
  const editor = startEditor(doc, getLang, onOffline, { documentIndex, redraw: () => showPreview() });

  function say(errors) {
    for (const field of ["documents", "preview", "background"]) problem(field).textContent = "";
    for (const e of errors || []) {
      const spot = problem(e.field) || problem("documents");
      spot.textContent = label(getLang(), "problem:" + e.code, { detail: e.detail });
    }
  }

  function render() {
    const legend = choices.querySelector("legend");
    const boxes = state.bundled.map((b) => {
      const box = doc.createElement("label");
      const input = doc.createElement("input");
      input.type = "checkbox";
      input.value = b.id;
      input.checked = state.chosen.includes("templates/" + b.id);
      box.append(input, ` ${b.name} (${b.page})`);
      return box;
    });
    choices.replaceChildren(legend, ...boxes);
    const select = doc.getElementById("preview-document");
    select.replaceChildren(
      ...state.chosen.map((t, i) => {
        const option = doc.createElement("option");
        option.value = String(i);
        option.textContent = t.split("/").pop();
        return option;
      }),
    );
  }

  async function load() {
    const { status, body } = await call("GET", "/api/design");
    if (status === 200) {
      state = body;
      render();
      if (state.chosen.length) await editor.load();
    }
  }

  doc.getElementById("design-save").addEventListener("click", async () => {
    const documents = [...choices.querySelectorAll("input:checked")].map((i) => i.value);
    try {
      const { status, body } = await call("PUT", "/api/design", { documents });
      if (status === 200) {
        state.chosen = body.chosen;
        say([]);
        render();
        await editor.load();
        await showPreview();
      } else {
        say(body && body.errors);
      }
    } catch {
      onOffline();
    }
  });

  const backgroundFile = doc.getElementById("background-file");
  backgroundFile.addEventListener("change", async () => {
    const file = backgroundFile.files[0];
    if (!file) return;
    const document = doc.getElementById("preview-document").value || "0";
    try {
      const path = "/api/background?" + new URLSearchParams({ document, name: file.name });
      const { status, body } = await send(path, await file.arrayBuffer());
      if (status === 200) {
        say([]);
        await editor.load();
        await showPreview();
      } else {
        say(body && body.errors);
      }
    } catch {
      onOffline();
    }
    backgroundFile.value = "";
  });

  // The page of the chosen row, drawn by the engine from the PDF it
  // would issue; a newer drawing replaces an older one, never the reverse.
  let drawing = 0;
  async function showPreview() {
    const row = doc.getElementById("preview-row").value;
    const query = new URLSearchParams({ document: documentIndex() });
    if (row) query.set("row", row);
    const mine = ++drawing;
    try {
      const response = await fetch("/api/preview?" + query, { headers: { "x-piagam-token": takeToken() || "" }, cache: "no-store" });
      if (mine !== drawing) return;
      if (response.ok) {
        const url = URL.createObjectURL(await response.blob());
        image.onload = () => {
          stage.dataset.drawn = String(Number(stage.dataset.drawn || "0") + 1);
        };
        if (image.src) URL.revokeObjectURL(image.src);
        image.src = url;
        image.alt = label(getLang(), "preview-alt", { row: row || "1" });
        image.hidden = false;
        say([]);
      } else {
        image.hidden = true;
        const body = await response.json().catch(() => null);
        say(body && body.errors);
      }
    } catch {
      onOffline();
    }
  }

  doc.getElementById("preview-show").addEventListener("click", showPreview);
  doc.getElementById("preview-document").addEventListener("change", async () => {
    await editor.load();
    await showPreview();
  });

  return {
    load: () => load().catch(onOffline),
    relabel: () => {
      render();
      editor.relabel();
    },
  };
}
