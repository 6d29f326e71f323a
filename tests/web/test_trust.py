"""What a consultant reads against the real app: the data's size and source, what the
Evidenstest score is and is not, snippets that are the page's own text."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import PageProbe, Site

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


def test_each_initiative_shows_its_date_and_the_score_note(
    screen: PageProbe, real_site: Site
) -> None:
    page = screen.page
    item = listing(real_site)[0]
    with real_site.api() as api:
        detail = api.get(f"/v1/initiatives/{item['id']}").json()
    assert detail["updated_at"], "the API gives every page the time it was written"
    page.goto(f"{real_site.url}/indsats/{item['id']}")
    day = page.evaluate(
        """iso => new Date(iso).toLocaleDateString("da-DK",
            {day: "numeric", month: "long", year: "numeric"})""",
        detail["updated_at"],
    )
    expect(page.locator(".source-line")).to_have_text(
        f"Beskrivelsen er tilføjet eller senest ændret {day}."
    )
    expect(page.locator("#initiative-body .score-note")).to_contain_text(SCORE_NOTE)
    expect(page.locator("#initiative-body .score-note")).to_be_visible()


def test_snippets_are_the_pages_own_text(screen: PageProbe, real_site: Site) -> None:
    page = screen.page
    situation = "ordblinde ledige"
    with real_site.api() as api:
        found = api.get("/v1/search", params={"q": situation, "k": 10}).json()["items"]
        advice = api.post("/v1/recommend", json={"situation": situation, "k": 5}).json()["advice"]
    sections = {m["section"] for r in found for m in r["matches"]}
    assert sections and "Titel og målgrupper" not in sections  # the engine's made-up passage
    page.goto(f"{real_site.url}/?q={situation}")
    wait_done(page)
    expect(page.locator(".score-note").first).to_contain_text(SCORE_NOTE)
    expect(page.locator(".score-note").first).to_be_visible()
    shown = page.locator(".match-section").all_inner_texts()
    assert shown and "Titel og målgrupper" not in shown
    first = page.locator(".result-card").first
    expect(first.locator(".card-source")).to_contain_text("Beskrivelsen er tilføjet eller ændret")
    texts = page.locator(".advice-text").all_inner_texts()
    assert texts == [a["text"] for a in advice]
    for text in texts:
        assert text[0].isupper(), text
        assert not text.startswith(("Med en sådan", "I dag har", "Derved")), text
