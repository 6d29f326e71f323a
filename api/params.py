"""The query and path parameters the routes share, each described once for the schema, and
the error answers each kind of operation documents (all in the one `Error` shape)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query

from api.models import Error
from api.requests import (
    K_DESCRIPTION,
    MAX_FILTER_CHARS,
    MAX_OFFSET,
    MIN_EVIDENCE_DESCRIPTION,
    MODE_DESCRIPTION,
    MUNICIPALITY_DESCRIPTION,
    OFFSET_DESCRIPTION,
    TARGET_GROUP_DESCRIPTION,
)
from api.vocabulary import SearchMode
from engine.domain.models import MAX_SCORE
from engine.search.query import MAX_K

# The store's id rule (engine.storage.pages.ID_PATTERN), repeated for the schema: a client
# learns it from there, and the server answers 422 for an id outside it.
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,120}$"

QueryText = Annotated[
    str,
    Query(
        description="Søgeteksten med egne ord (dansk eller engelsk); længden står i skemaet.",
        examples=["ordblinde ledige"],
    ),
]
KParam = Annotated[int, Query(ge=1, le=MAX_K, description=K_DESCRIPTION, examples=[10])]
OffsetParam = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description=OFFSET_DESCRIPTION, examples=[0])
]
TargetGroupParam = Annotated[
    str | None,
    Query(
        max_length=MAX_FILTER_CHARS,
        description=TARGET_GROUP_DESCRIPTION,
        examples=["Længerevarende ledige"],
    ),
]
MunicipalityParam = Annotated[
    str | None,
    Query(
        max_length=MAX_FILTER_CHARS, description=MUNICIPALITY_DESCRIPTION, examples=["Hedensted"]
    ),
]
MinEvidenceParam = Annotated[
    float | None,
    Query(ge=0, le=MAX_SCORE, description=MIN_EVIDENCE_DESCRIPTION, examples=[2.5]),
]
ModeParam = Annotated[SearchMode, Query(description=MODE_DESCRIPTION)]
InitiativeId = Annotated[
    str,
    Path(
        pattern=ID_PATTERN,
        description="Indsatsens id: små bogstaver a-z, cifre og bindestreger, højst 121 tegn.",
        examples=["hedensted-jobrettet-coaching-til-afklaring-af-jobmuligheder"],
    ),
]
PracticeId = Annotated[
    str,
    Path(
        max_length=200,
        description="Praksissens id fra GET /v1/practices.",
        examples=["ev-borgere-faar-samtaler-hver-2-uge"],
    ),
]

_WHEN = {
    401: "Skrivning uden headeren X-API-Key.",
    403: "Forkert nøgle, eller skrivning er slået fra på serveren.",
    404: "Id'et findes ikke.",
    409: "En indsats med sidens id findes allerede; brug PUT.",
    413: "Indholdet er større end serverens grænse (standard 1 MiB).",
    415: "Indholdet er hverken text/plain eller application/json.",
    422: "Ugyldige parametre eller indhold; `field` siger hvor (koder: `invalid_input`, "
    "`unknown_value`, `invalid_page`).",
    500: "En fejl i serveren; detaljerne står kun i serverens log.",
    503: "Model eller indeks indlæses stadig, eller kunne ikke indlæses; ved skrivning: "
    "datamappen kunne ikke skrives (`storage_unavailable`), intet er ændret.",
    507: "Disken er fuld (`insufficient_storage`): skrivningen er ikke gemt, intet er ændret.",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The documented error answers: these, plus the 500 and 503 any operation can give."""
    wanted = sorted({*statuses, 500, 503})
    return {s: {"model": Error, "description": _WHEN[s]} for s in wanted}
