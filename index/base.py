"""Small shared interfaces of the index backends.

Backends work on row numbers (0..n-1 in the order the texts were given), never on domain
records, so the same classes index initiative passages, practices or anything else that is a
list of texts. Callers map rows back to their own records. What language the texts are in
and which model embeds them is the caller's business: it passes an `Analyzer` and an
embedding callable in, so this package imports nothing of the engine's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

Rows = npt.NDArray[np.int64]
Scores = npt.NDArray[np.float32]
Vectors = npt.NDArray[np.float32]
# Texts -> one L2-normalised row each; the callback gets the number of texts done per step.
EmbedPassages = Callable[[Sequence[str], Callable[[int], None] | None], Vectors]


class Analyzer(Protocol):
    """Text -> terms for BM25: the lexical backend counts whatever this gives."""

    def words(self, text: str) -> list[str]: ...

    def stem_all(self, words: Sequence[str]) -> list[str]: ...

    def stems(self, text: str) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class Hits:
    """Rows best first with their backend scores (cosine for dense, BM25 for lexical)."""

    rows: Rows
    scores: Scores

    @classmethod
    def empty(cls) -> Hits:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))

    def __len__(self) -> int:
        return int(self.rows.shape[0])


def top_k(scores: npt.NDArray[np.floating], k: int, allowed: Rows | None = None) -> Hits:
    """Best k rows by score among `allowed` (all rows when None), ties broken by row number.

    Only positive scores count as hits for lexical scoring; callers that want every row pass
    scores that are all comparable (dense cosine can be negative, so it does not use this).
    """
    if allowed is not None:
        cand_scores = scores[allowed]
        keep = cand_scores > 0
        cand, cand_scores = allowed[keep], cand_scores[keep]
    else:
        cand = np.flatnonzero(scores > 0)
        cand_scores = scores[cand]
    if 0 < k < len(cand_scores):
        # Sorting every positive score costs milliseconds at 100k pages; keep the k best
        # and everything tied with the k-th, then sort those exactly as before.
        kth = np.partition(cand_scores, len(cand_scores) - k)[len(cand_scores) - k]
        near = cand_scores >= kth
        cand, cand_scores = cand[near], cand_scores[near]
    order = np.lexsort((cand, -cand_scores))[:k]
    return Hits(cand[order].astype(np.int64), cand_scores[order].astype(np.float32))


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """One record to index. `text` is embedded, `lexical_text` (default: `text`) goes to BM25;
    they may differ because a dense model and a term matcher want different context.
    `payload` is kept as is (JSON-serialisable) so the caller can rebuild its own record.
    `key` says what the vector is of when the caller brings the vector and leaves `text`
    empty (it has the vector of an unchanged row, and working out the text would cost)."""

    id: str
    text: str
    payload: dict[str, object]
    lexical_text: str | None = None
    key: str = ""

    @property
    def terms_text(self) -> str:
        return self.text if self.lexical_text is None else self.lexical_text

    @property
    def vector_of(self) -> str:
        """What identifies the vector: equal values, equal vectors (under one model)."""
        return self.key or self.text
