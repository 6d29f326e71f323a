"""Shared pieces: timing summaries, the machine description, the query sets, child processes.

A figure is always a list of samples (milliseconds or a rate) per repeat; the report shows
min/median/max of each statistic over the repeats, so one noisy repeat is visible as spread
instead of silently shifting the headline.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
RELEVANCE = ROOT / "tests" / "relevance" / "queries.json"


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    values = np.asarray(samples_ms, dtype=np.float64)
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return {"p50": float(p50), "p95": float(p95), "p99": float(p99), "n": int(values.size)}


def spread(values: Sequence[float]) -> dict[str, float]:
    """min/median/max of one statistic over the repeats."""
    return {
        "min": float(min(values)),
        "median": float(statistics.median(values)),
        "max": float(max(values)),
    }


def over_repeats(runs: Sequence[dict[str, float]]) -> dict[str, dict[str, float]]:
    """[{'p50': .., 'p99': ..}, ...] per repeat -> {'p50': spread, 'p99': spread}."""
    keys = [k for k in runs[0] if k != "n"]
    return {k: spread([r[k] for r in runs]) for k in keys}


def machine() -> dict[str, Any]:
    cpu = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram_gib = 0.0
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gib = int(line.split()[1]) / 1024 / 1024
    packages = [
        "torch", "sentence-transformers", "transformers", "onnxruntime", "tokenizers",
        "faiss-cpu", "bm25s", "numpy", "fastapi", "uvicorn", "orjson",
    ]  # fmt: skip
    versions = {}
    for name in packages:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    versions["wrk"] = (wrk.stdout or wrk.stderr).split("[")[0].strip().removeprefix("wrk ")
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(ram_gib, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
        "load_before": os.getloadavg(),
        "date_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "versions": versions,
    }


def _git(*args: str) -> str:
    out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return out.stdout.strip()


# -- queries ---------------------------------------------------------------------------------
_WHO = [
    "ledige", "langtidsledige", "nyledige", "unge uden uddannelse", "sygemeldte",
    "dagpengemodtagere", "kontanthjælpsmodtagere", "ordblinde borgere", "flygtninge",
    "seniorer over 60", "borgere med angst", "akademikere", "ufaglærte", "enlige forsørgere",
    "borgere med misbrug", "long-term unemployed", "young people without education",
    "ledige med svage læsefærdigheder", "borgere i ressourceforløb", "jobparate ledige",
]  # fmt: skip
_WHAT = [
    "{who} der skal i virksomhedspraktik",
    "jobsøgningskursus for {who}",
    "coaching af {who}",
    "mentor til {who}",
    "hvordan får vi {who} i job",
    "opkvalificering og FVU for {who}",
    "intensive samtaler med {who}",
    "løntilskud til {who}",
    "samarbejde med virksomheder om {who}",
    "resultater for {who} efter et år",
]  # fmt: skip


def distinct_queries(n: int = 200) -> list[str]:
    """`n` distinct consultant-style queries: the judged ones first, then combinations."""
    judged = [q["text"] for q in json.loads(RELEVANCE.read_text("utf-8"))["queries"]]
    combos = (w.format(who=who) for w, who in itertools.product(_WHAT, _WHO))
    seen: dict[str, None] = {}
    for q in itertools.chain(judged, combos):
        seen.setdefault(q, None)
        if len(seen) == n:
            break
    if len(seen) < n:
        raise ValueError(f"only {len(seen)} distinct queries available, {n} asked for")
    return list(seen)


def load_pool(n: int, salt: str) -> list[str]:
    """Many distinct queries for load tests (cache misses): combinations plus a case number,
    the way a case-management system would send a situation with a reference."""
    base = [w.format(who=who) for w, who in itertools.product(_WHAT, _WHO)]
    return [f"{q} sag {salt}{i}" for i, q in zip(range(n), itertools.cycle(base), strict=False)]


# -- processes -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def child_env(data_dir: Path, **settings: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "INDSATS_DATA_DIR": str(data_dir),
            "INDSATS_SEEDS_DIR": str(ROOT / "seeds"),
        }
    )
    env.update({f"INDSATS_{k.upper()}": v for k, v in settings.items()})
    return env


def run_json(args: Sequence[str], env: dict[str, str], timeout: float) -> Any:
    """Run a child that prints one JSON document as its last stdout line."""
    proc = subprocess.run(
        list(args), env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def python() -> str:
    return sys.executable


def verdict(ok: bool | None, text: str) -> str:
    """A target's result cell: met, not met, or n/a when the figures cannot say."""
    mark = "n/a" if ok is None else ("**met**" if ok else "**not met**")
    return f"{mark}: {text}"


def not_run(section: dict[str, Any] | None, add: Callable[[str], None]) -> bool:
    if section is None:
        add("_Not run._")
        add("")
        return True
    if "error" in section:
        add(f"_Failed: {section['error']}_")
        add("")
        return True
    return False
