"""The API's named enums and error codes are the engine's own closed sets, not copies that
can drift."""

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
from engine.recommend.eligibility import STATUSES
from engine.search.query import MODES


def test_every_enum_holds_the_engines_values() -> None:
    assert tuple(SectionName) == SECTION_ORDER
    assert set(CHECKLIST_LABELS.values()) == set(TEST_LABELS.values())
    assert {s.value for s in PracticeStatus} == set(STATUSES)
    assert {m.value for m in SearchMode} == set(MODES)
    assert [a.value for a in AnswerLevel] == [level.value for level in Level]


def test_every_engine_error_code_has_a_status_and_the_engine_has_none() -> None:
    """HTTP lives in api/: the engine's errors carry codes, `api/problems.py` the statuses."""
    import engine.shared.errors as domain
    from api.problems import PROBLEMS

    classes = [c for c in vars(domain).values() if isinstance(c, type)]
    errors = [c for c in classes if issubclass(c, domain.IndsatsError)]
    assert len(errors) > 5
    for error in errors:
        assert not hasattr(error, "status"), error
        if error is not domain.IndsatsError:
            assert error.code in PROBLEMS, error


def test_no_schema_name_is_also_a_field_name_of_another_meaning() -> None:
    """`Match` was a passage while `match` is a score; a generated client showed both."""
    from pathlib import Path

    from api.app import create_app
    from tests.api.conftest import make_settings

    schema = create_app(make_settings(Path("/nonexistent"))).openapi()
    names = {name.lower() for name in schema["components"]["schemas"]}
    fields = {
        field
        for model in schema["components"]["schemas"].values()
        for field in model.get("properties", {})
    }
    assert "match" in fields and "match" not in names
