"""The FastAPI application: `create_app(settings)` builds it, `lifespan` loads the engine.

Loading the model and the index takes seconds, so the lifespan starts it in a thread: the
server answers `/healthz` at once and `/readyz` (and every data endpoint) with 503 until
the engine is on `app.state`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from prometheus_client import CollectorRegistry, GCCollector, ProcessCollector
from prometheus_fastapi_instrumentator import Instrumentator

from api.errors import install_error_handlers
from api.middleware import BodyLimitMiddleware, NoSniffMiddleware
from api.requests import InitiativeRecord
from api.routes import health, initiatives, practices, search
from api.server import install_log_redaction
from api.web import mount_web
from engine import __version__
from engine.embedding import Embedder
from engine.errors import IndsatsError
from engine.service import Engine
from engine.settings import Settings

log = logging.getLogger(__name__)

DESCRIPTION = """
Søgning og anbefalinger i jobcentrenes publicerede indsatser.

Alle svar er JSON. Fejl har formen `{"error": {"code": "...", "message": "..."}}`.
Skrivning (POST, PUT, DELETE) kræver headeren `X-API-Key` med værdien af `INDSATS_API_KEY`.
"""


def _load_engine(app: FastAPI, settings: Settings, embedder: Embedder | None) -> None:
    if settings.api_key is None:
        log.warning("Skrivning er slået fra: INDSATS_API_KEY er ikke sat")
    try:
        app.state.engine = Engine.open(settings, embedder=embedder)
    except IndsatsError as exc:
        log.error("Motoren kunne ikke starte: %s", exc.message)
        app.state.engine_error = exc.message
    except Exception:
        log.exception("Motoren kunne ikke starte")
        app.state.engine_error = "Motoren kunne ikke starte; se serverens log."
    finally:
        app.state.engine_settled.set()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.engine = None
    app.state.engine_error = None
    # Set once the engine is loaded or has failed to: in-process callers wait on it.
    app.state.engine_settled = threading.Event()
    loader = threading.Thread(
        target=_load_engine,
        args=(app, app.state.settings, app.state.embedder),
        name="engine-loader",
        daemon=True,
    )
    loader.start()
    yield
    loader.join(timeout=5)


def create_app(settings: Settings, embedder: Embedder | None = None) -> FastAPI:
    """The app for `settings`; `embedder` lets tests use a small deterministic model."""
    app = FastAPI(
        title="Indsatsfinder API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.embedder = embedder
    install_error_handlers(app)
    for module in (health, search, initiatives, practices):
        app.include_router(module.router)
    mount_web(app, settings)

    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    GCCollector(registry=registry)
    Instrumentator(
        registry=registry, excluded_handlers=["/metrics", "/healthz", "/readyz"]
    ).instrument(app).expose(app, endpoint="/metrics", include_in_schema=False)

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Content-Type", "X-API-Key"],
        )
    app.add_middleware(
        BodyLimitMiddleware, max_bytes=settings.max_body_bytes, read_timeout=settings.read_timeout
    )
    app.add_middleware(NoSniffMiddleware)
    install_log_redaction(settings)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` (every worker builds its own app from INDSATS_*)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    return create_app(Settings())


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated schema plus the JSON page record that POST/PUT accept by hand."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    record = InitiativeRecord.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(record.pop("$defs", {}))
    components["InitiativeRecord"] = record
    app.openapi_schema = schema
    return schema
