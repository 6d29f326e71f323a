"""The closed sets of values the API sends and takes, each one named enum.

A `Literal` is written into every field that uses it, so a client generator makes one enum
per field (the answer level came out six times); an `Enum` class is one named schema that
every field refers to. The values are the wire format; the docstrings are the schema's
descriptions, so they are Danish.

Request models are strict, and strict pydantic takes only enum *instances* from the Python
dicts FastAPI validates bodies from; `Lax` lets the JSON strings through (and nothing else).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, TypeVar

from pydantic import Field


class AnswerLevel(StrEnum):
    """Et svar på et punkt i tjeklisten: ja, delvist eller nej."""

    JA = "ja"
    DELVIST = "delvist"
    NEJ = "nej"


class Checklist(StrEnum):
    """Hvilken test: `evidence` (Evidenstest), `good_practice` (God praksis test) eller
    `education` (Test vedr. uddannelse)."""

    EVIDENCE = "evidence"
    GOOD_PRACTICE = "good_practice"
    EDUCATION = "education"


class SearchMode(StrEnum):
    """`hybrid` (semantisk og ordbaseret søgning lagt sammen), `dense` (kun semantisk) eller
    `lexical` (kun ordbaseret, BM25)."""

    HYBRID = "hybrid"
    DENSE = "dense"
    LEXICAL = "lexical"


class PracticeStatus(StrEnum):
    """Hvorfor en praksis anbefales eller ej (reglerne står i README)."""

    RECOMMENDED = "recommended"
    FOLLOWERS_SCORE_LOWER = "followers_score_lower"


class SectionName(StrEnum):
    """Et afsnit i det offentliggjorte sideformat (docs/FORMAT.md)."""

    DESCRIPTION = "Kommunens beskrivelse af indsatsen"
    RESULTS = "Erfaringer og resultater"
    ORGANISATION = "Krav til organisering"
    ADVICE = "Gode råd"
    MANAGEMENT = "Ledelsens anbefaling"


class PracticeOrder(StrEnum):
    """Hvordan praksislisterne er ordnet: `score` (faldende) eller `gaps_first` (huller i
    jeres praksis først, hver gruppe efter faldende `score`)."""

    SCORE = "score"
    GAPS_FIRST = "gaps_first"


# The labels the pages print for each test, and the key the API uses for it.
CHECKLIST_LABELS: dict[Checklist, str] = {
    Checklist.EVIDENCE: "Evidenstest",
    Checklist.GOOD_PRACTICE: "God praksis test",
    Checklist.EDUCATION: "Test vedr. uddannelse",
}
CHECKLISTS: dict[str, Checklist] = {label: key for key, label in CHECKLIST_LABELS.items()}

E = TypeVar("E", bound=StrEnum)
Lax = Annotated[E, Field(strict=False)]
