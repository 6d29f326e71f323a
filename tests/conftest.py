"""Shared fixtures. Paths come from the repository, never from the working directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.domain.corpus import load_corpus
from engine.domain.models import Corpus
from engine.embedding.base import Embedder
from engine.settings import Settings
from tests.fakes import FakeEmbedder

# What the reliability tests ran, counted where every test report arrives (see the module).
pytest_plugins = ["tests.reliability.outcomes"]
ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_corpus() -> Corpus:
    corpus = load_corpus([SEEDS])
    assert not corpus.errors, corpus.errors
    return corpus


@pytest.fixture(scope="session")
def real_embedder() -> Embedder:
    """The bundled MiniLM, loaded once per session (a few seconds) for `model` tests."""
    from engine.embedding import load_embedder

    return load_embedder(Settings())


@pytest.fixture()
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture()
def tmp_settings(tmp_path: Path) -> Settings:
    """Settings on a private data dir, with the seeds of this checkout."""
    return Settings(data_dir=tmp_path / "data", seeds_dir=SEEDS)


@pytest.fixture(scope="session", autouse=True)
def _shared_model_export(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One ONNX export for the whole run instead of one per temporary data directory
    (the onnx backend exports on first use into INDSATS_EXPORT_DIR or <data_dir>/models)."""
    import os

    os.environ.setdefault("INDSATS_EXPORT_DIR", str(tmp_path_factory.mktemp("onnx-export")))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the session, shared by every browser test wherever it lives:
    Playwright's sync API cannot start a second instance while one is running."""
    from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS, browser_missing

    reason = browser_missing()
    if reason is not None:
        pytest.skip(f"browser test skipped: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
