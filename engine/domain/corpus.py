"""Load page directories into a `Corpus`: parsed pages, the practice catalogue, the rejects.

A bad file never stops the others from loading: it becomes a `LoadError` naming the file and
the reason, and the caller decides what to do (the CLI exits 1, the API logs it). That holds
for entries that are not files too: a directory, a FIFO or a symbolic link named like a page
is reported, never skipped in silence, never waited on, and never followed (a link to a
system file would otherwise have its first line quoted in the load errors). A page larger
than `MAX_PAGE_BYTES` is reported unread: a 20 MB page took 654 MB to load.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from engine.domain.models import Corpus, Initiative, LoadError
from engine.domain.parser import parse_bytes
from engine.domain.practices import build_catalogue
from engine.domain.records import read_record
from engine.shared.errors import PageFormatError

log = logging.getLogger(__name__)
PAGE_SUFFIX = ".txt"  # a page in the published text format
RECORD_SUFFIX = ".json"  # a page as a stored record (`engine/domain/records.py`)
# Twice the largest request body (1 MiB), so a page written through the API always loads.
MAX_PAGE_BYTES = 2 * 1024 * 1024


def page_files(dirs: Iterable[Path]) -> list[Path]:
    """The entries named like pages in each directory (or a single file), in a stable order;
    `read_page` reports those that are not regular files."""
    files: list[Path] = []
    for d in dirs:
        if d.is_file():
            files.append(d)
        elif d.is_dir():
            files.extend(sorted(p for p in d.iterdir() if p.suffix == PAGE_SUFFIX))
    return files


def load_corpus(dirs: Sequence[Path]) -> Corpus:
    initiatives: list[Initiative] = []
    errors: list[LoadError] = []
    for d in dirs:
        if not d.exists():
            errors.append(LoadError(str(d), "filen eller mappen findes ikke"))
    for path in page_files(dirs):
        if (item := read_page(path, errors)) is not None:
            initiatives.append(item)
    corpus = corpus_from_initiatives(initiatives, errors)
    for error in corpus.errors:
        log.warning("rejected %s: %s", error.file, error.message)
    return corpus


def read_page(path: Path, errors: list[LoadError]) -> Initiative | None:
    """The page in `path` (a record if it is named `*.json`, else a text page), or None
    with the reason appended to `errors`.

    A file's modification time is not the page's date (a checkout sets it); the catalogue
    keeps the dates of its pages itself (`engine/storage/dates.py`)."""
    try:
        data, _ = read_page_bytes(path)
        return (
            read_record(data, str(path))
            if path.suffix == RECORD_SUFFIX
            else parse_bytes(data, str(path))
        )
    except PageFormatError as exc:
        errors.append(LoadError(str(path), exc.reason))
    except OSError as exc:
        errors.append(LoadError(str(path), unreadable(exc)))
    return None


class _NotAPage(OSError):
    """An entry we refuse to read; its message is the reason shown."""


def read_page_bytes(path: Path) -> tuple[bytes, float]:
    """The bytes and the modification time of a regular file, without following a link or
    waiting on a FIFO."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise _NotAPage("er en mappe, ikke en side-fil")
        if not stat.S_ISREG(info.st_mode):
            raise _NotAPage("er ikke en almindelig fil (fx en FIFO eller en enhed)")
        if info.st_size > MAX_PAGE_BYTES:
            raise _NotAPage(_too_big(info.st_size))
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(MAX_PAGE_BYTES + 1)
        if len(data) > MAX_PAGE_BYTES:  # it grew while we looked
            raise _NotAPage(_too_big(len(data)))
        return data, info.st_mtime
    finally:
        os.close(fd)


def _too_big(size: int) -> str:
    mb = MAX_PAGE_BYTES / 1_000_000
    return f"filen er {size / 1_000_000:.1f} MB; en side må højst fylde {mb:.1f} MB".replace(
        ".", ","
    )


def unreadable(exc: OSError) -> str:
    """Why a page file could not be read, in the words a load error shows."""
    if isinstance(exc, _NotAPage):
        return str(exc)
    if exc.errno == errno.ELOOP:
        return (
            "er et symbolsk link; sider læses ikke gennem links (kopiér filen ind i mappen i "
            "stedet)"
        )
    return f"kan ikke læse filen: {exc.strerror}"


def corpus_from_initiatives(
    initiatives: Iterable[Initiative], errors: Iterable[LoadError] = ()
) -> Corpus:
    """Drop duplicate ids (first one wins, the rest are reported) and build the catalogue."""
    unique: dict[str, Initiative] = {}
    problems = list(errors)
    for initiative in initiatives:
        first = unique.get(initiative.id)
        if first is not None:
            problems.append(
                LoadError(
                    initiative.source,
                    f"samme kommune og titel som {first.source} (id {initiative.id!r}); "
                    "fjern den ene af de to filer",
                )
            )
            continue
        unique[initiative.id] = initiative
    pages, practices = build_catalogue(list(unique.values()))
    return Corpus(initiatives=pages, practices=practices, errors=tuple(problems))
