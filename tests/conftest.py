"""Shared fixtures. Paths come from the repository, never from the working directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.corpus import load_corpus
from engine.models import Corpus

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
