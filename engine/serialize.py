"""Plain-dict views of the corpus records, shared by the CLI's `--json` and the API.

One place decides the JSON shape of an initiative or a practice, so the two front doors
cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from engine.errors import InvalidInputError
from engine.models import (
    Answer,
    Corpus,
    Initiative,
    Level,
    LoadError,
    Practice,
    Section,
    Test,
)


def initiative_summary(initiative: Initiative) -> dict[str, Any]:
    return {
        "id": initiative.id,
        "municipality": initiative.municipality,
        "title": initiative.title,
        "target_groups": list(initiative.target_groups),
        "scores": initiative.scores,
    }


def initiative_to_dict(initiative: Initiative) -> dict[str, Any]:
    return {
        **initiative_summary(initiative),
        "source": initiative.source,
        "headline_score": initiative.headline_score,
        "sections": [{"name": s.name, "text": s.text} for s in initiative.sections],
        "tests": [
            {
                "label": t.label,
                "name": t.name,
                "score": t.score,
                "answers": [
                    {
                        "level": a.level.value,
                        "text": a.text,
                        "practice_id": a.practice_id,
                        "level_inferred": a.level_inferred,
                    }
                    for a in t.answers
                ],
            }
            for t in initiative.tests
        ],
    }


def initiative_from_dict(data: Any) -> Initiative:
    """The inverse of `initiative_to_dict`, so a stored or exported JSON record reads back.

    It checks types instead of trusting them: this reads files and client bodies, and a
    wrong type must become a clear `InvalidInputError`, never an `AttributeError` later on.
    `headline_score` is optional; without it the record's Evidenstest score stands in.
    """
    record = _mapping(data, "indsatsen")
    try:
        tests = tuple(_test(t, n) for n, t in enumerate(_list(record, "tests")))
        headline = record.get("headline_score")
        return Initiative(
            id=_str(record, "id"),
            municipality=_str(record, "municipality"),
            title=_str(record, "title"),
            target_groups=tuple(
                _text(g, f"target_groups[{n}]")
                for n, g in enumerate(_list(record, "target_groups"))
            ),
            sections=tuple(
                Section(name=_str(s, "name"), text=_str(s, "text", ""))
                for s in (
                    _mapping(x, f"sections[{n}]") for n, x in enumerate(_list(record, "sections"))
                )
            ),
            tests=tests,
            source=_str(record, "source", ""),
            headline_score=None if headline is None else _number(headline, "headline_score"),
        )
    except ValueError as exc:  # an unknown answer level
        raise InvalidInputError(f"ugyldig indsats: {exc}") from None


def _test(data: Any, n: int) -> Test:
    test = _mapping(data, f"tests[{n}]")
    answers = []
    for m, raw in enumerate(_list(test, "answers")):
        answer = _mapping(raw, f"tests[{n}].answers[{m}]")
        inferred = answer.get("level_inferred", False)
        if not isinstance(inferred, bool):
            raise InvalidInputError(f"tests[{n}].answers[{m}].level_inferred skal være true/false")
        answers.append(
            Answer(
                level=Level(_str(answer, "level")),
                text=_str(answer, "text"),
                practice_id=_str(answer, "practice_id", ""),
                level_inferred=inferred,
            )
        )
    return Test(
        label=_str(test, "label"),
        name=_str(test, "name"),
        score=_number(test.get("score"), f"tests[{n}].score"),
        answers=tuple(answers),
    )


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInputError(f"{where} skal være et JSON-objekt, ikke {type(value).__name__}")
    return value


def _list(record: dict[str, Any], key: str) -> list[Any]:
    value = record.get(key, [])
    if not isinstance(value, list):
        raise InvalidInputError(f"{key} skal være en liste, ikke {type(value).__name__}")
    return value


_MISSING: Any = object()


def _str(record: dict[str, Any], key: str, default: Any = _MISSING) -> str:
    value = record.get(key, default)
    if value is _MISSING:
        raise InvalidInputError(f"feltet {key!r} mangler")
    return _text(value, key)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"{where} skal være tekst, ikke {type(value).__name__}")
    return value


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(f"{where} skal være et tal, ikke {type(value).__name__}")
    return float(value)


def practice_to_dict(practice: Practice, *, with_answers: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": practice.id,
        "text": practice.text,
        "test": practice.test,
        "counts": {level.value: practice.count(level) for level in Level},
    }
    if with_answers:
        out["answers"] = [
            {
                "initiative_id": a.initiative_id,
                "municipality": a.municipality,
                "level": a.level.value,
                "test_score": a.test_score,
                "evidence_score": a.evidence_score,
                "text": a.text,
            }
            for a in practice.answers
        ]
    return out


def error_to_dict(error: LoadError) -> dict[str, str]:
    return {"file": error.file, "message": error.message}


def corpus_to_dict(corpus: Corpus) -> dict[str, Any]:
    return {
        "initiatives": [initiative_to_dict(i) for i in corpus.initiatives],
        "practices": [practice_to_dict(p) for p in corpus.practices],
        "errors": [error_to_dict(e) for e in corpus.errors],
    }
