// "Vores kommune" for a municipality that is not in the data: the consultant answers the
// checklist (Ja / Delvist / Nej per practice, from GET /v1/practices) and the answers live in
// the URL (`answers=id:ja,id2:nej`), so the gap analysis can be shared like any answer.

import { apiGet, el, genitive, TEST_NAMES } from "./common.js";
import { formatAnswers, LEVELS, parseAnswers } from "./search-state.js";

const CHOICES = [...LEVELS.map((l) => [l, l[0].toUpperCase() + l.slice(1)]), ["", "Ved ikke"]];
let catalogue = null;

function practices() {
  if (!catalogue) catalogue = apiGet("/v1/practices").then((body) => body.items || []);
  return catalogue;
}

function cssId(id) {
  return String(id).replace(/[^A-Za-z0-9_-]/g, "_");
}

function question(practice, n, chosen) {
  const name = `own-${cssId(practice.id)}`;
  const legendId = `${name}-text`;
  return el(
    "fieldset",
    { class: "own-question", "data-practice": practice.id },
    el("legend", { class: "own-question-text", id: legendId }, `${n}. ${practice.text}`),
    el(
      "div",
      { class: "own-choices" },
      CHOICES.map(([value, label]) => {
        const id = `${name}-${value || "blank"}`;
        return el(
          "div",
          { class: "form-group-radio own-choice" },
          el("input", {
            class: "form-radio",
            type: "radio",
            id,
            name,
            value,
            checked: (chosen.get(practice.id) || "") === value,
          }),
          el("label", { class: "form-label", for: id }, label),
        );
      }),
    ),
  );
}

function summaryText(answers, total, name) {
  const whose = name ? `${genitive(name)} svar` : "Jeres svar";
  return `${whose}: ${answers.size} af ${total} praksisser udfyldt`;
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
  const summary = document.getElementById("checklist-summary");
  const { answers } = parseAnswers(state.answers);
  let items;
  try {
    items = await practices();
  } catch (err) {
    body.replaceChildren(el("p", {}, `Tjeklisten kunne ikke hentes: ${err.message}`));
    return;
  }
  const known = new Set(items.map((p) => p.id));
  for (const id of [...answers.keys()]) if (!known.has(id)) answers.delete(id);
  summary.textContent = summaryText(answers, items.length, own.name);
  const tests = new Map();
  for (const p of items) {
    if (!tests.has(p.test)) tests.set(p.test, []);
    tests.get(p.test).push(p);
  }
  let n = 0;
  body.replaceChildren(
    ...[...tests].map(([test, list]) =>
      el(
        "div",
        { class: "own-test" },
        el("h3", { class: "h5" }, TEST_NAMES[test] || test),
        list.map((p) => question(p, (n += 1), answers)),
      ),
    ),
  );
  body.onchange = (event) => {
    const box = event.target.closest("fieldset[data-practice]");
    if (!box) return;
    const id = box.dataset.practice;
    if (event.target.value) answers.set(id, event.target.value);
    else answers.delete(id);
    summary.textContent = summaryText(answers, items.length, own.name);
    onChange(formatAnswers(answers));
  };
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
