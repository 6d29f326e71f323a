"""Writes: key checks, conflicts, bad pages, limits, and that accepted writes survive."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from engine.domain.parser import parse_page
from engine.domain.records import read_record
from engine.shared.settings import Settings
from tests.api.conftest import KEY, make_settings, wait_until_loaded
from tests.api.pages import COACHING_ID, NEW_ID, NEW_TITLE, new_page, seed_text
from tests.fakes import FakeEmbedder
from tests.problems import error

TEXT = {"Content-Type": "text/plain; charset=utf-8"}


def _code(response: object) -> str:
    return str(error(response)["code"])


def _message(response: object) -> str:
    return str(error(response)["message"])


def _pages(settings: Settings) -> list[str]:
    d = settings.pages_dir
    return sorted(p.name for p in d.iterdir()) if d.exists() else []


def _reopen(settings: Settings) -> Iterator[TestClient]:
    """A fresh app and engine over the same data directory: what a restart sees."""
    app: FastAPI = create_app(settings, embedder=FakeEmbedder())
    with TestClient(app, raise_server_exceptions=False) as client:
        wait_until_loaded(app)
        yield client


def test_post_page_is_created_stored_and_listed(
    client: TestClient, settings: Settings, auth: dict[str, str]
) -> None:
    response = client.post("/v1/initiatives", content=new_page(), headers={**TEXT, **auth})
    assert response.status_code == 201, response.text
    assert response.json() == {"id": NEW_ID, "location": f"/v1/initiatives/{NEW_ID}"}
    assert response.headers["location"] == f"/v1/initiatives/{NEW_ID}"
    assert client.get(f"/v1/initiatives/{NEW_ID}").json()["title"] == NEW_TITLE
    assert client.get("/v1/initiatives").json()["total"] == 6
    # Stored as its record: what the page says, read back exactly as the API shows it.
    stored = read_record((settings.pages_dir / f"{NEW_ID}.json").read_bytes(), "side")
    assert stored.title == NEW_TITLE
    assert stored == replace(parse_page(new_page(), "side"), source="side")


def test_accepted_write_survives_a_restart(
    client: TestClient, settings: Settings, auth: dict[str, str]
) -> None:
    client.post("/v1/initiatives", content=new_page(), headers={**TEXT, **auth})
    client.delete(f"/v1/initiatives/{COACHING_ID}", headers=auth)
    for again in _reopen(settings):
        assert again.get(f"/v1/initiatives/{NEW_ID}").json()["title"] == NEW_TITLE
        # a deleted seed page stays deleted
        assert again.get(f"/v1/initiatives/{COACHING_ID}").status_code == 404
        assert again.get("/v1/initiatives").json()["total"] == 5


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [({}, 401, "auth_required"), ({"X-API-Key": "wrong"}, 403, "forbidden")],
)
def test_writes_need_the_right_key(
    client: TestClient, settings: Settings, headers: dict[str, str], status: int, code: str
) -> None:
    requests = [
        ("post", "/v1/initiatives", {"content": new_page(), "headers": {**TEXT, **headers}}),
        (
            "put",
            f"/v1/initiatives/{COACHING_ID}",
            {"content": seed_text(), "headers": {**TEXT, **headers}},
        ),
        ("delete", f"/v1/initiatives/{COACHING_ID}", {"headers": headers}),
    ]
    for method, path, kwargs in requests:
        response = getattr(client, method)(path, **kwargs)
        assert response.status_code == status, (method, response.text)
        assert _code(response) == code
        assert "X-API-Key" in _message(response) or "nøgle" in _message(response)
    assert [p for p in _pages(settings) if p.endswith((".json", ".txt", ".deleted"))] == []
    assert client.get(f"/v1/initiatives/{COACHING_ID}").status_code == 200


def test_without_a_configured_key_writes_say_how_to_enable_them(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", api_key=None)
    for client in _reopen(settings):
        response = client.post(
            "/v1/initiatives", content=new_page(), headers={**TEXT, "X-API-Key": "anything"}
        )
        assert response.status_code == 403
        assert "INDSATS_API_KEY" in _message(response)
        assert client.get(f"/v1/initiatives/{NEW_ID}").status_code == 404


def test_blank_key_setting_counts_as_no_key(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", api_key="  ")
    for client in _reopen(settings):
        response = client.delete(f"/v1/initiatives/{COACHING_ID}", headers={"X-API-Key": "  "})
        assert response.status_code == 403 and "INDSATS_API_KEY" in _message(response)


def test_post_existing_id_is_409(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post("/v1/initiatives", content=seed_text(), headers={**TEXT, **auth})
    assert response.status_code == 409
    assert COACHING_ID in _message(response) and "PUT" in _message(response)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "HTML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binær"),
        ("Hedensted\n\n2,2\nEvidenstest\n\n • Ledige\n".encode(), "titel"),
        (seed_text().encode("latin-1", errors="replace"), "UTF-8"),
        (b"", "tom"),
    ],
)
def test_malformed_pages_are_422_with_the_parsers_message(
    client: TestClient, settings: Settings, auth: dict[str, str], body: bytes, expected: str
) -> None:
    response = client.post("/v1/initiatives", content=body, headers={**TEXT, **auth})
    assert response.status_code == 422, response.text
    assert _code(response) == "invalid_page"
    assert expected in _message(response)
    assert _pages(settings) == []


def test_post_json_record_roundtrips(client: TestClient, auth: dict[str, str]) -> None:
    record = client.get(f"/v1/initiatives/{COACHING_ID}").json()
    record["title"] = NEW_TITLE
    del record["id"]
    response = client.post("/v1/initiatives", json=record, headers=auth)
    assert response.status_code == 201, response.text
    assert response.json()["id"] == NEW_ID
    stored = client.get(f"/v1/initiatives/{NEW_ID}").json()
    for field in ("municipality", "target_groups", "sections", "scores"):
        assert stored[field] == record[field], field
    assert [[(a["level"], a["text"]) for a in t["answers"]] for t in stored["tests"]] == [
        [(a["level"], a["text"]) for a in t["answers"]] for t in record["tests"]
    ]


def test_a_json_record_comes_back_exactly(client: TestClient, auth: dict[str, str]) -> None:
    """Lines the text format reads as structure, and white space it would collapse, are
    kept: the record is stored as it is (they were refused with 422 when pages were stored
    as text)."""
    odd = "Gode råd\n\nSe alle svar\n2,5\nEvidenstest\n\n  to  mellemrum  \nDokumenter"
    record = {
        "municipality": "Hedensted",
        "title": NEW_TITLE,
        "target_groups": [" Ledige  med plads "],
        "sections": [{"name": "Gode råd", "text": odd}],
    }
    response = client.post("/v1/initiatives", json=record, headers=auth)
    assert response.status_code == 201, response.text
    stored = client.get(f"/v1/initiatives/{NEW_ID}").json()
    assert stored["sections"] == record["sections"]
    assert stored["target_groups"] == record["target_groups"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"sections": [{"name": "Mine tanker", "text": "x"}]}, "sections[0].name"),
        ({"tests": [{"test": "quiz", "name": "n", "score": 1, "answers": []}]}, "tests[0].test"),
        ({"title": ""}, "title"),
        ({"title": "To\nlinjer"}, "én linje"),
        ({"tests": [{"test": "evidence", "name": "n", "score": 7}]}, "score"),
        ({"id": "et-andet-id"}, "et-andet-id"),
    ],
)
def test_bad_json_records_are_422(
    client: TestClient, auth: dict[str, str], change: dict[str, object], expected: str
) -> None:
    record: dict[str, object] = {
        "municipality": "Hedensted",
        "title": NEW_TITLE,
        "sections": [{"name": "Gode råd", "text": "Start i det små."}],
    }
    record.update(change)
    response = client.post("/v1/initiatives", json=record, headers=auth)
    assert response.status_code == 422, response.text
    assert expected in _message(response)


def test_unknown_content_type_is_415(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post(
        "/v1/initiatives", content=b"x", headers={"Content-Type": "image/png", **auth}
    )
    assert response.status_code == 415 and "text/plain" in _message(response)


def test_put_replaces_a_seed_and_keeps_it_after_restart(
    client: TestClient, settings: Settings, auth: dict[str, str]
) -> None:
    changed = seed_text().replace(
        "Erfaringer og resultater\n", "Erfaringer og resultater\n\nNy opgørelse fra 2026.\n", 1
    )
    response = client.put(
        f"/v1/initiatives/{COACHING_ID}", content=changed, headers={**TEXT, **auth}
    )
    assert response.status_code == 200, response.text
    assert "Ny opgørelse fra 2026." in str(response.json()["sections"])
    assert client.get("/v1/initiatives").json()["total"] == 5  # replaced, not added
    for again in _reopen(settings):
        page = again.get(f"/v1/initiatives/{COACHING_ID}").json()
        assert "Ny opgørelse fra 2026." in str(page["sections"])


def test_put_with_a_page_for_another_id_is_422(client: TestClient, auth: dict[str, str]) -> None:
    response = client.put(
        f"/v1/initiatives/{COACHING_ID}", content=new_page(), headers={**TEXT, **auth}
    )
    assert response.status_code == 422
    assert NEW_ID in _message(response) and COACHING_ID in _message(response)


def test_put_on_an_unknown_id_creates_the_page(
    client: TestClient, settings: Settings, auth: dict[str, str]
) -> None:
    """PUT stores the page at its address whether or not one is there (201 and Location
    when it created it, 200 when it replaced one); the page must give the address's id, so a
    PUT cannot put a page where its content does not."""
    path = f"/v1/initiatives/{NEW_ID}"
    created = client.put(path, content=new_page(), headers={**TEXT, **auth})
    assert created.status_code == 201, created.text
    assert created.headers["location"] == path and created.json()["title"] == NEW_TITLE
    assert (settings.pages_dir / f"{NEW_ID}.json").is_file()
    again = client.put(path, content=new_page(), headers={**TEXT, **auth})
    assert again.status_code == 200 and "location" not in again.headers
    assert client.get("/v1/initiatives").json()["total"] == 6


def test_put_with_if_match_on_an_unknown_id_is_412(
    client: TestClient, settings: Settings, auth: dict[str, str]
) -> None:
    """If-Match asks for the version read; a page that is not there is not it (RFC 9110)."""
    for tag in ('"en-udgave"', "*"):
        response = client.put(
            f"/v1/initiatives/{NEW_ID}",
            content=new_page(),
            headers={**TEXT, **auth, "If-Match": tag},
        )
        assert response.status_code == 412, response.text
    assert not (settings.pages_dir / f"{NEW_ID}.json").exists()


def test_delete_of_an_unknown_id_is_404(client: TestClient, auth: dict[str, str]) -> None:
    response = client.delete("/v1/initiatives/findes-ikke", headers=auth)
    assert response.status_code == 404 and "findes-ikke" in _message(response)


def test_delete_then_post_again(
    client: TestClient, settings: Settings, auth: dict[str, str]
) -> None:
    assert client.delete(f"/v1/initiatives/{COACHING_ID}", headers=auth).status_code == 204
    assert client.get(f"/v1/initiatives/{COACHING_ID}").status_code == 404
    assert client.delete(f"/v1/initiatives/{COACHING_ID}", headers=auth).status_code == 404
    response = client.post("/v1/initiatives", content=seed_text(), headers={**TEXT, **auth})
    assert response.status_code == 201
    assert client.get(f"/v1/initiatives/{COACHING_ID}").status_code == 200
    assert f"{COACHING_ID}.deleted" not in _pages(settings)


@pytest.mark.parametrize(
    "bad_id",
    ["..", "...", "%2e%2e", "..%2f..%2fetc%2fpasswd", "%2fetc%2fpasswd", "Stort-ID", "a.txt", "-x"],
)
def test_path_traversal_ids_never_touch_files(
    client: TestClient, settings: Settings, tmp_path: Path, auth: dict[str, str], bad_id: str
) -> None:
    outside = tmp_path / "data" / "outside.txt"
    outside.parent.mkdir(parents=True, exist_ok=True)
    outside.write_text("urørt", encoding="utf-8")
    for method in ("put", "delete"):
        kwargs: dict[str, object] = {"headers": {**TEXT, **auth}}
        if method == "put":
            kwargs["content"] = seed_text()
        response = getattr(client, method)(f"/v1/initiatives/{bad_id}", **kwargs)
        assert response.status_code in (404, 405, 422), (bad_id, response.text)
        assert "code" in response.json()
    assert outside.read_text(encoding="utf-8") == "urørt"
    assert [p for p in _pages(settings) if p.endswith((".json", ".txt", ".deleted"))] == []


def test_body_over_the_limit_is_413(
    client: TestClient, settings: Settings, auth: dict[str, str]
) -> None:
    big = new_page() + "x" * (1024 * 1024)
    response = client.post("/v1/initiatives", content=big, headers={**TEXT, **auth})
    assert response.status_code == 413 and _code(response) == "payload_too_large"
    assert "1 MiB" in _message(response)
    assert _pages(settings) == []


def test_streamed_body_without_length_is_counted(
    client: TestClient, settings: Settings, auth: dict[str, str]
) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b"y" * 65536

    response = client.post("/v1/initiatives", content=chunks(), headers={**TEXT, **auth})
    assert response.status_code == 413 and _code(response) == "payload_too_large"
    # a small streamed page is fine
    small = iter([new_page().encode()[:100], new_page().encode()[100:]])
    response = client.post("/v1/initiatives", content=small, headers={**TEXT, **auth})
    assert response.status_code == 201, response.text


def test_the_api_key_is_never_logged(
    client: TestClient, auth: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        client.post("/v1/initiatives", content=new_page(), headers={**TEXT, **auth})
        client.delete(f"/v1/initiatives/{NEW_ID}", headers={"X-API-Key": "wrong-key"})
    assert KEY not in caplog.text and "wrong-key" not in caplog.text


def test_a_write_through_one_worker_is_seen_by_another(
    settings: Settings, auth: dict[str, str]
) -> None:
    for first in _reopen(settings):
        for second in _reopen(settings):
            assert second.get(f"/v1/initiatives/{NEW_ID}").status_code == 404
            created = first.post("/v1/initiatives", content=new_page(), headers={**TEXT, **auth})
            assert created.status_code == 201
            assert second.get(f"/v1/initiatives/{NEW_ID}").status_code == 200
            assert second.delete(f"/v1/initiatives/{NEW_ID}", headers=auth).status_code == 204
            assert first.get(f"/v1/initiatives/{NEW_ID}").status_code == 404
            # and a conflict is judged against what the other worker wrote
            again = second.post("/v1/initiatives", content=new_page(), headers={**TEXT, **auth})
            assert again.status_code == 201
            dup = first.post("/v1/initiatives", content=new_page(), headers={**TEXT, **auth})
            assert dup.status_code == 409
