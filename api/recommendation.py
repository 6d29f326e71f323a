"""The answer of `POST /v1/recommend` (and `indsats recommend --json`): the practices that
may be recommended, those set apart with the rule they miss, their followers and the advice.

Kept beside `api/models.py` (the naming scheme and the shared pieces live there) because the
recommendation carries the most fields of any answer.
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field, model_validator

from api.models import (
    NO_GOOD_MATCH_DESCRIPTION,
    PRACTICE_MATCH_DESCRIPTION,
    RANK_DESCRIPTION,
    Evidence,
    SearchResult,
    TestName,
    _is_record,
    _Out,
    _Ranked,
    _ranked,
)
from api.requests import LevelName, PracticeStatus


class Follower(_Out):
    municipality: str = Field(examples=["Brønderslev"])
    initiative_id: str
    title: str = Field("", examples=["Ekstern personlig jobformidler som intensiv indsats"])
    answer: LevelName
    evidence_score: float | None = Field(
        None, validation_alias=AliasChoices("evidence_score", "score"), examples=[3.8]
    )


class PracticeRecommendation(_Out):
    rank: int = Field(ge=1, description=RANK_DESCRIPTION, examples=[1])
    match: float = Field(ge=0, le=1, description=PRACTICE_MATCH_DESCRIPTION, examples=[0.74])
    id: str = Field(examples=["gp-borgere-faar-samtaler-hver-2-uge"])
    text: str = Field(examples=["Mindst 9 ud af 10 borgere får samtaler hver 2. uge"])
    test: TestName
    evidence: Evidence
    followed_by: list[Follower]
    your_answer: LevelName | None = None
    gap: bool = False
    reason: str = Field(
        examples=[
            'Den passer til jeres beskrivelse, fordi den handler om "løntilskud". Følges '
            'fuldt af "Ekstern personlig jobformidler som intensiv indsats" (Brønderslev, '
            "evidensscore 4,1)."
        ]
    )
    recommended: bool = Field(
        False,
        description="Anbefales: følges fuldt inden for filtrene, ikke af alle, og ikke af "
        "indsatser med lavere evidensscore end de øvrige.",
    )
    status: PracticeStatus = Field("recommended", description="Hvilken regel der afgør det.")
    status_text: str = Field("", examples=["Anbefales ikke: ingen indsats følger den fuldt."])
    matched_words: list[str] = Field(
        default_factory=list, description="Praksissens ord, som situationen også bruger."
    )
    fit: str = Field("", description="Begrundelsens første sætning: hvorfor den passer.")
    strength: str = Field("", description="Begrundelsens sætning om, hvor stærkt det er.")
    fits: bool = Field(
        False,
        description="Passer påviseligt: deler et sigende ord med situationen, eller en "
        "lignende indsats følger den fuldt.",
    )


class Advice(_Out):
    initiative_id: str
    municipality: str = Field(examples=["Brønderslev"])
    section: str = Field(examples=["Gode råd"])
    text: str


class RecommendResponse(_Out):
    situation: str = Field(examples=["vi vil følge bedre op på borgere i løntilskud"])
    no_good_match: bool = Field(description=NO_GOOD_MATCH_DESCRIPTION)
    initiatives: list[SearchResult]
    practices: list[PracticeRecommendation] = Field(
        description="De anbefalede praksisser blandt de k bedst passende."
    )
    other_practices: list[PracticeRecommendation] = Field(
        default_factory=list,
        description="De øvrige af de k bedst passende, som ikke anbefales (se status).",
    )
    advice: list[Advice] = Field(description="Hele gode råd fra lignende indsatser, bedst først.")

    @model_validator(mode="before")
    @classmethod
    def _rank(cls, value: Any) -> Any:
        if not _is_record(value, "practices"):
            return value
        # One ranking over both lists: `rank` says where a practice stood among the k best.
        rank = {p.id: n for n, p in enumerate(value.ranked, start=1)}
        return {
            "situation": value.situation,
            "no_good_match": value.no_good_match,
            "initiatives": _ranked(value.initiatives),
            "practices": [_Ranked(p, rank[p.id]) for p in value.practices],
            "other_practices": [_Ranked(p, rank[p.id]) for p in value.other_practices],
            "advice": value.advice,
        }
