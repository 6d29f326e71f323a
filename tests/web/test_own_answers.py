"""Gap analysis for any municipality: a consultant from a municipality that is not in the
data fills in the checklist (Ja / Delvist / Nej per practice), the answers live in the URL,
and the practices show the gaps; a known municipality keeps the answers of its pages."""

from __future__ import annotations

import re
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
    questions = checklist.locator(".own-question")
    expect(questions).to_have_count(len(catalogue))
    expect(checklist.locator("h3")).to_have_text(
        ["Evidenstest", "God praksis test", "Test vedr. uddannelse"]
    )
    question = checklist.locator(f'select[data-practice="{practice["id"]}"]')
    question.evaluate("e => e.closest('details').open = true")  # its group (closed on a phone)
    question.select_option("nej")
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
    assert "own_municipality" not in recommends(fake_site)[-1]
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
    expect(question).to_have_value("nej")
    expect(page.locator(".practice.is-gap .gap-flag")).to_have_count(1)

    question.evaluate("e => e.closest('details').open = true")
    question.select_option("ja")  # "we do that": no longer recommended
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
    assert recommends(fake_site)[-1]["own_municipality"] == "Hedensted"
    expect(page.locator("#practices")).to_contain_text("svar kommer fra kommunens egne")


def test_an_answer_keeps_focus_and_place_and_the_list_stays_compact(
    screen: PageProbe, fake_site: Site
) -> None:
    """Answering reruns the search but does not rebuild the list: focus stays on the
    question, the next Tab goes to the next one, the page does not jump; on a phone each
    practice is one line and each test a group that opens and closes."""
    page = screen.page
    page.goto(fake_site.url + "/?q=samtaler+med+ledige&own_municipality=Aarhus")
    wait_done(page)
    page.locator("#checklist-summary").click()
    groups = page.locator(".own-test")
    expect(groups).to_have_count(3)
    first_group = groups.first
    if screen.mobile:  # closed until opened: the open checklist stays short
        for group in groups.all():
            assert group.get_attribute("open") is None
        closed = page.locator("#checklist").bounding_box()["height"]
        assert closed < 700, closed
        first_group.locator("summary").click()
    expect(first_group).to_have_attribute("open", "")
    selects = first_group.locator("select.own-answer")
    chosen, following = selects.nth(3), selects.nth(4)
    chosen.evaluate("e => { e.kept = true; e.scrollIntoView({block: 'center'}); }")
    before = page.evaluate("window.scrollY")
    calls = len(recommends(fake_site))
    chosen.focus()
    page.keyboard.press("ArrowDown")  # what a keyboard user does: the next answer, "Ja"
    expect(page).to_have_url(re.compile(r"answers=[^&]+%3Aja"))
    wait_done(page)
    assert len(recommends(fake_site)) > calls
    expect(chosen).to_be_focused()
    expect(chosen).to_have_value("ja")
    assert chosen.evaluate("e => e.kept === true"), "the question was rebuilt"
    assert abs(page.evaluate("window.scrollY") - before) <= 1
    expect(first_group.locator(".own-test-count")).to_have_text(f"1 af {selects.count()} besvaret")
    page.keyboard.press("Tab")
    expect(following).to_be_focused()
    if screen.mobile:  # one line per practice; the whole text while the row has focus
        line = following.locator("xpath=..").locator(".own-question-text")
        rows = first_group.locator(".own-question")
        for n in range(rows.count()):
            if n != 4:
                assert rows.nth(n).bounding_box()["height"] <= 56, n
        assert line.evaluate("e => e.scrollWidth > e.clientWidth") is False  # wrapped, whole
        assert (
            rows.nth(3)
            .locator(".own-question-text")
            .evaluate("e => getComputedStyle(e).textOverflow")
            == "ellipsis"
        )
