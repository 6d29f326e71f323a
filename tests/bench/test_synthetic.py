"""The synthetic scale corpus: labelled, distinct, deterministic; its vectors stay honest."""

from __future__ import annotations

import numpy as np

from bench.common import distinct_queries, load_pool
from bench.synthetic import PooledEmbedder, synthetic_corpus
from engine.domain.models import Corpus
from engine.search.passages import corpus_passages
from tests.fakes import FakeEmbedder


def test_corpus_is_labelled_distinct_and_deterministic(seed_corpus: Corpus) -> None:
    corpus = synthetic_corpus(seed_corpus, 250, 40)
    again = synthetic_corpus(seed_corpus, 250, 40)
    assert corpus == again
    ids = [i.id for i in corpus.initiatives]
    assert len(ids) == len(set(ids)) == 250
    assert all(
        "syntetisk" in i.title and i.municipality.startswith("Syntetisk")
        for i in corpus.initiatives
    )
    seed_sections = {(s.name, s.text) for i in seed_corpus.initiatives for s in i.sections}
    for initiative in corpus.initiatives:
        assert initiative.sections
        assert {(s.name, s.text) for s in initiative.sections} <= seed_sections
    texts = [p.indexed_text for p in corpus_passages(corpus)]
    assert len(texts) == len(set(texts))


def test_pooled_vectors_real_for_plain_text_mixed_for_copies(seed_corpus: Corpus) -> None:
    real = FakeEmbedder()
    pooled = PooledEmbedder(real)
    assert pooled.identity != real.identity
    partners = [f"variant {i}. tekst om ledige nummer {i}" for i in range(20)]
    pooled.prepare(partners)
    plain = "ordblinde ledige"
    np.testing.assert_allclose(
        pooled.embed_batch([plain])[0], real.embed_batch([plain])[0], atol=1e-6
    )
    copies = [f"Vejen frem [kopi {k}]. Læse- og skrivekursus" for k in range(50)]
    vectors = pooled.embed_batch(copies)
    base = real.embed_batch(["Vejen frem. Læse- og skrivekursus"])[0]
    assert float(np.min(vectors @ base)) > 0.6
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert len({v.tobytes() for v in vectors}) > 10
    np.testing.assert_array_equal(pooled.embed_batch(copies[:3]), vectors[:3])
    assert pooled.embedded == len(partners) + 2  # the plain text and the one variant text


def test_query_sets() -> None:
    queries = distinct_queries(200)
    assert len(queries) == len(set(queries)) == 200
    pool = load_pool(5000, "x")
    assert len(set(pool)) == 5000
