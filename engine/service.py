"""The `Engine`: the one front door to corpus, page store, index, search and recommendations.

The API and the CLI both talk to this class only, so the rules about stored pages live in
one place:

- The corpus is the seed pages plus the pages in the store (`data/pages/<id>.txt`), loaded
  by `engine.storage.pages.load_stored_corpus`. A stored page whose id equals a seed's id
  *replaces* that seed; a tombstone (`<id>.deleted`) removes the id, seed or not, until a
  page with that id is written again.
- A write is durable (fsynced) and searchable when the method returns: the check and the
  file change happen under the writers' lock `data/lock`, the `VERSION` counter is bumped,
  and the index is rebuilt before the method returns.
- Other worker processes notice the new counter (or a new index version written by
  `indsats build`) in `refresh()`, which costs two small file reads per call, and reload.

The loaded state is an immutable snapshot swapped in one assignment, so request threads
never see half of a reload.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import engine.embedding as embedding_backends
from engine.domain.models import Corpus, Initiative, LoadError, Practice
from engine.domain.parser import parse_bytes
from engine.domain.render import render_page
from engine.embedding import Embedder
from engine.errors import (
    ConflictError,
    IndsatsError,
    InvalidInputError,
    NotFoundError,
)
from engine.recommend import Recommendation, Recommender, RecommendRequest
from engine.search.indexing import live_version
from engine.search.query import (
    InitiativeFilter,
    SearchQuery,
    require_unicode,
    validate_k,
    validate_query,
    validate_text,
)
from engine.search.results import SearchResponse
from engine.search.searcher import Searcher, open_searcher
from engine.settings import Settings
from engine.storage.pages import PageStore, load_stored_corpus, validate_id, write_failure
from index.store import BuildReport, Progress

log = logging.getLogger(__name__)

Marker = tuple[str, str]
EMPTY_CORPUS = "ingen indsatser at indeksere"
RETRY_FIRST = 1.0  # seconds before a failed reload is tried again, doubling ...
RETRY_MAX = 60.0  # ... up to this


@dataclass(frozen=True, slots=True)
class InitiativePage:
    total: int
    items: tuple[Initiative, ...]


@dataclass(frozen=True, slots=True)
class _Snapshot:
    marker: Marker
    corpus: Corpus
    searcher: Searcher | None  # None for an empty corpus: nothing to index or search
    recommender: Recommender | None
    report: BuildReport


class Engine:
    """Build with `Engine.open(settings)`; safe to share between request threads."""

    def __init__(
        self, settings: Settings, store: PageStore, embedder: Embedder | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        self._embedder = embedder
        self._reload_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._state: _Snapshot | None = None
        # A reload that failed (a full disk, say) is retried after a pause that doubles up
        # to RETRY_MAX seconds, not on every request; meanwhile the last snapshot serves.
        self._clock = time.monotonic
        self._failed_marker: Marker | None = None
        self._retry_at = 0.0
        self._retry_pause = 0.0

    @classmethod
    def open(
        cls,
        settings: Settings,
        embedder: Embedder | None = None,
        *,
        force: bool = False,
        progress: Progress | None = None,
    ) -> Engine:
        """Load corpus, model and index, building the index if it is missing or stale (or
        always, with `force`); `progress(done, total)` follows the passages embedded."""
        store = PageStore(settings.pages_dir, settings.data_dir / "lock")
        store.ensure()
        engine = cls(settings, store, embedder)
        engine._state = engine._load(force=force, progress=progress)
        log.info(
            "Klar: %d indsatser, %d praksisser, indeks %s",
            len(engine.corpus.initiatives),
            len(engine.corpus.practices),
            engine.index_version,
        )
        return engine

    # state ---------------------------------------------------------------------------------
    @property
    def _snapshot(self) -> _Snapshot:
        assert self._state is not None, "Engine.open() builds the first snapshot"
        return self._state

    @property
    def corpus(self) -> Corpus:
        return self._snapshot.corpus

    @property
    def index_version(self) -> str:
        """The loaded index version; '' for an empty corpus."""
        searcher = self._snapshot.searcher
        return searcher.version if searcher is not None else ""

    @property
    def build_report(self) -> BuildReport:
        """How the index of the loaded snapshot came to be: loaded, or built and why."""
        return self._snapshot.report

    @property
    def model_name(self) -> str:
        if self._embedder is not None:
            return self._embedder.name
        return self.settings.model

    def _marker(self) -> Marker:
        return self.store.version(), live_version(self.settings)

    def _load(
        self, *, force: bool = False, progress: Progress | None = None, locked: bool = False
    ) -> _Snapshot:
        """Read pages and index from disk, building the index if it does not match.

        No lock is needed to read: page files and index versions are replaced atomically, a
        page beats a tombstone, and the index store takes the writers' lock itself when it
        must build. The marker holds the page counter read *before* the pages and the index
        version actually loaded, so any later change triggers another reload.
        """
        pages_version = self.store.version()
        corpus = load_stored_corpus(self.settings, self.store)
        if not corpus.initiatives:
            # Every page deleted, or none yet: empty answers, and writes still accepted. The
            # marker takes the live index as it is, so the next request does not reload.
            report = BuildReport(False, EMPTY_CORPUS, "")
            return _Snapshot(
                (pages_version, live_version(self.settings)), corpus, None, None, report
            )
        if self._embedder is None:  # loaded once, reused by every reload
            self._embedder = embedding_backends.load_embedder(self.settings)
        searcher, report = open_searcher(
            self.settings, corpus, self._embedder, force=force, progress=progress, locked=locked
        )
        if report.built:
            log.info("Indeks %s bygget: %s", report.version, report.reason)
        recommender = Recommender(searcher)
        return _Snapshot((pages_version, searcher.version), corpus, searcher, recommender, report)

    def refresh(self) -> bool:
        """Reload if another process wrote pages or a new index; True if it did.

        A reload that fails keeps the loaded snapshot serving (the last good corpus and
        index) and is not retried for the same files until its pause is over: a full disk
        must not turn every read into a rebuild that fails again.
        """
        if self._marker() == self._snapshot.marker:
            return False
        with self._reload_lock:
            marker = self._marker()
            if marker == self._snapshot.marker:
                return False
            if marker == self._failed_marker and self._clock() < self._retry_at:
                return False
            log.info("Nye sider eller nyt indeks fra en anden proces; genindlæser")
            try:
                self._state = self._load()
            except Exception as exc:
                self._reload_failed(marker, exc)
                return False
            self._failed_marker = None
            self._retry_pause = 0.0
            return True

    def _reload_failed(self, marker: Marker, exc: Exception) -> None:
        if marker != self._failed_marker:
            self._retry_pause = 0.0
        self._retry_pause = min(RETRY_MAX, max(RETRY_FIRST, 2 * self._retry_pause))
        self._failed_marker = marker
        self._retry_at = self._clock() + self._retry_pause
        reason = exc.message if isinstance(exc, IndsatsError) else f"{type(exc).__name__}: {exc}"
        log.warning(
            "Genindlæsning mislykkedes (%s); de senest indlæste sider og indeks svarer videre, "
            "nyt forsøg om %.0f s",
            reason,
            self._retry_pause,
            exc_info=not isinstance(exc, (IndsatsError, OSError)),
        )

    # reading -----------------------------------------------------------------------------
    def initiatives(
        self, filters: InitiativeFilter | None = None, k: int = 20, offset: int = 0
    ) -> InitiativePage:
        wanted = filters or InitiativeFilter()
        hits = tuple(i for i in self.corpus.initiatives if wanted.accepts(i))
        return InitiativePage(total=len(hits), items=hits[offset : offset + k])

    def initiative(self, initiative_id: str) -> Initiative:
        return _require(self.corpus, initiative_id)

    def practices(self) -> tuple[Practice, ...]:
        return self.corpus.practices

    def practice(self, practice_id: str) -> Practice:
        item = self.corpus.practice(practice_id)
        if item is None:
            raise NotFoundError(f"Ingen praksis med id '{_shown(practice_id)}'")
        return item

    def load_errors(self) -> tuple[LoadError, ...]:
        return self.corpus.errors

    # search and recommend -------------------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchResponse:
        searcher = self._snapshot.searcher
        if searcher is None:
            return _nothing_found(validate_query(query, self.settings.max_query_chars))
        return searcher.search(query)

    def search_many(self, queries: Sequence[SearchQuery]) -> list[SearchResponse]:
        """All or nothing: every query is checked before the first one runs."""
        checked = [validate_query(query, self.settings.max_query_chars) for query in queries]
        searcher = self._snapshot.searcher
        if searcher is None:
            return [_nothing_found(q) for q in checked]
        return [searcher.search(q) for q in queries]

    def similar(self, initiative_id: str, k: int = 5) -> SearchResponse:
        item = self.initiative(initiative_id)
        searcher = self._snapshot.searcher
        assert searcher is not None, "an initiative was found, so the corpus is not empty"
        return searcher.similar(item, k)

    def recommend(self, request: RecommendRequest) -> Recommendation:
        fields = [("Situationen", request.situation), ("Målgruppen", request.target_group or ""),
                  ("Kommunen", request.municipality or "")]  # fmt: skip
        fields += [("Et praksis-id i svarene", key) for key in request.answers or {}]
        for name, value in fields:
            require_unicode(value, name)
        recommender = self._snapshot.recommender
        if recommender is None:
            situation = validate_text(
                request.situation, self.settings.max_query_chars, "Situationen"
            )
            validate_k(request.k)
            return Recommendation(situation, (), (), ())
        return recommender.recommend(request)

    # writing -------------------------------------------------------------------------------
    def add_page(
        self, page: bytes | str, source: str = "ny side", expected_id: str | None = None
    ) -> Initiative:
        """Store a new page; a `ConflictError` if its id is taken (replace_page is for that)."""
        item = _parse(page, source, expected_id)
        with self._writing() as corpus:
            if corpus.initiative(item.id) is not None:
                raise ConflictError(
                    f"Der findes allerede en indsats med id '{item.id}'; erstat den i stedet "
                    "for at oprette den igen.",
                    initiative_id=item.id,
                )
            self.store.write_page(item.id, page)
        return self.initiative(item.id)

    def add_record(self, record: Initiative, source: str = "ny post") -> Initiative:
        """A page given as a record: stored in the seed format, parsed like any page."""
        return self.add_page(render_page(record), source, expected_id=record.id or None)

    def replace_page(
        self, initiative_id: str, page: bytes | str, source: str = "ny side"
    ) -> Initiative:
        """Replace a stored or seed page; the new page must give the same id."""
        validate_id(initiative_id)
        _parse(page, source, expected_id=initiative_id)
        with self._writing() as corpus:
            old = _require(corpus, initiative_id)
            self.store.write_page(initiative_id, page, replaces=Path(old.source))
        return self.initiative(initiative_id)

    def replace_record(
        self, initiative_id: str, record: Initiative, source: str = "ny post"
    ) -> Initiative:
        if record.id and record.id != initiative_id:
            raise InvalidInputError(
                f"Postens id '{record.id}' er ikke adressens id '{initiative_id}'."
            )
        return self.replace_page(initiative_id, render_page(record), source)

    def delete_page(self, initiative_id: str) -> None:
        """Remove a page; a seed page stays removed across restarts (tombstone)."""
        validate_id(initiative_id)
        with self._writing() as corpus:
            old = _require(corpus, initiative_id)
            self.store.delete_page(initiative_id, loaded_from=Path(old.source))

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Corpus]:
        """Serialise a write and make it all or nothing; yields the corpus as it is on disk
        now, for the checks.

        Everything happens under the writers' lock `data/lock`: the check, the file change,
        the page counter, and the index build for the new corpus (the index store is told
        the lock is held; flock does not nest). Only then is the new snapshot swapped in. If
        any step fails (a full disk while the page or the index is written, say), the page
        store puts every file back as it was and the client is told nothing changed (507 for
        a full disk); the loaded snapshot, the last good corpus and index, keeps serving. A
        crash in between leaves a stored page and an old index, which the next load detects
        (corpus hash) and rebuilds.
        """
        with self._write_lock:
            with self.store.lock():
                if self.store.version() == self._snapshot.marker[0]:
                    corpus = self.corpus
                else:
                    corpus = load_stored_corpus(self.settings, self.store)
                try:
                    with self.store.undoable():
                        yield corpus
                        self.store.bump_version()
                        snapshot = self._load(locked=True)
                except OSError as exc:
                    raise write_failure(exc) from exc
            # Only after the data lock is released: a reader of this process may hold the
            # reload lock while it waits for the data lock (to build), never the reverse.
            with self._reload_lock:
                self._settle(snapshot)

    def _settle(self, written: _Snapshot) -> None:
        """Swap in the state after a write, never an older one: while this writer waited for
        the reload lock, a reader may have loaded what other writes did since, and a search
        that has just refreshed must not be answered from a snapshot older than that."""
        now = self._marker()
        if self._snapshot.marker == now:
            return  # what is loaded is what is on disk, this write included
        if written.marker == now:
            self._state = written
        else:  # more has happened since: load it (a failure keeps at least this write)
            try:
                self._state = self._load()
            except Exception as exc:
                self._state = written
                self._reload_failed(now, exc)
                return
        self._failed_marker = None
        self._retry_pause = 0.0


def _nothing_found(query: SearchQuery) -> SearchResponse:
    return SearchResponse(query.text, query.mode, query.k, query.offset, 0, ())


def _parse(page: bytes | str, source: str, expected_id: str | None = None) -> Initiative:
    data = page.encode("utf-8") if isinstance(page, str) else page
    item = parse_bytes(data, source)
    if expected_id is not None and item.id != expected_id:
        raise InvalidInputError(
            f"Siden giver id '{item.id}', ikke '{_shown(expected_id)}'. Id'et følger af "
            "kommune og titel: ret dem, eller opret siden som en ny indsats."
        )
    return item


def _require(corpus: Corpus, initiative_id: str) -> Initiative:
    item = corpus.initiative(initiative_id)
    if item is None:
        raise NotFoundError(f"Ingen indsats med id '{_shown(initiative_id)}'")
    return item


def _shown(value: str) -> str:
    return value if len(value) <= 120 else value[:120] + "..."
