"""How a page's signals become one ranking score, and every ranking knob in one place.

A page is ranked on two signals, each scaled to 0..1 over the pages that may answer:
- lexical: BM25 of the whole page (typed words 1, a matched concept's other words
  `synonym_weight`, words of related concepts `related_weight`), divided by the best
  page's; a whole page beats its best paragraph (README, "Relevance");
- dense: the cosine of the page's best passage, measured from the floor of the candidate
  passages (the `candidates`-th best) to the best page, so a page the model cannot tell from
  the crowd gets 0.
`score = lexical_weight * lexical + dense_weight * dense`. Scaled sums rather than
reciprocal rank fusion: with tens of pages, ranks throw away how far apart the pages are
(tune half nDCG@3: RRF 0.76, scaled sums 0.78). How much of the question a page covers is a
signal of `match` (`calibration.py`), not of the rank: as a third ranking signal it lifted
the tune half and not the unseen half (README, "Tuning log").
The weights a deployment may tune come from `Settings`; the rest are measured defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from engine.shared.settings import Settings

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class Ranking:
    lexical_weight: float = 1.0
    dense_weight: float = 0.5
    # BM25 weight of words the consultant did not type: the matched concepts' other words,
    # and the words of concepts linked to them.
    synonym_weight: float = 0.35
    related_weight: float = 0.1
    candidates: int = 200
    # Recommendations: a practice's score = match * (1 + evidence_weight * strength); its
    # fit reads the top `support_pages` results (engine/recommend/practice_match.py).
    evidence_weight: float = 0.5
    support_pages: int = 5

    @classmethod
    def from_settings(cls, settings: Settings) -> Ranking:
        return cls(
            lexical_weight=settings.lexical_weight,
            dense_weight=settings.dense_weight,
            synonym_weight=settings.synonym_weight,
            related_weight=settings.related_weight,
            candidates=settings.candidates,
        )


def scaled(values: npt.ArrayLike, floor: float = 0.0) -> Floats:
    """`values` from `floor` (0) to their maximum (1); all 0 when nothing rises above it."""
    out = np.asarray(values, dtype=np.float64) - floor
    top = out.max() if out.size else 0.0
    return np.clip(out / top, 0.0, 1.0) if top > 0 else np.zeros_like(out)


def fuse(lexical: Floats, dense: Floats | None, ranking: Ranking) -> Floats:
    """The ranking score of each page from its scaled signals (`dense` None: not used)."""
    total = ranking.lexical_weight * lexical
    if dense is not None:
        total = total + ranking.dense_weight * dense
    return np.asarray(total, dtype=np.float64)
