"""(3) Throughput with 1, 8 and 32 concurrent clients, 1 and 2 workers, errors counted.

The load tool is wrk (C, one thread, so it takes little of the two cores from the server),
bounded by `-d` seconds and `--timeout`. Every request is a distinct query (a fresh pool per
run, larger than a run can send), so each one is a cache miss and embeds: the heavy case.
Errors are wrk's socket errors plus non-2xx answers.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import urllib.parse
from pathlib import Path
from typing import Any

from bench.common import ROOT, load_pool, spread
from bench.server import serve

log = logging.getLogger(__name__)
SCRIPT = ROOT / "bench" / "wrk_queries.lua"
LEVELS = (1, 8, 32)


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def _wrk(port: int, clients: int, seconds: int, paths: Path) -> dict[str, Any]:
    cmd = [
        "wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(SCRIPT), f"http://127.0.0.1:{port}", "--", str(paths),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stdout[-500:]} {proc.stderr}")
    raw = json.loads(line.removeprefix("WRKJSON "))
    errors = sum(raw[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "requests": raw["requests"],
        "errors": errors,
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
    }


def _pool_file(directory: Path, salt: str, n: int) -> Path:
    path = directory / f"paths-{salt}.txt"
    lines = ["/v1/search?" + urllib.parse.urlencode({"q": q, "k": 10}) for q in load_pool(n, salt)]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def run(
    data_dir: Path, seconds: int, repeats: int, settings: dict[str, str], workers: tuple[int, ...]
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    work = data_dir / "wrk"
    work.mkdir(parents=True, exist_ok=True)
    pool_size = max(2000, seconds * 2000)
    for w in workers:
        samples: dict[int, list[dict[str, Any]]] = {c: [] for c in LEVELS}
        with serve(data_dir, settings, workers=w) as server:
            _wrk(server.port, 4, 2, _pool_file(work, f"warm{w}-", 2000))  # both workers warm
            for r in range(repeats):
                for c in LEVELS:
                    log.info("load: %d worker(s), %d clients, repeat %d", w, c, r + 1)
                    paths = _pool_file(work, f"w{w}c{c}r{r}-", pool_size)
                    samples[c].append(_wrk(server.port, c, seconds, paths))
        results[str(w)] = {
            str(c): {
                "rps": spread([s["rps"] for s in runs]),
                "p50_ms": spread([s["p50_ms"] for s in runs]),
                "p99_ms": spread([s["p99_ms"] for s in runs]),
                "errors": sum(s["errors"] for s in runs),
                "requests": sum(s["requests"] for s in runs),
            }
            for c, runs in samples.items()
        }
    return {"seconds": seconds, "repeats": repeats, "workers": results}
