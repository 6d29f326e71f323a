// What a search shows: initiative cards (GET /v1/search), practices with the gap analysis
// and advice (POST /v1/recommend). DOM built with `el` only (textContent, never innerHTML).

import {
  alertBox,
  el,
  formatScore,
  genitive,
  highlight,
  icon,
  initiativeHref,
  levelBadge,
  levelInfo,
  scoreList,
  snippetBlock,
  TEST_NAMES,
} from "./common.js";
import { ageSentence } from "./frame.js";
import { urlFor } from "./search-state.js";

// `dates` is what the listing (GET /v1/initiatives) says of the page's age, when known.
function sourceLine(dates) {
  return dates ? el("p", { class: "card-source" }, ageSentence(dates.added, dates.updated)) : null;
}

export function initiativeCard(result, terms, dates = null) {
  const link = el("a", { href: initiativeHref(result.id) }, result.title);
  const tags = el(
    "ul",
    { class: "tag-list" },
    (result.target_groups || []).map((g) => el("li", { class: "tag-item" }, g)),
  );
  // The engine leaves its made-up passage of title and target groups out of `passages`.
  const matches = (result.passages || []).slice(0, 2).map((m) =>
    el(
      "li",
      { class: "match" },
      el("span", { class: "match-section" }, m.section),
      snippetBlock(m.snippet || m.text, terms),
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
        matches.length ? el("p", { class: "matches-label" }, "Fra indsatsens tekst:") : null,
        matches.length ? el("ul", { class: "match-list" }, matches) : null,
        matches.length
          ? null
          : el("p", { class: "matches-label muted" }, "Ingen afsnit i teksten ligner jeres beskrivelse; indsatsen er fundet på titlen og målgrupperne."),
        sourceLine(dates),
        el(
          "a",
          { class: "read-more", href: initiativeHref(result.id) },
          "Læs hele indsatsen",
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
    extra.push(el("p", {}, el("a", { class: "standalone-link", href: urlFor(clear), "data-nav": "" }, "Søg uden afgrænsninger")));
  }
  return alertBox("info", "Ingen indsatser matchede søgningen", hint, ...extra);
}

function followerItem(f, titles) {
  const title = f.title || titles.get(f.initiative_id) || f.initiative_id;
  const score = typeof f.evidence_score === "number" ? `, evidensscore ${formatScore(f.evidence_score)}` : "";
  return el(
    "li",
    {},
    el("a", { href: initiativeHref(f.initiative_id) }, title),
    ` (${f.municipality}${score})`,
  );
}

// At most three followers by name, best scores first (the API sends them so); the rest
// behind "og N andre", which opens in place.
const SHOWN_FOLLOWERS = 3;

function followerList(label, level, followers, titles) {
  const items = followers.map((f) => followerItem(f, titles));
  const out = [
    el("p", { class: "followers-label" }, levelBadge(level), ` ${label}:`),
    el("ul", { class: "follower-list" }, items.slice(0, SHOWN_FOLLOWERS)),
  ];
  const rest = items.slice(SHOWN_FOLLOWERS);
  if (rest.length) {
    out.push(
      el(
        "details",
        { class: "more-followers" },
        el("summary", {}, `og ${rest.length} ${rest.length === 1 ? "anden" : "andre"}`),
        el("ul", { class: "follower-list" }, rest),
      ),
    );
  }
  return out;
}

function followerLists(practice, titles) {
  const full = (practice.followed_by || []).filter((f) => f.answer === "ja");
  const partial = (practice.followed_by || []).filter((f) => f.answer === "delvist");
  const out = [];
  if (full.length) out.push(...followerList("Følger den fuldt", "ja", full, titles));
  if (partial.length) out.push(...followerList("Følger den kun delvist", "delvist", partial, titles));
  return out;
}

function ownMarks(practice) {
  if (practice.gap) {
    const answer = practice.your_answer ? levelInfo(practice.your_answer).label : "ukendt";
    return el(
      "p",
      { class: "gap-flag" },
      icon("warning"),
      el("strong", {}, "Hul i jeres praksis"),
      ` – jeres svar: ${answer}`,
    );
  }
  if (practice.your_answer) {
    return el("p", { class: "own-answer" }, "Jeres svar: ", levelBadge(practice.your_answer));
  }
  return null;
}

// The reason in its parts: why it fits, who follows it (as links), how strong that is.
// An API without the parts (an older server) gets its whole reason sentence shown.
function reasonParts(practice, titles) {
  if (!practice.fit) {
    return [el("p", { class: "practice-reason" }, practice.reason), followerLists(practice, titles)];
  }
  return [
    el("p", { class: "practice-fit" }, practice.fit),
    followerLists(practice, titles),
    practice.strength ? el("p", { class: "practice-strength" }, practice.strength) : null,
  ];
}

function practiceItem(practice, titles, extraClass = "") {
  return el(
    "li",
    { class: `practice${practice.gap ? " is-gap" : ""} ${extraClass}`.trim() },
    practice.status_text && !practice.recommended
      ? el("p", { class: "practice-status" }, icon("info"), practice.status_text)
      : null,
    ownMarks(practice),
    el("p", { class: "practice-text" }, practice.text),
    el("p", { class: "practice-test" }, TEST_NAMES[practice.test] || practice.test),
    reasonParts(practice, titles),
  );
}

function ownIntro(own) {
  if (own.mode === "known") {
    return el("p", {}, `Huller er praksisser, som ${own.name} ikke følger fuldt, men som jobcentre med en højere evidensscore følger. ${genitive(own.name)} svar kommer fra kommunens egne indsatsbeskrivelser.`);
  }
  if (own.mode === "other") {
    const who = own.name || "jeres kommune";
    return el("p", {}, `Huller er anbefalede praksisser, som I har svaret Nej eller Delvist til for ${who}. Udfyld flere svar under "Jeres svar på tjeklisten".`);
  }
  return el("p", { class: "muted" }, 'Vælg "Vores kommune" for at se, hvor I har huller.');
}

// Returns {recommended, gaps}. `titles` names the followers' pages when the API does not.
export function renderPractices(box, body, state, own, titles) {
  const practices = body.practices || [];
  const others = body.other_practices || [];
  const parts = [];
  if (!practices.length) {
    parts.push(
      body.no_good_match
        ? alertBox(
            "info",
            "Ingen praksis passer sikkert",
            "Beskrivelsen ligner ikke det, indsatserne og praksisserne handler om, godt nok til, at siden vil anbefale en praksis. Prøv at beskrive målgruppen og det, I vil opnå, med andre ord.",
          )
        : el(
            "p",
            { class: "no-recommendation" },
            others.length
              ? "Ingen praksis kan anbefales: de praksisser, der passer, følges af indsatser med en lavere evidensscore end dem, der ikke følger dem. Ved hver står det."
              : "Ingen praksis passer sikkert nok til beskrivelsen til at blive anbefalet. Prøv at beskrive, hvad I vil opnå, med andre ord.",
          ),
    );
  } else {
    if (body.no_good_match) {
      parts.push(el("p", { class: "muted" }, "Ingen indsats ligner beskrivelsen godt, men disse praksisser svarer på det, I skriver."));
    }
    parts.push(ownIntro(own));
    parts.push(el("ol", { class: "practice-list" }, practices.map((p) => practiceItem(p, titles))));
  }
  if (others.length) {
    parts.push(
      el(
        "details",
        { class: "other-practices" },
        el("summary", {}, `Praksisser, der passer, men som evidensen taler imod (${others.length})`),
        el("p", { class: "muted" }, "De svarer på jeres beskrivelse, men indsatser, der følger dem, har en lavere evidensscore end dem, der ikke gør."),
        el("ul", { class: "practice-list" }, others.map((p) => practiceItem(p, titles, "is-other"))),
      ),
    );
  }
  box.replaceChildren(...parts);
  return { recommended: practices.length, gaps: practices.filter((p) => p.gap).length };
}

export function renderAdvice(box, body, terms) {
  const advice = body.no_good_match ? [] : body.advice || [];
  if (!advice.length) {
    box.replaceChildren(
      el("p", { class: "muted" }, "Ingen gode råd fra indsatser, der ligner jeres beskrivelse."),
    );
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
          el("p", { class: "advice-text" }, highlight(a.text, terms)),
          el(
            "a",
            { class: "advice-link", href: initiativeHref(a.initiative_id) },
            "Se hele indsatsen",
            el("span", { class: "sr-only" }, ` fra ${a.municipality}`),
          ),
        ),
      ),
    ),
  );
}
