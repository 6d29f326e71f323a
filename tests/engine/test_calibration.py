"""`match` and "no good match": the fit's file, the threshold rule, the coverage signal."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from engine.domain.text import DanishAnalyzer
from engine.evaluation.calibrate import MAX_JUDGED_FLAGGED, threshold
from engine.search.analysis import AnalysedQuery, Unit
from engine.search.calibration import (
    FIELD_WORDS,
    LEXICAL_ONLY,
    Calibration,
    MatchModel,
    question_signals,
)
from engine.search.signals import coverage, lexical_signals
from engine.search.thesaurus import Expansion
from index.lexical_bm25 import LexicalIndex

LEXICAL = {
    "features": ["coverage", "lexical", "relative", "english"],
    "coefficients": [2.0, 1.0, 3.0, 0.5],
    "intercept": -4.0,
    "threshold": 0.3,
}


def test_bundled_calibration_has_the_lexical_fit_and_the_bundled_model() -> None:
    calibration = Calibration.load()
    assert calibration.for_model(None) is calibration.models[LEXICAL_ONLY]
    assert calibration.for_model("an unknown model") is calibration.models[LEXICAL_ONLY]
    assert "cosine" in calibration.for_model("bundled:all-MiniLM-L6-v2").features
    assert "cosine" in calibration.for_model("bundled:multilingual-e5-small").features


def test_a_deployments_own_fit_overlays_the_bundled_one(tmp_path: Path) -> None:
    own = tmp_path / "calibration.json"
    own.write_text(json.dumps({"models": {LEXICAL_ONLY: LEXICAL}}))
    calibration = Calibration.load([own, tmp_path / "missing.json"])
    assert calibration.for_model(None).threshold == 0.3
    assert "bundled:all-MiniLM-L6-v2" in calibration.models


def test_a_lexical_fit_that_needs_the_model_is_refused() -> None:
    needs_model = {**LEXICAL, "features": ["coverage", "cosine", "relative", "english"]}
    with pytest.raises(ValueError, match="without 'cosine'"):
        Calibration.from_dict({"models": {LEXICAL_ONLY: needs_model}})


def test_the_bundled_fits_hold_for_the_default_settings() -> None:
    from engine.embedding.bundled import E5_SMALL
    from engine.search.fusion import Ranking
    from engine.shared.settings import Settings

    ranking = Ranking.from_settings(Settings())
    identity = f"{E5_SMALL}|passage_prefix='passage: '"
    calibration = Calibration.load()
    assert calibration.checked(E5_SMALL, identity, ranking) is calibration.models[E5_SMALL]
    assert calibration.checked(None, identity, ranking) is calibration.models[LEXICAL_ONLY]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"dense_weight": 0.7}, "dense_weight"),
        ({"synonym_weight": 0.5}, "synonym_weight"),
        ({"candidates": 50}, "candidates"),
    ],
)
def test_a_fit_made_under_other_weights_is_refused_with_advice(
    change: dict[str, float], named: str
) -> None:
    from dataclasses import replace

    from engine.search.calibration import fitted_under
    from engine.search.fusion import Ranking
    from engine.shared.errors import CalibrationMismatchError

    fitted = Ranking()
    fit = MatchModel.from_dict(
        {**LEXICAL, "features": [*LEXICAL["features"], "cosine"], "coefficients": [1, 1, 1, 1, 1]}
    )
    lexical = MatchModel.from_dict(LEXICAL)
    calibration = Calibration(
        {
            "m": replace(fit, fitted_under=fitted_under(fitted, "m|p")),
            LEXICAL_ONLY: replace(lexical, fitted_under=fitted_under(fitted, None)),
        }
    )
    assert calibration.checked("m", "m|p", fitted) is calibration.models["m"]
    running = replace(fitted, **change)
    with pytest.raises(CalibrationMismatchError, match="indsats calibrate") as info:
        calibration.checked("m", "m|p", running)
        calibration.checked(None, "m|p", running)
    assert named in info.value.message
    with pytest.raises(CalibrationMismatchError, match="model"):
        calibration.checked("m", "m|other prefix", fitted)


def test_a_fit_without_its_record_is_refused() -> None:
    from engine.search.fusion import Ranking
    from engine.shared.errors import CalibrationMismatchError

    calibration = Calibration({LEXICAL_ONLY: MatchModel.from_dict(LEXICAL)})
    with pytest.raises(CalibrationMismatchError, match="indsats calibrate"):
        calibration.checked(None, "any", Ranking())


def test_question_signals_count_field_words_up_to_the_cap() -> None:
    assert question_signals("da", 0) == {"english": 0.0, "field": 0.0}
    assert question_signals("en", 1)["english"] == 1.0
    assert question_signals("da", 1)["field"] == pytest.approx(1 / FIELD_WORDS)
    assert question_signals("da", FIELD_WORDS + 4)["field"] == 1.0


@pytest.mark.parametrize(
    "change",
    [
        {"coefficients": [1.0]},
        {"features": ["coverage", "lexical", "relative", "colour"]},
        {"threshold": 1.5},
        {"intercept": float("nan")},
    ],
)
def test_a_malformed_fit_is_refused(change: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="invalid match model"):
        MatchModel.from_dict({**LEXICAL, **change})


def test_probability_rises_with_every_signal() -> None:
    model = MatchModel.from_dict(LEXICAL)
    low = {k: np.array([0.0]) for k in model.features}
    high = {k: np.array([1.0]) for k in model.features}
    assert 0.0 < model.probability(low)[0] < model.probability(high)[0] < 1.0


def test_threshold_flags_enough_off_topic_but_few_judged() -> None:
    judged = np.linspace(0.3, 0.9, 40)
    offtopic = np.linspace(0.05, 0.25, 10)
    tau = threshold(judged, offtopic)
    assert (offtopic < tau).mean() >= 0.9 and (judged < tau).mean() <= MAX_JUDGED_FLAGGED
    # When the two overlap, real questions win: the cap on judged questions holds.
    overlapping = threshold(judged, np.linspace(0.5, 0.95, 10))
    assert (judged < overlapping).mean() <= MAX_JUDGED_FLAGGED


PAGES = [
    "Sygemeldte borgere får en tidlig samtale og delvis raskmelding",
    "Ledige dagpengemodtagere i virksomhedspraktik",
    "Mentor til unge",
]


def _query(words: str, alternatives: dict[str, tuple[tuple[str, ...], ...]]) -> AnalysedQuery:
    stems = DanishAnalyzer().stems(words)
    units = tuple(Unit(s, alternatives.get(s, ())) for s in stems)
    return AnalysedQuery(
        text=words,
        language="da",
        weights=dict.fromkeys(stems, 1.0),
        units=units,
        expansion=Expansion(()),
        dense_text=words,
    )


def test_coverage_counts_words_and_their_concepts() -> None:
    pages = LexicalIndex.build(PAGES, DanishAnalyzer())
    both = coverage(pages, _query("sygemeldte raskmelding", {}))
    assert both[0] == pytest.approx(1.0) and both[1] == 0.0 and both[2] == 0.0
    via_concept = coverage(pages, _query("praktik", {"praktik": (("virksomhedspraktik",),)}))
    assert via_concept.tolist() == [0.0, 1.0, 0.0]
    missing = coverage(pages, _query("mentor xqzv", {}))
    assert 0.0 < missing[2] < 0.5  # the unknown word weighs like the rarest word


def test_lexical_share_counts_words_no_page_has() -> None:
    pages = LexicalIndex.build(PAGES, DanishAnalyzer())
    _, known = lexical_signals(pages, _query("mentor unge", {}))
    _, half = lexical_signals(pages, _query("mentor unge xqzv blorp", {}))
    assert known[2] == pytest.approx(1.0)
    assert 0.0 < half[2] < 0.6 * known[2]
