"""Snapshots: the corpus, its index and what they were made of, built beside the live one
and swapped in whole.

A snapshot is an index version (`index/store.py`) that also holds what it was made of:
every page file by where it lies and the hash of its bytes, every page as the record it
became (practice ids and dates included), and the practices' vectors. So

- a reader in any process loads exactly the snapshot `CURRENT` names, never a mix of it
  and page files written since, and never builds (`load_live`);
- a start-up whose page files are the ones the live snapshot was made of parses, glosses
  and embeds nothing; one where some changed does that for those only (`open_current`);
- a write builds the next snapshot from the last one (`build`): the changed page is parsed
  and its new passages glossed and embedded, everything else is kept; the version is
  written beside the live one and made live (`IndexStore.publish`) only when complete.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from engine.domain.corpus import corpus_from_initiatives
from engine.domain.models import Corpus, Initiative
from engine.domain.practices import same_catalogue
from engine.domain.text import DanishAnalyzer
from engine.embedding import Embedder
from engine.recommend.practice_match import practice_document, practice_vectors
from engine.recommend.recommender import Recommender
from engine.search.indexing import PassageIndex, embedded_text, index_spec, index_store, pipeline
from engine.search.passages import Passage
from engine.search.rows import PageRows, PassageKey, assemble, key_text, passage_key
from engine.search.searcher import Searcher
from engine.search.thesaurus import Thesaurus
from engine.serving import searchers
from engine.shared.settings import Settings
from engine.storage.pages import PageStore
from engine.storage.scan import PageFile, choose, read_again, read_files
from engine.storage.snapshot_files import (
    EXTRAS,
    FILES,
    PRACTICES,
    RECORDS,
    SnapshotFileError,
    meta_bytes,
    practices_bytes,
    read_meta,
    read_practices,
    read_records,
    record_line,
)
from index.base import Vectors
from index.manifest import StaleIndex
from index.store import BuildReport, LoadedIndex, Progress, vector_key

log = logging.getLogger(__name__)

Marker = tuple[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """One corpus version as loaded: what requests read, and what the next one is built
    from. `marker` is the page counter and the live version it was checked against; the
    mappings go by the hash of a page's file."""

    marker: Marker
    corpus: Corpus
    searcher: Searcher | None  # None for an empty corpus (or a snapshot not served)
    recommender: Recommender | None
    report: BuildReport
    index: LoadedIndex
    key: str  # what it was made of (`files_key`)
    files: tuple[PageFile, ...]
    passages: tuple[Passage, ...]  # the index's rows
    rows: Mapping[str, PageRows]
    pages: Mapping[str, Initiative]
    lines: Mapping[str, bytes]  # its line of records.jsonl
    practice_vectors: Mapping[str, Vectors]  # by the practice's document

    @property
    def version(self) -> str:
        return self.index.version

    def known(self) -> dict[str, PageFile]:
        """Its files by hash, with the pages they became: what need not be parsed again."""
        return {f.digest: replace(f, page=self.pages.get(f.digest, f.page)) for f in self.files}


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """A build allocates a few hundred thousand short-lived objects, and the cyclic garbage
    collector would walk the whole heap (the model's objects included) a dozen times while
    it runs: 0.2-0.3 s of a 0.7 s write at 1,000 pages. It is paused for the build (the
    writers' lock lets one run at a time); reference counting frees as always, and the
    collector catches up when it is resumed."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def files_key(files: Iterable[PageFile], tombstones: Iterable[str], thesaurus: Thesaurus) -> str:
    """What a snapshot is made of: every page file by place and content, the tombstones, and
    the code and thesaurus that read them."""
    digest = hashlib.sha256(f"{pipeline()}\0{thesaurus.digest}\0".encode())
    rows = sorted([*f.where, f.digest] for f in files)
    digest.update(json.dumps([rows, sorted(tombstones)], ensure_ascii=False).encode())
    return digest.hexdigest()


# -- start-up ----------------------------------------------------------------------------
def open_current(
    settings: Settings,
    store: PageStore,
    model: Embedder,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> Snapshot:
    """At start-up and for `indsats build`: the live snapshot if it was made of the page
    files there are now, else the next one, built from it (`force`: from nothing)."""
    counter = store.version()
    base, reason = None, "genopbygning bedt om med --force"
    seen: dict[str, PageFile] = {}  # files parsed here: not parsed again for the build
    if not force:
        base, reason = _base(settings, model)
        if base is not None and _unchanged(settings, store, base, seen):
            return _served(settings, base, model, (counter, base.version))
    with store.lock():
        if not force and (live := index_store(settings).current_version()) != (
            base.version if base else None
        ):  # another process built while we waited for the lock
            base, reason = _base(settings, model)
            if base is not None and _unchanged(settings, store, base, seen):
                return _served(settings, base, model, (counter, live or ""))
        if base is not None:
            reason = "siderne er ændret siden indekset blev bygget"
        log.warning("Bygger søgeindekset: %s", reason)
        snapshot = build(settings, store, base, model, reason, progress=progress, known=seen)
        index_store(settings).publish(snapshot.index)
    return replace(snapshot, marker=(counter, snapshot.version))


def _base(settings: Settings, model: Embedder) -> tuple[Snapshot | None, str]:
    """The live snapshot, not yet served, or None and why it cannot be used at all."""
    store = index_store(settings)
    try:
        loaded = store.load(index_spec(settings, model, ""), any_corpus=True, extras=EXTRAS)
        return from_version(settings, loaded, model, None, ("", ""), serve=False), ""
    except StaleIndex as exc:
        return None, exc.reason


def _unchanged(
    settings: Settings, store: PageStore, base: Snapshot, seen: dict[str, PageFile]
) -> bool:
    """Whether the page files are the ones `base` was made of; `seen` gets those read."""
    files = read_files(settings, store.page_files(), {**base.known(), **seen})
    seen.update((f.digest, f) for f in files if f.digest)
    return files_key(files, store.tombstones(), Thesaurus.load()) == base.key


def _served(settings: Settings, base: Snapshot, model: Embedder, marker: Marker) -> Snapshot:
    return _finish(settings, base.corpus, base.index, model, base, marker, base.report,
                   base.key, base.files, base.pages, base.lines, base.practice_vectors)  # fmt: skip


def current_corpus(
    settings: Settings, store: PageStore, base: Snapshot
) -> tuple[Corpus, list[PageFile]]:
    """The corpus the page files make now, for a writer's checks, and the files as read:
    `base`'s corpus, unless a file changed since it was made (by hand, or by a write a crash
    cut off)."""
    files = read_files(settings, store.page_files(), base.known())
    tombstones = store.tombstones()
    if files_key(files, tombstones, Thesaurus.load()) == base.key:
        return base.corpus, files
    pages, errors = choose(files, tombstones, settings, base.pages)
    return corpus_from_initiatives(pages, errors), files


# -- readers -------------------------------------------------------------------------------
def load_live(
    settings: Settings, model: Embedder, previous: Snapshot | None, marker: Marker
) -> Snapshot:
    """The snapshot `CURRENT` names, as a reader loads it: never a build. `StaleIndex` when
    it cannot be served (damaged, made for another model or by other code)."""
    store = index_store(settings)
    name = store.current_version()
    if previous is not None and name == previous.version:
        return replace(previous, marker=marker)
    loaded = store.load(index_spec(settings, model, ""), any_corpus=True, extras=EXTRAS)
    return from_version(settings, loaded, model, previous, marker)


def newest(settings: Settings, model: Embedder, loaded: Snapshot) -> Snapshot:
    """What a writer (holding the writers' lock) builds on: the loaded snapshot, or the
    live one if another process has made one since."""
    if index_store(settings).current_version() == loaded.version:
        return loaded
    try:
        return load_live(settings, model, loaded, loaded.marker)
    except StaleIndex as exc:  # damaged or gone: build from the files and the loaded one
        log.warning("Den aktuelle udgave kan ikke læses (%s); bygger videre på den indlæste", exc)
        return loaded


def from_version(
    settings: Settings,
    loaded: LoadedIndex,
    model: Embedder,
    previous: Snapshot | None,
    marker: Marker,
    *,
    serve: bool = True,
) -> Snapshot:
    """The snapshot a version holds; what `previous` holds of it is taken as it is (a line
    of records.jsonl that is the same is not read again)."""
    thesaurus = Thesaurus.load()
    try:
        meta = read_meta(loaded.extras[FILES], settings, _made_by(thesaurus))
        lines, pages = read_records(
            loaded.extras[RECORDS],
            settings,
            previous.lines if previous is not None else {},
            previous.pages if previous is not None else {},
        )
        vectors = read_practices(loaded.extras[PRACTICES])
    except SnapshotFileError as exc:
        raise StaleIndex(f"{loaded.version}: {exc}") from exc
    corpus = corpus_from_initiatives(pages, meta.errors)
    by_digest = dict(zip(lines, corpus.initiatives, strict=True))
    report = BuildReport(built=False, reason="indekset er opdateret", version=loaded.version)
    return _finish(settings, corpus, loaded, model if serve else None, previous, marker,
                   report, meta.key, meta.files, by_digest, lines, vectors)  # fmt: skip


def _made_by(thesaurus: Thesaurus) -> dict[str, str]:
    return {"pipeline": pipeline(), "thesaurus": thesaurus.digest}


def _finish(
    settings: Settings,
    corpus: Corpus,
    loaded: LoadedIndex,
    model: Embedder | None,
    previous: Snapshot | None,
    marker: Marker,
    report: BuildReport,
    key: str,
    files: tuple[PageFile, ...],
    pages: Mapping[str, Initiative],
    lines: Mapping[str, bytes],
    practice_vectors: Mapping[str, Vectors],
) -> Snapshot:
    """The snapshot with its rows, and with search and recommendations when `model` is
    given (a snapshot only built from is never served)."""
    before = previous.rows if previous is not None else {}
    rows = {d: before.get(d) or PageRows.of(page) for d, page in pages.items()}
    by_id = {page.id: rows[d] for d, page in pages.items()}
    ordered = tuple(sorted(corpus.initiatives, key=lambda i: i.id))
    passages = tuple(p for page in ordered for p in by_id[page.id].passages)
    if len(loaded) != len(passages):  # same files, other rows: a bug, never serve it
        raise StaleIndex(
            f"indeksversion {loaded.version} har {len(loaded)} passager, siderne "
            f"{len(passages)}; byg indekset igen med 'indsats build --force'."
        )
    searcher = recommender = None
    if model is not None and corpus.initiatives:
        index = PassageIndex(loaded, passages, ordered)
        searcher = searchers.searcher(settings, corpus, index, model)
        kept = previous.recommender if previous is not None else None
        recommender = Recommender(searcher, kept, practice_vectors)
    return Snapshot(marker=marker, corpus=corpus, searcher=searcher, recommender=recommender,
                    report=report, index=loaded, key=key, files=files, passages=passages,
                    rows=rows, pages=pages, lines=lines,
                    practice_vectors=practice_vectors)  # fmt: skip


# -- writers ---------------------------------------------------------------------------------
def build(
    settings: Settings,
    store: PageStore,
    base: Snapshot | None,
    model: Embedder,
    reason: str,
    *,
    progress: Progress | None = None,
    known: Mapping[str, PageFile] = {},
    read: tuple[Sequence[PageFile], Sequence[Path]] | None = None,
) -> Snapshot:
    """The next snapshot from the page files as they are and what `base` holds, prepared
    beside the live one (not live: the caller, holding the writers' lock, publishes it).
    `known`: files the caller has just read, by hash, not to be parsed again; `read`: all
    of them, and the ones it has changed since (a write): only those are read again."""
    with _collector_paused():
        return _build(settings, store, base, model, reason, progress, known, read)


def _build(
    settings: Settings,
    store: PageStore,
    base: Snapshot | None,
    model: Embedder,
    reason: str,
    progress: Progress | None,
    known: Mapping[str, PageFile],
    read: tuple[Sequence[PageFile], Sequence[Path]] | None,
) -> Snapshot:
    start = time.monotonic()
    thesaurus = Thesaurus.load()
    if read is not None:
        files = read_again(settings, store.page_files(), *read)
    else:
        files = read_files(
            settings, store.page_files(), {**(base.known() if base else {}), **known}
        )
    tombstones = store.tombstones()
    pages, errors = choose(files, tombstones, settings, base.pages if base else {})
    same = same_catalogue(pages, base.corpus.initiatives) if base is not None else None
    corpus = (
        Corpus(same, base.corpus.practices, tuple(errors))
        if same is not None and base is not None
        else corpus_from_initiatives(pages, errors)
    )
    file_of = {str(f.path): f for f in files}
    by_digest = {file_of[p.source].digest: p for p in corpus.initiatives}
    before = base.rows if base is not None else {}
    rows = {d: before.get(d) or PageRows.of(page) for d, page in by_digest.items()}
    vectors_of = _known_vectors(settings, model, thesaurus, base)
    by_id = {page.id: rows[d] for d, page in by_digest.items()}
    built = assemble(
        corpus.initiatives, by_id, vectors_of, model, thesaurus, DanishAnalyzer(), progress
    )
    documents = [practice_document(p, thesaurus) for p in corpus.practices]
    practices = practice_vectors(documents, base.practice_vectors if base else {}, model)
    key = files_key(files, tombstones, thesaurus)
    lines = {
        d: base.lines[d] if base is not None and base.pages.get(d) is p else record_line(d, p, w)
        for d, p in by_digest.items()
        for w in [file_of[p.source].where]
    }
    extras = {
        FILES: meta_bytes(key, files, corpus.errors, settings, _made_by(thesaurus)),
        RECORDS: b"".join(lines[file_of[p.source].digest] + b"\n" for p in corpus.initiatives),
        PRACTICES: practices_bytes(practices, model.dimension),
    }
    indexes = index_store(settings)
    loaded = indexes.prepare(
        replace(built.contents, extras=extras), index_spec(settings, model, key)
    )
    had = base.practice_vectors if base is not None else {}
    embedded = built.embedded + sum(d not in had for d in practices)
    seconds = time.monotonic() - start
    report = BuildReport(built=True, reason=reason, version=loaded.version, embedded=embedded,
                         reused=built.reused, seconds=seconds)  # fmt: skip
    kept = replace(base, rows=rows) if base is not None else None
    try:
        return _finish(settings, corpus, loaded, model, kept, ("", ""), report, key,
                       tuple(files), by_digest, lines, practices)  # fmt: skip
    except BaseException:
        indexes.discard(loaded)
        raise


def _known_vectors(
    settings: Settings, model: Embedder, thesaurus: Thesaurus, base: Snapshot | None
) -> Callable[[Sequence[PassageKey]], list[Vectors | None]]:
    """The vectors earlier versions hold: the base snapshot's rows, and without one the
    live version's files, whatever format or corpus it was made for (an upgrade must not
    embed every passage again)."""
    table: dict[PassageKey, Vectors] = {}
    if base is not None:
        vectors = base.index.dense.vectors()
        table = {passage_key(p): vectors[i] for i, p in enumerate(base.passages)}

    def known(keys: Sequence[PassageKey]) -> list[Vectors | None]:
        found: list[Vectors | None] = [table.get(k) for k in keys]
        if base is None and None in found:
            old = index_store(settings).previous_vectors(index_spec(settings, model, ""))
            for i, k in enumerate(keys):
                if found[i] is None and old:
                    ours = vector_key(model.identity, key_text(k, thesaurus))
                    theirs = vector_key(model.identity, embedded_text(*k, thesaurus))
                    found[i] = old.get(ours, old.get(theirs))
        return found

    return known
