// The search page: the form's state lives in the URL (`/?q=...&target_group=...`), so a
// consultant can share or bookmark an answer; opening such a link runs the search, and so
// does changing a filter. Cards come from GET /v1/search (which applies the filters);
// practices and advice from POST /v1/recommend (same filters; "Vores kommune" as
// `own_municipality`, or the consultant's own `answers` for a municipality not in the data).

import { alertBox, ApiError, apiGet, apiPost, el, onServiceWait } from "./common.js";
import {
  addProblem,
  clearQueryError,
  setBusy,
  setStarting,
  setStatus,
  showError,
  showProblems,
  showQueryError,
  tooLongMessage,
  unknownFilter,
  unknownValueProblem,
  updateCount,
  weakMatch,
} from "./search-feedback.js";
import { corpusFacts, fillHeader } from "./frame.js";
import { answersObject, catalogueIds, showChecklist, unknownAnswerIds } from "./own-answers.js";
import { initiativeCard, noResults, renderAdvice, renderPractices } from "./search-results.js";
import {
  fillForm,
  fillOptions,
  ownMode,
  readUrl,
  stateFromForm,
  urlFor,
} from "./search-state.js";

const PAGE_SIZE = 10;
const PRACTICES_K = 5;

const $ = (id) => document.getElementById(id);
const form = $("search-form");
const textarea = $("q");
const maxChars = Number(form.dataset.maxChars);
const errorBox = $("error-box");
const moreButton = $("more-button");

let runId = 0;
let controller = null;
let current = null; // {state, own, terms (the stems to mark), shown, total}
let facts = null; // what the data holds (frame.js), or null when the listing failed
let factsLoading = null;

/** What the data holds, for the filter lists and the notes; asked for again after a failure. */
function ensureFacts() {
  if (facts) return Promise.resolve(facts);
  if (!factsLoading) {
    factsLoading = corpusFacts()
      .then((value) => {
        facts = value;
        fillOptions(form, value);
        $("corpus-note").textContent = corpusNote(value);
        fillHeader();
        return value;
      })
      .catch((err) => {
        console.warn("listing:", err instanceof ApiError ? err.explain() : err);
        factsLoading = null;
        return null;
      });
  }
  return factsLoading;
}
ensureFacts();
// While the service starts, every request waits for it; the status line says so calmly.
onServiceWait(() => setStarting());

function corpusNote(info) {
  const names = info.municipalities;
  const list = names.length <= 8 ? `: ${names.slice(0, -1).join(", ")}${names.length > 1 ? " og " : ""}${names[names.length - 1] || ""}` : "";
  return (
    `Svarene bygger på ${info.total} ${info.total === 1 ? "indsats" : "indsatser"} fra ` +
    `${names.length} ${names.length === 1 ? "kommune" : "kommuner"}${list}. ` +
    'Er jeres kommune ikke med, kan I selv udfylde jeres svar under "Vores kommune".'
  );
}

// --- rendering -------------------------------------------------------------------------------

function renderInitiatives(body, terms, append) {
  const box = $("initiatives");
  let list = box.querySelector("ol");
  if (!append || !list) {
    list = el("ol", { class: "result-list" });
    box.replaceChildren(list);
  }
  const dates = facts ? facts.dates : new Map();
  for (const result of body.items || []) {
    list.append(initiativeCard(result, terms, dates.get(result.id)));
  }
  current.shown = list.children.length;
  current.total = body.total ?? current.shown;
  moreButton.hidden = current.shown >= current.total;
  if (!current.shown) box.replaceChildren(noResults(current.state));
}

function answerHeading(state, own) {
  const parts = [`Svar på: "${state.q}"`];
  if (state.target_group) parts.push(`målgruppe ${state.target_group}`);
  if (state.municipality) parts.push(`kommune ${state.municipality}`);
  if (state.min_evidence) parts.push(`evidensscore mindst ${state.min_evidence.replace(".", ",")}`);
  if (own.mode !== "none") parts.push(`huller for ${own.name || "jeres kommune"}`);
  const day = new Date().toLocaleDateString("da-DK", { day: "numeric", month: "long", year: "numeric" });
  // The link to the answer itself: without a jump link's "#practices-heading".
  const link = window.location.origin + window.location.pathname + window.location.search;
  return `${parts.join(" · ")} (udskrevet ${day} fra ${link})`;
}

function showEmptyState() {
  setBusy(false);
  $("empty-state").hidden = false;
  $("results").hidden = true;
  errorBox.replaceChildren();
  setStatus("");
}

// --- running a search --------------------------------------------------------------------------

function searchParams(state, offset) {
  return {
    q: state.q,
    k: PAGE_SIZE,
    offset,
    target_group: state.target_group,
    municipality: state.municipality,
    min_evidence: state.min_evidence,
  };
}

async function recommendBody(state, own) {
  // The same filters as the cards: practices, their followers and the advice obey them too.
  const body = { situation: state.q, k: PRACTICES_K, target_group: state.target_group || null };
  if (state.municipality) body.municipality = state.municipality;
  if (state.min_evidence) body.min_evidence = Number(state.min_evidence);
  if (own.mode === "known") body.own_municipality = own.name;
  if (own.mode === "other" && state.answers) {
    let known = null;
    try {
      known = await catalogueIds();
    } catch {
      known = null; // the API names unknown ids itself
    }
    const answers = answersObject(state.answers, known);
    if (Object.keys(answers).length) body.answers = answers;
  }
  return body;
}

async function run(state, own) {
  runId += 1;
  const mine = runId;
  if (controller) controller.abort();
  controller = new AbortController();
  const { signal } = controller;
  document.title = `${state.q.slice(0, 60)} – Indsatsfinder`;
  errorBox.replaceChildren();
  $("empty-state").hidden = true;
  setBusy(true);
  current = { state, own, terms: [], shown: 0, total: 0 };
  const body = await recommendBody(state, own);
  const [search, recommend] = await Promise.allSettled([
    apiGet("/v1/search", searchParams(state, 0), signal),
    apiPost("/v1/recommend", body, signal),
  ]);
  if (mine !== runId) return; // a newer search has started; its results win
  setBusy(false);
  const unknown = unknownFilter(search);
  if (unknown) {
    const known = !facts ? [] : unknown.field === "municipality" ? facts.municipalities : facts.targetGroups;
    const hrefFor = (value) => urlFor({ ...state, [unknown.field]: value });
    addProblem(unknownValueProblem(unknown.field, state[unknown.field], known, hrefFor));
    const fewer = { ...state, [unknown.field]: "" };
    fillForm(form, fewer, own);
    run(fewer, own);
    return;
  }
  if (search.status === "rejected") {
    $("results").hidden = true;
    showError("Søgningen mislykkedes", search.reason);
    setStatus("Søgningen mislykkedes.");
    return;
  }
  $("results").hidden = false;
  $("answer-heading").textContent = answerHeading(state, own);
  // The engine says which of the words are worth marking, for the cards and the advice.
  const terms = search.value.highlight_stems || [];
  current.terms = terms;
  renderInitiatives(search.value, terms, false);
  // The engine's "no good match" (when it gives one): say so plainly above the cards.
  const weak = Boolean(search.value.no_good_match) && current.shown > 0;
  if (weak) $("initiatives").prepend(weakMatch());
  let shown = { recommended: 0, gaps: 0 };
  if (recommend.status === "fulfilled") {
    shown = renderPractices($("practices"), recommend.value, state, own, facts ? facts.titles : new Map());
    renderAdvice($("advice"), recommend.value, terms);
  } else {
    const reason = recommend.reason;
    const text = reason instanceof ApiError ? reason.explain() : String(reason);
    $("practices").replaceChildren(alertBox("error", "Anbefalingerne kunne ikke hentes", text));
    $("advice").replaceChildren();
  }
  $("jump-practices").textContent = `Anbefalede praksisser (${shown.recommended})`;
  const parts = [`Viser ${current.shown} af ${current.total} indsatser`];
  if (weak) {
    const which = current.shown === 1 ? "den" : `de ${current.shown}`;
    const practices = shown.recommended
      ? `; ${shown.recommended} ${shown.recommended === 1 ? "praksis svarer" : "praksisser svarer"} på beskrivelsen`
      : "; ingen praksis anbefales";
    setStatus(`Ingen indsats passer godt til beskrivelsen. Viser ${which}, der ligner mest${practices}.`);
    return;
  }
  if (recommend.status === "fulfilled") {
    parts.push(`${shown.recommended} ${shown.recommended === 1 ? "anbefalet praksis" : "anbefalede praksisser"}`);
    if (own.mode !== "none") {
      parts.push(`${shown.gaps} ${shown.gaps === 1 ? "hul" : "huller"} for ${own.name || "jeres kommune"}`);
    }
  }
  setStatus(`${parts.join(", ")}.`);
}

async function loadMore() {
  if (!current) return;
  const mine = runId;
  moreButton.setAttribute("aria-disabled", "true");
  setBusy(true);
  try {
    const body = await apiGet("/v1/search", searchParams(current.state, current.shown));
    if (mine !== runId) return;
    const before = current.shown;
    renderInitiatives(body, current.terms, true);
    setStatus(`Viser ${current.shown} af ${current.total} indsatser.`);
    const firstNew = $("initiatives").querySelectorAll(".result-item")[before];
    if (firstNew) firstNew.querySelector("a").focus();
  } catch (err) {
    showError("Flere resultater kunne ikke hentes", err);
    setStatus("");
  } finally {
    if (mine === runId) setBusy(false);
    moreButton.removeAttribute("aria-disabled");
  }
}

function submit(pushHistory, { requireText = true } = {}) {
  ensureFacts(); // the lists, if the service was not ready when the page opened
  const state = stateFromForm(form);
  const own = ownMode(state, facts);
  const url = urlFor(state);
  const here = window.location.pathname + window.location.search;
  if (url !== here) {
    if (pushHistory) window.history.pushState(null, "", url);
    else window.history.replaceState(null, "", url);
    shownSearch = window.location.search;
  }
  $("url-problems").replaceChildren();
  showChecklist(state, own, onAnswers);
  if (!state.q) {
    if (requireText) showQueryError("Skriv en beskrivelse af jeres situation, før I søger.");
    return;
  }
  if (state.tooLong) {
    showQueryError(tooLongMessage(state.q.length));
    return;
  }
  clearQueryError();
  run(state, own);
}

function onAnswers(answersText) {
  form.elements.namedItem("answers").value = answersText;
  submit(false, { requireText: false });
}

// --- wiring ----------------------------------------------------------------------------------

form.addEventListener("submit", (event) => {
  event.preventDefault();
  submit(true);
});

textarea.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || event.shiftKey || event.altKey || event.isComposing) return;
  event.preventDefault();
  form.requestSubmit();
});
textarea.addEventListener("input", updateCount);

// A changed filter or municipality reruns the search (when there is something to search for).
for (const name of ["target_group", "municipality", "min_evidence", "own_choice", "own_name"]) {
  form.elements.namedItem(name).addEventListener("change", () => {
    const other = form.elements.namedItem("own_choice").value === "__other__";
    $("own-other").hidden = !other;
    if (name === "own_choice" && other) $("checklist-details").open = true;
    submit(true, { requireText: false });
  });
}

moreButton.addEventListener("click", loadMore);
$("print-button").addEventListener("click", () => window.print());
// A printed answer shows the practices that are not recommended too, with their reasons.
let closedForPrint = [];
window.addEventListener("beforeprint", () => {
  if (current) $("answer-heading").textContent = answerHeading(current.state, current.own);
  closedForPrint = [...document.querySelectorAll("#results details:not([open])")];
  for (const d of closedForPrint) d.open = true;
});
window.addEventListener("afterprint", () => {
  for (const d of closedForPrint) d.open = false;
  closedForPrint = [];
});

// Links inside the page that only change the search (examples, "without filters") run it
// in place instead of reloading.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-nav], .examples a");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  window.history.pushState(null, "", link.getAttribute("href"));
  start();
});

// Back and forward run the search of the address they land on. A jump link within the
// answer (#practices-heading) fires popstate too in some browsers: the search has not
// changed then, and running it again would redraw the answer under the reader.
let shownSearch = window.location.search;
window.addEventListener("popstate", () => {
  if (window.location.search === shownSearch) return;
  start();
});

// Whether the consultant has typed or searched since the page opened. The first fill from
// the address waits for the lists; by then the consultant has taken over, and that fill
// must not wipe what they typed nor the answer (or error) their own search gave.
let touched = false;
for (const kind of ["input", "submit"]) {
  form.addEventListener(kind, () => {
    touched = true;
  });
}

async function start({ opening = false } = {}) {
  const mine = ++runId;
  shownSearch = window.location.search;
  const { state, problems } = readUrl(window.location.search, maxChars);
  await ensureFacts();
  if (mine !== runId || (opening && touched)) return;
  const own = ownMode(state, facts);
  fillForm(form, state, own);
  updateCount();
  clearQueryError();
  try {
    const unknown = own.mode === "other" ? await unknownAnswerIds(state.answers) : [];
    if (unknown.length) {
      problems.push(
        `${unknown.length} svar i adressen gælder praksisser, som ikke findes (fx "${unknown[0]}"); de er ikke brugt.`,
      );
    }
  } catch {
    // the checklist says itself that it could not be loaded
  }
  showProblems(problems);
  showChecklist(state, own, onAnswers);
  if (state.q && state.tooLong) {
    showEmptyState();
    showQueryError(tooLongMessage(state.q.length), false);
  } else if (state.q) run(state, own);
  else {
    setBusy(false);
    showEmptyState();
  }
}

start({ opening: true });
