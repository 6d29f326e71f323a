"""The practice catalogue: checklist items recognised across pages, and who answers what."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.corpus import PracticeDetail, PracticeList, PracticeSummary
from api.deps import EngineDep, NoQueryParams, Utf8Params
from api.params import PracticeId, PracticeListParams, errors

router = APIRouter(prefix="/v1/practices", tags=["practices"], dependencies=[Utf8Params])


@router.get("", response_model=PracticeList, responses=errors(422), summary="List praksisserne")
def list_practices(
    engine: EngineDep, params: Annotated[PracticeListParams, Query()]
) -> PracticeList:
    """Kataloget af praksisser med antal svar pr. niveau (ja/delvist/nej)."""
    practices = engine.practices()
    k, offset = params.k, params.offset
    items = [PracticeSummary.of(p) for p in practices[offset : offset + k]]
    return PracticeList(total=len(practices), k=k, offset=offset, items=items)


@router.get(
    "/{practice_id}",
    response_model=PracticeDetail,
    responses=errors(404, 422),
    dependencies=[NoQueryParams],
    summary="Hent en praksis",
)
def get_practice(engine: EngineDep, practice_id: PracticeId) -> PracticeDetail:
    """Hvem svarer hvad på praksissen, med testscorer og evidensen."""
    return PracticeDetail.of(engine.practice(practice_id))
