"""The initiatives: list, read, similar, and the writes (which need X-API-Key)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.deps import EngineDep, WriteKey
from api.models import (
    Created,
    ErrorResponse,
    InitiativeDetail,
    InitiativeList,
    InitiativeSummary,
    SearchResponseOut,
)
from api.requests import InitiativeRecord, record_to_initiative
from engine.domain.models import Initiative
from engine.errors import UnsupportedMediaTypeError
from engine.search.query import InitiativeFilter

router = APIRouter(prefix="/v1/initiatives", tags=["indsatser"])

IdPath = Annotated[
    str,
    Path(
        description="Indsatsens id (små bogstaver, cifre og bindestreger).",
        examples=["hedensted-jobrettet-coaching-til-afklaring-af-jobmuligheder"],
    ),
]
_read_errors: dict[int | str, dict[str, Any]] = {404: {"model": ErrorResponse}}
_write_errors: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (401, 403, 404, 409, 413, 415, 422, 503, 507)
}
_PAGE_EXAMPLE = (
    "Hedensted\n\n2,2\nEvidenstest\n\nJobrettet coaching til afklaring af jobmuligheder\n\n"
    " • Ledige\n • §6.1 Dagpengemodtagere\n\nKommunens beskrivelse af indsatsen\n\n"
    "Coaching kræver, at borger er aktivt deltager.\n\n"
    "2,2\nEvidenstest\n\nEvidenstest vedr. dagpengemodtagere, alle ledige\n\n"
    " • Ja: Mindst 9 ud af 10 borgere får samtaler hver 2. uge\n"
)
_PAGE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/plain": {"schema": {"type": "string"}, "example": _PAGE_EXAMPLE},
            "application/json": {"schema": {"$ref": "#/components/schemas/InitiativeRecord"}},
        },
    }
}


@router.get("", response_model=InitiativeList)
def list_initiatives(
    engine: EngineDep,
    k: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
    target_group: Annotated[str | None, Query(examples=["Længerevarende ledige"])] = None,
    municipality: Annotated[str | None, Query(examples=["Hedensted"])] = None,
    min_evidence: Annotated[float | None, Query(ge=0, le=5)] = None,
) -> InitiativeList:
    """Alle indsatser, sorteret efter kommune og titel, med filtre og sider."""
    filters = InitiativeFilter(target_group or None, municipality or None, min_evidence)
    page = engine.initiatives(filters, k=k, offset=offset)
    items = [InitiativeSummary.model_validate(i) for i in page.items]
    return InitiativeList(total=page.total, k=k, offset=offset, items=items)


@router.get("/{initiative_id}", response_model=InitiativeDetail, responses=_read_errors)
def get_initiative(engine: EngineDep, initiative_id: IdPath) -> InitiativeDetail:
    """Hele siden: afsnit, tests og svar (med praksis-id)."""
    return InitiativeDetail.model_validate(engine.initiative(initiative_id))


@router.get("/{initiative_id}/similar", response_model=SearchResponseOut, responses=_read_errors)
def similar(
    engine: EngineDep, initiative_id: IdPath, k: Annotated[int, Query(ge=1, le=100)] = 5
) -> SearchResponseOut:
    """Indsatser der ligner denne (uden den selv)."""
    return SearchResponseOut.model_validate(engine.similar(initiative_id, k=k))


@router.post(
    "",
    status_code=201,
    response_model=Created,
    responses=_write_errors,
    dependencies=[WriteKey],
    openapi_extra=_PAGE_BODY,
)
async def create(engine: EngineDep, request: Request, response: Response) -> Created:
    """Opret en indsats fra en side i seed-formatet (`text/plain`) eller som JSON."""
    body, record = await _read_page(request)
    if record is not None:
        item = await run_in_threadpool(engine.add_record, record, "JSON-posten")
    else:
        item = await run_in_threadpool(engine.add_page, body, "den indsendte side")
    location = f"/v1/initiatives/{item.id}"
    response.headers["Location"] = location
    return Created(id=item.id, location=location)


@router.put(
    "/{initiative_id}",
    response_model=InitiativeDetail,
    responses=_write_errors,
    dependencies=[WriteKey],
    openapi_extra=_PAGE_BODY,
)
async def replace(engine: EngineDep, initiative_id: IdPath, request: Request) -> InitiativeDetail:
    """Erstat en indsats (også en medfølgende seed-side); id'et skal passe til siden."""
    body, record = await _read_page(request)
    if record is not None:
        item = await run_in_threadpool(engine.replace_record, initiative_id, record, "JSON-posten")
    else:
        item = await run_in_threadpool(
            engine.replace_page, initiative_id, body, "den indsendte side"
        )
    return InitiativeDetail.model_validate(item)


@router.delete(
    "/{initiative_id}",
    status_code=204,
    response_class=Response,
    responses=_write_errors,
    dependencies=[WriteKey],
)
def delete(engine: EngineDep, initiative_id: IdPath) -> Response:
    """Slet en indsats; en medfølgende seed-side forbliver slettet efter genstart."""
    engine.delete_page(initiative_id)
    return Response(status_code=204)


async def _read_page(request: Request) -> tuple[bytes, Initiative | None]:
    media = request.headers.get("content-type", "text/plain").split(";")[0].strip().lower()
    body = await request.body()
    if media == "application/json":
        return body, record_to_initiative(InitiativeRecord.model_validate_json(body))
    if media == "text/plain":
        return body, None
    raise UnsupportedMediaTypeError(
        f"Indholdstypen '{media[:80]}' kendes ikke: send siden som text/plain (seed-formatet) "
        "eller som application/json."
    )
