"""The answer of `POST /v1/recommend` (and `indsats recommend --json`): the practices that
may be recommended, those set apart with the rule they miss, their followers and the advice.

Kept beside `api/models.py` (the naming scheme and the shared pieces live there) because the
recommendation carries the most fields of any answer.
"""

from __future__ import annotations

from pydantic import Field

from api.corpus import Evidence
from api.models import (
    NO_GOOD_MATCH_DESCRIPTION,
    PRACTICE_SCORE_DESCRIPTION,
    RANK_DESCRIPTION,
    SearchResult,
    _Out,
)
from api.vocabulary import CHECKLISTS, AnswerLevel, Checklist, PracticeOrder, PracticeStatus
from engine.recommend import eligibility
from engine.recommend import recommender as engine


class Follower(_Out):
    municipality: str = Field(examples=["Brønderslev"])
    initiative_id: str
    title: str = Field("", examples=["Ekstern personlig jobformidler som intensiv indsats"])
    answer: AnswerLevel
    evidence_score: float | None = Field(None, examples=[3.8])

    @classmethod
    def of(cls, follower: eligibility.Follower) -> Follower:
        return cls(
            municipality=follower.municipality,
            initiative_id=follower.initiative_id,
            title=follower.title,
            answer=AnswerLevel(follower.answer.value),
            evidence_score=follower.evidence_score,
        )


class PracticeRecommendation(_Out):
    rank: int = Field(ge=1, description=RANK_DESCRIPTION, examples=[1])
    score: float = Field(ge=0, description=PRACTICE_SCORE_DESCRIPTION, examples=[0.74])
    match: float = Field(
        ge=0,
        le=1,
        description="Hvor sandsynligt det er, at praksissen passer til situationen (0-1), "
        "kalibreret på bedømte situationer; kun praksisser over den kalibrerede tærskel gives. "
        "Aldrig højere end for en praksis over den i samme gruppe (se `practice_order`), så den "
        "falder med `rank`.",
        examples=[0.71],
    )
    id: str = Field(examples=["gp-borgere-faar-samtaler-hver-2-uge"])
    text: str = Field(examples=["Mindst 9 ud af 10 borgere får samtaler hver 2. uge"])
    test: Checklist
    evidence: Evidence
    followed_by: list[Follower] = Field(
        description="Alle indsatser inden for filtrene, der følger den: Ja før Delvist, hver "
        "gruppe efter faldende `evidence_score` (begrundelsen nævner de tre første)."
    )
    followers_full: int = Field(ge=0, description="Antal i `followed_by`, der svarer Ja.")
    followers_partial: int = Field(ge=0, description="Antal i `followed_by`, der svarer Delvist.")
    your_answer: AnswerLevel | None = None
    gap: bool = False
    reason: str = Field(
        examples=[
            'I skriver "op på borgere i løntilskud"; praksissen handler om "borgere i '
            'løntilskud". Følges fuldt af "Ekstern personlig jobformidler som intensiv '
            'indsats" (Brønderslev, evidensscore 4,1).'
        ]
    )
    recommended: bool = Field(
        False,
        description="Anbefales: den passer, og indsatser der følger den fuldt, har ikke en "
        "lavere evidensscore end dem, der ikke gør.",
    )
    status: PracticeStatus = Field(
        PracticeStatus.RECOMMENDED, description="Hvilken regel der afgør det."
    )
    status_text: str = Field(
        "",
        examples=[
            "Anbefales ikke: indsatser, der følger den, har en lavere evidensscore end dem, "
            "der ikke gør."
        ],
    )
    matched_words: list[str] = Field(
        default_factory=list,
        description="Situationens egne ord (som skrevet), som praksissen også bruger.",
    )
    fit: str = Field("", description="Begrundelsens første sætning: hvorfor den passer.")
    strength: str = Field("", description="Begrundelsens sætning om, hvor stærkt det er.")
    situation_part: str = Field(
        "",
        description="Den del af situationen, praksissen svarer på, ordret som skrevet.",
        examples=["op på borgere i løntilskud"],
    )
    practice_part: str = Field(
        "",
        description="Den del af praksissen, der svarer på det.",
        examples=["borgere i løntilskud"],
    )

    @classmethod
    def of(cls, practice: engine.PracticeAdvice, rank: int) -> PracticeRecommendation:
        yours = practice.your_answer
        return cls(
            rank=rank,
            score=practice.score,
            match=practice.match,
            id=practice.id,
            text=practice.text,
            test=CHECKLISTS[practice.test],
            evidence=Evidence.of(practice.evidence),
            followed_by=[Follower.of(f) for f in practice.followed_by],
            followers_full=sum(f.answer.value == "ja" for f in practice.followed_by),
            followers_partial=sum(f.answer.value == "delvist" for f in practice.followed_by),
            your_answer=None if yours is None else AnswerLevel(yours.value),
            gap=practice.gap,
            reason=practice.reason,
            recommended=practice.recommended,
            status=PracticeStatus(practice.status),
            status_text=practice.status_text,
            matched_words=list(practice.matched_words),
            fit=practice.fit,
            strength=practice.strength,
            situation_part=practice.situation_part,
            practice_part=practice.practice_part,
        )


class Advice(_Out):
    initiative_id: str
    municipality: str = Field(examples=["Brønderslev"])
    section: str = Field(examples=["Gode råd"])
    text: str

    @classmethod
    def of(cls, advice: engine.AdvicePassage) -> Advice:
        return cls(
            initiative_id=advice.initiative_id,
            municipality=advice.municipality,
            section=advice.section,
            text=advice.text,
        )


class RecommendResponse(_Out):
    situation: str = Field(examples=["vi vil følge bedre op på borgere i løntilskud"])
    no_good_match: bool = Field(description=NO_GOOD_MATCH_DESCRIPTION)
    initiatives: list[SearchResult]
    practice_order: PracticeOrder = Field(
        description="Hvordan `practices` og `other_practices` er ordnet (én rangering over "
        "begge, se `rank`): efter `score`, eller huller først og så efter `score`."
    )
    practices: list[PracticeRecommendation] = Field(
        description="De anbefalede praksisser blandt de k bedst passende."
    )
    other_practices: list[PracticeRecommendation] = Field(
        default_factory=list,
        description="De øvrige af de k bedst passende: dem evidensen taler imod (se status).",
    )
    advice: list[Advice] = Field(description="Hele gode råd fra lignende indsatser, bedst først.")

    @classmethod
    def of(cls, answer: engine.Recommendation) -> RecommendResponse:
        # One ranking over both lists: `rank` says where a practice stood among the k best.
        rank = {p.id: n for n, p in enumerate(answer.ranked, start=1)}
        gaps = any(p.gap for p in answer.ranked)
        return cls(
            situation=answer.situation,
            no_good_match=answer.no_good_match,
            practice_order=PracticeOrder.GAPS_FIRST if gaps else PracticeOrder.SCORE,
            initiatives=SearchResult.ranked(answer.initiatives),
            practices=[PracticeRecommendation.of(p, rank[p.id]) for p in answer.practices],
            other_practices=[
                PracticeRecommendation.of(p, rank[p.id]) for p in answer.other_practices
            ],
            advice=[Advice.of(a) for a in answer.advice],
        )
