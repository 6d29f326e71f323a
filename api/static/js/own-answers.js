// "Vores kommune" for a municipality that is not in the data: the consultant answers the
// checklist (Ja / Delvist / Nej per practice, from GET /v1/practices) and the answers live in
// the URL (`answers=id:ja,id2:nej`), so the gap analysis can be shared like any answer.
//
// The list is built once. An answer changes the URL and reruns the search, but the list
// itself is only brought up to date (values, counts), never rebuilt: focus stays on the
// question just answered and the reader keeps their place. Each practice is one row with
// one answer field; on a phone the row is a single line (the whole text shows while the row
// has focus) and each test is a group that opens and closes.

import { apiGet, el, genitive, TEST_NAMES } from "./common.js";
import { formatAnswers, LEVELS, parseAnswers } from "./search-state.js";

const CHOICES = [["", "Ved ikke"], ...LEVELS.map((l) => [l, l[0].toUpperCase() + l.slice(1)])];
// Wide enough for the groups to stay open: the list then reads like the checklist it is.
const WIDE = "(min-width: 768px)";
let catalogue = null;
let shown = null; // {items, answers, name, onChange} once the list is built

function practices() {
  if (!catalogue) {
    catalogue = apiGet("/v1/practices").then((body) => body.items || []);
    catalogue.catch(() => {
      catalogue = null; // asked again next time (the service may have been starting)
    });
  }
  return catalogue;
}

function cssId(id) {
  return String(id).replace(/[^A-Za-z0-9_-]/g, "_");
}

function question(practice, n) {
  const id = `own-${cssId(practice.id)}`;
  return el(
    "div",
    { class: "own-question", "data-practice": practice.id },
    el("label", { class: "own-question-text", for: id, title: practice.text }, `${n}. ${practice.text}`),
    el(
      "select",
      { class: "form-select own-answer", id, "data-practice": practice.id },
      CHOICES.map(([value, label]) => el("option", { value }, label)),
    ),
  );
}

function summaryText(answers, total, name) {
  const whose = name ? `${genitive(name)} svar` : "Jeres svar";
  return `${whose}: ${answers.size} af ${total} praksisser udfyldt`;
}

function build(body, items) {
  const tests = new Map();
  for (const p of items) {
    if (!tests.has(p.test)) tests.set(p.test, []);
    tests.get(p.test).push(p);
  }
  const open = window.matchMedia(WIDE).matches;
  let n = 0;
  body.replaceChildren(
    ...[...tests].map(([test, list]) =>
      el(
        "details",
        { class: "own-test", "data-test": test, open },
        el(
          "summary",
          { class: "own-test-summary" },
          el("h3", { class: "h5 own-test-name" }, TEST_NAMES[test] || test),
          el("span", { class: "own-test-count" }),
        ),
        el("div", { class: "own-questions" }, list.map((p) => question(p, (n += 1)))),
      ),
    ),
  );
}

/** Bring values, group counts and the summary up to date with `shown.answers`. */
function sync() {
  const body = document.getElementById("checklist-body");
  for (const select of body.querySelectorAll("select[data-practice]")) {
    const value = shown.answers.get(select.dataset.practice) || "";
    if (select.value !== value) select.value = value;
    select.closest(".own-question").classList.toggle("is-answered", value !== "");
  }
  for (const group of body.querySelectorAll(".own-test")) {
    const selects = group.querySelectorAll("select[data-practice]");
    const done = [...selects].filter((s) => s.value !== "").length;
    group.querySelector(".own-test-count").textContent = `${done} af ${selects.length} besvaret`;
  }
  document.getElementById("checklist-summary").textContent = summaryText(
    shown.answers,
    shown.items.length,
    shown.name,
  );
}

/**
 * Show the checklist for `own` ({mode, name}) with the answers in `state.answers`; call
 * `onChange(answersText)` when the consultant changes one. Hidden unless mode is "other".
 */
export async function showChecklist(state, own, onChange) {
  const section = document.getElementById("checklist");
  section.hidden = own.mode !== "other";
  if (own.mode !== "other") return;
  const body = document.getElementById("checklist-body");
  let items;
  try {
    items = await practices();
  } catch (err) {
    body.replaceChildren(el("p", {}, `Tjeklisten kunne ikke hentes: ${err.message}`));
    shown = null;
    return;
  }
  const known = new Set(items.map((p) => p.id));
  const { answers } = parseAnswers(state.answers);
  for (const id of [...answers.keys()]) if (!known.has(id)) answers.delete(id);
  if (!shown || shown.items !== items) {
    build(body, items);
    body.onchange = (event) => {
      const select = event.target.closest("select[data-practice]");
      if (!select || !shown) return;
      if (select.value) shown.answers.set(select.dataset.practice, select.value);
      else shown.answers.delete(select.dataset.practice);
      sync();
      shown.onChange(formatAnswers(shown.answers));
    };
  }
  shown = { items, answers, name: own.name, onChange };
  sync();
}

/** Answers the URL holds for practices the catalogue does not have (to say so). */
export async function unknownAnswerIds(answersText) {
  const { answers } = parseAnswers(answersText);
  if (!answers.size) return [];
  const known = new Set((await practices()).map((p) => p.id));
  return [...answers.keys()].filter((id) => !known.has(id));
}

export function answersObject(answersText, knownIds = null) {
  const out = {};
  for (const [id, level] of parseAnswers(answersText).answers) {
    if (!knownIds || knownIds.has(id)) out[id] = level;
  }
  return out;
}

export async function catalogueIds() {
  return new Set((await practices()).map((p) => p.id));
}
