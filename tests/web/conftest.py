"""Fixtures for the web page: live servers on loopback and a real Chromium through Playwright.

Browser tests need Debian's Chromium (`apt-get install chromium`, installed by `.ci/run`) and
the `playwright` Python package; where either is missing they skip and say which. Playwright's
own browser download is never used (it needs a network this project does not have).
"""

from __future__ import annotations

import importlib.util
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from engine.embedding.base import Embedder
from tests.web.fake_api import Controls, create_fake_app

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
KEY = "web-test-key-0123456789"
CHROMIUM = Path(os.environ.get("INDSATS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def browser_missing() -> str | None:
    """Why no browser test can run here, or None when they can."""
    if importlib.util.find_spec("playwright") is None:
        return "the 'playwright' package is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        return (
            f"no Chromium at {CHROMIUM}: install Debian's chromium (apt-get install chromium, "
            "as .ci/run does) or point INDSATS_CHROMIUM at a Chromium binary"
        )
    return None


class LiveServer:
    """`app` served by uvicorn in a thread, on a socket bound before start (no port race)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_keep_alive=2)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()


@dataclass
class Site:
    url: str
    controls: Controls | None = None

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120)


def wait_ready(app: FastAPI, url: str, timeout: float = 300.0) -> None:
    """Wait for the app's engine to settle (an event set by its loader), then check that
    /readyz agrees; a failure shows its answer, which says what is missing."""
    assert app.state.engine_settled.wait(timeout), f"the engine did not load in {timeout:.0f}s"
    response = httpx.get(f"{url}/readyz", timeout=10)
    assert response.status_code == 200, response.text


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory, real_embedder: Embedder) -> Iterator[Site]:
    """The real app (`create_app` + `mount_web`) over the seeds, with the real model (the
    session's, already loaded)."""
    from api.app import create_app
    from api.web import mount_web
    from engine.shared.settings import Settings

    data_dir = tmp_path_factory.mktemp("web-data")
    settings = Settings(data_dir=data_dir, seeds_dir=SEEDS, api_key=KEY)
    app = create_app(settings, embedder=real_embedder)
    mount_web(app, settings)
    with LiveServer(app) as server:
        wait_ready(app, server.url)
        yield Site(server.url)


@pytest.fixture(scope="session")
def _fake_server() -> Iterator[tuple[LiveServer, Controls]]:
    controls = Controls()
    controls.reset()
    with LiveServer(create_fake_app(SEEDS, controls)) as server:
        yield server, controls


@pytest.fixture
def fake_site(_fake_server: tuple[LiveServer, Controls]) -> Iterator[Site]:
    """The stand-in API (see fake_api.py), reset before and after each test."""
    server, controls = _fake_server
    controls.reset()
    yield Site(server.url, controls)
    controls.reset()


# --- browser -----------------------------------------------------------------------------------


@dataclass
class PageProbe:
    """A page plus what went wrong in it: uncaught script errors and failed asset loads."""

    page: Any
    errors: list[str]
    bad_responses: list[str]
    mobile: bool = False


# The two screens every point of the page is checked on: a laptop and a phone.
SCREENS = {"desktop": (1366, False), "mobile": (390, True)}


@pytest.fixture
def probe(browser: Any) -> Iterator[PageProbe]:
    yield from _probe(browser, 1280, mobile=False)


@pytest.fixture(params=sorted(SCREENS))
def screen(request: pytest.FixtureRequest, browser: Any) -> Iterator[PageProbe]:
    """A page at desktop (1366 px) and at phone (390 px, touch) width."""
    width, mobile = SCREENS[request.param]
    yield from _probe(browser, width, mobile=mobile)


def _probe(browser: Any, width: int, *, mobile: bool) -> Iterator[PageProbe]:
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        locale="da-DK",
        is_mobile=mobile,
        has_touch=mobile,
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    found = PageProbe(page, [], [], mobile)
    page.on("pageerror", lambda exc: found.errors.append(str(exc)))
    page.on(
        "response",
        lambda r: found.bad_responses.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    yield found
    context.close()
    assert not found.errors, f"uncaught errors in the page: {found.errors}"


@pytest.fixture
def page(probe: PageProbe) -> Any:
    return probe.page
