"""The practice catalogue: checklist items recognised across pages, and who answers what."""

from __future__ import annotations

from fastapi import APIRouter

from api.corpus import PracticeDetail, PracticeList, PracticeSummary
from api.deps import EngineDep
from api.params import KParam, OffsetParam, PracticeId, errors

router = APIRouter(prefix="/v1/practices", tags=["practices"])


@router.get("", response_model=PracticeList, responses=errors(422), summary="List praksisserne")
def list_practices(engine: EngineDep, k: KParam = 100, offset: OffsetParam = 0) -> PracticeList:
    """Kataloget af praksisser med antal svar pr. niveau (ja/delvist/nej)."""
    practices = engine.practices()
    items = [PracticeSummary.of(p) for p in practices[offset : offset + k]]
    return PracticeList(total=len(practices), k=k, offset=offset, items=items)


@router.get(
    "/{practice_id}",
    response_model=PracticeDetail,
    responses=errors(404, 422),
    summary="Hent en praksis",
)
def get_practice(engine: EngineDep, practice_id: PracticeId) -> PracticeDetail:
    """Hvem svarer hvad på praksissen, med testscorer og evidensen."""
    return PracticeDetail.of(engine.practice(practice_id))
