"""The passage index of a corpus: chunk, hash, and load or (re)build through the store.

The corpus hash covers exactly what the index is made of: the passage records in order, the
thesaurus that glosses them, and the analyser/chunker version. Editing a page, the thesaurus
or how pages are cut triggers a rebuild, while a change that touches no passage does not.
The hash is taken over the passages, not over the glossed documents, so a start-up with a
current index neither glosses every passage nor reads the passages back from disk.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import engine.domain.corpus as corpus_module
import engine.domain.parser as parser_module
import engine.domain.records as records_module
import engine.domain.text as text_module
import engine.search.passages as passages_module
from engine.domain.models import Corpus, Initiative
from engine.domain.text import DanishAnalyzer
from engine.embedding.base import Embedder
from engine.search.passages import Passage, corpus_passages
from engine.search.thesaurus import Thesaurus, gloss
from engine.shared.errors import IndexUnavailableError
from engine.shared.settings import Settings
from index.base import Document
from index.store import BuildReport, IndexSpec, IndexStore, LoadedIndex, Progress

# Bump when chunking, lexical analysis or `passage_documents` (what is embedded and counted
# for a passage) changes in a way the passage records and the thesaurus do not show.
PIPELINE_VERSION = "chunks-1/lexical-4/pages-3/hash-2"
# What a snapshot keeps is made by these modules (a file read into a page, a page cut into
# passages): a snapshot made by other code than this is built again, never trusted, so a
# change of the parser cannot leave pages served as an older parser read them.
_SNAPSHOT_CODE = (corpus_module, parser_module, records_module, text_module, passages_module)


@lru_cache(maxsize=1)
def pipeline() -> str:
    """`PIPELINE_VERSION` and a digest of the code a snapshot's contents come from."""
    digest = hashlib.sha256(PIPELINE_VERSION.encode())
    for module in _SNAPSHOT_CODE:
        digest.update(Path(str(module.__file__)).read_bytes())
    return f"{PIPELINE_VERSION}/{digest.hexdigest()[:16]}"


@dataclass(frozen=True, slots=True)
class PassageIndex:
    """A loaded index with its rows mapped back to records: passage row i = passages[i],
    page row j (`loaded.units`) = pages[j]."""

    loaded: LoadedIndex
    passages: tuple[Passage, ...]
    pages: tuple[Initiative, ...]

    @property
    def version(self) -> str:
        return self.loaded.version


def passage_documents(
    passages: Sequence[Passage], thesaurus: Thesaurus | None = None
) -> list[Document]:
    """Documents to index: what the dense model embeds and what BM25 counts of a passage.

    The dense text has the page title in front (a bare "Vi oplever ..." is about something)
    and, with a thesaurus, an English gloss of the concepts it mentions (document expansion:
    MiniLM reads English far better than Danish; dense nDCG@3 on the tune half 0.39 without,
    0.57 with). BM25 counts the passage's own words: it only picks the passages shown as
    matches, the page as a whole is ranked by `page_text`.
    """
    return [
        Document(
            id=p.id,
            text=embedded_text(p.indexed_text, p.text, thesaurus),
            payload=p.to_dict(),
            lexical_text=p.text,
        )
        for p in passages
    ]


def embedded_text(indexed_text: str, text: str, thesaurus: Thesaurus | None) -> str:
    """What the model embeds of a passage: its indexed text and the gloss of its own text."""
    if thesaurus is not None and (words := gloss(thesaurus.expand(text))):
        return f"{indexed_text} ({', '.join(words)})"
    return indexed_text


def page_text(initiative: Initiative) -> str:
    """What page-level BM25 counts: title, target groups and the narrative sections. The
    checklist answers describe the jobcentre, not the initiative; counting them too gave
    the same nDCG@3 on the unseen half and a lower MRR (0.848 against 0.859)."""
    parts = [initiative.title, ", ".join(initiative.target_groups)]
    parts += [section.text for section in initiative.sections]
    return "\n\n".join(parts)


def corpus_hash(passages: Sequence[Passage], thesaurus: Thesaurus | None) -> str:
    digest = hashlib.sha256(PIPELINE_VERSION.encode())
    digest.update(f"\0thesaurus:{thesaurus.digest if thesaurus else '-'}\n".encode())
    # One JSON array per block of rows: the C encoder, not a call per passage (100k pages).
    for start in range(0, len(passages), 4096):
        rows = [p.to_dict() for p in passages[start : start + 4096]]
        digest.update(json.dumps(rows, ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()


def index_store(settings: Settings) -> IndexStore:
    """The store under `data/index`; builds take the writers' lock `data/lock`."""
    return IndexStore(settings.index_dir, settings.data_dir / "lock", DanishAnalyzer())


def live_version(settings: Settings) -> str:
    """The live index version; '' when there is none. One small file read."""
    return index_store(settings).current_version() or ""


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
    passages = tuple(corpus_passages(corpus))
    pages = tuple(sorted(corpus.initiatives, key=lambda i: i.id))
    if not passages:
        raise IndexUnavailableError(  # the Engine serves an empty corpus without an index
            "Der er ingen passager at indeksere; tilføj sider og byg indekset igen."
        )
    spec = index_spec(settings, embedder, corpus_hash(passages, thesaurus))
    loaded, report = index_store(settings).ensure(
        lambda: passage_documents(passages, thesaurus), spec, embedder.embed_passages,
        units=lambda: [page_text(p) for p in pages], force=force, progress=progress,
    )  # fmt: skip
    if len(loaded) != len(passages):  # same hash, other rows: a bug, never serve it
        raise IndexUnavailableError(
            f"Indeksversion {loaded.version} har {len(loaded)} passager, siderne {len(passages)}; "
            "byg indekset igen med 'indsats build --force'."
        )
    return PassageIndex(loaded, passages, pages), report
