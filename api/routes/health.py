"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request

from api.deps import get_engine
from api.models import ErrorResponse, Health, Readiness

router = APIRouter(tags=["drift"])


@router.get("/healthz", response_model=Health, summary="Kører processen?")
def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": ErrorResponse, "description": "Model eller indeks indlæses"}},
    summary="Er model og indeks indlæst?",
)
def readyz(request: Request) -> Readiness:
    engine = get_engine(request)
    return Readiness(
        status="ready",
        initiatives=len(engine.corpus.initiatives),
        practices=len(engine.corpus.practices),
        index_version=engine.index_version,
        load_errors=[f"{Path(e.file).name}: {e.message}" for e in engine.load_errors()],
    )
