"""Persisted index versions: build into a temp dir, fsync, rename, swap `CURRENT` atomically.

Layout under `root` (normally `data/index/`):
    CURRENT                 name of the live version (replaced with os.replace)
    v-<n>-<hash>/           manifest.json, dense.faiss, vectors.npy, passages.jsonl, lexical/,
                            units/ (BM25 over the caller's coarser units, e.g. whole pages),
                            and the caller's own files (`Contents.extras`)
A reader sees the old or the new version, never a mix; a build killed at any point leaves
`CURRENT` on the previous complete version, and its temp dir is removed by the next build.
Loading checks the manifest against the wanted corpus and model and every file against its
checksum; anything off raises `StaleIndex` with the reason, which the caller logs and
rebuilds on, so a wrong or damaged index is never served silently. No pickle anywhere.

Two ways to build: `ensure` works everything out from documents (embedding the texts whose
vectors the live version does not hold); `write` takes a version the caller has worked out
itself (vectors and analysed terms of unchanged rows kept from the last one), so a change of
one page costs that page's rows and the writing of the files.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from durable.files import (
    file_lock,
    fsync_dir,
    fsync_file,
    is_disk_full,
    out_of_space,
    set_aside,
)
from index.base import Analyzer, Document, EmbedPassages, Vectors
from index.dense_faiss import DenseIndex
from index.lexical_bm25 import LexicalIndex
from index.manifest import MANIFEST, StaleIndex, read_documents, sha256_file, verified_manifest
from index.versions import (
    CURRENT,
    FORMAT_VERSION,
    KEEP_VERSIONS,
    IndexSpec,
    LoadedIndex,
    collect_garbage,
    load_version,
    next_number,
    point_current_at,
    read_current,
    remove_temp_dirs,
)

__all__ = ["CURRENT", "KEEP_VERSIONS", "BuildReport", "Contents", "IndexSpec", "IndexStore",
           "LoadedIndex", "Progress", "StaleIndex", "read_documents"]  # fmt: skip
log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildReport:
    """Why the index was (re)built and how much work it took; `built` False = loaded."""

    built: bool
    reason: str
    version: str
    embedded: int = 0
    reused: int = 0
    seconds: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Contents:
    """A version as the caller worked it out: one vector and the analysed lexical terms per
    document, the analysed units, and files of its own (names without '/')."""

    documents: Sequence[Document]
    vectors: Vectors
    terms: Sequence[Sequence[str]]
    units: Sequence[Sequence[str]] = ()
    extras: Mapping[str, bytes] = field(default_factory=dict)


def vector_key(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()[:32]


def embed_rows(
    vectors: Vectors,
    rows: list[int],
    texts: Sequence[str],
    embed: EmbedPassages,
    progress: Progress | None,
) -> None:
    """Embed `texts` into `vectors[rows]`, reporting (done, of) after each batch: the one
    embedding step of a build, whether the store or a snapshot writer found what is missing."""
    if progress is not None:
        progress(0, len(rows))
    if not rows:
        return
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, len(rows))

    vectors[rows] = embed(texts, step)


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
        return read_current(self.root)[0]

    def load(
        self, spec: IndexSpec, *, any_corpus: bool = False, extras: Sequence[str] = ()
    ) -> LoadedIndex:
        """Load and verify the live version; raises `StaleIndex` saying why it is unusable.
        `any_corpus`: built for another corpus will do (for its vectors); `extras`: the
        caller's own files to read with it."""
        for attempt in range(2):
            version, problem = read_current(self.root)
            if version is None:
                raise StaleIndex(problem)
            try:
                return load_version(
                    self.root / version, spec, self.analyzer, any_corpus=any_corpus, extras=extras
                )
            except FileNotFoundError as exc:
                # A concurrent build may have swapped and collected it; look again once.
                if attempt == 1 or self.current_version() == version:
                    raise StaleIndex(f"indeksversion {version} er ufuldstændig ({exc})") from exc
        raise AssertionError("unreachable")

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
    ) -> tuple[LoadedIndex, BuildReport]:
        """The live index if it matches `spec`, else a fresh build (logged with the reason).

        `embed` turns document texts into vectors of `spec.model` (only texts whose vectors
        the live version does not already hold). `units` are coarser texts made of the
        documents (the caller's pages), indexed for BM25 only, so that a unit can be ranked
        as a whole; their rows follow the order given."""
        if not force:
            try:
                loaded = self.load(spec)
                return loaded, BuildReport(
                    built=False, reason="indekset er opdateret", version=loaded.version
                )
            except StaleIndex as exc:
                reason = exc.reason
        else:
            reason = "genopbygning bedt om med --force"
        with file_lock(self.lock_path):
            if not force:
                # Another process may have built it while we waited for the lock.
                try:
                    loaded = self.load(spec)
                    return loaded, BuildReport(
                        built=False, reason="bygget af en anden proces", version=loaded.version
                    )
                except StaleIndex as exc:
                    reason = exc.reason
            log.warning("Bygger søgeindekset: %s", reason)
            start = time.monotonic()
            docs = documents()
            vectors, embedded = self._vectors(docs, spec, embed, force, progress)
            analyse = self.analyzer.stems
            contents = Contents(
                documents=docs,
                vectors=vectors,
                terms=[analyse(d.terms_text) for d in docs],
                units=[analyse(u) for u in units()],
            )
            loaded = self._build(contents, spec)
        report = BuildReport(
            built=True,
            reason=reason,
            version=loaded.version,
            embedded=embedded,
            reused=len(docs) - embedded,
            seconds=time.monotonic() - start,
        )
        _log_built(report)
        return loaded, report

    def prepare(self, contents: Contents, spec: IndexSpec) -> LoadedIndex:
        """A complete version with exactly these contents, written beside the live one but
        not live yet: `publish` makes it live, `discard` removes it. The caller holds the
        writers' lock from here to either."""
        self._make_root()
        tmp = self.root / f".tmp-{uuid.uuid4().hex}"
        tmp.mkdir()
        try:
            return self._write_version(tmp, contents, spec)
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

    def publish(self, version: LoadedIndex) -> None:
        """Make a prepared version the live one (the one step a reader sees), then drop old
        versions but the newest few."""
        try:
            point_current_at(self.root, version.version)
        except BaseException:
            self.discard(version)
            raise
        collect_garbage(self.root, keep=version.version)

    def discard(self, version: LoadedIndex) -> None:
        """Remove a prepared version that will not be published (a write that failed)."""
        if self.current_version() != version.version:  # never live: it must not take space
            shutil.rmtree(version.directory, ignore_errors=True)

    def _vectors(
        self,
        documents: Sequence[Document],
        spec: IndexSpec,
        embed: EmbedPassages,
        force: bool,
        progress: Progress | None,
    ) -> tuple[Vectors, int]:
        """A vector per document: the live version's where it has one, embedded otherwise."""
        keys = [vector_key(spec.model, d.vector_of) for d in documents]
        previous = {} if force else self.previous_vectors(spec)
        missing = [i for i, key in enumerate(keys) if key not in previous]
        vectors = np.zeros((len(documents), spec.dimension), dtype=np.float32)
        for i, key in enumerate(keys):
            if key in previous:
                vectors[i] = previous[key]
        embed_rows(vectors, missing, [documents[i].text for i in missing], embed, progress)
        return vectors, len(missing)

    def _build(self, contents: Contents, spec: IndexSpec) -> LoadedIndex:
        version = self.prepare(contents, spec)
        self.publish(version)
        return version

    def _make_root(self) -> None:
        if self.root.exists() and not self.root.is_dir():  # we hold the writers' lock
            moved = set_aside(self.root)
            log.warning("%s var ikke en mappe; flyttet til %s", self.root.name, moved.name)
        self.root.mkdir(parents=True, exist_ok=True)
        remove_temp_dirs(self.root)

    def _write_version(self, tmp: Path, contents: Contents, spec: IndexSpec) -> LoadedIndex:
        documents, vectors = contents.documents, contents.vectors
        if vectors.shape != (len(documents), spec.dimension):
            raise ValueError(f"{vectors.shape} vectors for {len(documents)} documents")
        np.save(tmp / "vectors.npy", vectors, allow_pickle=False)
        dense = DenseIndex.build(vectors, spec.kind, spec.hnsw_m, spec.ef_search)
        dense.save(tmp / "dense.faiss")
        lexical = LexicalIndex.from_terms(contents.terms, self.analyzer)
        if len(documents):
            lexical.save(tmp / "lexical")
        units = LexicalIndex.from_terms(contents.units, self.analyzer) if contents.units else None
        if units is not None:
            units.save(tmp / "units")
        with (tmp / "passages.jsonl").open("w", encoding="utf-8") as fh:
            for doc in documents:
                key = vector_key(spec.model, doc.vector_of)
                row: dict[str, object] = {"id": doc.id, "vector_key": key}
                if doc.payload:  # a caller with records of its own lists only the vectors
                    row |= {"text": doc.text, "lexical_text": doc.lexical_text}
                    row["payload"] = doc.payload
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        for name, data in contents.extras.items():
            (tmp / name).write_bytes(data)
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
            "unit_count": len(contents.units),
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "files": {p.relative_to(tmp).as_posix(): sha256_file(p) for p in files},
        }
        manifest_path = tmp / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
        fsync_file(manifest_path)
        for sub in {p.parent for p in files} | {tmp}:
            fsync_dir(sub)
        digest = hashlib.sha256(f"{spec.model}\0{spec.corpus_hash}".encode()).hexdigest()[:10]
        name = f"v-{next_number(self.root)}-{digest}"
        os.rename(tmp, self.root / name)
        try:
            fsync_dir(self.root)
        except BaseException:
            shutil.rmtree(self.root / name, ignore_errors=True)
            raise
        return LoadedIndex(
            version=name,
            manifest=manifest,
            directory=self.root / name,
            dense=dense,
            lexical=lexical,
            units=units,
            extras=dict(contents.extras),
        )

    def previous_vectors(self, spec: IndexSpec) -> dict[str, npt.NDArray[np.float32]]:
        """Vectors of the live version keyed by `vector_key` (model, what the vector is of),
        if its files are intact, whatever corpus or format it was built for."""
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


def _log_built(report: BuildReport) -> None:
    log.info(
        "Indeks %s klar: %d passager indlejret, %d genbrugt, %.1f s",
        report.version,
        report.embedded,
        report.reused,
        report.seconds,
    )
