"""An app per test over a temporary data directory and the real seeds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from engine.shared.settings import Settings
from tests.fakes import FakeEmbedder

KEY = "test-key-0123456789"
ROOT = Path(__file__).resolve().parents[2]


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": data_dir,
        "seeds_dir": ROOT / "seeds",
        "api_key": KEY,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def wait_until_loaded(app: FastAPI, timeout: float = 60.0) -> None:
    """Until the lifespan's loader has loaded the engine or given up (an event, no polling)."""
    assert app.state.engine_settled.wait(timeout), "the engine did not load in time"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings, embedder=FakeEmbedder())


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        wait_until_loaded(app)
        yield test_client


@pytest.fixture
def auth() -> dict[str, str]:
    return {"X-API-Key": KEY}
