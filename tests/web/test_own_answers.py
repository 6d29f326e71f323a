"""Gap analysis for any municipality: a consultant from a municipality that is not in the
data fills in the checklist (Ja / Delvist / Nej per practice), the answers live in the URL,
and the practices show the gaps; a known municipality keeps the answers of its pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from playwright.sync_api import expect

from tests.web.conftest import PageProbe, Site

pytestmark = pytest.mark.browser


def recommends(site: Site) -> list[dict[str, Any]]:
    assert site.controls is not None
    return [params for name, params in site.controls.calls if name == "recommend"]


def wait_done(page: Any) -> None:
    expect(page.locator("#results-area")).to_have_attribute("aria-busy", "false")
    expect(page.locator("#status")).to_contain_text("Viser")


def test_another_municipality_fills_in_its_own_answers(screen: PageProbe, fake_site: Site) -> None:
    page = screen.page
    with fake_site.api() as api:
        catalogue = api.get("/v1/practices").json()["items"]
    page.goto(fake_site.url + "/?q=samtaler+med+ledige")
    wait_done(page)
    shown = page.locator("#practices .practice-text").all_inner_texts()
    # a practice some page follows fully, so that answering Nej makes it a gap
    practice = next(p for t in shown for p in catalogue if p["text"] == t and p["counts"]["ja"])
    first = practice["text"]

    page.select_option("#own_choice", "__other__")
    page.fill("#own_name", "Aarhus")
    page.press("#own_name", "Enter")
    checklist = page.locator("#checklist")
    expect(checklist).to_be_visible()
    questions = checklist.locator("fieldset.own-question")
    expect(questions).to_have_count(len(catalogue))
    expect(checklist.locator("h3")).to_have_text(
        ["Evidenstest", "God praksis test", "Test vedr. uddannelse"]
    )
    question = checklist.locator(f'fieldset[data-practice="{practice["id"]}"]')
    question.get_by_label("Nej", exact=True).check()
    expect(page).to_have_url(
        f"{fake_site.url}/?"
        + urlencode(
            {
                "q": "samtaler med ledige",
                "own_municipality": "Aarhus",
                "answers": f"{practice['id']}:nej",
            }
        )
    )
    wait_done(page)
    assert recommends(fake_site)[-1]["answers"] == {practice["id"]: "nej"}
    assert "municipality" not in recommends(fake_site)[-1]
    gap = page.locator(".practice.is-gap", has_text=first)
    expect(gap.locator(".gap-flag")).to_contain_text("Hul i jeres praksis – jeres svar: Nej")
    expect(page.locator("#status")).to_contain_text("for Aarhus")
    expect(page.locator("#checklist-summary")).to_have_text(
        f"Aarhus' svar: 1 af {len(catalogue)} praksisser udfyldt"
    )

    shared = page.url  # a colleague opens the link: the same answers, the same gaps
    page.goto(fake_site.url + "/")
    page.goto(shared)
    wait_done(page)
    expect(page.locator("#own_choice")).to_have_value("__other__")
    expect(page.locator("#own_name")).to_have_value("Aarhus")
    page.locator("#checklist-summary").click()
    expect(question.get_by_label("Nej", exact=True)).to_be_checked()
    expect(page.locator(".practice.is-gap .gap-flag")).to_have_count(1)

    question.get_by_label("Ja", exact=True).check()  # "we do that": no longer recommended
    expect(page.locator("#practices .practice-text", has_text=first)).to_have_count(0)
    assert parse_qs(urlparse(page.url).query)["answers"] == [f"{practice['id']}:ja"]


def test_a_known_municipality_keeps_the_answers_of_its_pages(
    screen: PageProbe, fake_site: Site
) -> None:
    page = screen.page
    page.goto(fake_site.url + "/?q=samtaler+med+ledige&own_municipality=hedensted")
    wait_done(page)
    expect(page.locator("#own_choice")).to_have_value("Hedensted")
    expect(page.locator("#checklist")).to_be_hidden()
    assert recommends(fake_site)[-1]["municipality"] == "Hedensted"
    expect(page.locator("#practices")).to_contain_text("svar kommer fra kommunens egne")
