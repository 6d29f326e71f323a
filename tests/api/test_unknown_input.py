"""Input the API does not know is refused and named, never ignored: an unknown query
parameter or JSON field (with the known name it is closest to), and a parameter that is not
UTF-8 (issue 26, items 1 and 4)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.pages import COACHING_ID
from tests.problems import problem

SITUATION = "vi vil følge bedre op på borgere i løntilskud"


def test_a_misspelled_parameter_is_named_with_the_one_meant(client: TestClient) -> None:
    response = client.get("/v1/search", params={"q": "ledige", "muncipality": "Aarhus"})
    body = problem(response)
    assert response.status_code == 422 and body["code"] == "invalid_input"
    assert body["errors"] == [
        {"field": "muncipality", "message": "kendes ikke; mente du 'municipality'?"}
    ]
    assert "muncipality" in body["detail"] and "Aarhus" not in body["detail"]


def test_an_unknown_parameter_is_listed_with_the_other_problems(client: TestClient) -> None:
    response = client.get("/v1/search", params={"q": "ledige", "k": 0, "zzz": "1"})
    errors = {e["field"]: e["message"] for e in problem(response)["errors"]}
    assert set(errors) == {"k", "zzz"}
    assert errors["zzz"].startswith("kendes ikke; kendte: q, k, offset")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/v1/search?q=ledige"),
        ("get", "/v1/facets"),
        ("get", "/v1/initiatives"),
        ("get", f"/v1/initiatives/{COACHING_ID}"),
        ("get", f"/v1/initiatives/{COACHING_ID}/similar"),
        ("get", "/v1/practices"),
        ("get", "/readyz"),
        ("get", "/healthz"),
        ("post", "/v1/recommend"),
        ("post", "/v1/search/batch"),
        ("post", "/v1/initiatives"),
        ("put", f"/v1/initiatives/{COACHING_ID}"),
        ("delete", f"/v1/initiatives/{COACHING_ID}"),
    ],
)
def test_every_operation_refuses_a_parameter_it_does_not_take(
    client: TestClient, auth: dict[str, str], method: str, path: str
) -> None:
    body: dict[str, object] = {"situation": SITUATION}
    if path.endswith("batch"):
        body = {"queries": ["ledige"]}
    if "initiatives" in path and method != "get":
        body = client.get(f"/v1/initiatives/{COACHING_ID}").json()
    separator = "&" if "?" in path else "?"
    kwargs = {"json": body} if method in ("post", "put") else {}
    response = client.request(method, path + separator + "zzz=1", headers=auth, **kwargs)
    assert response.status_code == 422, (path, response.text)
    assert [e["field"] for e in problem(response)["errors"]] == ["zzz"]
    assert client.get(f"/v1/initiatives/{COACHING_ID}").status_code == 200  # nothing deleted


def test_unknown_json_fields_are_named_at_any_depth(
    client: TestClient, auth: dict[str, str]
) -> None:
    wrong = client.post("/v1/recommend", json={"situation": SITUATION, "answerz": {}})
    assert problem(wrong)["errors"] == [
        {"field": "answerz", "message": "kendes ikke; mente du 'answers'?"}
    ]
    page = client.get(f"/v1/initiatives/{COACHING_ID}").json()
    page["sections"][0] = {"name": page["sections"][0]["name"], "txt": "Nyt afsnit."}
    nested = client.put(f"/v1/initiatives/{COACHING_ID}", json=page, headers=auth)
    assert problem(nested)["errors"] == [
        {"field": "sections[0].txt", "message": "kendes ikke; mente du 'text'?"}
    ]
    batch = client.post("/v1/search/batch", json={"queries": ["ledige"], "kk": 3})
    assert problem(batch)["errors"][0]["message"] == "kendes ikke; mente du 'k'?"


def test_what_a_page_read_says_can_be_written_back(
    client: TestClient, auth: dict[str, str]
) -> None:
    """The computed fields GET gives (scores, updated_at, an answer's practice) are known
    to the record and ignored, so read-change-write needs no cleaning."""
    page = client.get(f"/v1/initiatives/{COACHING_ID}").json()
    page["sections"].append({"name": "Gode råd", "text": "Et nyt godt råd."})
    written = client.put(f"/v1/initiatives/{COACHING_ID}", json=page, headers=auth)
    assert written.status_code == 200, written.text
    assert written.json()["sections"][-1]["text"] == "Et nyt godt råd."
    assert [t["test"] for t in written.json()["tests"]] == [t["test"] for t in page["tests"]]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/search?q=%ED%A0%80", "q"),
        ("/v1/search?q=ledige&municipality=%FFrhus", "municipality"),
        ("/v1/search?q=ledige&%FF=1", "\ufffd"),
        ("/v1/practices/%FF%FE", "practice_id"),
        ("/v1/initiatives/%C3%28", "initiative_id"),
    ],
)
def test_a_parameter_that_is_not_utf8_is_422_naming_it(
    client: TestClient, path: str, field: str
) -> None:
    response = client.get(path)
    body = problem(response)
    assert response.status_code == 422 and body["code"] == "invalid_input"
    assert body["errors"] == [{"field": field, "message": "er ikke gyldig UTF-8"}]


def test_similar_pages_on_with_offset(client: TestClient) -> None:
    path = f"/v1/initiatives/{COACHING_ID}/similar"
    first = client.get(path, params={"k": 2}).json()
    second = client.get(path, params={"k": 2, "offset": 2}).json()
    assert (second["k"], second["offset"], second["total"]) == (2, 2, first["total"])
    assert [r["rank"] for r in second["items"]] == [3, 4][: len(second["items"])]
    every = client.get(path, params={"k": 4}).json()["items"]
    assert [r["id"] for r in first["items"] + second["items"]] == [r["id"] for r in every]


def test_a_json_body_in_another_type_is_415_like_a_page_in_one(
    client: TestClient, auth: dict[str, str]
) -> None:
    for path, body in (("/v1/recommend", SITUATION), ("/v1/search/batch", "ledige")):
        sent = client.post(path, content=body.encode(), headers={"Content-Type": "text/plain"})
        assert problem(sent)["code"] == "unsupported_media_type" and sent.status_code == 415
    page = client.post(
        "/v1/initiatives", content=b"<x/>", headers={**auth, "Content-Type": "text/xml"}
    )
    assert page.status_code == 415
    unnamed = client.post("/v1/recommend", content=f'{{"situation": "{SITUATION}"}}'.encode())
    assert unnamed.status_code == 415 and "application/json" in problem(unnamed)["detail"]
