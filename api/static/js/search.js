// The search page: the form's state lives in the URL (`/?q=...&target_group=...`), so a
// consultant can share or bookmark an answer; opening such a link runs the search.
// Cards come from GET /v1/search (which applies the filters); practices and advice come from
// POST /v1/recommend (with "Vores kommune" as `municipality` for the gap analysis).

import { alertBox, ApiError, apiGet, apiPost, el, queryTerms } from "./common.js";
import { initiativeCard, noResults, renderAdvice, renderPractices } from "./search-results.js";
import { fillForm, loadFilterOptions, stateFromForm, stateFromUrl, urlFor } from "./search-state.js";

const PAGE_SIZE = 10;
const PRACTICES_K = 5;

const $ = (id) => document.getElementById(id);
const form = $("search-form");
const textarea = $("q");
const statusLine = $("status");
const errorBox = $("error-box");
const area = $("results-area");
const moreButton = $("more-button");

let runId = 0;
let controller = null;
let current = null; // {state, terms, shown, total}
const titles = new Map(); // initiative id -> title, from the filter lists, to name links

// --- busy, status, errors ------------------------------------------------------------------

function setBusy(busy) {
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

function setStatus(text) {
  statusLine.replaceChildren(text ? el("span", {}, text) : "");
}

function showError(heading, error) {
  const text = error instanceof ApiError ? error.explain() : String(error && error.message);
  errorBox.replaceChildren(alertBox("error", heading, text));
}

function showQueryError(message) {
  const group = $("q-group");
  const msg = $("q-error");
  group.classList.add("form-error");
  msg.hidden = false;
  msg.replaceChildren(el("span", { class: "sr-only" }, "Fejl: "), message);
  textarea.setAttribute("aria-invalid", "true");
  textarea.setAttribute("aria-describedby", "q-error q-hint");
  textarea.focus();
}

function clearQueryError() {
  $("q-group").classList.remove("form-error");
  $("q-error").hidden = true;
  textarea.removeAttribute("aria-invalid");
  textarea.setAttribute("aria-describedby", "q-hint");
}

// --- rendering -------------------------------------------------------------------------------

function renderInitiatives(body, terms, append) {
  const box = $("initiatives");
  let list = box.querySelector("ol");
  if (!append || !list) {
    list = el("ol", { class: "result-list" });
    box.replaceChildren(list);
  }
  for (const result of body.items || []) list.append(initiativeCard(result, terms));
  current.shown = list.children.length;
  current.total = body.total ?? current.shown;
  moreButton.hidden = current.shown >= current.total;
  if (!current.shown) box.replaceChildren(noResults(current.state));
}

function showEmptyState() {
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

async function run(state) {
  runId += 1;
  const mine = runId;
  if (controller) controller.abort();
  controller = new AbortController();
  const { signal } = controller;
  document.title = `${state.q.slice(0, 60)} – Indsatsfinder`;
  errorBox.replaceChildren();
  $("empty-state").hidden = true;
  setBusy(true);
  const terms = queryTerms(state.q);
  current = { state, terms, shown: 0, total: 0 };
  const [search, recommend] = await Promise.allSettled([
    apiGet("/v1/search", searchParams(state, 0), signal),
    apiPost(
      "/v1/recommend",
      {
        situation: state.q,
        k: PRACTICES_K,
        target_group: state.target_group || null,
        municipality: state.own_municipality || null,
      },
      signal,
    ),
  ]);
  if (mine !== runId) return; // a newer search has started; its results win
  setBusy(false);
  if (search.status === "rejected") {
    $("results").hidden = true;
    showError("Søgningen mislykkedes", search.reason);
    setStatus("Søgningen mislykkedes.");
    return;
  }
  $("results").hidden = false;
  renderInitiatives(search.value, terms, false);
  let gaps = 0;
  let practiceCount = 0;
  if (recommend.status === "fulfilled") {
    gaps = renderPractices($("practices"), recommend.value, state, titles);
    renderAdvice($("advice"), recommend.value, terms);
    practiceCount = (recommend.value.practices || []).length;
  } else {
    const reason = recommend.reason;
    const text = reason instanceof ApiError ? reason.explain() : String(reason);
    $("practices").replaceChildren(alertBox("error", "Anbefalingerne kunne ikke hentes", text));
    $("advice").replaceChildren();
  }
  const parts = [`Viser ${current.shown} af ${current.total} indsatser`];
  if (recommend.status === "fulfilled") parts.push(`${practiceCount} anbefalede praksisser`);
  if (state.own_municipality && recommend.status === "fulfilled") {
    parts.push(`${gaps} ${gaps === 1 ? "hul" : "huller"} for ${state.own_municipality}`);
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

function submit(pushHistory) {
  const state = stateFromForm(form);
  if (!state.q) {
    showQueryError("Skriv en beskrivelse af jeres situation, før I søger.");
    return;
  }
  clearQueryError();
  const url = urlFor(state);
  if (pushHistory && url !== window.location.pathname + window.location.search) {
    window.history.pushState(null, "", url);
  }
  run(state);
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

moreButton.addEventListener("click", loadMore);

// Links inside the page that only change the search (examples, "without filters") run it
// in place instead of reloading.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-nav], .examples a");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  window.history.pushState(null, "", link.getAttribute("href"));
  start();
});

window.addEventListener("popstate", start);

function start() {
  const state = stateFromUrl();
  fillForm(form, state);
  clearQueryError();
  if (state.q) run(state);
  else {
    runId += 1;
    setBusy(false);
    showEmptyState();
  }
}

loadFilterOptions(form, titles).catch((err) => {
  // The filters still work with what the URL gave; say why the lists are short.
  const text = err instanceof ApiError ? err.explain() : String(err);
  console.warn("filter options:", text);
});
start();
