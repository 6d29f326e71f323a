// Shared helpers for the Indsatsfinder pages: DOM building, API calls, number formatting and
// highlighting. Every piece of text from the API reaches the page through text nodes
// (`document.createTextNode` / `textContent`), never through innerHTML, so a page whose
// title holds markup shows that markup as text.

export const SCORE_MAX = 5;

const LEVELS = {
  ja: { label: "Ja", icon: "check", badge: "badge-success" },
  delvist: { label: "Delvist", icon: "minus", badge: "badge-warning" },
  nej: { label: "Nej", icon: "close", badge: "badge-error" },
};

/** Build an element: `el("p", {class: "x"}, "text", child)`. Strings become text nodes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

/** A decorative icon from the page's inline sprite (the text next to it carries the meaning). */
export function icon(name, extraClass = "") {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", `icon-svg ${extraClass}`.trim());
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const use = document.createElementNS(ns, "use");
  use.setAttribute("href", `#icon-${name}`);
  svg.append(use);
  return svg;
}

/** `2.2` -> `"2,2"`: Danish decimal comma, one decimal, as on the published pages. */
export function formatScore(value) {
  if (typeof value !== "number" || !Number.isFinite(value)) return "–";
  return value.toFixed(1).replace(".", ",");
}

/** Danish genitive of a name: "Hedensteds", "Aarhus'". */
export function genitive(name) {
  return /[sxz]$/i.test(name) ? `${name}'` : `${name}s`;
}

export function initiativeHref(id) {
  return `/indsats/${encodeURIComponent(id)}`;
}

export function levelInfo(level) {
  return LEVELS[String(level).toLowerCase()] || { label: String(level), icon: "info", badge: "" };
}

/** A Ja/Delvist/Nej marker: icon + word, so the level never rests on colour alone. */
export function levelBadge(level) {
  const info = levelInfo(level);
  return el("span", { class: `badge level-badge ${info.badge}` }, icon(info.icon), info.label);
}

/**
 * One row per test: the label, a bar on the 0-5 scale and the number as text. The bar is
 * decorative (aria-hidden); the number and "af 5" carry the information for everyone.
 */
// The API names the tests by key (`scores.evidence`); the page prints the tests' own names.
export const TEST_NAMES = {
  evidence: "Evidenstest",
  good_practice: "God praksis test",
  education: "Test vedr. uddannelse",
};

export function scoreList(scores, names = TEST_NAMES) {
  const list = el("dl", { class: "score-list" });
  for (const [label, value] of Object.entries(scores || {})) {
    if (value === null || value === undefined) continue; // the page has no such test
    const fill = el("span", { class: "meter-fill" });
    const ratio = Math.max(0, Math.min(1, (Number(value) || 0) / SCORE_MAX));
    fill.style.width = `${(ratio * 100).toFixed(1)}%`;
    list.append(
      el(
        "div",
        { class: "score-row" },
        el("dt", { class: "score-label" }, names[label] || label),
        el(
          "dd",
          { class: "score-value" },
          el("span", { class: "meter", "aria-hidden": "true" }, fill),
          el("span", { class: "score-number" }, formatScore(value)),
          el("span", { class: "score-scale" }, " af 5"),
        ),
      ),
    );
  }
  return list;
}

export function alertBox(variant, heading, text, ...extra) {
  const iconName = { error: "error", warning: "warning", info: "info", success: "success" }[variant];
  const labels = { error: "Fejl", warning: "Advarsel", info: "Information", success: "Udført" };
  const svg = icon(iconName, "alert-icon");
  svg.removeAttribute("aria-hidden");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", labels[variant]);
  return el(
    "div",
    { class: `alert alert-${variant}` },
    svg,
    el(
      "div",
      { class: "alert-body" },
      heading ? el("p", { class: "alert-heading" }, heading) : null,
      text ? el("p", { class: "alert-text" }, text) : null,
      ...extra,
    ),
  );
}

export class ApiError extends Error {
  constructor(status, code, message, field = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field; // the parameter the error is about, when the API names one
  }

  /** What a consultant should read: what went wrong and what to do about it. */
  explain() {
    const said = sentence(this.message);
    if (this.status === 0) return said;
    if (this.status === 503) return `Tjenesten er ikke klar endnu. ${said} Vent et øjeblik, og prøv igen.`;
    if (this.status >= 500) {
      return `Serveren kunne ikke svare (fejl ${this.status}). ${said} Prøv igen om lidt.`;
    }
    return `${said} (fejl ${this.status})`;
  }
}

// The API's messages end with where an API client can look ("Se GET /v1/facets."); a
// consultant cannot use that, so such a sentence is left out of what the page shows.
const API_ADVICE = /\s*Se (?:GET|POST|PUT|DELETE) \/\S*?\.?(?=\s|$)/g;

function sentence(text) {
  const trimmed = String(text || "Ukendt fejl").replace(API_ADVICE, "").trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

// While the service starts (the model and the index load), the API answers 503 with the
// code "unavailable". The page then waits calmly and asks again by itself, more slowly each
// time, instead of telling the consultant to retry; after MAX_WAIT_MS it gives up and says so.
const STARTING = "unavailable";
const RETRY_DELAYS_MS = [500, 1000, 2000, 3000];
const MAX_WAIT_MS = 5 * 60 * 1000;
const waitListeners = new Set();

/** `listener(error)` is called each time a request waits for the service to start. */
export function onServiceWait(listener) {
  waitListeners.add(listener);
}

export function isStarting(err) {
  return err instanceof ApiError && err.status === 503 && err.code === STARTING;
}

function pause(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    if (signal) {
      signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          reject(new DOMException("Afbrudt", "AbortError"));
        },
        { once: true },
      );
    }
  });
}

async function request(path, init) {
  const started = Date.now();
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await requestOnce(path, init);
    } catch (err) {
      if (!isStarting(err) || Date.now() - started > MAX_WAIT_MS) throw err;
      for (const listener of waitListeners) listener(err);
      await pause(RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)], init.signal);
    }
  }
}

async function requestOnce(path, init) {
  let response;
  try {
    response = await fetch(path, { headers: { Accept: "application/json" }, ...init });
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError(
      0,
      "network",
      "Kunne ikke kontakte serveren. Tjek netværksforbindelsen, og prøv igen.",
    );
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    // RFC 9457 problem details: `detail` says what to do, `errors` names the fields.
    const problem = body && typeof body === "object" ? body : {};
    const message = problem.detail || response.statusText || "Ukendt fejl";
    const field = (problem.errors && problem.errors[0] && problem.errors[0].field) || null;
    throw new ApiError(response.status, problem.code || "http_error", message, field);
  }
  if (body === null) throw new ApiError(response.status, "bad_json", "Serveren svarede ikke som ventet.");
  return body;
}

export function apiGet(path, params = {}, signal = undefined) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") query.set(key, String(value));
  }
  const qs = query.toString();
  return request(qs ? `${path}?${qs}` : path, { signal });
}

export function apiPost(path, body, signal = undefined) {
  return request(path, {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
}

// --- highlighting ---------------------------------------------------------------------------
// Which words to mark is the engine's call (GET /v1/search's `highlight_stems`: the question's
// telling words, without stop words, everyday words or words most pages use); the page marks
// a word that is such a stem with an inflection's ending ("ledig" -> "ledige", "ledighed"),
// not every compound that starts with it ("job" does not mark "jobcenter").

const MAX_ENDING = 5;

function termPattern(stems) {
  const usable = [...new Set((stems || []).map((s) => String(s).toLocaleLowerCase("da")).filter(Boolean))];
  if (!usable.length) return null;
  usable.sort((a, b) => b.length - a.length);
  const escaped = usable.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(
    `(?<![\\p{L}\\p{N}])(?:${escaped.join("|")})[\\p{L}\\p{N}]{0,${MAX_ENDING}}(?![\\p{L}\\p{N}])`,
    "giu",
  );
}

/** `text` as a fragment with every word that is one of `stems` (inflected) in a <mark>. */
export function highlight(text, stems) {
  const fragment = document.createDocumentFragment();
  const source = String(text || "");
  const pattern = termPattern(stems);
  if (!pattern) {
    fragment.append(document.createTextNode(source));
    return fragment;
  }
  let last = 0;
  for (const match of source.matchAll(pattern)) {
    if (match.index > last) fragment.append(document.createTextNode(source.slice(last, match.index)));
    const mark = document.createElement("mark");
    mark.textContent = match[0];
    fragment.append(mark);
    last = match.index + match[0].length;
  }
  if (last < source.length) fragment.append(document.createTextNode(source.slice(last)));
  return fragment;
}

const BULLET = /^[-•–*]\s+/;

/**
 * A snippet as the page wrote it: its lines as paragraphs, and lines that are bullets as a
 * list, so a list on the page is a list here too.
 */
export function snippetBlock(text, stems) {
  const box = el("div", { class: "snippet" });
  let list = null;
  for (const line of String(text || "").split("\n")) {
    if (!line.trim()) continue;
    if (BULLET.test(line)) {
      if (!list) box.append((list = el("ul", { class: "snippet-list" })));
      list.append(el("li", {}, highlight(line.replace(BULLET, ""), stems)));
    } else {
      list = null;
      box.append(el("p", { class: "match-text" }, highlight(line, stems)));
    }
  }
  return box;
}
