"""Request models of the HTTP API: what a client may send, validated strictly.

Strict: JSON `false` must not become 0, nor `"3"` become 3 (found by schemathesis). The
length limit of free text (INDSATS_MAX_QUERY_CHARS) is the engine's rule, checked there.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.domain.models import MAX_SCORE, Answer, Initiative, Level, Section, Test
from engine.search.query import MAX_K

Mode = Literal["hybrid", "dense", "lexical"]
PracticeStatus = Literal[
    "recommended",
    "no_full_follower",
    "outside_filters",
    "followed_by_all",
    "followers_score_lower",
    "weak_fit",
    "no_good_match",
]
LevelName = Literal["ja", "delvist", "nej"]
K = Annotated[int, Field(ge=1, le=MAX_K, description="Antal resultater (1-100).")]
Offset = Annotated[int, Field(ge=0, le=10_000, description="Spring så mange resultater over.")]
QueryText = Annotated[str, Field(description="Fritekst, højst 2.000 tegn.")]
Score = Annotated[float, Field(ge=0, le=MAX_SCORE)]


class SearchFilters(BaseModel):
    target_group: str | None = Field(None, examples=["Længerevarende ledige"])
    municipality: str | None = Field(None, examples=["Skanderborg"])
    min_evidence: Score | None = Field(None, examples=[2.0])


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
    from_municipality: str | None = Field(
        None, description="Kun indsatser (og deres praksisser og råd) fra denne kommune."
    )
    min_evidence: Score | None = Field(
        None, description="Kun indsatser med mindst denne evidensscore (0-5) tæller."
    )


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
    score: Score = Field(examples=[2.2])
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
    headline_score: Score | None = None


def record_to_initiative(record: InitiativeRecord) -> Initiative:
    """The engine's record for a JSON page; the engine stores it in the seed format."""
    return Initiative(
        id=record.id or "",
        municipality=record.municipality,
        title=record.title,
        target_groups=tuple(record.target_groups),
        sections=tuple(Section(s.name, s.text) for s in record.sections),
        tests=tuple(
            Test(
                label=t.label,
                name=t.name,
                score=t.score,
                answers=tuple(Answer(Level(a.level), a.text) for a in t.answers),
            )
            for t in record.tests
        ),
        headline_score=record.headline_score,
    )
