"""The files that make the corpus, each known by where it lies and a hash of its bytes.

Reading a page file and hashing it costs a few microseconds; parsing it costs a thousand
times more. So every load reads every file, and a file whose hash is already known (from
the last snapshot, or from the snapshot on disk at start-up) is not parsed again: a write
costs the page it changes, and a start-up with unchanged pages parses nothing.

Which file wins is decided here, once: a stored page with a seed's id replaces the seed, a
tombstone removes its id unless a page with that id is stored, two stored files with one
id leave `<id>.json`, then `<id>.txt`, and the other is reported.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from engine.domain.corpus import read_page_bytes, unreadable
from engine.domain.models import Initiative, LoadError
from engine.domain.parser import parse_bytes
from engine.domain.records import read_record
from engine.shared.errors import PageFormatError
from engine.shared.settings import Settings
from engine.storage.dates import DATES_FILE, content_digest, dated

log = logging.getLogger(__name__)

SEED, STORED = "seeds", "pages"


@dataclass(frozen=True, slots=True, kw_only=True)
class PageFile:
    """One file as read: `where` is (SEED or STORED, file name), the same wherever the
    directories lie; `page` is what it says (no practice ids, no dates) or `error` why not."""

    where: tuple[str, str]
    path: Path
    digest: str
    page: Initiative | None = None
    error: str = ""
    content: str = ""  # `content_digest` of the page, for its dates

    @property
    def load_error(self) -> LoadError:
        return LoadError(str(self.path), self.error)


def read_files(
    settings: Settings, stored: Iterable[Path], known: Mapping[str, PageFile] = {}
) -> list[PageFile]:
    """Every seed and stored page file, read and hashed; one whose hash is in `known` is
    taken from there instead of being parsed again."""
    seed_dir = settings.seeds_dir
    seeds = sorted(p for p in seed_dir.iterdir() if p.suffix == ".txt") if seed_dir.is_dir() else []
    out = [_read((SEED, p.name), p, known) for p in seeds]
    return out + [_read((STORED, p.name), p, known) for p in stored]


def read_again(
    settings: Settings, stored: Iterable[Path], before: Iterable[PageFile], touched: Iterable[Path]
) -> list[PageFile]:
    """The files as `read_files` reads them, when `before` was read moments ago and only the
    `touched` ones can have changed since (a writer, holding the writers' lock, changed them
    itself): those, and files that were not there, are read; the rest are taken as read."""
    old = {f.path: f for f in before}
    changed = set(touched)
    out = [f for f in old.values() if f.where[0] == SEED]
    for path in stored:
        again = old.get(path)
        out.append(
            again
            if again is not None and path not in changed
            else _read((STORED, path.name), path, {})
        )
    return out


def _read(where: tuple[str, str], path: Path, known: Mapping[str, PageFile]) -> PageFile:
    try:
        data, _ = read_page_bytes(path)
    except OSError as exc:
        return PageFile(where=where, path=path, digest="", error=unreadable(exc))
    digest = hashlib.sha256(data).hexdigest()
    before = known.get(digest)
    if before is not None and before.path.suffix == path.suffix:
        if before.path == path and before.where == where:
            return before
        page = replace(before.page, source=str(path)) if before.page else None
        return replace(before, where=where, path=path, page=page)
    try:
        page = (
            read_record(data, str(path)) if path.suffix == ".json" else parse_bytes(data, str(path))
        )
    except PageFormatError as exc:
        return PageFile(where=where, path=path, digest=digest, error=exc.reason)
    return PageFile(where=where, path=path, digest=digest, page=page, content=content_digest(page))


def choose(
    files: Iterable[PageFile],
    tombstones: frozenset[str],
    settings: Settings,
    previous: Mapping[str, Initiative] = {},
) -> tuple[list[Initiative], list[LoadError]]:
    """The pages the corpus holds, ordered by municipality and title, with their dates, and
    the files that were left out with why. `previous` maps a file's hash to the page made
    of it last time: reused (practice ids and all) while its dates are the same."""
    files = list(files)
    errors = [f.load_error for f in files if f.error]
    if not settings.seeds_dir.is_dir():
        errors.insert(0, LoadError(str(settings.seeds_dir), "mappen med seed-sider findes ikke"))
    seeds: dict[str, PageFile] = {}
    for f in (f for f in files if f.page is not None and f.where[0] == SEED):
        assert f.page is not None
        if f.page.id in seeds:
            errors.append(LoadError(str(f.path), f"samme id som {seeds[f.page.id].path}"))
        else:
            seeds[f.page.id] = f
    stored: dict[str, PageFile] = {}
    mine = [f for f in files if f.page is not None and f.where[0] == STORED]
    for f in sorted(mine, key=_preference):
        assert f.page is not None
        if f.page.id in stored:
            errors.append(
                LoadError(str(f.path), f"samme id som {stored[f.page.id].path}; fjern den ene")
            )
        else:
            stored[f.page.id] = f
    kept = [f.page for k, f in seeds.items() if k not in tombstones and k not in stored]
    with_dates = dated(
        (p for p in kept if p is not None),
        ((f.page, f.path, f.content) for f in stored.values() if f.page is not None),
        settings.data_dir / DATES_FILE,
    )
    by_id = {f.page.id: f.digest for f in [*seeds.values(), *stored.values()] if f.page}
    pages = [_same_as_before(p, previous.get(by_id[p.id])) for p in with_dates]
    pages.sort(key=lambda i: (i.municipality.casefold(), i.title, i.id))
    for error in errors:
        log.warning("Side afvist: %s: %s", error.file, error.message)
    return pages, errors


def _preference(f: PageFile) -> tuple[bool, int, Path]:
    """`<id>.json` before `<id>.txt` before any other name."""
    assert f.page is not None
    return f.path.stem != f.page.id, f.path.suffix != ".json", f.path


def _same_as_before(page: Initiative, before: Initiative | None) -> Initiative:
    same = (
        before is not None
        and before.source == page.source
        and (before.added_at, before.updated_at) == (page.added_at, page.updated_at)
    )
    return before if same and before is not None else page
