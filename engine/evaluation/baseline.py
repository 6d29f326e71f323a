"""The baseline every figure is reported beside: plain BM25.

bm25s with its own tokenizer, the Danish Snowball stemmer and Danish stop words, and nothing
else: no thesaurus, no typo mending, no model. For search it reads the whole page as
published (title, target groups, sections, test answers); for practices the practice's own
words, and it recommends its first one. A mechanism earns its place only by beating this on
pages and situations nobody tuned on.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from engine.domain.models import Initiative, Practice
from engine.domain.practices import practice_core
from engine.domain.render import render_page


class PlainBM25:
    def __init__(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        self._stemmer = Stemmer.Stemmer("danish")
        self._ids = list(ids)
        tokens = bm25s.tokenize(
            list(texts),
            stopwords="da",
            stemmer=self._stemmer,
            show_progress=False,
        )
        self._bm25 = bm25s.BM25()
        self._bm25.index(tokens, show_progress=False)
        self._vocab = self._bm25.vocab_dict

    @classmethod
    def of_pages(cls, pages: Sequence[Initiative]) -> PlainBM25:
        return cls([p.id for p in pages], [_published(p) for p in pages])

    @classmethod
    def of_practices(cls, practices: Sequence[Practice]) -> PlainBM25:
        return cls([p.id for p in practices], [practice_core(p.text) for p in practices])

    def rank(self, text: str, k: int = 10) -> list[str]:
        """Ids by score, those sharing no term with `text` left out."""
        query = bm25s.tokenize(
            [text], stopwords="da", stemmer=self._stemmer, show_progress=False, return_ids=False
        )[0]
        known = [term for term in query if term in self._vocab]
        if not known:
            return []
        scores = self._bm25.get_scores(known)
        order = np.lexsort((np.arange(len(scores)), -scores))
        return [self._ids[i] for i in order[:k] if scores[i] > 0]


def _published(page: Initiative) -> str:
    """The page file as published, or the record written back in that format."""
    try:
        return Path(page.source).read_text("utf-8")
    except (OSError, UnicodeDecodeError, ValueError):
        return render_page(page)
