// The signatory's signature and stamp on the event screen: each chosen as
// a PNG or JPEG, kept by the studio beside the designs, and shown here as
// every design will print it.

import { send, takeToken } from "./api.js";
import { label } from "./labels.js";

const MARKS = ["signature", "stamp"];

export function startMarks(doc, getLang, onOffline) {
  const problem = (mark) => doc.querySelector(`#event .problem[data-for="${mark}"]`);

  async function show(mark) {
    const image = doc.getElementById(`mark-${mark}-shown`);
    try {
      const response = await fetch("/api/mark?kind=" + mark, { headers: { "x-piagam-token": takeToken() || "" }, cache: "no-store" });
      if (!response.ok) {
        image.hidden = true;
        return;
      }
      if (image.src) URL.revokeObjectURL(image.src);
      image.src = URL.createObjectURL(await response.blob());
      image.alt = label(getLang(), mark);
      image.hidden = false;
    } catch {
      onOffline();
    }
  }

  for (const mark of MARKS) {
    const input = doc.getElementById(`mark-${mark}`);
    input.addEventListener("change", async () => {
      const file = input.files[0];
      if (!file) return;
      problem(mark).textContent = "";
      try {
        const { status, body } = await send("/api/mark?kind=" + mark, await file.arrayBuffer());
        if (status === 200) await show(mark);
        else {
          const e = body && body.errors && body.errors[0];
          problem(mark).textContent = e ? label(getLang(), "problem:" + e.code, { detail: e.detail }) : String(status);
        }
      } catch {
        onOffline();
      }
      input.value = "";
    });
  }

  /// `kept`: which marks the event has, as GET /api/event tells.
  return {
    load: (kept) => Promise.all(MARKS.filter((m) => kept && kept[m]).map(show)),
  };
}
