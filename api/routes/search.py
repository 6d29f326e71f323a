"""Search, batch search and recommendations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import EngineDep
from api.models import BatchSearchResponse, ErrorResponse, RecommendResponseOut, SearchResponseOut
from api.requests import BatchSearchRequest, Mode, RecommendRequest
from engine.domain.models import Level
from engine.recommend import RecommendRequest as Situation
from engine.search.query import SearchQuery

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
    query = SearchQuery(q, k, offset, mode, target_group, municipality, min_evidence)
    return SearchResponseOut.model_validate(engine.search(query))


@router.post("/search/batch", response_model=BatchSearchResponse, responses=_errors)
def search_batch(engine: EngineDep, body: BatchSearchRequest) -> BatchSearchResponse:
    """Mange søgninger i ét kald; samme filtre og `k` for alle."""
    queries = [
        SearchQuery(
            q, body.k, body.offset, body.mode, body.target_group, body.municipality,
            body.min_evidence,
        )
        for q in body.queries
    ]  # fmt: skip
    results = engine.search_many(queries)
    return BatchSearchResponse(results=[SearchResponseOut.model_validate(r) for r in results])


@router.post("/recommend", response_model=RecommendResponseOut, responses=_errors)
def recommend(engine: EngineDep, body: RecommendRequest) -> RecommendResponseOut:
    """Praksisser og gode råd til en situation, med evidensen bag hver anbefaling."""
    answers = {pid: Level(level) for pid, level in (body.answers or {}).items()}
    request = Situation(
        body.situation,
        body.k,
        body.target_group,
        body.municipality,
        answers or None,
        body.from_municipality,
        body.min_evidence,
    )
    return RecommendResponseOut.model_validate(engine.recommend(request))
