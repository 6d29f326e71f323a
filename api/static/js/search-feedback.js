// What the search page says about itself: busy and status line, errors, the warnings about
// a URL's parameters, the text field's error and its character counter, "nothing fits well".

import { alertBox, ApiError, el } from "./common.js";

const $ = (id) => document.getElementById(id);
const statusLine = $("status");
const errorBox = $("error-box");
const area = $("results-area");
const form = $("search-form");
const textarea = $("q");
const maxChars = Number(form.dataset.maxChars);

export function setBusy(busy) {
  area.setAttribute("aria-busy", busy ? "true" : "false");
  form.setAttribute("aria-busy", busy ? "true" : "false");
  document.body.classList.toggle("is-busy", busy);
  if (busy) {
    statusLine.replaceChildren(
      el("span", { class: "spinner spinner-small", "aria-hidden": "true" }),
      el("span", {}, "Søger ... Det tager normalt et par sekunder."),
    );
  }
}

/** The service is starting: a calm line with the spinner, no error; the page asks again. */
export function setStarting() {
  area.setAttribute("aria-busy", "true");
  document.body.classList.add("is-busy");
  statusLine.replaceChildren(
    el("span", { class: "spinner spinner-small", "aria-hidden": "true" }),
    el(
      "span",
      { class: "starting" },
      "Tjenesten starter op. Siden prøver igen af sig selv og viser svaret, så snart den er klar.",
    ),
  );
}

export function setStatus(text) {
  statusLine.replaceChildren(text ? el("span", {}, text) : "");
}

export function showError(heading, error) {
  const text = error instanceof ApiError ? error.explain() : String(error && error.message);
  errorBox.replaceChildren(alertBox("error", heading, text));
}

export function showProblems(problems) {
  const box = $("url-problems");
  if (!problems.length) {
    box.replaceChildren();
    return;
  }
  box.replaceChildren(
    alertBox(
      "warning",
      problems.length === 1 ? "En del af adressen kunne ikke bruges" : "Dele af adressen kunne ikke bruges",
      null,
      el("ul", {}, problems.map((p) => el("li", {}, p))),
    ),
  );
}

// A filter value the API knows no page for (422 unknown_value naming the known ones).
export function unknownFilter(search) {
  const err = search.status === "rejected" ? search.reason : null;
  const filters = ["target_group", "municipality"];
  if (!(err instanceof ApiError) || err.code !== "unknown_value") return null;
  return filters.includes(err.field) ? { field: err.field, message: err.message } : null;
}

export function sentenceOf(text) {
  const trimmed = String(text || "").trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

export function addProblem(message) {
  const list = $("url-problems").querySelector("ul");
  const shown = list ? [...list.children].map((li) => li.textContent) : [];
  showProblems([...shown, message]);
}

export function showQueryError(message, focus = true) {
  $("q-group").classList.add("form-error");
  const msg = $("q-error");
  msg.hidden = false;
  msg.replaceChildren(el("span", { class: "sr-only" }, "Fejl: "), message);
  textarea.setAttribute("aria-invalid", "true");
  textarea.setAttribute("aria-describedby", "q-error q-hint q-count");
  if (focus) textarea.focus();
}

export function clearQueryError() {
  $("q-group").classList.remove("form-error");
  $("q-error").hidden = true;
  textarea.removeAttribute("aria-invalid");
  textarea.setAttribute("aria-describedby", "q-hint q-count");
}

const danish = (n) => n.toLocaleString("da-DK");

export function tooLongMessage(length) {
  return (
    `Beskrivelsen er ${danish(length)} tegn; der er plads til ${danish(maxChars)}. ` +
    `Forkort den med ${danish(length - maxChars)} tegn, og søg igen.`
  );
}

export function updateCount() {
  const length = textarea.value.length;
  const count = $("q-count");
  count.textContent = `${danish(length)} af ${danish(maxChars)} tegn`;
  count.classList.toggle("is-over", length > maxChars);
  if (length > maxChars) count.textContent += ` – ${danish(length - maxChars)} for mange`;
}

export function weakMatch() {
  return alertBox(
    "warning",
    "Ingen indsats passer godt til jeres beskrivelse",
    "Indsatserne herunder er dem, der ligner mest, men ingen af dem handler tydeligt om det, " +
      "I beskriver. Læs dem med forbehold, eller beskriv målgruppen og det, I vil opnå, med andre ord.",
  );
}

