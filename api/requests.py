"""Request models of the HTTP API: what a client may send, validated strictly.

Strict: JSON `false` must not become 0, nor `"3"` become 3 (found by schemathesis). The
length limit of free text (INDSATS_MAX_QUERY_CHARS) is the engine's rule, checked there;
the app writes it into the schema (`api/schema.py`) from the running settings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.config import JsonDict

from api.vocabulary import CHECKLIST_LABELS, AnswerLevel, Checklist, Lax, SearchMode, SectionName
from engine.domain.models import (
    MAX_ANSWERS_PER_PAGE,
    MAX_SCORE,
    Answer,
    Initiative,
    Level,
    Section,
    Test,
)
from engine.recommend.recommender import RecommendRequest as Situation
from engine.search.query import MAX_K, SearchQuery

MAX_OFFSET = 10_000
MAX_FILTER_CHARS = 200
K_DESCRIPTION = f"Antal resultater pr. side (1-{MAX_K})."
OFFSET_DESCRIPTION = f"Spring så mange resultater over, til næste side (0-{MAX_OFFSET:,})."
TARGET_GROUP_DESCRIPTION = (
    "Kun indsatser for målgruppen (store og små bogstaver er ligegyldige; en side for "
    "'Alle ledige' tæller med for hver varighed). En ukendt målgruppe giver 422 "
    "`unknown_value` med de kendte; se GET /v1/facets."
)
MUNICIPALITY_DESCRIPTION = (
    "Kun indsatser fra kommunen; 'Brønderslev Kommune' læses som 'Brønderslev'. En ukendt "
    "kommune giver 422 `unknown_value` med de kendte; se GET /v1/facets."
)
MIN_EVIDENCE_DESCRIPTION = "Mindste Evidenstest-score (0-5); sider uden score falder fra."
MODE_DESCRIPTION = (
    "`hybrid` (standard: semantisk og ordbaseret søgning lagt sammen), `dense` (kun "
    "semantisk) eller `lexical` (kun ordbaseret, BM25)."
)


def _integral(value: object) -> object:
    """JSON Schema counts 84.0 as an integer, so the strict models take it as 84 too (but
    never `false`, nor "84")."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# The validator after the constraints: before them, pydantic writes `ge`/`le` into the
# schema as unknown keys instead of `minimum`/`maximum`.
K = Annotated[int, Field(ge=1, le=MAX_K, description=K_DESCRIPTION), BeforeValidator(_integral)]
Offset = Annotated[
    int, Field(ge=0, le=MAX_OFFSET, description=OFFSET_DESCRIPTION), BeforeValidator(_integral)
]
Score = Annotated[float, Field(ge=0, le=MAX_SCORE)]
FilterText = Annotated[str, Field(max_length=MAX_FILTER_CHARS)]


class SearchFilters(BaseModel):
    target_group: FilterText | None = Field(
        None, description=TARGET_GROUP_DESCRIPTION, examples=["Længerevarende ledige"]
    )
    municipality: FilterText | None = Field(
        None, description=MUNICIPALITY_DESCRIPTION, examples=["Skanderborg"]
    )
    min_evidence: Score | None = Field(None, description=MIN_EVIDENCE_DESCRIPTION, examples=[2.0])


class BatchSearchRequest(SearchFilters):
    # strict: JSON `false` must not become offset 0, nor `"3"` become k 3.
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {"queries": ["ordblinde ledige", "jobrettet coaching"], "k": 3, "mode": "hybrid"}
            ]
        },
    )
    queries: list[str] = Field(
        min_length=1,
        max_length=100,
        description=(
            "1-100 søgetekster. Hver søgning tjekkes for sig: en tom eller for lang tekst får "
            "en fejl på sin plads i svaret, de andre besvares."
        ),
    )
    k: K = 10
    offset: Offset = 0
    mode: Lax[SearchMode] = Field(SearchMode.HYBRID, description=MODE_DESCRIPTION)

    @property
    def searches(self) -> list[SearchQuery]:
        """One engine query a text, each with the batch's filters and page (as `SearchParams
        .query` makes the single search's)."""
        return [
            SearchQuery(
                text,
                k=self.k,
                offset=self.offset,
                mode=self.mode,
                target_group=self.target_group,
                municipality=self.municipality,
                min_evidence=self.min_evidence,
            )
            for text in self.queries
        ]


class RecommendRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {
                    "situation": "vi vil følge bedre op på borgere i løntilskud",
                    "k": 5,
                    "target_group": None,
                    "municipality": None,
                    "own_municipality": "Skanderborg",
                    "answers": None,
                }
            ]
        },
    )
    situation: str = Field(description="Jeres situation med egne ord.")
    k: K = 5
    target_group: FilterText | None = Field(None, description=TARGET_GROUP_DESCRIPTION)
    municipality: FilterText | None = Field(
        None,
        description=(
            "Kun indsatser (og deres praksisser og råd) fra denne kommune, som i GET "
            "/v1/search. Jeres egen kommune er `own_municipality`."
        ),
    )
    min_evidence: Score | None = Field(
        None, description="Kun indsatser med mindst denne evidensscore (0-5) tæller."
    )
    own_municipality: FilterText | None = Field(
        None,
        description=(
            "Jeres egen kommune: dens offentliggjorte svar bruges til at finde huller. En "
            "kommune uden indsatser giver 422 `unknown_value` med de kendte."
        ),
    )
    answers: dict[str, Lax[AnswerLevel]] | None = Field(
        None,
        max_length=500,
        description=(
            "Jeres egne svar: praksis-id -> ja/delvist/nej (id'erne fra GET /v1/practices); "
            "et ukendt id giver 422 `unknown_value`."
        ),
    )

    @property
    def request(self) -> Situation:
        answers = {pid: Level(level.value) for pid, level in (self.answers or {}).items()}
        return Situation(
            self.situation,
            k=self.k,
            target_group=self.target_group,
            municipality=self.municipality,
            min_evidence=self.min_evidence,
            own_municipality=self.own_municipality,
            answers=answers or None,
        )


# corpus records --------------------------------------------------------------------------
# Computed by the server from the rest of the page; sent back as GET gave them they are
# ignored, so a page read, changed and written back needs no cleaning (JSON Schema readOnly).
_COMPUTED: JsonDict = {"readOnly": True}


class _Record(BaseModel):
    """strict: `"headline_score": false` was stored as 0.0 (found by schemathesis); a field
    the record does not have is a 422 naming it, never ignored."""

    model_config = ConfigDict(strict=True, extra="forbid")


class SectionRecord(_Record):
    name: Lax[SectionName] = Field(examples=["Gode råd"])
    text: str = Field("", max_length=200_000, examples=["Brug de stærke fagligheder ..."])


class AnswerRecord(_Record):
    level: Lax[AnswerLevel] = Field(examples=["ja"])
    text: str = Field(
        min_length=1,
        max_length=5000,
        examples=["Mindst 9 ud af 10 borgere får samtaler hver 2. uge"],
    )
    practice_id: str = Field("", json_schema_extra=_COMPUTED)
    level_inferred: bool = Field(False, json_schema_extra=_COMPUTED)


class PageChecklistRecord(_Record):
    test: Lax[Checklist] = Field(examples=["evidence"])
    name: str = Field(
        min_length=1,
        max_length=500,
        examples=["Evidenstest vedr. dagpengemodtagere med længerevarende ledighed"],
    )
    score: Score = Field(examples=[2.2])
    # The page as a whole holds at most as many (the parser's rule, which the record meets
    # when it is stored in the page format: 422 invalid_page above it).
    answers: list[AnswerRecord] = Field(default_factory=list, max_length=MAX_ANSWERS_PER_PAGE)


class InitiativeRecord(_Record):
    """A page as JSON (POST/PUT with `application/json`), in the shape GET gives it; it is
    stored in the seed format."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "municipality": "Hedensted",
                    "title": "Jobrettet coaching til afklaring af jobmuligheder",
                    "target_groups": ["Ledige", "§6.1 Dagpengemodtagere"],
                    "headline_score": 2.2,
                    "sections": [
                        {"name": "Kommunens beskrivelse af indsatsen", "text": "Coaching ..."},
                        {"name": "Gode råd", "text": "Brug certificerede coaches."},
                    ],
                    "tests": [
                        {
                            "test": "evidence",
                            "name": "Evidenstest vedr. dagpengemodtagere, alle ledige",
                            "score": 2.2,
                            "answers": [
                                {
                                    "level": "ja",
                                    "text": "Mindst 9 ud af 10 borgere får samtaler hver 2. uge",
                                }
                            ],
                        }
                    ],
                }
            ]
        },
    )
    id: str | None = Field(None, description="Udeladt eller lig med det id siden giver.")
    municipality: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=500)
    target_groups: list[str] = Field(default_factory=list, max_length=50)
    sections: list[SectionRecord] = Field(default_factory=list, max_length=50)
    tests: list[PageChecklistRecord] = Field(default_factory=list, max_length=50)
    headline_score: Score | None = None
    scores: dict[str, float | None] | None = Field(None, json_schema_extra=_COMPUTED)
    added_at: datetime | None = Field(None, json_schema_extra=_COMPUTED)
    updated_at: datetime | None = Field(None, json_schema_extra=_COMPUTED)


def record_to_initiative(record: InitiativeRecord) -> Initiative:
    """The engine's record for a JSON page; the engine stores it in the seed format."""
    return Initiative(
        id=record.id or "",
        municipality=record.municipality,
        title=record.title,
        target_groups=tuple(record.target_groups),
        sections=tuple(Section(s.name.value, s.text) for s in record.sections),
        tests=tuple(
            Test(
                label=CHECKLIST_LABELS[t.test],
                name=t.name,
                score=t.score,
                answers=tuple(Answer(level=Level(a.level.value), text=a.text) for a in t.answers),
            )
            for t in record.tests
        ),
        headline_score=record.headline_score,
    )
