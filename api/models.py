"""Request and response models of the HTTP API (and only here: the core uses dataclasses).

The shapes match the CLI's `--json` output (docs/ARCHITECTURE.md); the examples are in
Danish because the people who read /docs are Danish consultants and integrators.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.evidence import evidence_for
from engine.models import Initiative, Practice
from engine.serialize import initiative_summary, initiative_to_dict, practice_to_dict

Mode = Literal["hybrid", "dense", "lexical"]
LevelName = Literal["ja", "delvist", "nej"]
K = Annotated[int, Field(ge=1, le=100, description="Antal resultater (1-100).")]
Offset = Annotated[int, Field(ge=0, le=10_000, description="Spring så mange resultater over.")]
# The length limit (INDSATS_MAX_QUERY_CHARS, 2,000) is checked by the engine, in one place.
QueryText = Annotated[str, Field(description="Fritekst, højst 2.000 tegn.")]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


# errors --------------------------------------------------------------------------------
class ErrorBody(_Out):
    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["Ingen indsats med id 'hedensted-jobrettet-coaching'"])


class ErrorResponse(_Out):
    error: ErrorBody


# search ----------------------------------------------------------------------------------
class MatchOut(_Out):
    section: str = Field(examples=["Kommunens beskrivelse af indsatsen"])
    text: str = Field(examples=["Borgere med ordblindhed tilbydes et forløb med ..."])
    score: float = Field(examples=[0.016])


class SearchResultOut(_Out):
    id: str = Field(examples=["skanderborg-vejen-frem-for-ordblinde"])
    municipality: str = Field(examples=["Skanderborg"])
    title: str = Field(examples=["Vejen frem for ordblinde ledige"])
    target_groups: list[str] = Field(examples=[["Ledige", "§6.1 Dagpengemodtagere"]])
    scores: dict[str, float] = Field(examples=[{"Evidenstest": 0.6, "God praksis test": 1.7}])
    score: float = Field(examples=[0.031])
    matches: list[MatchOut]


class SearchResponseOut(_Out):
    query: str = Field(examples=["ordblinde ledige"])
    mode: Mode = "hybrid"
    k: int = 10
    offset: int = 0
    total: int = Field(examples=[1])
    results: list[SearchResultOut]


class SearchFilters(BaseModel):
    target_group: str | None = Field(None, examples=["Længerevarende ledige"])
    municipality: str | None = Field(None, examples=["Skanderborg"])
    min_evidence: float | None = Field(None, ge=0, le=5, examples=[2.0])


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
    queries: list[QueryText] = Field(min_length=1, max_length=100)
    k: K = 10
    offset: Offset = 0
    mode: Mode = "hybrid"


class BatchSearchResponse(_Out):
    results: list[SearchResponseOut]


# recommend -------------------------------------------------------------------------------
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
                    "municipality": "Skanderborg",
                    "answers": None,
                }
            ]
        },
    )
    situation: QueryText
    k: K = 5
    target_group: str | None = None
    municipality: str | None = Field(None, description="Jeres egen kommune, hvis den har svar.")
    answers: dict[str, LevelName] | None = Field(
        None, description="Jeres egne svar: praksis-id -> ja/delvist/nej."
    )


class EvidenceOut(_Out):
    counts: dict[str, int] = Field(examples=[{"ja": 2, "delvist": 1, "nej": 2}])
    units_ja: int | None = Field(None, description="Jobcentre (ikke sider) der svarer Ja.")
    units_other: int | None = Field(None, description="Jobcentre der svarer Delvist/Nej.")
    mean_score_ja: float | None = None
    mean_score_other: float | None = None
    contrast: float | None = None
    shrunk_contrast: float | None = None
    note: str = ""


class FollowerOut(_Out):
    municipality: str = Field(examples=["Brønderslev"])
    initiative_id: str
    answer: LevelName
    score: float | None = Field(None, examples=[3.8])


class PracticeRecommendationOut(_Out):
    id: str
    text: str
    test: str = Field(examples=["God praksis test"])
    relevance: float = Field(description="Hvor godt praksissen passer til situationen (0-1).")
    score: float = Field(description="Relevans justeret for evidensen; rækkefølgen.")
    evidence: EvidenceOut
    followed_by: list[FollowerOut]
    your_answer: LevelName | None = None
    gap: bool = False
    reason: str = Field(examples=["Følges fuldt af Brønderslev (evidensscore 4,1)."])


class AdviceOut(_Out):
    initiative_id: str
    municipality: str
    section: str = Field(examples=["Gode råd"])
    text: str
    score: float


class RecommendResponseOut(_Out):
    situation: str
    initiatives: list[SearchResultOut]
    practices: list[PracticeRecommendationOut]
    advice: list[AdviceOut]


# corpus records --------------------------------------------------------------------------
class SectionModel(BaseModel):
    model_config = ConfigDict(strict=True)

    name: str = Field(min_length=1, max_length=200, examples=["Gode råd"])
    text: str = Field("", max_length=200_000, examples=["Brug de stærke fagligheder ..."])


class AnswerModel(BaseModel):
    model_config = ConfigDict(strict=True)

    level: LevelName = Field(examples=["ja"])
    text: str = Field(
        min_length=1,
        max_length=5000,
        examples=["Mindst 9 ud af 10 borgere får samtaler hver 2. uge"],
    )
    practice_id: str = ""
    level_inferred: bool = False


class TestModel(BaseModel):
    model_config = ConfigDict(strict=True)

    label: str = Field(min_length=1, max_length=200, examples=["Evidenstest"])
    name: str = Field(
        min_length=1,
        max_length=500,
        examples=["Evidenstest vedr. dagpengemodtagere med længerevarende ledighed"],
    )
    score: float = Field(ge=0, le=5, examples=[2.2])
    answers: list[AnswerModel] = Field(default_factory=list, max_length=500)


class InitiativeRecord(BaseModel):
    """A page as JSON (POST/PUT with `application/json`); it is stored in the seed format."""

    # strict: `"headline_score": false` was stored as 0.0 (found by schemathesis).
    model_config = ConfigDict(
        extra="ignore",
        strict=True,
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
                            "label": "Evidenstest",
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
    sections: list[SectionModel] = Field(default_factory=list, max_length=50)
    tests: list[TestModel] = Field(default_factory=list, max_length=50)
    headline_score: float | None = Field(None, ge=0, le=5)


class InitiativeSummary(_Out):
    id: str = Field(examples=["hedensted-jobrettet-coaching-til-afklaring-af-jobmuligheder"])
    municipality: str = Field(examples=["Hedensted"])
    title: str = Field(examples=["Jobrettet coaching til afklaring af jobmuligheder"])
    target_groups: list[str] = Field(examples=[["Ledige", "§6.1 Dagpengemodtagere"]])
    scores: dict[str, float] = Field(examples=[{"Evidenstest": 2.2, "God praksis test": 2.5}])

    @classmethod
    def of(cls, item: Initiative) -> InitiativeSummary:
        return cls.model_validate(initiative_summary(item))


class InitiativeDetail(InitiativeSummary):
    source: str
    sections: list[SectionModel]
    tests: list[TestModel]

    @classmethod
    def of(cls, item: Initiative) -> InitiativeDetail:
        return cls.model_validate(initiative_to_dict(item))


class InitiativeList(_Out):
    total: int
    k: int
    offset: int
    items: list[InitiativeSummary]


class Created(_Out):
    id: str = Field(examples=["hedensted-jobrettet-coaching-til-afklaring-af-jobmuligheder"])
    location: str = Field(examples=["/v1/initiatives/hedensted-jobrettet-coaching"])


class PracticeAnswerOut(_Out):
    initiative_id: str
    municipality: str = Field(examples=["Brønderslev"])
    level: LevelName
    test_score: float = Field(examples=[4.1])
    evidence_score: float | None = Field(examples=[4.1])
    text: str


class PracticeSummary(_Out):
    id: str
    text: str = Field(examples=["Mindst 9 ud af 10 borgere får samtaler hver 2. uge"])
    test: str = Field(examples=["Evidenstest"])
    counts: dict[str, int] = Field(examples=[{"ja": 2, "delvist": 1, "nej": 2}])

    @classmethod
    def of(cls, practice: Practice) -> PracticeSummary:
        return cls.model_validate(practice_to_dict(practice, with_answers=False))


class PracticeDetail(PracticeSummary):
    answers: list[PracticeAnswerOut]
    evidence: EvidenceOut

    @classmethod
    def of(cls, practice: Practice) -> PracticeDetail:
        evidence = asdict(evidence_for(practice))
        return cls.model_validate({**practice_to_dict(practice), "evidence": evidence})


class PracticeList(_Out):
    total: int
    items: list[PracticeSummary]


class Health(_Out):
    status: str = Field(examples=["ok"])


class Readiness(_Out):
    status: str = Field(examples=["ready"])
    initiatives: int = Field(examples=[5])
    practices: int = Field(examples=[40])
    index_version: str = Field(examples=["v-3-1a2b3c4d5e"])
    load_errors: list[str] = Field(default_factory=list)
