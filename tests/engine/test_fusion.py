"""Ranking helpers: the partial sort must agree with sorting everything."""

from __future__ import annotations

import numpy as np
import pytest

from engine.search.fusion import top_rows


def full_sort(score: np.ndarray, m: int) -> list[int]:
    order = np.lexsort((np.arange(len(score)), -score))
    return [int(n) for n in order if score[n] > 0][:m]


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("m", [1, 3, 10, 50])
def test_top_rows_agrees_with_a_full_sort_including_ties(seed: int, m: int) -> None:
    rng = np.random.default_rng(seed)
    # Few distinct values, many zeros: ties at the cut and rows that must not appear.
    score = rng.integers(0, 4, size=40).astype(np.float64) / 3
    assert top_rows(score, m) == full_sort(score, m)


def test_top_rows_leaves_out_zero_scores_and_handles_nothing() -> None:
    assert top_rows(np.array([0.0, 0.5, 0.0, 0.5]), 10) == [1, 3]
    assert top_rows(np.zeros(5), 3) == []
    assert top_rows(np.array([1.0]), 0) == []
