"""Practice recommendation quality: judged situations -> hit@5 and nDCG@5 (ir_measures).

A situations file (`tests/relevance/practices.json`) holds situations a consultant might
describe, each with the practices a consultant would expect (2 = answers the situation,
1 = also relevant). Hit@5 is the share of situations with at least one expected practice
among the first five.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import ir_measures
from ir_measures import Success, nDCG

from engine.errors import InvalidInputError
from engine.recommend import Recommendation, RecommendRequest

MEASURES: dict[str, Any] = {"hit@5": Success @ 5, "nDCG@5": nDCG @ 5}


class Recommends(Protocol):
    def recommend(self, request: RecommendRequest) -> Recommendation: ...


@dataclass(frozen=True, slots=True)
class Situation:
    id: str
    text: str
    judgments: dict[str, int]


def load_situations(path: Path, known_ids: Iterable[str]) -> list[Situation]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInputError(f"{path}: kan ikke læse relevansdata ({exc}).") from exc
    known = set(known_ids)
    out = []
    for raw in data["situations"]:
        judgments = {str(k): int(v) for k, v in raw["judgments"].items()}
        if unknown := set(judgments) - known:
            raise InvalidInputError(
                f"{path}: situation {raw['id']} bedømmer ukendte praksisser {sorted(unknown)}."
            )
        out.append(Situation(str(raw["id"]), str(raw["text"]), judgments))
    return out


def run(recommender: Recommends, situations: Sequence[Situation]) -> list[ir_measures.ScoredDoc]:
    docs = []
    for s in situations:
        # The ranking's quality, recommended or set apart (engine/eligibility.py decides that).
        practices = recommender.recommend(RecommendRequest(s.text, k=10)).ranked
        for rank, p in enumerate(practices):
            docs.append(ir_measures.ScoredDoc(s.id, p.id, float(len(practices) - rank)))
    return docs


def evaluate_practices(
    recommender: Recommends, situations: Sequence[Situation]
) -> dict[str, float]:
    qrels = [ir_measures.Qrel(s.id, d, g) for s in situations for d, g in s.judgments.items()]
    scores = ir_measures.calc_aggregate(
        list(MEASURES.values()), qrels, run(recommender, situations)
    )
    return {name: float(scores[m]) for name, m in MEASURES.items()}
