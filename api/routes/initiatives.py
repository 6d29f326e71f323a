"""The initiatives: list, read, similar, and the writes (which need X-API-Key)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from api.corpus import InitiativeDetail, InitiativeList, InitiativeSummary
from api.deps import EngineDep, NoQueryParams, Utf8Params, WriteKey
from api.middleware import etag, strong_match
from api.models import Created, SimilarResponse, representation
from api.params import InitiativeId, InitiativeListParams, SimilarParams, errors
from api.problems import ApiError
from api.requests import InitiativeRecord, record_to_initiative
from engine.domain.models import Initiative

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="ETag fra GET af indsatsen: skriv kun, hvis den ikke er ændret siden "
        "(ellers 412 `precondition_failed`, intet skrevet). `*` gælder enhver udgave.",
        examples=['"3f2a9c0d4b5e6f708192a3b4c5d6e7f8"'],
    ),
]
router = APIRouter(prefix="/v1/initiatives", tags=["initiatives"], dependencies=[Utf8Params])

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


@router.get("", response_model=InitiativeList, responses=errors(422), summary="List indsatserne")
def list_initiatives(
    engine: EngineDep, params: Annotated[InitiativeListParams, Query()]
) -> InitiativeList:
    """Alle indsatser sorteret efter kommune og titel, med filtre og sider."""
    k, offset = params.k, params.offset
    page = engine.initiatives(params.filter, k=k, offset=offset)
    items = [InitiativeSummary.of(i) for i in page.items]
    return InitiativeList(total=page.total, k=k, offset=offset, items=items)


@router.get(
    "/{initiative_id}",
    response_model=InitiativeDetail,
    responses=errors(404, 422),
    dependencies=[NoQueryParams],
    summary="Hent en indsats",
)
def get_initiative(engine: EngineDep, initiative_id: InitiativeId) -> InitiativeDetail:
    """Hele siden: afsnit, tests og svar (med praksis-id)."""
    return InitiativeDetail.of(engine.initiative(initiative_id))


@router.get(
    "/{initiative_id}/similar",
    response_model=SimilarResponse,
    responses=errors(404, 422),
    summary="Lignende indsatser",
)
def list_similar_initiatives(
    engine: EngineDep, initiative_id: InitiativeId, params: Annotated[SimilarParams, Query()]
) -> SimilarResponse:
    """Indsatserne der ligner denne mest (uden den selv), bedst først, med sider."""
    found = engine.similar(initiative_id, k=params.offset + params.k)
    return SimilarResponse.of(initiative_id, params.k, params.offset, found)


@router.post(
    "",
    status_code=201,
    response_model=Created,
    responses=errors(401, 403, 409, 413, 415, 422, 507),
    dependencies=[WriteKey, NoQueryParams],
    openapi_extra=_PAGE_BODY,
    summary="Opret en indsats",
)
async def create_initiative(engine: EngineDep, request: Request, response: Response) -> Created:
    """Opret en indsats fra en side i seed-formatet (`text/plain`) eller som JSON."""
    body, record = await _read_page(request)
    if record is not None:
        item = await run_in_threadpool(engine.add_record, record, "JSON-posten")
    else:
        item = await run_in_threadpool(engine.add_page, body, "den indsendte side")
    location = f"/v1/initiatives/{item.id}"
    response.headers["Location"] = location
    return Created(id=item.id, location=location)


_CREATED_BY_PUT = {
    "model": InitiativeDetail,
    "description": "Der var ingen indsats med id'et: siden er oprettet (Location er dens adresse).",
    "headers": {
        "Location": {
            "description": "Den oprettede indsats' adresse.",
            "required": True,
            "schema": {"type": "string"},
        }
    },
}


@router.put(
    "/{initiative_id}",
    response_model=InitiativeDetail,
    responses={201: _CREATED_BY_PUT, **errors(401, 403, 412, 413, 415, 422, 507)},
    dependencies=[WriteKey, NoQueryParams],
    openapi_extra=_PAGE_BODY,
    summary="Erstat eller opret en indsats",
)
async def replace_initiative(
    engine: EngineDep,
    initiative_id: InitiativeId,
    request: Request,
    response: Response,
    if_match: IfMatch = None,
) -> InitiativeDetail:
    """Erstat indsatsen med id'et (også en medfølgende seed-side), eller opret den, hvis der
    ingen er (201); id'et skal passe til siden. Med `If-Match` kun hvis den stadig er den
    udgave, I hentede (ellers 412, også når den ikke findes)."""
    body, record = await _read_page(request)
    unchanged = _unchanged(if_match)
    if record is not None:
        put = await run_in_threadpool(
            lambda: engine.replace_record(initiative_id, record, "JSON-posten", expect=unchanged)
        )
    else:
        put = await run_in_threadpool(
            lambda: engine.replace_page(initiative_id, body, "den indsendte side", expect=unchanged)
        )
    if put.created:
        response.status_code = 201
        response.headers["Location"] = f"/v1/initiatives/{put.page.id}"
    return InitiativeDetail.of(put.page)


@router.delete(
    "/{initiative_id}",
    status_code=204,
    response_class=Response,
    responses=errors(401, 403, 404, 412, 422, 507),
    dependencies=[WriteKey, NoQueryParams],
    summary="Slet en indsats",
)
def delete_initiative(
    engine: EngineDep, initiative_id: InitiativeId, if_match: IfMatch = None
) -> Response:
    """Slet en indsats; en medfølgende seed-side forbliver slettet efter genstart. Med
    `If-Match` kun hvis den stadig er den udgave, I hentede (ellers 412)."""
    engine.delete_page(initiative_id, expect=_unchanged(if_match))
    return Response(status_code=204)


def _unchanged(header: str | None) -> Callable[[Initiative], bool] | None:
    """`If-Match` as the engine's precondition: the page as it is now must give the ETag the
    client read (GET's bytes are the model's JSON, hashed like the ETag middleware does)."""
    if header is None:
        return None
    return lambda page: strong_match(header, etag(representation(InitiativeDetail.of(page))))


async def _read_page(request: Request) -> tuple[bytes, Initiative | None]:
    media = request.headers.get("content-type", "text/plain").split(";")[0].strip().lower()
    body = await request.body()
    if media == "application/json":
        try:
            record = InitiativeRecord.model_validate_json(body)
        except ValidationError as exc:
            # the client's body, not a bug of ours: a 422 like any request validation
            errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
            raise RequestValidationError(errors, body=None) from None
        return body, record_to_initiative(record)
    if media == "text/plain":
        return body, None
    raise ApiError(
        "unsupported_media_type",
        f"Indholdstypen '{media[:80]}' kendes ikke: send siden som text/plain (seed-formatet) "
        "eller som application/json.",
    )
