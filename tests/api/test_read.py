"""Read endpoints over the real seeds, and the error shape for every read failure."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from engine.shared.settings import Settings
from tests.api.conftest import make_settings, wait_until_loaded
from tests.api.pages import COACHING_ID
from tests.fakes import FakeEmbedder
from tests.problems import error, summary


def _error(response: object) -> dict[str, str]:
    return error(response)


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_list_is_paginated_and_counts_all(client: TestClient) -> None:
    first = client.get("/v1/initiatives", params={"k": 2}).json()
    rest = client.get("/v1/initiatives", params={"k": 100, "offset": 2}).json()
    assert first["total"] == rest["total"] == 5
    assert len(first["items"]) == 2 and len(rest["items"]) == 3
    ids = [i["id"] for i in first["items"] + rest["items"]]
    assert len(set(ids)) == 5 and COACHING_ID in ids
    assert client.get("/v1/initiatives", params={"offset": 5}).json()["items"] == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"municipality": "skanderborg"}, {"Skanderborg"}),
        ({"municipality": "Hedensted"}, {"Hedensted"}),
        ({"min_evidence": 4.0}, {"Brønderslev"}),
        # Skanderborg's pages are for "Alle ledige", which serves every duration group
        ({"target_group": "Korterevarende ledige"}, {"Hedensted", "Skanderborg"}),
        # the name the page shows ("Brønderslev Kommune") reads as the municipality
        ({"municipality": "Brønderslev Kommune"}, {"Brønderslev"}),
    ],
)
def test_list_filters(client: TestClient, params: dict[str, object], expected: set[str]) -> None:
    body = client.get("/v1/initiatives", params=params).json()
    assert {i["municipality"] for i in body["items"]} == expected
    assert body["total"] == len(body["items"])


def test_list_filters_combine(client: TestClient) -> None:
    body = client.get(
        "/v1/initiatives", params={"municipality": "Hedensted", "min_evidence": 2.4}
    ).json()
    assert [i["scores"]["evidence"] for i in body["items"]] == [2.5]


@pytest.mark.parametrize(
    ("path", "params", "field", "known"),
    [
        ("/v1/initiatives", {"municipality": "Aarhus"}, "municipality", "Brønderslev"),
        ("/v1/search", {"q": "ledige", "target_group": "Unge"}, "target_group", "Alle ledige"),
        ("/v1/facets", {"municipality": "Aarhus"}, "municipality", "Skanderborg"),
    ],
)
def test_unknown_filter_values_are_422_naming_the_known_ones(
    client: TestClient, path: str, params: dict[str, str], field: str, known: str
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "unknown_value" and error["field"] == field
    assert params[field] in error["message"] and known in error["message"]
    assert "/v1/facets" in error["message"]


@pytest.mark.parametrize("params", [{"k": 0}, {"k": 101}, {"offset": -1}, {"min_evidence": "x"}])
def test_list_rejects_bad_parameters(client: TestClient, params: dict[str, object]) -> None:
    response = client.get("/v1/initiatives", params=params)
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "invalid_input"
    assert next(iter(params)) in error["message"]


def test_initiative_is_the_whole_page(client: TestClient) -> None:
    body = client.get(f"/v1/initiatives/{COACHING_ID}").json()
    assert body["municipality"] == "Hedensted"
    assert body["title"] == "Jobrettet coaching til afklaring af jobmuligheder"
    assert "Kommunens beskrivelse af indsatsen" in [s["name"] for s in body["sections"]]
    evidence = next(t for t in body["tests"] if t["test"] == "evidence")
    assert evidence["score"] == 2.2
    assert evidence["answers"] and all(a["practice_id"] for a in evidence["answers"])
    assert {a["level"] for a in evidence["answers"]} <= {"ja", "delvist", "nej"}


@pytest.mark.parametrize(
    "path",
    [
        "/v1/initiatives/findes-ikke",
        "/v1/initiatives/findes-ikke/similar",
        "/v1/practices/findes-ikke",
    ],
)
def test_unknown_ids_are_404_naming_the_id(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    error = _error(response)
    assert error["code"] == "not_found"
    assert "findes-ikke" in error["message"]


def test_practices_catalogue_and_detail(client: TestClient) -> None:
    catalogue = client.get("/v1/practices").json()
    assert catalogue["total"] == len(catalogue["items"]) > 0
    # a practice answered on several pages: its detail lists who answered what
    widest = max(catalogue["items"], key=lambda p: sum(p["counts"].values()))
    detail = client.get(f"/v1/practices/{widest['id']}").json()
    assert len(detail["answers"]) == sum(widest["counts"].values()) >= 2
    assert detail["evidence"]["counts"] == widest["counts"]
    assert detail["evidence"]["note"]
    for answer in detail["answers"]:
        assert answer["level"] in ("ja", "delvist", "nej")
        assert answer["municipality"] in {"Hedensted", "Skanderborg", "Brønderslev"}


def test_unknown_route_and_method_use_the_error_shape(client: TestClient) -> None:
    missing = client.get("/v2/nothing")
    assert missing.status_code == 404 and _error(missing)["code"] == "not_found"
    wrong = client.patch("/v1/initiatives")
    assert wrong.status_code == 405 and _error(wrong)["code"] == "method_not_allowed"


def test_query_and_situation_length_limits(client: TestClient) -> None:
    long_text = "ordblind " * 250  # 2,250 characters
    response = client.get("/v1/search", params={"q": long_text})
    assert response.status_code == 422
    assert "2000" in _error(response)["message"]
    response = client.post("/v1/recommend", json={"situation": long_text})
    assert response.status_code == 422 and "situation" in _error(response)["message"].lower()
    # a batch answers per query: the long one gets the same message in its place
    response = client.post("/v1/search/batch", json={"queries": ["ok", long_text]})
    assert response.status_code == 200
    good, bad = response.json()["items"]
    assert good["query"] == "ok" and "2000" in summary(bad["error"])["message"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("get", "/v1/search", {"params": {"q": "ledige", "k": 101}}),
        ("get", "/v1/search", {"params": {"q": "ledige", "k": 0}}),
        ("get", "/v1/search", {"params": {"q": "ledige", "mode": "magic"}}),
        ("get", "/v1/search", {"params": {}}),
        ("post", "/v1/search/batch", {"json": {"queries": []}}),
        ("post", "/v1/search/batch", {"json": {"queries": ["a"], "k": 1000}}),
        ("post", "/v1/recommend", {"json": {"situation": "x", "answers": {"p": "måske"}}}),
        ("post", "/v1/recommend", {"json": {}}),
        (
            "post",
            "/v1/recommend",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
        ),
        ("get", "/v1/initiatives/x/similar", {"params": {"k": 0}}),
    ],
)
def test_invalid_requests_are_422(
    client: TestClient, method: str, path: str, kwargs: dict[str, object]
) -> None:
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == 422, response.text
    assert _error(response)["code"] == "invalid_input"


def test_unexpected_errors_are_500_without_details(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("hemmelig intern detalje /etc/shadow")

    engine.initiatives = boom
    with caplog.at_level(logging.ERROR):
        response = client.get("/v1/initiatives")
    assert response.status_code == 500
    assert _error(response)["code"] == "internal_error"
    assert "hemmelig" not in response.text and "Traceback" not in response.text
    assert "hemmelig intern detalje" in caplog.text  # the traceback is in the log


def test_metrics_are_exposed(client: TestClient) -> None:
    client.get("/v1/initiatives")
    text = client.get("/metrics").text
    assert "http_requests_total" in text and 'handler="/v1/initiatives"' in text


def test_openapi_documents_every_endpoint_with_danish_examples(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path, methods in {
        "/v1/search": {"get"},
        "/v1/search/batch": {"post"},
        "/v1/recommend": {"post"},
        "/v1/initiatives": {"get", "post"},
        "/v1/initiatives/{initiative_id}": {"get", "put", "delete"},
        "/v1/initiatives/{initiative_id}/similar": {"get"},
        "/v1/practices": {"get"},
        "/v1/practices/{practice_id}": {"get"},
        "/healthz": {"get"},
        "/readyz": {"get"},
    }.items():
        assert methods <= set(paths[path]), path
    post = paths["/v1/initiatives"]["post"]["requestBody"]["content"]
    assert "Evidenstest" in post["text/plain"]["example"]
    assert "InitiativeRecord" in spec["components"]["schemas"]
    assert "ordblinde ledige" in str(spec)
    assert client.get("/docs").status_code == 200


def test_cors_is_closed_by_default(client: TestClient) -> None:
    response = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


def test_cors_allows_configured_origins(tmp_path: object) -> None:
    from pathlib import Path

    settings: Settings = make_settings(
        Path(str(tmp_path)) / "data", cors_origins=["https://intra.example.dk"]
    )
    app = create_app(settings, embedder=FakeEmbedder())
    with TestClient(app) as client:
        wait_until_loaded(app)
        ok = client.get("/healthz", headers={"Origin": "https://intra.example.dk"})
        other = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert ok.headers["access-control-allow-origin"] == "https://intra.example.dk"
    assert "access-control-allow-origin" not in other.headers


def test_app_serves_the_danish_page(client: TestClient) -> None:
    """`create_app` itself mounts the web page: `make run` must show it at `/`."""
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="da"' in response.text
    assert client.get("/static/js/search.js").status_code == 200


def test_readyz_names_rejected_files_without_server_paths(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    settings.pages_dir.mkdir(parents=True)
    (settings.pages_dir / "fejl.txt").write_text("<html>502</html>", encoding="utf-8")
    app = create_app(settings, embedder=FakeEmbedder())
    with TestClient(app) as client:
        wait_until_loaded(app)
        errors = client.get("/readyz").json()["load_errors"]
    assert errors and errors[0].startswith("fejl.txt: ")
    assert str(tmp_path) not in " ".join(errors)
