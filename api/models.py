"""Response models of the HTTP API, and the one serializer of the engine's records.

The engine answers with frozen dataclasses; these models read them by attribute
(`from_attributes`) and decide the JSON shape in one place. The CLI's `--json` goes through
`to_json` with the same models, so the command line and the API cannot drift apart.

The naming scheme (README, "Names and shapes"): field names are English snake_case; values
from the pages (municipalities, target groups, section names) are as published; a
collection is `{"total", "k", "offset", "items"}`; a ranked item carries `rank` (1 = best,
counted across pages) and `match` (0-1); the three tests are `evidence`, `good_practice`
and `education` wherever a test is named; a page's Evidenstest score is `evidence_score`.
Class names are the schema names a generated client uses, hence no suffixes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from api.requests import LevelName, Mode

# Means and contrasts on the 0-5 test scale.
ScaleValue = Annotated[float | None, AfterValidator(lambda v: None if v is None else round(v, 3))]
TestKey = Literal["evidence", "good_practice", "education"]
TEST_KEYS: dict[str, TestKey] = {
    "Evidenstest": "evidence",
    "God praksis test": "good_practice",
    "Test vedr. uddannelse": "education",
}


def _test_key(value: object) -> object:
    """A test's label as the pages print it ("God praksis test") -> its key."""
    return TEST_KEYS.get(value, value) if isinstance(value, str) else value


TestName = Annotated[TestKey, BeforeValidator(_test_key)]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


class _Ranked:
    """An engine record seen with its rank added (the engine's lists are in rank order)."""

    def __init__(self, record: object, rank: int) -> None:
        self._record = record
        self.rank = rank

    def __getattr__(self, name: str) -> Any:
        return getattr(self._record, name)


def _ranked(records: Any, first: int = 1) -> list[_Ranked]:
    return [_Ranked(r, n) for n, r in enumerate(records, start=first)]


def _is_record(value: Any, attribute: str) -> bool:
    """An engine record to reshape (not JSON, not a model, not something else entirely)."""
    return not isinstance(value, dict | BaseModel) and hasattr(value, attribute)


def to_json(model: type[BaseModel], value: object) -> dict[str, Any]:
    """`value` (an engine record) as the JSON object the API would answer with."""
    return model.model_validate(value).model_dump(mode="json")


MATCH_DESCRIPTION = (
    "Hvor sandsynligt det er, at en konsulent finder resultatet klart relevant (0-1), "
    "kalibreret på bedømte spørgsmål, så det kan sammenlignes på tværs af søgninger og "
    "bruges som tærskel; sammenlign ikke på tværs af versioner."
)
PRACTICE_MATCH_DESCRIPTION = (
    "Hvor godt praksissen passer til situationen (0-1): dens egne ord og om de indsatser, der "
    "passer, har den på tjeklisten. Ordner ét svar; ikke kalibreret som søgningens `match`."
)
NO_GOOD_MATCH_DESCRIPTION = (
    "Sand når intet resultat passer godt (bedste `match` under den kalibrerede tærskel); vis "
    "da resultaterne som usikre. En anbefaling giver i så fald ingen praksisser og råd."
)
RANK_DESCRIPTION = "Plads i rangeringen, 1 er bedst; tæller videre på senere sider (offset)."


# errors --------------------------------------------------------------------------------
class ErrorDetail(_Out):
    code: str = Field(
        description="Fejlens kode; listen står i README (fx `not_found`, `unknown_value`).",
        examples=["not_found"],
    )
    message: str = Field(
        description="Hvad der var galt, og hvad man kan gøre; dansk.",
        examples=["Ingen indsats med id 'hedensted-jobrettet-coaching'"],
    )
    field: str | None = Field(
        None,
        description="Parameteren eller feltet fejlen gælder, fx `municipality` eller `k`.",
        examples=["municipality"],
    )


class Error(_Out):
    """Every error answer: one shape for every status."""

    error: ErrorDetail


# shared pieces -------------------------------------------------------------------------
class Scores(_Out):
    """A page's score in each test (0-5, higher is better); `null` when the page has none."""

    evidence: float | None = Field(None, description="Evidenstest.", examples=[2.2])
    good_practice: float | None = Field(None, description="God praksis test.", examples=[2.5])
    education: float | None = Field(None, description="Test vedr. uddannelse.", examples=[None])

    @model_validator(mode="before")
    @classmethod
    def _from_labels(cls, value: Any) -> Any:
        """The engine keys scores by the label the page prints; clients get stable keys."""
        if isinstance(value, dict):
            return {TEST_KEYS.get(k, k): v for k, v in value.items()}
        return value


class LevelCounts(_Out):
    ja: int = Field(examples=[2])
    delvist: int = Field(examples=[1])
    nej: int = Field(examples=[2])


# search ----------------------------------------------------------------------------------
class Match(_Out):
    """A passage that speaks for the result, best first."""

    section: str = Field(examples=["Kommunens beskrivelse af indsatsen"])
    text: str = Field(examples=["Borgere med ordblindhed tilbydes et forløb med ..."])
    snippet: str = Field(
        "",
        description=(
            "Det, en læser får vist af afsnittet: hele sætninger (højst ca. 420 tegn) omkring "
            "den første med et markeret ord, begyndende med en sætning, der kan stå alene; "
            "punktlister står med ét punkt pr. linje. '… ' og ' …' viser udeladt tekst."
        ),
        examples=["Borgere med ordblindhed tilbydes et forløb med ..."],
    )


class SearchResult(_Out):
    rank: int = Field(ge=1, description=RANK_DESCRIPTION, examples=[1])
    match: float = Field(ge=0, le=1, description=MATCH_DESCRIPTION, examples=[0.82])
    id: str = Field(examples=["skanderborg-vejen-frem-for-ordblinde"])
    municipality: str = Field(examples=["Skanderborg"])
    title: str = Field(examples=["Vejen frem for ordblinde ledige"])
    target_groups: list[str] = Field(examples=[["Ledige", "§6.1 Dagpengemodtagere"]])
    scores: Scores
    matches: list[Match]


class SearchResponse(_Out):
    query: str = Field(description="Søgeteksten, med mellemrum ryddet op.", examples=["ordblinde"])
    mode: Mode = "hybrid"
    k: int = 10
    offset: int = 0
    total: int = Field(description="Antal indsatser der matcher filtrene i alt.", examples=[1])
    no_good_match: bool = Field(description=NO_GOOD_MATCH_DESCRIPTION)
    highlight_stems: list[str] = Field(
        default_factory=list,
        description=(
            "Ordstammerne af spørgsmålets betydningsbærende ord, som en klient kan markere i "
            "`snippet`: ikke stopord, ikke hverdagsord og ikke ord, som de fleste sider bruger."
        ),
        examples=[["ordblind"]],
    )
    items: list[SearchResult]

    @model_validator(mode="before")
    @classmethod
    def _rank(cls, value: Any) -> Any:
        if not _is_record(value, "results"):
            return value
        return {
            "query": value.query,
            "mode": value.mode,
            "k": value.k,
            "offset": value.offset,
            "total": value.total,
            "no_good_match": value.no_good_match,
            "highlight_stems": list(value.highlight_stems),
            "items": _ranked(value.results, value.offset + 1),
        }


class BatchSearchFailure(_Out):
    """A query of the batch that could not be answered, in its place."""

    query: str = Field(examples=[""])
    error: ErrorDetail

    @model_validator(mode="before")
    @classmethod
    def _nest(cls, value: Any) -> Any:
        """The engine's failure record is flat; the answer nests it like every error."""
        if not _is_record(value, "code"):
            return value
        error = {"code": value.code, "message": value.message, "field": value.field}
        return {"query": value.query, "error": error}


class BatchSearchResponse(_Out):
    items: list[SearchResponse | BatchSearchFailure] = Field(
        description="Ét svar pr. søgning, i samme rækkefølge: et søgesvar eller en fejl."
    )


class SimilarResponse(_Out):
    initiative_id: str = Field(examples=["hedensted-jobrettet-coaching-for-nyledige"])
    k: int = 5
    total: int = Field(description="Antal andre indsatser i alt.", examples=[4])
    items: list[SearchResult]


# recommend -------------------------------------------------------------------------------
class Evidence(_Out):
    counts: LevelCounts
    units_ja: int = Field(description="Jobcentre (ikke sider) der svarer Ja.", examples=[2])
    units_other: int = Field(description="Jobcentre der svarer Delvist eller Nej.", examples=[2])
    mean_score_ja: ScaleValue = Field(None, examples=[3.9])
    mean_score_other: ScaleValue = Field(None, examples=[1.2])
    contrast: ScaleValue = Field(None, description="mean_score_ja - mean_score_other.")
    shrunk_contrast: ScaleValue = Field(None, description="Forskellen trukket mod 0 ved få sider.")
    note: str = ""


# corpus records --------------------------------------------------------------------------
class Section(_Out):
    name: str = Field(examples=["Gode råd"])
    text: str = Field(examples=["Brug de stærke fagligheder ..."])


class Answer(_Out):
    level: LevelName = Field(examples=["ja"])
    text: str = Field(examples=["Mindst 9 ud af 10 borgere får samtaler hver 2. uge"])
    practice_id: str = ""
    level_inferred: bool = False


class PageTest(_Out):
    test: TestName = Field(validation_alias=AliasChoices("test", "label"))
    label: str = Field(examples=["Evidenstest"])
    name: str = Field(examples=["Evidenstest vedr. dagpengemodtagere med længerevarende ledighed"])
    score: float = Field(examples=[2.2])
    answers: list[Answer]


class InitiativeSummary(_Out):
    id: str = Field(examples=["hedensted-jobrettet-coaching-til-afklaring-af-jobmuligheder"])
    municipality: str = Field(examples=["Hedensted"])
    title: str = Field(examples=["Jobrettet coaching til afklaring af jobmuligheder"])
    target_groups: list[str] = Field(examples=[["Ledige", "§6.1 Dagpengemodtagere"]])
    scores: Scores
    added_at: datetime | None = Field(
        None,
        description=(
            "Hvornår siden kom ind i dette katalog (UTC), bevaret på tværs af genstarter. "
            "De offentliggjorte sider har ingen egen dato; null betyder en eksempelside, der "
            "følger med Indsatsfinder (`seeds/`), og som kan være flere år gammel."
        ),
        examples=["2025-05-01T12:00:00Z"],
    )
    updated_at: datetime | None = Field(
        None,
        description=(
            "Hvornår sidens indhold sidst blev ændret i dette katalog (UTC); null for en "
            "eksempelside."
        ),
        examples=["2025-05-01T12:00:00Z"],
    )


class InitiativeDetail(InitiativeSummary):
    """The whole page; what `POST`/`PUT` accept as JSON reads back the same."""

    headline_score: float | None = Field(None, examples=[2.2])
    sections: list[Section]
    tests: list[PageTest]


class InitiativeList(_Out):
    total: int
    k: int
    offset: int
    items: list[InitiativeSummary]


class Created(_Out):
    id: str = Field(examples=["hedensted-jobrettet-coaching-til-afklaring-af-jobmuligheder"])
    location: str = Field(examples=["/v1/initiatives/hedensted-jobrettet-coaching"])


class PracticeAnswer(_Out):
    initiative_id: str
    municipality: str = Field(examples=["Brønderslev"])
    level: LevelName
    test_score: float = Field(examples=[4.1])
    evidence_score: float | None = Field(examples=[4.1])
    text: str


class PracticeSummary(_Out):
    id: str = Field(examples=["ev-borgere-faar-samtaler-hver-2-uge"])
    text: str = Field(examples=["Mindst 9 ud af 10 borgere får samtaler hver 2. uge"])
    test: TestName
    counts: LevelCounts


class PracticeWithAnswers(PracticeSummary):
    answers: list[PracticeAnswer]


class PracticeDetail(PracticeWithAnswers):
    evidence: Evidence


class PracticeList(_Out):
    total: int
    k: int
    offset: int
    items: list[PracticeSummary]


class FacetValue(_Out):
    value: str = Field(examples=["Brønderslev"])
    count: int = Field(description="Indsatser med værdien, givet de andre filtre.", examples=[1])


class EvidenceStep(_Out):
    value: float = Field(description="Mindste Evidenstest-score (min_evidence).", examples=[2.5])
    count: int = Field(description="Indsatser med mindst den score, givet de andre filtre.")


class Facets(_Out):
    total: int = Field(description="Indsatser der matcher alle filtrene.", examples=[5])
    target_groups: list[FacetValue]
    municipalities: list[FacetValue]
    min_evidence: list[EvidenceStep]


class LoadError(_Out):
    file: str
    message: str


class Corpus(_Out):
    """What `indsats corpus --json` prints: every page, the catalogue and the rejects."""

    initiatives: list[InitiativeDetail]
    practices: list[PracticeWithAnswers]
    errors: list[LoadError]


class Health(_Out):
    status: Literal["ok"] = "ok"


class Readiness(_Out):
    status: Literal["ready"] = "ready"
    initiatives: int = Field(examples=[5])
    practices: int = Field(examples=[30])
    index_version: str = Field(examples=["v-3-1a2b3c4d5e"])
    load_errors: list[str] = Field(default_factory=list)
