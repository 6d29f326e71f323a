"""Busy, error, empty and no-results states, driven through the stand-in API (fake_api.py),
which can hold a request open or fail on demand; and the page's highlighting helpers."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.web.conftest import PageProbe, Site

pytestmark = pytest.mark.browser


def test_busy_indicator_while_the_request_runs(page: Any, fake_site: Site) -> None:
    assert fake_site.controls is not None
    fake_site.controls.hold = True
    fake_site.controls.gate.clear()
    page.goto(fake_site.url + "/")
    page.fill("#q", "ordblinde ledige")
    page.press("#q", "Enter")
    expect(page.locator("#results-area")).to_have_attribute("aria-busy", "true")
    status = page.locator("#status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_contain_text("Søger")
    expect(status.locator(".spinner")).to_be_visible()
    fake_site.controls.gate.set()
    expect(page.locator("#results-area")).to_have_attribute("aria-busy", "false")
    expect(status).to_contain_text("Viser")
    expect(status.locator(".spinner")).to_have_count(0)


def test_what_is_typed_while_the_lists_load_is_kept(page: Any, fake_site: Site) -> None:
    """The page fills its form from the address once its lists have come; a consultant who
    started typing before that keeps what they typed."""
    assert fake_site.controls is not None
    fake_site.controls.hold = True
    fake_site.controls.gate.clear()
    page.goto(fake_site.url + "/")
    page.fill("#q", "ordblinde ledige")
    fake_site.controls.gate.set()
    expect(page.locator("#target_group option")).not_to_have_count(1)  # the lists have come
    expect(page.locator("#q")).to_have_value("ordblinde ledige")
    expect(page.locator("#q-count")).to_have_text("16 af 2.000 tegn")


def test_a_search_made_while_the_lists_load_keeps_its_answer(page: Any, fake_site: Site) -> None:
    """An empty search sent before the lists have come keeps its error once they come."""
    assert fake_site.controls is not None
    fake_site.controls.hold = True
    fake_site.controls.gate.clear()
    page.goto(fake_site.url + "/")
    page.click("#search-button")
    expect(page.locator("#q-error")).to_contain_text("Skriv en beskrivelse")
    fake_site.controls.gate.set()
    expect(page.locator("#target_group option")).not_to_have_count(1)  # the lists have come
    expect(page.locator("#q")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#q-error")).to_contain_text("Skriv en beskrivelse")


def test_more_results_page_in_and_take_the_focus(page: Any, fake_site: Site) -> None:
    assert fake_site.controls is not None
    fake_site.controls.max_k = 2
    page.goto(fake_site.url + "/?q=ledige")
    cards = page.locator(".result-card")
    expect(cards).to_have_count(2)
    total = int(re.search(r"af (\d+)", page.locator("#status").inner_text()).group(1))  # type: ignore[union-attr]
    assert total > 2
    more = page.get_by_role("button", name="Vis flere indsatser")
    more.click()
    expect(cards).to_have_count(min(4, total))
    expect(cards.nth(2).locator(".card-heading a")).to_be_focused()
    expect(page.locator("#status")).to_contain_text(f"Viser {min(4, total)} af {total}")
    for shown in range(min(4, total), total, 2):
        expect(cards).to_have_count(shown)
        more.click()
    expect(cards).to_have_count(total)
    expect(more).to_be_hidden()


def test_a_failed_search_says_what_went_wrong(page: Any, fake_site: Site) -> None:
    assert fake_site.controls is not None
    fake_site.controls.fail["search"] = (503, "not_ready", "Søgeindekset er ikke indlæst")
    page.goto(fake_site.url + "/?q=ordblinde")
    alert = page.locator("#error-box .alert-error")
    expect(alert).to_contain_text("Søgningen mislykkedes")
    expect(alert).to_contain_text("Søgeindekset er ikke indlæst")
    expect(alert).to_contain_text("Vent et øjeblik, og prøv igen.")
    expect(alert.locator("svg[role=img]")).to_have_attribute("aria-label", "Fejl")
    expect(page.locator("#results")).to_be_hidden()
    expect(page.locator("#results-area")).to_have_attribute("aria-busy", "false")


def test_failed_recommendations_leave_the_cards(page: Any, fake_site: Site) -> None:
    assert fake_site.controls is not None
    fake_site.controls.fail["recommend"] = (500, "internal", "Uventet fejl")
    page.goto(fake_site.url + "/?q=ledige")
    expect(page.locator(".result-card").first).to_be_visible()
    panel = page.locator("#practices .alert-error")
    expect(panel).to_contain_text("Anbefalingerne kunne ikke hentes")
    expect(panel).to_contain_text("fejl 500")


def test_a_lost_connection_is_named(page: Any, fake_site: Site) -> None:
    page.goto(fake_site.url + "/")
    page.route("**/v1/search*", lambda route: route.abort())
    page.fill("#q", "ordblinde")
    page.press("#q", "Enter")
    expect(page.locator("#error-box")).to_contain_text("Kunne ikke kontakte serveren")


def test_no_results_hints_at_the_filters(page: Any, fake_site: Site) -> None:
    page.goto(fake_site.url + "/?q=ledige&municipality=Hedensted&min_evidence=4.5")
    info = page.locator("#initiatives .alert-info")
    expect(info).to_contain_text("Ingen indsatser matchede")
    expect(info).to_contain_text('kommune "Hedensted"')
    expect(info).to_contain_text("evidensscore mindst 4,5")
    info.get_by_role("link", name="Søg uden afgrænsninger").click()
    expect(page.locator(".result-card").first).to_be_visible()
    assert parse_qs(urlparse(page.url).query) == {"q": ["ledige"]}
    expect(page.locator("#municipality")).to_have_value("")


def test_no_results_without_filters_suggests_other_words(page: Any, fake_site: Site) -> None:
    page.goto(fake_site.url + "/?q=zzzxq")
    expect(page.locator("#initiatives .alert-info")).to_contain_text("færre eller andre ord")


def test_empty_state_and_an_empty_query(page: Any, fake_site: Site) -> None:
    page.goto(fake_site.url + "/")
    empty = page.locator("#empty-state")
    expect(empty).to_be_visible()
    expect(page.locator("#status")).to_have_text("")
    page.click("#search-button")
    expect(page.locator("#q-error")).to_contain_text("Skriv en beskrivelse")
    expect(page.locator("#q")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#q")).to_be_focused()
    assert fake_site.controls is not None
    assert not [c for c in fake_site.controls.calls if c[0] == "search"]
    empty.get_by_role("link", name="ordblinde ledige").click()
    expect(page.locator(".result-card").first).to_be_visible()
    expect(page.locator("#q")).to_have_value("ordblinde ledige")
    expect(page.locator("#q")).not_to_have_attribute("aria-invalid", "true")


def test_shift_enter_gives_a_new_line_not_a_search(page: Any, fake_site: Site) -> None:
    page.goto(fake_site.url + "/")
    page.fill("#q", "første linje")
    page.press("#q", "Shift+Enter")
    page.keyboard.type("anden linje")
    expect(page.locator("#q")).to_have_value("første linje\nanden linje")
    assert page.url.endswith("/")


def test_an_initiative_deleted_while_the_page_loads(page: Any, fake_site: Site) -> None:
    """The shell was served (the page existed), then the API no longer has it."""
    assert fake_site.controls is not None
    with fake_site.api() as api:
        item = api.get("/v1/initiatives", params={"k": 1}).json()["items"][0]
    fake_site.controls.fail["initiative"] = (
        404,
        "not_found",
        f"Ingen indsats med id '{item['id']}'",
    )
    page.goto(f"{fake_site.url}/indsats/{item['id']}")
    expect(page.locator("h1")).to_have_text("Indsatsen findes ikke")
    expect(page.locator("#error-box")).to_contain_text(f"Ingen indsats med id '{item['id']}'")
    expect(page.locator("#error-box a[href='/']")).to_be_visible()


def test_highlighting_marks_inflections_of_the_stems_and_keeps_markup_as_text(
    page: Any, fake_site: Site
) -> None:
    page.goto(fake_site.url + "/")
    result = page.evaluate(
        """async () => {
        const c = await import('/static/js/common.js');
        const box = document.createElement('div');
        const text = '<img src=x onerror=alert(1)> Ledighed for ordblinde på jobcentret, et job';
        box.append(c.highlight(text, ['ledig', 'ordblind', 'job']));
        const lines = 'Forudsætningen:\\n- Borger skal have lyst\\n- Borger skal deltage';
        const list = c.snippetBlock(lines, ['lyst']);
        return {html: box.innerHTML,
                marks: [...box.querySelectorAll('mark')].map(m => m.textContent),
                imgs: box.querySelectorAll('img').length,
                items: [...list.querySelectorAll('li')].map(li => li.textContent),
                listMarks: [...list.querySelectorAll('mark')].map(m => m.textContent),
                lead: list.querySelector('p').textContent,
                score: c.formatScore(2.25)};
    }"""
    )
    # an inflection is marked, a compound that merely starts with a stem ("jobcentret") is not
    assert result["marks"] == ["Ledighed", "ordblinde", "job"]
    assert result["imgs"] == 0 and "&lt;img" in result["html"]
    assert result["items"] == ["Borger skal have lyst", "Borger skal deltage"]  # still a list
    assert result["listMarks"] == ["lyst"] and result["lead"] == "Forudsætningen:"
    assert result["score"] in ("2,3", "2,2")  # toFixed rounding of a binary fraction


def test_nothing_fits_well_is_said_plainly(screen: PageProbe, fake_site: Site) -> None:
    """The engine's no_good_match: a warning instead of "Viser 5 af 5", no practices, no advice."""
    assert fake_site.controls is not None
    fake_site.controls.no_good_match = True
    page = screen.page
    page.goto(fake_site.url + "/?q=ledige+samtaler")
    status = page.locator("#status")
    expect(status).to_contain_text("Ingen indsats passer godt til beskrivelsen")
    expect(status).not_to_contain_text(" af ")
    expect(status).to_contain_text("ingen praksis anbefales")
    warning = page.locator("#initiatives .alert-warning")
    expect(warning).to_contain_text("Ingen indsats passer godt til jeres beskrivelse")
    expect(page.locator("#practices")).to_contain_text("Ingen praksis passer sikkert")
    expect(page.locator("#practices .practice")).to_have_count(0)
    expect(page.locator("#advice .advice")).to_have_count(0)
    fake_site.controls.no_good_match = False
    page.goto(fake_site.url + "/?q=ledige+samtaler")
    expect(status).to_contain_text("Viser")
    expect(page.locator("#initiatives .alert-warning")).to_have_count(0)


def test_a_link_opened_while_the_service_starts_waits_and_then_fills_in(
    screen: PageProbe, fake_site: Site
) -> None:
    """The API answers 503 `unavailable` while the engine loads: the page says so calmly,
    asks again by itself, and once the service is ready shows the answer, the filter lists
    and the header, with no reload and no error."""
    assert fake_site.controls is not None
    with fake_site.api() as api:
        items = api.get("/v1/initiatives", params={"k": 100}).json()["items"]
    places = sorted({i["municipality"] for i in items})
    fake_site.controls.starting = True
    page = screen.page
    starting = lambda r: "/v1/" in r.url and r.status == 503  # noqa: E731
    with page.expect_response(starting):
        page.goto(fake_site.url + "/?q=samtaler+med+ledige&municipality=Hedensted")
    status = page.locator("#status")
    expect(status).to_contain_text("Tjenesten starter op")
    expect(status.locator(".spinner")).to_be_visible()
    for _ in range(2):  # it keeps asking, by itself
        with page.expect_response(starting):
            pass
    expect(page.locator("#error-box")).to_be_empty()
    expect(page.locator("#results")).to_be_hidden()
    fake_site.controls.starting = False
    expect(page.locator(".result-card").first).to_be_visible()
    expect(status).to_contain_text("Viser")
    expect(page.locator("#municipality option")).to_have_count(1 + len(places))
    expect(page.locator("#municipality")).to_have_value("Hedensted")
    expect(page.locator("#corpus-size")).to_have_text(
        f"Bygger på {len(items)} indsatser fra {len(places)} kommuner."
    )
    expect(page.locator("#error-box")).to_be_empty()

    fake_site.controls.starting = True  # the whole initiative waits the same way
    with page.expect_response(starting):
        page.goto(f"{fake_site.url}/indsats/{items[0]['id']}")
    expect(status).to_contain_text("Tjenesten starter op")
    fake_site.controls.starting = False
    expect(page.locator(".answer").first).to_be_visible()
    expect(page.locator("#error-box")).to_be_empty()


def test_nothing_fits_well_counts_one_card_in_plain_danish(page: Any, fake_site: Site) -> None:
    """A municipality with one page: "Viser den, der ligner mest", never "Viser de 1"."""
    assert fake_site.controls is not None
    fake_site.controls.no_good_match = True
    page.goto(fake_site.url + "/?q=ledige+samtaler&municipality=Br%C3%B8nderslev+Kommune")
    status = page.locator("#status")
    expect(status).to_contain_text("Viser den, der ligner mest")
    expect(page.locator(".result-card")).to_have_count(1)
    expect(status).not_to_contain_text("de 1")
