"""kill -9 an index build at seeded random file-system steps; corrupt index files on disk.

The child (`crash_child.py`) kills itself just before its N-th write step, so every point of
a build can be hit deterministically: while embedding, half way through writing the faiss
file, after the rename of the version directory but before `CURRENT` moves, during garbage
collection. After each kill the live index must be the old one or the new one, complete
(its manifest checksums match), never empty and never a mix; the next build must succeed
and leave no temp directories behind.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.checks import live_index_problems
from tests.reliability.figures import record

ROOT = Path(__file__).resolve().parents[2]
TRIALS = int(os.environ.get("INDSATS_CRASH_TRIALS", "4"))
SEED = int(os.environ.get("INDSATS_CRASH_SEED", "20261123"))


def run_child(data_dir: Path, variant: str, kill_at: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.reliability.crash_child",
            str(data_dir),
            variant,
            str(kill_at),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def finished(data_dir: Path, variant: str) -> dict[str, object]:
    result = run_child(data_dir, variant, 0)
    assert result.returncode == 0, result.stderr
    out: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return out


def live_hash(data_dir: Path) -> str | None:
    index = data_dir / "index"
    if not (index / "CURRENT").exists():
        return None
    name = (index / "CURRENT").read_text(encoding="utf-8").strip()
    manifest = json.loads((index / name / "manifest.json").read_text(encoding="utf-8"))
    return str(manifest["corpus_hash"])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A data dir with index A, and the step count and hash of a rebuild to B."""
    base = tmp_path_factory.mktemp("index-crash")
    a = finished(base / "a", "a")
    probe = base / "probe"
    shutil.copytree(base / "a", probe)
    b = finished(probe, "b")
    first = finished(base / "first", "b")
    assert b["built"] and a["corpus_hash"] != b["corpus_hash"]
    return {"dir": base / "a", "a": a, "b": b, "first_steps": first["steps"]}


def kill_points(total: int, rnd: random.Random) -> list[int]:
    if total <= TRIALS:
        return list(range(1, total + 1))
    return sorted(rnd.sample(range(1, total + 1), TRIALS))


@pytest.mark.timeout(900)
def test_killed_rebuild_leaves_old_or_new_index(built: dict[str, object], tmp_path: Path) -> None:
    a, b = built["a"], built["b"]
    assert isinstance(a, dict) and isinstance(b, dict)
    steps = int(b["steps"])
    points = kill_points(steps, random.Random(SEED))
    outcomes = {"old": 0, "new": 0}
    for n, kill_at in enumerate(points):
        data = tmp_path / f"trial-{n}"
        shutil.copytree(built["dir"], data)  # type: ignore[arg-type]
        result = run_child(data, "b", kill_at)
        assert result.returncode == -9, (kill_at, result.returncode, result.stderr[-2000:])
        assert live_index_problems(data / "index") == [], kill_at
        live = live_hash(data)
        assert live in (a["corpus_hash"], b["corpus_hash"]), kill_at
        outcomes["old" if live == a["corpus_hash"] else "new"] += 1
        again = finished(data, "b")  # the next start rebuilds or loads B
        assert again["corpus_hash"] == b["corpus_hash"] and again["passages"] == b["passages"]
        assert live_index_problems(data / "index") == []
        assert not list((data / "index").glob(".tmp-*")), "temp dirs of the killed build stayed"
        shutil.rmtree(data)
    record(
        f"crash_index_rebuild_{len(points)}",
        {"build_steps": steps, "kills": len(points), "old_index_after_kill": outcomes["old"],
         "new_index_after_kill": outcomes["new"], "mixed_or_empty": 0, "seed": SEED},
    )  # fmt: skip


@pytest.mark.timeout(900)
def test_killed_first_build_leaves_no_index_or_a_complete_one(
    built: dict[str, object], tmp_path: Path
) -> None:
    b = built["b"]
    assert isinstance(b, dict)
    points = kill_points(int(built["first_steps"]), random.Random(SEED + 1))  # type: ignore[call-overload]
    for kill_at in points:
        data = tmp_path / f"first-{kill_at}"
        result = run_child(data, "b", kill_at)
        assert result.returncode == -9
        live = live_hash(data)
        if live is not None:  # a complete new index, never a half one
            assert live_index_problems(data / "index") == []
            assert live == b["corpus_hash"]
        assert finished(data, "b")["corpus_hash"] == b["corpus_hash"]
        shutil.rmtree(data)


# -- corrupted or truncated files are detected by checksum and rebuilt -------------------------
def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif how == "flip":
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :])
    elif how == "empty":
        path.write_bytes(b"")
    else:
        path.unlink()


def _version_files(data: Path) -> list[str]:
    index = data / "index"
    name = (index / "CURRENT").read_text(encoding="utf-8").strip()
    return sorted(
        p.relative_to(index / name).as_posix() for p in (index / name).rglob("*") if p.is_file()
    )


@pytest.mark.parametrize("how", ["truncate", "flip", "empty", "delete"])
def test_damaged_index_file_is_detected_and_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, how: str
) -> None:
    from engine.search.indexing import open_index
    from engine.shared.settings import Settings
    from tests.fakes import FakeEmbedder
    from tests.reliability.crash_child import corpus_for

    settings = Settings(data_dir=tmp_path / "data")
    corpus = corpus_for("a")
    first, _ = open_index(settings, corpus, FakeEmbedder())
    files = _version_files(settings.data_dir)
    assert "manifest.json" in files and len(files) >= 4
    for rel in files:
        if rel == "manifest.json" and how == "flip":
            continue  # a flipped byte in JSON may still parse; covered by truncate/empty
        shutil.rmtree(settings.data_dir)
        open_index(settings, corpus, FakeEmbedder())
        name = (settings.index_dir / "CURRENT").read_text(encoding="utf-8").strip()
        _damage(settings.index_dir / name / rel, how)
        caplog.clear()
        with caplog.at_level(logging.INFO):
            again, report = open_index(settings, corpus, FakeEmbedder())
        assert report.built, f"{how} {rel} went unnoticed"
        reasons = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        assert any("Bygger søgeindekset" in m for m in reasons), reasons
        assert len(again.passages) == len(first.passages)
        assert live_index_problems(settings.index_dir) == []


@pytest.mark.parametrize("content", ["", "v-99-deadbeef\n", "../../etc\n", "\x00\x01"])
def test_damaged_current_pointer_is_rebuilt(tmp_path: Path, content: str) -> None:
    from engine.search.indexing import open_index
    from engine.shared.settings import Settings
    from tests.fakes import FakeEmbedder
    from tests.reliability.crash_child import corpus_for

    settings = Settings(data_dir=tmp_path / "data")
    corpus = corpus_for("a")
    open_index(settings, corpus, FakeEmbedder())
    (settings.index_dir / "CURRENT").write_text(content, encoding="utf-8")
    again, report = open_index(settings, corpus, FakeEmbedder())
    assert report.built and len(again.passages) > 0
    assert live_index_problems(settings.index_dir) == []


# -- the real `indsats build` command, killed at seeded steps and at seeded moments -----------
def run_cli(data: Path, kill_at: int | None, timeout: float = 120) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "INDSATS_DATA_DIR": str(data),
        "INDSATS_SEEDS_DIR": str(ROOT / "seeds"),
    }
    if kill_at is not None:
        env["INDSATS_CRASH_KILL_AT"] = str(kill_at)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.cli_fake", "build"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def cli_build(data: Path, kill_at: int | None = 0) -> tuple[int, str, str]:
    proc = run_cli(data, kill_at)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


@pytest.mark.timeout(900)
def test_killed_indsats_build_leaves_old_or_new_index(tmp_path: Path) -> None:
    from tests.reliability.harness import page

    old = tmp_path / "old"
    rc, _, err = cli_build(old)
    assert rc == 0, err
    old_hash = live_hash(old)
    text, new_id = page("crash-build", extra="En side skrevet mellem to builds.")
    (old / "pages").mkdir(parents=True, exist_ok=True)
    (old / "pages" / f"{new_id}.txt").write_text(text, encoding="utf-8")
    probe = tmp_path / "probe"
    shutil.copytree(old, probe)
    rc, out, err = cli_build(probe)
    assert rc == 0 and "bygget" in out, err
    steps = int(err.rsplit("crash-steps=", 1)[1].split()[0])
    new_hash = live_hash(probe)
    assert new_hash not in (None, old_hash)
    rnd = random.Random(SEED + 2)
    kills = kill_points(steps, rnd)
    # Step kills hit every phase of the build; a few timed kills hit wherever they land.
    timed = [rnd.uniform(0.2, 2.0) for _ in range(max(2, TRIALS // 2))]
    outcomes = {"old": 0, "new": 0}
    for n, point in enumerate([*kills, *timed]):
        data = tmp_path / f"trial-{n}"
        shutil.copytree(old, data)
        if isinstance(point, int):
            rc, _, err = cli_build(data, point)
            assert rc == -9, (point, rc, err[-2000:])
        else:
            proc = run_cli(data, None)
            try:
                proc.wait(timeout=point)
            except subprocess.TimeoutExpired:
                proc.kill()  # SIGKILL, to this one child only
                proc.wait()
            proc.communicate()
        assert live_index_problems(data / "index") == [], point
        live = live_hash(data)
        assert live in (old_hash, new_hash), point
        outcomes["old" if live == old_hash else "new"] += 1
        rc, out, err = cli_build(data)  # the next run repairs: builds or finds it current
        assert rc == 0, err
        assert live_hash(data) == new_hash and live_index_problems(data / "index") == []
        shutil.rmtree(data)
    record(
        f"crash_indsats_build_{len(kills) + len(timed)}",
        {"build_steps": steps, "step_kills": len(kills), "timed_kills": len(timed),
         "old_index_after_kill": outcomes["old"], "new_index_after_kill": outcomes["new"],
         "mixed_or_empty": 0, "seed": SEED},
    )  # fmt: skip
