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

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from prometheus_client import CollectorRegistry, GCCollector, ProcessCollector
from prometheus_fastapi_instrumentator import Instrumentator

from api.apidocs import mount_docs
from api.errors import REQUEST_ID_HEADER, install_error_handlers
from api.middleware import (
    BodyLimitMiddleware,
    ConditionalGetMiddleware,
    NoSniffMiddleware,
    RequestIdMiddleware,
)
from api.routes import health, initiatives, practices, problems, search
from api.schema import build_openapi
from api.server import install_log_redaction
from api.web import mount_web
from engine import __version__
from engine.embedding import Embedder
from engine.errors import IndsatsError
from engine.service import Engine
from engine.settings import Settings

log = logging.getLogger(__name__)
# What a browser on an allowed origin may send besides the request id.
CORS_HEADERS = ("Content-Type", "Authorization", "X-API-Key", "If-None-Match", "If-Match")

DESCRIPTION = """
Søgning og anbefalinger i jobcentrenes publicerede indsatser.

Alle svar er JSON. Fejl har én form for alle statuskoder, RFC 9457
(`application/problem+json`): `{"type", "title", "status", "detail", "instance", "code",
"errors": [{"field", "message"}]}`; `detail` er dansk og siger hvad man kan gøre, `errors`
nævner hver ugyldig parameter og hvert ugyldigt felt. Skrivning (POST, PUT, DELETE) kræver
headeren `X-API-Key` med værdien af `INDSATS_API_KEY`.

Navne: feltnavne, koder og operationId'er er engelske; tekst til mennesker (beskrivelser,
fejlbeskeder) er dansk; værdier fra siderne (kommuner, målgrupper, afsnit) står som
offentliggjort. En liste er `{"total", "k", "offset", "items"}`; et rangeret element har
`rank` (1 er bedst) og `match` (0-1). Hvert svar har `X-Request-ID` (send jeres eget for at
finde forespørgslen i serverens log); GET-svar har `ETag` og giver 304 på `If-None-Match`.
"""


def _operation_id(route: APIRoute) -> str:
    """The handler's name (`search`, `list_initiatives`): short names for generated clients."""
    return route.name


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
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=_operation_id,
    )
    app.state.settings = settings
    app.state.embedder = embedder
    install_error_handlers(app)
    for module in (health, search, initiatives, practices, problems):
        app.include_router(module.router)
    mount_web(app, settings)
    mount_docs(app)

    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    GCCollector(registry=registry)
    Instrumentator(
        registry=registry, excluded_handlers=["/metrics", "/healthz", "/readyz"]
    ).instrument(app).expose(app, endpoint="/metrics", include_in_schema=False)

    # The last added runs first: request id, then CORS (a preflight is answered there, with
    # the id), then the body limit, then ETags around the routes.
    app.add_middleware(ConditionalGetMiddleware)
    app.add_middleware(
        BodyLimitMiddleware, max_bytes=settings.max_body_bytes, read_timeout=settings.read_timeout
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=[*CORS_HEADERS, REQUEST_ID_HEADER],
            expose_headers=[REQUEST_ID_HEADER, "ETag", "Location"],
            max_age=600,
        )
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(NoSniffMiddleware)
    install_log_redaction(settings)
    app.openapi = lambda: build_openapi(app, settings)  # type: ignore[method-assign]
    return app


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` (every worker builds its own app from INDSATS_*)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    return create_app(Settings())
