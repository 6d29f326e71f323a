"""Shared fixtures. Paths come from the repository, never from the working directory."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engine.domain.corpus import load_corpus
from engine.domain.models import Corpus
from engine.embedding.base import Embedder, Vectors
from engine.shared.settings import Settings
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


class _Remembering(Embedder):
    """The real model, remembering each text's vector for the run: the relevance sets nest
    (seeds, tune, whole catalogue) and other `model` tests index the seeds again, so each
    distinct passage is embedded once a run instead of once per index. The vectors are the
    model's own; only repeats are skipped."""

    def __init__(self, model: Embedder) -> None:
        super().__init__(
            model.name,
            model.dimension,
            query_prefix=model.query_prefix,
            passage_prefix=model.passage_prefix,
            batch_size=model.batch_size,
        )
        self.model = model
        self._seen: dict[str, Vectors] = {}

    @property
    def identity(self) -> str:
        return self.model.identity

    def embed_batch(self, texts: Sequence[str]) -> Vectors:
        new = [t for t in dict.fromkeys(texts) if t not in self._seen]
        if new:
            self._seen.update(zip(new, self.model.embed_batch(new), strict=True))
        return np.stack([self._seen[t] for t in texts])


@pytest.fixture(scope="session")
def real_embedder() -> Embedder:
    """The configured real model (the bundled one by default), loaded once a run for the
    `model` tests that share it (they all run on one xdist worker, see below)."""
    from engine.embedding import load_embedder

    return _Remembering(load_embedder(Settings()))


@pytest.fixture()
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture()
def tmp_settings(tmp_path: Path) -> Settings:
    """Settings on a private data dir, with the seeds of this checkout."""
    return Settings(data_dir=tmp_path / "data", seeds_dir=SEEDS)


# Where the tests keep converted and exported models and the word lexicon (INDSATS_EXPORT_DIR).
MODEL_CACHE = ROOT / "build" / "test-models"


@pytest.fixture(scope="session", autouse=True)
def _shared_model_export() -> None:
    """One model conversion, ONNX export and word lexicon for every run of this checkout,
    instead of one per temporary data directory, per xdist worker or per run (the onnx
    backend works in INDSATS_EXPORT_DIR or <data_dir>/models). Every file there is named
    for a digest of what it was made from, so a kept one is never stale, and each is made
    under a file lock, so the first worker makes it and the others wait and load it. The
    first run on a clone pays for them (about 20 s with multilingual-e5-small)."""
    import os

    os.environ.setdefault("INDSATS_EXPORT_DIR", str(MODEL_CACHE))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tiers, for `make check` and for xdist: every test under tests/reliability/ is marked
    `reliability` (fault injection: killed processes, damaged files, fuzzing, floods), and
    every test that uses `real_embedder` (the relevance sets, the real site, ...) joins one
    xdist group, so one worker loads the model and embeds each passage once while the other
    workers take the rest (`--dist loadgroup`). Other `model` tests load their own model or
    start their own server process, so they go wherever a worker is free."""
    _unique_node_ids(items)
    for item in items:
        if "tests/reliability/" in item.nodeid:
            item.add_marker(pytest.mark.reliability)
        if "real_embedder" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("real-model"))


def _unique_node_ids(items: list[pytest.Item]) -> None:
    """xdist's group scheduling keys tests by node id and runs only one of several that
    share it. Under pytest 9 schemathesis' tests (one per API operation) all got one node id
    and 1 of 14 operations was fuzzed, quietly; pyproject.toml keeps pytest below 9, and
    this stops the run with the reason if ids clash again."""
    clashes = sorted(n for n, c in Counter(item.nodeid for item in items).items() if c > 1)
    if clashes:
        raise pytest.UsageError(
            f"these tests share a node id, so xdist would run only one of each: {clashes}"
        )


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
