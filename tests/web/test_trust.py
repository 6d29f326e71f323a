"""What a consultant reads against the real app: the data's size and source, what the
Evidenstest score is and is not, snippets that are the page's own text."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from engine.domain.text import opens_mid_story
from tests.web.conftest import KEY, PageProbe, Site

pytestmark = [pytest.mark.browser, pytest.mark.model]

SCORE_NOTE = "Den viser ikke, om indsatsen har virket."


def wait_done(page: Any) -> None:
    expect(page.locator("#results-area")).to_have_attribute("aria-busy", "false")
    expect(page.locator("#status")).to_contain_text("Viser")


def listing(site: Site) -> list[dict[str, Any]]:
    with site.api() as api:
        items: list[dict[str, Any]] = api.get("/v1/initiatives", params={"k": 100}).json()["items"]
    return items


def test_the_page_says_what_the_answers_rest_on(screen: PageProbe, real_site: Site) -> None:
    page = screen.page
    items = listing(real_site)
    places = sorted({i["municipality"] for i in items})
    page.goto(real_site.url + "/")
    header = f"Bygger på {len(items)} indsatser fra {len(places)} kommuner."
    expect(page.locator("#corpus-size")).to_have_text(header)
    note = page.locator("#corpus-note")
    expect(note).to_contain_text(f"{len(items)} indsatser fra {len(places)} kommuner")
    for place in places:
        expect(note).to_contain_text(place)
    expect(page.locator("footer")).to_contain_text("Om evidensscoren")


SEED_AGE = (
    "Eksempelside, der følger med Indsatsfinder. Den har ingen dato og kan være flere år gammel."
)


def test_each_initiative_says_how_old_it_is_and_the_score_note(
    screen: PageProbe, real_site: Site
) -> None:
    """A seed page says plainly that it is an undated example (never the checkout's time);
    a page written through the API says when it entered the catalogue."""
    page = screen.page
    item = listing(real_site)[0]
    with real_site.api() as api:
        detail = api.get(f"/v1/initiatives/{item['id']}").json()
    assert detail["added_at"] is None and detail["updated_at"] is None, "a seed has no date"
    page.goto(f"{real_site.url}/indsats/{item['id']}")
    expect(page.locator(".source-line")).to_have_text(SEED_AGE)
    expect(page.locator("#initiative-body .score-note")).to_contain_text(SCORE_NOTE)
    expect(page.locator("#initiative-body .score-note")).to_be_visible()

    record = {
        "municipality": "Datoby",
        "title": f"Dateret indsats for ordblinde {screen.page.viewport_size['width']}",
        "target_groups": ["Ledige"],
        "sections": [{"name": "Gode råd", "text": "Test ordblinde tidligt."}],
        "tests": [],
    }
    with real_site.api() as api:
        created = api.post("/v1/initiatives", json=record, headers={"X-API-Key": KEY})
        assert created.status_code == 201, created.text
        new_id = created.json()["id"]
        try:
            added = api.get(f"/v1/initiatives/{new_id}").json()["added_at"]
            assert added, "a stored page is dated"
            day = page.evaluate(
                """iso => new Date(iso).toLocaleDateString("da-DK",
                    {day: "numeric", month: "long", year: "numeric"})""",
                added,
            )
            page.goto(f"{real_site.url}/indsats/{new_id}")
            expect(page.locator(".source-line")).to_have_text(f"Lagt ind i Indsatsfinder {day}.")
            page.goto(f"{real_site.url}/?q=ordblinde+tidligt&municipality=Datoby")
            wait_done(page)
            card = page.locator(".result-card", has_text="Datoby")
            expect(card.locator(".card-source")).to_have_text(f"Lagt ind i Indsatsfinder {day}.")
        finally:
            api.delete(f"/v1/initiatives/{new_id}", headers={"X-API-Key": KEY})


def test_snippets_are_the_pages_own_text(screen: PageProbe, real_site: Site) -> None:
    page = screen.page
    situation = "ordblinde ledige"
    with real_site.api() as api:
        found = api.get("/v1/search", params={"q": situation, "k": 10}).json()["items"]
        advice = api.post("/v1/recommend", json={"situation": situation, "k": 5}).json()["advice"]
    sections = {m["section"] for r in found for m in r["passages"]}
    assert sections and "Titel og målgrupper" not in sections  # the engine's made-up passage
    page.goto(f"{real_site.url}/?q={situation}")
    wait_done(page)
    expect(page.locator(".score-note").first).to_contain_text(SCORE_NOTE)
    expect(page.locator(".score-note").first).to_be_visible()
    shown = page.locator(".match-section").all_inner_texts()
    assert shown and "Titel og målgrupper" not in shown
    first = page.locator(".result-card").first
    expect(first.locator(".card-source")).to_have_text(SEED_AGE)  # the seeds: no date
    texts = page.locator(".advice-text").all_inner_texts()
    assert texts == [a["text"] for a in advice]
    for text in texts:
        assert text[0].isupper(), text
        assert not text.startswith(("Med en sådan", "I dag har", "Derved")), text


def test_snippets_mark_telling_words_and_read_as_quotations(
    screen: PageProbe, real_site: Site
) -> None:
    """Only the words that tell something are marked (not "ved", "svært", "ledige"); a
    snippet opens with a sentence that stands on its own; a bullet list stays a list."""
    page = screen.page
    situation = "ordblinde ledige der har svært ved at søge job"
    with real_site.api() as api:
        stems = api.get("/v1/search", params={"q": situation}).json()["highlight_stems"]
    assert stems and "ordblind" in stems
    page.goto(f"{real_site.url}/?q={situation}")
    wait_done(page)
    marks = [m.lower() for m in page.locator(".result-card mark").all_inner_texts()]
    assert marks, "nothing marked"
    assert all(any(m.startswith(s) for s in stems) for m in marks), marks
    assert not {"ved", "svært", "ledige", "der", "har", "borger", "borgere"} & set(marks), marks
    for text in page.locator(".result-card .snippet").all_inner_texts():
        assert not opens_mid_story(text.removeprefix("… ")), text

    listed = "borger skal have lyst til at udvikle sig og forpligte sig til hjemmeopgaver"
    page.goto(f"{real_site.url}/?q={listed}")
    wait_done(page)
    items = page.locator(".result-card .snippet-list li")
    expect(items.first).to_be_visible()
    assert items.count() >= 2
    expect(items.first).to_contain_text("Borger skal have lyst til at udvikle sig")
