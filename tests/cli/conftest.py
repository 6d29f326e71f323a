"""Fixtures for the engine's CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest

import engine.embedding
from tests.fakes import FakeEmbedder


@pytest.fixture()
def fake_cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, seeds_dir: Path) -> None:
    """The CLI on a private data dir with the seeds and the fake embedder."""
    monkeypatch.setenv("INDSATS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("INDSATS_SEEDS_DIR", str(seeds_dir))
    monkeypatch.setattr(engine.embedding, "load_embedder", lambda settings: FakeEmbedder())
