"""Persisted index versions: build into a temp dir, fsync, rename, swap `CURRENT` atomically.

Layout under `root` (normally `data/index/`):
    CURRENT                 name of the live version (replaced with os.replace)
    v-<n>-<hash>/           manifest.json, dense.faiss, vectors.npy, passages.jsonl, lexical/,
                            units/ (BM25 over the caller's coarser units, e.g. whole pages)
A reader sees the old or the new version, never a mix; a build killed at any point leaves
`CURRENT` on the previous complete version, and its temp dir is removed by the next build.
Loading checks the manifest against the wanted corpus and model and every file against its
checksum; anything off raises `StaleIndex` with the reason, which the caller logs and
rebuilds on, so a wrong or damaged index is never served silently. No pickle anywhere.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from durable.files import (
    atomic_write,
    file_lock,
    fsync_dir,
    fsync_file,
    is_disk_full,
    is_regular_or_missing,
    out_of_space,
    set_aside,
)
from index.base import Analyzer, Document, EmbedPassages
from index.dense_faiss import DenseIndex, Kind
from index.lexical_bm25 import LexicalIndex
from index.manifest import MANIFEST, StaleIndex, read_documents, sha256_file, verified_manifest

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
CURRENT = "CURRENT"
KEEP_VERSIONS = 3
_VERSION_RE = re.compile(r"^v-(\d+)-[0-9a-f]+$")

Progress = Callable[[int, int], None]
# Reasons are shown to the person running `indsats build`, hence Danish.
_CHANGED = {
    "format_version": "indeksformatet er ændret (version {old} -> {new})",
    "model": "modellen er ændret ({old} -> {new})",
    "dimension": "vektordimensionen er ændret ({old} -> {new})",
    "corpus_hash": "siderne er ændret siden indekset blev bygget",
    "index_kind": "indekstypen er ændret ({old} -> {new})",
}


@dataclass(frozen=True, slots=True)
class IndexSpec:
    """What a usable index must have been built from."""

    model: str
    dimension: int
    corpus_hash: str
    kind: Kind = "flat"
    hnsw_m: int = 32
    ef_search: int = 128


@dataclass(frozen=True, slots=True)
class LoadedIndex:
    """A verified version. Its documents stay on disk: the caller that asked for this corpus
    hash already holds the records (at 100k pages, reading them back took 13 s of a 63 s
    start-up and a gigabyte of memory); `read_documents` is there for the rest."""

    version: str
    manifest: dict[str, Any]
    directory: Path
    dense: DenseIndex
    lexical: LexicalIndex
    units: LexicalIndex | None

    def __len__(self) -> int:
        return int(self.manifest["passage_count"])

    def read_documents(self) -> tuple[Document, ...]:
        return read_documents(self.directory / "passages.jsonl")


@dataclass(frozen=True, slots=True)
class BuildReport:
    """Why the index was (re)built and how much work it took; `built` False = loaded."""

    built: bool
    reason: str
    version: str
    embedded: int = 0
    reused: int = 0
    seconds: float = 0.0


def vector_key(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()[:32]


class IndexStore:
    """Versions under `root`; builds hold the writers' lock `lock_path`. `analyzer` reads the
    lexical index's terms, the same one the caller's queries go through."""

    def __init__(self, root: Path, lock_path: Path, analyzer: Analyzer) -> None:
        self.root = root
        self.lock_path = lock_path
        self.analyzer = analyzer

    # -- reading -------------------------------------------------------------------------
    def current_version(self) -> str | None:
        """Name of the live version: one small file read, cheap enough to poll per request.
        None when there is none or `CURRENT` is damaged; never raises."""
        return self._read_current()[0]

    def _read_current(self) -> tuple[str | None, str]:
        """(name, "") for a good pointer, else (None, why): missing, unreadable (a directory,
        say) or damaged (a flipped bit, bytes that are not ASCII)."""
        try:
            raw = (self.root / CURRENT).read_bytes()
        except FileNotFoundError:
            return None, "der er ikke bygget et indeks endnu"
        except OSError as exc:
            return None, f"{CURRENT} kan ikke læses ({exc.strerror})"
        name = raw.decode("ascii", "replace").strip()
        if not _VERSION_RE.fullmatch(name):
            return None, f"{CURRENT} er beskadiget (den peger ikke på en indeksversion)"
        return name, ""

    def load(self, spec: IndexSpec) -> LoadedIndex:
        """Load and verify the live version; raises `StaleIndex` saying why it is unusable."""
        for attempt in range(2):
            version, problem = self._read_current()
            if version is None:
                raise StaleIndex(problem)
            try:
                return self._load_version(version, spec)
            except FileNotFoundError as exc:
                # A concurrent build may have swapped and collected it; look again once.
                if attempt == 1 or self.current_version() == version:
                    raise StaleIndex(f"indeksversion {version} er ufuldstændig ({exc})") from exc
        raise AssertionError("unreachable")

    def _load_version(self, version: str, spec: IndexSpec) -> LoadedIndex:
        directory = self.root / version
        manifest = verified_manifest(directory)
        wanted = {
            "format_version": FORMAT_VERSION,
            "model": spec.model,
            "dimension": spec.dimension,
            "corpus_hash": spec.corpus_hash,
            "index_kind": spec.kind,
        }
        for key, value in wanted.items():
            if manifest.get(key) != value:
                raise StaleIndex(_CHANGED[key].format(old=manifest.get(key), new=value))
        try:
            dense = DenseIndex.load(directory / "dense.faiss", spec.ef_search)
            lexical = LexicalIndex.load(directory / "lexical", self.analyzer)
            unit_count = manifest.get("unit_count", 0)
            units = LexicalIndex.load(directory / "units", self.analyzer) if unit_count else None
        except FileNotFoundError:
            raise
        except Exception as exc:  # verified by checksum above, so only a race or a bug
            raise StaleIndex(f"indeksversion {version} kan ikke indlæses ({exc})") from exc
        count = manifest["passage_count"]
        # passages.jsonl is covered by its checksum above and written from the same list.
        if not len(dense) == len(lexical) == count or len(units or ()) != unit_count:
            raise StaleIndex(
                f"indeksversion {version} hænger ikke sammen: manifestet siger {count} "
                f"passager og {manifest.get('unit_count')} sider, filerne har "
                f"{len(dense)}/{len(lexical)} og {len(units or ())}"
            )
        return LoadedIndex(version, manifest, directory, dense, lexical, units)

    # -- building ------------------------------------------------------------------------
    def ensure(
        self,
        documents: Callable[[], Sequence[Document]],
        spec: IndexSpec,
        embed: EmbedPassages,
        *,
        units: Callable[[], Sequence[str]] = tuple,
        force: bool = False,
        progress: Progress | None = None,
        locked: bool = False,
    ) -> tuple[LoadedIndex, BuildReport]:
        """The live index if it matches `spec`, else a fresh build (logged with the reason).

        `embed` turns document texts into vectors of `spec.model` (only texts whose vectors
        the live version does not already hold). `units` are coarser texts made of the
        documents (the caller's pages), indexed for BM25 only, so that a unit can be ranked
        as a whole; their rows follow the order given. `locked`: the caller holds the
        writers' lock already (a page write that builds before it answers)."""
        if not force:
            try:
                loaded = self.load(spec)
                return loaded, BuildReport(False, "indekset er opdateret", loaded.version)
            except StaleIndex as exc:
                reason = exc.reason
        else:
            reason = "genopbygning bedt om med --force"
        with contextlib.nullcontext() if locked else file_lock(self.lock_path):
            if not force:
                # Another process may have built it while we waited for the lock.
                try:
                    loaded = self.load(spec)
                    return loaded, BuildReport(False, "bygget af en anden proces", loaded.version)
                except StaleIndex as exc:
                    reason = exc.reason
            log.warning("Bygger søgeindekset: %s", reason)
            loaded, report = self._build(documents(), units(), spec, embed, reason, force, progress)
        log.info(
            "Indeks %s klar: %d passager indlejret, %d genbrugt, %.1f s",
            report.version,
            report.embedded,
            report.reused,
            report.seconds,
        )
        return loaded, report

    def _build(
        self,
        documents: Sequence[Document],
        units: Sequence[str],
        spec: IndexSpec,
        embed: EmbedPassages,
        reason: str,
        force: bool,
        progress: Progress | None,
    ) -> tuple[LoadedIndex, BuildReport]:
        start = time.monotonic()
        if self.root.exists() and not self.root.is_dir():  # we hold the writers' lock
            moved = set_aside(self.root)
            log.warning("%s var ikke en mappe; flyttet til %s", self.root.name, moved.name)
        self.root.mkdir(parents=True, exist_ok=True)
        self._remove_temp_dirs()
        # Everything goes into a temp dir first; only the rename below makes it a version.
        tmp = self.root / f".tmp-{uuid.uuid4().hex}"
        tmp.mkdir()
        try:
            return self._build_in(
                tmp, documents, units, spec, embed, reason, force, progress, start
            )
        except BaseException as exc:
            # A full disk must not stay fuller: the half-written version goes at once, not at
            # the next build (a kill -9 still leaves it to that one). faiss and numpy report
            # a short write without an errno; with the disk full at this moment (before the
            # cleanup frees it), that is what it was.
            full = isinstance(exc, Exception) and not is_disk_full(exc) and out_of_space(tmp)
            shutil.rmtree(tmp, ignore_errors=True)
            if full:
                raise OSError(errno.ENOSPC, f"{os.strerror(errno.ENOSPC)} ({exc})") from exc
            raise

    def _build_in(
        self, tmp: Path, documents: Sequence[Document], units: Sequence[str], spec: IndexSpec,
        embed: EmbedPassages, reason: str, force: bool, progress: Progress | None, start: float,
    ) -> tuple[LoadedIndex, BuildReport]:  # fmt: skip
        keys = [vector_key(spec.model, d.text) for d in documents]
        previous = {} if force else self._previous_vectors(spec)
        missing = [i for i, key in enumerate(keys) if key not in previous]
        vectors = np.zeros((len(documents), spec.dimension), dtype=np.float32)
        for i, key in enumerate(keys):
            if key in previous:
                vectors[i] = previous[key]
        if progress is not None:
            progress(0, len(missing))
        done = 0

        def step(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress(done, len(missing))

        if missing:
            fresh = embed([documents[i].text for i in missing], step)
            vectors[missing] = fresh
        np.save(tmp / "vectors.npy", vectors, allow_pickle=False)
        dense = DenseIndex.build(vectors, spec.kind, spec.hnsw_m, spec.ef_search)
        dense.save(tmp / "dense.faiss")
        lexical = LexicalIndex.build([d.terms_text for d in documents], self.analyzer)
        lexical.save(tmp / "lexical")
        if units:
            LexicalIndex.build(units, self.analyzer).save(tmp / "units")
        with (tmp / "passages.jsonl").open("w", encoding="utf-8") as fh:
            for doc, key in zip(documents, keys, strict=True):
                row = {
                    "id": doc.id,
                    "text": doc.text,
                    "lexical_text": doc.lexical_text,
                    "vector_key": key,
                    "payload": doc.payload,
                }
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        files = sorted(p for p in tmp.rglob("*") if p.is_file())
        for path in files:
            fsync_file(path)
        manifest: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "model": spec.model,
            "dimension": spec.dimension,
            "corpus_hash": spec.corpus_hash,
            "index_kind": spec.kind,
            "passage_count": len(documents),
            "unit_count": len(units),
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "files": {p.relative_to(tmp).as_posix(): sha256_file(p) for p in files},
        }
        manifest_path = tmp / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
        fsync_file(manifest_path)
        for sub in {p.parent for p in files} | {tmp}:
            fsync_dir(sub)
        digest = hashlib.sha256(f"{spec.model}\0{spec.corpus_hash}".encode()).hexdigest()[:10]
        name = f"v-{self._next_number()}-{digest}"
        os.rename(tmp, self.root / name)
        try:
            fsync_dir(self.root)
            self._point_current_at(name)
        except BaseException:
            if self.current_version() != name:  # never live: do not let it take the space
                shutil.rmtree(self.root / name, ignore_errors=True)
            raise
        self._collect_garbage(keep=name)
        loaded = self._load_version(name, spec)
        report = BuildReport(
            True, reason, name, len(missing), len(documents) - len(missing),
            time.monotonic() - start,
        )  # fmt: skip
        return loaded, report

    def _previous_vectors(self, spec: IndexSpec) -> dict[str, npt.NDArray[np.float32]]:
        """Vectors of the live version keyed by (model, text), if its files are intact."""
        version = self.current_version()
        if version is None:
            return {}
        directory = self.root / version
        try:
            manifest = verified_manifest(directory)
            if manifest.get("model") != spec.model or manifest.get("dimension") != spec.dimension:
                return {}
            vectors = np.load(directory / "vectors.npy", allow_pickle=False)
            keys = [
                json.loads(line)["vector_key"]
                for line in (directory / "passages.jsonl").read_text("utf-8").splitlines()
                if line.strip()
            ]
        except (StaleIndex, OSError, ValueError, KeyError, TypeError) as exc:
            log.info("not reusing vectors of %s: %s", version, exc)
            return {}
        if len(keys) != len(vectors):
            return {}
        return {key: vectors[i] for i, key in enumerate(keys)}

    def _next_number(self) -> int:
        numbers = [int(m.group(1)) for p in self.root.iterdir() if (m := _VERSION_RE.match(p.name))]
        return max(numbers, default=0) + 1

    def _point_current_at(self, name: str) -> None:
        pointer = self.root / CURRENT
        if not is_regular_or_missing(pointer):  # a directory or a link where the file belongs
            moved = set_aside(pointer)
            log.warning("%s var ikke en fil; flyttet til %s", CURRENT, moved.name)
        atomic_write(pointer, (name + "\n").encode("utf-8"))

    def _remove_temp_dirs(self) -> None:
        """Leftovers of killed builds; safe to delete because we hold the write lock."""
        for path in self.root.glob(".tmp-*"):
            shutil.rmtree(path, ignore_errors=True)
        for path in self.root.glob(f"{CURRENT}.tmp-*"):  # left by builds before atomic_write
            path.unlink(missing_ok=True)
        for path in self.root.glob(".tmp-*.part"):
            path.unlink(missing_ok=True)

    def _collect_garbage(self, keep: str) -> None:
        """Drop old versions but the newest few: a reader that just read `CURRENT` may still be
        opening the previous one."""
        versions = sorted(
            (int(m.group(1)), p) for p in self.root.iterdir() if (m := _VERSION_RE.match(p.name))
        )
        old = [p for _, p in versions if p.name != keep][: max(0, len(versions) - KEEP_VERSIONS)]
        for path in old:
            shutil.rmtree(path, ignore_errors=True)
