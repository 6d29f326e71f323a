"""A page's rows in the search index, kept while the page is unchanged, and the contents of
an index version assembled from them.

A write changes one page; the other pages' passages, the terms BM25 counts of them and
their vectors are what they were. `PageRows` holds them per page, keyed by the hash of the
page's file, and `assemble` builds a version's contents from the rows of every page: only
the passages no earlier version had are glossed and embedded (1,000 pages: glossing every
passage again took 1.1 s, the model 30 ms a passage).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from engine.domain.models import Initiative
from engine.embedding.base import Embedder
from engine.search.indexing import page_text, passage_documents
from engine.search.passages import Passage, initiative_passages
from engine.search.thesaurus import Thesaurus
from index.base import Analyzer, Document, Vectors
from index.store import Contents, Progress, embed_rows

PassageKey = tuple[str, str]


def passage_key(passage: Passage) -> PassageKey:
    """What a passage's vector is made of, with the thesaurus that glosses it fixed: its
    indexed text (the title in front) and its own text (what the gloss reads)."""
    return passage.indexed_text, passage.text


@dataclass(eq=False)
class PageRows:
    """One page's passages and, worked out on first need and then kept, the terms BM25
    counts of each passage and of the page as a whole."""

    passages: tuple[Passage, ...]
    unit: str
    _terms: list[list[str]] | None = field(default=None, repr=False)
    _unit_terms: list[str] | None = field(default=None, repr=False)
    _listed: tuple[str, list[Document]] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, page: Initiative) -> PageRows:
        return cls(tuple(initiative_passages(page)), page_text(page))

    def terms(self, analyzer: Analyzer) -> list[list[str]]:
        if self._terms is None:
            self._terms = [analyzer.stems(p.text) for p in self.passages]
        return self._terms

    def listed(self, thesaurus: Thesaurus) -> list[Document]:
        """Its rows as the version lists them: what each vector is of (no text: the vector
        is brought along)."""
        if self._listed is None or self._listed[0] != thesaurus.digest:
            docs = [
                Document(id=p.id, text="", payload={}, key=key_text(passage_key(p), thesaurus))
                for p in self.passages
            ]
            self._listed = (thesaurus.digest, docs)
        return self._listed[1]

    def unit_terms(self, analyzer: Analyzer) -> list[str]:
        if self._unit_terms is None:
            self._unit_terms = analyzer.stems(self.unit)
        return self._unit_terms


@dataclass(frozen=True, slots=True, kw_only=True)
class Assembled:
    """A version's contents with the records its rows stand for, and what it cost."""

    contents: Contents
    passages: tuple[Passage, ...]
    pages: tuple[Initiative, ...]
    embedded: int
    reused: int


def assemble(
    pages: Sequence[Initiative],
    rows: Mapping[str, PageRows],
    known: Callable[[Sequence[PassageKey]], list[Vectors | None]],
    embedder: Embedder,
    thesaurus: Thesaurus,
    analyzer: Analyzer,
    progress: Progress | None = None,
) -> Assembled:
    """The contents of an index over `pages` (`rows` by page id). `known` gives the vectors
    earlier versions hold for passage keys (None where none does); the rest are embedded."""
    ordered = tuple(sorted(pages, key=lambda p: p.id))
    per_page = [rows[p.id] for p in ordered]
    passages = tuple(p for r in per_page for p in r.passages)
    keys = [passage_key(p) for p in passages]
    found = known(keys)
    missing = [i for i, v in enumerate(found) if v is None]
    vectors = np.zeros((len(passages), embedder.dimension), dtype=np.float32)
    for i, vector in enumerate(found):
        if vector is not None:
            vectors[i] = vector
    glossed = passage_documents([passages[i] for i in missing], thesaurus)
    embed_rows(vectors, missing, [d.text for d in glossed], embedder.embed_passages, progress)
    # The passages themselves are the snapshot's records; the index lists what each vector is
    # of, and the texts embedded now.
    documents = [d for r in per_page for d in r.listed(thesaurus)]
    for i, doc in zip(missing, glossed, strict=True):
        documents[i] = replace(documents[i], text=doc.text)
    terms = [t for r in per_page for t in r.terms(analyzer)]
    units = [r.unit_terms(analyzer) for r in per_page]
    contents = Contents(documents=documents, vectors=vectors, terms=terms, units=units)
    return Assembled(
        contents=contents,
        passages=passages,
        pages=ordered,
        embedded=len(missing),
        reused=len(passages) - len(missing),
    )


def key_text(key: PassageKey, thesaurus: Thesaurus) -> str:
    """The passage key as text: what the version's list says each vector is of."""
    joined = "\0".join([thesaurus.digest, *key])
    return "passage:" + hashlib.sha256(joined.encode()).hexdigest()
