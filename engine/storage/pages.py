"""Durable page store: the pages written through the API, one UTF-8 file per initiative.

Layout under `settings.pages_dir`:

- `<id>.json`     a page as a stored record (`engine/domain/records.py`), as every write
                  stores it; it joins the seeds in every corpus load and replaces a seed page
                  with the same id.
- `*.txt`         a page in the published text format, dropped in by hand (or written by an
                  earlier version): read like a seed page; a write of its id replaces it by
                  `<id>.json`.
- `<id>.deleted`  a tombstone: the id stays out of the corpus (seed or not) until a page
                  with that id is written again. A page file beats a tombstone, so a crash
                  between the two steps of a write or a delete never loses an acknowledged
                  write.
- `VERSION`       a counter bumped after every committed write, so that other worker
                  processes can notice with one tiny read that they must reload.

Every write goes to a temporary file in the same directory, is fsynced, renamed over the
target with `os.replace` and followed by an fsync of the directory: after a crash the file
is either the old or the new version, never half written. Writers serialise through an
exclusive `flock` on `data/lock`, which works across threads and worker processes; readers
need no lock because every file is replaced atomically.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from durable.files import (
    TEMP_PREFIX,
    atomic_write,
    durable_unlink,
    file_lock,
    fsync_dir,
    is_disk_full,
    is_regular_or_missing,
    set_aside,
)
from engine.domain.corpus import PAGE_SUFFIX, RECORD_SUFFIX, corpus_from_initiatives
from engine.domain.models import Corpus
from engine.shared.errors import IndsatsError, InvalidInputError, StorageError, StorageFullError
from engine.shared.settings import Settings
from engine.storage.scan import choose, read_files

log = logging.getLogger(__name__)

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,120}$")
PAGE_SUFFIXES = (RECORD_SUFFIX, PAGE_SUFFIX)
TOMBSTONE_SUFFIX = ".deleted"
VERSION_FILE = "VERSION"


def validate_id(initiative_id: str) -> str:
    """Refuse anything that is not a plain slug, so no id can name a path outside the store."""
    if not ID_PATTERN.fullmatch(initiative_id):
        shown = initiative_id if len(initiative_id) <= 80 else initiative_id[:80] + "..."
        raise InvalidInputError(
            f"Ugyldigt id {shown!r}: et id består af små bogstaver a-z, cifre og bindestreger, "
            "begynder med et bogstav eller ciffer og er højst 121 tegn."
        )
    return initiative_id


# What a file was before a write changed it: a hard link to the old file, its bytes (where
# links are not possible), or None when it did not exist.
_Before = Path | bytes | None


class PageStore:
    """The files under `pages_dir`. Mutating methods expect the caller to hold `lock()`."""

    def __init__(self, pages_dir: Path, lock_path: Path) -> None:
        self.pages_dir = pages_dir
        self.lock_path = lock_path
        self._undo: list[tuple[Path, _Before]] | None = None

    def ensure(self) -> None:
        """Create the directories, drop temp files left by a crashed writer, and rewrite a
        damaged `VERSION` (other workers see the new value and reload).

        A data directory that cannot be written (mounted read-only, say) is no reason not to
        serve what it holds: the tidying is left for a start that can write, and every write
        is refused with 503 until then. A file where the pages directory belongs is set
        aside, never deleted; it made every start fail."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self.lock():
                if self.pages_dir.exists() and not self.pages_dir.is_dir():
                    moved = set_aside(self.pages_dir)
                    log.warning(
                        "%s var ikke en mappe; flyttet til %s", self.pages_dir.name, moved.name
                    )
                self.pages_dir.mkdir(parents=True, exist_ok=True)
                self._tidy()
        except OSError as exc:
            if not self.pages_dir.is_dir() and self.pages_dir.exists():
                raise  # neither tidied nor readable: the start fails and is tried again
            log.warning(
                "Datamappen kan ikke skrives (%s): siderne og indekset læses, men skrivninger "
                "afvises, til den kan skrives igen",
                exc.strerror or type(exc).__name__,
            )

    def _tidy(self) -> None:
        for leftover in self.pages_dir.glob(TEMP_PREFIX + "*"):
            log.warning("Fjerner ufuldstændig fil fra en afbrudt skrivning: %s", leftover.name)
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        if not self.version().isdigit():
            with contextlib.suppress(OSError):  # a full disk: it is rewritten at a write
                self.bump_version()

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold `data/lock`, the one writers' lock the index store's builds take too. Not
        reentrant: never nest it."""
        with file_lock(self.lock_path):
            yield

    @contextlib.contextmanager
    def undoable(self) -> Iterator[None]:
        """Make the writes in the block all or nothing (the caller holds `lock()`).

        Before a file is changed, a hard link keeps the old one; if the block fails (a full
        disk while the page or the index is written), every file is put back from its link,
        which takes no free space, and the error goes on. A crash in the middle leaves the
        links as temp files, which `ensure` drops: a write cut off may have happened or not.
        """
        self._undo = []
        try:
            yield
        except BaseException:
            steps, self._undo = self._undo, None
            self._roll_back(steps)
            raise
        steps, self._undo = self._undo, None
        for _, before in steps:
            if isinstance(before, Path):
                with contextlib.suppress(OSError):
                    before.unlink()

    def touched(self) -> list[Path]:
        """The files the write in `undoable` has changed so far."""
        return [path for path, _ in self._undo or ()]

    def _remember(self, path: Path) -> None:
        """Keep what `path` is now, the first time a write in `undoable` touches it."""
        if self._undo is None or any(_same_path(seen, path) for seen, _ in self._undo):
            return
        if not path.exists() or not is_regular_or_missing(path):
            self._undo.append((path, None))  # a damaged non-file is set aside, not restored
            return
        link = path.with_name(f"{TEMP_PREFIX}undo-{uuid.uuid4().hex[:8]}-{path.name}")
        try:
            os.link(path, link)
        except OSError:  # a file system without hard links
            self._undo.append((path, path.read_bytes()))
        else:
            self._undo.append((path, link))

    def _roll_back(self, steps: list[tuple[Path, _Before]]) -> None:
        for path, before in reversed(steps):
            if before is None:
                if is_regular_or_missing(path):  # what the write put there, if anything
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
            elif isinstance(before, Path):
                if _same_file(before, path):  # untouched: rename(2) would do nothing
                    before.unlink()
                else:
                    os.replace(before, path)
            else:
                atomic_write(path, before)
        if steps:
            fsync_dir(self.pages_dir)
            log.warning("Skrivningen blev rullet tilbage: %s", ", ".join(p.name for p, _ in steps))

    # reading -------------------------------------------------------------------------
    def page_path(self, initiative_id: str) -> Path:
        """Where a write stores the page: its record."""
        return self.pages_dir / f"{validate_id(initiative_id)}{RECORD_SUFFIX}"

    def text_page_path(self, initiative_id: str) -> Path:
        """Where a text page of that id may lie (dropped in, or from an earlier version)."""
        return self.pages_dir / f"{validate_id(initiative_id)}{PAGE_SUFFIX}"

    def tombstone_path(self, initiative_id: str) -> Path:
        return self.pages_dir / f"{validate_id(initiative_id)}{TOMBSTONE_SUFFIX}"

    def page_files(self) -> list[Path]:
        """Entries named like pages, in a stable order (hidden files, e.g. temp files, are not
        pages); one that is not a regular file is reported by `read_page`, not skipped."""
        if not self.pages_dir.is_dir():
            return []
        return sorted(
            p
            for suffix in PAGE_SUFFIXES
            for p in self.pages_dir.glob("*" + suffix)
            if not p.name.startswith(".")
        )

    def _own(self, path: Path | None) -> Path | None:
        """`path` if it is a page file directly in this store, else None (never outside)."""
        if path is None or path.suffix not in PAGE_SUFFIXES or path.name.startswith("."):
            return None
        if path.resolve().parent != self.pages_dir.resolve():
            return None
        return path

    def tombstones(self) -> frozenset[str]:
        if not self.pages_dir.is_dir():
            return frozenset()
        return frozenset(
            p.name.removesuffix(TOMBSTONE_SUFFIX)
            for p in self.pages_dir.glob("*" + TOMBSTONE_SUFFIX)
            if ID_PATTERN.fullmatch(p.name.removesuffix(TOMBSTONE_SUFFIX))
        )

    def version(self) -> str:
        """The write counter as text ('0' before the first write); one small read per request,
        so it never raises: a damaged counter (bytes that are not digits, a directory) reads
        as a marker of its damage, which still changes when the file does."""
        try:
            raw = (self.pages_dir / VERSION_FILE).read_bytes().strip()
        except FileNotFoundError:
            return "0"
        except OSError as exc:
            return f"ulæselig-{exc.errno}"
        if not raw:
            return "0"
        if raw.isdigit():  # ASCII digits only, for bytes
            return raw.decode("ascii")
        return "beskadiget-" + hashlib.sha256(raw).hexdigest()[:12]

    # writing (under lock) ---------------------------------------------------------------
    def write_page(self, initiative_id: str, record: bytes, replaces: Path | None = None) -> Path:
        """Store a page's record (`records.record_bytes`) as `<id>.json` and lift a tombstone.

        A text page of that id goes, and so does `replaces`, the file the page was loaded
        from when it lay in the directory under another name, once the record is in place.
        """
        path = self.page_path(initiative_id)
        tombstone = self.tombstone_path(initiative_id)
        text = self.text_page_path(initiative_id)
        old = self._own(replaces)
        self.pages_dir.mkdir(parents=True, exist_ok=True)
        for touched in (path, text, old, tombstone):
            if touched is not None:
                self._remember(touched)
        self._make_room(path)
        atomic_write(path, record)
        for gone in {text, old} - {None, path}:
            assert gone is not None
            self._remove(gone)
        self._remove(tombstone)
        log.info("Side gemt: %s", path.name)
        return path

    def delete_page(self, initiative_id: str, loaded_from: Path | None = None) -> None:
        """Tombstone first, then remove the file(s): a crash in between keeps the page."""
        self.pages_dir.mkdir(parents=True, exist_ok=True)
        tombstone = self.tombstone_path(initiative_id)
        paths = [self.page_path(initiative_id), self.text_page_path(initiative_id)]
        old = self._own(loaded_from)
        for touched in (tombstone, *paths, old):
            if touched is not None:
                self._remember(touched)
        if is_regular_or_missing(tombstone):  # a damaged one (a directory) still counts
            atomic_write(tombstone, b"")
        for path in paths:
            self._remove(path)
        if old is not None and old not in paths:
            self._remove(old)
        log.info("Side slettet: %s", initiative_id)

    def bump_version(self) -> str:
        """Count one write. A damaged counter restarts from the clock, which is larger than
        any count it can have held, so no worker mistakes the new value for one it has seen."""
        current = self.version()
        if current.isdigit():
            new = str(int(current) + 1)
        else:
            new = str(time.time_ns())
            log.warning("pages/VERSION var beskadiget (%s); skrevet forfra som %s", current, new)
        self.pages_dir.mkdir(parents=True, exist_ok=True)
        path = self.pages_dir / VERSION_FILE
        self._remember(path)
        self._make_room(path)
        atomic_write(path, (new + "\n").encode("ascii"))
        return new

    def _make_room(self, path: Path) -> None:
        """Set aside whatever non-file (a directory, a link) sits where a file must go."""
        if not is_regular_or_missing(path):
            moved = set_aside(path)
            log.warning("%s var ikke en fil; flyttet til %s", path.name, moved.name)

    def _remove(self, path: Path) -> None:
        """Remove a file of ours durably; a directory in its place is set aside instead."""
        if is_regular_or_missing(path):
            durable_unlink(path)
        else:
            self._make_room(path)


def _same_path(a: Path, b: Path) -> bool:
    return a == b or os.path.abspath(a) == os.path.abspath(b)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def load_stored_corpus(settings: Settings, store: PageStore | None = None) -> Corpus:
    """The corpus everyone serves and indexes: the seeds, then the stored pages on top (the
    rules in `engine/storage/scan.py`). Bad files become `LoadError`s, never exceptions."""
    store = store or PageStore(settings.pages_dir, settings.data_dir / "lock")
    pages, errors = choose(read_files(settings, store.page_files()), store.tombstones(), settings)
    return corpus_from_initiatives(pages, errors)


def write_failure(exc: OSError) -> IndsatsError:
    """What a client is told when the data directory could not take a write, which
    `undoable` has undone: 507 for a full disk, 503 for anything else (no paths shown)."""
    if is_disk_full(exc):
        log.error("Skrivning afvist, disken er fuld: %s", exc)
        return StorageFullError(
            "Disken under datamappen er fuld: ændringen er ikke gemt, og intet er ændret. "
            "Frigør plads på serveren, og prøv igen."
        )
    log.error("Skrivning afvist, datamappen kunne ikke skrives: %s", exc)
    return StorageError(
        f"Datamappen kunne ikke skrives ({exc.strerror or type(exc).__name__}): ændringen er "
        "ikke gemt, og intet er ændret. Prøv igen, eller kontakt driften."
    )
