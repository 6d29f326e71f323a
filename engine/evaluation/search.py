"""Search quality: graded consultant questions -> nDCG@3, MRR and recall@5 per mode.

The metrics come from `ir_measures` (the TREC reference implementations), not our own code.
MRR counts the first result graded 2 or 3 ("clearly relevant"): a marginal hit at rank 1 is
not what a consultant asked for.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import ir_measures
from ir_measures import RR, R, nDCG

from engine.errors import InvalidInputError
from engine.search.query import MODES, SearchQuery
from engine.search.results import SearchResponse

MEASURES: dict[str, Any] = {"nDCG@3": nDCG @ 3, "MRR": RR(rel=2), "R@5": R @ 5}


class Searches(Protocol):
    def search(self, query: SearchQuery) -> SearchResponse: ...


@dataclass(frozen=True, slots=True)
class JudgedQuery:
    id: str
    text: str
    lang: str
    split: str
    judgments: dict[str, int]


def load_queries(path: Path, known_ids: Iterable[str] | None = None) -> list[JudgedQuery]:
    """Read the judged queries; a judgment naming an unknown initiative is an error, since it
    would silently drag every score down."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInputError(f"{path}: kan ikke læse relevansdata ({exc}).") from exc
    known = set(known_ids) if known_ids is not None else None
    queries = []
    for raw in data["queries"]:
        judgments = {str(k): int(v) for k, v in raw["judgments"].items()}
        if known is not None and (unknown := set(judgments) - known):
            raise InvalidInputError(
                f"{path}: forespørgsel {raw['id']} bedømmer ukendte indsatser "
                f"{sorted(unknown)}; ret id'erne eller tilføj siderne."
            )
        if not any(v > 0 for v in judgments.values()):
            raise InvalidInputError(f"{path}: forespørgsel {raw['id']} har ingen relevante svar.")
        queries.append(
            JudgedQuery(
                str(raw["id"]),
                str(raw["text"]),
                str(raw.get("lang", "da")),
                str(raw.get("split", "dev")),
                judgments,
            )
        )
    return queries


def run_queries(
    searcher: Searches, queries: Sequence[JudgedQuery], mode: str, k: int = 10
) -> list[ir_measures.ScoredDoc]:
    run = []
    for q in queries:
        response = searcher.search(SearchQuery(q.text, k=k, mode=mode))
        for rank, result in enumerate(response.results):
            # Rank-derived scores: ir_measures sorts by score, and ties must not reorder.
            run.append(ir_measures.ScoredDoc(q.id, result.id, float(len(response.results) - rank)))
    return run


def qrels(queries: Sequence[JudgedQuery]) -> list[ir_measures.Qrel]:
    return [
        ir_measures.Qrel(q.id, doc, grade) for q in queries for doc, grade in q.judgments.items()
    ]


def evaluate(
    searcher: Searches, queries: Sequence[JudgedQuery], modes: Sequence[str] = MODES
) -> dict[str, dict[str, float]]:
    """Mode -> metric name -> mean over the queries."""
    judged = qrels(queries)
    out: dict[str, dict[str, float]] = {}
    for mode in modes:
        scores = ir_measures.calc_aggregate(
            list(MEASURES.values()), judged, run_queries(searcher, queries, mode)
        )
        out[mode] = {name: float(scores[m]) for name, m in MEASURES.items()}
    return out
