// The design screen: which documents each winner receives (bundled
// designs, copied into the event folder), and a preview of any roster row,
// drawn by the engine from the very PDF it would write.

import { call, send, takeToken } from "./api.js";
import { label } from "./labels.js";

export function startDesign(doc, getLang, onOffline) {
  const choices = doc.getElementById("design-choices");
  const problem = (field) => doc.querySelector(`#design .problem[data-for="${field}"]`);
  const image = doc.getElementById("preview");
  let state = { bundled: [], chosen: [] };

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
        doc.getElementById("preview-show").click();
      } else {
        say(body && body.errors);
      }
    } catch {
      onOffline();
    }
    backgroundFile.value = "";
  });

  doc.getElementById("preview-show").addEventListener("click", async () => {
    const row = doc.getElementById("preview-row").value;
    const document = doc.getElementById("preview-document").value || "0";
    const query = new URLSearchParams({ document });
    if (row) query.set("row", row);
    try {
      const response = await fetch("/api/preview?" + query, { headers: { "x-piagam-token": takeToken() || "" }, cache: "no-store" });
      if (response.ok) {
        if (image.src) URL.revokeObjectURL(image.src);
        image.src = URL.createObjectURL(await response.blob());
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
  });

  return { load: () => load().catch(onOffline), relabel: render };
}
