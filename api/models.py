"""Response models of the HTTP API, and the one serializer of the engine's records.

The engine answers with frozen dataclasses; these models read them by attribute
(`from_attributes`) and decide the JSON shape, the rounding of scores included, in one
place. The CLI's `--json` goes through `to_json` with the same models, so the command line
and the API cannot drift apart. The examples are in Danish because the people who read
/docs are Danish consultants and integrators.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from api.requests import LevelName, Mode, PracticeStatus


def _rounded(digits: int) -> AfterValidator:
    return AfterValidator(lambda v: None if v is None else round(v, digits))


# Fused scores are small reciprocal-rank sums; six decimals keep their order readable.
FusedScore = Annotated[float, _rounded(6)]
# Means and contrasts on the 0-5 test scale.
ScaleValue = Annotated[float | None, _rounded(3)]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


def to_json(model: type[BaseModel], value: object) -> dict[str, Any]:
    """`value` (an engine record) as the JSON object the API would answer with."""
    return model.model_validate(value).model_dump(mode="json")


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
    score: FusedScore = Field(examples=[0.016])


class SearchResultOut(_Out):
    id: str = Field(examples=["skanderborg-vejen-frem-for-ordblinde"])
    municipality: str = Field(examples=["Skanderborg"])
    title: str = Field(examples=["Vejen frem for ordblinde ledige"])
    target_groups: list[str] = Field(examples=[["Ledige", "§6.1 Dagpengemodtagere"]])
    scores: dict[str, float] = Field(examples=[{"Evidenstest": 0.6, "God praksis test": 1.7}])
    score: FusedScore = Field(examples=[0.031])
    matches: list[MatchOut]


class SearchResponseOut(_Out):
    query: str = Field(examples=["ordblinde ledige"])
    mode: Mode = "hybrid"
    k: int = 10
    offset: int = 0
    total: int = Field(examples=[1])
    results: list[SearchResultOut]


class BatchSearchResponse(_Out):
    results: list[SearchResponseOut]


# recommend -------------------------------------------------------------------------------
class EvidenceOut(_Out):
    counts: dict[str, int] = Field(examples=[{"ja": 2, "delvist": 1, "nej": 2}])
    units_ja: int | None = Field(None, description="Jobcentre (ikke sider) der svarer Ja.")
    units_other: int | None = Field(None, description="Jobcentre der svarer Delvist/Nej.")
    mean_score_ja: ScaleValue = None
    mean_score_other: ScaleValue = None
    contrast: ScaleValue = None
    shrunk_contrast: ScaleValue = None
    note: str = ""


class FollowerOut(_Out):
    municipality: str = Field(examples=["Brønderslev"])
    initiative_id: str
    title: str = Field("", examples=["Ekstern personlig jobformidler som intensiv indsats"])
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


class AdviceOut(_Out):
    initiative_id: str
    municipality: str
    section: str = Field(examples=["Gode råd"])
    text: str
    score: FusedScore


class RecommendResponseOut(_Out):
    situation: str
    initiatives: list[SearchResultOut]
    practices: list[PracticeRecommendationOut] = Field(
        description="De anbefalede praksisser blandt de k bedst passende."
    )
    other_practices: list[PracticeRecommendationOut] = Field(
        default_factory=list,
        description="De øvrige af de k bedst passende, som ikke anbefales (se status).",
    )
    advice: list[AdviceOut]


# corpus records --------------------------------------------------------------------------
class SectionOut(_Out):
    name: str = Field(examples=["Gode råd"])
    text: str = Field(examples=["Brug de stærke fagligheder ..."])


class AnswerOut(_Out):
    level: LevelName = Field(examples=["ja"])
    text: str = Field(examples=["Mindst 9 ud af 10 borgere får samtaler hver 2. uge"])
    practice_id: str = ""
    level_inferred: bool = False


class TestOut(_Out):
    label: str = Field(examples=["Evidenstest"])
    name: str = Field(examples=["Evidenstest vedr. dagpengemodtagere med længerevarende ledighed"])
    score: float = Field(examples=[2.2])
    answers: list[AnswerOut]


class InitiativeSummary(_Out):
    id: str = Field(examples=["hedensted-jobrettet-coaching-til-afklaring-af-jobmuligheder"])
    municipality: str = Field(examples=["Hedensted"])
    title: str = Field(examples=["Jobrettet coaching til afklaring af jobmuligheder"])
    target_groups: list[str] = Field(examples=[["Ledige", "§6.1 Dagpengemodtagere"]])
    scores: dict[str, float] = Field(examples=[{"Evidenstest": 2.2, "God praksis test": 2.5}])


class InitiativeDetail(InitiativeSummary):
    """The whole page; what `POST`/`PUT` accept as JSON reads back the same."""

    source: str
    headline_score: float | None = Field(None, examples=[2.2])
    sections: list[SectionOut]
    tests: list[TestOut]


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


class PracticeWithAnswers(PracticeSummary):
    answers: list[PracticeAnswerOut]


class PracticeDetail(PracticeWithAnswers):
    evidence: EvidenceOut


class PracticeList(_Out):
    total: int
    items: list[PracticeSummary]


class LoadErrorOut(_Out):
    file: str
    message: str


class CorpusOut(_Out):
    """What `indsats corpus --json` prints: every page, the catalogue and the rejects."""

    initiatives: list[InitiativeDetail]
    practices: list[PracticeWithAnswers]
    errors: list[LoadErrorOut]


class Health(_Out):
    status: str = Field(examples=["ok"])


class Readiness(_Out):
    status: str = Field(examples=["ready"])
    initiatives: int = Field(examples=[5])
    practices: int = Field(examples=[40])
    index_version: str = Field(examples=["v-3-1a2b3c4d5e"])
    load_errors: list[str] = Field(default_factory=list)
