"""A page as a canonical, versioned JSON record: the form pages are stored in.

The published text format (docs/FORMAT.md) is how pages come in, not how they are kept:
it has no escaping, so a record whose section holds a line reading `Gode råd`, or whose
text has two spaces in a row, could not be stored in it unchanged. A record is stored as
JSON instead, and what was written is what is read back, exactly (`tests/engine/
test_records.py` holds that to every record the checks accept). The checks are the
guarantees the parser gives every page, so a consumer cannot tell a record from a parsed
page; a record that breaks one is refused with the field and the reason.

Two forms, one serializer: `record_bytes` for a stored page (`data/pages/<id>.json`, indented
so a person can read it) and `snapshot_dict` for a snapshot (with each answer's practice
id and the page's dates, `engine/serving/snapshots.py`). `FORMAT` is written into every
stored record, so a later change of the shape can read the old ones.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from engine.domain.models import (
    MAX_ANSWERS_PER_PAGE,
    MAX_SCORE,
    Answer,
    Initiative,
    Level,
    Section,
    Test,
)
from engine.domain.parser import MUNICIPALITY, SECTION_ORDER, TEST_LABELS, other_id, page_id
from engine.shared.errors import PageFormatError

FORMAT = 1
_LABELS = tuple(dict.fromkeys(TEST_LABELS.values()))
_TOP = {"format", "id", "municipality", "title", "target_groups", "headline_score",
        "sections", "tests"}  # fmt: skip
_DATED = _TOP | {"added_at", "updated_at"}


def record_dict(item: Initiative, *, practice_ids: bool = False) -> dict[str, Any]:
    """The record as plain data; `practice_ids` for a snapshot, never for a stored page (the
    catalogue assigns them)."""
    return {
        "format": FORMAT,
        "id": item.id,
        "municipality": item.municipality,
        "title": item.title,
        "target_groups": list(item.target_groups),
        "headline_score": item.headline_score,
        "sections": [{"name": s.name, "text": s.text} for s in item.sections],
        "tests": [
            {
                "label": t.label,
                "name": t.name,
                "score": t.score,
                "answers": [
                    {"level": a.level.value, "text": a.text, "level_inferred": a.level_inferred}
                    | ({"practice_id": a.practice_id} if practice_ids else {})
                    for a in t.answers
                ],
            }
            for t in item.tests
        ],
    }


def record_bytes(item: Initiative, source: str = "posten") -> bytes:
    """The stored page: checked first, so nothing is stored that would not load."""
    check_record(item, source)
    text = json.dumps(record_dict(item), ensure_ascii=False, sort_keys=True, indent=1)
    return _utf8(text + "\n", source)


def snapshot_dict(item: Initiative) -> dict[str, Any]:
    """The record as a snapshot keeps it: with its practice ids and dates."""
    data = record_dict(item, practice_ids=True)
    data["added_at"] = item.added_at.isoformat() if item.added_at else None
    data["updated_at"] = item.updated_at.isoformat() if item.updated_at else None
    return data


def read_record(data: bytes, source: str) -> Initiative:
    """A stored record; `PageFormatError` naming the field and the reason if it is not one."""
    try:
        raw = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PageFormatError(source, f"ikke gyldig UTF-8 (position {exc.start})") from None
    except ValueError as exc:
        raise PageFormatError(source, f"ikke gyldig JSON ({exc})") from None
    return record_from_dict(raw, source)


def record_from_dict(raw: object, source: str, *, snapshot: bool = False) -> Initiative:
    """The record in `raw` (`snapshot`: with practice ids and dates), checked."""
    reader = _Reader(source)
    top = reader.mapping(raw, "posten", _DATED if snapshot else _TOP)
    if top.get("format") != FORMAT:
        raise reader.fail("format", f"er {top.get('format')!r}; denne udgave læser format {FORMAT}")
    tests = []
    for n, t in enumerate(reader.items(top, "tests")):
        where = f"tests[{n}]"
        test = reader.mapping(t, where, {"label", "name", "score", "answers"})
        answers = []
        for m, a in enumerate(reader.items(test, "answers", where)):
            at = f"{where}.answers[{m}]"
            keys = {"level", "text", "level_inferred"} | ({"practice_id"} if snapshot else set())
            answer = reader.mapping(a, at, keys)
            level = reader.text(answer, "level", at)
            if level not in {v.value for v in Level}:
                raise reader.fail(f"{at}.level", f"er {level!r}; brug ja, delvist eller nej")
            answers.append(
                Answer(
                    level=Level(level),
                    text=reader.text(answer, "text", at),
                    practice_id=reader.text(answer, "practice_id", at) if snapshot else "",
                    level_inferred=reader.flag(answer, "level_inferred", at),
                )
            )
        score = reader.score(test, "score", where)
        assert score is not None
        label, name = reader.text(test, "label", where), reader.text(test, "name", where)
        tests.append(Test(label=label, name=name, score=score, answers=tuple(answers)))
    sections = []
    for n, s in enumerate(reader.items(top, "sections")):
        where = f"sections[{n}]"
        section = reader.mapping(s, where, {"name", "text"})
        name, text = reader.text(section, "name", where), reader.text(section, "text", where)
        sections.append(Section(name, text))
    item = Initiative(
        id=reader.text(top, "id"),
        municipality=reader.text(top, "municipality"),
        title=reader.text(top, "title"),
        target_groups=tuple(
            reader.string(g, f"target_groups[{n}]")
            for n, g in enumerate(reader.items(top, "target_groups"))
        ),
        sections=tuple(sections),
        tests=tuple(tests),
        source=source,
        headline_score=reader.score(top, "headline_score", optional=True),
        added_at=reader.when(top, "added_at") if snapshot else None,
        updated_at=reader.when(top, "updated_at") if snapshot else None,
    )
    check_record(item, source)
    return item


def record_at(record: Initiative, source: str, expected_id: str | None = None) -> Initiative:
    """A record at its address: given without an id, it gets the one its municipality and
    title give; one that gives another id than the address's is a page error, as for a
    text page (`parser.parse_at`)."""
    item = replace(record, id=page_id(record.municipality, record.title), source=source)
    if expected_id is not None and item.id != expected_id:
        raise PageFormatError(source, other_id(item.id, expected_id))
    return item


def check_record(item: Initiative, source: str) -> None:
    """What the parser guarantees of every page, asked of a record; `PageFormatError`
    naming the first field that breaks it."""

    def fail(field: str, reason: str) -> PageFormatError:
        return PageFormatError(source, f"feltet '{field}' {reason}")

    if not MUNICIPALITY.match(item.municipality):
        raise fail(
            "municipality",
            "skal være kommunens navn på én linje, med stort forbogstav og højst 60 tegn "
            "(bogstaver, mellemrum, punktum, apostrof, bindestreg)",
        )
    _one_line(item.title, "title", fail)
    expected = page_id(item.municipality, item.title)
    if item.id != expected:
        raise fail("id", f"er '{item.id[:80]}', men kommune og titel giver '{expected}'")
    for n, group in enumerate(item.target_groups):
        _one_line(group, f"target_groups[{n}]", fail)
    for n, section in enumerate(item.sections):
        if section.name not in SECTION_ORDER:
            raise fail(f"sections[{n}].name", "er ikke et kendt afsnit; brug et af: "
                       + ", ".join(SECTION_ORDER))  # fmt: skip
    _score(item.headline_score, "headline_score", fail)
    if (count := len(item.answers())) > MAX_ANSWERS_PER_PAGE:
        raise fail("tests", f"har {count} svar i alt; højst {MAX_ANSWERS_PER_PAGE} er tilladt")
    for n, test in enumerate(item.tests):
        if test.label not in _LABELS:
            raise fail(
                f"tests[{n}].label", "er ikke en kendt test; brug en af: " + ", ".join(_LABELS)
            )
        _one_line(test.name, f"tests[{n}].name", fail)
        _score(test.score, f"tests[{n}].score", fail)
        for m, answer in enumerate(test.answers):
            _one_line(answer.text, f"tests[{n}].answers[{m}].text", fail)


def _one_line(value: str, field: str, fail: Any) -> None:
    if not value.strip():
        raise fail(field, "er tom")
    if "\n" in value or "\r" in value:
        raise fail(field, "skal stå på én linje")


def _score(value: float | None, field: str, fail: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not math.isfinite(value) or not 0 <= value <= MAX_SCORE:
        raise fail(field, f"er {value!r}; en score ligger mellem 0 og {MAX_SCORE:g}")


def _utf8(text: str, source: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate: JSON could carry it, UTF-8 not
        raise PageFormatError(
            source, f"teksten har et ugyldigt tegn ved position {exc.start}"
        ) from None


class _Reader:
    """Reads the fields of a decoded record, naming the field in every refusal."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, field: str, reason: str) -> PageFormatError:
        return PageFormatError(self.source, f"feltet '{field}' {reason}")

    def mapping(self, value: object, field: str, allowed: set[str]) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(field, "skal være et JSON-objekt")
        unknown = sorted(set(value) - allowed)
        if unknown:
            name = f"{field}.{unknown[0]}" if field != "posten" else unknown[0]
            raise self.fail(name, "kendes ikke; her kendes kun " + ", ".join(sorted(allowed)))
        return value

    def items(self, data: Mapping[str, Any], key: str, where: str = "") -> list[Any]:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise self.fail(_at(where, key), "skal være en liste")
        return value

    def text(self, data: Mapping[str, Any], key: str, where: str = "") -> str:
        return self.string(data.get(key, ""), _at(where, key))

    def string(self, value: object, field: str) -> str:
        if not isinstance(value, str):
            raise self.fail(field, "skal være tekst")
        return value

    def flag(self, data: Mapping[str, Any], key: str, where: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(_at(where, key), "skal være true eller false")
        return value

    def score(self, data: Mapping[str, Any], key: str, where: str = "", *,
              optional: bool = False) -> float | None:  # fmt: skip
        value = data.get(key)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(_at(where, key), "skal være et tal mellem 0 og 5")
        return float(value)

    def when(self, data: Mapping[str, Any], key: str) -> datetime | None:
        value = data.get(key)
        if value is None:
            return None
        try:
            return datetime.fromisoformat(str(value))
        except ValueError:
            raise self.fail(key, f"er ikke et tidspunkt ({str(value)[:40]!r})") from None


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
