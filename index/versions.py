"""One index version on disk: its directory, the pointer `CURRENT` to the live one, and how a
version is read back and checked.

A version is written whole into a temp dir and renamed (`index/store.py`); only then may
`CURRENT` name it. Reading one checks the manifest against what the caller wants and every
file against its checksum, so a wrong or damaged version surfaces as `StaleIndex` with the
reason instead of being served.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from durable.files import atomic_write, is_regular_or_missing, set_aside
from index.base import Analyzer, Document
from index.dense_faiss import DenseIndex, Kind
from index.lexical_bm25 import LexicalIndex
from index.manifest import StaleIndex, read_documents, verified_manifest

log = logging.getLogger(__name__)

FORMAT_VERSION = 3
CURRENT = "CURRENT"
KEEP_VERSIONS = 3
VERSION_RE = re.compile(r"^v-(\d+)-[0-9a-f]+$")
# Reasons are shown to the person running `indsats build`, hence Danish.
_CHANGED = {
    "format_version": "indeksformatet er ændret (version {old} -> {new})",
    "model": "modellen er ændret ({old} -> {new})",
    "dimension": "vektordimensionen er ændret ({old} -> {new})",
    "corpus_hash": "siderne er ændret siden indekset blev bygget",
    "index_kind": "indekstypen er ændret ({old} -> {new})",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexSpec:
    """What a usable index must have been built from."""

    model: str
    dimension: int
    corpus_hash: str
    kind: Kind = "flat"
    hnsw_m: int = 32
    ef_search: int = 128


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadedIndex:
    """A verified version. Its documents stay on disk: the caller that asked for this corpus
    hash already holds the records (at 100k pages, reading them back took 13 s of a 63 s
    start-up and a gigabyte of memory); `read_documents` is there for the rest. `extras`
    are the caller's own files of the version (`IndexStore.write`), read when it was loaded."""

    version: str
    manifest: dict[str, Any]
    directory: Path
    dense: DenseIndex
    lexical: LexicalIndex
    units: LexicalIndex | None
    extras: dict[str, bytes] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.manifest["passage_count"])

    def read_documents(self) -> tuple[Document, ...]:
        return read_documents(self.directory / "passages.jsonl")


def read_current(root: Path) -> tuple[str | None, str]:
    """(name, "") for a good pointer, else (None, why): missing, unreadable (a directory,
    say) or damaged (a flipped bit, bytes that are not ASCII). Never raises."""
    try:
        raw = (root / CURRENT).read_bytes()
    except FileNotFoundError:
        return None, "der er ikke bygget et indeks endnu"
    except OSError as exc:
        return None, f"{CURRENT} kan ikke læses ({exc.strerror})"
    name = raw.decode("ascii", "replace").strip()
    if not VERSION_RE.fullmatch(name):
        return None, f"{CURRENT} er beskadiget (den peger ikke på en indeksversion)"
    return name, ""


def load_version(
    directory: Path,
    spec: IndexSpec,
    analyzer: Analyzer,
    *,
    any_corpus: bool = False,
    extras: Sequence[str] = (),
) -> LoadedIndex:
    """The version in `directory` if it was built for `spec` (for any corpus, with
    `any_corpus`: its vectors may serve another), with the named `extras` read."""
    version = directory.name
    manifest = verified_manifest(directory)
    wanted: dict[str, object] = {
        "format_version": FORMAT_VERSION,
        "model": spec.model,
        "dimension": spec.dimension,
        "corpus_hash": spec.corpus_hash,
        "index_kind": spec.kind,
    }
    if any_corpus:
        del wanted["corpus_hash"]
    for key, value in wanted.items():
        if manifest.get(key) != value:
            raise StaleIndex(_CHANGED[key].format(old=manifest.get(key), new=value))
    count = manifest["passage_count"]
    unit_count = manifest.get("unit_count", 0)
    try:
        dense = DenseIndex.load(directory / "dense.faiss", spec.ef_search)
        lexical = (
            LexicalIndex.load(directory / "lexical", analyzer)
            if count
            else LexicalIndex.from_terms([], analyzer)
        )
        units = LexicalIndex.load(directory / "units", analyzer) if unit_count else None
        found = {name: (directory / name).read_bytes() for name in extras}
    except FileNotFoundError:
        raise
    except Exception as exc:  # verified by checksum above, so only a race or a bug
        raise StaleIndex(f"indeksversion {version} kan ikke indlæses ({exc})") from exc
    # passages.jsonl is covered by its checksum above and written from the same list.
    if not len(dense) == len(lexical) == count or len(units or ()) != unit_count:
        raise StaleIndex(
            f"indeksversion {version} hænger ikke sammen: manifestet siger {count} "
            f"passager og {manifest.get('unit_count')} sider, filerne har "
            f"{len(dense)}/{len(lexical)} og {len(units or ())}"
        )
    return LoadedIndex(
        version=version,
        manifest=manifest,
        directory=directory,
        dense=dense,
        lexical=lexical,
        units=units,
        extras=found,
    )


def point_current_at(root: Path, name: str) -> None:
    pointer = root / CURRENT
    if not is_regular_or_missing(pointer):  # a directory or a link where the file belongs
        moved = set_aside(pointer)
        log.warning("%s var ikke en fil; flyttet til %s", CURRENT, moved.name)
    atomic_write(pointer, (name + "\n").encode("utf-8"))


def next_number(root: Path) -> int:
    numbers = [int(m.group(1)) for p in root.iterdir() if (m := VERSION_RE.match(p.name))]
    return max(numbers, default=0) + 1


def remove_temp_dirs(root: Path) -> None:
    """Leftovers of killed builds; safe to delete because the caller holds the write lock."""
    for path in root.glob(".tmp-*"):
        shutil.rmtree(path, ignore_errors=True)
    for path in root.glob(f"{CURRENT}.tmp-*"):  # left by builds before atomic_write
        path.unlink(missing_ok=True)
    for path in root.glob(".tmp-*.part"):
        path.unlink(missing_ok=True)


def collect_garbage(root: Path, keep: str) -> None:
    """Drop old versions but the newest few: a reader that just read `CURRENT` may still be
    opening the previous one."""
    versions = sorted(
        (int(m.group(1)), p) for p in root.iterdir() if (m := VERSION_RE.match(p.name))
    )
    old = [p for _, p in versions if p.name != keep][: max(0, len(versions) - KEEP_VERSIONS)]
    for path in old:
        shutil.rmtree(path, ignore_errors=True)
