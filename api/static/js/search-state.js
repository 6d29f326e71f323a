// The search form's state: what the URL says (`/?q=...&target_group=...`) and what the form
// holds, kept equal so an answer can be shared or bookmarked, and the filter lists filled
// from GET /v1/initiatives.

import { apiGet, el } from "./common.js";

export const FIELDS = ["q", "target_group", "municipality", "min_evidence", "own_municipality"];
const MAX_LIST_PAGES = 20;

export function stateFromUrl() {
  const params = new URLSearchParams(window.location.search);
  const state = {};
  for (const name of FIELDS) state[name] = (params.get(name) || "").trim();
  return state;
}

export function stateFromForm(form) {
  const data = new FormData(form);
  const state = {};
  for (const name of FIELDS) state[name] = String(data.get(name) || "").trim();
  return state;
}

export function urlFor(state) {
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

export function fillForm(form, state) {
  form.elements.namedItem("q").value = state.q;
  for (const name of FIELDS.slice(1)) {
    const select = form.elements.namedItem(name);
    ensureOption(select, state[name]);
    select.value = state[name];
  }
}

// `titles` (initiative id -> title) is filled on the way, to name links for screen readers.
export async function loadFilterOptions(form, titles) {
  const groups = new Set();
  const municipalities = new Set();
  let offset = 0;
  for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
    const body = await apiGet("/v1/initiatives", { k: 100, offset });
    const items = body.items || [];
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
