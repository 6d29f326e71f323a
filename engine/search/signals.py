"""The per-page signals a query is ranked and calibrated on (`fusion.py` says how they
combine, `calibration.py` what they mean for `match`).

All arrays are over the pages of the index in page-row order; pages a filter leaves out are
masked by the caller before scaling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from engine.search.analysis import AnalysedQuery
from index.base import Hits
from index.lexical_bm25 import LexicalIndex

Floats = npt.NDArray[np.float64]
Owners = npt.NDArray[np.int32]


@dataclass(frozen=True, slots=True, kw_only=True)
class PageSignals:
    """Raw signals: `lexical` BM25 and its share of the most the terms could add
    (`lexical_share`), `cosine` of the best passage (the candidates' floor where none was a
    candidate), `coverage` 0..1, and the floor itself."""

    lexical: Floats
    lexical_share: Floats
    coverage: Floats
    cosine: Floats | None = None
    floor: float = 0.0


def lexical_signals(pages: LexicalIndex, query: AnalysedQuery) -> tuple[Floats, Floats]:
    """Page BM25, and its share of the most the query's terms could add: each known term's
    best contribution to any page, times its weight, plus for each term no page has the most
    a rare word could add (it was asked for, and nothing has it). The share says how strongly
    a page speaks of the query, comparable across queries."""
    raw = pages.scores(query.weights).astype(np.float64)
    known = [(t, w) for t, w in query.weights.items() if t in pages]
    bound = sum(w * pages.best_contribution(t) for t, w in known)
    if missing := [w for t, w in query.weights.items() if t not in pages and w >= 1.0]:
        rare = max((pages.best_contribution(t) for t, _ in known), default=1.0)
        bound += sum(missing) * max(rare, _idf(len(pages), 1))
    return raw, raw / bound if bound > 0 else np.zeros_like(raw)


def coverage(pages: LexicalIndex, query: AnalysedQuery) -> Floats:
    """The idf-weighted share of the query's content words each page speaks of, itself or by
    a word of its concept. A word no page has weighs like the rarest word (it is asked for
    and missing), a word the thesaurus knows but the pages do not like a median word."""
    n = len(pages)
    out = np.zeros(n, dtype=np.float64)
    if not query.units or n == 0:
        return out
    rarest = _idf(n, 0)
    typical = _idf(n, max(1, n // 10))
    total = 0.0
    for unit in query.units:
        df = pages.document_frequency(unit.stem)
        weight = _idf(n, df) if df else (typical if unit.alternatives else rarest)
        has = pages.containing((unit.stem,))
        for sequence in unit.alternatives:
            if not has.all():
                has |= pages.containing(sequence)
        out += weight * has
        total += weight
    return out / total if total > 0 else out


def _idf(n: int, df: int) -> float:
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def page_cosines(hits: Hits, owner: Owners, pages: int) -> tuple[Floats, float]:
    """Each page's best passage cosine among the dense candidates, and the candidates' floor
    (the lowest candidate cosine), which pages without a candidate get."""
    if len(hits) == 0:
        return np.zeros(pages, dtype=np.float64), 0.0
    floor = float(hits.scores.min())
    best = np.full(pages, floor, dtype=np.float64)
    np.maximum.at(best, owner[hits.rows], hits.scores.astype(np.float64))
    return best, floor
