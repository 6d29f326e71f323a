"""The page on a laptop (1366 px) and a phone (390 px, touch): nothing scrolls sideways, the
practices can be reached from the top, the hints fit the device, an answer prints."""

from __future__ import annotations

import re
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
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    jump.click()
    expect(heading).to_be_in_viewport()
    # a jump within the answer does not run the search again (that would redraw the answer
    # under the reader, closing what they opened): after the browser has handled the
    # navigation's events and a frame, no request has gone out
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done)))")
    assert [url for url in asked if "/v1/" in url] == [], asked


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
    page.get_by_role("link", name="Anbefalede praksisser").click()  # a jump link's #fragment
    expect(page).to_have_url(re.compile("#practices-heading$"))
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    for hidden in ("#search-form", ".header", ".jump-nav", "#print-button", ".footer"):
        expect(page.locator(hidden).first).to_be_hidden()
    heading = page.locator("#answer-heading")
    expect(heading).to_be_visible()
    expect(heading).to_contain_text('Svar på: "ledige samtaler"')
    expect(heading).to_contain_text("målgruppe Ledige")
    link = f"fra {fake_site.url}/?q=ledige+samtaler&target_group=Ledige)"
    expect(heading).to_contain_text(link)  # the answer's own link, no #fragment
    # the order a team reads it in: practices, then advice, then the cards
    tops = [
        page.locator(where).first.bounding_box()["y"]
        for where in ("#practices .practice", "#advice .advice", ".result-card")
    ]
    assert tops == sorted(tops), tops
    expect(page.locator(".result-card").first).to_be_visible()
    expect(page.locator(".practice .practice-fit").first).to_be_visible()
    expect(page.locator(".advice").first).to_be_visible()
    for details in page.locator("#results details").all():
        assert details.get_attribute("open") is not None
    page.emulate_media(media="screen")
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    expect(heading).to_be_hidden()


def small_targets(page: Any) -> list[str]:
    """Visible controls and standalone links smaller than 44 x 44 px (WCAG 2.5.5). A link
    inside a sentence (text beside it in its element) keeps the line's height, as 2.5.8's
    inline exception allows."""
    found: list[str] = page.evaluate(
        """() => { const out = [];
        const targets = 'a[href], button, summary, select, input:not([type=hidden]), textarea';
        for (const e of document.querySelectorAll(targets)) {
          const r = e.getBoundingClientRect();
          if (!r.width || !r.height) continue;
          const inline = e.tagName === 'A' && [...e.parentElement.childNodes].some(
            (n) => n !== e && n.nodeType === Node.TEXT_NODE && n.textContent.trim());
          if (!inline && (r.height < 44 || r.width < 44)) out.push(
            `${e.tagName} "${(e.textContent || '').trim().slice(0, 40)}" ${
              Math.round(r.width)}x${Math.round(r.height)}`);
        }
        return out; }"""
    )
    return found


def test_every_target_is_big_enough_to_tap(screen: PageProbe, fake_site: Site) -> None:
    page = screen.page
    with fake_site.api() as api:
        first = api.get("/v1/initiatives", params={"k": 1}).json()["items"][0]["id"]
    page.goto(fake_site.url + "/")
    expect(page.locator("#empty-state")).to_be_visible()
    assert small_targets(page) == [], "empty page"
    page.goto(fake_site.url + "/?q=ledige+samtaler&own_municipality=Aarhus")
    wait_done(page)
    page.locator("#checklist-summary").click()
    for group in page.locator(".own-test > summary").all():
        if group.locator("xpath=..").get_attribute("open") is None:
            group.click()
    expect(page.locator(".advice").first).to_be_visible()
    assert small_targets(page) == [], "answer with the checklist open"
    page.goto(fake_site.url + "/?q=ledige&municipality=Hedensted&min_evidence=4.5")
    expect(page.locator("#initiatives .alert-info")).to_be_visible()
    assert small_targets(page) == [], "no results"
    page.goto(f"{fake_site.url}/indsats/{first}")
    expect(page.locator(".answer").first).to_be_visible()
    assert small_targets(page) == [], "initiative page"
    page.goto(fake_site.url + "/findes/ikke")
    assert small_targets(page) == [], "404 page"


def test_the_header_says_what_the_answers_rest_on(screen: PageProbe, fake_site: Site) -> None:
    with fake_site.api() as api:
        items = api.get("/v1/initiatives", params={"k": 100}).json()["items"]
    places = {i["municipality"] for i in items}
    page = screen.page
    page.goto(fake_site.url + "/")
    line = page.locator("#corpus-size")
    expect(line).to_have_text(f"Bygger på {len(items)} indsatser fra {len(places)} kommuner.")
    expect(line).to_be_visible()
    expect(line).to_be_in_viewport()
