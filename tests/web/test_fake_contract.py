"""The stand-in API speaks the real API's response models, so the state tests cannot drift
from the contract the page is written against (docs/ARCHITECTURE.md, api/models.py)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.corpus import InitiativeDetail, InitiativeList
from api.models import Problem, SearchResponse
from api.recommendation import RecommendResponse
from tests.web.conftest import SEEDS
from tests.web.fake_api import Controls, create_fake_app


def test_fake_answers_validate_against_the_api_models() -> None:
    controls = Controls()
    controls.reset()
    client = TestClient(create_fake_app(SEEDS, controls))

    search = client.get("/v1/search", params={"q": "ledige løntilskud"})
    found = SearchResponse.model_validate(search.json())
    assert found.items and found.total == len(found.items)
    # no field more or less than the real answer has
    assert found.model_dump(mode="json") == search.json()

    listing = InitiativeList.model_validate(client.get("/v1/initiatives?k=100").json())
    detail = client.get(f"/v1/initiatives/{listing.items[0].id}").json()
    assert InitiativeDetail.model_validate(detail).tests

    body = {"situation": "løntilskud", "k": 3, "own_municipality": "Hedensted"}
    answer = client.post("/v1/recommend", json=body).json()
    advice = RecommendResponse.model_validate(answer)
    assert advice.practices and any(p.gap for p in advice.practices)
    assert advice.model_dump(mode="json") == answer

    missing = client.get("/v1/initiatives/findes-ikke")
    assert missing.status_code == 404
    assert Problem.model_validate(missing.json()).model_dump(mode="json") == missing.json()
