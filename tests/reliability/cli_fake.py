"""`python -m tests.reliability.cli_fake build ...`: the real `indsats` CLI, fake embedder.

The crash tests kill `indsats build` many times; loading the sentence-transformers model
in every attempt would spend the time budget on model loading instead of on the build.
With INDSATS_CRASH_KILL_AT=N the process SIGKILLs itself before its N-th file-system step
(see `crash_child.py`); with 0 it reports the number of steps on stderr at exit.
"""

from __future__ import annotations

import atexit
import os
import sys

import engine.embedding
from engine.shared.settings import Settings
from tests.fakes import FakeEmbedder
from tests.reliability import crash_child


def _fake(settings: Settings) -> FakeEmbedder:
    return FakeEmbedder()


def _report() -> None:
    print(f"crash-steps={crash_child.STEPS}", file=sys.stderr)


if __name__ == "__main__":
    engine.embedding.load_embedder = _fake
    from cli.app import app

    kill_at = os.environ.get("INDSATS_CRASH_KILL_AT")
    if kill_at is not None:
        crash_child.install(int(kill_at))
        atexit.register(_report)
    app(prog_name="indsats")
