"""The consultants' page in a real Chromium against the real app (create_app + mount_web).

Every expectation is read from the API's own answer for the same request, so the tests check
that the page shows what the API says, not a list of titles frozen in the test.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.web.conftest import KEY, ROOT, PageProbe, Site

pytestmark = [pytest.mark.browser, pytest.mark.model]

SITUATION = "vi vil følge bedre op på borgere i løntilskud"
SCREENSHOT = ROOT / "docs" / "screenshot.png"
LEVEL_WORDS = {"ja": "Ja", "delvist": "Delvist", "nej": "Nej"}


@pytest.fixture
def site(real_site: Site) -> Site:
    return real_site


def wait_done(page: Any) -> None:
    """The search has answered: the busy flag is off and the status line says what came."""
    expect(page.locator("#results-area")).to_have_attribute("aria-busy", "false")
    expect(page.locator("#status")).to_contain_text(re.compile(r"Viser|mislykkedes"))


def search(page: Any, site: Site, text: str) -> None:
    page.goto(site.url + "/")
    page.fill("#q", text)
    page.press("#q", "Enter")
    wait_done(page)


def card_titles(page: Any) -> list[str]:
    return [t.strip() for t in page.locator(".result-card .card-heading").all_inner_texts()]


def api_search(site: Site, **params: Any) -> dict[str, Any]:
    with site.api() as api:
        response = api.get("/v1/search", params={"k": 10, **params})
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]


def api_recommend(site: Site, situation: str, **body: Any) -> dict[str, Any]:
    with site.api() as api:
        response = api.post("/v1/recommend", json={"situation": situation, "k": 5, **body})
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]


def axe_serious(page: Any) -> list[str]:
    """Serious and critical WCAG 2.1 A/AA violations (plus best practice) on the page."""
    results = Axe().run(
        page,
        options={
            "runOnly": {
                "type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
            },
            "resultTypes": ["violations"],
        },
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


# --- searching -----------------------------------------------------------------------------------


def test_a_situation_shows_cards_practices_and_advice(probe: PageProbe, site: Site) -> None:
    page = probe.page
    search(page, site, SITUATION)

    expected = api_search(site, q=SITUATION)
    assert expected["items"], "the API found nothing for the test situation"
    assert card_titles(page) == [r["title"] for r in expected["items"]]
    first = page.locator(".result-card").first
    top = expected["items"][0]
    expect(first.locator(".municipality")).to_have_text(top["municipality"])
    assert first.locator(".tag-item").all_inner_texts() == top["target_groups"]
    names = {"evidence": "Evidenstest", "good_practice": "God praksis test"}
    names["education"] = "Test vedr. uddannelse"
    for key, score in top["scores"].items():
        if score is None:  # a test the page does not have gets no row
            expect(first.locator(".score-label", has_text=names[key])).to_have_count(0)
            continue
        row = first.locator(".score-label", has_text=names[key]).locator("xpath=..")
        expect(row.locator(".score-number")).to_have_text(f"{score:.1f}".replace(".", ","))
        assert row.locator(".meter-fill").evaluate("e => parseFloat(e.style.width)") == (
            pytest.approx(score / 5 * 100, abs=0.1)
        )
    expect(first.locator("a.read-more")).to_have_attribute("href", f"/indsats/{top['id']}")

    marks = [m.lower() for m in page.locator(".result-card mark").all_inner_texts()]
    assert marks, "no query word highlighted in the matched passages"
    stems = {w[: max(5, len(w) - 2)] if len(w) > 5 else w for w in SITUATION.split() if len(w) > 3}
    assert all(any(m.startswith(s) for s in stems) for m in marks), marks

    advice = api_recommend(site, SITUATION)
    assert advice["practices"], "the test situation should get a recommendation"
    recommended = page.locator("#practices > .practice-list > .practice")
    assert recommended.locator(".practice-text").all_inner_texts() == [
        p["text"] for p in advice["practices"]
    ]
    assert recommended.locator(".practice-fit").all_inner_texts() == [
        p["fit"] for p in advice["practices"]
    ]
    others = page.locator(".other-practices .practice")
    expect(others).to_have_count(len(advice["other_practices"]))
    assert page.locator(".advice").count() == len(advice["advice"])
    expect(page.locator("#status")).to_contain_text(f"Viser {len(expected['items'])} af")
    assert parse_qs(urlparse(page.url).query)["q"] == [SITUATION]
    assert not [r for r in probe.bad_responses if "/static/" in r], probe.bad_responses


def test_filters_narrow_the_cards_and_live_in_the_url(page: Any, site: Site) -> None:
    with site.api() as api:
        items = api.get("/v1/initiatives", params={"k": 100}).json()["items"]
    groups = sorted({g for i in items for g in i["target_groups"]})
    narrow = next(g for g in groups if 0 < sum(g in i["target_groups"] for i in items) < len(items))

    page.goto(site.url + "/")
    expect(page.locator(f'#target_group option[value="{narrow}"]')).to_have_count(1)
    page.fill("#q", "ledige")
    page.select_option("#target_group", narrow)
    page.select_option("#min_evidence", "2")
    page.click("#search-button")
    wait_done(page)

    query = parse_qs(urlparse(page.url).query)
    assert query["target_group"] == [narrow] and query["min_evidence"] == ["2"]
    expected = api_search(site, q="ledige", target_group=narrow, min_evidence=2)
    assert card_titles(page) == [r["title"] for r in expected["items"]]
    for card in page.locator(".result-card").all():
        assert narrow in card.locator(".tag-item").all_inner_texts()
        evidence = card.locator(".score-label", has_text="Evidenstest").locator("xpath=..")
        assert float(evidence.locator(".score-number").inner_text().replace(",", ".")) >= 2


def test_no_two_choices_of_a_filter_read_the_same(page: Any, site: Site) -> None:
    """Pages have a target group called "Alle målgrupper"; the choice that filters nothing
    must not read the same, or a consultant cannot tell the two apart."""
    with site.api() as api:
        facets = api.get("/v1/facets").json()
    page.goto(site.url + "/")
    for select, key in (("#target_group", "target_groups"), ("#municipality", "municipalities")):
        values = [v["value"] for v in facets[key]]
        expect(page.locator(f"{select} option")).to_have_count(len(values) + 1)  # lists filled
        labels = [label.strip() for label in page.locator(f"{select} option").all_inner_texts()]
        assert len(labels) == len(set(labels)), labels


def test_a_shared_link_opens_its_answer_and_history_works(page: Any, site: Site) -> None:
    page.goto(site.url + "/?q=ordblinde+ledige&municipality=Skanderborg")
    wait_done(page)
    expect(page.locator("#q")).to_have_value("ordblinde ledige")
    expect(page.locator("#municipality")).to_have_value("Skanderborg")
    expected = api_search(site, q="ordblinde ledige", municipality="Skanderborg")
    assert card_titles(page) == [r["title"] for r in expected["items"]]
    assert set(page.locator(".result-card .municipality").all_inner_texts()) == {"Skanderborg"}

    page.fill("#q", "jobrettet coaching")
    page.select_option("#municipality", "")
    page.press("#q", "Enter")
    wait_done(page)
    assert parse_qs(urlparse(page.url).query) == {"q": ["jobrettet coaching"]}
    page.go_back()
    wait_done(page)
    expect(page.locator("#q")).to_have_value("ordblinde ledige")
    assert card_titles(page) == [r["title"] for r in expected["items"]]


def test_own_municipality_marks_gaps_with_text_and_icon(page: Any, site: Site) -> None:
    own = "Hedensted"
    page.goto(site.url + "/?" + f"q={SITUATION}&own_municipality={own}")
    wait_done(page)
    expected = api_recommend(site, SITUATION, own_municipality=own)
    gaps = [p for p in expected["practices"] if p["gap"]]
    flags = page.locator(".practice .gap-flag")
    expect(flags).to_have_count(len(gaps))
    for flag, practice in zip(flags.all(), gaps, strict=True):
        expect(flag).to_contain_text("Hul i jeres praksis")
        expect(flag).to_contain_text(LEVEL_WORDS[practice["your_answer"]])
        assert flag.locator("svg use").get_attribute("href") == "#icon-warning"
    expect(page.locator("#status")).to_contain_text(f"for {own}")


# --- the whole initiative -----------------------------------------------------------------------


def test_opening_an_initiative_shows_every_section_and_answer(page: Any, site: Site) -> None:
    search(page, site, "ordblinde ledige")
    link = page.locator(".result-card .card-heading a").first
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(f"**{href}")
    with site.api() as api:
        item = api.get(f"/v1/initiatives/{href.rsplit('/', 1)[1]}").json()

    expect(page.locator("h1")).to_have_text(item["title"])
    expect(page).to_have_title(re.compile(re.escape(item["title"])))
    # expect waits for the sections (drawn after the title on a busy machine); a one-off
    # read of them could come first and find none
    expect(page.locator(".page-section h2")).to_have_text([s["name"] for s in item["sections"]])
    answers = [a for t in item["tests"] for a in t["answers"]]
    shown = page.locator(".answer")
    expect(shown).to_have_count(len(answers))
    for row, answer in zip(shown.all(), answers, strict=True):
        expect(row.locator(".level-badge")).to_have_text(LEVEL_WORDS[answer["level"]])
        expect(row.locator(".answer-text")).to_have_text(answer["text"])
    expect(page.locator(".test-block h3")).to_have_count(len(item["tests"]))
    page.click("#back-link")
    wait_done(page)
    expect(page.locator("#q")).to_have_value("ordblinde ledige")


# --- keyboard, escaping, accessibility ------------------------------------------------------------


def focused(page: Any) -> dict[str, Any]:
    info: dict[str, Any] = page.evaluate(
        """() => { const e = document.activeElement; const s = getComputedStyle(e);
        return {id: e.id, tag: e.tagName, text: (e.textContent || '').trim(),
                href: e.getAttribute('href'), outline: s.outlineStyle,
                width: parseFloat(s.outlineWidth)}; }"""
    )
    return info


def test_keyboard_only_search_and_open(page: Any, site: Site) -> None:
    page.goto(site.url + "/")
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == "Gå til sidens indhold"
    assert skip["outline"] != "none" and skip["width"] >= 2
    # visible when focused (DKFDS slides it in with a short transition)
    expect(page.locator(".skipnav")).to_be_in_viewport(ratio=1)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "q"
    page.keyboard.type("ordblinde ledige")
    page.keyboard.press("Enter")
    wait_done(page)
    assert page.locator(".result-card").count() > 0
    for _ in range(40):  # through the form to the first card's link
        page.keyboard.press("Tab")
        now = focused(page)
        if (now["href"] or "").startswith("/indsats/"):
            break
    else:
        pytest.fail("no initiative link reachable with Tab")
    assert now["outline"] != "none" and now["width"] >= 2, now
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{now['href']}")
    expect(page.locator(".answer").first).to_be_visible()


def test_markup_in_a_stored_page_shows_as_text(page: Any, site: Site) -> None:
    title = "<script>window.__xss = 1</script><img src=x onerror='window.__xss = 2'> Ordblinde"
    record = {
        "municipality": "Testby",
        "title": title,
        "target_groups": ["<b>Ledige</b>"],
        "headline_score": 1.0,
        "sections": [{"name": "Gode råd", "text": "Ordblinde <i>ledige</i><script>x()</script>"}],
        "tests": [
            {
                "test": "evidence",
                "name": "Evidenstest <u>alle</u>",
                "score": 1.0,
                "answers": [{"level": "ja", "text": "<img src=x onerror=alert(1)> ordblinde"}],
            }
        ],
    }
    with site.api() as api:
        created = api.post("/v1/initiatives", json=record, headers={"X-API-Key": KEY})
        assert created.status_code == 201, created.text
        new_id = created.json()["id"]
        try:
            page.goto(site.url + "/?q=ordblinde+%3Cscript%3E")
            wait_done(page)
            card = page.locator(".result-card", has_text="Testby")
            expect(card.locator(".card-heading")).to_have_text(title)
            expect(card.locator(".tag-item")).to_have_text("<b>Ledige</b>")
            page.goto(f"{site.url}/indsats/{new_id}")
            expect(page.locator("h1")).to_have_text(title)
            expect(page.locator(".answer-text")).to_have_text(
                "<img src=x onerror=alert(1)> ordblinde"
            )
            assert page.evaluate("window.__xss") is None
            assert page.locator("main script, main img").count() == 0
        finally:
            assert api.delete(f"/v1/initiatives/{new_id}", headers={"X-API-Key": KEY}).is_success


def test_no_serious_accessibility_violations(page: Any, site: Site) -> None:
    page.goto(site.url + "/")
    expect(page.locator("#empty-state")).to_be_visible()
    assert axe_serious(page) == [], "empty state"

    page.goto(site.url + f"/?q={SITUATION}&own_municipality=Hedensted")
    wait_done(page)
    assert page.locator(".practice").count() > 0
    assert axe_serious(page) == [], "results with gaps"

    page.locator(".result-card .card-heading a").first.click()
    expect(page.locator(".answer").first).to_be_visible()
    assert axe_serious(page) == [], "initiative page"

    page.goto(site.url + "/?q=" + "x" * 2001 + "&min_evidence=9")
    expect(page.locator("#q-error")).to_be_visible()
    expect(page.locator("#url-problems .alert-warning")).to_be_visible()
    assert axe_serious(page) == [], "error state"

    page.goto(site.url + "/?q=ledige&own_municipality=Aarhus")
    wait_done(page)
    page.locator("#checklist-summary").click()
    assert axe_serious(page) == [], "own answers"

    page.goto(site.url + "/findes/ikke")
    expect(page.locator("h1")).to_have_text("Siden findes ikke")
    assert axe_serious(page) == [], "404 page"


def test_screenshot_of_a_real_answer(page: Any, site: Site) -> None:
    """Saved for the README: the page answering a consultant's real question."""
    page.set_viewport_size({"width": 1280, "height": 1500})
    page.goto(site.url + f"/?q={SITUATION}&own_municipality=Hedensted")
    wait_done(page)
    expect(page.locator(".result-card").first).to_be_visible()
    expect(page.locator(".practice").first).to_be_visible()
    page.evaluate("document.fonts.ready.then(() => true)")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert Path(SCREENSHOT).stat().st_size > 20_000


def test_the_readmes_shared_link_shows_what_it_advertises(screen: PageProbe, site: Site) -> None:
    """The README's example of a shared answer: cards within its filter, recommended
    practices and the gaps of its own municipality, at both widths."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"`http://127\.0\.0\.1:8000(/\?q=[^`]*own_municipality=[^`]*)`", readme)
    assert found, "the README shows no shared link with an own municipality"
    link = found.group(1)
    query = parse_qs(urlparse(link).query)
    page = screen.page
    page.goto(site.url + link)
    wait_done(page)
    expect(page.locator("#municipality")).to_have_value(query["municipality"][0])
    expect(page.locator("#own_choice")).to_have_value(query["own_municipality"][0])
    cards = page.locator(".result-card")
    expect(cards.first).to_be_visible()
    for name in cards.locator(".municipality").all_inner_texts():
        assert name == query["municipality"][0]
    expect(page.locator("#initiatives .alert-warning")).to_have_count(0)  # no "nothing fits"
    practices = page.locator("#practices > .practice-list > .practice")
    expect(practices.first).to_be_visible()
    expect(page.locator("#practices .practice.is-gap .gap-flag").first).to_contain_text(
        "Hul i jeres praksis"
    )
    expect(page.locator("#status")).to_contain_text(f"for {query['own_municipality'][0]}")
    expect(page.locator("#url-problems")).to_be_empty()
