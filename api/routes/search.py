"""Search, batch search and recommendations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import EngineDep
from api.models import (
    BatchSearchRequest,
    BatchSearchResponse,
    ErrorResponse,
    Mode,
    RecommendRequest,
    RecommendResponseOut,
    SearchResponseOut,
)

router = APIRouter(prefix="/v1", tags=["søgning"])
_errors: dict[int | str, dict[str, object]] = {
    422: {"model": ErrorResponse},
    503: {"model": ErrorResponse},
}


@router.get("/search", response_model=SearchResponseOut, responses=_errors)
def search(
    engine: EngineDep,
    q: Annotated[
        str, Query(description="Søgetekst, højst 2.000 tegn.", examples=["ordblinde ledige"])
    ],
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    target_group: Annotated[str | None, Query(examples=["Længerevarende ledige"])] = None,
    municipality: Annotated[str | None, Query(examples=["Skanderborg"])] = None,
    min_evidence: Annotated[float | None, Query(ge=0, le=5)] = None,
    mode: Mode = "hybrid",
) -> SearchResponseOut:
    """Hybrid (semantisk + leksikalsk) søgning; filtre anvendes før rangering."""
    result = engine.search(
        q,
        k=k,
        offset=offset,
        target_group=target_group or None,
        municipality=municipality or None,
        min_evidence=min_evidence,
        mode=mode,
    )
    return SearchResponseOut.model_validate(result, from_attributes=True)


@router.post("/search/batch", response_model=BatchSearchResponse, responses=_errors)
def search_batch(engine: EngineDep, body: BatchSearchRequest) -> BatchSearchResponse:
    """Mange søgninger i ét kald; samme filtre og `k` for alle."""
    results = engine.search_many(
        body.queries,
        k=body.k,
        offset=body.offset,
        target_group=body.target_group,
        municipality=body.municipality,
        min_evidence=body.min_evidence,
        mode=body.mode,
    )
    return BatchSearchResponse(
        results=[SearchResponseOut.model_validate(r, from_attributes=True) for r in results]
    )


@router.post("/recommend", response_model=RecommendResponseOut, responses=_errors)
def recommend(engine: EngineDep, body: RecommendRequest) -> RecommendResponseOut:
    """Praksisser og gode råd til en situation, med evidensen bag hver anbefaling."""
    result = engine.recommend(
        body.situation,
        k=body.k,
        target_group=body.target_group,
        municipality=body.municipality,
        answers=body.answers,
    )
    return RecommendResponseOut.model_validate(result, from_attributes=True)
