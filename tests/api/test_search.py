"""Search through the API (with the deterministic fake embedder): shapes, filters, writes."""

from __future__ import annotations

import itertools

from fastapi.testclient import TestClient

from tests.api.pages import COACHING_ID, NEW_ID, new_page
from tests.problems import summary

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
    assert body["k"] == 2 and body["offset"] == 0 and body["total"] >= len(body["items"])
    assert set(body) == {
        "query", "mode", "k", "offset", "total", "no_good_match", "highlight_stems", "items"
    }  # fmt: skip
    assert 1 <= len(body["items"]) <= 2
    first = body["items"][0]
    assert set(first) == {
        "rank", "match", "id", "municipality", "title", "target_groups", "scores", "passages",
    }  # fmt: skip
    assert set(first["scores"]) == {"evidence", "good_practice", "education"}
    assert first["passages"] and {"section", "text", "snippet"} == set(first["passages"][0])
    assert first["id"].startswith(SKANDERBORG_READING)
    assert [r["rank"] for r in body["items"]] == [1, 2]
    page2 = client.get("/v1/search", params={"q": "ordblinde ledige", "k": 2, "offset": 2}).json()
    ids = {r["id"] for r in body["items"]} & {r["id"] for r in page2["items"]}
    assert ids == set()
    # the rank counts on across pages, so it means the same on every page
    assert [r["rank"] for r in page2["items"]] == list(range(3, 3 + len(page2["items"])))


def test_search_filters_apply_before_ranking(client: TestClient) -> None:
    body = client.get(
        "/v1/search", params={"q": "ordblinde", "municipality": "Hedensted", "k": 10}
    ).json()
    assert body["items"] and {r["municipality"] for r in body["items"]} == {"Hedensted"}
    body = client.get("/v1/search", params={"q": "ordblinde", "min_evidence": 4}).json()
    assert {r["municipality"] for r in body["items"]} <= {"Brønderslev"}


def test_search_modes(client: TestClient) -> None:
    for mode in ("dense", "lexical", "hybrid"):
        body = client.get("/v1/search", params={"q": "jobrettet coaching", "mode": mode}).json()
        assert body["mode"] == mode and body["items"], mode


def test_batch_search_answers_each_query(client: TestClient) -> None:
    body = client.post(
        "/v1/search/batch", json={"queries": ["ordblinde ledige", "jobrettet coaching"], "k": 1}
    ).json()
    assert [r["query"] for r in body["items"]] == ["ordblinde ledige", "jobrettet coaching"]
    assert all(len(r["items"]) == 1 for r in body["items"])
    assert body["items"][1]["items"][0]["id"] == COACHING_ID


def test_batch_answers_a_bad_query_in_its_place(client: TestClient) -> None:
    body = client.post(
        "/v1/search/batch",
        json={"queries": ["ordblinde ledige", "", "   ", "jobrettet coaching"], "k": 1},
    )
    assert body.status_code == 200
    first, empty, blank, last = body.json()["items"]
    assert first["items"] and last["items"][0]["id"] == COACHING_ID
    for bad, sent in ((empty, ""), (blank, "   ")):
        assert set(bad) == {"query", "error"} and bad["query"] == sent
        failure = summary(bad["error"])
        assert failure["code"] == "invalid_input" and "tom" in failure["message"]


def test_batch_with_an_unknown_filter_names_it_in_every_place(client: TestClient) -> None:
    body = client.post(
        "/v1/search/batch", json={"queries": ["ordblinde"], "municipality": "Aarhus"}
    ).json()
    (only,) = body["items"]
    failure = summary(only["error"])
    assert failure["code"] == "unknown_value" and failure["field"] == "municipality"


def test_similar_excludes_the_page_itself(client: TestClient) -> None:
    body = client.get(f"/v1/initiatives/{COACHING_ID}/similar", params={"k": 3}).json()
    assert set(body) == {"initiative_id", "k", "offset", "total", "items"}
    assert body["initiative_id"] == COACHING_ID and body["k"] == 3
    ids = [r["id"] for r in body["items"]]
    assert ids and COACHING_ID not in ids and len(ids) <= 3
    assert [r["rank"] for r in body["items"]] == list(range(1, len(ids) + 1))


def test_a_written_page_is_searchable_when_the_write_returns(
    client: TestClient, auth: dict[str, str]
) -> None:
    query = {"q": "zebrafinkeprojektet frivillige mentorer", "k": 10}

    def found() -> list[dict[str, object]]:
        return list(client.get("/v1/search", params=query).json()["items"])

    assert NEW_ID not in [r["id"] for r in found()]
    page = new_page("Vi afprøver zebrafinkeprojektet med frivillige mentorer.")
    assert client.post("/v1/initiatives", content=page, headers={**TEXT, **auth}).status_code == 201
    top = found()[0]
    assert top["id"] == NEW_ID
    assert "zebrafinkeprojektet" in str(top["passages"])
    assert client.delete(f"/v1/initiatives/{NEW_ID}", headers=auth).status_code == 204
    assert NEW_ID not in [r["id"] for r in found()]


def test_match_falls_with_the_rank_across_pages(client: TestClient) -> None:
    """`match` orders the list as `rank` does, so a threshold cuts it once; a page's value
    is the same whatever k and offset asked for it."""
    for q in ("virksomhedspraktik", "ordblinde ledige", "samtaler med sygemeldte"):
        whole = client.get("/v1/search", params={"q": q, "k": 5}).json()["items"]
        matches = [r["match"] for r in whole]
        assert all(a >= b for a, b in itertools.pairwise(matches)), (q, matches)
        later = client.get("/v1/search", params={"q": q, "k": 2, "offset": 2}).json()["items"]
        assert [(r["id"], r["match"]) for r in later] == [(r["id"], r["match"]) for r in whole[2:4]]
