"""Invariants checked after every crash: the index on disk is one complete version."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def live_index_problems(index_dir: Path) -> list[str]:
    """Empty when `CURRENT` names a version whose manifest lists files that all match.

    Deliberately independent of `index/store.py`: it re-reads the files itself, so a bug
    in the store's own verification cannot hide a torn index from this check.
    """
    current = index_dir / "CURRENT"
    if not current.exists():
        return ["no CURRENT"]
    name = current.read_text(encoding="utf-8").strip()
    version = index_dir / name
    if not name or not version.is_dir():
        return [f"CURRENT names {name!r}, which is not a directory"]
    try:
        manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{name}: manifest unreadable: {exc}"]
    files = manifest.get("files") or {}
    problems = [f"{name}: manifest lists no files"] if not files else []
    for rel, digest in files.items():
        path = version / rel
        if not path.is_file():
            problems.append(f"{name}/{rel} missing")
        elif sha256(path) != digest:
            problems.append(f"{name}/{rel} checksum mismatch")
    if not manifest.get("passage_count"):
        problems.append(f"{name}: empty index (passage_count {manifest.get('passage_count')})")
    return problems
