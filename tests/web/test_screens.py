"""The page on a laptop (1366 px) and a phone (390 px, touch): nothing scrolls sideways, the
practices can be reached from the top, the hints fit the device, an answer prints."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import PageProbe, Site

pytestmark = pytest.mark.browser


def sideways(page: Any) -> list[str]:
    """Elements reaching past the right edge of the viewport (empty when none do)."""
    found: list[str] = page.evaluate(
        """() => { const w = document.documentElement.clientWidth; const out = [];
        for (const e of document.querySelectorAll('body *')) {
          const r = e.getBoundingClientRect();
          if (r.width > 0 && r.right > w + 1) out.push(`${e.tagName}.${e.className}: ${
            (e.textContent || '').trim().slice(0, 50)}`);
        }
        if (document.documentElement.scrollWidth > w) out.push(`scrollWidth ${
          document.documentElement.scrollWidth} > ${w}`);
        return out; }"""
    )
    return found


def wait_done(page: Any) -> None:
    expect(page.locator("#results-area")).to_have_attribute("aria-busy", "false")
    expect(page.locator("#status")).to_contain_text("Viser")


def test_no_page_scrolls_sideways(screen: PageProbe, fake_site: Site) -> None:
    page = screen.page
    with fake_site.api() as api:
        ids = [i["id"] for i in api.get("/v1/initiatives", params={"k": 100}).json()["items"]]
    page.goto(fake_site.url + "/")
    expect(page.locator("#empty-state")).to_be_visible()
    assert sideways(page) == [], "empty page"
    page.goto(fake_site.url + "/?q=ledige&own_municipality=Aarhus")
    wait_done(page)
    page.locator("#checklist-summary").click()
    for group in page.locator(".own-test > summary").all():  # every group open
        if group.locator("xpath=..").get_attribute("open") is None:
            group.click()
    assert sideways(page) == [], "answer with the checklist open"
    for initiative_id in ids:  # slash-joined words in the test answers
        page.goto(f"{fake_site.url}/indsats/{initiative_id}")
        expect(page.locator(".answer").first).to_be_visible()
        assert sideways(page) == [], initiative_id
    page.goto(fake_site.url + "/indsats/findes-ikke-" + "x" * 120)
    assert sideways(page) == [], "unknown initiative"


def test_the_practices_are_one_tap_from_the_top(screen: PageProbe, fake_site: Site) -> None:
    page = screen.page
    page.goto(fake_site.url + "/?q=ledige+samtaler")
    wait_done(page)
    heading = page.locator("#practices-heading")
    jump = page.get_by_role("link", name="Anbefalede praksisser")
    first_card = page.locator(".result-card").first
    assert jump.bounding_box()["y"] < first_card.bounding_box()["y"]  # before the cards
    count = page.locator("#practices > .practice-list > .practice").count()
    expect(jump).to_have_text(f"Anbefalede praksisser ({count})")
    jump.scroll_into_view_if_needed()
    if screen.mobile:  # on a phone the cards come first, screens above the practices
        expect(heading).not_to_be_in_viewport()
    jump.click()
    expect(heading).to_be_in_viewport()


def test_the_hint_fits_the_device(screen: PageProbe, fake_site: Site) -> None:
    page = screen.page
    page.goto(fake_site.url + "/")
    hint = page.locator("#q-hint")
    expect(hint).to_be_visible()
    shown = " ".join(hint.inner_text().split())  # what is rendered, not hidden text
    assert "Højst 2.000 tegn" in shown
    if screen.mobile:
        assert "Shift+Enter" not in shown and "Tryk på Søg" in shown, shown
        expect(page.locator("#q")).to_have_attribute("enterkeyhint", "search")
    else:
        assert "Shift+Enter giver en ny linje" in shown and "Tryk på Søg" not in shown, shown


def test_an_answer_prints_without_the_form(screen: PageProbe, fake_site: Site) -> None:
    page = screen.page
    page.goto(fake_site.url + "/?q=ledige+samtaler&target_group=Ledige")
    wait_done(page)
    expect(page.locator("#print-button")).to_be_visible()
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    for hidden in ("#search-form", ".header", ".jump-nav", "#print-button", ".footer"):
        expect(page.locator(hidden).first).to_be_hidden()
    heading = page.locator("#answer-heading")
    expect(heading).to_be_visible()
    expect(heading).to_contain_text('Svar på: "ledige samtaler"')
    expect(heading).to_contain_text("målgruppe Ledige")
    expect(page.locator(".result-card").first).to_be_visible()
    expect(page.locator(".practice .practice-fit").first).to_be_visible()
    expect(page.locator(".advice").first).to_be_visible()
    for details in page.locator("#results details").all():
        assert details.get_attribute("open") is not None
    page.emulate_media(media="screen")
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    expect(heading).to_be_hidden()
