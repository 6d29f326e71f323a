// The whole initiative page: every section and every test answer, from
// GET /v1/initiatives/{id}. Answers carry their level as a word and an icon (Ja / Delvist /
// Nej), never as colour alone.

import { alertBox, ApiError, apiGet, el, levelBadge, onServiceWait, scoreList, TEST_NAMES } from "./common.js";
import { ageSentence } from "./frame.js";

const article = document.getElementById("initiative");
const title = document.getElementById("initiative-title");
const statusLine = document.getElementById("status");
const errorBox = document.getElementById("error-box");
const body = document.getElementById("initiative-body");
const id = article.dataset.initiativeId;

function backToSearch() {
  // Return to the search the consultant came from, with its query, when there was one.
  const link = document.getElementById("back-link");
  try {
    const ref = new URL(document.referrer);
    if (ref.origin === window.location.origin && ref.pathname === "/") {
      link.setAttribute("href", ref.pathname + ref.search);
    }
  } catch {
    // no referrer: keep "/"
  }
}

function paragraphs(text) {
  return String(text || "")
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => el("p", { class: "section-text" }, p));
}

function sectionBlock(section, index) {
  const headingId = `section-${index}`;
  const content = paragraphs(section.text);
  return el(
    "section",
    { class: "page-section", "aria-labelledby": headingId },
    el("h2", { class: "h3", id: headingId }, section.name),
    content.length ? content : el("p", { class: "muted" }, "Kommunen har ikke udfyldt dette afsnit."),
  );
}

function countLevels(answers) {
  const counts = { ja: 0, delvist: 0, nej: 0 };
  for (const a of answers) if (a.level in counts) counts[a.level] += 1;
  return `${counts.ja} Ja, ${counts.delvist} Delvist, ${counts.nej} Nej`;
}

function testBlock(test, index) {
  const headingId = `test-${index}`;
  const answers = test.answers || [];
  return el(
    "section",
    { class: "test-block", "aria-labelledby": headingId },
    el("h3", { class: "h4", id: headingId }, test.name || TEST_NAMES[test.test] || test.test),
    scoreList({ [test.test]: test.score }),
    el("p", { class: "test-meta" }, answers.length ? `Svar: ${countLevels(answers)}` : "Ingen svar"),
    answers.length
      ? el(
          "ul",
          { class: "answer-list" },
          answers.map((a) =>
            el(
              "li",
              { class: `answer level-${a.level}` },
              levelBadge(a.level),
              el("span", { class: "answer-text" }, a.text),
              a.level_inferred
                ? el("span", { class: "inferred" }, " (svaret er udledt af formuleringen)")
                : null,
            ),
          ),
        )
      : null,
  );
}

function sourceLine(item) {
  const parts = [ageSentence(item.added_at, item.updated_at)];
  if (item.source) parts.push(`Kilde: ${item.source}`);
  return el("p", { class: "source-line" }, parts.join(" "));
}

function render(item) {
  document.title = `${item.title} – ${item.municipality} – Indsatsfinder`;
  title.textContent = item.title;
  const sections = item.sections || [];
  const tests = item.tests || [];
  body.replaceChildren(
    el("p", { class: "font-lead municipality" }, `${item.municipality} Kommune`),
    el("h2", { class: "sr-only" }, "Overblik"),
    el("p", { class: "sr-only" }, "Målgrupper:"),
    el("ul", { class: "tag-list" }, (item.target_groups || []).map((g) => el("li", { class: "tag-item" }, g))),
    el("p", { class: "sr-only" }, "Testscorer (0 til 5):"),
    scoreList(item.scores),
    el(
      "p",
      { class: "score-note" },
      "Evidensscoren (0–5) er jobcentrets egne svar på, hvor mange af de praksisser, " +
        "forskning peger på, indsatsen følger. Den viser ikke, om indsatsen har virket.",
    ),
    sourceLine(item),
    ...sections.map(sectionBlock),
    el(
      "section",
      { class: "tests", "aria-labelledby": "tests-heading" },
      el("h2", { class: "h3", id: "tests-heading" }, "Testsvar"),
      el(
        "p",
        {},
        "Hvert punkt er besvaret med Ja, Delvist eller Nej. Ja tæller fuldt i scoren.",
      ),
      tests.length ? tests.map(testBlock) : el("p", { class: "muted" }, "Siden har ingen testsvar."),
    ),
  );
  statusLine.replaceChildren(el("span", {}, `Indsatsen fra ${item.municipality} er hentet.`));
  statusLine.classList.add("sr-only"); // said to screen readers; the page itself shows it
}

async function main() {
  backToSearch();
  onServiceWait(() =>
    statusLine.replaceChildren(
      el("span", { class: "spinner spinner-small", "aria-hidden": "true" }),
      el("span", {}, "Tjenesten starter op. Siden henter indsatsen, så snart den er klar."),
    ),
  );
  try {
    const item = await apiGet(`/v1/initiatives/${encodeURIComponent(id)}`);
    render(item);
  } catch (err) {
    const notFound = err instanceof ApiError && err.status === 404;
    title.textContent = notFound ? "Indsatsen findes ikke" : "Indsatsen kunne ikke hentes";
    document.title = `${title.textContent} – Indsatsfinder`;
    const text = err instanceof ApiError ? err.explain() : String(err);
    errorBox.replaceChildren(
      alertBox(
        "error",
        notFound ? "Ingen indsats med den adresse" : "Der skete en fejl",
        text,
        el("p", {}, el("a", { class: "standalone-link", href: "/" }, "Gå til søgningen")),
      ),
    );
    statusLine.replaceChildren(el("span", {}, title.textContent));
  } finally {
    article.setAttribute("aria-busy", "false");
  }
}

main();
