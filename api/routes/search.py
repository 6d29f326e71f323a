"""Search, batch search, recommendations and the filter values (facets)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.deps import EngineDep, JsonBody, NoQueryParams, Utf8Params
from api.errors import batch_failure
from api.models import BatchSearchFailure, BatchSearchResponse, Facets
from api.models import SearchResponse as SearchAnswer
from api.params import FilterQuery, SearchParams, errors
from api.recommendation import RecommendResponse
from api.requests import BatchSearchRequest, RecommendRequest
from engine.facade.answers import QueryFailure
from engine.search.query import batch_size
from engine.search.results import SearchResponse as Found

FoundOrFailed = Found | QueryFailure

router = APIRouter(prefix="/v1", tags=["search"], dependencies=[Utf8Params])


@router.get(
    "/search", response_model=SearchAnswer, responses=errors(422), summary="Søg i indsatserne"
)
def search(engine: EngineDep, params: Annotated[SearchParams, Query()]) -> SearchAnswer:
    """Indsatserne der passer bedst til søgeteksten, bedst først, med de passager der
    matchede. Filtrene vælger siderne før rangeringen, så et filter aldrig skubber et godt
    resultat ud."""
    return SearchAnswer.of(engine.search(params.query))


@router.post(
    "/search/batch",
    response_model=BatchSearchResponse,
    responses=errors(413, 415, 422, 429),
    dependencies=[NoQueryParams, JsonBody],
    summary="Mange søgninger i ét kald",
)
def search_batch(
    request: Request, engine: EngineDep, body: BatchSearchRequest
) -> BatchSearchResponse:
    """Én søgning pr. tekst med de samme filtre og sider. Svaret har ét element pr. søgning i
    samme rækkefølge: et søgesvar, eller en fejl på den søgnings plads (fx en tom tekst),
    mens de andre besvares. Teksterne må fylde højst `INDSATS_MAX_BATCH_CHARS` tegn i alt
    (413), og en klient højst `INDSATS_BATCH_CHARS_PER_MINUTE` tegn i minuttet (429 med
    `Retry-After`)."""
    queries = body.searches
    request.app.state.batch_budget.charge(
        request, batch_size(queries, engine.settings.max_batch_chars)
    )
    answers = engine.search_many(queries)
    return BatchSearchResponse(items=[_batch_item(a, n) for n, a in enumerate(answers)])


def _batch_item(answer: FoundOrFailed, index: int) -> SearchAnswer | BatchSearchFailure:
    if isinstance(answer, QueryFailure):
        return batch_failure(answer, index)
    return SearchAnswer.of(answer)


@router.post(
    "/recommend",
    response_model=RecommendResponse,
    responses=errors(413, 415, 422),
    dependencies=[NoQueryParams, JsonBody],
    summary="Anbefal praksisser til en situation",
)
def recommend(engine: EngineDep, body: RecommendRequest) -> RecommendResponse:
    """Praksisser og gode råd til en situation, med evidensen bag hver anbefaling. Med
    `own_municipality` (eller `answers`) kendes jobcentrets egne svar: praksisser det svarer
    Ja til udelades, og huller rangeres først. Filtrene (`target_group`, `municipality`,
    `min_evidence`) vælger siderne bag det hele, som i søgningen."""
    return RecommendResponse.of(engine.recommend(body.request))


@router.get(
    "/facets",
    response_model=Facets,
    responses=errors(422),
    summary="Filtrenes værdier med antal",
)
def get_facets(engine: EngineDep, params: Annotated[FilterQuery, Query()]) -> Facets:
    """Målgrupper, kommuner og evidenstrin med antal indsatser for hver. Hvert antal tager
    højde for de andre filtre (ikke sit eget), så man kan se hvad et valg vil give."""
    return Facets.of(engine.facets(params.filter))
