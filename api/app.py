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
from fastapi.routing import APIRoute
from prometheus_client import CollectorRegistry, GCCollector, ProcessCollector
from prometheus_fastapi_instrumentator import Instrumentator

from api.apidocs import mount_docs
from api.budget import ClientBudget
from api.errors import REQUEST_ID_HEADER, install_error_handlers
from api.middleware import (
    BodyLimitMiddleware,
    ConditionalGetMiddleware,
    CorsMiddleware,
    HeadMiddleware,
    NoSniffMiddleware,
    RequestIdMiddleware,
)
from api.routes import health, initiatives, practices, problems, search
from api.schema import build_openapi
from api.server import install_log_redaction
from api.web import mount_web
from engine import __version__
from engine.embedding import Embedder
from engine.facade.engine import Engine
from engine.serving.state import Startup
from engine.shared.settings import Settings

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


def _load_engine(app: FastAPI, startup: Startup[Engine]) -> None:
    """Open the engine, trying again after each failure until it opens or the server stops;
    meanwhile every data endpoint answers 503 with the cause (`Startup.status`)."""
    if app.state.settings.api_key is None:
        log.warning("Skrivning er slået fra: INDSATS_API_KEY er ikke sat")

    def failed() -> None:
        app.state.engine_error = startup.problem
        app.state.engine_settled.set()

    engine = startup.run(failed)
    if engine is not None:
        app.state.engine = engine
        app.state.engine_error = None
    app.state.engine_settled.set()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.engine = None
    app.state.engine_error = None
    # Set once the engine is loaded or a try has failed: in-process callers wait on it.
    app.state.engine_settled = threading.Event()
    stopping = threading.Event()
    settings, embedder = app.state.settings, app.state.embedder
    app.state.startup = Startup(lambda: Engine.open(settings, embedder=embedder), stopping.wait)
    loader = threading.Thread(
        target=_load_engine, args=(app, app.state.startup), name="engine-loader", daemon=True
    )
    loader.start()
    yield
    stopping.set()
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
    app.state.batch_budget = ClientBudget(settings.batch_chars_per_minute)
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

    # The last added runs first: nosniff, request id, HEAD as GET, then CORS (a preflight is
    # answered there, with the id), then the body limit, then ETags around the routes.
    app.add_middleware(ConditionalGetMiddleware)
    app.add_middleware(
        BodyLimitMiddleware, max_bytes=settings.max_body_bytes, read_timeout=settings.read_timeout
    )
    if settings.cors_origins:
        app.add_middleware(
            CorsMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=[*CORS_HEADERS, REQUEST_ID_HEADER],
            expose_headers=[REQUEST_ID_HEADER, "ETag", "Location"],
            max_age=600,
        )
    app.add_middleware(HeadMiddleware)  # inside the request id: the access line says HEAD
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(NoSniffMiddleware)
    install_log_redaction(settings)
    app.openapi = lambda: build_openapi(app, settings)  # type: ignore[method-assign]
    return app


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` (every worker builds its own app from INDSATS_*).

    The server logs at INFO whoever configured logging first: `indsats serve` with one
    worker builds the app in the CLI's process, whose handler is set to warnings, so the
    access line with the request id and "Klar: ..." were dropped (with two workers, each
    worker process configured its own)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for name in ("api", "engine", "index", "durable"):
        logging.getLogger(name).setLevel(logging.INFO)
    return create_app(Settings())
