"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request

from api.deps import NoQueryParams, Utf8Params, get_engine
from api.models import Health, Readiness
from api.params import errors
from engine.shared.errors import without_paths

router = APIRouter(tags=["operations"], dependencies=[Utf8Params, NoQueryParams])


@router.get(
    "/healthz",
    response_model=Health,
    responses=errors(engine=False),
    summary="Kører processen?",
)
def get_health() -> Health:
    """200 så snart processen kører, også mens model og indeks indlæses."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    responses=errors(),
    summary="Er model og indeks indlæst?",
)
def get_readiness(request: Request) -> Readiness:
    """503 indtil model og indeks er indlæst (med årsagen, hvis et forsøg mislykkedes, og
    `Retry-After`); derefter antal sider og indlæsningsfejl."""
    engine = get_engine(request)
    return Readiness(
        status="ready",
        initiatives=len(engine.corpus.initiatives),
        practices=len(engine.corpus.practices),
        index_version=engine.index_version,
        load_errors=[
            f"{Path(e.file).name}: {without_paths(e.message)}" for e in engine.load_errors()
        ],
    )
