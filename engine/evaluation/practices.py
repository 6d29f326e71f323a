"""Recommendation quality on judged situations: what the consultant receives.

A situations file (`tests/relevance/recommend/situations-*.json`, and the older
`practices.json` files) holds situations a consultant might describe, each with the
practices a consultant would accept (2 = answers the situation, 1 = also acceptable). Per
set, over the practices *recommended* (at most five):
- `hit@5`: the share of situations with at least one acceptable practice recommended;
- `precision`: the share of all recommended practices that are acceptable;
- `nothing`: the share of situations with nothing recommended;
- `offtopic_quiet`: the share of off-topic situations with nothing recommended;
- `top_share`: the largest share of situations in which one practice is recommended, and
  `top_share_unasked` the same counting only situations that do not ask for it: a practice
  recommended for every situation says nothing about any.
The baseline is judged the same way: plain BM25 of the situation against the practices'
own words, its first practice recommended (`baseline.PlainBM25.of_practices`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from engine.recommend.recommender import Recommendation, RecommendRequest
from engine.shared.errors import InvalidInputError

K = 5


class Recommends(Protocol):
    def recommend(self, request: RecommendRequest) -> Recommendation: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Situation:
    id: str
    text: str
    judgments: dict[str, int]
    lang: str = "da"


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
        out.append(
            Situation(
                id=str(raw["id"]),
                text=str(raw["text"]),
                judgments=judgments,
                lang=str(raw.get("lang", "da")),
            )
        )
    return out


def recommended(recommender: Recommends) -> Callable[[str], list[str]]:
    """The ids a consultant is recommended for a situation, best first."""
    return lambda text: [p.id for p in recommender.recommend(RecommendRequest(text, k=K)).practices]


def evaluate_practices(
    recommends: Callable[[str], list[str]],
    situations: Sequence[Situation],
    offtopic: Sequence[str] = (),
) -> dict[str, float]:
    """The figures above for one recommender (the engine's, or the baseline's)."""
    given = [recommends(s.text)[:K] for s in situations]
    quiet = [not recommends(text)[:K] for text in offtopic]
    fitting = [
        [i for i in ids if s.judgments.get(i, 0) >= 1]
        for s, ids in zip(situations, given, strict=True)
    ]
    total = sum(len(ids) for ids in given)
    n = max(len(situations), 1)
    counts: Counter[str] = Counter(i for ids in given for i in ids)
    unasked: Counter[str] = Counter(
        i for s, ids in zip(situations, given, strict=True) for i in ids if i not in s.judgments
    )
    out = {
        "hit@5": sum(bool(f) for f in fitting) / n,
        "precision": sum(len(f) for f in fitting) / total if total else 0.0,
        "nothing": sum(not ids for ids in given) / n,
        "top_share": max(counts.values(), default=0) / n,
        "top_share_unasked": max(unasked.values(), default=0) / n,
        "recommended": total / n,
    }
    if offtopic:
        out["offtopic_quiet"] = sum(quiet) / len(quiet)
    return out
