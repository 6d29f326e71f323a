"""The Engine's loaded state: what is on disk now (the marker a request compares), the
answers of an empty corpus, the pause before a reload that failed is tried again, and the
start-up that tries again until the engine opens.

The loaded state itself is one immutable `Snapshot` (`engine/serving/snapshots.py`), swapped in
with one assignment, so request threads never see half of a reload. Its marker (the page
counter and the live index version) says what it was checked against; a change on disk
changes the marker and makes the next request load the live snapshot.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from durable.files import is_disk_full
from engine.recommend.recommender import Recommendation, RecommendRequest
from engine.search.indexing import live_version
from engine.search.query import SearchQuery, validate_k, validate_text
from engine.search.results import SearchResponse
from engine.serving.snapshots import Marker
from engine.shared.errors import IndsatsError, without_paths
from engine.shared.settings import Settings
from engine.storage.pages import PageStore

log = logging.getLogger(__name__)

T = TypeVar("T")
RETRY_FIRST = 1.0  # seconds before a failed reload is tried again, doubling ...
RETRY_MAX = 60.0  # ... up to this


def disk_marker(settings: Settings, store: PageStore) -> Marker:
    """What is on disk now: two small file reads, cheap enough for every request."""
    return store.version(), live_version(settings)


def nothing_found(query: SearchQuery) -> SearchResponse:
    """The answer of an empty corpus to a (checked) query."""
    return SearchResponse(
        query=query.text,
        mode=query.mode,
        k=query.k,
        offset=query.offset,
        total=0,
        results=(),
        no_good_match=True,
    )


def nothing_recommended(request: RecommendRequest, max_chars: int) -> Recommendation:
    """The answer of an empty corpus to a situation, once its text and k are checked."""
    situation = validate_text(request.situation, max_chars, "Situationen", "situation")
    validate_k(request.k)
    return Recommendation(
        situation=situation, initiatives=(), practices=(), advice=(), no_good_match=True
    )


class ReloadPause:
    """When a reload of the same files may be tried again after it failed: after 1 s, then
    2 s, ... up to RETRY_MAX. A full disk must not turn every read into a rebuild that fails
    again; meanwhile the last snapshot serves. `clock` is replaceable for tests."""

    def __init__(self) -> None:
        self.clock: Callable[[], float] = time.monotonic
        self._marker: Marker | None = None
        self._retry_at = 0.0
        self._pause = 0.0

    def waiting(self, marker: Marker) -> bool:
        return marker == self._marker and self.clock() < self._retry_at

    def failed(self, marker: Marker, exc: Exception) -> None:
        if marker != self._marker:
            self._pause = 0.0
        self._pause = min(RETRY_MAX, max(RETRY_FIRST, 2 * self._pause))
        self._marker = marker
        self._retry_at = self.clock() + self._pause
        reason = exc.message if isinstance(exc, IndsatsError) else f"{type(exc).__name__}: {exc}"
        log.warning(
            "Genindlæsning mislykkedes (%s); de senest indlæste sider og indeks svarer videre, "
            "nyt forsøg om %.0f s",
            reason,
            self._pause,
            exc_info=not isinstance(exc, (IndsatsError, OSError)),
        )

    def succeeded(self) -> None:
        self._marker = None
        self._pause = 0.0


def failure_text(exc: BaseException) -> str:
    """Why a load failed, in words a client may read: the engine's own message, or what the
    file system said and of which file, never where the server keeps it (the traceback of
    anything else goes to the log only)."""
    if isinstance(exc, IndsatsError):
        return without_paths(exc.message)
    if isinstance(exc, OSError):
        name = f" ({Path(str(exc.filename)).name})" if exc.filename else ""
        if is_disk_full(exc):
            return f"Disken under datamappen er fuld{name}; frigør plads."
        return f"Datamappen kan ikke læses eller skrives som den skal: {exc.strerror or exc}{name}."
    return f"Uventet fejl ({type(exc).__name__}); detaljerne står i serverens log."


class Startup(Generic[T]):
    """Opens the engine, and tries again until it opens.

    A start that fails (a full disk while the index is built, a data directory that cannot
    be written when the index must be, a model that cannot be read) used to be final: a 503
    until someone restarted the server, even after the disk was freed. Now each failure is
    logged with its cause and tried again after 1 s, 2 s, ... up to RETRY_MAX, and
    `status()` says what failed and when the next try is, for /readyz and every 503.
    `wait(seconds)` pauses between tries and returns True when the server is stopping.
    """

    def __init__(
        self,
        open_engine: Callable[[], T],
        wait: Callable[[float], bool],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._open = open_engine
        self._wait = wait
        self._clock = clock
        self.failures = 0
        self.problem: str | None = None  # why the last try failed; None: none failed yet
        self._retry_at = 0.0

    def run(self, failed: Callable[[], None] = lambda: None) -> T | None:
        """The opened engine, or None when stopped first; `failed` is called after each
        failed try (the API marks itself settled: it answers with the cause)."""
        pause = 0.0
        while True:
            try:
                opened = self._open()
            except Exception as exc:
                self.failures += 1
                pause = min(RETRY_MAX, max(RETRY_FIRST, 2 * pause))
                self.problem = failure_text(exc)
                self._retry_at = self._clock() + pause
                log.error(
                    "Motoren kunne ikke starte (forsøg %d): %s Nyt forsøg om %.0f s.",
                    self.failures,
                    self.problem,
                    pause,
                    exc_info=not isinstance(exc, IndsatsError),
                )
                failed()
                if self._wait(pause):
                    return None
                continue
            if self.failures:
                log.info("Motoren startede ved forsøg %d", self.failures + 1)
            self.problem = None
            return opened

    def status(self) -> str:
        """What a client is told while there is no engine."""
        if self.problem is None:
            return "Tjenesten starter stadig; prøv igen om lidt."
        left = max(0, math.ceil(self._retry_at - self._clock()))
        return (
            f"Tjenesten kunne ikke starte: {self.problem} Den prøver selv igen om {left} s "
            f"({self.failures} forsøg indtil nu); en genstart er ikke nødvendig."
        )

    def retry_after(self) -> int:
        """Seconds until the next try (at least 1), for a 503's Retry-After."""
        return max(1, math.ceil(self._retry_at - self._clock()))
