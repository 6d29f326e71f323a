"""The `Engine`: the one front door to corpus, page store, index, search and recommendations.

The API and the CLI both talk to this class only, so the rules about stored pages live in
one place:

- The corpus is the seed pages plus the pages in the store (`data/pages/<id>.json`, each a
  record; `engine/storage/scan.py` has the rules). A stored page whose id equals a seed's
  id *replaces* that seed; a tombstone (`<id>.deleted`) removes the id, seed or not, until
  a page with that id is written again.
- A write is all or nothing, durable (fsynced) and searchable when the method returns: the
  check, the file change, the `VERSION` bump and the next snapshot happen under the
  writers' lock `data/lock`, and a failure (a full disk) puts every file back.
- Reads never wait for a write: the next snapshot (`engine/serving/`) is built beside the
  one requests read, from it, and swapped in whole; other workers load it (`refresh`).
- Work on pages that are not served (checking files, relevance sets, calibration) comes
  through here too, so an entry point needs nothing else of the engine.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import engine.embedding as embedding_backends
from engine.domain.corpus import load_corpus
from engine.domain.models import Corpus, Initiative, LoadError, Practice
from engine.domain.parser import parse_at
from engine.domain.records import record_at, record_bytes
from engine.embedding import Embedder
from engine.evaluation.calibrate import calibrate, save
from engine.evaluation.sets import SetReport, evaluate_sets
from engine.facade.answers import InitiativePage, Put, QueryFailure
from engine.recommend.recommender import Recommendation, RecommendRequest
from engine.search.calibration import FILE as CALIBRATION_FILE
from engine.search.calibration import Calibration
from engine.search.facets import Facets, facets, resolve_filter
from engine.search.indexing import index_store
from engine.search.query import (
    InitiativeFilter,
    SearchQuery,
    batch_size,
    require_unicode,
    shown_text,
    validate_query,
)
from engine.search.results import SearchResponse
from engine.serving.snapshots import (
    Marker,
    Snapshot,
    build,
    current_corpus,
    load_live,
    newest,
    open_current,
)
from engine.serving.state import ReloadPause, disk_marker, nothing_found, nothing_recommended
from engine.shared.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PageFormatError,
    PreconditionFailedError,
    UnknownValueError,
)
from engine.shared.settings import Settings
from engine.storage.pages import PageStore, validate_id, write_failure
from index.store import BuildReport, Progress

log = logging.getLogger(__name__)
# A condition on a page as it is now, checked under the writers' lock before it is changed.
Precondition = Callable[[Initiative], bool]


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
        self._state: Snapshot | None = None
        self._pause = ReloadPause()  # after a failed reload (a full disk, say)

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
        engine._state = open_current(
            settings, store, engine._model(), force=force, progress=progress
        )
        log.info(
            "Klar: %d indsatser, %d praksisser, indeks %s",
            len(engine.corpus.initiatives),
            len(engine.corpus.practices),
            engine.index_version,
        )
        return engine

    # without a served corpus ----------------------------------------------------------------
    @staticmethod
    def read_pages(paths: Sequence[Path]) -> Corpus:
        """What the files in `paths` make, nothing indexed or stored (`indsats corpus`)."""
        return load_corpus(paths)

    @staticmethod
    def evaluate(settings: Settings, directory: Path, names: Sequence[str] = ()) -> list[SetReport]:
        """The relevance sets of `directory` (all, or those named), each over its own pages
        and index, searched and recommended as a served corpus is (`indsats eval`)."""
        return evaluate_sets(settings, directory, names)

    @staticmethod
    def calibrate(
        settings: Settings, directory: Path, on: str = "tune", out: Path | None = None
    ) -> tuple[Calibration, Path]:
        """Fit `match` and "no good match" to the configured model and weights on set `on`
        of `directory`, and write the fits where the next start reads them (`out`, by
        default `<data_dir>/calibration.json`)."""
        fits = calibrate(settings, directory, on)
        target = out or settings.data_dir / CALIBRATION_FILE
        save(fits, target)
        return fits, target

    # state ---------------------------------------------------------------------------------
    @property
    def _snapshot(self) -> Snapshot:
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

    def _marker(self) -> Marker:
        return disk_marker(self.settings, self.store)

    def _model(self) -> Embedder:
        if self._embedder is None:  # loaded once, on first need, reused by every reload
            self._embedder = embedding_backends.load_embedder(self.settings)
        return self._embedder

    def refresh(self) -> bool:
        """Load the live snapshot if another process made a new one; True if the marker
        moved. Never builds: what is loaded was complete before `CURRENT` named it.

        A load that fails keeps the loaded snapshot serving (the last good corpus and index)
        and is not retried for the same files until its pause is over (`ReloadPause`).
        """
        if self._marker() == self._snapshot.marker:
            return False
        with self._reload_lock:
            marker = self._marker()
            if marker == self._snapshot.marker:
                return False
            if self._pause.waiting(marker):
                return False
            try:
                loaded = load_live(self.settings, self._model(), self._snapshot, marker)
            except Exception as exc:
                self._pause.failed(marker, exc)
                return False
            if loaded.version != self._snapshot.version:
                log.info("Ny udgave af indsatserne fra en anden proces: %s", loaded.version)
            self._state = loaded
            self._pause.succeeded()
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
        resolved = self._resolved(query)
        searcher = self._snapshot.searcher
        return searcher.search(resolved) if searcher is not None else nothing_found(resolved)

    def search_many(
        self, queries: Sequence[SearchQuery]
    ) -> tuple[SearchResponse | QueryFailure, ...]:
        """One answer per query, in order (a bad query gets a `QueryFailure` in its place,
        an empty corpus answers nothing found); a batch too large is refused whole."""
        batch_size(queries, self.settings.max_batch_chars)
        searcher = self._snapshot.searcher
        answers: list[SearchResponse | QueryFailure] = []
        for query in queries:
            try:
                resolved = self._resolved(query)
                answers.append(
                    searcher.search(resolved) if searcher is not None else nothing_found(resolved)
                )
            except InvalidInputError as exc:
                field = exc.field or None
                shown = shown_text(query.text)
                failed = QueryFailure(query=shown, code=exc.code, message=exc.message, field=field)
                answers.append(failed)
        return tuple(answers)

    def _resolved(self, query: SearchQuery) -> SearchQuery:
        query = validate_query(query, self.settings.max_query_chars)
        wanted = self.resolve(query.filter)
        return replace(query, target_group=wanted.target_group, municipality=wanted.municipality)

    def similar(self, initiative_id: str, k: int = 5) -> SearchResponse:
        item = self.initiative(initiative_id)
        searcher = self._snapshot.searcher
        assert searcher is not None, "an initiative was found, so the corpus is not empty"
        return searcher.similar(item, k)

    def recommend(self, request: RecommendRequest) -> Recommendation:
        answers = [("Et praksis-id i svarene", key, "answers") for key in request.answers or {}]
        fields = [("Situationen", request.situation, "situation"),
                  ("Målgruppen", request.target_group, "target_group"),
                  ("Kommunen", request.municipality, "municipality"),
                  ("Jeres kommune", request.own_municipality, "own_municipality"),
                  *answers]  # fmt: skip
        for name, value, field in fields:
            require_unicode(value or "", name, field)
        wanted = self.resolve(InitiativeFilter(request.target_group, request.municipality))
        try:
            own = self.resolve(InitiativeFilter(municipality=request.own_municipality))
        except UnknownValueError as exc:  # the same rule, for the other field
            raise UnknownValueError(exc.message, "own_municipality", exc.known) from None
        request = replace(
            request,
            target_group=wanted.target_group,
            municipality=wanted.municipality,
            own_municipality=own.municipality,
        )
        recommender = self._snapshot.recommender
        if recommender is None:  # an empty corpus: the input is checked, nothing is found
            return nothing_recommended(request, self.settings.max_query_chars)
        return recommender.recommend(request)

    # writing -------------------------------------------------------------------------------
    def add_page(
        self, page: bytes | str, source: str = "ny side", expected_id: str | None = None
    ) -> Initiative:
        """Store a new page; a `ConflictError` if its id is taken (replace_page is for that).
        A text page is read at the door and stored as its record, like a record is."""
        return self._add(parse_at(page, source, expected_id), source)

    def add_record(self, record: Initiative, source: str = "ny post") -> Initiative:
        """A page given as a record, stored as it is (its id may be left out)."""
        return self._add(record_at(record, source, record.id or None), source)

    def _add(self, item: Initiative, source: str) -> Initiative:
        stored = record_bytes(item, source)
        with self._writing() as corpus:
            if corpus.initiative(item.id) is not None:
                raise ConflictError(
                    f"Der findes allerede en indsats med id '{item.id}'; erstat den i stedet "
                    "for at oprette den igen.",
                    initiative_id=item.id,
                )
            self.store.write_page(item.id, stored)
        return self.initiative(item.id)

    def replace_page(self, initiative_id: str, page: bytes | str, source: str = "ny side",
                     *, expect: Precondition | None = None) -> Put:  # fmt: skip
        """Put a page at its address: replace the stored or seed page with that id, or store
        it when there is none (its id is the address's, so a PUT cannot create a page where
        its content does not put it). With `expect`, only if the page as it is passes it,
        under the lock; a page that is not there does not (`PreconditionFailedError`)."""
        validate_id(initiative_id)
        return self._put(parse_at(page, source, initiative_id), source, expect)

    def replace_record(self, initiative_id: str, record: Initiative, source: str = "ny post",
                       *, expect: Precondition | None = None) -> Put:  # fmt: skip
        validate_id(initiative_id)
        if record.id and record.id != initiative_id:
            raise PageFormatError(
                source, f"postens id '{_shown(record.id)}' er ikke adressens id '{initiative_id}'."
            )
        return self._put(record_at(record, source, initiative_id), source, expect)

    def _put(self, item: Initiative, source: str, expect: Precondition | None) -> Put:
        stored = record_bytes(item, source)
        with self._writing() as corpus:
            old = corpus.initiative(item.id)
            if old is None and expect is not None:
                raise PreconditionFailedError(
                    f"Der er ingen indsats med id '{item.id}' at erstatte; intet er skrevet."
                )
            if old is not None:
                _require(corpus, item.id, expect)
            self.store.write_page(item.id, stored, replaces=Path(old.source) if old else None)
        return Put(self.initiative(item.id), created=old is None)

    def delete_page(self, initiative_id: str, *, expect: Precondition | None = None) -> None:
        """Remove a page; a seed page stays removed across restarts (tombstone)."""
        validate_id(initiative_id)
        with self._writing() as corpus:
            old = _require(corpus, initiative_id, expect)
            self.store.delete_page(initiative_id, loaded_from=Path(old.source))

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Corpus]:
        """Serialise a write and make it all or nothing; yields the corpus as the page files
        are now, for the checks.

        Everything happens under the writers' lock `data/lock`: the check, the file change,
        the page counter, and the next snapshot, built from the last one beside it while
        requests go on reading the last one. It is made live on disk and here in one step,
        under the reload lock, which requests take only to swap. If any step fails (a full
        disk while the page or the snapshot is written, say), the page store puts every file
        back as it was and the client is told nothing changed (507 for a full disk); the
        loaded snapshot keeps serving. A crash in between leaves a stored page and the old
        snapshot live; the next start-up sees the page file changed and builds.
        """
        with self._write_lock:
            try:  # taking the lock fails too on a data directory mounted read-only: 503
                with self.store.lock():
                    base = newest(self.settings, self._model(), self._snapshot)
                    corpus, files = current_corpus(self.settings, self.store, base)
                    with self.store.undoable():
                        yield corpus
                        read = (files, self.store.touched())
                        self.store.bump_version()
                        written = build(self.settings, self.store, base, self._model(),
                                        "en side er skrevet", read=read)  # fmt: skip
                        with self._reload_lock:
                            index_store(self.settings).publish(written.index)
                            self._state = replace(written, marker=self._marker())
            except OSError as exc:
                raise write_failure(exc) from exc


def _require(corpus: Corpus, initiative_id: str, expect: Precondition | None = None) -> Initiative:
    item = corpus.initiative(initiative_id)
    if item is None:
        raise NotFoundError(f"Ingen indsats med id '{_shown(initiative_id)}'")
    if expect is not None and not expect(item):
        raise PreconditionFailedError(
            f"Indsatsen '{initiative_id}' er ændret, siden I hentede den; intet er skrevet. "
            "Hent den igen, og skriv jeres ændring ind i den nye udgave."
        )
    return item


def _shown(value: str) -> str:
    return value if len(value) <= 120 else value[:120] + "..."
