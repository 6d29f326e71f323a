"""Plain-dict views of the corpus records, shared by the CLI's `--json` and the API.

One place decides the JSON shape of an initiative or a practice, so the two front doors
cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from engine.models import Corpus, Initiative, Level, LoadError, Practice


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
