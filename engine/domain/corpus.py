"""Load page directories into a `Corpus`: parsed pages, the practice catalogue, the rejects.

A bad file never stops the others from loading: it becomes a `LoadError` naming the file and
the reason, and the caller decides what to do (the CLI exits 1, the API logs it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from engine.domain.models import Corpus, Initiative, LoadError
from engine.domain.parser import parse_bytes
from engine.domain.practices import build_catalogue
from engine.errors import PageFormatError

log = logging.getLogger(__name__)
PAGE_SUFFIX = ".txt"


def page_files(dirs: Iterable[Path]) -> list[Path]:
    """The page files of each directory (or single file), in a stable order."""
    files: list[Path] = []
    for d in dirs:
        if d.is_file():
            files.append(d)
        elif d.is_dir():
            files.extend(sorted(p for p in d.iterdir() if p.suffix == PAGE_SUFFIX and p.is_file()))
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
    """The page in `path`, or None with the reason appended to `errors`.

    `updated_at` is the file's modification time: pages written through the API are
    renamed into place, so that is when the page was last written."""
    try:
        data = path.read_bytes()
        changed = datetime.fromtimestamp(int(path.stat().st_mtime), UTC)
        return replace(parse_bytes(data, str(path)), updated_at=changed)
    except PageFormatError as exc:
        errors.append(LoadError(str(path), exc.reason))
    except OSError as exc:
        errors.append(LoadError(str(path), f"kan ikke læse filen: {exc.strerror}"))
    return None


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
