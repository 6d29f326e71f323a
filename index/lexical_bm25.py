"""Lexical backend: BM25 (bm25s) over the terms an `Analyzer` gives (Danish stems here).

A query is a map of terms to weights: the words the consultant typed count 1, words the
caller adds (thesaurus synonyms, related concepts) count less. bm25s precomputes each term's
BM25 contribution per row, so a query's score is a weighted sum of posting lists, and the
same postings answer "which rows contain this term" for the caller's coverage measure.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import numpy.typing as npt

from index.base import Analyzer, Hits, Rows, Scores, top_k

# bm25s sets its own logger to DEBUG at import, which would print through any root handler.
logging.getLogger("bm25s").setLevel(logging.WARNING)
# The token an empty text is indexed as, so every row exists (bm25s drops empty documents).
EMPTY = "\u2205"


class LexicalIndex:
    def __init__(self, bm25: Any, analyzer: Analyzer) -> None:
        """`bm25` is a built bm25s index, or None for no rows (bm25s cannot index nothing:
        a catalogue without checklist answers made it fail with "max() arg is an empty
        sequence", and every recommendation with it)."""
        self._bm25 = bm25
        self.analyzer = analyzer
        if bm25 is None:
            bm25 = _NO_ROWS
        elif getattr(bm25, "nonoccurrence_array", None) is not None:
            # BM25L/BM25+ add a score for absent terms, which `scores` does not (we build
            # plain BM25, bm25s' default).
            raise ValueError("the lexical index must be plain BM25 (method 'lucene')")
        self._n = int(bm25.scores["num_docs"])
        self._data = np.asarray(bm25.scores["data"], dtype=np.float32)
        self._indices = np.asarray(bm25.scores["indices"])
        self._indptr = np.asarray(bm25.scores["indptr"])
        # bm25s lists the empty string in its vocabulary without a posting list.
        columns = len(self._indptr) - 1
        self._vocab = {t: i for t, i in bm25.vocab_dict.items() if 0 <= i < columns}
        if not _rows_ascending(self._indices, self._indptr):
            # bm25s builds them ascending; `scores_of` relies on it, so mend it once here.
            term = np.repeat(np.arange(columns), np.diff(self._indptr))
            order = np.lexsort((self._indices, term))
            self._indices, self._data = self._indices[order], self._data[order]
        self._best = _segment_max(self._data, self._indptr)

    @classmethod
    def build(cls, texts: Sequence[str], analyzer: Analyzer) -> LexicalIndex:
        return cls.from_terms([analyzer.stems(t) for t in texts], analyzer)

    @classmethod
    def from_terms(cls, terms: Sequence[Sequence[str]], analyzer: Analyzer) -> LexicalIndex:
        """The index of rows already analysed (`analyzer.stems` of each text): a caller that
        keeps the terms of unchanged rows analyses only the new ones."""
        if not terms:
            return cls(None, analyzer)
        tokens = [list(row) or [EMPTY] for row in terms]
        bm25 = bm25s.BM25()
        bm25.index(tokens, show_progress=False)
        return cls(bm25, analyzer)

    @classmethod
    def load(cls, path: Path, analyzer: Analyzer) -> LexicalIndex:
        bm25 = bm25s.BM25.load(str(path), load_corpus=False, show_progress=False)
        return cls(bm25, analyzer)

    def save(self, path: Path) -> None:
        if self._bm25 is None:
            raise ValueError("an index without rows is not saved: there is nothing to load")
        path.mkdir(parents=True, exist_ok=True)
        self._bm25.save(str(path), show_progress=False)

    def __len__(self) -> int:
        return self._n

    def __contains__(self, term: object) -> bool:
        return term in self._vocab

    @property
    def terms(self) -> Sequence[str]:
        """Every indexed term (for spelling correction against what the rows say)."""
        return tuple(t for t in self._vocab if t != EMPTY)

    def document_frequency(self, term: str) -> int:
        token = self._vocab.get(term)
        return 0 if token is None else int(self._indptr[token + 1] - self._indptr[token])

    def postings(self, term: str) -> tuple[Rows, Scores]:
        """Rows containing `term` and the term's BM25 contribution to each."""
        token = self._vocab.get(term)
        if token is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        start, end = self._indptr[token], self._indptr[token + 1]
        return self._indices[start:end].astype(np.int64), self._data[start:end]

    def best_contribution(self, term: str) -> float:
        """The most `term` adds to any row: with the weights, an upper bound of a score."""
        token = self._vocab.get(term)
        return 0.0 if token is None else float(self._best[token])

    def scores(self, weights: Mapping[str, float]) -> Scores:
        """BM25 of every row, each term's contribution times its weight (measured at 856k
        passages, 1.2M postings a query: bm25s' own scorer 16 ms a call, this 4 ms)."""
        total = np.zeros(self._n, dtype=np.float32)
        for term, weight in weights.items():
            token = self._vocab.get(term)
            if token is None or not weight:
                continue
            start, end = self._indptr[token], self._indptr[token + 1]
            np.add.at(total, self._indices[start:end], self._data[start:end] * np.float32(weight))
        return total

    def scores_of(self, weights: Mapping[str, float], rows: Rows) -> Scores:
        """`scores` of the given rows only (sorted, distinct): a few pages' passages need not
        cost a pass over every row of a large index."""
        total = np.zeros(len(rows), dtype=np.float32)
        if not len(rows):
            return total
        for term, weight in weights.items():
            token = self._vocab.get(term)
            if token is None or not weight:
                continue
            start, end = self._indptr[token], self._indptr[token + 1]
            indices = self._indices[start:end]
            if not len(indices):
                continue
            # Look the few rows up in the long posting list, not the other way round (at 856k
            # passages: 6 ms a query the other way, docs/BENCHMARKS.md).
            at = np.minimum(np.searchsorted(indices, rows), len(indices) - 1)
            hit = indices[at] == rows
            total[hit] += self._data[start:end][at[hit]] * np.float32(weight)
        return total

    def search(self, weights: Mapping[str, float], k: int, allowed: Rows | None = None) -> Hits:
        """Top k rows with a positive score; `allowed` masks rows out before ranking."""
        if self._n == 0 or k <= 0:
            return Hits.empty()
        return top_k(self.scores(weights), k, allowed)

    def containing(self, terms: Sequence[str]) -> npt.NDArray[np.bool_]:
        """Which rows contain every one of `terms` (a phrase's stems, order ignored)."""
        out = np.ones(self._n, dtype=bool) if terms else np.zeros(self._n, dtype=bool)
        for term in terms:
            rows, _ = self.postings(term)
            has = np.zeros(self._n, dtype=bool)
            has[rows] = True
            out &= has
        return out


class _NoRows:
    """What bm25s would hold for zero documents, had it built one."""

    scores: Mapping[str, Any] = {
        "num_docs": 0,
        "data": np.zeros(0, dtype=np.float32),
        "indices": np.zeros(0, dtype=np.int64),
        "indptr": np.zeros(1, dtype=np.int64),
    }
    vocab_dict: Mapping[str, int] = {}


_NO_ROWS = _NoRows()


def _rows_ascending(indices: npt.NDArray[Any], indptr: npt.NDArray[Any]) -> bool:
    """Whether every posting list lists its rows in ascending order."""
    if len(indices) < 2:
        return True
    rising = np.diff(indices) > 0
    boundaries = indptr[1:-1] - 1  # the steps from one term's list to the next
    rising[boundaries[(boundaries >= 0) & (boundaries < len(rising))]] = True
    return bool(rising.all())


def _segment_max(data: npt.NDArray[np.float32], indptr: npt.NDArray[Any]) -> Scores:
    """Each term's largest contribution (0 for a term without postings), once per index
    rather than once per query term."""
    best = np.zeros(max(len(indptr) - 1, 0), dtype=np.float32)
    filled = indptr[:-1] < indptr[1:]
    if filled.any():
        best[filled] = np.maximum.reduceat(data, indptr[:-1][filled])
    return best
