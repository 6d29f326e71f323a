// The search form's state: what the URL says (`/?q=...&target_group=...`) and what the form
// holds, kept equal so an answer can be shared or bookmarked. Whatever a URL holds is read
// without failing: a bad parameter gets a Danish message saying what was wrong and what the
// page did instead, and the rest of the URL still works.

import { el } from "./common.js";

export const FIELDS = ["q", "target_group", "municipality", "min_evidence", "own_municipality", "answers"];
export const LEVELS = ["ja", "delvist", "nej"];
export const OTHER = "__other__";

/** "2,5" and "2.5" -> "2.5"; "" for no filter; null for a value that is not a score. */
export function parseScore(raw) {
  const text = String(raw || "").trim().replace(",", ".");
  if (!text) return "";
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 5) return null;
  return value === 0 ? "" : String(Math.round(value * 100) / 100);
}

/** "id:ja,id2:nej" -> {answers: Map, bad: [raw pieces]} */
export function parseAnswers(raw) {
  const answers = new Map();
  const bad = [];
  for (const piece of String(raw || "").split(",")) {
    const item = piece.trim();
    if (!item) continue;
    const [id, level, ...rest] = item.split(":");
    const word = String(level || "").trim().toLowerCase();
    if (!id || rest.length || !LEVELS.includes(word)) bad.push(item);
    else answers.set(id.trim(), word);
  }
  return { answers, bad };
}

export function formatAnswers(answers) {
  return [...answers].map(([id, level]) => `${id}:${level}`).join(",");
}

function shown(value, max = 40) {
  const text = String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * The state a URL asks for, and what could not be used. `maxChars` is the API's text limit:
 * a longer text is kept (so it can be shortened) but not searched.
 */
export function readUrl(search, maxChars) {
  const params = new URLSearchParams(search);
  const state = {};
  for (const name of FIELDS) state[name] = (params.get(name) || "").trim();
  const problems = [];
  const score = parseScore(state.min_evidence);
  if (score === null) {
    problems.push(
      `Mindste evidensscore "${shown(state.min_evidence)}" er ikke et tal fra 0 til 5 ` +
        "(skriv fx 2 eller 2,5). Siden søger uden den grænse.",
    );
    state.min_evidence = "";
  } else {
    state.min_evidence = score;
  }
  const { answers, bad } = parseAnswers(state.answers);
  if (bad.length) {
    problems.push(
      `${bad.length === 1 ? "Et svar" : `${bad.length} svar`} i adressen kunne ikke læses ` +
        `("${shown(bad[0])}"). Et svar skrives praksis-id:ja, :delvist eller :nej; ` +
        "resten af svarene er brugt.",
    );
  }
  state.answers = formatAnswers(answers);
  state.tooLong = state.q.length > maxChars;
  return { state, problems };
}

// "hedensted" and "Hedensted Kommune" are Hedensted, as the API reads them.
function foldMunicipality(name) {
  return String(name || "").trim().toLocaleLowerCase("da").replace(/\s+kommune$/, "");
}

export function knownMunicipality(name, facts) {
  const wanted = foldMunicipality(name);
  return facts.municipalities.find((m) => foldMunicipality(m) === wanted) || null;
}

export function stateFromForm(form) {
  const value = (name) => String(form.elements.namedItem(name).value || "").trim();
  const state = {};
  for (const name of FIELDS) state[name] = value(name);
  const choice = value("own_choice");
  if (choice === OTHER) state.own_municipality = value("own_name");
  else state.own_municipality = choice;
  if (choice !== OTHER) state.answers = "";
  state.tooLong = state.q.length > Number(form.dataset.maxChars);
  return state;
}

export function urlFor(state) {
  const params = new URLSearchParams();
  for (const name of FIELDS) if (state[name]) params.set(name, state[name]);
  const qs = params.toString();
  return qs ? `/?${qs}` : "/";
}

export function ensureOption(select, value, label = value) {
  if (!value) return;
  if (![...select.options].some((o) => o.value === value)) {
    select.append(el("option", { value }, label));
  }
}

/** The form shows `state`; `own` says whether its municipality is in the data. */
export function fillForm(form, state, own) {
  form.elements.namedItem("q").value = state.q;
  for (const name of ["target_group", "municipality", "min_evidence"]) {
    const select = form.elements.namedItem(name);
    const label = name === "min_evidence" ? `Mindst ${state[name].replace(".", ",")}` : undefined;
    ensureOption(select, state[name], label);
    select.value = state[name];
  }
  form.elements.namedItem("own_municipality").value = state.own_municipality;
  form.elements.namedItem("answers").value = state.answers;
  const choice = form.elements.namedItem("own_choice");
  const other = own.mode === "other";
  if (own.mode === "known") ensureOption(choice, own.name);
  choice.value = other ? OTHER : own.mode === "known" ? own.name : "";
  form.elements.namedItem("own_name").value = other ? state.own_municipality : "";
  document.getElementById("own-other").hidden = !other;
}

export function fillOptions(form, facts) {
  const lists = { target_groups: facts.targetGroups, municipalities: facts.municipalities };
  for (const select of form.querySelectorAll("select[data-options]")) {
    const chosen = select.value;
    const other = select.querySelector(`option[value="${OTHER}"]`);
    for (const value of lists[select.dataset.options] || []) ensureOption(select, value);
    if (other) select.append(other); // "En anden kommune" stays last
    select.value = chosen;
  }
}

/** "known" (answers from its pages), "other" (the consultant's own answers) or "none". */
export function ownMode(state, facts) {
  if (state.own_municipality) {
    // Without the list (the API did not answer) the name is sent as it is; the API then
    // says in Danish whether it knows the municipality.
    if (!facts) return { mode: "known", name: state.own_municipality };
    const known = knownMunicipality(state.own_municipality, facts);
    return known ? { mode: "known", name: known } : { mode: "other", name: state.own_municipality };
  }
  return state.answers ? { mode: "other", name: "" } : { mode: "none", name: "" };
}
