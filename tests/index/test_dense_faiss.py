"""faiss inner-product search, flat and HNSW, with candidates restricted inside faiss."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.embedding.base import normalise
from index.dense_faiss import DenseIndex


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    rng = np.random.default_rng(7)
    return normalise(rng.normal(size=(300, 16)))


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_nearest_is_itself_and_scores_are_cosines(vectors: np.ndarray, kind: str) -> None:
    index = DenseIndex.build(vectors, kind)  # type: ignore[arg-type]
    hits = index.search(vectors[42], 5)
    assert hits.rows[0] == 42
    assert hits.scores[0] == pytest.approx(1.0, abs=1e-5)
    assert list(hits.scores) == sorted(hits.scores, reverse=True)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_allowed_rows_are_ranked_exactly(vectors: np.ndarray, kind: str) -> None:
    index = DenseIndex.build(vectors, kind)  # type: ignore[arg-type]
    allowed = np.arange(100, 200, dtype=np.int64)
    hits = index.search(vectors[42], 10, allowed)
    assert set(hits.rows.tolist()) <= set(allowed.tolist())
    expected = allowed[np.argsort(-(vectors[allowed] @ vectors[42]))][:10]
    assert hits.rows.tolist() == expected.tolist()


def test_empty_subset_and_k_beyond_size(vectors: np.ndarray) -> None:
    index = DenseIndex.build(vectors[:3])
    assert len(index.search(vectors[0], 10)) == 3
    assert len(index.search(vectors[0], 10, np.zeros(0, dtype=np.int64))) == 0


def test_save_load_keeps_kind_and_results(vectors: np.ndarray, tmp_path: Path) -> None:
    index = DenseIndex.build(vectors, "hnsw", hnsw_m=8)
    index.save(tmp_path / "dense.faiss")
    loaded = DenseIndex.load(tmp_path / "dense.faiss", ef_search=64)
    assert loaded.kind == "hnsw" and len(loaded) == 300 and loaded.dimension == 16
    assert loaded.search(vectors[5], 3).rows.tolist() == index.search(vectors[5], 3).rows.tolist()
