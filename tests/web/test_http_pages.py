"""Proper HTTP for the pages: an unknown initiative is a 404, an unknown address is an
HTML 404 page for a browser and the API's JSON error for everyone else."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.web.conftest import PageProbe, Site

pytestmark = pytest.mark.browser


def test_an_unknown_initiative_is_a_404_page(screen: PageProbe, fake_site: Site) -> None:
    page = screen.page
    response = page.goto(fake_site.url + "/indsats/jobrettet-coaching-i-atlantis")
    assert response is not None and response.status == 404
    assert response.headers["content-type"].startswith("text/html")
    expect(page.locator("h1")).to_have_text("Indsatsen findes ikke")
    expect(page.locator("h1")).to_have_count(1)
    expect(page).to_have_title("Indsatsen findes ikke – Indsatsfinder")
    assert page.locator("main").inner_text().count("findes ikke") == 1
    search = page.get_by_role("link", name='Søg efter "jobrettet coaching i atlantis"')
    search.click()
    expect(page.locator("#q")).to_have_value("jobrettet coaching i atlantis")


def test_a_known_initiative_is_200_with_its_title(page: object, fake_site: Site) -> None:
    with fake_site.api() as api:
        item = api.get("/v1/initiatives", params={"k": 1}).json()["items"][0]
    response = httpx.get(f"{fake_site.url}/indsats/{item['id']}")
    assert response.status_code == 200
    assert f"<title>{item['title']}" in response.text.replace("&#39;", "'")


def test_a_mistyped_address_is_a_page_for_browsers(screen: PageProbe, fake_site: Site) -> None:
    page = screen.page
    response = page.goto(fake_site.url + "/indsatser/ordblinde")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Siden findes ikke")
    expect(page.locator("main")).to_contain_text("/indsatser/ordblinde")
    expect(page.locator("main pre, main code.json")).to_have_count(0)
    page.get_by_role("link", name="Gå til forsiden og søg").click()
    expect(page.locator("#empty-state")).to_be_visible()


@pytest.mark.parametrize("accept", ["application/json", "*/*", ""])
def test_api_clients_keep_the_json_error(fake_site: Site, accept: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = httpx.get(f"{fake_site.url}/indsatser/ordblinde", headers=headers)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")


def test_api_addresses_answer_json_even_to_a_browser(fake_site: Site) -> None:
    html = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    for path in ("/v1/findes-ikke", "/static/js/findes-ikke.js"):
        response = httpx.get(fake_site.url + path, headers=html)
        assert response.status_code == 404, path
        assert not response.headers["content-type"].startswith("text/html"), path
