// The search page: the form's state lives in the URL (`/?q=...&target_group=...`), so a
// consultant can share or bookmark an answer; opening such a link runs the search.
// Cards come from GET /v1/search (which applies the filters); practices and advice come from
// POST /v1/recommend (with "Vores kommune" as `municipality` for the gap analysis).

import {
  alertBox,
  ApiError,
  apiGet,
  apiPost,
  el,
  excerpt,
  formatScore,
  highlight,
  icon,
  initiativeHref,
  levelBadge,
  levelInfo,
  queryTerms,
  scoreList,
} from "./common.js";

const FIELDS = ["q", "target_group", "municipality", "min_evidence", "own_municipality"];
const PAGE_SIZE = 10;
const PRACTICES_K = 5;
const MAX_LIST_PAGES = 20;

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

// --- state <-> URL <-> form ---------------------------------------------------------------

function stateFromUrl() {
  const params = new URLSearchParams(window.location.search);
  const state = {};
  for (const name of FIELDS) state[name] = (params.get(name) || "").trim();
  return state;
}

function stateFromForm() {
  const data = new FormData(form);
  const state = {};
  for (const name of FIELDS) state[name] = String(data.get(name) || "").trim();
  return state;
}

function urlFor(state) {
  const params = new URLSearchParams();
  for (const name of FIELDS) if (state[name]) params.set(name, state[name]);
  const qs = params.toString();
  return qs ? `/?${qs}` : "/";
}

function ensureOption(select, value) {
  if (!value) return;
  if (![...select.options].some((o) => o.value === value)) {
    select.append(el("option", { value }, value));
  }
}

function fillForm(state) {
  textarea.value = state.q;
  for (const name of FIELDS.slice(1)) {
    const select = form.elements.namedItem(name);
    ensureOption(select, state[name]);
    select.value = state[name];
  }
}

// --- filter options from GET /v1/initiatives ---------------------------------------------------

async function loadFilterOptions() {
  const groups = new Set();
  const municipalities = new Set();
  let offset = 0;
  for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
    const body = await apiGet("/v1/initiatives", { k: 100, offset });
    const items = body.items || body.results || [];
    for (const item of items) {
      titles.set(item.id, item.title);
      if (item.municipality) municipalities.add(item.municipality);
      for (const group of item.target_groups || []) groups.add(group);
    }
    offset += items.length;
    if (!items.length || offset >= (body.total ?? 0)) break;
  }
  const sorted = (set) => [...set].sort((a, b) => a.localeCompare(b, "da"));
  const lists = { target_groups: sorted(groups), municipalities: sorted(municipalities) };
  for (const select of form.querySelectorAll("select[data-options]")) {
    const chosen = select.value;
    for (const value of lists[select.dataset.options] || []) ensureOption(select, value);
    select.value = chosen;
  }
}

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

function initiativeCard(result, terms) {
  const link = el("a", { href: initiativeHref(result.id) }, result.title);
  const tags = el(
    "ul",
    { class: "tag-list" },
    (result.target_groups || []).map((g) => el("li", { class: "tag-item" }, g)),
  );
  const matches = (result.matches || []).slice(0, 2).map((m) =>
    el(
      "li",
      { class: "match" },
      el("span", { class: "match-section" }, m.section),
      el("p", { class: "match-text" }, highlight(excerpt(m.text, terms), terms)),
    ),
  );
  return el(
    "li",
    { class: "result-item" },
    el(
      "article",
      { class: "card result-card", "aria-labelledby": `card-${cssId(result.id)}` },
      el(
        "div",
        { class: "card-content" },
        el("p", { class: "card-subheading municipality" }, result.municipality),
        el("h3", { class: "card-heading h4", id: `card-${cssId(result.id)}` }, link),
        el("p", { class: "sr-only" }, "Målgrupper:"),
        tags,
        el("p", { class: "sr-only" }, "Testscorer (0 til 5):"),
        scoreList(result.scores),
        matches.length ? el("p", { class: "matches-label" }, "Det matcher i teksten:") : null,
        matches.length ? el("ul", { class: "match-list" }, matches) : null,
        el(
          "a",
          { class: "read-more", href: initiativeHref(result.id) },
          "Se hele indsatsen",
          el("span", { class: "sr-only" }, `: ${result.title}`),
          icon("arrow-forward"),
        ),
      ),
    ),
  );
}

function cssId(id) {
  return String(id).replace(/[^A-Za-z0-9_-]/g, "_");
}

function renderInitiatives(body, terms, append) {
  const box = $("initiatives");
  let list = box.querySelector("ol");
  if (!append || !list) {
    list = el("ol", { class: "result-list" });
    box.replaceChildren(list);
  }
  for (const result of body.results || []) list.append(initiativeCard(result, terms));
  current.shown = list.children.length;
  current.total = body.total ?? current.shown;
  moreButton.hidden = current.shown >= current.total;
  if (!current.shown) box.replaceChildren(noResults(current.state));
}

function activeFilters(state) {
  const parts = [];
  if (state.target_group) parts.push(`målgruppe "${state.target_group}"`);
  if (state.municipality) parts.push(`kommune "${state.municipality}"`);
  if (state.min_evidence) parts.push(`evidensscore mindst ${state.min_evidence.replace(".", ",")}`);
  return parts;
}

function noResults(state) {
  const filters = activeFilters(state);
  const hint = filters.length
    ? `I har afgrænset til ${filters.join(", ")}. Fjern en eller flere afgrænsninger, eller brug andre ord.`
    : "Prøv med færre eller andre ord, fx målgruppen og det I vil opnå.";
  const extra = [];
  if (filters.length) {
    const clear = { ...state, target_group: "", municipality: "", min_evidence: "" };
    extra.push(el("p", {}, el("a", { href: urlFor(clear), "data-nav": "" }, "Søg uden afgrænsninger")));
  }
  return alertBox("info", "Ingen indsatser matchede søgningen", hint, ...extra);
}

function renderPractices(body, state) {
  const box = $("practices");
  const practices = body.practices || [];
  if (!practices.length) {
    box.replaceChildren(el("p", { class: "muted" }, "Ingen praksisser passede til beskrivelsen."));
    return 0;
  }
  const intro = state.own_municipality
    ? el("p", {}, `Huller er praksisser, som ${state.own_municipality} ikke følger fuldt, men som jobcentre med bedre scorer følger.`)
    : el("p", { class: "muted" }, "Vælg \"Vores kommune\" for at se, hvor I har huller.");
  const list = el("ol", { class: "practice-list" });
  for (const practice of practices) {
    const followers = (practice.followed_by || []).map((f) =>
      el(
        "li",
        {},
        el(
          "a",
          { href: initiativeHref(f.initiative_id) },
          f.municipality,
          titles.has(f.initiative_id)
            ? el("span", { class: "sr-only" }, `: ${titles.get(f.initiative_id)}`)
            : null,
        ),
        " ",
        levelBadge(f.answer),
        typeof f.score === "number" ? ` evidensscore ${formatScore(f.score)}` : "",
      ),
    );
    const marks = [];
    if (practice.gap) {
      const answer = practice.your_answer ? levelInfo(practice.your_answer).label : "ukendt";
      marks.push(
        el(
          "p",
          { class: "gap-flag" },
          icon("warning"),
          el("strong", {}, "Hul i jeres praksis"),
          ` – jeres svar: ${answer}`,
        ),
      );
    } else if (practice.your_answer) {
      marks.push(el("p", { class: "own-answer" }, "Jeres svar: ", levelBadge(practice.your_answer)));
    }
    list.append(
      el(
        "li",
        { class: `practice${practice.gap ? " is-gap" : ""}` },
        marks,
        el("p", { class: "practice-text" }, practice.text),
        el("p", { class: "practice-test" }, practice.test),
        el("p", { class: "practice-reason" }, practice.reason),
        followers.length ? el("p", { class: "followers-label" }, "Hvem følger den:") : null,
        followers.length ? el("ul", { class: "follower-list" }, followers) : null,
        practice.evidence && practice.evidence.note
          ? el("p", { class: "evidence-note" }, practice.evidence.note)
          : null,
      ),
    );
  }
  box.replaceChildren(intro, list);
  return practices.filter((p) => p.gap).length;
}

function renderAdvice(body, terms) {
  const box = $("advice");
  const advice = body.advice || [];
  if (!advice.length) {
    box.replaceChildren(el("p", { class: "muted" }, "Ingen gode råd passede til beskrivelsen."));
    return;
  }
  box.replaceChildren(
    el(
      "ul",
      { class: "advice-list" },
      advice.map((a) =>
        el(
          "li",
          { class: "advice" },
          el("p", { class: "advice-meta" }, el("strong", {}, a.municipality), ` · ${a.section}`),
          el("p", { class: "advice-text" }, highlight(excerpt(a.text, terms, 520), terms)),
          el(
            "a",
            { href: initiativeHref(a.initiative_id) },
            "Se hele indsatsen",
            el("span", { class: "sr-only" }, ` fra ${a.municipality}`),
          ),
        ),
      ),
    ),
  );
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
    gaps = renderPractices(recommend.value, state);
    renderAdvice(recommend.value, terms);
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
  const state = stateFromForm();
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
  fillForm(state);
  clearQueryError();
  if (state.q) run(state);
  else {
    runId += 1;
    setBusy(false);
    showEmptyState();
  }
}

loadFilterOptions().catch((err) => {
  // The filters still work with what the URL gave; say why the lists are short.
  const text = err instanceof ApiError ? err.explain() : String(err);
  console.warn("filter options:", text);
});
start();
