"""What one request may cost: checklist answers per page on every path, and the work of a
batch of searches (its size, and each client's share over time).

A 782 kB text page with 8,000 checklist answers took 288 s to store, and every later write
206 s under the writers' lock; the JSON path capped answers per test only, the text path not
at all. 100 batch queries of 2,000 characters cost ~12 CPU-seconds a request, with no limit
on how many one client sent.
"""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from engine.domain.models import MAX_ANSWERS_PER_PAGE
from engine.domain.parser import parse_page
from tests.reliability.conftest import ClientFactory
from tests.reliability.figures import record
from tests.reliability.harness import KEY, SEED_PAGE, SEED_TITLE, page

WRITE = {"Content-Type": "text/plain; charset=utf-8", "X-API-Key": KEY}
KEYED = {"X-API-Key": KEY}
SEED_ID = "hedensted-jobrettet-coaching-til-afklaring-af-jobmuligheder"
SEED_ANSWERS = len(list(parse_page(SEED_PAGE, "seed").answers()))


def _with_answers(title: str, extra: int) -> str:
    """The seed page under `title` with `extra` distinct answers in a third test block."""
    text = SEED_PAGE.replace(SEED_TITLE, title, 1)
    bullets = "".join(
        f" • Ja: Mindst 9 ud af 10 borgere får tilbud nummer {n}\n" for n in range(extra)
    )
    return text.rstrip("\n") + f"\n\n1,0\nTest vedr. uddannelse\n\nMange svar\n\n{bullets}"


def _record(answers_per_test: list[int]) -> dict[str, object]:
    return {
        "municipality": "Hedensted",
        "title": "Mange svar som JSON",
        "sections": [{"name": "Gode råd", "text": "Hold samtaler."}],
        "tests": [
            {
                "test": "evidence",
                "name": f"Test {t}",
                "score": 2.0,
                "answers": [
                    {"level": "ja", "text": f"Mindst 9 ud af 10 borgere får tilbud {t}-{n}"}
                    for n in range(count)
                ],
            }
            for t, count in enumerate(answers_per_test)
        ],
    }


def test_checklist_answers_per_page_are_capped_on_every_path(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    """Text and JSON, POST and PUT, and a file among the pages: over the cap is refused
    before any work (422, naming the limit); at the cap is stored."""
    with make_client() as client:
        started = time.perf_counter()
        huge = client.post(
            "/v1/initiatives", content=_with_answers("Enorm", 8000).encode(), headers=WRITE
        )
        refused_s = time.perf_counter() - started
        assert huge.status_code == 422 and huge.json()["code"] == "invalid_page", huge.text
        assert f"højst {MAX_ANSWERS_PER_PAGE}" in huge.json()["detail"]
        over = _with_answers(SEED_TITLE, MAX_ANSWERS_PER_PAGE - SEED_ANSWERS + 1)
        put = client.put(f"/v1/initiatives/{SEED_ID}", content=over.encode(), headers=WRITE)
        assert put.status_code == 422 and "højst" in put.json()["detail"], put.text
        split = _record([MAX_ANSWERS_PER_PAGE // 2 + 1] * 2)  # each test within, the page not
        as_json = client.post("/v1/initiatives", json=split, headers=KEYED)
        assert as_json.status_code == 422, as_json.text
        assert as_json.json()["code"] == "invalid_page"
        one_test = client.post(
            "/v1/initiatives", json=_record([MAX_ANSWERS_PER_PAGE + 1]), headers=KEYED
        )
        assert one_test.status_code == 422, one_test.text
        assert one_test.json()["code"] == "invalid_input", one_test.text

        at_cap = _with_answers("Fuld tjekliste", MAX_ANSWERS_PER_PAGE - SEED_ANSWERS)
        started = time.perf_counter()
        stored = client.post("/v1/initiatives", content=at_cap.encode(), headers=WRITE)
        stored_s = time.perf_counter() - started
        assert stored.status_code == 201, stored.text
        small, _ = page("lille-efter-fuld")
        started = time.perf_counter()
        assert (
            client.post("/v1/initiatives", content=small.encode(), headers=WRITE).status_code == 201
        )
        next_s = time.perf_counter() - started
    pages = tmp_path / "data" / "pages"
    (pages / "haandlagt.txt").write_text(_with_answers("Håndlagt", 8000), encoding="utf-8")
    with make_client() as client:
        ready = client.get("/readyz").json()
        assert any(e.startswith("haandlagt.txt:") and "højst" in e for e in ready["load_errors"])
        assert client.get("/v1/search?q=ledige").status_code == 200
    record(
        "limits_answers_per_page",
        {"cap": MAX_ANSWERS_PER_PAGE, "refused_8000_answers_s": round(refused_s, 2),
         "stored_at_cap_s": round(stored_s, 2), "next_small_write_s": round(next_s, 2),
         "embedder": "fake (hashing)"},
    )  # fmt: skip


# -- the work of a batch --------------------------------------------------------------------------
def _batch(n: int, chars: int, tag: str = "") -> dict[str, object]:
    """`n` queries of `chars` characters each, words that differ (no cache helps)."""
    queries = []
    for q in range(n):
        words = " ".join(f"ledige{tag}{q}x{w}" for w in range(chars))
        queries.append(words[:chars])
    return {"queries": queries, "k": 1}


def test_a_batch_over_its_size_budget_is_refused_with_413(client: TestClient) -> None:
    limit = 20_000  # INDSATS_MAX_BATCH_CHARS's default
    at = client.post("/v1/search/batch", json=_batch(10, limit // 10))
    assert at.status_code == 200 and len(at.json()["items"]) == 10, at.text[:300]
    over = client.post("/v1/search/batch", json=_batch(11, 2000))
    assert over.status_code == 413, over.text[:300]
    error = over.json()
    assert error["code"] == "payload_too_large"
    assert "22000 tegn" in error["detail"] and f"højst {limit}" in error["detail"]


def test_a_client_past_its_share_gets_429_with_retry_after(make_client: ClientFactory) -> None:
    """The budget counts batch characters a client address; others are not held back."""
    with make_client(batch_chars_per_minute=50_000) as client:
        answers = [client.post("/v1/search/batch", json=_batch(10, 2000, str(n))) for n in range(3)]
        statuses = [r.status_code for r in answers]
        assert statuses == [200, 200, 429], statuses  # 20,000 + 20,000, then over 50,000
        refused = answers[2]
        assert refused.json()["code"] == "too_many_requests"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert client.post("/v1/search/batch", json=_batch(1, 20, "x")).status_code == 200
        assert client.get("/v1/search?q=ledige").status_code == 200  # single searches go on
        other = TestClient(client.app, client=("10.0.0.2", 5000))  # another client address
        assert other.post("/v1/search/batch", json=_batch(1, 20, "y")).status_code == 200
