"""Response models of the HTTP API, and the one serializer of the engine's records.

The engine answers with frozen dataclasses; each model here has an `of` class method that
builds it from the engine's record field by field, so strict mypy sees every name on both
sides: a field renamed in the engine is a type error here, not a `null` in an answer. The
CLI's `--json` goes through the same methods and `to_json`, so the command line and the API
cannot drift apart. The corpus records (pages, practices) are in `api/corpus.py`, the
recommendation in `api/recommendation.py`.

The naming scheme (README, "Names and shapes"): field names are English snake_case; values
from the pages (municipalities, target groups, section names) are as published; a
collection is `{"total", "k", "offset", "items"}`; a ranked item carries `rank` (1 = best,
counted across pages) and `match` (0-1); the three tests are `evidence`, `good_practice`
and `education` wherever a test is named; a page's Evidenstest score is `evidence_score`.
Class names are the schema names a generated client uses, hence no suffixes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.vocabulary import CHECKLIST_LABELS, Checklist, SearchMode
from engine.search import facets as facet_records
from engine.search import results as found


class _Out(BaseModel):
    # Every field of an answer is always sent, defaults too: `required` in the schema, so a
    # generated client types `SearchResponse.k` as int, not "int or unset".
    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)


def to_json(value: BaseModel) -> dict[str, Any]:
    """`value` as the JSON object the API answers with (the CLI prints the same)."""
    return value.model_dump(mode="json")


def fields_of(value: BaseModel) -> dict[str, Any]:
    """A model's fields by name: a subclass's `of` extends its parent's (which mypy checks)
    with its own fields instead of repeating the parent's."""
    return {name: getattr(value, name) for name in type(value).model_fields}


def representation(value: BaseModel) -> bytes:
    """The bytes FastAPI answers for `value` (pydantic's JSON, its fast path), for the ETag
    a conditional write compares with (a test keeps the two equal)."""
    return value.model_dump_json().encode("utf-8")


MATCH_DESCRIPTION = (
    "Hvor sandsynligt det er, at en konsulent finder resultatet klart relevant (0-1), "
    "kalibreret på bedømte spørgsmål, så det kan sammenlignes på tværs af søgninger og "
    "bruges som tærskel; aldrig højere end for et resultat over det, så det falder med "
    "`rank`, og en tærskel skærer listen ét sted. Sammenlign ikke på tværs af versioner."
)
PRACTICE_SCORE_DESCRIPTION = (
    "Praksissens score, som ordner listerne: hvor godt den passer til situationen (0-1: dens "
    "egne ord, og om de indsatser der passer har den på tjeklisten) vægtet med evidensen "
    "(x 0,5-1,5). Ordner ét svar; ikke en sandsynlighed som søgningens `match`."
)
NO_GOOD_MATCH_DESCRIPTION = (
    "Sand når intet resultat passer godt (bedste `match` under den kalibrerede tærskel); vis "
    "da resultaterne som usikre. En anbefaling giver i så fald ingen praksisser og råd."
)
RANK_DESCRIPTION = "Plads i rangeringen, 1 er bedst; tæller videre på senere sider (offset)."


# errors --------------------------------------------------------------------------------
class FieldError(_Out):
    field: str = Field(
        description="Parameteren eller feltet, som en klient skriver det: `q`, `municipality`, "
        "`queries[2]`, `tests[0].name`; tom for indholdet som helhed.",
        examples=["municipality"],
    )
    message: str = Field(
        description="Hvad der er galt med netop det; dansk.", examples=["kendes ikke"]
    )


class Problem(_Out):
    """Every error answer, for every status: RFC 9457 problem details
    (`application/problem+json`) with our `code` and every invalid field in `errors`."""

    type: str = Field(
        description="Fejltypen som relativ URI; GET den for en beskrivelse.",
        examples=["/problems/unknown_value"],
    )
    title: str = Field(description="Fejltypens korte navn; dansk.", examples=["Ukendt værdi"])
    status: int = Field(description="HTTP-statuskoden.", examples=[422])
    detail: str = Field(
        description="Hvad der var galt, og hvad man kan gøre; dansk.",
        examples=["Kommunen 'Aarhus' findes ikke blandt indsatserne. Se GET /v1/facets."],
    )
    instance: str | None = Field(
        description="Adressen (uden forespørgselsstreng), hvor fejlen skete; `null` når "
        "forespørgslen ikke kunne læses.",
        examples=["/v1/search"],
    )
    code: str = Field(
        description="Fejlens kode, stabil for klienter; listen står i README.",
        examples=["unknown_value"],
    )
    errors: list[FieldError] = Field(
        description="Hver ugyldig parameter eller hvert ugyldigt felt; tom når fejlen ikke "
        "gælder et bestemt felt."
    )


# shared pieces -------------------------------------------------------------------------
class Scores(_Out):
    """A page's score in each test (0-5, higher is better); `null` when the page has none."""

    evidence: float | None = Field(None, description="Evidenstest.", examples=[2.2])
    good_practice: float | None = Field(None, description="God praksis test.", examples=[2.5])
    education: float | None = Field(None, description="Test vedr. uddannelse.", examples=[None])

    @classmethod
    def of(cls, by_label: Mapping[str, float]) -> Scores:
        """The engine keys scores by the label the page prints; clients get stable keys."""
        labels = CHECKLIST_LABELS
        return cls(
            evidence=by_label.get(labels[Checklist.EVIDENCE]),
            good_practice=by_label.get(labels[Checklist.GOOD_PRACTICE]),
            education=by_label.get(labels[Checklist.EDUCATION]),
        )


class LevelCounts(_Out):
    ja: int = Field(examples=[2])
    delvist: int = Field(examples=[1])
    nej: int = Field(examples=[2])

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> LevelCounts:
        return cls(ja=counts["ja"], delvist=counts["delvist"], nej=counts["nej"])


# search ----------------------------------------------------------------------------------
class Passage(_Out):
    """A passage of the page's own text that speaks for the result (`match` is a score)."""

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

    @classmethod
    def of(cls, passage: found.Match) -> Passage:
        return cls(section=passage.section, text=passage.text, snippet=passage.snippet)


class SearchResult(_Out):
    rank: int = Field(ge=1, description=RANK_DESCRIPTION, examples=[1])
    match: float = Field(ge=0, le=1, description=MATCH_DESCRIPTION, examples=[0.82])
    id: str = Field(examples=["skanderborg-vejen-frem-for-ordblinde"])
    municipality: str = Field(examples=["Skanderborg"])
    title: str = Field(examples=["Vejen frem for ordblinde ledige"])
    target_groups: list[str] = Field(examples=[["Ledige", "§6.1 Dagpengemodtagere"]])
    scores: Scores
    passages: list[Passage] = Field(
        description="Sidens egne afsnit, der bedst passer til søgningen, bedst først."
    )

    @classmethod
    def of(cls, result: found.SearchResult, rank: int) -> SearchResult:
        return cls(
            rank=rank,
            match=result.match,
            id=result.id,
            municipality=result.municipality,
            title=result.title,
            target_groups=list(result.target_groups),
            scores=Scores.of(result.scores),
            passages=[Passage.of(m) for m in result.matches],
        )

    @classmethod
    def ranked(cls, results: tuple[found.SearchResult, ...], first: int = 1) -> list[SearchResult]:
        """The engine's lists are in rank order; `first` is the rank of the first one."""
        return [cls.of(r, n) for n, r in enumerate(results, start=first)]


class SearchResponse(_Out):
    query: str = Field(description="Søgeteksten, med mellemrum ryddet op.", examples=["ordblinde"])
    mode: SearchMode = SearchMode.HYBRID
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

    @classmethod
    def of(cls, answer: found.SearchResponse) -> SearchResponse:
        return cls(
            query=answer.query,
            mode=SearchMode(answer.mode),
            k=answer.k,
            offset=answer.offset,
            total=answer.total,
            no_good_match=answer.no_good_match,
            highlight_stems=list(answer.highlight_stems),
            items=SearchResult.ranked(answer.results, answer.offset + 1),
        )


class BatchSearchFailure(_Out):
    """A query of the batch that could not be answered, in its place."""

    query: str = Field(examples=[""])
    error: Problem
    # Built by `api.errors.batch_failure`, which names the query's place in `queries`.


class BatchSearchResponse(_Out):
    items: list[SearchResponse | BatchSearchFailure] = Field(
        description="Ét svar pr. søgning, i samme rækkefølge: et søgesvar eller en fejl."
    )


class SimilarResponse(_Out):
    initiative_id: str = Field(examples=["hedensted-jobrettet-coaching-for-nyledige"])
    k: int = 5
    offset: int = 0
    total: int = Field(description="Antal andre indsatser i alt.", examples=[4])
    items: list[SearchResult]

    @classmethod
    def of(
        cls, initiative_id: str, k: int, offset: int, answer: found.SearchResponse
    ) -> SimilarResponse:
        """`answer` holds the first `offset + k`; this page is the rest, ranked on from there."""
        items = SearchResult.ranked(answer.results[offset:], offset + 1)
        return cls(initiative_id=initiative_id, k=k, offset=offset, total=answer.total, items=items)


# facets and operations -------------------------------------------------------------------
class FacetValue(_Out):
    value: str = Field(examples=["Brønderslev"])
    count: int = Field(description="Indsatser med værdien, givet de andre filtre.", examples=[1])

    @classmethod
    def of(cls, facet: facet_records.FacetValue) -> FacetValue:
        return cls(value=facet.value, count=facet.count)


class EvidenceStep(_Out):
    value: float = Field(description="Mindste Evidenstest-score (min_evidence).", examples=[2.5])
    count: int = Field(description="Indsatser med mindst den score, givet de andre filtre.")

    @classmethod
    def of(cls, step: facet_records.EvidenceStep) -> EvidenceStep:
        return cls(value=step.value, count=step.count)


class Facets(_Out):
    total: int = Field(description="Indsatser der matcher alle filtrene.", examples=[5])
    target_groups: list[FacetValue]
    municipalities: list[FacetValue]
    min_evidence: list[EvidenceStep]

    @classmethod
    def of(cls, facets: facet_records.Facets) -> Facets:
        return cls(
            total=facets.total,
            target_groups=[FacetValue.of(f) for f in facets.target_groups],
            municipalities=[FacetValue.of(f) for f in facets.municipalities],
            min_evidence=[EvidenceStep.of(s) for s in facets.min_evidence],
        )


class Created(_Out):
    id: str = Field(examples=["hedensted-jobrettet-coaching-til-afklaring-af-jobmuligheder"])
    location: str = Field(examples=["/v1/initiatives/hedensted-jobrettet-coaching"])


class Health(_Out):
    status: Literal["ok"] = "ok"


class Readiness(_Out):
    status: Literal["ready"] = "ready"
    initiatives: int = Field(examples=[5])
    practices: int = Field(examples=[30])
    index_version: str = Field(examples=["v-3-1a2b3c4d5e"])
    load_errors: list[str] = Field(default_factory=list)
