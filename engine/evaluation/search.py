"""Search quality: graded consultant questions -> nDCG@3, MRR and recall@5.

The metrics come from `ir_measures` (the TREC reference implementations), not our own code.
MRR counts the first result graded 2 or 3 ("clearly relevant"): a marginal hit at rank 1 is
not what a consultant asked for. Anything that turns a question into ranked initiative ids
can be measured (a search mode, the plain-BM25 baseline), and the figures can be broken down
by kind of question (colloquial, English, typos, long situations).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ir_measures
from ir_measures import RR, R, nDCG

from engine.shared.errors import InvalidInputError

MEASURES: dict[str, Any] = {"nDCG@3": nDCG @ 3, "MRR": RR(rel=2), "R@5": R @ 5}
# Question text -> initiative ids, best first.
Ranker = Callable[[str], Sequence[str]]


@dataclass(frozen=True, slots=True, kw_only=True)
class JudgedQuery:
    id: str
    text: str
    lang: str
    kind: str
    judgments: dict[str, int]


def load_queries(path: Path, known_ids: Iterable[str] | None = None) -> list[JudgedQuery]:
    """Read judged queries. Judgments of pages outside `known_ids` are dropped (a set may
    grade pages of a corpus it is not run on); a question left with no relevant page is an
    error, since it would silently drag every score down."""
    data = _read(path)
    known = set(known_ids) if known_ids is not None else None
    queries = []
    for raw in data.get("queries", []):
        judgments = {str(k): int(v) for k, v in raw["judgments"].items()}
        if known is not None:
            judgments = {k: v for k, v in judgments.items() if k in known}
        if not any(v > 0 for v in judgments.values()):
            raise InvalidInputError(
                f"{path}: forespørgsel {raw['id']} har ingen relevante sider i korpusset; "
                "ret id'erne eller tilføj siderne."
            )
        queries.append(
            JudgedQuery(
                id=str(raw["id"]),
                text=str(raw["text"]),
                lang=str(raw.get("lang", "da")),
                kind=str(raw.get("kind", "en" if raw.get("lang") == "en" else "da")),
                judgments=judgments,
            )
        )
    return queries


def load_texts(path: Path) -> list[tuple[str, str]]:
    """(id, text) of unjudged questions, such as the off-topic ones."""
    return [(str(q["id"]), str(q["text"])) for q in _read(path).get("queries", [])]


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInputError(f"{path}: kan ikke læse relevansdata ({exc}).") from exc
    if not isinstance(data, dict):
        raise InvalidInputError(f"{path}: forventede et JSON-objekt.")
    return data


def qrels(queries: Sequence[JudgedQuery]) -> list[ir_measures.Qrel]:
    return [
        ir_measures.Qrel(q.id, doc, grade) for q in queries for doc, grade in q.judgments.items()
    ]


def run(rank: Ranker, queries: Sequence[JudgedQuery]) -> list[ir_measures.ScoredDoc]:
    docs = []
    for q in queries:
        ids = list(rank(q.text))
        # Rank-derived scores: ir_measures sorts by score, and ties must not reorder.
        docs += [ir_measures.ScoredDoc(q.id, d, float(len(ids) - n)) for n, d in enumerate(ids)]
    return docs


def evaluate(rank: Ranker, queries: Sequence[JudgedQuery]) -> dict[str, float]:
    """Metric name -> mean over the queries."""
    scores = ir_measures.calc_aggregate(list(MEASURES.values()), qrels(queries), run(rank, queries))
    return {name: float(scores[m]) for name, m in MEASURES.items()}


def by_kind(rank: Ranker, queries: Sequence[JudgedQuery]) -> dict[str, dict[str, float]]:
    """Kind of question -> {"n": count, "nDCG@3": mean}."""
    per: dict[str, float] = {q.id: 0.0 for q in queries}
    for metric in ir_measures.iter_calc([nDCG @ 3], qrels(queries), run(rank, queries)):
        per[metric.query_id] = float(metric.value)
    groups: dict[str, list[float]] = defaultdict(list)
    for q in queries:
        groups[q.kind].append(per[q.id])
    return {
        kind: {"n": len(values), "nDCG@3": sum(values) / len(values)}
        for kind, values in sorted(groups.items())
    }
