// The studio page: Indonesian first, English at a click; the screens.

import { takeToken } from "./api.js";
import { label, LANGUAGES } from "./labels.js";
import { startEvent } from "./event.js";
import { startRoster } from "./roster.js";
import { startDesign } from "./design.js";
import { startIssue } from "./issue.js";
import { startRegister } from "./register.js";
import { startVerify } from "./verify.js";

let lang = localStorage.getItem("piagam-studio-lang") || "id";
if (!LANGUAGES.includes(lang)) lang = "id";

function relabel() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll("[data-label]")) el.textContent = label(lang, el.dataset.label);
}

takeToken();
const offline = () => {
  document.getElementById("offline").hidden = false;
};
const eventScreen = startEvent(document, () => lang, offline);
const rosterScreen = startRoster(document, () => lang, offline);
const designScreen = startDesign(document, () => lang, offline);
startIssue(document, () => lang, offline);
const registerScreen = startRegister(document, () => lang, offline);
startVerify(document, () => lang, offline);

document.getElementById("language").addEventListener("click", () => {
  lang = LANGUAGES[(LANGUAGES.indexOf(lang) + 1) % LANGUAGES.length];
  localStorage.setItem("piagam-studio-lang", lang);
  relabel();
  eventScreen.relabel();
  rosterScreen.relabel();
  designScreen.relabel();
  registerScreen.relabel();
});

relabel();
Promise.all([eventScreen.load(), rosterScreen.load(), designScreen.load(), registerScreen.load()]).then(() => {
  document.body.dataset.ready = "true";
});
