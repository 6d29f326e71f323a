"""When each page entered this catalogue and when it last changed, kept in the data directory.

A consultant reads a page's date as how fresh it is, so the date must mean something. A file's
modification time does not: a checkout, a copy or a restore sets it to that moment, and every
seed page then looked "added or changed" on the day the project was cloned. The published
pages carry no date of their own, so:

- a **seed page** (shipped in `seeds/`) gets no date at all, and the page says plainly that
  it is an example that came with Indsatsfinder;
- a **stored page** (written through the API or dropped into `data/pages/`) gets the time it
  entered this catalogue (`added_at`) and the time its content last changed (`updated_at`),
  both kept in `<data_dir>/page-dates.json` so that they survive restarts, checkouts and
  copies of the data directory. When a page is first seen, or seen with new content, the
  time is its file's modification time then, which is when the page was written.

The file is rewritten (atomically) only when something was added or changed, by whichever
process loads the pages; the values are taken from the files, so two processes that race
write the same dates. A file that cannot be written (a full or read-only disk) is logged and
the dates are used from memory; a damaged one is set aside and the dates start again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from durable.files import atomic_write, set_aside
from engine.domain.models import Initiative

log = logging.getLogger(__name__)

DATES_FILE = "page-dates.json"
FORMAT = 1


@dataclass(frozen=True, slots=True)
class PageDates:
    added: datetime
    changed: datetime
    content: str  # a digest of the page's content: a new one is a change


def content_digest(item: Initiative) -> str:
    """What the page says, not where or when it was read from."""
    parts = (item.municipality, item.title, item.target_groups, item.sections, item.tests)
    return hashlib.sha256(repr((*parts, item.headline_score)).encode()).hexdigest()[:20]


def dated(
    seeds: Iterable[Initiative], stored: Iterable[tuple[Initiative, Path, str]], path: Path
) -> list[Initiative]:
    """The seed pages without dates, and the stored pages (each with the file it came from
    and its `content_digest`) with the dates this catalogue keeps for them in `path`."""
    out = list(seeds)  # read from files: no dates
    known = _read(path)
    updated = dict(known)
    for item, source, digest in stored:
        dates = known.get(item.id)
        if dates is None or dates.content != digest:
            when = _written(source)
            added = dates.added if dates is not None else when
            dates = updated[item.id] = PageDates(added, max(when, added), digest)
        out.append(replace(item, added_at=dates.added, updated_at=dates.changed))
    if updated != known:
        _write(path, updated)
    return out


def _written(source: Path) -> datetime:
    """When the file was written: its modification time, or now if it cannot be read."""
    try:
        seconds = os.stat(source, follow_symlinks=False).st_mtime
    except OSError:
        seconds = datetime.now(UTC).timestamp()
    return datetime.fromtimestamp(int(seconds), UTC)


def _read(path: Path) -> dict[str, PageDates]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        log.warning("Sidernes datoer kunne ikke læses (%s); de regnes forfra", exc.strerror)
        return {}
    try:
        return _parse(json.loads(raw))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("%s var beskadiget (%s); flyttet til side, datoerne regnes forfra", path, exc)
        try:
            set_aside(path)
        except OSError as moved:
            log.warning("%s kunne ikke flyttes til side: %s", path, moved.strerror)
        return {}


def _parse(data: Mapping[str, Any]) -> dict[str, PageDates]:
    if data.get("format") != FORMAT:
        raise ValueError(f"ukendt format {data.get('format')!r}")
    return {
        page_id: PageDates(
            datetime.fromisoformat(entry["added"]),
            datetime.fromisoformat(entry["changed"]),
            str(entry["content"]),
        )
        for page_id, entry in data["pages"].items()
    }


def _write(path: Path, dates: Mapping[str, PageDates]) -> None:
    pages = {
        page_id: {
            "added": d.added.isoformat(),
            "changed": d.changed.isoformat(),
            "content": d.content,
        }
        for page_id, d in sorted(dates.items())
    }
    data = json.dumps({"format": FORMAT, "pages": pages}, ensure_ascii=False, indent=0)
    try:
        atomic_write(path, data.encode("utf-8"))
    except OSError as exc:
        log.warning(
            "Sidernes datoer kunne ikke gemmes i %s (%s); de bruges fra hukommelsen",
            path,
            exc.strerror or type(exc).__name__,
        )
