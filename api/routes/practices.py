"""The practice catalogue: checklist items recognised across pages, and who answers what."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from api.deps import EngineDep
from api.models import ErrorResponse, PracticeDetail, PracticeList, PracticeSummary

router = APIRouter(prefix="/v1/practices", tags=["praksisser"])
_errors: dict[int | str, dict[str, Any]] = {404: {"model": ErrorResponse}}


@router.get("", response_model=PracticeList)
def list_practices(engine: EngineDep) -> PracticeList:
    """Hele kataloget med antal svar pr. niveau (ja/delvist/nej)."""
    items = [PracticeSummary.model_validate(p) for p in engine.practices()]
    return PracticeList(total=len(items), items=items)


@router.get("/{practice_id}", response_model=PracticeDetail, responses=_errors)
def get_practice(engine: EngineDep, practice_id: Annotated[str, Path()]) -> PracticeDetail:
    """Hvem svarer hvad på denne praksis, med testscorer."""
    return PracticeDetail.model_validate(engine.practice(practice_id))
