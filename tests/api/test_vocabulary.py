"""The API's named enums are the engine's own closed sets, not copies that can drift."""

from __future__ import annotations

from api.vocabulary import (
    CHECKLIST_LABELS,
    AnswerLevel,
    PracticeStatus,
    SearchMode,
    SectionName,
)
from engine.domain.models import Level
from engine.domain.parser import SECTION_ORDER, TEST_LABELS
from engine.eligibility import STATUSES
from engine.search.query import MODES


def test_every_enum_holds_the_engines_values() -> None:
    assert tuple(SectionName) == SECTION_ORDER
    assert set(CHECKLIST_LABELS.values()) == set(TEST_LABELS.values())
    assert {s.value for s in PracticeStatus} == set(STATUSES)
    assert {m.value for m in SearchMode} == set(MODES)
    assert [a.value for a in AnswerLevel] == [level.value for level in Level]
