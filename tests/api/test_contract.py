"""The contract around the endpoints: names, documented errors and limits, the request id,
conditional GETs, CORS, facets, `updated_at`, and server bugs answered as 500."""

from __future__ import annotations

import calendar
import logging
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.problems import codes_for
from api.schema import NOT_BLANK
from engine.search.query import validate_text
from engine.shared.errors import InvalidInputError
from tests.api.conftest import KEY, make_settings, wait_until_loaded
from tests.api.pages import COACHING_ID
from tests.fakes import FakeEmbedder
from tests.problems import problem

OPERATIONS = {
    ("get", "/v1/search"): "search",
    ("post", "/v1/search/batch"): "search_batch",
    ("post", "/v1/recommend"): "recommend",
    ("get", "/v1/facets"): "get_facets",
    ("get", "/v1/initiatives"): "list_initiatives",
    ("post", "/v1/initiatives"): "create_initiative",
    ("get", "/v1/initiatives/{initiative_id}"): "get_initiative",
    ("put", "/v1/initiatives/{initiative_id}"): "replace_initiative",
    ("delete", "/v1/initiatives/{initiative_id}"): "delete_initiative",
    ("get", "/v1/initiatives/{initiative_id}/similar"): "list_similar_initiatives",
    ("get", "/v1/practices"): "list_practices",
    ("get", "/v1/practices/{practice_id}"): "get_practice",
    ("get", "/healthz"): "get_health",
    ("get", "/readyz"): "get_readiness",
}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return create_app(make_settings(Path("/nonexistent"), max_query_chars=1500)).openapi()


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, item in schema["paths"].items() for m, op in item.items()]


def test_operation_ids_are_short_and_every_operation_is_documented_in_danish(
    schema: dict[str, Any],
) -> None:
    found = {(m, p): op["operationId"] for m, p, op in _operations(schema)}
    assert found == OPERATIONS
    for method, path, op in _operations(schema):
        assert op["tags"] and set(op["tags"]) <= {
            "search",
            "initiatives",
            "practices",
            "operations",
        }
        assert op["summary"] and op["description"], (method, path)
        assert (
            not op["summary"].isascii() or " " in op["summary"]
        )  # a Danish sentence, not "Search"
        for parameter in op.get("parameters", ()):
            where = (method, path, parameter["name"])
            assert parameter.get("description"), where
            values = parameter["schema"]
            assert values.get("examples") or "$ref" in values or values.get("anyOf"), where
            if "anyOf" in values:  # optional filters: the example sits beside the null
                assert values.get("examples"), where


def test_every_error_is_one_problem_schema_and_every_status_is_documented(
    schema: dict[str, Any],
) -> None:
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    assert "ValidationError" not in schema["components"]["schemas"]
    for method, path, op in _operations(schema):
        for status, response in op["responses"].items():
            if int(status) >= 400:
                assert set(response["content"]) == {"application/problem+json"}, (path, status)
                ref = response["content"]["application/problem+json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Problem", (method, path, status)
                for code in codes_for(int(status)):  # each code the status can carry
                    assert f"`{code}`" in response["description"], (path, status, code)
            assert response["headers"]["X-Request-ID"]["required"] is True
        statuses = set(op["responses"])
        # what any request can get: malformed, slow, huge or over-long heads, our bugs
        assert {"400", "408", "413", "431", "500"} <= statuses, (method, path)
        if path.startswith("/v1/"):
            assert {"422", "503"} <= statuses, (method, path)
        if "401" in statuses:
            assert op["responses"]["401"]["headers"]["WWW-Authenticate"]["required"] is True
        if "503" in statuses:
            assert op["responses"]["503"]["headers"]["Retry-After"]["required"] is True
    delete = schema["paths"]["/v1/initiatives/{initiative_id}"]["delete"]["responses"]
    assert set(delete) == {
        "204", "400", "401", "403", "404", "408", "412", "413", "422", "431", "500", "503", "507"
    }  # fmt: skip
    assert "503" not in schema["paths"]["/healthz"]["get"]["responses"]


def test_errors_are_problem_details_with_every_invalid_field(client: TestClient) -> None:
    """RFC 9457 with our code; a 422 names every bad parameter, not only the first."""
    bad = client.get("/v1/search", params={"q": "ledige", "k": 0, "offset": -1, "mode": "x"})
    body = problem(bad)
    assert bad.status_code == 422 and body["code"] == "invalid_input"
    assert body["title"] and body["instance"] == "/v1/search"
    assert [e["field"] for e in body["errors"]] == ["k", "offset", "mode"]
    assert all(e["field"] in body["detail"] for e in body["errors"])
    blank = problem(client.get("/v1/search", params={"q": "   "}))
    assert blank["errors"] == [{"field": "q", "message": blank["detail"]}]
    long = problem(client.post("/v1/recommend", json={"situation": "x" * 3000}))
    assert [e["field"] for e in long["errors"]] == ["situation"]
    described = client.get(body["type"])
    assert described.status_code == 200 and described.json()["title"] == body["title"]


def test_a_401_challenges_and_a_503_says_when_to_come_back(
    client: TestClient, tmp_path: Path
) -> None:
    refused = client.post("/v1/initiatives", json={"municipality": "X", "title": "Y"})
    assert problem(refused)["code"] == "auth_required"
    assert refused.headers["www-authenticate"].startswith("Bearer ")
    starting = create_app(make_settings(tmp_path / "starting"), embedder=FakeEmbedder())
    starting.state.engine = None  # as while the lifespan's loader is still at work
    starting.state.engine_error = None
    answer = TestClient(starting).get("/v1/practices")
    assert problem(answer)["code"] == "unavailable" and answer.headers["retry-after"] == "5"


def test_text_limits_are_in_the_schema_and_mean_what_the_engine_means(
    schema: dict[str, Any],
) -> None:
    q = next(p for p in schema["paths"]["/v1/search"]["get"]["parameters"] if p["name"] == "q")
    situation = schema["components"]["schemas"]["RecommendRequest"]["properties"]["situation"]
    for text in (q["schema"], situation):
        assert text["minLength"] == 1 and text["maxLength"] == 1500  # from the settings
        assert text["pattern"] == NOT_BLANK
    k = schema["components"]["schemas"]["BatchSearchRequest"]["properties"]["k"]
    assert (k["minimum"], k["maximum"]) == (1, 100)
    # "not blank" in the schema is exactly the engine's rule, character by character
    import re

    pattern = re.compile(NOT_BLANK)
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        blank_for_engine = True
        try:
            validate_text(char, 10)
            blank_for_engine = False
        except InvalidInputError:
            pass
        assert blank_for_engine == (pattern.search(char) is None), hex(code)


def test_a_response_model_failure_is_a_logged_500_not_a_422(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    real = engine.initiative
    # a record the model cannot read: a time that is no time
    engine.initiative = lambda initiative_id: replace(real(initiative_id), updated_at="igår")
    try:
        with caplog.at_level(logging.ERROR):
            response = client.get(f"/v1/initiatives/{COACHING_ID}", headers={"X-Request-ID": "r-1"})
    finally:
        engine.initiative = real
    assert response.status_code == 500
    assert problem(response)["code"] == "internal_error"
    assert response.headers["x-request-id"] == "r-1" and "r-1" in response.json()["detail"]
    assert "request_id=r-1" in caplog.text and "ValidationError" in caplog.text


def test_request_id_is_echoed_or_generated_and_logged(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="api.access"):
        sent = client.get("/v1/practices", headers={"X-Request-ID": "integrator-42"})
        made = client.get("/v1/practices")
        odd = client.get("/v1/practices", headers={"X-Request-ID": "to ord\tog tab"})
        error = client.get("/v1/initiatives/findes-ikke", headers={"X-Request-ID": "e-7"})
    assert sent.headers["x-request-id"] == "integrator-42"
    assert len(made.headers["x-request-id"]) == 32
    assert (
        odd.headers["x-request-id"] not in ("to ord\tog tab", "")
        and " " not in odd.headers["x-request-id"]
    )
    assert error.status_code == 404 and error.headers["x-request-id"] == "e-7"
    lines = [r.getMessage() for r in caplog.records if r.name == "api.access"]
    assert any(
        "GET /v1/practices 200" in line and "request_id=integrator-42" in line for line in lines
    )
    assert any(f"request_id={made.headers['x-request-id']}" in line for line in lines)
    assert any("404" in line and "request_id=e-7" in line for line in lines)


def test_gets_carry_an_etag_and_answer_304_when_it_matches(
    client: TestClient, auth: dict[str, str]
) -> None:
    path = f"/v1/initiatives/{COACHING_ID}"
    first = client.get(path)
    tag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache" and tag.startswith('"')
    assert client.get(path).headers["etag"] == tag  # same body, same tag
    again = client.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    assert client.get(path, headers={"If-None-Match": f'"x", W/{tag}'}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"anden"'}).status_code == 200
    for listed in ("/v1/search?q=ledige", "/v1/facets", "/v1/practices"):
        answer = client.get(listed)
        assert (
            client.get(listed, headers={"If-None-Match": answer.headers["etag"]}).status_code == 304
        )
    # a write changes the page, so the old tag no longer matches
    page = client.get(path).json()
    page["sections"] = [*page["sections"], {"name": "Gode råd", "text": "Et nyt godt råd."}]
    page = {k: v for k, v in page.items() if k not in ("scores", "updated_at", "added_at")}
    assert client.put(path, json=page, headers=auth).status_code == 200
    assert client.get(path, headers={"If-None-Match": tag}).status_code == 200


def test_cors_preflight_is_answered_when_cors_is_configured(tmp_path: Path) -> None:
    preflight = {
        "Origin": "https://intra.example.dk",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-api-key, x-request-id",
    }
    settings = make_settings(tmp_path / "data", cors_origins=["https://intra.example.dk"])
    app = create_app(settings, embedder=FakeEmbedder())
    with TestClient(app) as client:
        wait_until_loaded(app)
        answer = client.options("/v1/recommend", headers=preflight)
        simple = client.get("/v1/practices", headers={"Origin": "https://intra.example.dk"})
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "https://intra.example.dk"
    assert "POST" in answer.headers["access-control-allow-methods"]
    allowed = answer.headers["access-control-allow-headers"].lower()
    assert {"content-type", "x-api-key", "x-request-id"} <= {h.strip() for h in allowed.split(",")}
    exposed = simple.headers["access-control-expose-headers"].lower()
    assert "etag" in exposed and "x-request-id" in exposed
    closed = create_app(make_settings(tmp_path / "closed"), embedder=FakeEmbedder())
    with TestClient(closed) as client:
        wait_until_loaded(closed)
        refused = client.options("/v1/recommend", headers=preflight)
    assert refused.status_code == 405 and "access-control-allow-origin" not in refused.headers


def test_facets_count_values_under_the_other_filters(client: TestClient) -> None:
    everything = client.get("/v1/facets").json()
    assert set(everything) == {"total", "target_groups", "municipalities", "min_evidence"}
    assert everything["total"] == 5
    places = {f["value"]: f["count"] for f in everything["municipalities"]}
    assert places == {"Brønderslev": 1, "Hedensted": 2, "Skanderborg": 2}
    steps = {s["value"]: s["count"] for s in everything["min_evidence"]}
    assert steps[0.5] == 5 and steps[2.5] == 2 and steps[4.5] == 0
    hedensted = client.get("/v1/facets", params={"municipality": "hedensted kommune"}).json()
    assert hedensted["total"] == 2
    assert {f["value"]: f["count"] for f in hedensted["municipalities"]} == places
    groups = {f["value"]: f["count"] for f in hedensted["target_groups"]}
    assert groups["Korterevarende ledige"] == 1 and groups["Alle ledige"] == 0
    # every count is what the listing gives with that value added
    for value, count in groups.items():
        listed = client.get(
            "/v1/initiatives", params={"municipality": "Hedensted", "target_group": value}
        ).json()
        assert listed["total"] == count, value


def test_initiatives_say_how_old_they_are_in_this_catalogue(
    client: TestClient, auth: dict[str, str]
) -> None:
    """A seed page has no date (the checkout's time would be one); a page written through the
    API is dated when it was written, and keeps that date."""
    listed = client.get("/v1/initiatives", params={"municipality": "Hedensted"}).json()["items"]
    coaching = next(i for i in listed if i["id"] == COACHING_ID)
    assert (coaching["added_at"], coaching["updated_at"]) == (None, None)
    before = int(time.time())
    page = client.get(f"/v1/initiatives/{COACHING_ID}").json()
    catalogue = ("scores", "updated_at", "added_at")
    page = {k: v for k, v in page.items() if k not in catalogue}
    replaced = client.put(f"/v1/initiatives/{COACHING_ID}", json=page, headers=auth).json()
    written = calendar.timegm(time.strptime(replaced["updated_at"], "%Y-%m-%dT%H:%M:%SZ"))
    assert written >= before - 1
    assert replaced["added_at"] == replaced["updated_at"]
    again = client.get(f"/v1/initiatives/{COACHING_ID}").json()
    assert (again["added_at"], again["updated_at"]) == (replaced["added_at"], written_iso(written))


def written_iso(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def test_the_write_key_schemes_are_documented(schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]
    assert schemes == {
        "APIKeyHeader": {
            "type": "apiKey", "description": "INDSATS_API_KEY", "in": "header", "name": "X-API-Key"
        },
        "HTTPBearer": {
            "type": "http", "description": "INDSATS_API_KEY som Bearer-token", "scheme": "bearer"
        },
    }  # fmt: skip
    put = schema["paths"]["/v1/initiatives/{initiative_id}"]["put"]
    assert put["security"] == [{"APIKeyHeader": []}, {"HTTPBearer": []}]  # either one
    assert {p["name"] for p in put["parameters"]} == {"initiative_id", "If-Match", "X-Request-ID"}
    assert "412" in put["responses"]
    assert KEY  # the tests' key is what the fixtures send


def test_a_write_with_if_match_is_made_only_on_the_version_read(
    client: TestClient, auth: dict[str, str]
) -> None:
    path = f"/v1/initiatives/{COACHING_ID}"
    read = client.get(path)
    tag, page = read.headers["etag"], read.json()
    page["sections"] = [*page["sections"], {"name": "Gode råd", "text": "Første ændring."}]
    first = client.put(path, json=page, headers={**auth, "If-Match": tag})
    assert first.status_code == 200, first.text
    # a second writer with the same, now stale, tag changes nothing
    page["sections"][-1] = {"name": "Gode råd", "text": "Anden ændring."}
    stale = client.put(path, json=page, headers={**auth, "If-Match": tag})
    assert problem(stale)["code"] == "precondition_failed" and stale.status_code == 412
    assert client.get(path).json()["sections"][-1]["text"] == "Første ændring."
    gone = client.delete(path, headers={**auth, "If-Match": tag})
    assert gone.status_code == 412 and client.get(path).status_code == 200
    assert client.delete(path, headers={**auth, "If-Match": f"W/{tag}"}).status_code == 412
    current = client.get(path).headers["etag"]
    assert client.delete(path, headers={**auth, "If-Match": current}).status_code == 204


def test_the_etag_a_write_compares_is_the_one_get_sends(client: TestClient) -> None:
    """If-Match hashes the model's JSON the way FastAPI renders it; if FastAPI ever renders
    the page otherwise, conditional writes would always fail: this says so first."""
    from api.corpus import InitiativeDetail
    from api.middleware import etag
    from api.models import representation

    engine = client.app.state.engine  # type: ignore[attr-defined]
    for page in engine.corpus.initiatives:
        sent = client.get(f"/v1/initiatives/{page.id}")
        assert sent.content == representation(InitiativeDetail.of(page)), page.id
        assert sent.headers["etag"] == etag(sent.content)


def test_the_write_key_is_taken_as_a_bearer_token_too(
    client: TestClient, auth: dict[str, str]
) -> None:
    path = f"/v1/initiatives/{COACHING_ID}"
    bearer = {"Authorization": f"Bearer {auth['X-API-Key']}"}
    assert client.delete(path, headers=bearer).status_code == 204
    wrong = client.delete(path, headers={"Authorization": "Bearer forkert"})
    assert problem(wrong)["code"] == "forbidden"


def test_the_headers_a_client_sends_are_declared_and_the_304_is_on_if_none_match(
    schema: dict[str, Any],
) -> None:
    for method, path, op in _operations(schema):
        sent = {p["name"]: p for p in op.get("parameters", ()) if p["in"] == "header"}
        assert "X-Request-ID" in sent, (method, path)
        if method == "get" and path.startswith("/v1/"):
            assert "304" in sent["If-None-Match"]["description"], path
            # not a response entry: a bodiless answer types a generated GET as Any
            assert "304" not in op["responses"], path
