"""Search through the API (with the deterministic fake embedder): shapes, filters, writes."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.pages import COACHING_ID, NEW_ID, new_page

TEXT = {"Content-Type": "text/plain; charset=utf-8"}
SKANDERBORG_READING = "skanderborg"  # both Skanderborg pages are about reading and writing


def test_readyz_reports_the_loaded_index(client: TestClient) -> None:
    body = client.get("/readyz").json()
    assert body["status"] == "ready"
    assert body["initiatives"] == 5 and body["practices"] > 0
    assert body["index_version"].startswith("v-")
    assert body["load_errors"] == []


def test_search_shape_and_pagination(client: TestClient) -> None:
    body = client.get("/v1/search", params={"q": "ordblinde ledige", "k": 2}).json()
    assert body["query"] == "ordblinde ledige" and body["mode"] == "hybrid"
    assert body["k"] == 2 and body["offset"] == 0 and body["total"] >= len(body["results"])
    assert 1 <= len(body["results"]) <= 2
    first = body["results"][0]
    assert set(first) == {
        "id", "municipality", "title", "target_groups", "scores", "score", "matches",
    }  # fmt: skip
    assert first["matches"] and {"section", "text", "score"} == set(first["matches"][0])
    assert first["id"].startswith(SKANDERBORG_READING)
    page2 = client.get("/v1/search", params={"q": "ordblinde ledige", "k": 2, "offset": 2})
    ids = {r["id"] for r in body["results"]} & {r["id"] for r in page2.json()["results"]}
    assert ids == set()


def test_search_filters_apply_before_ranking(client: TestClient) -> None:
    body = client.get(
        "/v1/search", params={"q": "ordblinde", "municipality": "Hedensted", "k": 10}
    ).json()
    assert body["results"] and {r["municipality"] for r in body["results"]} == {"Hedensted"}
    body = client.get("/v1/search", params={"q": "ordblinde", "min_evidence": 4}).json()
    assert {r["municipality"] for r in body["results"]} <= {"Brønderslev"}


def test_search_modes(client: TestClient) -> None:
    for mode in ("dense", "lexical", "hybrid"):
        body = client.get("/v1/search", params={"q": "jobrettet coaching", "mode": mode}).json()
        assert body["mode"] == mode and body["results"], mode


def test_batch_search_answers_each_query(client: TestClient) -> None:
    body = client.post(
        "/v1/search/batch", json={"queries": ["ordblinde ledige", "jobrettet coaching"], "k": 1}
    ).json()
    assert [r["query"] for r in body["results"]] == ["ordblinde ledige", "jobrettet coaching"]
    assert all(len(r["results"]) == 1 for r in body["results"])
    assert body["results"][1]["results"][0]["id"] == COACHING_ID


def test_similar_excludes_the_page_itself(client: TestClient) -> None:
    body = client.get(f"/v1/initiatives/{COACHING_ID}/similar", params={"k": 3}).json()
    ids = [r["id"] for r in body["results"]]
    assert ids and COACHING_ID not in ids and len(ids) <= 3


def test_a_written_page_is_searchable_when_the_write_returns(
    client: TestClient, auth: dict[str, str]
) -> None:
    query = {"q": "zebrafinkeprojektet frivillige mentorer", "k": 10}

    def found() -> list[dict[str, object]]:
        return list(client.get("/v1/search", params=query).json()["results"])

    assert NEW_ID not in [r["id"] for r in found()]
    page = new_page("Vi afprøver zebrafinkeprojektet med frivillige mentorer.")
    assert client.post("/v1/initiatives", content=page, headers={**TEXT, **auth}).status_code == 201
    top = found()[0]
    assert top["id"] == NEW_ID
    assert "zebrafinkeprojektet" in str(top["matches"])
    assert client.delete(f"/v1/initiatives/{NEW_ID}", headers=auth).status_code == 204
    assert NEW_ID not in [r["id"] for r in found()]
