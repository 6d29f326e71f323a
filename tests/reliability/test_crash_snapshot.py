"""kill -9 while the next snapshot is built beside the live one.

A write stores its page, then builds the next snapshot (records, index, vectors) beside the
live one and makes it live by swapping `CURRENT`; requests read the live one meanwhile. Two
ways to kill it:

- a child process doing one write is SIGKILLed just before its N-th file-system step, N
  drawn from a seed over every step of the write (the page file, the version directory,
  its files, the rename, `CURRENT`, the collection of old versions);
- a real server process is SIGKILLed while a write is held inside its embedding (a FIFO
  tells the test it got there), after reads have been answered from the live snapshot
  during that write.

After each kill: `CURRENT` names a complete version, the old snapshot or the new one (never a
mix); the next start serves, holds the page exactly when its file survived, finds it by
search, and leaves no temp file or directory behind; nothing acknowledged is lost.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from tests.reliability.checks import live_index_problems
from tests.reliability.figures import record
from tests.reliability.harness import KEY, SEEDS, Server, page
from tests.reliability.snapshot_child import snapshot_page

ROOT = Path(__file__).resolve().parents[2]
TRIALS = int(os.environ.get("INDSATS_CRASH_TRIALS", "4"))
SEED = int(os.environ.get("INDSATS_CRASH_SEED", "20261123"))
AUTH = {"X-API-Key": KEY, "Content-Type": "text/plain; charset=utf-8"}


def child(data: Path, kill_at: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.reliability.snapshot_child", str(data), str(kill_at)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=180,
    )


def live_ids(data: Path) -> set[str]:
    """The page ids of the snapshot `CURRENT` names, read from its own records."""
    index = data / "index"
    name = (index / "CURRENT").read_text(encoding="utf-8").strip()
    lines = (index / name / "records.jsonl").read_text(encoding="utf-8").splitlines()
    return {json.loads(line)["page"]["id"] for line in lines}


def leftovers(data: Path) -> list[str]:
    return [p.name for d in ("index", "pages") for p in (data / d).glob(".tmp-*")]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    base = tmp_path_factory.mktemp("snapshot-crash")
    built = child(base / "data", -1)
    assert built.returncode == 0, built.stderr[-2000:]
    probe = base / "probe"
    shutil.copytree(base / "data", probe)
    done = child(probe, 0)
    assert done.returncode == 0, done.stderr[-2000:]
    return base / "data", int(json.loads(done.stdout.strip().splitlines()[-1])["steps"])


@pytest.mark.timeout(900)
def test_killed_write_leaves_the_old_or_the_new_snapshot(
    template: tuple[Path, int], tmp_path: Path
) -> None:
    from engine.facade.engine import Engine
    from engine.search.query import SearchQuery
    from engine.shared.settings import Settings
    from tests.fakes import FakeEmbedder

    source, steps = template
    _, new_id = snapshot_page()
    rnd = random.Random(SEED)
    points = sorted(rnd.sample(range(1, steps + 1), min(TRIALS, steps)))
    outcomes = {"old": 0, "new": 0, "page_kept": 0}
    for kill_at in points:
        data = tmp_path / f"kill-{kill_at}"
        shutil.copytree(source, data)
        before = live_ids(data)
        killed = child(data, kill_at)
        assert killed.returncode == -9, (kill_at, killed.returncode, killed.stderr[-2000:])
        assert live_index_problems(data / "index") == [], kill_at
        live = live_ids(data)
        assert live in (before, before | {new_id}), kill_at  # old or new, never a mix
        outcomes["new" if new_id in live else "old"] += 1
        stored = (data / "pages" / f"{new_id}.json").exists()
        outcomes["page_kept"] += stored
        engine = Engine.open(Settings(data_dir=data, seeds_dir=SEEDS), FakeEmbedder())
        assert (engine.corpus.initiative(new_id) is not None) == stored, kill_at
        if stored:
            found = engine.search(SearchQuery("øjebliksbillede bygget ved siden af", k=3))
            assert new_id in [r.id for r in found.results], kill_at
        assert before - {new_id} <= {i.id for i in engine.corpus.initiatives}
        assert leftovers(data) == [], (kill_at, leftovers(data))
        assert live_index_problems(data / "index") == []
        shutil.rmtree(data)
    record(
        f"crash_snapshot_steps_{len(points)}",
        {"write_steps": steps, "kills": len(points), "old_snapshot_after_kill": outcomes["old"],
         "new_snapshot_after_kill": outcomes["new"], "page_file_kept": outcomes["page_kept"],
         "mixed": 0, "seed": SEED},
    )  # fmt: skip


@pytest.mark.timeout(300)
def test_server_killed_while_a_snapshot_is_built_beside_the_live_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    fifo = tmp_path / "bygger"
    os.mkfifo(fifo)
    acknowledged, acknowledged_id = page("kvitteret-foer")
    held, held_id = page("holdt-under-bygning", extra="HOLD-DENNE-SKRIVNING")
    server = Server(data, tmp_path / "server.log", env={"INDSATS_TEST_HOLD_FIFO": str(fifo)})
    server.start()
    try:
        with httpx.Client(base_url=server.base, timeout=30) as client:
            r = client.post("/v1/initiatives", content=acknowledged.encode(), headers=AUTH)
            assert r.status_code == 201, r.text
        outcome: list[object] = []

        def write() -> None:
            try:
                with httpx.Client(base_url=server.base, timeout=120) as client:
                    outcome.append(
                        client.post("/v1/initiatives", content=held.encode(), headers=AUTH)
                    )
            except httpx.HTTPError as exc:  # the kill cuts it off
                outcome.append(exc)

        writer = threading.Thread(target=write)
        writer.start()
        with fifo.open("r", encoding="utf-8") as signal:  # opens once the build is held
            assert signal.readline().strip() == "bygger"
        with httpx.Client(base_url=server.base, timeout=10) as client:
            for _ in range(5):  # answered from the live snapshot while the write builds
                assert client.get("/v1/search", params={"q": "ledige"}).status_code == 200
            assert client.get(f"/v1/initiatives/{acknowledged_id}").status_code == 200
            assert client.get(f"/v1/initiatives/{held_id}").status_code == 404
        server.kill9()
        writer.join(60)
        assert outcome and not isinstance(outcome[0], httpx.Response), outcome
    finally:
        server.kill9()
    assert live_index_problems(data / "index") == []
    assert held_id not in live_ids(data)  # the write was cut off before its snapshot
    restarted = Server(data, tmp_path / "server.log").start()
    try:
        with httpx.Client(base_url=restarted.base, timeout=30) as client:
            assert client.get(f"/v1/initiatives/{acknowledged_id}").status_code == 200
            held_now = client.get(f"/v1/initiatives/{held_id}").status_code
            assert held_now == (200 if (data / "pages" / f"{held_id}.json").exists() else 404)
            assert client.get("/v1/search", params={"q": "ledige"}).status_code == 200
    finally:
        restarted.stop()
    assert leftovers(data) == [] and live_index_problems(data / "index") == []
