"""Response models of the corpus: the pages (initiatives) and the practice catalogue, each
built from the engine's record by its typed `of` (the scheme is in `api/models.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from api.models import LevelCounts, Scores, _Out, fields_of
from api.vocabulary import CHECKLISTS, AnswerLevel, Checklist
from engine.domain import models as domain

# Means and contrasts on the 0-5 test scale.
ScaleValue = Annotated[float | None, AfterValidator(lambda v: None if v is None else round(v, 3))]


class Section(_Out):
    name: str = Field(examples=["Gode råd"])
    text: str = Field(examples=["Brug de stærke fagligheder ..."])

    @classmethod
    def of(cls, section: domain.Section) -> Section:
        return cls(name=section.name, text=section.text)


class Answer(_Out):
    level: AnswerLevel = Field(examples=["ja"])
    text: str = Field(examples=["Mindst 9 ud af 10 borgere får samtaler hver 2. uge"])
    practice_id: str = ""
    level_inferred: bool = False

    @classmethod
    def of(cls, answer: domain.Answer) -> Answer:
        return cls(
            level=AnswerLevel(answer.level.value),
            text=answer.text,
            practice_id=answer.practice_id,
            level_inferred=answer.level_inferred,
        )


class PageChecklist(_Out):
    """One test block of a page (Evidenstest, ...): its name, score and answers."""

    test: Checklist
    name: str = Field(examples=["Evidenstest vedr. dagpengemodtagere med længerevarende ledighed"])
    score: float = Field(examples=[2.2])
    answers: list[Answer]

    @classmethod
    def of(cls, test: domain.Test) -> PageChecklist:
        return cls(
            test=CHECKLISTS[test.label],
            name=test.name,
            score=test.score,
            answers=[Answer.of(a) for a in test.answers],
        )


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

    @classmethod
    def of(cls, page: domain.Initiative) -> InitiativeSummary:
        return cls(
            id=page.id,
            municipality=page.municipality,
            title=page.title,
            target_groups=list(page.target_groups),
            scores=Scores.of(page.scores),
            added_at=page.added_at,
            updated_at=page.updated_at,
        )


class InitiativeDetail(InitiativeSummary):
    """The whole page; what `POST`/`PUT` accept as JSON reads back the same."""

    headline_score: float | None = Field(None, examples=[2.2])
    sections: list[Section]
    tests: list[PageChecklist]

    @classmethod
    def of(cls, page: domain.Initiative) -> InitiativeDetail:
        return cls(
            **fields_of(InitiativeSummary.of(page)),
            headline_score=page.headline_score,
            sections=[Section.of(s) for s in page.sections],
            tests=[PageChecklist.of(t) for t in page.tests],
        )


class InitiativeList(_Out):
    total: int
    k: int
    offset: int
    items: list[InitiativeSummary]


# practices -------------------------------------------------------------------------------
class Evidence(_Out):
    counts: LevelCounts
    units_ja: int = Field(description="Jobcentre (ikke sider) der svarer Ja.", examples=[2])
    units_other: int = Field(description="Jobcentre der svarer Delvist eller Nej.", examples=[2])
    mean_score_ja: ScaleValue = Field(None, examples=[3.9])
    mean_score_other: ScaleValue = Field(None, examples=[1.2])
    contrast: ScaleValue = Field(None, description="mean_score_ja - mean_score_other.")
    shrunk_contrast: ScaleValue = Field(None, description="Forskellen trukket mod 0 ved få sider.")
    note: str = ""

    @classmethod
    def of(cls, evidence: domain.Evidence) -> Evidence:
        return cls(
            counts=LevelCounts.of(evidence.counts),
            units_ja=evidence.units_ja,
            units_other=evidence.units_other,
            mean_score_ja=evidence.mean_score_ja,
            mean_score_other=evidence.mean_score_other,
            contrast=evidence.contrast,
            shrunk_contrast=evidence.shrunk_contrast,
            note=evidence.note,
        )


class PracticeAnswer(_Out):
    initiative_id: str
    municipality: str = Field(examples=["Brønderslev"])
    level: AnswerLevel
    test_score: float = Field(examples=[4.1])
    evidence_score: float | None = Field(examples=[4.1])
    text: str

    @classmethod
    def of(cls, answer: domain.PracticeAnswer) -> PracticeAnswer:
        return cls(
            initiative_id=answer.initiative_id,
            municipality=answer.municipality,
            level=AnswerLevel(answer.level.value),
            test_score=answer.test_score,
            evidence_score=answer.evidence_score,
            text=answer.text,
        )


class PracticeSummary(_Out):
    id: str = Field(examples=["ev-borgere-faar-samtaler-hver-2-uge"])
    text: str = Field(examples=["Mindst 9 ud af 10 borgere får samtaler hver 2. uge"])
    test: Checklist
    counts: LevelCounts

    @classmethod
    def of(cls, practice: domain.Practice) -> PracticeSummary:
        return cls(
            id=practice.id,
            text=practice.text,
            test=CHECKLISTS[practice.test],
            counts=LevelCounts.of(practice.counts),
        )


class PracticeWithAnswers(PracticeSummary):
    answers: list[PracticeAnswer]

    @classmethod
    def of(cls, practice: domain.Practice) -> PracticeWithAnswers:
        answers = [PracticeAnswer.of(a) for a in practice.answers]
        return cls(**fields_of(PracticeSummary.of(practice)), answers=answers)


class PracticeDetail(PracticeWithAnswers):
    evidence: Evidence

    @classmethod
    def of(cls, practice: domain.Practice) -> PracticeDetail:
        evidence = Evidence.of(practice.evidence)
        return cls(**fields_of(PracticeWithAnswers.of(practice)), evidence=evidence)


class PracticeList(_Out):
    total: int
    k: int
    offset: int
    items: list[PracticeSummary]


class LoadError(_Out):
    file: str
    message: str


class Corpus(_Out):
    """What `indsats corpus --json` prints: every page, the catalogue and the rejects."""

    initiatives: list[InitiativeDetail]
    practices: list[PracticeWithAnswers]
    errors: list[LoadError]

    @classmethod
    def of(cls, corpus: domain.Corpus) -> Corpus:
        return cls(
            initiatives=[InitiativeDetail.of(i) for i in corpus.initiatives],
            practices=[PracticeWithAnswers.of(p) for p in corpus.practices],
            errors=[LoadError(file=e.file, message=e.message) for e in corpus.errors],
        )
