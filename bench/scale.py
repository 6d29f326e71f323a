"""Scale: build and search SYNTHETIC corpora (see bench/synthetic.py) of 1k/10k/100k pages.

Run as a child process per step so resident memory is the step's own:
    python -m bench.scale build --n 10000 --pool 1100 --data DIR
    python -m bench.scale serve --n 10000 --pool 1100 --data DIR --queries FILE
`build` generates the corpus and builds an HNSW index through `open_index`; `serve` loads the
built index as a server would (start-up), answers the queries through `Searcher.search`,
and measures HNSW recall@10 against exact inner-product search over the same vectors.
`--n 0` means the real seed pages with the default flat index (the baseline).
Each prints one JSON line.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import resource
import shutil
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from bench.common import ROOT, percentiles
from bench.synthetic import COPY_MARKER
from engine.domain.corpus import load_corpus
from engine.domain.models import Corpus
from engine.embedding import load_embedder
from engine.embedding.base import Embedder, Vectors
from engine.search.indexing import open_index
from engine.search.query import SearchQuery
from engine.search.searcher import Searcher
from engine.search.thesaurus import Thesaurus
from engine.shared.settings import Settings

EXACT_TIMED = 50  # queries timed on exact search (each a full scan)


class CachedPool(Embedder):
    """Keeps the real vectors of the variant texts in a file shared by the steps, so each
    size embeds only what the previous ones did not."""

    def __init__(self, real: Embedder, path: Path) -> None:
        super().__init__(real.name, real.dimension, batch_size=real.batch_size)
        self.real, self.path = real, path
        self.vectors: dict[str, Vectors] = {}
        if path.is_file():
            data = json.loads(path.read_text("utf-8"))
            stored = np.load(path.with_suffix(".npy"), allow_pickle=False)
            self.vectors = dict(zip(data, stored, strict=True))
        self.embedded = 0

    @property
    def identity(self) -> str:
        return self.real.identity

    def embed_batch(self, texts: Any) -> Vectors:
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, self.real.embed_batch(missing), strict=True))
            self.embedded += len(missing)
        return np.stack([self.vectors[t] for t in texts])

    def save(self) -> None:
        keys = list(self.vectors)
        np.save(self.path.with_suffix(".npy"), np.stack([self.vectors[k] for k in keys]))
        self.path.write_text(json.dumps(keys, ensure_ascii=False), "utf-8")


def _corpus(n: int, pool: int) -> Corpus:
    seeds = load_corpus([ROOT / "seeds"])
    if n == 0:
        return seeds
    from bench.synthetic import synthetic_corpus

    return synthetic_corpus(seeds, n, pool)


def _variant_texts(pool: int, thesaurus: Thesaurus) -> list[str]:
    """The texts the copies are made from (marker removed): the mixing partners."""
    from bench.synthetic import COPY_MARKER
    from engine.search.indexing import passage_documents
    from engine.search.passages import corpus_passages

    variants = _corpus(pool, pool)
    docs = passage_documents(corpus_passages(variants), thesaurus)
    return [COPY_MARKER.sub("", d.text) for d in docs]


def _settings(data: Path, n: int) -> Settings:
    return Settings(
        data_dir=data, seeds_dir=ROOT / "seeds", index_kind="flat" if n == 0 else "hnsw"
    )


def _embedder(settings: Settings, n: int, pool_file: Path) -> tuple[Embedder, Any]:
    from bench.synthetic import PooledEmbedder

    real = load_embedder(settings)
    if n == 0:
        return real, real
    cached = CachedPool(real, pool_file)
    return PooledEmbedder(cached), cached


def build(args: argparse.Namespace) -> dict[str, Any]:
    data = Path(args.data)
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    settings = _settings(data, args.n)
    start = time.perf_counter()
    corpus = _corpus(args.n, args.pool)
    generated = time.perf_counter() - start
    embedder, cached = _embedder(settings, args.n, Path(args.pool_file))
    thesaurus = Thesaurus.load()
    start = time.perf_counter()  # the variants' real embedding counts as build time
    if args.n:
        embedder.prepare(_variant_texts(args.pool, thesaurus))  # type: ignore[attr-defined]
    index, _report = open_index(settings, corpus, embedder, force=True, thesaurus=thesaurus)
    seconds = time.perf_counter() - start
    if cached is not embedder:
        cached.save()
    version_dir = settings.index_dir / index.version
    size = sum(p.stat().st_size for p in version_dir.rglob("*") if p.is_file())
    return {
        "n": args.n,
        "initiatives": len(corpus.initiatives),
        "passages": len(index.passages),
        "generate_s": generated,
        "build_s": seconds,
        "really_embedded": getattr(cached, "embedded", len(index.passages)),
        "index_bytes": size,
        "vectors_bytes": (version_dir / "vectors.npy").stat().st_size,
    }


def serve(args: argparse.Namespace) -> dict[str, Any]:
    data = Path(args.data)
    settings = _settings(data, args.n)
    queries = json.loads(Path(args.queries).read_text("utf-8"))
    start = time.perf_counter()
    corpus = _corpus(args.n, args.pool)
    embedder, _ = _embedder(settings, args.n, Path(args.pool_file))
    real: Embedder = embedder.real.real if args.n else embedder  # type: ignore[attr-defined]
    thesaurus = Thesaurus.load()
    index, report = open_index(settings, corpus, embedder, thesaurus=thesaurus)
    if report.built:
        raise RuntimeError(f"serve step rebuilt the index: {report.reason}")
    searcher = Searcher(corpus, index, real, settings, thesaurus=thesaurus)
    loaded = time.perf_counter() - start
    del corpus
    gc.collect()
    searcher.search(SearchQuery("opvarmning af modellen", k=10))
    passes = []
    for p in range(args.passes):
        samples = []
        for q in queries:
            # A new text per pass (the query cache would answer a repeat without the model).
            text = q if p == 0 else f"{q} ({p})"
            t0 = time.perf_counter()
            searcher.search(SearchQuery(text, k=10))
            samples.append((time.perf_counter() - t0) * 1000)
        passes.append(percentiles(samples))
    rss = _rss_bytes()
    out: dict[str, Any] = {
        "n": args.n,
        "load_s": loaded,
        "search_ms": passes,
        "rss_bytes": rss,
        "max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }
    if args.n:
        out.update(_recall(index, real, settings.index_dir / index.version, queries))
    return out


def _recall(
    index: Any, real: Embedder, directory: Path, queries: list[str], k: int = 10
) -> dict[str, Any]:
    """HNSW top-k vs exact top-k over the stored vectors (memory-mapped), same queries."""
    dense = index.loaded.dense
    vectors = np.load(directory / "vectors.npy", mmap_mode="r", allow_pickle=False)
    q = np.stack([real.embed_query(text) for text in queries]).astype(np.float32)
    # Exact search over the same vectors: faiss' flat index, the alternative to HNSW. One
    # batched call gives the truth for every query; single queries on a sample give its cost.
    flat = faiss.IndexFlatIP(q.shape[1])
    chunk = 65536
    for start in range(0, len(vectors), chunk):  # a slice at a time from the memory map
        flat.add(np.ascontiguousarray(vectors[start : start + chunk]))
    exact = [set(row.tolist()) for row in flat.search(q, k)[1]]
    exact_ms = []
    for row in q[:EXACT_TIMED]:
        t0 = time.perf_counter()
        flat.search(row.reshape(1, -1), k)
        exact_ms.append((time.perf_counter() - t0) * 1000)
    del flat
    # Copies of one variant passage differ only by jitter, so HNSW often returns other copies
    # of exactly the passages exact search ranks first: counted separately, never instead.
    base = [COPY_MARKER.sub("", f"{p.context}|{p.text}") for p in index.passages]
    sweep = {}
    default_ef = dense.ef_search
    for ef in sorted({128, 256, 512, 1024, default_ef}):
        dense._index.hnsw.efSearch = ef
        hnsw_ms, recalls, copies = [], [], []
        for row, truth in zip(q, exact, strict=True):
            t0 = time.perf_counter()
            got = dense.search(row, k)
            hnsw_ms.append((time.perf_counter() - t0) * 1000)
            recalls.append(len(set(got.rows.tolist()) & truth) / k)
            wanted = {base[i] for i in truth}
            copies.append(sum(base[i] in wanted for i in got.rows.tolist()) / k)
        sweep[str(ef)] = {
            "recall_at_10": float(np.mean(recalls)),
            "recall_min": float(np.min(recalls)),
            "copy_recall_at_10": float(np.mean(copies)),
            "hnsw_ms": percentiles(hnsw_ms),
        }
    dense._index.hnsw.efSearch = default_ef
    return {
        **sweep[str(default_ef)],
        "ef_search": default_ef,
        "ef_sweep": sweep,
        "exact_ms": percentiles(exact_ms),
    }


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) * 1024
    return 0


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=["build", "serve"])
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--pool", type=int, default=1100)
    parser.add_argument("--data", required=True)
    parser.add_argument("--pool-file", default="")
    parser.add_argument("--queries", default="")
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()
    result = build(args) if args.step == "build" else serve(args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
