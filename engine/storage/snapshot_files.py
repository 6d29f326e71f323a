"""What a snapshot keeps beside its index, as files of its version directory.

- `files.json`: every page file it was made of, by where it lies (seeds or pages, and its
  name, so a copied data directory is the same snapshot) and the hash of its bytes; the
  files that were left out and why; the code and thesaurus that read them.
- `records.jsonl`: one line per page, `{"digest", "page", "where"}`: the page as a record
  with its practice ids and dates (`records.snapshot_dict`); the keys are sorted, so every
  line starts with the digest and a reader can see an unchanged line without decoding it.
- `practices.npz`: each practice's document (`practice_match.practice_document`) and its
  vector, so a start-up embeds no practice again.
A file that is not what it should be raises `SnapshotFileError` saying which and why.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.domain.models import Initiative, LoadError
from engine.domain.records import record_from_dict, snapshot_dict
from engine.shared.settings import Settings
from engine.storage.scan import SEED, STORED, PageFile

FORMAT = 1
FILES, RECORDS, PRACTICES = "files.json", "records.jsonl", "practices.npz"
EXTRAS = (FILES, RECORDS, PRACTICES)
_LINE_START = b'{"digest":"'
Vectors = npt.NDArray[np.float32]


class SnapshotFileError(ValueError):
    """A file of a snapshot cannot be used; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Meta:
    key: str
    files: tuple[PageFile, ...]
    errors: tuple[LoadError, ...]


def meta_bytes(
    key: str,
    files: Sequence[PageFile],
    errors: Iterable[LoadError],
    settings: Settings,
    made_by: Mapping[str, str],
) -> bytes:
    """`made_by`: the code and thesaurus the pages were read with (`check_meta` asks)."""
    meta = {
        "format": FORMAT,
        **made_by,
        "key": key,
        "files": [[list(f.where), f.digest, f.error, f.content] for f in files],
        "errors": [[where_of(settings, e.file), e.message] for e in errors],
    }
    return json.dumps(meta, ensure_ascii=False).encode("utf-8")


def read_meta(data: bytes, settings: Settings, made_by: Mapping[str, str]) -> Meta:
    try:
        meta: dict[str, Any] = json.loads(data)
        if meta.get("format") != FORMAT or any(meta.get(k) != v for k, v in made_by.items()):
            raise SnapshotFileError("indekset er bygget af en anden udgave af Indsatsfinder")
        files = tuple(
            PageFile(
                where=(w[0], w[1]),
                path=Path(page_path(settings, w)),
                digest=d,
                page=None,
                error=error,
                content=content,
            )
            for w, d, error, content in meta["files"]
        )
        errors = tuple(LoadError(page_path(settings, w), m) for w, m in meta["errors"])
        return Meta(str(meta["key"]), files, errors)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SnapshotFileError(f"{FILES} kan ikke læses ({exc})") from exc


def record_line(digest: str, page: Initiative, where: Sequence[str]) -> bytes:
    row = {"digest": digest, "page": snapshot_dict(page), "where": list(where)}
    line = json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return line.encode("utf-8")


def read_records(
    data: bytes,
    settings: Settings,
    before: Mapping[str, bytes] = {},
    pages: Mapping[str, Initiative] = {},
) -> tuple[dict[str, bytes], list[Initiative]]:
    """Each page's line by its digest, and the pages in order; a line equal to the one in
    `before` gives the page in `pages` as it is, without decoding it again."""
    lines: dict[str, bytes] = {}
    out: list[Initiative] = []
    try:
        for line in data.splitlines():
            digest = line[len(_LINE_START) : len(_LINE_START) + 64].decode("ascii")
            page = pages.get(digest)
            if page is None or before.get(digest) != line:
                row = json.loads(line)
                where = page_path(settings, row["where"])
                page = record_from_dict(row["page"], where, snapshot=True)
            lines[digest] = line
            out.append(page)
    except (ValueError, KeyError, TypeError) as exc:  # PageFormatError is a ValueError too
        raise SnapshotFileError(f"{RECORDS} kan ikke læses ({exc})") from exc
    return lines, out


def page_path(settings: Settings, where: Sequence[str]) -> str:
    kind, name = where
    if not kind:  # not a page file (the seeds directory itself)
        return name
    return str((settings.seeds_dir if kind == SEED else settings.pages_dir) / name)


def where_of(settings: Settings, path: str) -> list[str]:
    for kind, directory in ((SEED, settings.seeds_dir), (STORED, settings.pages_dir)):
        if Path(path).parent == directory:
            return [kind, Path(path).name]
    return ["", path]


def practices_bytes(vectors: Mapping[str, Vectors], dimension: int) -> bytes:
    out = io.BytesIO()
    matrix = np.stack(list(vectors.values())) if vectors else np.zeros((0, dimension), np.float32)
    np.savez(out, documents=np.array(list(vectors), dtype=str), vectors=matrix)
    return out.getvalue()


def read_practices(data: bytes) -> dict[str, Vectors]:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as found:
            return dict(zip(found["documents"].tolist(), found["vectors"], strict=True))
    except (ValueError, KeyError, OSError) as exc:
        raise SnapshotFileError(f"{PRACTICES} kan ikke læses ({exc})") from exc
