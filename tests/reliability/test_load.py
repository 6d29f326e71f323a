"""Load and soak on loopback with wrk: many clients, zero errors, memory that stays flat.

`make test` runs a short version (LOAD_SECONDS, SOAK_REQUESTS small); `make soak` runs
32 clients for 60 s and 20,000 requests. The server is the real app in two worker
processes with the fake embedder, so the figures measure the service, not the model.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import psutil
import pytest

from tests.reliability.figures import record
from tests.reliability.harness import ROOT, Server, running

LOAD_SECONDS = int(os.environ.get("INDSATS_LOAD_SECONDS", "10"))
SOAK_REQUESTS = int(os.environ.get("INDSATS_SOAK_REQUESTS", "3000"))
CLIENTS = 32
THREADS = 2
SCRIPT = ROOT / "tests" / "reliability" / "load" / "mix.lua"
WORDS = [
    "ledige",
    "ordblinde",
    "coaching",
    "mentor",
    "virksomhedspraktik",
    "løntilskud",
    "sygemeldte",
    "unge",
    "jobsøgning",
    "samtaler",
    "dagpenge",
    "langtidsledige",
    "uddannelse",
    "opkvalificering",
    "netværk",
    "virksomheder",
    "sprog",
    "integration",
    "motivation",
    "afklaring",
    "job",
    "fleksjob",
    "kontanthjælp",
]

pytestmark = pytest.mark.skipif(
    shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)"
)


def request_paths(base: str) -> list[str]:
    """A seeded mix of reads: searches in every mode and with filters, lists, details."""
    rnd = random.Random(8)
    listing = httpx.get(f"{base}/v1/initiatives", params={"k": 100}, timeout=60)
    assert listing.status_code == 200, listing.text
    initiatives = listing.json()["items"]
    catalogue = httpx.get(f"{base}/v1/practices", timeout=60)
    assert catalogue.status_code == 200, catalogue.text
    practices = catalogue.json()["items"]
    paths = []
    for n in range(300):
        q = quote(" ".join(rnd.sample(WORDS, rnd.randint(1, 4))))
        mode = ("hybrid", "lexical", "dense")[n % 3]
        extra = ["", "&municipality=Hedensted", "&min_evidence=2", "&target_group=Ledige"][n % 4]
        paths.append(f"/v1/search?q={q}&mode={mode}&k={1 + n % 10}{extra}")
    for item in initiatives:
        paths += [f"/v1/initiatives/{item['id']}", f"/v1/initiatives/{item['id']}/similar?k=3"]
    paths += [f"/v1/practices/{p['id']}" for p in practices[:20]]
    paths += ["/v1/initiatives?k=20", "/v1/practices", "/healthz", "/readyz"] * 5
    rnd.shuffle(paths)
    return paths


def run_wrk(server: Server, tmp: Path, seconds: int, limit: int = 0) -> dict[str, float]:
    paths = tmp / "paths.txt"
    paths.write_text("\n".join(request_paths(server.base)) + "\n", encoding="utf-8")
    done = tmp / f"done-{time.monotonic_ns()}"
    done.mkdir()
    env = {**os.environ, "WRK_PATHS": str(paths), "WRK_LIMIT": str(limit), "WRK_DONE": str(done)}
    cmd = ["wrk", f"-t{THREADS}", f"-c{CLIENTS}", f"-d{seconds}s", "--latency", "--timeout", "10s",
           "-s", str(SCRIPT), server.base]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if limit:
        while proc.poll() is None and len(list(done.iterdir())) < THREADS:
            time.sleep(0.1)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # wrk stops and prints its summary
    out, err = proc.communicate(timeout=seconds + 60)
    assert proc.returncode == 0, err
    return parse(out)


def parse(out: str) -> dict[str, float]:
    def unit_ms(value: str, unit: str) -> float:
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

    found = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    assert found, out
    stats: dict[str, float] = {"requests": int(found.group(1))}
    stats["seconds"] = float(found.group(2)) * (60 if found.group(3) == "m" else 1)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    stats["requests_per_second"] = float(rps.group(1)) if rps else 0.0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    stats["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    stats["socket_errors"] = sum(int(x) for x in sock.groups()) if sock else 0
    for pct in ("50", "90", "99"):
        lat = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s|m)\b", out)
        if lat:
            stats[f"latency_p{pct}_ms"] = round(unit_ms(*lat.groups()), 1)
    return stats


def rss_mib(server: Server) -> float:
    total = 0
    for pid in server.pids():
        with contextlib.suppress(psutil.NoSuchProcess):
            total += psutil.Process(pid).memory_info().rss
    return round(total / (1024 * 1024), 1)


@pytest.mark.timeout(900)
def test_32_clients_zero_errors(tmp_path: Path) -> None:
    with running(tmp_path / "data", tmp_path / "server.log", workers=2) as server:
        stats = run_wrk(server, tmp_path, LOAD_SECONDS)
    assert stats["requests"] > 0
    assert stats["non_2xx"] == 0, stats
    assert stats["socket_errors"] == 0, stats
    setup = {"clients": CLIENTS, "wrk_threads": THREADS, "server_workers": 2}
    record(f"load_{LOAD_SECONDS}s", {**setup, "duration_s": LOAD_SECONDS, **stats})


@pytest.mark.timeout(1800)
def test_memory_flat_over_many_requests(tmp_path: Path) -> None:
    with running(tmp_path / "data", tmp_path / "server.log", workers=2) as server:
        run_wrk(server, tmp_path, 120, limit=250)  # warm up: imports, caches, allocator
        start = rss_mib(server)
        stats = run_wrk(server, tmp_path, 1200, limit=SOAK_REQUESTS // THREADS)
        end = rss_mib(server)
    assert stats["requests"] >= SOAK_REQUESTS
    assert stats["non_2xx"] == 0 and stats["socket_errors"] == 0, stats
    growth = end - start
    assert growth < max(32.0, 0.15 * start), f"RSS grew from {start} to {end} MiB"
    memory = {"rss_start_mib": start, "rss_end_mib": end, "rss_growth_mib": round(growth, 1)}
    record(f"soak_{SOAK_REQUESTS}", {"clients": CLIENTS, "server_workers": 2, **memory, **stats})
