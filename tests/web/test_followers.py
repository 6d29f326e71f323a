"""A practice names at most three followers; "og N andre" opens the rest in place (the API
sends them all, with counts), at both widths, with a target a finger can hit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.conftest import PageProbe, Site

pytestmark = pytest.mark.browser


def test_three_followers_by_name_and_the_rest_behind_a_summary(
    screen: PageProbe, fake_site: Site
) -> None:
    assert fake_site.controls is not None
    fake_site.controls.followers = 17
    page = screen.page
    page.goto(fake_site.url + "/?q=samtaler+med+borgere")
    expect(page.locator("#results-area")).to_have_attribute("aria-busy", "false")
    practice = page.locator("#practices .practice").first
    shown = practice.locator(":scope > .follower-list").first.locator("li")
    expect(shown).to_have_count(3)
    more = practice.locator(".more-followers").first
    summary = more.locator("summary")
    expect(summary).to_have_text("og 14 andre")
    hidden = more.locator(".follower-list li")
    expect(hidden.first).to_be_hidden()
    box = summary.bounding_box()
    assert box is not None and box["height"] >= 44, box
    summary.click()
    expect(hidden).to_have_count(14)
    expect(hidden.first).to_be_visible()
    names = [shown.nth(i).inner_text() for i in range(3)]
    assert all("evidensscore" in name for name in names), names


def test_every_list_names_three_and_counts_the_rest(screen: PageProbe, fake_site: Site) -> None:
    """With the seeds' own followers (up to five a practice): no list names more than three,
    and each "og N andre" says exactly how many it holds."""
    page = screen.page
    page.goto(fake_site.url + "/?q=samtaler+med+borgere")
    expect(page.locator("#results-area")).to_have_attribute("aria-busy", "false")
    practices = page.locator("#practices .practice")
    expect(practices.first).to_be_visible()
    for practice in practices.all():
        lists = practice.locator(":scope > .follower-list")
        assert all(lists.nth(n).locator("li").count() <= 3 for n in range(lists.count()))
        for more in practice.locator(".more-followers").all():
            rest = more.locator(".follower-list li").count()
            word = "anden" if rest == 1 else "andre"
            expect(more.locator("summary")).to_have_text(f"og {rest} {word}")
