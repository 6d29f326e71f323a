"""(4) Index build throughput against bare encode throughput on the same passages.

The passages are those of a small synthetic corpus (bench/synthetic.py, one copy per variant,
so every text is distinct and really embedded). Bare encode is
`SentenceTransformer.encode(texts, batch_size=32)` (sorts by length itself) and the onnx
backend's `embed_passages`; the build is `open_index(force=True)` on a fresh data directory
with the configured backend: chunking, embedding, faiss, BM25, files, fsync and checksums.
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, spread

log = logging.getLogger(__name__)


def run(work: Path, initiatives: int, repeats: int, export_dir: Path) -> dict[str, Any]:
    from sentence_transformers import SentenceTransformer

    from bench.synthetic import synthetic_corpus
    from engine.domain.corpus import load_corpus
    from engine.embedding import load_embedder
    from engine.embedding.bundled import model_prompts, resolve_model
    from engine.search.indexing import open_index, passage_documents
    from engine.search.passages import corpus_passages
    from engine.search.thesaurus import Thesaurus
    from engine.shared.settings import Settings

    corpus = synthetic_corpus(load_corpus([ROOT / "seeds"]), initiatives, initiatives)
    thesaurus = Thesaurus.load()
    texts = [d.text for d in passage_documents(corpus_passages(corpus), thesaurus)]
    configured = Settings(export_dir=export_dir)  # the configured model (INDSATS_MODEL)
    location = resolve_model(configured.model, export_dir)
    model = SentenceTransformer(location, device="cpu")
    prefix = (
        model_prompts(location)[1]
        if configured.passage_prefix is None
        else configured.passage_prefix
    )
    rates: dict[str, list[float]] = {"encode_torch": [], "encode_onnx": [], "build": []}
    for r in range(repeats):
        log.info("build: repeat %d/%d (%d passages)", r + 1, repeats, len(texts))
        start = time.perf_counter()
        model.encode([prefix + t for t in texts], batch_size=32)
        rates["encode_torch"].append(len(texts) / (time.perf_counter() - start))
        data = work / f"build-{r}"
        shutil.rmtree(data, ignore_errors=True)
        settings = Settings(data_dir=data, seeds_dir=ROOT / "seeds", export_dir=export_dir)
        embedder = load_embedder(settings)
        start = time.perf_counter()
        embedder.embed_passages(texts)
        rates["encode_onnx"].append(len(texts) / (time.perf_counter() - start))
        start = time.perf_counter()
        index, _report = open_index(settings, corpus, embedder, force=True, thesaurus=thesaurus)
        rates["build"].append(len(index.passages) / (time.perf_counter() - start))
        shutil.rmtree(data, ignore_errors=True)
    ratios = {
        "build/torch": [b / t for b, t in zip(rates["build"], rates["encode_torch"], strict=True)],
        "build/onnx": [b / t for b, t in zip(rates["build"], rates["encode_onnx"], strict=True)],
    }
    return {
        "initiatives": initiatives,
        "passages": len(texts),
        "passages_per_s": {k: spread(v) for k, v in rates.items()},
        "ratio": {k: spread(v) for k, v in ratios.items()},
    }
