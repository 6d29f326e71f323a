"""The server side of the page: the shell, its escaping, headers and the vendored assets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.errors import install_error_handlers
from api.web import STATIC_DIR, evidence_options, mount_web, normalise_score
from engine.shared.errors import NotFoundError
from engine.shared.settings import Settings


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)  # as create_app does: the API's JSON errors
    settings = Settings(data_dir=tmp_path, max_query_chars=300)
    mount_web(app, settings)
    mount_web(app, settings)  # a second call (create_app and a test both mounting) is harmless
    return TestClient(app)


def test_page_is_danish_with_landmarks_and_labels(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="da">' in html
    assert 'class="skipnav" href="#main-content"' in html
    assert '<main id="main-content"' in html and "<header" in html and "<footer" in html
    assert 'role="search"' in html
    for field in ("q", "target_group", "municipality", "min_evidence", "own_choice"):
        assert f'<label class="form-label" for="{field}">' in html, field
        assert f'id="{field}"' in html
    assert "Højst 300 tegn" in html and 'data-max-chars="300"' in html  # the API's limit
    assert "maxlength" not in html.split('id="q"')[1].split(">")[0]  # a paste is never cut
    assert "Beskriv jeres situation" in html


def test_security_headers_forbid_inline_script(client: TestClient) -> None:
    for path in ("/", "/indsats/x"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"


def test_url_fills_the_form_and_markup_in_it_stays_text(client: TestClient) -> None:
    evil = "</textarea><script>alert(1)</script>"
    response = client.get(
        "/",
        params={
            "q": evil,
            "target_group": '"><img src=x onerror=alert(2)>',
            "municipality": "Skanderborg",
            "min_evidence": "2,5",
            "own_municipality": "Hedensted",
        },
    )
    html = response.text
    assert "<script>alert(1)" not in html
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in html
    assert "<img src=x" not in html
    assert '<option value="Skanderborg" selected>Skanderborg</option>' in html
    assert 'id="own_municipality" name="own_municipality" value="Hedensted"' in html
    assert '<option value="2.5" selected>Mindst 2,5</option>' in html


def test_initiative_shell_escapes_the_id(client: TestClient) -> None:
    # No engine on this app: the shell is served and the page asks the API itself.
    response = client.get("/indsats/%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E")
    assert response.status_code == 200
    assert "<img src=x" not in response.text
    assert 'data-initiative-id="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in response.text
    assert '<script type="module" src="/static/js/initiative.js">' in response.text


def test_head_answers_for_monitoring(client: TestClient) -> None:
    assert client.head("/").status_code == 200


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2", "2"), ("2.0", "2"), ("2,5", "2.5"), ("0", ""), ("9", ""), ("nan", ""), ("x", "")],
)
def test_min_evidence_from_the_url(raw: str, expected: str) -> None:
    assert normalise_score(raw) == expected


def test_a_shared_score_outside_the_steps_is_offered() -> None:
    values = [value for value, _ in evidence_options("2.35")]
    assert values[0] == "" and "2.35" in values and values == ["", *sorted(values[1:], key=float)]


def test_assets_are_served_with_the_right_types(client: TestClient) -> None:
    js = client.get("/static/js/search.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    css = client.get("/static/dkfds/css/dkfds.min.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert client.get("/static/nope.js").status_code == 404


def test_no_script_builds_markup_from_strings() -> None:
    """Page text reaches the DOM as text nodes only; this guards the rule in review."""
    for script in (STATIC_DIR / "js").glob("*.js"):
        code = re.sub(
            r"/\*.*?\*/|^\s*//.*$", "", script.read_text(encoding="utf-8"), flags=re.S | re.M
        )
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in code, f"{script.name} uses {sink}"


def test_every_file_the_vendored_css_needs_is_there() -> None:
    """The fonts and icons that a current browser fetches for the DKFDS CSS exist."""
    css_path = STATIC_DIR / "dkfds" / "css" / "dkfds.min.css"
    css = css_path.read_text(encoding="utf-8")
    urls = set(re.findall(r"url\((\.\./[^)]+)\)", css))
    needed = {u for u in urls if u.endswith((".woff2", ".svg")) or u.endswith("Regular.woff")}
    assert needed, "no asset references found: has the CSS changed shape?"
    missing = [u for u in needed if not (css_path.parent / u).resolve().is_file()]
    assert not missing, f"run scripts/vendor-dkfds.sh; missing: {sorted(missing)[:5]}"
    assert (STATIC_DIR / "dkfds" / "LICENSE.md").is_file()


def test_a_long_text_in_the_url_is_kept_whole(client: TestClient) -> None:
    """The page says how much too long it is; cutting it silently loses the consultant's words."""
    text = "ordblinde " * 40  # 400 characters, the limit here is 300
    html = client.get("/", params={"q": text}).text
    assert f">{text.strip()}</textarea>" in html


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        ("text/html,application/xhtml+xml,*/*;q=0.8", True),
        ("application/json", False),
        ("*/*", False),
    ],
)
def test_unknown_addresses_by_what_the_client_reads(
    client: TestClient, accept: str, html: bool
) -> None:
    response = client.get("/ukendt/side", headers={"Accept": accept})
    assert response.status_code == 404
    if html:
        assert response.headers["content-type"].startswith("text/html")
        assert "Siden findes ikke" in response.text and "/ukendt/side" in response.text
        assert "script-src 'self'" in response.headers["content-security-policy"]
    else:
        assert response.json()["code"] == "not_found"


def test_unknown_initiative_is_404_when_the_engine_says_so(tmp_path: Path) -> None:
    app = FastAPI()
    mount_web(app, Settings(data_dir=tmp_path))

    class Pages:
        def refresh(self) -> None: ...

        def initiative(self, initiative_id: str) -> object:
            if initiative_id != "kendt":
                raise NotFoundError(f"Ingen indsats med id '{initiative_id}'")
            return type("Item", (), {"title": "En kendt indsats"})()

    app.state.engine = Pages()
    client = TestClient(app)
    missing = client.get("/indsats/ukendt", headers={"Accept": "text/html"})
    assert missing.status_code == 404
    assert missing.text.count("Indsatsen findes ikke") == 2  # <title> and <h1>
    known = client.get("/indsats/kendt")
    assert (
        known.status_code == 200
        and '<h1 id="initiative-title" class="page-title">En kendt indsats</h1>' in known.text
    )
