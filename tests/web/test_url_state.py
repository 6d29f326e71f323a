"""Whatever a URL holds, the page reads it in Danish: documented forms work (`2,5`), a bad
parameter is named with what the page did instead, long text is counted and never cut, and
a changed filter reruns the search."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from playwright.sync_api import expect

from tests.web.conftest import PageProbe, Site

pytestmark = pytest.mark.browser


def searches(site: Site) -> list[dict[str, Any]]:
    assert site.controls is not None
    return [params for name, params in site.controls.calls if name == "search"]


def wait_done(page: Any) -> None:
    expect(page.locator("#results-area")).to_have_attribute("aria-busy", "false")
    expect(page.locator("#status")).to_contain_text("Viser")


@pytest.mark.parametrize("written", ["2,5", "2.5"])
def test_a_decimal_comma_in_the_url_works(page: Any, fake_site: Site, written: str) -> None:
    page.goto(f"{fake_site.url}/?q=ledige&min_evidence={written}")
    wait_done(page)
    expect(page.locator("#min_evidence")).to_have_value("2.5")
    expect(page.locator("#url-problems")).to_be_empty()
    assert searches(fake_site)[-1]["min_evidence"] == 2.5
    for number in page.locator(".score-label:text-is('Evidenstest') + dd .score-number").all():
        assert float(number.inner_text().replace(",", ".")) >= 2.5


@pytest.mark.parametrize("written", ["9", "-1", "høj", "2,5,1", "nan"])
def test_a_bad_score_is_named_and_left_out(
    screen: PageProbe, fake_site: Site, written: str
) -> None:
    page = screen.page
    page.goto(f"{fake_site.url}/?" + urlencode({"q": "ledige", "min_evidence": written}))
    wait_done(page)
    problem = page.locator("#url-problems .alert-warning")
    expect(problem).to_contain_text(f'Mindste evidensscore "{written}" er ikke et tal fra 0 til 5')
    expect(problem).to_contain_text("Siden søger uden den grænse")
    expect(page.locator("#min_evidence")).to_have_value("")
    assert searches(fake_site)[-1]["min_evidence"] is None
    expect(page.locator("#error-box")).to_be_empty()  # no API message, English or Danish


def test_unknown_filter_values_and_answers_are_named(page: Any, fake_site: Site) -> None:
    query = {
        "q": "ledige",
        "target_group": "Pensionister",
        "municipality": "Atlantis",
        "own_municipality": "Aarhus",
        "answers": "findes-ikke:ja,gp-x:maaske",
    }
    page.goto(f"{fake_site.url}/?{urlencode(query)}")
    wait_done(page)
    problems = page.locator("#url-problems li")
    expect(problems).to_have_count(4)
    text = " ".join(problems.all_inner_texts())
    assert '("gp-x:maaske")' in text and "praksis-id:ja" in text
    assert 'gælder praksisser, som ikke findes (fx "findes-ikke")' in text
    # in the page's own Danish: what it searched instead and the known values; no API words
    assert 'Målgruppen "Pensionister" findes ikke blandt indsatserne' in text
    assert "så siden søger i alle målgrupper" in text
    assert (
        'Kommunen "Atlantis" findes ikke blandt indsatserne, så siden søger i alle kommuner.'
        in text
    )
    assert "Kendte kommuner: Brønderslev, Hedensted og Skanderborg." in text
    assert "GET" not in text and "/v1" not in text and "facets" not in text
    expect(page.locator("#target_group")).to_have_value("")
    expect(page.locator("#municipality")).to_have_value("")
    expect(page.locator(".result-card").first).to_be_visible()
    expect(page.locator("#error-box")).to_be_empty()


def test_a_municipality_spelled_differently_is_read_as_the_api_reads_it(
    page: Any, fake_site: Site
) -> None:
    page.goto(f"{fake_site.url}/?q=ledige&municipality=hedensted+kommune")
    wait_done(page)
    expect(page.locator("#url-problems")).to_be_empty()
    for name in page.locator(".result-card .municipality").all_inner_texts():
        assert name == "Hedensted"


def test_too_long_text_from_a_url_is_kept_and_not_searched(
    screen: PageProbe, fake_site: Site
) -> None:
    page = screen.page
    text = ("ordblinde ledige " * 150).strip()  # 2,549 characters
    page.goto(f"{fake_site.url}/?" + urlencode({"q": text}))
    error = page.locator("#q-error")
    expect(error).to_contain_text(f"Beskrivelsen er {len(text):,} tegn".replace(",", "."))
    expect(error).to_contain_text("Forkort den med 549 tegn")
    expect(page.locator("#q")).to_have_value(text)
    expect(page.locator("#q-count")).to_contain_text("af 2.000 tegn")
    expect(page.locator("#q")).to_have_attribute("aria-invalid", "true")
    assert searches(fake_site) == []


def test_a_long_paste_is_counted_not_cut(screen: PageProbe, fake_site: Site) -> None:
    page = screen.page
    page.goto(fake_site.url + "/")
    count = page.locator("#q-count")
    expect(count).to_have_text("0 af 2.000 tegn")
    pasted = "a" * 3000
    page.fill("#q", pasted)
    expect(page.locator("#q")).to_have_value(pasted)
    expect(count).to_have_text("3.000 af 2.000 tegn – 1.000 for mange")
    page.click("#search-button")
    expect(page.locator("#q-error")).to_contain_text("Forkort den med 1.000 tegn")
    assert searches(fake_site) == []
    page.fill("#q", "ordblinde ledige")
    expect(count).to_have_text("16 af 2.000 tegn")
    page.click("#search-button")
    wait_done(page)
    expect(page.locator("#q-error")).to_be_hidden()


def test_changing_a_filter_reruns_the_search(screen: PageProbe, fake_site: Site) -> None:
    page = screen.page
    page.goto(fake_site.url + "/?q=ledige")
    wait_done(page)
    before = len(searches(fake_site))
    page.select_option("#municipality", "Hedensted")
    expect(page.locator("#status")).to_contain_text("Viser")
    expect(page.locator(".result-card .municipality")).not_to_have_count(0)
    for name in page.locator(".result-card .municipality").all_inner_texts():
        assert name == "Hedensted"
    assert parse_qs(urlparse(page.url).query) == {"q": ["ledige"], "municipality": ["Hedensted"]}
    page.select_option("#min_evidence", "2")
    expect(page).to_have_url(f"{fake_site.url}/?q=ledige&municipality=Hedensted&min_evidence=2")
    wait_done(page)
    calls = searches(fake_site)[before:]
    assert calls[-1]["municipality"] == "Hedensted" and calls[-1]["min_evidence"] == 2
    page.go_back()
    wait_done(page)
    expect(page.locator("#min_evidence")).to_have_value("")


def test_a_filter_without_text_waits_for_the_text(page: Any, fake_site: Site) -> None:
    page.goto(fake_site.url + "/")
    page.select_option("#municipality", "Hedensted")
    expect(page).to_have_url(f"{fake_site.url}/?municipality=Hedensted")
    expect(page.locator("#q-error")).to_be_hidden()
    assert searches(fake_site) == []


def test_a_misspelt_filter_value_offers_the_closest_known_one(
    screen: PageProbe, fake_site: Site
) -> None:
    page = screen.page
    page.goto(f"{fake_site.url}/?q=ledige&municipality=Hedenstedd&target_group=Langtidsledig")
    wait_done(page)
    problems = page.locator("#url-problems li")
    expect(problems).to_have_count(2)
    text = " ".join(problems.all_inner_texts())
    assert "GET" not in text and "/v1" not in text, text
    place = problems.filter(has_text="Hedenstedd")
    expect(place).to_have_text(
        'Kommunen "Hedenstedd" findes ikke blandt indsatserne, så siden søger i alle kommuner. '
        "Mente I Hedensted?"
    )
    expect(problems.filter(has_text="Langtidsledig")).to_contain_text(
        "så siden søger i alle målgrupper"
    )
    link = place.get_by_role("link", name="Hedensted")
    link.click()
    wait_done(page)
    expect(page.locator("#municipality")).to_have_value("Hedensted")
    assert parse_qs(urlparse(page.url).query)["municipality"] == ["Hedensted"]
    for name in page.locator(".result-card .municipality").all_inner_texts():
        assert name == "Hedensted"
