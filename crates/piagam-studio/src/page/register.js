// The register screen: every document issued, searched and filtered;
// revoking the ticked ones with a reason, after confirming; publishing the
// verification page with its lists.

import { call, takeToken } from "./api.js";
import { label } from "./labels.js";

export function startRegister(doc, getLang, onOffline, confirmer = (text) => window.confirm(text)) {
  const $ = (id) => doc.getElementById(id);
  const problem = (field) => doc.querySelector(`#register .problem[data-for="${field}"]`);
  let rows = [];

  function say(errors) {
    for (const f of ["reason", "publish"]) problem(f).textContent = "";
    for (const e of errors || []) {
      const spot = problem(e.field) || problem("reason");
      spot.textContent = label(getLang(), "problem:" + e.code, { detail: e.detail });
    }
  }

  function render() {
    const lang = getLang();
    const body = doc.querySelector("#register-table tbody");
    if (rows.length === 0) {
      const tr = doc.createElement("tr");
      const td = doc.createElement("td");
      td.textContent = label(lang, "register-empty");
      tr.append(td);
      return body.replaceChildren(tr);
    }
    body.replaceChildren(
      ...rows.map((r) => {
        const tr = doc.createElement("tr");
        tr.dataset.serial = r.serial;
        tr.dataset.status = r.status;
        const pick = doc.createElement("td");
        const box = doc.createElement("input");
        box.type = "checkbox";
        box.value = r.serial;
        box.disabled = r.status !== "issued";
        box.setAttribute("aria-label", r.serial);
        pick.append(box);
        const note =
          r.status === "superseded" && r.superseded_by
            ? label(lang, "superseded-by", { serial: r.superseded_by })
            : r.status === "revoked"
              ? label(lang, "revoked-because", { date: r.revoked_on || "", reason: r.revoked_reason || "" })
              : "";
        const cells = [r.serial, r.kind, r.recipient, r.achievement, label(lang, "status:" + r.status), note].map((text) => {
          const td = doc.createElement("td");
          td.textContent = text;
          return td;
        });
        tr.append(pick, ...cells);
        return tr;
      }),
    );
  }

  async function load() {
    const query = new URLSearchParams({ search: $("register-search").value, status: $("register-status").value });
    const { status, body } = await call("GET", "/api/register?" + query);
    if (status === 200) {
      rows = body.entries;
      render();
    } else {
      say(body && body.errors);
    }
  }

  $("register-search").addEventListener("input", () => load().catch(onOffline));
  // A run that ends changes what the register holds.
  doc.addEventListener("piagam-issued", () => load().catch(onOffline));
  $("register-status").addEventListener("change", () => load().catch(onOffline));
  $("revoke").addEventListener("click", async () => {
    say([]);
    const serials = [...doc.querySelectorAll("#register-table input:checked")].map((b) => b.value);
    if (serials.length === 0) return;
    if (!confirmer(label(getLang(), "revoke-confirm", { count: serials.length }))) return;
    try {
      const { status, body } = await call("POST", "/api/revoke", { serials, reason: $("revoke-reason").value });
      if (status === 200) {
        $("revoke-result").textContent = label(getLang(), "revoke-done", body.revoked);
        await load();
      } else {
        say(body && body.errors);
      }
    } catch {
      onOffline();
    }
  });
  $("publish").addEventListener("click", async () => {
    say([]);
    try {
      const { status, body } = await call("POST", "/api/publish");
      if (status === 200) {
        $("publish-result").textContent = label(getLang(), "publish-done", { files: body.files.join(", "), address: body.address || "verify_url" });
        const link = $("publish-zip");
        link.href = "/files/" + encodeURIComponent(body.zip) + "?token=" + (takeToken() || "");
        link.textContent = label(getLang(), "publish-zip", { zip: body.zip });
        link.hidden = false;
      } else say(body && body.errors);
    } catch {
      onOffline();
    }
  });

  return { load: () => load().catch(onOffline), relabel: render };
}
