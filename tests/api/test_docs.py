"""`/docs` works offline: vendored, pinned Swagger UI under the page's CSP, nothing from
other hosts (checked in the markup, on disk and in a real Chromium)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.apidocs import VENDOR
from api.web import CSP

SWAGGER = VENDOR / "swagger-ui"


def test_docs_page_loads_only_its_own_files_under_the_csp(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CSP
    html = response.text
    assert "<script>" not in html and "onload" not in html  # no inline script for the CSP
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith(("/", "data:")) for a in assets), assets
    for asset in assets:
        if asset.startswith("/docs/assets/"):
            served = client.get(asset)
            assert served.status_code == 200, asset
            assert served.content == (VENDOR / asset.removeprefix("/docs/assets/")).read_bytes()


def test_vendored_swagger_ui_is_pinned_and_unchanged() -> None:
    version = (SWAGGER / "VERSION").read_text(encoding="utf-8").split()
    assert version[0] == "swagger-ui-dist" and re.fullmatch(r"\d+\.\d+\.\d+", version[1])
    sums = (SWAGGER / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert len(sums) == 3
    for line in sums:
        digest, name = line.split()
        assert hashlib.sha256((SWAGGER / name).read_bytes()).hexdigest() == digest, name


def test_the_start_script_never_asks_another_host() -> None:
    script = (VENDOR / "docs" / "docs.js").read_text(encoding="utf-8")
    assert "validatorUrl: null" in script and 'url: "/openapi.json"' in script
    assert "http" not in script.replace("https?", "")


@pytest.mark.browser
def test_docs_render_every_operation_offline(browser: Any, tmp_path: Path) -> None:
    """A real Chromium: every request to another host is blocked and recorded, CSP
    violations are caught, and the operations appear by their operationIds."""
    from api.app import create_app
    from tests.api.conftest import make_settings
    from tests.fakes import FakeEmbedder
    from tests.web.conftest import LiveServer, wait_ready

    app = create_app(make_settings(tmp_path / "data"), embedder=FakeEmbedder())
    with LiveServer(app) as server:
        wait_ready(app, server.url)
        context = browser.new_context()
        page = context.new_page()
        foreign: list[str] = []
        problems: list[str] = []

        def route(request: Any) -> None:
            if not request.request.url.startswith(server.url):
                foreign.append(request.request.url)
                request.abort()
            else:
                request.continue_()

        page.route("**/*", route)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto(f"{server.url}/docs")
        page.locator(".opblock").first.wait_for()
        shown = page.locator(".opblock-summary-operation-id").all_inner_texts()
        context.close()
    assert foreign == []
    assert problems == [], problems
    for operation in ("search", "get_facets", "list_initiatives", "create_initiative"):
        assert operation in shown, shown


def test_the_change_log_names_the_version_the_api_says() -> None:
    """A breaking change goes with a new 0.x version and its entry (CHANGELOG.md)."""
    from engine import __version__

    root = Path(__file__).resolve().parents[2]
    log = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {__version__}\n" in log
    assert f'version = "{__version__}"' in (root / "pyproject.toml").read_text(encoding="utf-8")
