"""Parallel writes and searches through two worker processes sharing one data directory.

Writers own disjoint ids, so each id's last acknowledged write is well defined. Every
request must succeed; right after each acknowledged write a search (on a fresh connection,
so either worker may answer) must find it; at the end, every worker must show exactly the
acknowledged state and nothing else.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.reliability.figures import record
from tests.reliability.harness import KEY, SEEDS, page, running

WRITERS = int(os.environ.get("INDSATS_CONC_WRITERS", "4"))
OPS = int(os.environ.get("INDSATS_CONC_OPS", "6"))
READERS = 4
AUTH = {"X-API-Key": KEY, "Content-Type": "text/plain; charset=utf-8"}
SEED_COUNT = len(list(SEEDS.glob("*.txt")))


def fresh() -> httpx.Client:
    """No keep-alive: each request opens a new connection, which either worker may accept."""
    return httpx.Client(timeout=120, limits=httpx.Limits(max_keepalive_connections=0))


def guarded(fn: Callable[[], None], failures: list[BaseException]) -> Callable[[], None]:
    def run() -> None:
        try:
            fn()
        except BaseException as exc:
            failures.append(exc)

    return run


@pytest.mark.timeout(900)
def test_parallel_writes_and_searches_two_workers(tmp_path: Path) -> None:
    failures: list[BaseException] = []
    expected: dict[str, str | None] = {}
    counts = {"writes": 0, "reads": 0, "searches_after_write": 0}
    lock = threading.Lock()
    done = threading.Event()

    log_file = tmp_path / "server.log"
    with running(tmp_path / "data", log_file, workers=2, access_log=True) as server:
        base = server.base

        def writer(w: int) -> None:
            mine: dict[str, str | None] = {}
            with fresh() as client:
                for n in range(OPS):
                    marker = f"samtidig{w}x{n}"
                    if n % 3 == 2 and mine:
                        target = next(i for i, m in mine.items() if m is not None)
                        r = client.delete(f"{base}/v1/initiatives/{target}", headers=AUTH)
                        assert r.status_code == 204, r.text
                        mine[target] = None
                    elif n % 3 == 1 and mine:
                        target = next(i for i, m in mine.items() if m is not None)
                        tag = target.removeprefix("hedensted-proeveindsats-")
                        text = page(tag, extra=marker)[0]
                        r = client.put(
                            f"{base}/v1/initiatives/{target}", content=text, headers=AUTH
                        )
                        assert r.status_code == 200, r.text
                        mine[target] = marker
                    else:
                        text, target = page(f"w{w}-{n}", extra=marker)
                        r = client.post(f"{base}/v1/initiatives", content=text, headers=AUTH)
                        assert r.status_code == 201, r.text
                        mine[target] = marker
                    with lock:
                        counts["writes"] += 1
                    if mine[target] is not None:  # searchable as soon as acknowledged
                        r = client.get(
                            f"{base}/v1/search", params={"q": marker, "mode": "lexical", "k": 3}
                        )
                        assert r.status_code == 200, r.text
                        ids = [hit["id"] for hit in r.json()["items"]]
                        assert ids and ids[0] == target, (marker, ids)
                        with lock:
                            counts["searches_after_write"] += 1
            with lock:
                expected.update(mine)

        def reader(n: int) -> None:
            queries = ["ordblinde ledige", "jobrettet coaching", "virksomhedspraktik", "mentor"]
            with fresh() as client:
                i = 0
                while not done.is_set():
                    q = queries[(n + i) % len(queries)]
                    r = client.get(f"{base}/v1/search", params={"q": q, "k": 5})
                    assert r.status_code == 200, r.text
                    r = client.get(f"{base}/v1/initiatives", params={"k": 100})
                    assert r.status_code == 200, r.text
                    i += 1
                    with lock:
                        counts["reads"] += 2

        start = time.monotonic()
        writers = [
            threading.Thread(target=guarded(functools.partial(writer, w), failures))
            for w in range(WRITERS)
        ]
        readers = [
            threading.Thread(target=guarded(functools.partial(reader, n), failures))
            for n in range(READERS)
        ]
        for t in writers + readers:
            t.start()
        for t in writers:
            t.join(timeout=600)
        done.set()
        for t in readers:
            t.join(timeout=120)
        seconds = time.monotonic() - start
        if failures:
            raise failures[0]

        live = {i for i, m in expected.items() if m is not None}
        with fresh() as client:
            for _ in range(6):  # fresh connections: both workers get asked
                listing = client.get(f"{base}/v1/initiatives", params={"k": 100}).json()
                ids = {item["id"] for item in listing["items"]}
                assert listing["total"] == SEED_COUNT + len(live)
                assert {i for i in ids if i.startswith("hedensted-proeveindsats-")} == live
            for initiative_id, marker in expected.items():
                for _ in range(2):
                    r = client.get(f"{base}/v1/initiatives/{initiative_id}")
                    if marker is None:
                        assert r.status_code == 404
                    else:
                        assert r.status_code == 200 and marker in r.text
    log = log_file.read_text(encoding="utf-8", errors="replace")
    assert "Uventet fejl" not in log and "Traceback" not in log
    assert '"POST /v1/initiatives HTTP/1.1" 201' in log, "access log missing: check proves nothing"
    assert KEY not in log, "the API key reached the server log"
    record(
        f"concurrency_{WRITERS}x{OPS}",
        {"workers": 2, "writer_threads": WRITERS, "reader_threads": READERS,
         "acknowledged_writes": counts["writes"], "reads": counts["reads"],
         "searches_right_after_write": counts["searches_after_write"], "errors": 0,
         "lost_writes": 0, "seconds": round(seconds, 1)},
    )  # fmt: skip
