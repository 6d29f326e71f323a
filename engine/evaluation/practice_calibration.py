"""Fit the practices' `match` (`engine/recommend/practice_match.py`) on judged situations.

Every (situation, practice) pair is an example: a practice the judges accept for the
situation (grade 1 or 2) is a fit, any other is not, and every practice of an off-topic
situation is not. A logistic regression (scikit-learn) over the practice signals gives
`match`. The threshold is chosen on what a consultant would receive, at most `K` practices
at or above it, best first: of the thresholds at which at most `MAX_OFFTOPIC_GIVEN` of the
off-topic situations get anything (one outlier, such as "kommunal tandpleje for børn og unge",
whose "unge" is the field's word for young people, must not silence every real situation),
the one with the best harmonic mean of the share of situations given a fitting practice and
the share of what is given that fits (F1: a threshold chasing precision alone ends where
one practice is recommended once, in-sample; one chasing hits recommends everything).
Fitted on the tune halves only (`SETS`): the unseen halves report how well it holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from engine.evaluation.examples import Examples, logistic
from engine.evaluation.practices import K, Situation
from engine.recommend.practice_match import PracticeMatcher
from engine.search.calibration import MatchModel
from engine.search.query import SearchQuery
from engine.search.searcher import Searcher

SETS = ("tune", "recommend-tune")
MAX_OFFTOPIC_GIVEN = 0.03
Floats = npt.NDArray[np.float64]


def practice_examples(
    searcher: Searcher,
    situations: Sequence[Situation],
    offtopic: Sequence[str],
    dense: bool,
) -> Examples:
    """One row per (situation, practice) of the searcher's catalogue."""
    matcher = PracticeMatcher(searcher, searcher.corpus.practices)
    ids = [p.id for p in searcher.corpus.practices]
    texts = [*((s.text, s.judgments) for s in situations), *((t, {}) for t in offtopic)]
    columns: dict[str, list[Floats]] = {}
    labels: list[int] = []
    question: list[int] = []
    for n, (text, grades) in enumerate(texts):
        read = searcher.queries.analyse(text)
        mode = "hybrid" if dense else "lexical"  # the lexical fit must not need the model
        pages = searcher.search(SearchQuery(text, k=searcher.ranking.support_pages, mode=mode))
        for name, values in matcher.signals(read, pages, dense).items():
            columns.setdefault(name, []).append(values)
        labels += [int(grades.get(i, 0) >= 1) for i in ids]
        question += [n] * len(ids)
    return Examples(
        signals={k: np.concatenate(v) for k, v in columns.items()},
        labels=np.asarray(labels),
        question=np.asarray(question),
        judged=np.asarray([True] * len(situations) + [False] * len(offtopic)),
    )


def fit_practices(data: Examples, features: Sequence[str]) -> MatchModel:
    provisional = logistic(data, features)
    return replace(provisional, threshold=practice_threshold(provisional, data))


def practice_threshold(model: MatchModel, data: Examples) -> float:
    match = model.probability(data.signals)
    questions = len(data.judged)
    offtopic_best = np.zeros(questions)
    np.maximum.at(offtopic_best, data.question, np.where(data.judged[data.question], 0, match))
    ranked = np.sort(offtopic_best[~data.judged])[::-1]
    allowed = int(MAX_OFFTOPIC_GIVEN * len(ranked))
    floor = float(ranked[allowed]) + 1e-6 if allowed < len(ranked) else 0.0
    # Each situation's K best (match, label) pairs, best first.
    best: list[list[tuple[float, int]]] = [[] for _ in range(questions)]
    for row in np.argsort(-match, kind="stable"):
        q = int(data.question[row])
        if data.judged[q] and len(best[q]) < K:
            best[q].append((float(match[row]), int(data.labels[row])))
    candidates = sorted({floor, *(m for rows in best for m, _ in rows if m >= floor)})
    judged = max(int(data.judged.sum()), 1)
    chosen, best_value = candidates[-1], -1.0
    for threshold in candidates:
        given = [[label for m, label in rows if m >= threshold] for rows in best]
        flat = [label for labels in given for label in labels]
        precision = sum(flat) / len(flat) if flat else 0.0
        hit = sum(any(labels) for labels in given) / judged
        value = 2 * hit * precision / (hit + precision) if hit + precision else 0.0
        if value > best_value:
            chosen, best_value = threshold, value
    return float(min(chosen, 1 - 1e-6))
