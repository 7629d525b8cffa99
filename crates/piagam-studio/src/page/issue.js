// The issue screen: check, then issue with a progress bar (documents a
// second, time left) and Cancel; then the files, to open or save.

import { call, follow, takeToken } from "./api.js";
import { label } from "./labels.js";

export function startIssue(doc, getLang, onOffline) {
  const $ = (id) => doc.getElementById(id);
  const problem = doc.querySelector('#issue .problem[data-for="issue"]');

  function say(errors) {
    problem.textContent = (errors || []).map((e) => label(getLang(), "problem:" + e.code, { detail: e.detail })).join(" ");
  }

  function list(id, items) {
    $(id).replaceChildren(
      ...items.map((text) => {
        const li = doc.createElement("li");
        li.textContent = text;
        return li;
      }),
    );
  }

  function showFiles(files) {
    const token = takeToken() || "";
    $("issue-files").replaceChildren(
      ...files.map((name) => {
        const li = doc.createElement("li");
        const a = doc.createElement("a");
        a.href = "/files/" + encodeURIComponent(name) + "?token=" + token;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        a.textContent = name;
        li.append(a);
        return li;
      }),
    );
  }

  function request(extra = {}) {
    const langs = [...doc.querySelectorAll("#issue-langs input:checked")].map((i) => i.value);
    return { langs, share_images: doc.getElementById("issue-share").checked, ...extra };
  }

  async function issue(extra) {
    say([]);
    $("issue-result").textContent = "";
    $("issue-corrections").hidden = true;
    list("issue-problems", []);
    $("issue-files").replaceChildren();
    try {
      const { status, body } = await call("POST", "/api/generate", request(extra));
      if (status !== 202) return say(body && body.errors);
      doc.body.dataset.issue = "running";
      $("issue-running").hidden = false;
      await follow("/api/progress", showReport);
    } catch {
      onOffline();
    }
  }

  function showReport(r) {
    const lang = getLang();
    $("issue-progress").max = Math.max(r.total, 1);
    $("issue-progress").value = r.done;
    $("issue-rate").textContent = label(lang, "issue-rate", {
      done: r.done,
      total: r.total,
      rate: r.per_second.toFixed(0),
      left: r.seconds_left === null ? "…" : Math.ceil(r.seconds_left),
    });
    if (r.state === "running") return;
    $("issue-running").hidden = true;
    doc.dispatchEvent(new CustomEvent("piagam-issued"));
    doc.body.dataset.issue = r.state;
    if (r.state === "done") {
      $("issue-result").textContent = label(lang, "issue-done", { documents: r.documents });
      showFiles(r.files);
    } else if (r.state === "corrections") {
      $("issue-corrections").hidden = false;
      list(
        "issue-proposals",
        r.proposals.map((p) => label(lang, "proposal", { row: p.row, kind: p.kind, serial: p.old_serial, old: p.old_recipient, new: p.new_recipient })),
      );
    } else if (r.state === "cancelled") {
      $("issue-result").textContent = label(lang, "issue-cancelled");
    } else {
      $("issue-result").textContent = label(lang, "issue-failed");
      list("issue-problems", r.problems);
    }
  }

  $("issue-check").addEventListener("click", async () => {
    say([]);
    $("issue-checked").textContent = "";
    list("issue-problems", []);
    try {
      const { status, body } = await call("POST", "/api/check", request());
      if (status !== 200) return say(body && body.errors);
      const c = body.checked;
      $("issue-checked").textContent = c.problems.length
        ? label(getLang(), "issue-not-ready", { problems: c.problems.length })
        : label(getLang(), "issue-checked", { rows: c.rows, documents: c.documents });
      list("issue-problems", [...c.problems, ...c.warnings]);
      doc.body.dataset.checked = c.problems.length ? "problems" : "ok";
    } catch {
      onOffline();
    }
  });

  $("issue-go").addEventListener("click", () => issue({}));
  $("corrections-accept").addEventListener("click", () => issue({ corrections: "accept" }));
  $("corrections-reject").addEventListener("click", () => issue({ corrections: "reject" }));

  $("issue-cancel").addEventListener("click", () => call("POST", "/api/cancel").catch(onOffline));

  return { relabel: () => {} };
}
