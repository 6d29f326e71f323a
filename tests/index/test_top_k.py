"""`top_k`: keeping only the best k (and their ties) must agree with sorting everything."""

from __future__ import annotations

import numpy as np
import pytest

from index.base import top_k


def full_sort(score: np.ndarray, k: int) -> list[int]:
    order = np.lexsort((np.arange(len(score)), -score))
    return [int(n) for n in order if score[n] > 0][:k]


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("k", [1, 3, 10, 50])
def test_top_k_agrees_with_a_full_sort_including_ties(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    # Few distinct values, many zeros: ties at the cut and rows that must not appear.
    score = rng.integers(0, 4, size=40).astype(np.float64) / 3
    assert top_k(score, k).rows.tolist() == full_sort(score, k)


def test_top_k_leaves_out_zero_scores_and_handles_nothing() -> None:
    assert top_k(np.array([0.0, 0.5, 0.0, 0.5]), 10).rows.tolist() == [1, 3]
    assert len(top_k(np.zeros(5), 3)) == 0
    assert len(top_k(np.array([1.0]), 0)) == 0
