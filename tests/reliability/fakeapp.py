"""`uvicorn --factory tests.reliability.fakeapp:create`: the real app with the fake embedder.

Lets crash, concurrency and load tests run real server processes (several workers, kill -9)
without loading the sentence-transformers model in every process.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI

from api.app import create_app
from engine.settings import Settings
from tests.fakes import FakeEmbedder


def create() -> FastAPI:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings()
    app = create_app(settings, embedder=FakeEmbedder())
    from api.web import mount_web  # the consultants' page, as `indsats serve` has it

    mount_web(app, settings)
    return app
