"""The CLI's `--json` is the API's answer, byte for byte: one serializer, two front ends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import engine.embedding
from api.app import create_app
from cli.app import app as cli
from tests.api.conftest import make_settings, wait_until_loaded
from tests.fakes import FakeEmbedder

runner = CliRunner()


@pytest.fixture
def both(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[TestClient]:
    """The API and the CLI over one data directory, both with the fake embedder."""
    settings = make_settings(tmp_path / "data")
    monkeypatch.setenv("INDSATS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("INDSATS_SEEDS_DIR", str(settings.seeds_dir))
    monkeypatch.setattr(engine.embedding, "load_embedder", lambda settings: FakeEmbedder())
    application: FastAPI = create_app(settings, embedder=FakeEmbedder())
    with TestClient(application) as client:
        wait_until_loaded(application)
        yield client


def _cli(*args: str) -> bytes:
    result = runner.invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def test_search_json_is_the_api_answer(both: TestClient) -> None:
    api = both.get(
        "/v1/search", params={"q": "ordblinde ledige", "k": 3, "min_evidence": 0.5}
    ).content
    assert _cli("search", "ordblinde ledige", "-k", "3", "--min-evidence", "0,5", "--json") == (
        api + b"\n"
    )


def test_recommend_json_is_the_api_answer(both: TestClient) -> None:
    body = {"situation": "vi vil følge bedre op på borgere i løntilskud", "k": 3}
    api = both.post("/v1/recommend", json={**body, "own_municipality": "Skanderborg"}).content
    out = _cli(
        "recommend", body["situation"], "-k", "3", "--own-municipality", "Skanderborg", "--json"
    )
    assert out == api + b"\n"


def test_corpus_json_holds_the_api_pages(both: TestClient, seeds_dir: Path) -> None:
    out = json.loads(_cli("corpus", str(seeds_dir), "--json"))
    for page in out["initiatives"]:
        api = both.get(f"/v1/initiatives/{page['id']}").json()
        assert page == api, page["id"]
