"""Child process for the index crash tests: build an index and SIGKILL itself at step N.

    python -m tests.reliability.crash_child DATA_DIR VARIANT KILL_AT

Every file-system step the build takes (open for writing, fsync, rename, replace, unlink,
mkdir, rmtree, numpy save) is counted; at step KILL_AT the process kills itself with
SIGKILL before the step runs, which is what a power cut or the OOM killer does at that
point. KILL_AT 0 runs to the end and prints the number of steps and the corpus hash as
JSON, so the parent knows the range to draw kill points from.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import shutil
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

STEPS = 0
KILL_AT = 0


def _counted(fn: Callable[..., Any], writes_only: bool = False) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        global STEPS
        mode = args[1] if len(args) > 1 else kwargs.get("mode", "r")
        if not writes_only or any(c in str(mode) for c in "wax+"):
            STEPS += 1
            if STEPS == KILL_AT:
                os.kill(os.getpid(), signal.SIGKILL)
        return fn(*args, **kwargs)

    return wrapper


def install(kill_at: int = 0) -> None:
    global KILL_AT
    KILL_AT = kill_at
    for name in ("fsync", "rename", "replace", "unlink", "mkdir", "rmdir"):
        setattr(os, name, _counted(getattr(os, name)))
    builtins.open = _counted(builtins.open, writes_only=True)
    io.open = _counted(io.open, writes_only=True)
    shutil.rmtree = _counted(shutil.rmtree)  # type: ignore[assignment]
    np.save = _counted(np.save)


def corpus_for(variant: str) -> Any:
    """'a': the seeds; 'b': the seeds with one page changed and one dropped."""
    from dataclasses import replace

    from engine.domain.corpus import corpus_from_initiatives, load_corpus
    from engine.domain.models import Section

    seeds = load_corpus([Path(__file__).resolve().parents[2] / "seeds"])
    pages = list(seeds.initiatives)
    if variant == "b":
        first = pages[0]
        extra = Section("Gode råd", "En ny erfaring om virksomhedsbesøg og mentorer.")
        pages = [replace(first, sections=(*first.sections, extra)), *pages[1:-1]]
    return corpus_from_initiatives(pages)


def main() -> None:
    data_dir, variant, kill_at = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    from engine.search.indexing import open_index
    from engine.shared.settings import Settings
    from tests.fakes import FakeEmbedder

    corpus = corpus_for(variant)
    settings = Settings(data_dir=data_dir)
    install(kill_at)
    index, report = open_index(settings, corpus, FakeEmbedder())
    print(
        json.dumps(
            {
                "steps": STEPS,
                "built": report.built,
                "version": index.version,
                "corpus_hash": index.loaded.manifest["corpus_hash"],
                "passages": len(index.passages),
            }
        )
    )


if __name__ == "__main__":
    main()
