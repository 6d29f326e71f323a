"""The evaluation sets run once a session with the real bundled model (`indsats eval`'s code)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.embedding.base import Embedder
from engine.evaluation.sets import EvalSet, SetReport, load_sets, open_set, run_set
from engine.search.searcher import Searcher
from engine.shared.settings import Settings

DATA = Path(__file__).parent


@pytest.fixture(scope="session")
def eval_sets() -> dict[str, EvalSet]:
    return {s.name: s for s in load_sets(DATA)}


@pytest.fixture(scope="session")
def searchers(
    eval_sets: dict[str, EvalSet],
    real_embedder: Embedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Searcher]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("relevance"))
    return {name: open_set(settings, s, real_embedder) for name, s in eval_sets.items()}


@pytest.fixture(scope="session")
def reports(eval_sets: dict[str, EvalSet], searchers: dict[str, Searcher]) -> dict[str, SetReport]:
    return {name: run_set(searchers[name], s) for name, s in eval_sets.items()}


@pytest.fixture(scope="session")
def searcher(searchers: dict[str, Searcher]) -> Searcher:
    """The seeds only: the pages the examples below are about."""
    return searchers["seeds"]
