"""txtai's side of (6); runs in bench/.venv-txtai, imports nothing of ours.

Input (JSON file, argv[1]): model path and its query/passage prefixes, passages
[{id, initiative_id, text}] exported from our chunker, timing queries and judged queries.
Output: one JSON line with index time, query latencies and, per judged query, initiatives in
the order their first passage appears in txtai's hybrid ranking (txtai ranks passages; we
rank initiatives by their best passage too).
"""

from __future__ import annotations

import json
import sys
import time
from importlib import metadata


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as fh:
        spec = json.load(fh)
    from txtai import Embeddings

    passages = spec["passages"]
    owner = {p["id"]: p["initiative_id"] for p in passages}
    start = time.perf_counter()
    # the model's query and passage prefixes (e5's "query: " / "passage: "), as txtai names them
    instructions = {k: v for k, v in spec.get("instructions", {}).items() if v}
    extra = {"instructions": instructions} if instructions else {}
    embeddings = Embeddings(path=spec["model"], content=True, hybrid=True, **extra)
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    embeddings.index([(p["id"], p["text"], None) for p in passages])
    index_s = time.perf_counter() - start
    for q in spec["warmup"]:
        embeddings.search(q, 10)
    query_ms = []
    for q in spec["queries"]:
        t0 = time.perf_counter()
        embeddings.search(q, 10)
        query_ms.append((time.perf_counter() - t0) * 1000)
    rankings = {}
    for judged in spec["judged"]:
        order: dict[str, None] = {}
        for hit in embeddings.search(judged["text"], len(passages)):
            order.setdefault(owner[hit["id"]], None)
        rankings[judged["id"]] = list(order)
    config = {
        k: v for k, v in embeddings.config.items() if isinstance(v, str | int | float | bool | dict)
    }
    print(
        json.dumps(
            {
                "version": metadata.version("txtai"),
                "model_load_s": loaded,
                "index_s": index_s,
                "query_ms": query_ms,
                "rankings": rankings,
                "config": config,
            },
            default=str,
        )
    )


if __name__ == "__main__":
    main()
