"""The query and path parameters the routes share, each described once for the schema, and
the error answers each kind of operation documents (all in the one `Problem` shape)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from api.models import Problem
from api.problems import PROBLEMS, codes_for
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
from engine.search.query import MAX_K, InitiativeFilter, SearchQuery

# The store's id rule (engine.storage.pages.ID_PATTERN), repeated for the schema: a client
# learns it from there, and the server answers 422 for an id outside it.
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,120}$"

# One description per parameter, reused by every operation that takes it.
QueryText = Annotated[
    str,
    Field(
        description="Søgeteksten med egne ord (dansk eller engelsk); længden står i skemaet.",
        examples=["ordblinde ledige"],
    ),
]
K = Annotated[int, Field(ge=1, le=MAX_K, description=K_DESCRIPTION, examples=[10])]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description=OFFSET_DESCRIPTION, examples=[0])]
TargetGroup = Annotated[
    str | None,
    Field(
        max_length=MAX_FILTER_CHARS,
        description=TARGET_GROUP_DESCRIPTION,
        examples=["Længerevarende ledige"],
    ),
]
Municipality = Annotated[
    str | None,
    Field(
        max_length=MAX_FILTER_CHARS, description=MUNICIPALITY_DESCRIPTION, examples=["Hedensted"]
    ),
]
MinEvidence = Annotated[
    float | None,
    Field(ge=0, le=MAX_SCORE, description=MIN_EVIDENCE_DESCRIPTION, examples=[2.5]),
]


class _Query(BaseModel):
    """An operation's whole query string: a parameter it does not know (`muncipality`) is a
    422 naming it and the closest known one, never silently ignored."""

    model_config = ConfigDict(extra="forbid")


class NoQuery(_Query):
    """For operations that take no query parameters at all."""


class FilterQuery(_Query):
    target_group: TargetGroup = None
    municipality: Municipality = None
    min_evidence: MinEvidence = None

    @property
    def filter(self) -> InitiativeFilter:
        return InitiativeFilter(self.target_group, self.municipality, self.min_evidence)


class SearchParams(_Query):
    q: QueryText
    k: K = 10
    offset: Offset = 0
    target_group: TargetGroup = None
    municipality: Municipality = None
    min_evidence: MinEvidence = None
    mode: SearchMode = Field(SearchMode.HYBRID, description=MODE_DESCRIPTION)

    @property
    def query(self) -> SearchQuery:
        return SearchQuery(
            self.q,
            k=self.k,
            offset=self.offset,
            mode=self.mode,
            target_group=self.target_group,
            municipality=self.municipality,
            min_evidence=self.min_evidence,
        )


class InitiativeListParams(FilterQuery):
    k: K = 20
    offset: Offset = 0


class PracticeListParams(_Query):
    k: K = 100
    offset: Offset = 0


class SimilarParams(_Query):
    k: K = 5
    offset: Offset = 0


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

# What any request can be answered with before or around its operation: malformed HTTP,
# a head or body too slow, too large or with headers too large, and our own bugs.
SERVER_STATUSES = (400, 408, 413, 431, 500)


def _when(status: int) -> str:
    return " ".join(f"`{code}`: {PROBLEMS[code].when}" for code in codes_for(status))


def errors(*statuses: int, engine: bool = True) -> dict[int | str, dict[str, Any]]:
    """The documented error answers: these, plus those any request can get (and the 503 of
    an engine still loading, for operations that need it); every one a `Problem`."""
    wanted = sorted({*statuses, *SERVER_STATUSES, *((503,) if engine else ())})
    return {s: {"model": Problem, "description": _when(s)} for s in wanted}
