// The event screen: piagam.toml's event, signatory and verification
// address, and the issuer's key. Problems are shown on their field.

import { call, send } from "./api.js";
import { label } from "./labels.js";
import { startMarks } from "./marks.js";

const FIELDS = ["name", "date", "place", "verify_url", "signatory_name", "signatory_title", "signatory_nip"];

function showProblems(root, lang, errors) {
  for (const em of root.querySelectorAll(".problem[data-for]")) em.textContent = "";
  for (const input of root.querySelectorAll("input")) input.removeAttribute("aria-invalid");
  for (const e of errors) {
    const spot = root.querySelector(`.problem[data-for="${e.field}"]`) || root.querySelector('.problem[data-for="config"]');
    if (spot) spot.textContent = label(lang, "problem:" + e.code, { detail: e.detail });
    const input = root.querySelector(`input[name="${e.field}"]`);
    if (input) input.setAttribute("aria-invalid", "true");
  }
}

function showKey(doc, lang, key) {
  const status = doc.getElementById("key-status");
  status.textContent = key && key.exists ? label(lang, "key-made", { issuer: key.issuer || "?", kid: key.kid || "?" }) : label(lang, "key-none");
  doc.getElementById("key-new").hidden = Boolean(key && key.exists);
}

export function startEvent(doc, getLang, onOffline) {
  const form = doc.getElementById("event-form");
  const keyForm = doc.getElementById("key-form");
  const saved = doc.getElementById("event-saved");
  let key = null;
  const marks = startMarks(doc, getLang, onOffline);

  async function load() {
    const { status, body } = await call("GET", "/api/event");
    if (status !== 200) return showProblems(form, getLang(), [{ field: "config", code: body && body.error ? body.error : "unreadable", detail: "" }]);
    for (const name of FIELDS) form.elements[name].value = body.event[name] || "";
    doc.getElementById("folder").textContent = body.folder;
    key = body.key;
    showKey(doc, getLang(), key);
    await marks.load(body.marks);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    saved.hidden = true;
    const data = {};
    for (const name of FIELDS) data[name] = form.elements[name].value;
    try {
      const { status, body } = await call("PUT", "/api/event", data);
      if (status === 200) {
        showProblems(form, getLang(), []);
        saved.hidden = false;
      } else {
        showProblems(form, getLang(), (body && body.errors) || [{ field: "config", code: (body && body.error) || "refused", detail: "" }]);
      }
    } catch {
      onOffline();
    }
  });

  keyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const { status, body } = await call("POST", "/api/key", { issuer: keyForm.elements.issuer.value });
      if (status === 200) {
        showProblems(keyForm, getLang(), []);
        key = body.key;
        showKey(doc, getLang(), key);
      } else {
        showProblems(keyForm, getLang(), (body && body.errors) || []);
      }
    } catch {
      onOffline();
    }
  });

  const keyFile = doc.getElementById("key-file");
  keyFile.addEventListener("change", async () => {
    const file = keyFile.files[0];
    if (!file) return;
    try {
      const path = "/api/key/import?issuer=" + encodeURIComponent(keyForm.elements.issuer.value);
      const { status, body } = await send(path, await file.arrayBuffer());
      if (status === 200) {
        showProblems(keyForm, getLang(), []);
        key = body.key;
        showKey(doc, getLang(), key);
      } else {
        showProblems(keyForm, getLang(), (body && body.errors) || []);
      }
    } catch {
      onOffline();
    }
    keyFile.value = "";
  });

  return {
    load: () => load().catch(onOffline),
    relabel: () => showKey(doc, getLang(), key),
  };
}
