"""The corpus model: what one published initiative page says, as plain frozen records.

Everything the parser produces is immutable so that the search index, the recommender and
the API can share one loaded corpus between threads without copying or locking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# Every test score, the headline score and the evidence filter are on this scale.
MAX_SCORE = 5.0
# Checklist answers one page may hold, on every path (text, JSON record, a file among the
# pages). Published pages have at most 31; every distinct answer is a practice that each
# later load clusters and embeds, so one page with 8,000 answers held the writers' lock for
# minutes on every write after it.
MAX_ANSWERS_PER_PAGE = 100


class Level(StrEnum):
    """How a jobcenter answered a checklist item; the order is the order of adoption."""

    JA = "ja"
    DELVIST = "delvist"
    NEJ = "nej"

    @property
    def label(self) -> str:
        """The Danish word a consultant reads on the page."""
        return {"ja": "Ja", "delvist": "Delvist", "nej": "Nej"}[self.value]


@dataclass(frozen=True, slots=True)
class Section:
    """One narrative section of a page (description, results, organisation, advice, ...)."""

    name: str
    text: str

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(p for p in self.text.split("\n\n") if p.strip())


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """One checklist item as answered on one page, tied to a canonical practice."""

    level: Level
    text: str
    practice_id: str = ""
    level_inferred: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Test:
    """One test block: a label (`Evidenstest`), its full name, its score and its answers."""

    label: str
    name: str
    score: float
    answers: tuple[Answer, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Initiative:
    """One initiative page. `id` is derived from municipality and title, never file order."""

    id: str
    municipality: str
    title: str
    target_groups: tuple[str, ...]
    sections: tuple[Section, ...]
    tests: tuple[Test, ...]
    source: str = ""
    headline_score: float | None = None
    # What the catalogue knows of the page's age (`engine/storage/dates.py`): when it entered
    # the catalogue and when its content last changed (UTC, whole seconds). A seed page has
    # no date of its own, nor has a page read from files outside a catalogue: both None.
    updated_at: datetime | None = None
    added_at: datetime | None = None

    @property
    def scores(self) -> dict[str, float]:
        """Test label -> score; the first block wins if a label repeats."""
        out: dict[str, float] = {}
        for test in self.tests:
            out.setdefault(test.label, test.score)
        return out

    @property
    def evidence_score(self) -> float | None:
        return self.scores.get("Evidenstest", self.headline_score)

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    def answers(self) -> tuple[tuple[Test, Answer], ...]:
        return tuple((t, a) for t in self.tests for a in t.answers)


@dataclass(frozen=True, slots=True, kw_only=True)
class PracticeAnswer:
    """Who answered a practice how: one row of the practice's adoption table."""

    initiative_id: str
    municipality: str
    level: Level
    test_score: float
    evidence_score: float | None
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """How a practice's adoption relates to the pages' Evidenstest scores (`evidence.py`)."""

    counts: dict[str, int]
    units_ja: int
    units_other: int
    mean_score_ja: float | None
    mean_score_other: float | None
    contrast: float | None
    shrunk_contrast: float
    note: str

    @property
    def strength(self) -> float:
        """The shrunk contrast on a -1..1 scale, for combining with relevance."""
        return max(-1.0, min(1.0, self.shrunk_contrast / MAX_SCORE))


@dataclass(frozen=True, slots=True, kw_only=True)
class Practice:
    """A canonical practice: one checklist item recognised across wordings and pages, who
    answers it how, and the evidence that follows from those answers."""

    id: str
    text: str
    test: str
    answers: tuple[PracticeAnswer, ...]
    evidence: Evidence

    def count(self, level: Level) -> int:
        return sum(1 for a in self.answers if a.level is level)

    @property
    def counts(self) -> dict[str, int]:
        return {level.value: self.count(level) for level in Level}


@dataclass(frozen=True, slots=True)
class LoadError:
    """A file that could not be read as an initiative page, and why."""

    file: str
    message: str


@dataclass(frozen=True, slots=True)
class Corpus:
    """Everything loaded from the page directories: the pages, the catalogue, the rejects."""

    initiatives: tuple[Initiative, ...]
    practices: tuple[Practice, ...]
    errors: tuple[LoadError, ...] = ()

    def initiative(self, initiative_id: str) -> Initiative | None:
        return next((i for i in self.initiatives if i.id == initiative_id), None)

    def practice(self, practice_id: str) -> Practice | None:
        return next((p for p in self.practices if p.id == practice_id), None)
