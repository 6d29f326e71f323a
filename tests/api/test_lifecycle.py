"""Startup: /healthz answers at once, data endpoints and /readyz say 503 until loaded."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import api.app
from api.app import create_app
from engine.facade.engine import Engine
from engine.shared.errors import ModelLoadError
from tests.api.conftest import make_settings, wait_until_loaded
from tests.fakes import FakeEmbedder
from tests.problems import problem


def test_503_while_loading_then_served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    real_open = Engine.open

    def slow_open(*args: object, **kwargs: object) -> Engine:
        release.wait(30)
        return real_open(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(api.app.Engine, "open", slow_open)
    app = create_app(make_settings(tmp_path / "data"), embedder=FakeEmbedder())
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        for path in ("/readyz", "/v1/initiatives", "/v1/practices"):
            response = client.get(path)
            assert response.status_code == 503, path
            assert problem(response)["code"] == "unavailable"
            assert "starter" in response.json()["detail"]
        release.set()
        wait_until_loaded(app)
        assert client.get("/v1/initiatives").status_code == 200


def test_a_failed_load_is_reported_not_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_open(*args: object, **kwargs: object) -> Engine:
        raise ModelLoadError("Modellen '/ingen/steder' findes ikke; sæt INDSATS_MODEL.")

    monkeypatch.setattr(api.app.Engine, "open", failing_open)
    app = create_app(make_settings(tmp_path / "data"), embedder=FakeEmbedder())
    with TestClient(app) as client:
        wait_until_loaded(app)
        response = client.get("/readyz")
        assert response.status_code == 503
        assert "INDSATS_MODEL" in problem(response)["detail"]
        assert client.get("/healthz").status_code == 200
