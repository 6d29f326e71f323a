"""How ranked lists become one ranking, and every ranking knob in one place.

Each backend ranks rows; weighted reciprocal rank fusion adds `weight / (k + rank)` per list,
which is robust to the two backends' unrelated score scales. `Ranking` holds the weights:
the ones a deployment may tune come from `Settings` (`INDSATS_RRF_K`, ...), the rest are
the measured defaults (README, "Relevance" and "Recommendations").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from engine.settings import Settings
from index.base import Hits


@dataclass(frozen=True, slots=True)
class Ranking:
    rrf_k: int = 60
    dense_weight: float = 0.5
    lexical_weight: float = 1.0
    candidates: int = 200
    # BM25 weight of terms the consultant did not type: compound parts and thesaurus words.
    compound_weight: float = 0.5
    expansion_weight: float = 0.5
    # Recommendations: relevance = match_weight * match + (1 - match_weight) * support over
    # the top `support_pages` results; score = relevance * (1 + evidence_weight * strength).
    match_weight: float = 0.8
    evidence_weight: float = 0.5
    support_pages: int = 5

    @classmethod
    def from_settings(cls, settings: Settings) -> Ranking:
        return cls(
            rrf_k=settings.rrf_k,
            dense_weight=settings.dense_weight,
            lexical_weight=settings.lexical_weight,
            candidates=settings.candidates,
        )


def rrf(lists: Sequence[tuple[float, Hits]], k: int) -> dict[int, float]:
    """Weighted reciprocal rank fusion: sum of weight / (k + rank), rank starting at 1."""
    fused: dict[int, float] = defaultdict(float)
    for weight, hits in lists:
        for rank, row in enumerate(hits.rows.tolist(), start=1):
            fused[int(row)] += weight / (k + rank)
    return dict(fused)


def rrf_by_owner(
    lists: Sequence[tuple[float, Hits]], owner: npt.NDArray[np.int32], k: int
) -> dict[int, float]:
    """RRF over each list's ranking of owners (a row's page) by their best row: different
    passages may speak for one page in the two backends."""
    fused: dict[int, float] = defaultdict(float)
    for weight, hits in lists:
        owners = owner[hits.rows]
        _, first = np.unique(owners, return_index=True)  # each owner at its best row
        for rank, number in enumerate(owners[np.sort(first)].tolist(), start=1):
            fused[number] += weight / (k + rank)
    return dict(fused)
