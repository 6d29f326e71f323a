"""The passage index of a corpus: chunk, hash, and load or (re)build through the store.

The corpus hash covers exactly what the index is made of (passage ids, indexed texts and the
passage records), plus the analyser/chunker version, so editing a page or changing how pages
are cut both trigger a rebuild, while a change that does not touch any passage does not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from engine.chunks import Passage, corpus_passages
from engine.embedding.base import Embedder
from engine.errors import IndexUnavailableError
from engine.models import Corpus
from engine.settings import Settings
from engine.thesaurus import Thesaurus, gloss
from index.base import Document
from index.store import BuildReport, IndexSpec, IndexStore, LoadedIndex, Progress

# Bump when chunking or lexical analysis changes in a way the passage texts do not show.
PIPELINE_VERSION = "chunks-1/lexical-2"


@dataclass(frozen=True, slots=True)
class PassageIndex:
    """A loaded index with its rows mapped back to passages (row i = passages[i])."""

    loaded: LoadedIndex
    passages: tuple[Passage, ...]

    @property
    def version(self) -> str:
        return self.loaded.version


def passage_documents(
    passages: Sequence[Passage],
    thesaurus: Thesaurus | None = None,
    *,
    dense_context: bool = True,
    lexical_gloss: bool = True,
) -> list[Document]:
    """Documents to index: what the dense model embeds and what BM25 counts.

    With a thesaurus each passage carries a gloss of the concepts it mentions, in English
    and Danish (document expansion): MiniLM reads English far better than Danish, and BM25
    lets an English question meet a Danish page. Both texts have the title in front. The
    switches exist because each was measured both ways (README, "Relevance"): without the
    title MiniLM alone does better (dense nDCG@3 0.82 vs 0.78) but the fused ranking does
    not (0.912 vs 0.920); without the BM25 gloss MRR drops (0.929 vs 0.949).
    """
    docs = []
    for p in passages:
        suffix = ""
        if thesaurus is not None and (words := gloss(thesaurus.expand(p.text))):
            suffix = f" ({', '.join(words)})"
        dense = (p.indexed_text if dense_context else p.text) + suffix
        lexical = p.indexed_text + (suffix if lexical_gloss else "")
        docs.append(Document(p.id, dense, p.to_dict(), None if lexical == dense else lexical))
    return docs


def corpus_hash(documents: Sequence[Document]) -> str:
    digest = hashlib.sha256(PIPELINE_VERSION.encode())
    for doc in documents:
        row = [doc.id, doc.text, doc.terms_text, doc.payload]
        digest.update(json.dumps(row, ensure_ascii=False, sort_keys=True).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def index_store(settings: Settings) -> IndexStore:
    return IndexStore(settings.index_dir, settings.data_dir / "lock")


def index_spec(settings: Settings, embedder: Embedder, hash_: str) -> IndexSpec:
    return IndexSpec(
        model=embedder.identity,
        dimension=embedder.dimension,
        corpus_hash=hash_,
        kind=settings.index_kind,
        hnsw_m=settings.hnsw_m,
        ef_search=settings.hnsw_ef_search,
    )


def open_index(
    settings: Settings,
    corpus: Corpus,
    embedder: Embedder,
    *,
    force: bool = False,
    progress: Progress | None = None,
    thesaurus: Thesaurus | None = None,
) -> tuple[PassageIndex, BuildReport]:
    """The index for `corpus`: loaded if current, rebuilt (reusing vectors) if not."""
    documents = passage_documents(corpus_passages(corpus), thesaurus)
    if not documents:
        raise IndexUnavailableError(
            f"Der er ingen indsatser at søge i (mapper: {settings.seeds_dir}, "
            f"{settings.pages_dir}); tilføj sider og byg indekset igen."
        )
    spec = index_spec(settings, embedder, corpus_hash(documents))
    loaded, report = index_store(settings).ensure(
        lambda: documents, spec, embedder, force=force, progress=progress
    )
    passages = tuple(Passage.from_dict(d.payload) for d in loaded.documents)
    return PassageIndex(loaded, passages), report
