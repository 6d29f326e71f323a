"""The files of an index version: what its manifest must hold, the check of every file
against its checksum before anything is read, and reading its passages back.

A manifest is JSON written by the build; damage (a flipped bit, a truncation, `null`, a
list, a key that changed) must surface as `StaleIndex` with the reason, which makes the
caller rebuild, never as a TypeError on first use.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from index.base import Document

MANIFEST = "manifest.json"


class StaleIndex(Exception):
    """The stored index is missing, out of date or damaged; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verified_manifest(directory: Path) -> dict[str, Any]:
    """The manifest of a version directory once its shape and every file's checksum are
    right; `StaleIndex` saying what is wrong otherwise (FileNotFoundError if it is gone)."""
    try:
        manifest: dict[str, Any] = json.loads((directory / MANIFEST).read_text("utf-8"))
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as exc:
        raise StaleIndex(f"manifestet i {directory.name} kan ikke læses ({exc})") from exc
    files = _checked_files(manifest, directory.name)
    for rel, digest in files.items():
        path = directory / rel
        if not path.is_file():
            raise StaleIndex(f"{directory.name}/{rel} mangler")
        if sha256_file(path) != digest:
            raise StaleIndex(f"{directory.name}/{rel} er beskadiget (forkert checksum)")
    return manifest


# What every reader of a manifest relies on; anything else is damage, found before use.
_MANIFEST_FIELDS: dict[str, type | tuple[type, ...]] = {
    "format_version": int,
    "model": str,
    "dimension": int,
    "corpus_hash": str,
    "index_kind": str,
    "passage_count": int,
    "files": dict,
}


def _checked_files(manifest: object, name: str) -> dict[str, str]:
    """The manifest's file checksums, once its shape is right; `StaleIndex` otherwise (a
    manifest that is `null`, a list, or has a key with a flipped bit)."""
    if not isinstance(manifest, dict):
        raise StaleIndex(f"manifestet i {name} er ikke et JSON-objekt")
    for key, kind in _MANIFEST_FIELDS.items():
        value = manifest.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise StaleIndex(
                f"manifestet i {name} mangler feltet {key!r} eller har en forkert type"
            )
    units = manifest.get("unit_count", 0)  # optional: indexes without page units have none
    if not isinstance(units, int) or isinstance(units, bool) or units < 0:
        raise StaleIndex(f"manifestet i {name} har et ugyldigt 'unit_count'")
    files: dict[str, str] = manifest["files"]
    if not files:
        raise StaleIndex(f"manifestet i {name} nævner ingen filer")
    if bool(units) != any(rel.startswith("units/") for rel in files):
        raise StaleIndex(f"manifestet i {name} hænger ikke sammen: 'unit_count' og filerne")
    for rel, digest in files.items():
        parts = Path(rel).parts
        if not isinstance(digest, str) or not parts or Path(rel).is_absolute() or ".." in parts:
            raise StaleIndex(f"manifestet i {name} nævner en ugyldig fil ({rel[:60]!r})")
    return files


def read_documents(path: Path) -> tuple[Document, ...]:
    docs: list[Document] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                docs.append(
                    Document(
                        id=row["id"],
                        text=row.get("text", ""),
                        payload=row.get("payload", {}),
                        lexical_text=row.get("lexical_text"),
                    )
                )
    return tuple(docs)
