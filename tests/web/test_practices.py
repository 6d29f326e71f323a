"""Recommendations a consultant can believe, against the real app at both widths: only
practices that fit are given, those the evidence speaks against apart with why, the reason
says first what of the situation it answers and then who follows it (by title, the first
three), filters reach them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from engine.domain.text import format_decimal
from tests.web.conftest import PageProbe, Site

pytestmark = [pytest.mark.browser, pytest.mark.model]


def wait_done(page: Any) -> None:
    expect(page.locator("#results-area")).to_have_attribute("aria-busy", "false")
    expect(page.locator("#status")).to_contain_text("Viser")


def recommend(site: Site, **body: Any) -> dict[str, Any]:
    with site.api() as api:
        response = api.post("/v1/recommend", json={"k": 5, **body})
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]


def open_answer(page: Any, site: Site, **params: str) -> None:
    page.goto(f"{site.url}/?{urlencode(params)}")
    wait_done(page)


def test_a_recommendation_says_why_it_fits_and_who_follows_it(
    screen: PageProbe, real_site: Site
) -> None:
    page = screen.page
    situation = "vi vil følge bedre op på borgere i løntilskud"
    expected = recommend(real_site, situation=situation)
    assert expected["practices"]
    open_answer(page, real_site, q=situation)
    shown = page.locator("#practices > .practice-list > .practice")
    expect(shown).to_have_count(len(expected["practices"]))
    for item, practice in zip(shown.all(), expected["practices"], strict=True):
        expect(item.locator(".practice-text")).to_have_text(practice["text"])
        expect(item.locator(".practice-fit")).to_have_text(practice["fit"])
        names = {"evidence": "Evidenstest", "good_practice": "God praksis test"}
        expect(item.locator(".practice-test")).to_have_text(names[practice["test"]])
        assert practice["fit"].startswith(f'I skriver "{practice["situation_part"]}"')
        assert practice["situation_part"] in situation
        expect(item.locator(".practice-strength")).to_have_text(practice["strength"])
        full = [f for f in practice["followed_by"] if f["answer"] == "ja"][:3]
        links = item.locator(":scope > .follower-list").first.locator("li")
        expect(links).to_have_count(len(full))
        for link, follower in zip(links.all(), full, strict=True):
            score = format_decimal(follower["evidence_score"])
            expect(link).to_have_text(
                f"{follower['title']} ({follower['municipality']}, evidensscore {score})"
            )
            expect(link.locator("a")).to_have_attribute(
                "href", f"/indsats/{follower['initiative_id']}"
            )
        expect(item.locator(".followers-label").first).to_contain_text("Følger den fuldt")
    expect(page.locator("#jump-practices")).to_have_text(
        f"Anbefalede praksisser ({len(expected['practices'])})"
    )
    apart = page.locator(".other-practices")
    expect(apart).to_have_count(1 if expected["other_practices"] else 0)
    if expected["other_practices"]:
        expect(apart.locator("summary")).to_contain_text("evidensen taler imod")
        apart.locator("summary").click()
        statuses = apart.locator(".practice-status")
        expect(statuses).to_have_text([p["status_text"] for p in expected["other_practices"]])


def _open_set_apart(page: Any) -> None:
    summary = page.locator(".other-practices summary")
    if summary.count():
        summary.click()


def test_delvist_is_never_listed_as_following_fully(screen: PageProbe, real_site: Site) -> None:
    page = screen.page
    situation = "jobrettet coaching til langtidsledige"
    expected = recommend(real_site, situation=situation)
    open_answer(page, real_site, q=situation)
    _open_set_apart(page)
    for item in page.locator("#practices .practice").all():
        for label in item.locator(".followers-label").all():
            entries = label.locator("xpath=following-sibling::ul[1]/li").count()
            assert entries > 0
        text = item.inner_text()
        if "Følger den kun delvist" in text:
            assert text.index("Følger den kun delvist") > text.find("Følger den fuldt")
    partial = [
        f for p in expected["practices"] for f in p["followed_by"] if f["answer"] == "delvist"
    ]
    if partial:
        expect(page.locator(".followers-label", has_text="kun delvist").first).to_be_visible()


def test_the_filters_reach_the_practices(screen: PageProbe, real_site: Site) -> None:
    page = screen.page
    situation = "ledige der skal finde job"
    open_answer(page, real_site, q=situation, min_evidence="2")
    _open_set_apart(page)
    for entry in page.locator(".follower-list li").all_inner_texts():
        score = float(entry.rsplit("evidensscore ", 1)[1].rstrip(")").replace(",", "."))
        assert score >= 2.0, entry
    expected = recommend(real_site, situation=situation, min_evidence=2.0)
    expect(page.locator("#practices > .practice-list > .practice")).to_have_count(
        len(expected["practices"])
    )


def test_what_the_evidence_cannot_show_is_said_plainly(screen: PageProbe, real_site: Site) -> None:
    """For dyslexia the practices that answer the situation have no page that follows them
    fully: they are given for what they say, and the page says there are no figures."""
    page = screen.page
    situation = "mange ledige er ordblinde"
    expected = recommend(real_site, situation=situation)
    given = [p for p in expected["practices"] if "ordblind" in p["text"].lower()]
    assert given, expected["practices"]
    unfollowed = [p for p in given if not p["followers_full"]]
    assert unfollowed, given
    open_answer(page, real_site, q=situation)
    item = page.locator("#practices .practice", has_text=unfollowed[0]["text"]).first
    expect(item.locator(".practice-fit")).to_contain_text("ordblinde")
    expect(item).to_contain_text("følger den fuldt endnu")
    expect(item.locator(".practice-strength")).to_contain_text("ingen tal")


def test_an_off_topic_question_gets_no_practice(screen: PageProbe, real_site: Site) -> None:
    """The engine's calibrated "no good match": said plainly, no practice, no advice."""
    page = screen.page
    situation = "hvordan laver man en god lasagne"
    expected = recommend(real_site, situation=situation)
    assert expected["no_good_match"] is True
    assert not expected["practices"] and not expected["other_practices"]
    assert not expected["advice"]
    page.goto(f"{real_site.url}/?{urlencode({'q': situation})}")
    expect(page.locator("#results-area")).to_have_attribute("aria-busy", "false")
    status = page.locator("#status")
    expect(status).to_contain_text("Ingen indsats passer godt til beskrivelsen")
    expect(status).to_contain_text("ingen praksis anbefales")
    expect(status).not_to_contain_text(" af ")
    expect(page.locator("#initiatives .alert-warning")).to_contain_text(
        "Ingen indsats passer godt til jeres beskrivelse"
    )
    expect(page.locator("#practices")).to_contain_text("Ingen praksis passer sikkert")
    expect(page.locator("#practices .practice")).to_have_count(0)
    expect(page.locator("#advice .advice")).to_have_count(0)
