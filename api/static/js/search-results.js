// What a search shows: initiative cards (GET /v1/search), practices with the gap analysis
// and advice (POST /v1/recommend). DOM built with `el` only (textContent, never innerHTML).

import {
  alertBox,
  el,
  excerpt,
  formatScore,
  highlight,
  icon,
  initiativeHref,
  levelBadge,
  levelInfo,
  scoreList,
} from "./common.js";
import { urlFor } from "./search-state.js";

export function initiativeCard(result, terms) {
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

function activeFilters(state) {
  const parts = [];
  if (state.target_group) parts.push(`målgruppe "${state.target_group}"`);
  if (state.municipality) parts.push(`kommune "${state.municipality}"`);
  if (state.min_evidence) parts.push(`evidensscore mindst ${state.min_evidence.replace(".", ",")}`);
  return parts;
}

export function noResults(state) {
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

// Returns the number of gaps shown. `titles` names the followers' pages for screen readers.
export function renderPractices(box, body, state, titles) {
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
        typeof f.evidence_score === "number" ? ` evidensscore ${formatScore(f.evidence_score)}` : "",
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

export function renderAdvice(box, body, terms) {
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
