"""The bad input catalogue: every bad input tried, and what the client gets.

Each case must get a clear 4xx in the API's error shape (never a 5xx, never a traceback),
and no bad write may change what is stored. The rows (input, request, status, code, start
of the message) are recorded, and `scripts/reliability_report.py` turns them into the
table in docs/RELIABILITY.md, so the table is what the last run saw, not what we hoped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.problems import PROBLEM_KEYS
from tests.reliability.figures import record
from tests.reliability.harness import KEY, SEED_PAGE, page

TEXT = {"Content-Type": "text/plain; charset=utf-8", "X-API-Key": KEY}
JSON = {"Content-Type": "application/json", "X-API-Key": KEY}
SEED_ID = "hedensted-jobrettet-coaching-til-afklaring-af-jobmuligheder"
MIB = 1024 * 1024
RECORD: dict[str, Any] = {
    "municipality": "Hedensted",
    "title": "Prøveindsats til typefejl",
    "sections": [{"name": "Gode råd", "text": "Tal med borgeren."}],
    "tests": [{"test": "evidence", "name": "Evidenstest", "score": 2.2, "answers": []}],
}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    ok: tuple[int, ...] = (400, 404, 405, 409, 413, 415, 422)

    @property
    def shown(self) -> str:
        path = self.path if len(self.path) <= 60 else self.path[:57] + "..."
        return f"{self.method} {path}"


def rec(**changes: Any) -> bytes:
    return json.dumps({**RECORD, **changes}).encode()


CASES = [
    # pages as text/plain
    Case("empty page", "POST", "/v1/initiatives", b"", TEXT),
    Case("whitespace-only page", "POST", "/v1/initiatives", b" \n\t\r\n  ", TEXT),
    Case("10 MB page", "POST", "/v1/initiatives", b"a" * (10 * MIB), TEXT),
    Case("page with NUL bytes", "POST", "/v1/initiatives", SEED_PAGE.encode() + b"\x00", TEXT),
    Case("page in Latin-1 (invalid UTF-8)", "POST", "/v1/initiatives",
         page("latin")[0].encode("latin-1", "replace"), TEXT),
    Case("saved HTML error page", "POST", "/v1/initiatives",
         b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", TEXT),
    Case("random binary", "POST", "/v1/initiatives", bytes(range(256)) * 4, TEXT),
    Case("page without title", "POST", "/v1/initiatives",
         b"Hedensted\n\n2,2\nEvidenstest\n\nKommunens beskrivelse af indsatsen\n", TEXT),
    Case("answer without level", "POST", "/v1/initiatives",
         (page("level")[0].rstrip() + "\n • Borgeren får kaffe\n").encode(), TEXT),
    Case("score 7,5 (outside 0-5)", "POST", "/v1/initiatives",
         page("score")[0].replace("2,2", "7,5", 1).encode(), TEXT),
    Case("existing page again", "POST", "/v1/initiatives", SEED_PAGE.encode(), TEXT),
    Case("unknown content type", "POST", "/v1/initiatives", b"<x/>",
         {"Content-Type": "application/xml", "X-API-Key": KEY}),
    # pages as JSON records
    Case("invalid JSON", "POST", "/v1/initiatives", b'{"municipality": ', JSON),
    Case("JSON array instead of object", "POST", "/v1/initiatives", b"[1, 2]", JSON),
    Case("municipality is a number", "POST", "/v1/initiatives", rec(municipality=5), JSON),
    Case("tests is a string", "POST", "/v1/initiatives", rec(tests="Evidenstest"), JSON),
    Case("score as a string '2,2'", "POST", "/v1/initiatives",
         rec(tests=[{**RECORD["tests"][0], "score": "2,2"}]), JSON),
    Case("headline_score false", "POST", "/v1/initiatives", rec(headline_score=False), JSON),
    Case("score 1e308", "POST", "/v1/initiatives",
         rec(tests=[{**RECORD["tests"][0], "score": 1e308}]), JSON),
    Case("unknown test label", "POST", "/v1/initiatives",
         rec(tests=[{**RECORD["tests"][0], "test": "hemmelig_test"}]), JSON),
    # Kept exactly: a record is stored as it is, not as a text page (it was a 422 then).
    Case("section line that reads as a header", "POST", "/v1/initiatives",
         rec(sections=[{"name": "Gode råd", "text": "Første\nErfaringer og resultater"}]), JSON,
         ok=(201,)),
    Case("unknown fields in a record", "POST", "/v1/initiatives",
         rec(title="Prøveindsats med ukendte felter", hemmelig=True), JSON),
    Case("computed fields sent back", "POST", "/v1/initiatives",
         rec(title="Prøveindsats med beregnede felter", scores={"x": 1}), JSON, ok=(201,)),
    Case("record id that differs from the page", "PUT", f"/v1/initiatives/{SEED_ID}",
         rec(id="noget-andet"), JSON),
    Case("PUT of a page with another id", "PUT", f"/v1/initiatives/{SEED_ID}",
         page("andet-id")[0].encode(), TEXT),
    Case("DELETE of an unknown id", "DELETE", "/v1/initiatives/findes-ikke", None, TEXT),
    Case("id with path traversal", "DELETE", "/v1/initiatives/..%2F..%2Fetc%2Fpasswd", None, TEXT),
    Case("id with upper case and NUL", "GET", "/v1/initiatives/ABC%00", None),
    # search
    Case("q missing", "GET", "/v1/search"),
    Case("q empty", "GET", "/v1/search?q="),
    Case("q whitespace", "GET", "/v1/search?q=%20%20%09"),
    Case("q 2,001 characters", "GET", "/v1/search?q=" + "a" * 2001),
    Case("q 20,000 characters", "GET", "/v1/search?q=" + "a" * 20_000, ok=(414, 422, 431)),
    Case("q with NUL byte", "GET", "/v1/search?q=ledige%00", ok=(200, 422)),
    Case("q with invalid UTF-8", "GET", "/v1/search?q=%FF%FE", ok=(200, 400, 422)),
    Case("k negative", "GET", "/v1/search?q=ledige&k=-1"),
    Case("k zero", "GET", "/v1/search?q=ledige&k=0"),
    Case("k huge", "GET", "/v1/search?q=ledige&k=100000000000000000000"),
    Case("k not a number", "GET", "/v1/search?q=ledige&k=fem"),
    Case("offset negative", "GET", "/v1/search?q=ledige&offset=-5"),
    Case("min_evidence NaN", "GET", "/v1/search?q=ledige&min_evidence=nan"),
    Case("unknown mode", "GET", "/v1/search?q=ledige&mode=magisk"),
    Case("unknown filter parameter", "GET", "/v1/search?q=ledige&region=Syd", ok=(200, 422)),
    Case("unknown municipality filter", "GET", "/v1/search?q=ledige&municipality=Atlantis"),
    Case("unknown target group filter", "GET", "/v1/search?q=ledige&target_group=Pirater"),
    # batch search and recommend
    Case("batch: body not UTF-8", "POST", "/v1/search/batch", b"T\x13\xff#\x0c", JSON),
    Case("batch: queries empty", "POST", "/v1/search/batch", b'{"queries": []}', JSON),
    Case("batch: queries a string", "POST", "/v1/search/batch", b'{"queries": "ledige"}', JSON),
    Case("batch: queries numbers", "POST", "/v1/search/batch", b'{"queries": [1, 2]}', JSON),
    Case("batch: k as string", "POST", "/v1/search/batch",
         b'{"queries": ["ledige"], "k": "5"}', JSON),
    Case("batch: unknown field", "POST", "/v1/search/batch",
         b'{"queries": ["ledige"], "sort": "asc"}', JSON),
    Case("batch: 101 queries", "POST", "/v1/search/batch",
         json.dumps({"queries": ["ledige"] * 101}).encode(), JSON),
    Case("batch: k with 5,000 digits", "POST", "/v1/search/batch",
         b'{"queries": ["ledige"], "k": ' + b"7" * 5000 + b"}", JSON),
    Case("batch: 11 queries of 2,000 characters", "POST", "/v1/search/batch",
         json.dumps({"queries": [f"ledige{n} " * 250 for n in range(11)]}).encode(), JSON),
    Case("page with 8,000 checklist answers", "POST", "/v1/initiatives",
         (SEED_PAGE.rstrip() + "\n\n1,0\nTest vedr. uddannelse\n\nMange\n\n"
          + "".join(f" • Ja: Mindst 9 ud af 10 får tilbud {n}\n" for n in range(8000))).encode(),
         TEXT),
    Case("title without Latin letters", "POST", "/v1/initiatives",
         SEED_PAGE.replace("Jobrettet coaching til afklaring af jobmuligheder", "😀😀😀",
                           1).encode(), TEXT, ok=(201,)),
    Case("recommend: situation missing", "POST", "/v1/recommend", b"{}", JSON),
    Case("recommend: situation null", "POST", "/v1/recommend", b'{"situation": null}', JSON),
    Case("recommend: k huge", "POST", "/v1/recommend",
         b'{"situation": "ledige", "k": 1000000}', JSON),
    Case("recommend: unknown answer level", "POST", "/v1/recommend",
         b'{"situation": "ledige", "answers": {"p": "maaske"}}', JSON),
    Case("recommend: body not JSON", "POST", "/v1/recommend", b"situation=ledige", JSON),
    Case("recommend: 10 MB body", "POST", "/v1/recommend",
         b'{"situation": "' + b"a" * (10 * MIB) + b'"}', JSON),
    Case("unknown practice id", "GET", "/v1/practices/findes-ikke"),
    Case("unknown path", "GET", "/v1/hemmeligt"),
    Case("wrong method", "PATCH", "/v1/initiatives"),
]  # fmt: skip


def snapshot(pages: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(pages.iterdir()) if p.is_file()}


ROWS: list[dict[str, Any]] = []


@pytest.fixture(scope="module")
def rows() -> Any:
    yield ROWS
    if len(ROWS) == len(CASES):
        record("bad_inputs", {"rows": sorted(ROWS, key=lambda r: r["order"])})


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(client: TestClient, tmp_path: Path, case: Case, rows: Any) -> None:
    pages = tmp_path / "data" / "pages"
    before = snapshot(pages)
    r = client.request(case.method, case.path, content=case.body, headers=case.headers)
    assert r.status_code < 500, (case.name, r.status_code, r.text[:300])
    assert r.status_code in case.ok, (case.name, r.status_code, r.text[:300])
    assert "Traceback" not in r.text and 'File "' not in r.text
    code = message = ""
    if r.status_code >= 400:
        body = r.json()
        assert set(body) == PROBLEM_KEYS, body
        code, message = body["code"], body["detail"]
        assert code and message.strip(), body
        assert len(message) < 2000, "an error message must not echo a huge input"
        after = snapshot(pages)
        assert after == before, f"{case.name}: a rejected write changed the store"
    rows.append(
        {
            "order": CASES.index(case),
            "input": case.name,
            "request": case.shown,
            "status": r.status_code,
            "code": code,
            "message": message[:140],
        }
    )


def test_a_number_with_too_many_digits_is_named(client: TestClient) -> None:
    """A 5,000-digit `k` is JSON Python will not read: say that, not "not UTF-8"."""
    body = b'{"queries": ["ledige"], "k": ' + b"7" * 5000 + b"}"
    r = client.post("/v1/search/batch", content=body, headers=JSON)
    assert r.status_code == 422 and "for mange cifre" in r.json()["detail"], r.text


def test_titles_without_latin_letters_get_ids_of_their_own(client: TestClient) -> None:
    ids = []
    for title in ["😀😀😀", "!!! ???", "😃😃😃"]:
        text = SEED_PAGE.replace("Jobrettet coaching til afklaring af jobmuligheder", title, 1)
        r = client.post("/v1/initiatives", content=text.encode(), headers=TEXT)
        assert r.status_code == 201, (title, r.text)
        ids.append(r.json()["id"])
        assert client.get(f"/v1/initiatives/{ids[-1]}").json()["title"] == title
    assert len(set(ids)) == 3 and not any(i.endswith("-") for i in ids), ids
