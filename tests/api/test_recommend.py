"""POST /v1/recommend through the API (fake embedder): shape, gap analysis, bad input."""

from __future__ import annotations

import itertools

from fastapi.testclient import TestClient

from tests import problems

SITUATION = "vi vil følge bedre op på borgere i løntilskud"


def test_recommend_shape(client: TestClient) -> None:
    response = client.post("/v1/recommend", json={"situation": SITUATION, "k": 3})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["situation"] == SITUATION
    assert set(body) == {
        "situation", "no_good_match", "practice_order", "initiatives", "practices",
        "other_practices", "advice",
    }  # fmt: skip
    assert 1 <= len(body["initiatives"]) <= 3
    assert {"rank", "match", "id", "municipality", "title", "passages"} <= set(
        body["initiatives"][0]
    )
    assert 1 <= len(body["practices"]) <= 3
    practice = body["practices"][0]
    assert set(practice) == {
        "rank", "score", "match", "id", "text", "test", "evidence", "followed_by",
        "followers_full", "followers_partial", "your_answer", "gap", "reason", "recommended",
        "status", "status_text", "matched_words", "fit", "strength", "situation_part",
        "practice_part",
    }  # fmt: skip
    full = [f for f in practice["followed_by"] if f["answer"] == "ja"]
    assert practice["followers_full"] == len(full)
    assert practice["followers_partial"] == len(practice["followed_by"]) - len(full)
    assert practice["situation_part"] in SITUATION
    # one ranking over the recommended and the set-apart practices
    ranks = sorted(p["rank"] for p in body["practices"] + body["other_practices"])
    assert ranks == list(range(1, len(ranks) + 1))
    assert practice["test"] in {"evidence", "good_practice", "education"}
    assert set(practice["evidence"]["counts"]) == {"ja", "delvist", "nej"}
    # the jobcentre counts are numbers here as in the practice's own detail
    detail = client.get(f"/v1/practices/{practice['id']}").json()
    assert practice["evidence"] == detail["evidence"]
    assert isinstance(practice["evidence"]["units_ja"], int)
    for follower in practice["followed_by"]:
        assert set(follower) == {
            "municipality", "initiative_id", "title", "answer", "evidence_score",
        }  # fmt: skip
    assert practice["reason"]
    catalogue = {p["id"] for p in client.get("/v1/practices").json()["items"]}
    assert {p["id"] for p in body["practices"]} <= catalogue
    for advice in body["advice"]:
        assert advice["section"] in {"Gode råd", "Krav til organisering", "Ledelsens anbefaling"}


def test_a_known_jobcentre_gets_no_practice_it_already_follows(client: TestClient) -> None:
    body = client.post(
        "/v1/recommend",
        json={"situation": SITUATION, "k": 100, "own_municipality": "Skanderborg"},
    ).json()
    answers = [p["your_answer"] for p in body["practices"]]
    assert "ja" not in answers
    assert {"nej", "delvist"} & set(answers)  # Skanderborg's own answers are known
    gaps = [p for p in body["practices"] if p["gap"]]
    assert gaps and body["practices"][: len(gaps)] == gaps  # gaps rank first


def test_explicit_answers_count_as_the_jobcentres_own(client: TestClient) -> None:
    first = client.post("/v1/recommend", json={"situation": SITUATION, "k": 1}).json()
    top = first["practices"][0]["id"]
    again = client.post(
        "/v1/recommend", json={"situation": SITUATION, "k": 100, "answers": {top: "ja"}}
    ).json()
    assert top not in [p["id"] for p in again["practices"]]


def test_recommend_rejects_unknown_municipality_and_practice(client: TestClient) -> None:
    response = client.post(
        "/v1/recommend", json={"situation": SITUATION, "own_municipality": "Atlantis"}
    )
    assert response.status_code == 422
    error = problems.error(response)
    assert error["code"] == "unknown_value" and error["field"] == "own_municipality"
    assert "Atlantis" in error["message"] and "Skanderborg" in error["message"]
    response = client.post(
        "/v1/recommend", json={"situation": SITUATION, "answers": {"findes-ikke": "ja"}}
    )
    assert response.status_code == 422
    error = problems.error(response)
    assert error["code"] == "unknown_value" and error["field"] == "answers"
    assert "findes-ikke" in error["message"] and "/v1/practices" in error["message"]


def test_recommend_reads_the_municipality_leniently(client: TestClient) -> None:
    body = {"situation": SITUATION, "k": 100}
    exact = client.post("/v1/recommend", json={**body, "own_municipality": "Skanderborg"}).json()
    shown = client.post("/v1/recommend", json={**body, "own_municipality": "Skanderborg Kommune"})
    assert shown.status_code == 200 and shown.json() == exact


def test_municipality_filters_the_pages_and_own_municipality_is_the_jobcentre(
    client: TestClient,
) -> None:
    """One name, one meaning: `municipality` filters pages as in search; the consultant's
    own jobcentre is `own_municipality`; an unknown value of either is named as itself."""
    body = {"situation": SITUATION, "k": 10}
    only = client.post("/v1/recommend", json={**body, "municipality": "Hedensted"}).json()
    assert only["initiatives"] and {i["municipality"] for i in only["initiatives"]} == {"Hedensted"}
    for field in ("municipality", "own_municipality"):
        wrong = client.post("/v1/recommend", json={**body, field: "Atlantis"})
        assert problems.error(wrong)["field"] == field


def test_municipality_means_the_page_filter_in_every_operation(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    said = [
        p["description"]
        for path in ("/v1/search", "/v1/facets", "/v1/initiatives")
        for p in schema["paths"][path]["get"]["parameters"]
        if p["name"] == "municipality"
    ]
    body = schema["components"]["schemas"]["RecommendRequest"]["properties"]
    said.append(body["municipality"]["description"])
    assert len(said) == 4 and all(s.startswith("Kun indsatser") for s in said), said
    assert "egen kommune" in body["own_municipality"]["description"]
    assert "from_municipality" not in body


def _falls(values: list[float]) -> bool:
    return all(a >= b for a, b in itertools.pairwise(values))


def test_every_score_shown_orders_its_list_and_the_order_says_when_gaps_come_first(
    client: TestClient,
) -> None:
    """A client filtering by a threshold gets no holes: `match` falls with the initiatives'
    rank, `score` with the practices' (within the gaps and within the rest, when the answer
    says `gaps_first`)."""
    for body in (
        {"situation": SITUATION, "k": 20},
        {"situation": SITUATION, "k": 20, "own_municipality": "Hedensted"},
        {"situation": "virksomhedspraktik", "k": 20},
    ):
        answer = client.post("/v1/recommend", json=body).json()
        assert _falls([r["match"] for r in answer["initiatives"]])
        ranked = sorted(answer["practices"] + answer["other_practices"], key=lambda p: p["rank"])
        gaps = [p["score"] for p in ranked if p["gap"]]
        rest = [p["score"] for p in ranked if not p["gap"]]
        assert _falls(gaps) and _falls(rest)
        if answer["practice_order"] == "score":
            assert not gaps and _falls([p["score"] for p in ranked])
        else:
            assert gaps and ranked[: len(gaps)] == [p for p in ranked if p["gap"]]
        assert answer["practice_order"] == ("gaps_first" if gaps else "score")
    with_gaps = client.post(
        "/v1/recommend", json={"situation": SITUATION, "k": 30, "own_municipality": "Skanderborg"}
    ).json()
    assert with_gaps["practice_order"] == "gaps_first"
