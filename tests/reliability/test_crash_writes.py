"""kill -9 a serving process in the middle of writes, at seeded random moments.

After each kill the server must come back ready, and every write that got a 2xx must be
there (POST/PUT content present, DELETE gone). A write in flight when the process died may
have happened or not, but nothing else is allowed: no torn page, no stray temp file, no
index that is a mix of versions.
"""

from __future__ import annotations

import os
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.reliability.checks import live_index_problems
from tests.reliability.harness import KEY, Server, page

TRIALS = int(os.environ.get("INDSATS_CRASH_TRIALS", "4"))
SEED = int(os.environ.get("INDSATS_CRASH_SEED", "20261123"))
AUTH = {"X-API-Key": KEY, "Content-Type": "text/plain; charset=utf-8"}


@dataclass
class Ledger:
    """What the clients were told: id -> expected marker (None = deleted), and the ids
    whose last write was cut off by the kill (either outcome is then correct)."""

    expected: dict[str, str | None] = field(default_factory=dict)
    in_flight: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    acknowledged: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def writer(
    base: str,
    ledger: Ledger,
    rnd: random.Random,
    trial: int,
    stop: threading.Event,
    failures: list[BaseException],
) -> None:
    try:
        _write_until_killed(base, ledger, rnd, trial, stop)
    except BaseException as exc:  # surfaced in the test's thread
        failures.append(exc)


def _write_until_killed(
    base: str, ledger: Ledger, rnd: random.Random, trial: int, stop: threading.Event
) -> None:
    n = 0
    with httpx.Client(base_url=base, timeout=30) as client:
        while not stop.is_set():
            n += 1
            with ledger.lock:
                existing = [i for i, m in ledger.expected.items() if m is not None]
            choice = rnd.random()
            if existing and choice < 0.25:
                target = rnd.choice(existing)
                tag = ledger_tag(target)
                marker = f"markør-{trial}-{n}"
                text, _ = page(tag, extra=marker)
                op: tuple[str, str, str | None] = ("PUT", target, marker)
            elif existing and choice < 0.35:
                target = rnd.choice(existing)
                op = ("DELETE", target, None)
            else:
                tag = f"t{trial}-{n}"
                marker = f"markør-{trial}-{n}"
                text, target = page(tag, extra=marker)
                op = ("POST", target, marker)
            method, target, op_marker = op
            with ledger.lock:
                ledger.in_flight[target] = (ledger.expected.get(target), op_marker)
            try:
                if method == "POST":
                    r = client.post("/v1/initiatives", content=text.encode(), headers=AUTH)
                elif method == "PUT":
                    r = client.put(f"/v1/initiatives/{target}", content=text.encode(), headers=AUTH)
                else:
                    r = client.delete(f"/v1/initiatives/{target}", headers=AUTH)
            except httpx.HTTPError:
                return  # the server died under us: this write stays in flight
            assert r.status_code < 500, r.text
            assert r.status_code in (200, 201, 204), (method, r.status_code, r.text)
            with ledger.lock:
                ledger.expected[target] = op_marker
                ledger.in_flight.pop(target, None)
                ledger.acknowledged += 1


def ledger_tag(initiative_id: str) -> str:
    """Back from `hedensted-proeveindsats-t3-7` to the tag `t3-7` (slugs are lower case)."""
    return initiative_id.removeprefix("hedensted-proeveindsats-")


def verify(base: str, ledger: Ledger) -> None:
    """Check every id against the ledger, then settle in-flight ids to what is there."""
    settled: dict[str, str | None] = {}
    with httpx.Client(base_url=base, timeout=30) as client:
        for initiative_id in sorted(set(ledger.expected) | set(ledger.in_flight)):
            marker = ledger.expected.get(initiative_id)
            r = client.get(f"/v1/initiatives/{initiative_id}")
            body = r.text
            if initiative_id in ledger.in_flight:
                before, after = ledger.in_flight[initiative_id]
                allowed = {_state(before), _state(after)}
            else:
                allowed = {_state(marker)}
            seen = "absent" if r.status_code == 404 else _marker_in(body)
            assert r.status_code in (200, 404), body
            assert seen in allowed, (initiative_id, seen, allowed)
            settled[initiative_id] = None if seen == "absent" else seen
    for initiative_id in ledger.in_flight:
        ledger.expected[initiative_id] = settled.get(initiative_id)
    ledger.in_flight.clear()


def _state(marker: str | None) -> str:
    return "absent" if marker is None else marker


def _marker_in(body: str) -> str:
    import re

    found = re.findall(r"markør-\d+-\d+", body)
    return found[0] if found else "no marker"


@pytest.mark.timeout(600)
def test_kill_9_during_writes(tmp_path: Path) -> None:
    rnd = random.Random(SEED)
    data = tmp_path / "data"
    ledger = Ledger()
    stats = []
    cut = 0  # kills that landed while a write was in flight
    for trial in range(TRIALS):
        server = Server(data, tmp_path / "server.log").start()
        verify(server.base, ledger)  # everything acknowledged before the last kill is there
        assert not list((data / "pages").glob(".tmp-*")), "temp files survived a restart"
        if (data / "index").exists():
            assert live_index_problems(data / "index") == []
        stop = threading.Event()
        failures: list[BaseException] = []
        thread = threading.Thread(
            target=writer,
            args=(server.base, ledger, random.Random(rnd.random()), trial, stop, failures),
        )
        before = ledger.acknowledged
        thread.start()
        time.sleep(rnd.uniform(0.3, 2.0))
        server.kill9()  # mid-write, most of the time
        stop.set()
        thread.join(timeout=60)
        if failures:
            raise failures[0]
        cut += bool(ledger.in_flight)
        stats.append(ledger.acknowledged - before)
    server = Server(data, tmp_path / "server.log").start()
    try:
        verify(server.base, ledger)
        if (data / "index").exists():
            assert live_index_problems(data / "index") == []
    finally:
        server.stop()
    assert ledger.acknowledged > 0, "no write was acknowledged: the test proved nothing"
    record_figure(
        f"crash_writes_{TRIALS}",
        {
            "trials": TRIALS,
            "kills_during_a_write": cut,
            "acknowledged_writes": ledger.acknowledged,
            "lost": 0,
            "seed": SEED,
        },
    )


def record_figure(name: str, values: dict[str, object]) -> None:
    from tests.reliability.figures import record

    record(name, values)
