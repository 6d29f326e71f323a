"""Security: the write key (401/403), ids that try to leave the data directory, body and
query limits, CORS closed unless configured, and no secret in any log line."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.problems import problem
from tests.reliability.conftest import ClientFactory
from tests.reliability.harness import KEY, page

TEXT = {"Content-Type": "text/plain; charset=utf-8"}
GOOD = {**TEXT, "X-API-Key": KEY}


def error_code(response: object) -> str:
    return str(problem(response)["code"])


# -- 401 / 403 ---------------------------------------------------------------------------------
WRITES = [
    ("POST", "/v1/initiatives"),
    ("PUT", "/v1/initiatives/hedensted-jobrettet-coaching-til-afklaring-af-jobmuligheder"),
    ("DELETE", "/v1/initiatives/hedensted-jobrettet-coaching-til-afklaring-af-jobmuligheder"),
]


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_writes_without_key_are_401_and_wrong_key_403(
    client: TestClient, method: str, path: str
) -> None:
    body = page("auth")[0].encode()
    r = client.request(method, path, content=body, headers=TEXT)
    assert r.status_code == 401 and error_code(r) == "auth_required"
    for wrong in [
        "x",
        KEY[:-1],
        KEY + "x",
        KEY.upper(),
        "%C3%A6" + KEY,
    ]:
        r = client.request(method, path, content=body, headers={**TEXT, "X-API-Key": wrong})
        assert r.status_code in (401, 403), (wrong, r.status_code)
        assert KEY not in r.text
    r = client.request(method, path, content=body, headers={**TEXT, "X-API-Key": ""})
    assert r.status_code == 401
    # A key in the query string or a cookie is not a key.
    r = client.request(method, f"{path}?api_key={KEY}&X-API-Key={KEY}", content=body, headers=TEXT)
    assert r.status_code == 401
    # Nothing changed: the seed is still there and the new page was not stored.
    assert client.get(WRITES[1][1]).status_code == 200
    assert client.get(f"/v1/initiatives/{page('auth')[1]}").status_code == 404


def test_header_name_is_case_insensitive_and_right_key_writes(client: TestClient) -> None:
    text, new_id = page("auth-ok")
    r = client.post("/v1/initiatives", content=text.encode(), headers={**TEXT, "x-api-key": KEY})
    assert r.status_code == 201, r.text
    assert client.get(f"/v1/initiatives/{new_id}").status_code == 200


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_writes_are_off_without_a_configured_key(
    make_client: ClientFactory, method: str, path: str
) -> None:
    with make_client(api_key=None) as client:
        for headers in (TEXT, GOOD, {**TEXT, "X-API-Key": ""}):
            r = client.request(method, path, content=page("off")[0].encode(), headers=headers)
            assert r.status_code == 403 and error_code(r) == "forbidden"
            assert "INDSATS_API_KEY" in r.json()["detail"]


def test_reads_need_no_key(client: TestClient) -> None:
    for path in ["/v1/initiatives", "/v1/practices", "/healthz", "/openapi.json"]:
        assert client.get(path).status_code == 200, path


# -- ids cannot escape the data directory -------------------------------------------------------
TRAVERSALS = [
    "..",
    "...",
    "../secret",
    "..%2Fsecret",
    "..%2F..%2Fsecret",
    "%2e%2e%2fsecret",
    "%2E%2E/%2E%2E/secret",
    "..%5Csecret",
    "..\\secret",
    "%00",
    "secret%00.txt",
    "pages%2F..%2F..%2Fsecret",
    "%252e%252e%252fsecret",
    "/etc/passwd",
    "%2Fetc%2Fpasswd",
    "..%c0%afsecret",
    "a" * 5000,
    "VERSION",
    "lock",
    ".tmp-x",
    "-rf",
    "x.txt",
    "x.deleted",
]


@pytest.mark.parametrize("bad_id", TRAVERSALS)
def test_path_traversal_ids_touch_nothing(client: TestClient, tmp_path: Path, bad_id: str) -> None:
    secret = tmp_path / "secret"
    secret.write_text("geheim")
    (tmp_path / "secret.txt").write_text("geheim")
    (tmp_path / "data" / "secret.txt").write_text("geheim")
    pages = tmp_path / "data" / "pages"
    before = sorted(p.name for p in pages.iterdir())
    body = page("traversal")[0].encode()
    for method in ("GET", "PUT", "DELETE"):
        r = client.request(method, f"/v1/initiatives/{bad_id}", content=body, headers=GOOD)
        assert r.status_code in (404, 405, 422), (method, bad_id, r.status_code, r.text)
        assert "Traceback" not in r.text and "geheim" not in r.text
    r = client.get(f"/v1/initiatives/{bad_id}/similar")
    assert r.status_code in (404, 422, 503)
    assert secret.read_text() == "geheim"
    assert (tmp_path / "secret.txt").read_text() == "geheim"
    assert (tmp_path / "data" / "secret.txt").read_text() == "geheim"
    assert sorted(p.name for p in pages.iterdir()) == before


# -- limits -------------------------------------------------------------------------------------
def test_body_over_one_mib_is_413_before_the_key_check(client: TestClient) -> None:
    big = b"a" * (1024 * 1024 + 1)
    for headers in (TEXT, GOOD):
        r = client.post("/v1/initiatives", content=big, headers=headers)
        assert r.status_code == 413 and error_code(r) == "payload_too_large"


def test_chunked_body_over_limit_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the middleware must count
        for _ in range(20):
            yield b"x" * (64 * 1024)

    r = client.post("/v1/initiatives", content=chunks(), headers=GOOD)
    assert r.status_code == 413 and error_code(r) == "payload_too_large"


def test_body_at_the_limit_is_read(client: TestClient) -> None:
    """Exactly 1 MiB gets past the limit to the parser (which refuses this one as no page)."""
    r = client.post("/v1/initiatives", content=b"a" * (1024 * 1024), headers=GOOD)
    assert r.status_code == 422 and error_code(r) == "invalid_page", r.text


@pytest.mark.parametrize(
    "url",
    [
        "/v1/search?q=" + "a" * 2001,
        "/v1/search?q=ledige&k=0",
        "/v1/search?q=ledige&k=101",
        "/v1/search?q=ledige&k=-1",
        "/v1/search?q=ledige&k=99999999999999999999999",
        "/v1/search?q=ledige&offset=-1",
        "/v1/search?q=ledige&offset=10001",
        "/v1/search?q=ledige&min_evidence=6",
        "/v1/search?q=ledige&min_evidence=nan",
        "/v1/search?q=ledige&mode=evil",
        "/v1/initiatives?k=1000",
    ],
)
def test_query_limits_are_422(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 422, (url, r.status_code, r.text[:300])
    assert error_code(r) == "invalid_input"


def test_situation_and_batch_limits(client: TestClient) -> None:
    r = client.post("/v1/recommend", json={"situation": "a" * 2001})
    assert r.status_code == 422
    r = client.post("/v1/search/batch", json={"queries": ["a"] * 101})
    assert r.status_code == 422
    # a batch answers per query: the too long one gets the 422's error in its place
    r = client.post("/v1/search/batch", json={"queries": ["a" * 2001]})
    assert r.status_code == 200 and r.json()["items"][0]["error"]["code"] == "invalid_input"


# -- CORS ---------------------------------------------------------------------------------------
def test_cors_closed_by_default(client: TestClient) -> None:
    origin = {"Origin": "https://evil.example"}
    r = client.get("/v1/initiatives", headers=origin)
    assert "access-control-allow-origin" not in r.headers
    r = client.options(
        "/v1/initiatives",
        headers={**origin, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "X-API-Key"},
    )  # fmt: skip
    assert "access-control-allow-origin" not in r.headers
    assert "access-control-allow-headers" not in r.headers


def test_a_refused_preflight_is_answered_in_the_error_shape(make_client: ClientFactory) -> None:
    with make_client(cors_origins=["https://jobcenter.example"]) as client:
        r = client.options(
            "/v1/initiatives",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "PATCH"},
        )
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
    error = r.json()
    assert error["code"] == "bad_request" and "oprindelsen" in error["detail"], error
    assert "metoden" in error["detail"] and "access-control-allow-origin" not in r.headers


def test_cors_opens_only_for_configured_origins(make_client: ClientFactory) -> None:
    allowed = "https://jobcenter.example"
    with make_client(cors_origins=[allowed]) as client:
        r = client.get("/v1/initiatives", headers={"Origin": allowed})
        assert r.headers.get("access-control-allow-origin") == allowed
        r = client.options(
            "/v1/initiatives",
            headers={"Origin": allowed, "Access-Control-Request-Method": "POST",
                     "Access-Control-Request-Headers": "X-API-Key"},
        )  # fmt: skip
        assert r.status_code == 200
        assert "x-api-key" in r.headers.get("access-control-allow-headers", "").lower()
        assert r.headers.get("access-control-allow-credentials") != "true"
        r = client.get("/v1/initiatives", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers


def test_cors_origins_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.shared.settings import Settings

    monkeypatch.setenv("INDSATS_CORS_ORIGINS", '["https://a.example","https://b.example"]')
    assert Settings().cors_origins == ["https://a.example", "https://b.example"]


# -- no secrets in logs -------------------------------------------------------------------------
def test_no_secret_in_logs_or_responses(
    make_client: ClientFactory, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    with make_client() as client:
        text, new_id = page("secret-log")
        bodies = [
            client.post("/v1/initiatives", content=text.encode(), headers=GOOD),
            client.put(f"/v1/initiatives/{new_id}", content=text.encode(), headers=GOOD),
            client.post("/v1/initiatives", content=b"ugyldig", headers=GOOD),
            client.post("/v1/initiatives", content=text.encode(),
                        headers={**TEXT, "X-API-Key": KEY + "-forkert"}),
            client.delete(f"/v1/initiatives/{new_id}", headers=GOOD),
            client.get("/metrics"),
            client.get("/readyz"),
        ]  # fmt: skip
        assert [r.status_code for r in bodies[:5]] == [201, 200, 422, 403, 204]
    captured = capfd.readouterr()
    logged = "\n".join(r.getMessage() + repr(r.args) for r in caplog.records)
    for where in (logged, captured.out, captured.err, *(r.text for r in bodies)):
        assert KEY not in where
    assert len(caplog.records) > 0, "nothing was logged: the check would prove nothing"


def test_settings_never_print_the_key(tmp_path: Path) -> None:
    from tests.reliability.conftest import settings_for

    settings = settings_for(tmp_path)
    assert KEY not in repr(settings) and KEY not in str(settings)
    assert KEY not in settings.model_dump_json()
