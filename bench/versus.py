"""(6) txtai side by side: same model files, same passages (our chunker's), hybrid on.

Both sides run as libraries in one process each (no HTTP): index time over the seed
passages, query p50 over the 200 distinct queries (first time each: no cache on either side),
and nDCG@3 over tests/relevance/queries.json with the same `ir_measures` code for both.
Ours is measured with each embedding backend.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.common import RELEVANCE, ROOT, child_env, percentiles

log = logging.getLogger(__name__)


def _ndcg3(rankings: dict[str, list[str]], queries: list[Any]) -> float:
    import ir_measures
    from ir_measures import nDCG

    from engine.evaluation.search import qrels

    run = [
        ir_measures.ScoredDoc(qid, doc, float(len(docs) - rank))
        for qid, docs in rankings.items()
        for rank, doc in enumerate(docs[:10])
    ]
    return float(ir_measures.calc_aggregate([nDCG @ 3], qrels(queries), run)[nDCG @ 3])


def ours(work: Path, queries: list[str], backend: str, export_dir: Path) -> dict[str, Any]:
    from engine.domain.corpus import load_corpus
    from engine.embedding import load_embedder
    from engine.evaluation.search import load_queries
    from engine.search.indexing import open_index
    from engine.search.query import SearchQuery
    from engine.search.searcher import Searcher
    from engine.search.thesaurus import Thesaurus
    from engine.shared.settings import Settings

    data = work / f"ours-{backend}"
    shutil.rmtree(data, ignore_errors=True)
    settings = Settings(
        data_dir=data,
        seeds_dir=ROOT / "seeds",
        backend="torch" if backend == "torch" else "onnx",
        export_dir=export_dir,
    )
    corpus = load_corpus([settings.seeds_dir])
    start = time.perf_counter()
    embedder = load_embedder(settings)
    loaded = time.perf_counter() - start
    thesaurus = Thesaurus.load()
    start = time.perf_counter()
    index, _ = open_index(settings, corpus, embedder, force=True, thesaurus=thesaurus)
    index_s = time.perf_counter() - start
    searcher = Searcher(corpus, index, embedder, settings, thesaurus=thesaurus)
    for i in range(20):
        searcher.search(SearchQuery(f"opvarmning {i}", k=10))
    query_ms = []
    for q in queries:
        t0 = time.perf_counter()
        searcher.search(SearchQuery(q, k=10))
        query_ms.append((time.perf_counter() - t0) * 1000)
    judged = load_queries(RELEVANCE, [i.id for i in corpus.initiatives])
    rankings = {
        j.id: [r.id for r in searcher.search(SearchQuery(j.text, k=10)).results] for j in judged
    }
    return {
        "model_load_s": loaded,
        "index_s": index_s,
        "query_ms": percentiles(query_ms),
        "ndcg3": _ndcg3(rankings, judged),
        "passages": len(index.passages),
    }


def theirs(work: Path, queries: list[str], txtai_python: Path) -> dict[str, Any]:
    from engine.domain.corpus import load_corpus
    from engine.embedding.bundled import model_prompts, resolve_model
    from engine.evaluation.search import load_queries
    from engine.search.passages import corpus_passages
    from engine.shared.settings import Settings

    corpus = load_corpus([ROOT / "seeds"])
    judged = load_queries(RELEVANCE, [i.id for i in corpus.initiatives])
    passages = [
        {"id": p.id, "initiative_id": p.initiative_id, "text": p.indexed_text}
        for p in corpus_passages(corpus)
    ]
    # The configured model's own directory and prompts, as our side loads them (the export
    # dir is set by bench/__main__.py), so both sides embed with the same model.
    settings = Settings()
    location = resolve_model(settings.model, settings.models_dir)
    query_prompt, passage_prompt = model_prompts(location)
    spec = {
        "model": str(location),
        "instructions": {"query": query_prompt, "data": passage_prompt},
        "passages": passages,
        "warmup": [f"opvarmning {i}" for i in range(20)],
        "queries": queries,
        "judged": [{"id": j.id, "text": j.text} for j in judged],
    }
    work.mkdir(parents=True, exist_ok=True)
    spec_file = work / "txtai-input.json"
    spec_file.write_text(json.dumps(spec, ensure_ascii=False), "utf-8")
    (work / "passages.jsonl").write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in passages), "utf-8"
    )
    env = child_env(work / "txtai-data")
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [str(txtai_python), str(ROOT / "bench" / "txtai_side.py"), str(spec_file)],
        env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"txtai side failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return {
        "version": out["version"],
        "model_load_s": out["model_load_s"],
        "index_s": out["index_s"],
        "query_ms": percentiles(out["query_ms"]),
        "ndcg3": _ndcg3(out["rankings"], judged),
        "passages": len(passages),
        "config": out["config"],
    }
