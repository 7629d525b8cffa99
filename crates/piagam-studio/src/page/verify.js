// The verify screen: a PDF or photo chosen or dropped is checked by the
// studio with the engine of `piagam verify`, and each QR code's report
// shown in its words, under a verdict in its own colour.

import { send } from "./api.js";
import { label } from "./labels.js";

export function startVerify(doc, getLang, onOffline) {
  const input = doc.getElementById("verify-file");
  const drop = doc.getElementById("verify-drop");
  const results = doc.getElementById("verify-results");
  const problem = doc.querySelector('#verify .problem[data-for="verify"]');

  function show(file, verified) {
    const reports = verified.checked.map((c) => {
      const box = doc.createElement("article");
      box.className = c.valid ? "verdict valid" : "verdict invalid";
      const head = doc.createElement("strong");
      head.textContent = label(getLang(), c.valid ? "verify-valid" : "verify-invalid");
      const text = doc.createElement("pre");
      text.textContent = c.text;
      box.append(head, text);
      return box;
    });
    const notes = [];
    if (verified.checked.length === 0) notes.push(label(getLang(), "verify-none", { file }));
    if (verified.unread > 0) notes.push(label(getLang(), "verify-unread", { count: verified.unread }));
    results.replaceChildren(
      ...reports,
      ...notes.map((n) => {
        const p = doc.createElement("p");
        p.textContent = n;
        return p;
      }),
    );
    results.dataset.verdict = verified.checked.length && verified.checked.every((c) => c.valid) ? "valid" : "invalid";
  }

  async function check(file) {
    problem.textContent = "";
    results.replaceChildren();
    delete results.dataset.verdict;
    try {
      const path = "/api/verify?" + new URLSearchParams({ name: file.name, lang: getLang() });
      const { status, body } = await send(path, await file.arrayBuffer(), "POST");
      if (status === 200) show(file.name, body.verified);
      else {
        const e = body && body.errors && body.errors[0];
        problem.textContent = e ? label(getLang(), "problem:" + e.code, { detail: e.detail }) : String(status);
        results.dataset.verdict = "error";
      }
    } catch {
      onOffline();
    }
  }

  input.addEventListener("change", () => {
    if (input.files[0]) check(input.files[0]);
    input.value = "";
  });
  for (const name of ["dragenter", "dragover"]) {
    drop.addEventListener(name, (event) => {
      event.preventDefault();
      drop.classList.add("over");
    });
  }
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    const file = event.dataTransfer.files[0];
    if (file) check(file);
  });
}
