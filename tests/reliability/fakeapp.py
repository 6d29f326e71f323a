"""`uvicorn --factory tests.reliability.fakeapp:create`: the real app with the fake embedder.

Lets crash, concurrency and load tests run real server processes (several workers, kill -9)
without loading the sentence-transformers model in every process.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence

from fastapi import FastAPI

from api.app import create_app
from engine.embedding.base import Vectors
from engine.shared.settings import Settings
from tests.fakes import FakeEmbedder


class HoldingEmbedder(FakeEmbedder):
    """Holds a write inside its embedding for good, once it says so on a FIFO: the crash
    tests kill the server there, while the next snapshot is being built (`INDSATS_TEST_
    HOLD_FIFO`, only for a page holding the words HOLD-DENNE-SKRIVNING)."""

    def __init__(self, fifo: str) -> None:
        super().__init__()
        self.fifo = fifo

    def embed_batch(self, texts: Sequence[str]) -> Vectors:
        if any("HOLD-DENNE-SKRIVNING" in t for t in texts):
            with open(self.fifo, "w", encoding="utf-8") as signal:  # blocks until read
                signal.write("bygger\n")
            threading.Event().wait()  # until the test kills the process
        return super().embed_batch(texts)


def create() -> FastAPI:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings()
    fifo = os.environ.get("INDSATS_TEST_HOLD_FIFO")
    embedder = HoldingEmbedder(fifo) if fifo else FakeEmbedder()
    app = create_app(settings, embedder=embedder)
    from api.web import mount_web  # the consultants' page, as `indsats serve` has it

    mount_web(app, settings)
    return app
