// What every page says about the data it rests on: how many initiatives from how many
// municipalities ("Bygger på 5 indsatser fra 3 kommuner"), read from GET /v1/initiatives.
// The listing is fetched once per page and shared with the search form's filter lists.

import { apiGet } from "./common.js";

const MAX_LIST_PAGES = 20;
let facts = null;

/** {total, municipalities, targetGroups, titles: Map(id -> title), dates: Map(id -> {added, updated}), complete} */
// While the service starts, the listing waits for it (common.js asks again by itself); a
// listing that still failed is asked for again by the next caller.
export function corpusFacts() {
  if (!facts) {
    facts = loadFacts();
    facts.catch(() => {
      facts = null;
    });
  }
  return facts;
}

async function loadFacts() {
  const groups = new Set();
  const municipalities = new Set();
  const titles = new Map();
  const dates = new Map();
  let offset = 0;
  let total = 0;
  for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
    const body = await apiGet("/v1/initiatives", { k: 100, offset });
    const items = body.items || [];
    total = body.total ?? items.length;
    for (const item of items) {
      titles.set(item.id, item.title);
      dates.set(item.id, { added: item.added_at || null, updated: item.updated_at || null });
      if (item.municipality) municipalities.add(item.municipality);
      for (const group of item.target_groups || []) groups.add(group);
    }
    offset += items.length;
    if (!items.length || offset >= total) break;
  }
  const sorted = (set) => [...set].sort((a, b) => a.localeCompare(b, "da"));
  return {
    total,
    municipalities: sorted(municipalities),
    targetGroups: sorted(groups),
    titles,
    dates,
    complete: offset >= total,
  };
}

/** "3. maj 2025" for an ISO time, or "" when there is none. */
export function danishDate(iso) {
  const date = new Date(iso || "");
  if (!iso || Number.isNaN(date.getTime())) return "";
  return date.toLocaleDateString("da-DK", { day: "numeric", month: "long", year: "numeric" });
}

/**
 * What a page's dates mean, in words. The published pages carry no date; the catalogue knows
 * when a page entered it and when it last changed, and a page without those came with
 * Indsatsfinder as an example (a seed), which may be years old.
 */
export function ageSentence(added, updated) {
  const came = danishDate(added);
  if (!came) return "Eksempelside, der følger med Indsatsfinder. Den har ingen dato og kan være flere år gammel.";
  const changed = danishDate(updated);
  const more = changed && changed !== came ? `, senest ændret ${changed}` : "";
  return `Lagt ind i Indsatsfinder ${came}${more}.`;
}

export function countWord(n, one, many) {
  return `${n.toLocaleString("da-DK")} ${n === 1 ? one : many}`;
}

/** "Brønderslev, Hedensted og Skanderborg" */
export function joinDanish(items) {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} og ${items[items.length - 1]}`;
}

export function corpusSentence(info) {
  const places = info.complete ? "" : " (mindst)";
  return (
    `Bygger på ${countWord(info.total, "indsats", "indsatser")} fra` +
    `${places} ${countWord(info.municipalities.length, "kommune", "kommuner")}`
  );
}

export async function fillHeader() {
  const line = document.getElementById("corpus-size");
  if (!line) return;
  try {
    line.textContent = `${corpusSentence(await corpusFacts())}.`;
  } catch {
    // keep the server's sentence; the search says what went wrong if the API is down
  }
}

fillHeader();
