"""Experiment: do concurrent queries gain from sharing model calls (bench/query_batcher.py)?

In one process, 32 threads embed distinct queries (no cache hits) for a fixed time:
  - shared: through `QueryBatcher` (queries that arrive together share one call);
  - separate: each thread calls `embed_batch([q])` itself, so model calls run side by side
    (what the engine does).
Same backend, same queries, same thread count; queries per second for each.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import ROOT, load_pool, spread
from bench.query_batcher import QueryBatcher


def _rate(call: Callable[[str], Any], queries: list[str], threads: int, seconds: float) -> float:
    counter = iter(range(len(queries)))
    lock = threading.Lock()
    done = 0
    stop = time.perf_counter() + seconds

    def worker() -> None:
        nonlocal done
        while time.perf_counter() < stop:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            call(queries[i])
            with lock:
                done += 1

    start = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return done / (time.perf_counter() - start)


def _alone(embedder: Any) -> Callable[[str], Any]:
    return lambda q: embedder.embed_batch([q])


def run(export_dir: Path, seconds: float, repeats: int, threads: int = 32) -> dict[str, Any]:
    from engine.embedding import load_embedder
    from engine.settings import Settings

    settings = Settings(data_dir=ROOT / "data", export_dir=export_dir)
    rates: dict[str, list[float]] = {"shared": [], "separate": []}
    for r in range(repeats):
        embedder = load_embedder(settings)  # fresh cache each time
        pool = load_pool(100_000, f"batch{r}-")
        batcher = QueryBatcher(embedder.embed_batch, max_batch=settings.batch_size)
        rates["shared"].append(_rate(batcher.embed, pool[:50_000], threads, seconds))
        rates["separate"].append(_rate(_alone(embedder), pool[50_000:], threads, seconds))
    return {
        "threads": threads,
        "seconds": seconds,
        "queries_per_s": {k: spread(v) for k, v in rates.items()},
        "gain": spread([s / p for s, p in zip(rates["shared"], rates["separate"], strict=True)]),
    }
