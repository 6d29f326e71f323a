"""In-process apps over a temporary data directory, with the fake embedder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from engine.shared.settings import Settings
from tests.fakes import FakeEmbedder
from tests.reliability.harness import KEY, SEEDS

ClientFactory = Callable[..., AbstractContextManager[TestClient]]


def settings_for(data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"data_dir": data_dir, "seeds_dir": SEEDS, "api_key": KEY}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def make_client(tmp_path: Path) -> ClientFactory:
    """`with make_client(api_key=None) as client:` an app whose engine has loaded."""

    @contextmanager
    def factory(**overrides: object) -> Iterator[TestClient]:
        app = create_app(settings_for(tmp_path / "data", **overrides), embedder=FakeEmbedder())
        with TestClient(app, raise_server_exceptions=False) as client:
            assert app.state.engine_settled.wait(120), "engine did not load"
            assert app.state.engine_error is None, app.state.engine_error
            yield client

    return factory


@pytest.fixture
def client(make_client: ClientFactory) -> Iterator[TestClient]:
    with make_client() as c:
        yield c
