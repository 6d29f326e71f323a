"""Fit `match` (`engine/search/calibration.py`) on judged and off-topic questions.

Every question's first ten results become examples: a result graded 2 or 3 is a match, any
other result, and every result of an off-topic question, is not. A logistic regression
(scikit-learn) over the page signals gives `match`; the threshold under which the best
result means "no good match" is the lowest that flags 90 % of the off-topic questions, capped
so that it flags at most 2.5 % of the judged ones: consultants asking real questions are
almost never told nothing fits (the set's practice situations count here too: they are real
questions whose pages are not graded). Fit on the tune half only: the unseen half reports
how well it holds.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from durable.files import atomic_write
from engine import embedding
from engine.evaluation.examples import Examples, logistic
from engine.evaluation.practice_calibration import SETS, fit_practices, practice_examples
from engine.evaluation.practices import load_situations
from engine.evaluation.search import JudgedQuery, load_queries, load_texts
from engine.evaluation.sets import load_sets, open_set
from engine.search.calibration import (
    FEATURES,
    LEXICAL_FEATURES,
    LEXICAL_ONLY,
    PRACTICE_FEATURES,
    PRACTICE_LEXICAL_FEATURES,
    Calibration,
    MatchModel,
    fitted_under,
    question_signals,
)
from engine.search.fusion import Ranking
from engine.search.searcher import Searcher
from engine.shared.errors import InvalidInputError
from engine.shared.settings import Settings

TOP = 10
MAX_JUDGED_FLAGGED = 0.025
MIN_OFFTOPIC_FLAGGED = 0.9
Floats = npt.NDArray[np.float64]


def examples(
    searcher: Searcher,
    judged: Sequence[JudgedQuery],
    offtopic: Sequence[str],
    dense: bool,
    situations: Sequence[str] = (),
) -> Examples:
    """Rows for the fit from judged and off-topic questions. Situations (in-scope, but their
    pages are not graded) count only for the threshold: their results are unlabelled."""
    columns: dict[str, list[float]] = {name: [] for name in FEATURES}
    labels: list[int] = []
    question: list[int] = []
    questions: list[tuple[str, dict[str, int] | None]] = [
        *((q.text, q.judgments) for q in judged),
        *((t, {}) for t in offtopic),
        *((t, None) for t in situations),
    ]
    for n, (text, grades) in enumerate(questions):
        analysed = searcher.queries.analyse(text)
        signals = searcher.signals(analysed, dense, None)
        mode = "hybrid" if dense else "lexical"
        score, _, _ = searcher.rank(signals, mode, None, analysed)
        question_level = question_signals(analysed.language, analysed.field_words)
        top = float(score.max()) if score.size else 0.0
        relative = score / top if top > 0 else np.zeros_like(score)
        order = [int(i) for i in np.lexsort((np.arange(len(score)), -score))[:TOP]]
        for i in order:
            columns["coverage"].append(float(signals.coverage[i]))
            columns["lexical"].append(float(signals.lexical_share[i]))
            columns["cosine"].append(float(signals.cosine[i]) if signals.cosine is not None else 0)
            columns["relative"].append(float(relative[i]))
            for name, value in question_level.items():
                columns[name].append(value)
            labels.append(-1 if grades is None else int(grades.get(searcher.pages[i].id, 0) >= 2))
            question.append(n)
    return Examples(
        signals={k: np.asarray(v) for k, v in columns.items()},
        labels=np.asarray(labels),
        question=np.asarray(question),
        judged=np.asarray(
            [True] * len(judged) + [False] * len(offtopic) + [True] * len(situations)
        ),
    )


def fit(data: Examples, features: Sequence[str] = FEATURES) -> MatchModel:
    provisional = logistic(data, features)
    best = best_matches(provisional, data)
    return replace(provisional, threshold=threshold(best[data.judged], best[~data.judged]))


def best_matches(model: MatchModel, data: Examples) -> Floats:
    """Each question's highest `match` among its results."""
    match = model.probability(data.signals)
    best = np.zeros(len(data.judged), dtype=np.float64)
    np.maximum.at(best, data.question, match)
    return best


def threshold(judged_best: Floats, offtopic_best: Floats) -> float:
    """The lowest threshold that flags `MIN_OFFTOPIC_FLAGGED` of the off-topic questions, but
    never one that flags more than `MAX_JUDGED_FLAGGED` of the judged: every real question
    wrongly told "nothing fits" costs more than an off-topic one shown a weak answer."""
    judged, offtopic = np.sort(judged_best), np.sort(offtopic_best)
    allowed = int(np.floor(MAX_JUDGED_FLAGGED * len(judged)))
    ceiling = float(judged[allowed]) - 1e-6 if allowed < len(judged) else 1.0
    needed = int(np.ceil(MIN_OFFTOPIC_FLAGGED * len(offtopic)))
    enough = float(offtopic[needed - 1]) + 1e-6 if 0 < needed <= len(offtopic) else ceiling
    return float(min(max(min(enough, ceiling), 1e-6), 1 - 1e-6))


def calibrate(settings: Settings, directory: Path, name: str = "tune") -> Calibration:
    """Fits for the configured model and for lexical search, on set `name` of `directory`,
    then the practices' fits on the situations of the sets named in
    `practice_calibration.SETS` (`engine/evaluation/practice_calibration.py`)."""
    eval_set = load_sets(directory, [name])[0]
    if eval_set.offtopic is None or eval_set.queries is None:
        raise InvalidInputError(
            f"Sættet {name} har ingen spørgsmål og off-topic-spørgsmål at kalibrere på."
        )
    embedder = embedding.load_embedder(settings)
    # The searcher's own fits play no part in the signals; a neutral one stands in for
    # the old fits, which may have been made under other settings.
    ranking = Ranking.from_settings(settings)
    neutral = MatchModel(
        features=LEXICAL_FEATURES,
        coefficients=(0.0,) * len(LEXICAL_FEATURES),
        intercept=0.0,
        threshold=0.5,
        fitted_under=fitted_under(ranking, None),
    )
    searcher = open_set(settings, eval_set, embedder, Calibration({LEXICAL_ONLY: neutral}))
    judged = load_queries(eval_set.queries, [p.id for p in searcher.pages])
    offtopic = [text for _, text in load_texts(eval_set.offtopic)]
    situations = []
    if eval_set.situations is not None:
        known = [p.id for p in searcher.corpus.practices]
        situations = [s.text for s in load_situations(eval_set.situations, known)]
    full = fit(examples(searcher, judged, offtopic, True, situations))
    full = replace(full, fitted_under=fitted_under(searcher.ranking, embedder.identity))
    lexical = fit(examples(searcher, judged, offtopic, False, situations), LEXICAL_FEATURES)
    lexical = replace(lexical, fitted_under=fitted_under(searcher.ranking, None))
    pages = Calibration({embedder.name: full, LEXICAL_ONLY: lexical})
    practices, counts = _practice_fits(settings, directory, embedder, pages)
    about = (
        f"Fitted by `indsats calibrate`: pages on set '{name}' ({len(judged)} judged questions, "
        f"{len(offtopic)} off-topic questions, {len(situations)} situations for the threshold, "
        f"{len(searcher.pages)} pages); practices on {counts}."
    )
    return Calibration(pages.models, about, practices)


def _practice_fits(
    settings: Settings, directory: Path, embedder: embedding.Embedder, pages: Calibration
) -> tuple[dict[str, MatchModel], str]:
    sets = [s for s in load_sets(directory) if s.name in SETS and s.situations is not None]
    if not sets:
        raise InvalidInputError(
            f"{directory} har ingen af sættene {', '.join(SETS)} med situationer at kalibrere "
            "praksisserne på."
        )
    dense: Examples | None = None
    plain: Examples | None = None
    counts = []
    for eval_set in sets:
        assert eval_set.situations is not None
        searcher = open_set(settings, eval_set, embedder, pages)
        known = [p.id for p in searcher.corpus.practices]
        situations = load_situations(eval_set.situations, known)
        offtopic = [t for _, t in load_texts(eval_set.offtopic)] if eval_set.offtopic else []
        counts.append(f"'{eval_set.name}' ({len(situations)} + {len(offtopic)} off-topic)")
        one = practice_examples(searcher, situations, offtopic, True)
        two = practice_examples(searcher, situations, offtopic, False)
        dense, plain = (one, two) if dense is None or plain is None else (dense + one, plain + two)
        ranking = searcher.ranking
    assert dense is not None and plain is not None
    full = replace(
        fit_practices(dense, PRACTICE_FEATURES),
        fitted_under=fitted_under(ranking, embedder.identity),
    )
    lexical = replace(
        fit_practices(plain, PRACTICE_LEXICAL_FEATURES), fitted_under=fitted_under(ranking, None)
    )
    return {embedder.name: full, LEXICAL_ONLY: lexical}, ", ".join(counts)


def save(calibration: Calibration, path: Path) -> None:
    text = json.dumps(calibration.to_dict(), indent=2, ensure_ascii=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text.encode("utf-8"))
