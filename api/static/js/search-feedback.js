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

function problemsHeading(count) {
  return count === 1 ? "En del af adressen kunne ikke bruges" : "Dele af adressen kunne ikke bruges";
}

/** The URL's parameters the page could not use; each item is text or a list of nodes. */
export function showProblems(problems) {
  const box = $("url-problems");
  if (!problems.length) {
    box.replaceChildren();
    return;
  }
  box.replaceChildren(
    alertBox(
      "warning",
      problemsHeading(problems.length),
      null,
      el("ul", {}, problems.map((p) => el("li", {}, p))),
    ),
  );
}

export function addProblem(problem) {
  const list = $("url-problems").querySelector("ul");
  if (!list) {
    showProblems([problem]);
    return;
  }
  list.append(el("li", {}, problem));
  $("url-problems").querySelector(".alert-heading").textContent = problemsHeading(list.children.length);
}

// A filter value the API knows no page for (422 unknown_value naming the field).
export function unknownFilter(search) {
  const err = search.status === "rejected" ? search.reason : null;
  const filters = ["target_group", "municipality"];
  if (!(err instanceof ApiError) || err.code !== "unknown_value") return null;
  return filters.includes(err.field) ? { field: err.field } : null;
}

const FILTER_WORDS = {
  municipality: { noun: "Kommunen", all: "alle kommuner", known: "Kendte kommuner" },
  target_group: { noun: "Målgruppen", all: "alle målgrupper", known: "Kendte målgrupper" },
};

// "hedensted", " Hedensted  Kommune" and "Hedensted" compare alike.
function fold(text) {
  return String(text || "").toLocaleLowerCase("da").replace(/\s+/g, " ").trim().replace(/ kommune$/, "");
}

// Edit distance (insertions, deletions, substitutions) between two short names.
function distance(a, b) {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= b.length; j += 1) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/** The known value nearest to `value`, when it is near enough to be what was meant. */
export function closestValue(value, known) {
  const wanted = fold(value);
  let best = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(wanted, fold(candidate));
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(wanted.length / 3)) ? best : null;
}

/**
 * What the page says about a filter value no page has: what it searched instead, and the
 * nearest known value as a link (or the known values, when there are few and none is near).
 * `hrefFor(value)` is the same search with that value.
 */
export function unknownValueProblem(field, value, known, hrefFor) {
  const words = FILTER_WORDS[field];
  const shownValue = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  const said = `${words.noun} "${shownValue}" findes ikke blandt indsatserne, så siden søger i ${words.all}.`;
  const near = closestValue(value, known);
  if (near) {
    return [said, " Mente I ", el("a", { href: hrefFor(near), "data-nav": "" }, near), "?"];
  }
  if (known.length && known.length <= 10) {
    const list = known.length > 1 ? `${known.slice(0, -1).join(", ")} og ${known[known.length - 1]}` : known[0];
    return [said, ` ${words.known}: ${list}.`];
  }
  return [said];
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

