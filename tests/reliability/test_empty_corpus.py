"""An empty corpus is a state like any other: empty answers, and writes still accepted.

Deleting the last page used to answer 503 `index_unavailable` (with the server's paths in
the message) and lock every endpoint, writes included, across restarts. Pages without
checklist answers (an empty practice catalogue) then crashed the recommender: a JSON record
without tests answered 500, deleting the last seed beside such a page 500 for good, and a
start with only such pages 503 on every endpoint (round 3).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.reliability.conftest import ClientFactory
from tests.reliability.harness import KEY, page

WRITE = {"Content-Type": "text/plain; charset=utf-8", "X-API-Key": KEY}
KEYED = {"X-API-Key": KEY}


def _answers_empty(client: TestClient, root: Path) -> None:
    responses = [
        client.get("/readyz"),
        client.get("/v1/search?q=ledige"),
        client.post("/v1/search/batch", json={"queries": ["ledige", "coaching"]}),
        client.post("/v1/recommend", json={"situation": "mange ledige er ordblinde"}),
        client.get("/v1/initiatives"),
        client.get("/v1/practices"),
    ]
    assert [r.status_code for r in responses] == [200] * 6, [r.text for r in responses]
    ready, search, batch, recommend, listing, practices = (r.json() for r in responses)
    assert ready["initiatives"] == 0 and ready["practices"] == 0
    assert search["total"] == 0 and search["items"] == []
    assert [b["total"] for b in batch["items"]] == [0, 0]
    assert recommend["practices"] == [] and recommend["initiatives"] == []
    assert recommend["advice"] == []
    assert listing["total"] == 0
    assert (practices["total"] if isinstance(practices, dict) else len(practices)) == 0
    bad = client.get("/v1/search?q=ledige&k=0")
    assert bad.status_code == 422  # input is still checked
    for r in [*responses, bad]:
        assert str(root) not in r.text


def test_deleting_every_page_keeps_the_service_answering(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    with make_client() as client:
        ids = [i["id"] for i in client.get("/v1/initiatives?k=100").json()["items"]]
        assert len(ids) == 5
        for initiative_id in ids:
            r = client.delete(f"/v1/initiatives/{initiative_id}", headers=WRITE)
            assert r.status_code == 204, (initiative_id, r.text)
            assert str(tmp_path) not in r.text
        _answers_empty(client, tmp_path)
        assert client.get(f"/v1/initiatives/{ids[0]}").status_code == 404
        text, new_id = page("efter-tom")
        created = client.post("/v1/initiatives", content=text.encode(), headers=WRITE)
        assert created.status_code == 201, created.text
        found = client.get("/v1/search?q=Prøveindsats+efter+tom").json()
        assert [r["id"] for r in found["items"]] == [new_id]
        assert client.delete(f"/v1/initiatives/{new_id}", headers=WRITE).status_code == 204
        _answers_empty(client, tmp_path)
    with make_client() as client:  # a restart on the empty corpus
        _answers_empty(client, tmp_path)
        text, new_id = page("efter-genstart")
        assert (
            client.post("/v1/initiatives", content=text.encode(), headers=WRITE).status_code == 201
        )
        assert client.get(f"/v1/initiatives/{new_id}").status_code == 200


def _record(title: str) -> dict[str, object]:
    """A JSON page record without tests: no checklist answers, no practices."""
    return {
        "municipality": "Hedensted",
        "title": title,
        "target_groups": ["Ledige"],
        "sections": [{"name": "Gode råd", "text": "Hold korte samtaler om jobsøgning hver uge."}],
    }


def _answers_with_pages_but_no_practices(client: TestClient, ids: list[str]) -> None:
    responses = [
        client.get("/readyz"),
        client.get("/v1/search?q=samtaler+om+jobsøgning"),
        client.post("/v1/recommend", json={"situation": "samtaler om jobsøgning", "k": 3}),
        client.post(
            "/v1/recommend",
            json={"situation": "samtaler om jobsøgning", "municipality": "Hedensted"},
        ),
        client.get("/v1/practices"),
    ]
    assert [r.status_code for r in responses] == [200] * 5, [r.text for r in responses]
    ready, search, recommend, own, practices = (r.json() for r in responses)
    assert ready["initiatives"] == len(ids) and ready["practices"] == 0
    assert sorted(r["id"] for r in search["items"]) == sorted(ids)
    for answer in (recommend, own):
        assert answer["initiatives"] and answer["practices"] == answer["other_practices"] == []
    assert practices["total"] == 0


def test_pages_without_checklists_are_an_ordinary_state(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    with make_client() as client:  # every seed deleted, a restart, then records without tests
        for initiative_id in [i["id"] for i in client.get("/v1/initiatives?k=100").json()["items"]]:
            assert (
                client.delete(f"/v1/initiatives/{initiative_id}", headers=WRITE).status_code == 204
            )
    with make_client() as client:
        first = client.post(
            "/v1/initiatives", json=_record("Samtaler uden tjekliste"), headers=KEYED
        )
        assert first.status_code == 201, first.text
        _answers_with_pages_but_no_practices(client, [first.json()["id"]])
    with make_client() as client:  # seeds back: a seed page is the last with a checklist
        for initiative_id in [i["id"] for i in client.get("/v1/initiatives?k=100").json()["items"]]:
            client.delete(f"/v1/initiatives/{initiative_id}", headers=WRITE)
        created = client.post("/v1/initiatives", json=_record("Samtaler igen"), headers=KEYED)
        assert created.status_code == 201, created.text
        text, seed_id = page("med-tjekliste")
        assert (
            client.post("/v1/initiatives", content=text.encode(), headers=WRITE).status_code == 201
        )
        deleted = client.delete(f"/v1/initiatives/{seed_id}", headers=WRITE)
        assert deleted.status_code == 204, deleted.text
        _answers_with_pages_but_no_practices(client, [created.json()["id"]])


def test_a_start_with_only_pages_without_checklists_serves(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    (tmp_path / "no-seeds").mkdir()
    with make_client(seeds_dir=tmp_path / "no-seeds") as client:
        created = client.post("/v1/initiatives", json=_record("Uden tjekliste"), headers=KEYED)
        assert created.status_code == 201, created.text
    with make_client(seeds_dir=tmp_path / "no-seeds") as client:  # the restart was 503 for good
        _answers_with_pages_but_no_practices(client, [created.json()["id"]])
        assert (
            client.post("/v1/initiatives", json=_record("Og en til"), headers=KEYED).status_code
            == 201
        )


def test_empty_seed_directory_builds_and_searches_from_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import engine.embedding
    from cli.app import app
    from tests.fakes import FakeEmbedder

    (tmp_path / "seeds").mkdir()
    monkeypatch.setenv("INDSATS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("INDSATS_SEEDS_DIR", str(tmp_path / "seeds"))
    monkeypatch.setattr(engine.embedding, "load_embedder", lambda settings: FakeEmbedder())
    runner = CliRunner()
    built = runner.invoke(app, ["build"])
    assert built.exit_code == 0, built.output
    assert "ingen indsatser" in built.stdout.lower()
    found = runner.invoke(app, ["search", "ledige", "--json"])
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["total"] == 0
