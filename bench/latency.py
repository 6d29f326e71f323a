"""(1) Latency floor ratio and (2) cache hits, plus start-up time to ready.

One repeat, all on the same 200 distinct queries:
  a. bare `SentenceTransformer.encode([q])` (torch, the issue's floor) and the bare onnx
     backend call (`embed_batch([q])`, no cache) in this process, server idle;
  b. a fresh server: GET /v1/search for each query (every one a cache miss), then the same
     200 again (cache hits);
  c. another fresh server: POST /v1/recommend with each query as the situation (misses).
Fresh servers make every first request a miss without turning the cache off.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import over_repeats, percentiles, spread
from bench.server import Client, serve

log = logging.getLogger(__name__)


def _time_each(queries: list[str], call: Callable[[str], Any]) -> list[float]:
    out = []
    for q in queries:
        start = time.perf_counter()
        call(q)
        out.append((time.perf_counter() - start) * 1000)
    return out


def _searcher(client: Client) -> Callable[[str], bytes]:
    return lambda q: client.get("/v1/search", q=q, k=10)


def _recommender(client: Client) -> Callable[[str], bytes]:
    return lambda q: client.post("/v1/recommend", {"situation": q, "k": 5})


def run(
    data_dir: Path, queries: list[str], repeats: int, settings: dict[str, str]
) -> dict[str, Any]:
    from sentence_transformers import SentenceTransformer

    from engine.embedding import load_embedder
    from engine.embedding.bundled import resolve_model
    from engine.serving.searchers import open_searcher
    from engine.shared.settings import Settings
    from engine.storage.pages import load_stored_corpus

    # The configured model (INDSATS_MODEL), as the server loads it: the same call, with the
    # same threads and prefix, as the server's backend makes for a query; and the text it
    # really embeds (the query with its thesaurus gloss, see engine/search/analysis).
    served = Settings(data_dir=data_dir, export_dir=Path(settings["export_dir"]))
    if "model" in settings:  # another model than the configured one, for a comparison
        served = served.model_copy(update={"model": settings["model"]})
    model = SentenceTransformer(resolve_model(served.model, served.models_dir), device="cpu")
    onnx = load_embedder(served)
    searcher, _ = open_searcher(served, load_stored_corpus(served), onnx)
    glossed = {q: searcher.queries.analyse(q).dense_text for q in queries}
    warm = [f"opvarmning {i}" for i in range(20)]
    runs: dict[str, list[dict[str, float]]] = {
        k: []
        for k in (
            "encode_torch",
            "encode_onnx",
            "encode_onnx_glossed",
            "search_miss",
            "search_hit",
            "recommend",
        )
    }
    ratios: dict[str, list[float]] = {}
    ready: list[float] = []
    recommend_error: str | None = None
    for r in range(repeats):
        log.info("latency repeat %d/%d", r + 1, repeats)
        for q in warm:
            model.encode([onnx.query_prefix + q])
            onnx.embed_batch([onnx.query_prefix + q])
        torch_ms = percentiles(_time_each(queries, lambda q: model.encode([onnx.query_prefix + q])))
        onnx_ms = percentiles(
            _time_each(queries, lambda q: onnx.embed_batch([onnx.query_prefix + q]))
        )
        gloss_ms = percentiles(
            _time_each(queries, lambda q: onnx.embed_batch([onnx.query_prefix + glossed[q]]))
        )
        with serve(data_dir, settings) as server:
            ready.append(server.ready_s)
            client = Client(server.port)
            for q in warm:
                client.get("/v1/search", q=q, k=10)
            miss = percentiles(_time_each(queries, _searcher(client)))
            hit = percentiles(_time_each(queries, _searcher(client)))
            client.close()
        rec = None
        if recommend_error is None:
            with serve(data_dir, settings) as server:
                ready.append(server.ready_s)
                client = Client(server.port)
                try:
                    for q in warm:
                        client.post("/v1/recommend", {"situation": q, "k": 5})
                    rec = percentiles(_time_each(queries, _recommender(client)))
                except RuntimeError as exc:  # not served by this build: say so, go on
                    recommend_error = str(exc)
                client.close()
        for key, value in (
            ("encode_torch", torch_ms),
            ("encode_onnx", onnx_ms),
            ("encode_onnx_glossed", gloss_ms),
            ("search_miss", miss),
            ("search_hit", hit),
            ("recommend", rec),
        ):
            if value is not None:
                runs[key].append(value)
        for name, e2e in (("search", miss), ("recommend", rec)):
            if e2e is None:
                continue
            for floor, base in (("torch", torch_ms), ("onnx", onnx_ms), ("glossed", gloss_ms)):
                for stat in ("p50", "p95", "p99"):
                    key = f"{name}/{floor}/{stat}"
                    ratios.setdefault(key, []).append(e2e[stat] / base[stat])
    return {
        "queries": len(queries),
        "mean_chars": {
            "query": sum(map(len, queries)) / len(queries),
            "embedded": sum(map(len, glossed.values())) / len(queries),
        },
        "repeats": repeats,
        "latency_ms": {k: over_repeats(v) for k, v in runs.items() if v},
        "recommend_error": recommend_error,
        "ratio": {k: spread(v) for k, v in ratios.items()},
        "ready_s": spread(ready),
    }
