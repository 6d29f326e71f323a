"""HTML stays text: markup in a stored page, in the URL or in a form field never runs.

Complements tests/web (which posts a JSON record to an in-thread server): here the page is
posted in the seed format (`text/plain`) to a real server process, markup sits in every
field a page has, and the server-rendered shell is checked for escaping as well.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.reliability.harness import KEY, ROOT, SEED_PAGE, SEED_TITLE, running

PAYLOAD = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
JS_SINKS = re.compile(
    r"\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\beval\(|new Function\("
    r"|setAttribute\(\s*['\"]on|\.src\s*=|location\s*=(?!=)"
)


def evil_page() -> tuple[str, str]:
    """The Hedensted seed with markup in the title, a group, a section, a test name, an answer."""
    text = SEED_PAGE.replace(SEED_TITLE, f"Ondsindet {PAYLOAD} ordblinde", 1)
    text = text.replace(" • Ledige\n", f" • Ledige {PAYLOAD}\n", 1)
    text = text.replace(
        "Erfaringer og resultater\n", f"Erfaringer og resultater\n\nOrdblinde {PAYLOAD}\n", 1
    )
    text = text.replace(
        "Evidenstest vedr. dagpengemodtagere med længerevarende ledighed",
        f"Evidenstest {PAYLOAD}",
        1,
    )
    text = text.replace(" • Ja: ", f" • Ja: {PAYLOAD} ", 1)
    return text, ""


def test_scripts_build_the_page_without_html_sinks() -> None:
    scripts = sorted((ROOT / "api" / "static" / "js").glob("*.js"))
    assert scripts, "no page scripts found"
    for script in scripts:
        code = re.sub(r"^\s*//.*$", "", script.read_text(encoding="utf-8"), flags=re.M)
        assert not JS_SINKS.search(code), f"{script.name}: {JS_SINKS.search(code)}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Any:
    base = tmp_path_factory.mktemp("xss")
    with running(base / "data", base / "server.log") as server:
        text, _ = evil_page()
        r = httpx.post(
            server.base + "/v1/initiatives",
            content=text.encode(),
            headers={"X-API-Key": KEY, "Content-Type": "text/plain; charset=utf-8"},
            timeout=60,
        )
        assert r.status_code == 201, r.text
        yield server.base, r.json()["id"]


def test_shell_escapes_url_input(site: tuple[str, str]) -> None:
    base, _ = site
    evil = quote(f'"><svg onload=alert(1)>{PAYLOAD}', safe="")
    for path in [f"/?q={evil}&municipality={evil}&target_group={evil}&own_municipality={evil}",
                 f"/indsats/{evil}"]:  # fmt: skip
        r = httpx.get(base + path, timeout=30)
        assert r.status_code in (200, 404), (path, r.status_code)
        if not r.headers["content-type"].startswith("text/html"):
            assert r.headers["content-type"].startswith("application/problem+json")
            continue  # a JSON error may quote the path; browsers do not render it as HTML
        assert "<script>window.__xss" not in r.text and "<svg onload" not in r.text
        assert "'unsafe-inline'" not in r.headers.get("content-security-policy", "x")
        assert "script-src 'self'" in r.headers.get("content-security-policy", "")


def test_stored_markup_is_text_in_the_api(site: tuple[str, str]) -> None:
    base, new_id = site
    body = httpx.get(f"{base}/v1/initiatives/{new_id}", timeout=30).json()
    assert PAYLOAD in body["title"]  # stored as the text it is, not stripped or mangled
    assert (
        httpx.get(f"{base}/v1/initiatives/{new_id}")
        .headers["content-type"]
        .startswith("application/json")
    )


def test_stored_markup_never_runs_in_a_browser(site: tuple[str, str], browser: Any) -> None:
    base, new_id = site
    dialogs: list[str] = []
    # The session's one browser (tests/conftest.py), whichever browser test runs first.
    context = browser.new_context()
    try:
        page = context.new_page()

        def on_dialog(dialog: Any) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        for path in ["/?q=ordblinde+ondsindet", f"/indsats/{new_id}"]:
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.wait_for_function("!document.querySelector('[aria-busy=true]')", timeout=30000)
            assert "Ondsindet" in page.inner_text("main"), path
            assert PAYLOAD.split(">")[0] + ">" in page.inner_text("main"), path
            assert page.evaluate("window.__xss") is None, path
            assert page.locator("main script, main img[src=x]").count() == 0, path
    finally:
        context.close()
    assert dialogs == []
