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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import engine.embedding as embedding_backends
from engine.domain.models import Corpus, Initiative, LoadError, Practice
from engine.domain.parser import parse_bytes
from engine.domain.render import render_page
from engine.embedding import Embedder
from engine.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PageFormatError,
    UnknownValueError,
)
from engine.recommend import Recommendation, Recommender, RecommendRequest
from engine.search.facets import Facets, facets, resolve_filter
from engine.search.indexing import live_version
from engine.search.query import InitiativeFilter, SearchQuery, validate_query
from engine.search.results import SearchResponse
from engine.search.searcher import Searcher, open_searcher
from engine.settings import Settings
from engine.storage.pages import PageStore, load_stored_corpus, validate_id
from index.store import BuildReport, Progress

log = logging.getLogger(__name__)

Marker = tuple[str, str]


@dataclass(frozen=True, slots=True)
class InitiativePage:
    total: int
    items: tuple[Initiative, ...]


@dataclass(frozen=True, slots=True)
class QueryFailure:
    """A query of a batch that could not be answered; the others still are."""

    query: str
    code: str
    message: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class _Snapshot:
    marker: Marker
    corpus: Corpus
    searcher: Searcher
    recommender: Recommender
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
        return self._snapshot.marker[1]

    @property
    def build_report(self) -> BuildReport:
        """How the index of the loaded snapshot came to be: loaded, or built and why."""
        return self._snapshot.report

    @property
    def model_name(self) -> str:
        return self._snapshot.searcher.embedder.name

    def _marker(self) -> Marker:
        return self.store.version(), live_version(self.settings)

    def _load(self, *, force: bool = False, progress: Progress | None = None) -> _Snapshot:
        """Read pages and index from disk, building the index if it does not match.

        No lock is needed to read: page files and index versions are replaced atomically, a
        page beats a tombstone, and the index store takes the writers' lock itself when it
        must build. The marker holds the page counter read *before* the pages and the index
        version actually loaded, so any later change triggers another reload.
        """
        pages_version = self.store.version()
        corpus = load_stored_corpus(self.settings, self.store)
        if self._embedder is None:  # loaded once, reused by every reload
            self._embedder = embedding_backends.load_embedder(self.settings)
        searcher, report = open_searcher(
            self.settings, corpus, self._embedder, force=force, progress=progress
        )
        if report.built:
            log.info("Indeks %s bygget: %s", report.version, report.reason)
        recommender = Recommender(searcher)
        return _Snapshot((pages_version, searcher.version), corpus, searcher, recommender, report)

    def refresh(self) -> bool:
        """Reload if another process wrote pages or a new index; True if it did."""
        if self._marker() == self._snapshot.marker:
            return False
        with self._reload_lock:
            if self._marker() == self._snapshot.marker:
                return False
            log.info("Nye sider eller nyt indeks fra en anden proces; genindlæser")
            self._state = self._load()
            return True

    # reading -----------------------------------------------------------------------------
    def initiatives(
        self, filters: InitiativeFilter | None = None, k: int = 20, offset: int = 0
    ) -> InitiativePage:
        wanted = self.resolve(filters or InitiativeFilter())
        hits = tuple(i for i in self.corpus.initiatives if wanted.accepts(i))
        return InitiativePage(total=len(hits), items=hits[offset : offset + k])

    def resolve(self, filters: InitiativeFilter) -> InitiativeFilter:
        """The filter in the pages' own spelling ("brønderslev kommune" -> "Brønderslev");
        `UnknownValueError` naming the known values when a value matches no page."""
        return resolve_filter(self.corpus.initiatives, filters)

    def facets(self, filters: InitiativeFilter | None = None) -> Facets:
        """Target groups, municipalities and evidence steps with the pages each would give."""
        wanted = self.resolve(filters or InitiativeFilter())
        return facets(self.corpus.initiatives, wanted)

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
        return self._snapshot.searcher.search(self._resolved(query))

    def search_many(
        self, queries: Sequence[SearchQuery]
    ) -> tuple[SearchResponse | QueryFailure, ...]:
        """One answer per query, in order: a bad query gets a `QueryFailure` in its place
        and costs the others nothing."""
        searcher = self._snapshot.searcher
        answers: list[SearchResponse | QueryFailure] = []
        for query in queries:
            try:
                answers.append(searcher.search(self._resolved(query)))
            except InvalidInputError as exc:
                field = exc.field if isinstance(exc, UnknownValueError) else None
                answers.append(QueryFailure(query.text, exc.code, exc.message, field or None))
        return tuple(answers)

    def _resolved(self, query: SearchQuery) -> SearchQuery:
        query = validate_query(query, self.settings.max_query_chars)
        wanted = self.resolve(query.filter)
        return replace(query, target_group=wanted.target_group, municipality=wanted.municipality)

    def similar(self, initiative_id: str, k: int = 5) -> SearchResponse:
        item = self.initiative(initiative_id)
        return self._snapshot.searcher.similar(item, k)

    def recommend(self, request: RecommendRequest) -> Recommendation:
        wanted = self.resolve(InitiativeFilter(request.target_group, request.municipality))
        pages = self.resolve(InitiativeFilter(municipality=request.from_municipality))
        request = replace(
            request,
            target_group=wanted.target_group,
            municipality=wanted.municipality,
            from_municipality=pages.municipality,
        )
        return self._snapshot.recommender.recommend(request)

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
        return self.add_page(_render(record, source), source, expected_id=record.id or None)

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
            raise PageFormatError(
                source, f"postens id '{_shown(record.id)}' er ikke adressens id '{initiative_id}'."
            )
        return self.replace_page(initiative_id, _render(record, source), source)

    def delete_page(self, initiative_id: str) -> None:
        """Remove a page; a seed page stays removed across restarts (tombstone)."""
        validate_id(initiative_id)
        with self._writing() as corpus:
            old = _require(corpus, initiative_id)
            self.store.delete_page(initiative_id, loaded_from=Path(old.source))

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Corpus]:
        """Serialise a write; yields the corpus as it is on disk now, for the checks.

        The data lock covers the check and the file change, then the page counter is bumped
        for the other workers. The index is rebuilt right after, still before the caller
        returns, but outside the data lock: the index store takes that lock itself and an
        flock cannot be nested within one process. A crash in between leaves a stored page
        and an old index, which the next load detects (corpus hash) and rebuilds.
        """
        with self._write_lock:
            with self.store.lock():
                if self.store.version() == self._snapshot.marker[0]:
                    corpus = self.corpus
                else:
                    corpus = load_stored_corpus(self.settings, self.store)
                yield corpus
                self.store.bump_version()
            with self._reload_lock:
                self._state = self._load()


def _render(record: Initiative, source: str) -> str:
    """A record in the page format; what the format cannot carry is a page error."""
    try:
        return render_page(record)
    except InvalidInputError as exc:
        raise PageFormatError(source, exc.message) from None


def _parse(page: bytes | str, source: str, expected_id: str | None = None) -> Initiative:
    """A page is a page only at its address: its id (from municipality and title) must be
    the one expected, or it is a page error like any other."""
    data = page.encode("utf-8") if isinstance(page, str) else page
    item = parse_bytes(data, source)
    if expected_id is not None and item.id != expected_id:
        raise PageFormatError(
            source,
            f"siden giver id '{item.id}', ikke '{_shown(expected_id)}'. Id'et følger af "
            "kommune og titel: ret dem, eller opret siden som en ny indsats.",
        )
    return item


def _require(corpus: Corpus, initiative_id: str) -> Initiative:
    item = corpus.initiative(initiative_id)
    if item is None:
        raise NotFoundError(f"Ingen indsats med id '{_shown(initiative_id)}'")
    return item


def _shown(value: str) -> str:
    return value if len(value) <= 120 else value[:120] + "..."
