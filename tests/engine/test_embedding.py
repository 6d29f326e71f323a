"""The embedder base class: prefixes, batching, the bounded query cache, shape checks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from engine.embedding.base import Embedder, Vectors, normalise
from engine.embedding.sentence_transformer import SentenceTransformerEmbedder
from engine.shared.errors import ModelLoadError
from tests.fakes import FakeEmbedder


def test_passages_are_prefixed_batched_and_normalised() -> None:
    embedder = FakeEmbedder(passage_prefix="passage: ", batch_size=4)
    seen: list[int] = []
    vectors = embedder.embed_passages([f"tekst nummer {i}" for i in range(10)], seen.append)
    assert vectors.shape == (10, embedder.dimension)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.batches == [4, 4, 2]
    assert seen == [4, 4, 2]
    assert all(t.startswith("passage: ") for t in embedder.texts_seen)


def test_query_cache_is_bounded_lru_and_uses_query_prefix() -> None:
    embedder = FakeEmbedder(query_prefix="query: ", query_cache_size=2)
    first = embedder.embed_query("ordblinde ledige")
    again = embedder.embed_query("ordblinde ledige")
    assert again is first and embedder.cache_hits == 1
    assert embedder.texts_seen == ["query: ordblinde ledige"]
    embedder.embed_query("coaching")
    embedder.embed_query("ordblinde ledige")  # refreshes it, so "coaching" is oldest
    embedder.embed_query("løntilskud")  # evicts "coaching"
    calls = len(embedder.texts_seen)
    embedder.embed_query("ordblinde ledige")
    assert len(embedder.texts_seen) == calls
    embedder.embed_query("coaching")
    assert len(embedder.texts_seen) == calls + 1
    with pytest.raises(ValueError):
        first[0] = 1.0  # cached vectors are read-only, so callers cannot poison the cache


def test_cache_size_zero_disables_caching() -> None:
    embedder = FakeEmbedder(query_cache_size=0)
    embedder.embed_query("a b")
    embedder.embed_query("a b")
    assert embedder.cache_hits == 0 and len(embedder.texts_seen) == 2


def test_wrong_backend_shape_is_reported() -> None:
    class Broken(Embedder):
        def embed_batch(self, texts: Sequence[str]) -> Vectors:
            return np.zeros((len(texts), 3), dtype=np.float32)

    with pytest.raises(ValueError, match="expected"):
        Broken("broken", 4).embed_passages(["x"])


def test_normalise_keeps_zero_rows_finite() -> None:
    out = normalise(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert np.allclose(out, [[0.6, 0.8], [0.0, 0.0]])


def test_identity_changes_with_passage_prefix() -> None:
    assert FakeEmbedder().identity != FakeEmbedder(passage_prefix="passage: ").identity


@pytest.mark.model  # imports sentence-transformers and torch (seconds)
def test_missing_model_raises_model_load_error_with_advice(tmp_path: object) -> None:
    with pytest.raises(ModelLoadError) as info:
        SentenceTransformerEmbedder(f"{tmp_path}/no-such-model", f"{tmp_path}/no-such-model")
    assert "INDSATS_MODEL" in info.value.message
