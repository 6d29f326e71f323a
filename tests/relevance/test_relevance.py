"""Relevance with the real bundled model, on the three sets of `sets.json`.

Floors sit a little under what was measured when the defaults were chosen (README,
"Relevance"), so a change that makes ranking worse fails here instead of shipping. The
unseen half's pages and questions were looked at only to report; its floors guard what was
measured there, not a target anyone tuned to.
"""

from __future__ import annotations

import pytest

from engine.evaluation.sets import SetReport
from engine.recommend.recommender import Recommender, RecommendRequest
from engine.search.query import SearchQuery
from engine.search.searcher import Searcher

pytestmark = pytest.mark.model

LAESE = "skanderborg-vejen-frem-vi-styrker-dine-laese-skrive-og-regnefaerdigheder-sammen"
# Measured with multilingual-e5-small: seeds 0.909 / 0.929, tune 0.824 / 0.917, unseen
# 0.756 / 0.878 (all-MiniLM-L6-v2 had 0.889 / 0.909, 0.821 / 0.913, 0.725 / 0.862).
FLOOR = {
    "seeds": {"nDCG@3": 0.88, "MRR": 0.90},
    "tune": {"nDCG@3": 0.80, "MRR": 0.89},
    "unseen": {"nDCG@3": 0.73, "MRR": 0.85},
}
# A fitting practice among the recommended (hit@5) and the share of the recommended that
# fits, measured: tune 0.467 / 0.545, unseen 0.467 / 0.444, recommend-tune 0.344 / 0.48,
# recommend-unseen 0.297 / 0.60 (the seeds' older set 0.70 / 0.735).
PRACTICE_FLOOR = {
    "tune": (0.40, 0.45),
    "unseen": (0.40, 0.40),
    "recommend-tune": (0.28, 0.40),
    "recommend-unseen": (0.25, 0.50),
}


@pytest.mark.parametrize("name", sorted(FLOOR))
def test_hybrid_stays_above_its_floor(reports: dict[str, SetReport], name: str) -> None:
    hybrid = reports[name].search["hybrid"]
    for metric, floor in FLOOR[name].items():
        assert hybrid[metric] >= floor, (name, metric, hybrid)


@pytest.mark.parametrize("name", ["tune", "unseen"])
def test_hybrid_beats_the_plain_bm25_baseline_clearly(
    reports: dict[str, SetReport], name: str
) -> None:
    search = reports[name].search
    assert search["hybrid"]["nDCG@3"] >= search["baseline"]["nDCG@3"] + 0.15, search
    assert search["hybrid"]["MRR"] >= search["baseline"]["MRR"] + 0.15, search
    assert search["hybrid"]["nDCG@3"] > search["dense"]["nDCG@3"], search


def test_english_questions_reach_danish_pages(reports: dict[str, SetReport]) -> None:
    for name in ("tune", "unseen"):
        english = reports[name].kinds["english"]
        assert english["hybrid"] >= english["baseline"] + 0.3, (name, english)


@pytest.mark.parametrize("name", sorted(PRACTICE_FLOOR))
def test_practices_stay_above_their_floor(reports: dict[str, SetReport], name: str) -> None:
    hit, precision = PRACTICE_FLOOR[name]
    practices = reports[name].practices
    assert practices["hit@5"] >= hit and practices["precision"] >= precision, practices


@pytest.mark.parametrize("name", ["unseen", "recommend-unseen"])
def test_recommendations_fit_more_often_than_plain_bm25s(
    reports: dict[str, SetReport], name: str
) -> None:
    """What the consultant receives, against BM25 of the situation over the practices' words,
    its first practice recommended: more of what is given fits, and off-topic situations
    get nothing (measured: recommend-unseen 0.60 against 0.39, quiet 100 % against 79 %)."""
    ours, plain = reports[name].practices, reports[name].practices_baseline
    assert ours["precision"] > plain["precision"] + 0.1, (ours, plain)
    assert ours["offtopic_quiet"] == 1.0 > plain["offtopic_quiet"], (ours, plain)


@pytest.mark.parametrize("name", sorted(PRACTICE_FLOOR))
def test_no_practice_is_recommended_everywhere(reports: dict[str, SetReport], name: str) -> None:
    """No practice in more than a third of a varied set of situations (measured at most 0.13
    of a set's situations; 0.23 on the seeds' older set, whose situations ask for a few
    practices often)."""
    assert reports[name].practices["top_share"] <= 1 / 3, reports[name].practices


@pytest.mark.parametrize("name", ["tune", "unseen"])
def test_no_good_match_flags_off_topic_and_spares_real_questions(
    reports: dict[str, SetReport], name: str
) -> None:
    flags = reports[name].flags
    assert flags["offtopic"] >= 20
    assert flags["offtopic_flagged"] >= 0.84, flags  # measured: tune 0.88, unseen 0.92
    assert flags["judged_flagged"] < 0.05, flags  # measured 0.017 and 0.033


def test_ordblinde_ledige_finds_the_reading_initiative_with_its_passage(
    searcher: Searcher,
) -> None:
    response = searcher.search(SearchQuery("ordblinde ledige"))
    top = response.results[0]
    assert top.id == LAESE and not response.no_good_match
    shown = top.matches[0].text.lower()
    assert any(word in shown for word in ("ordblind", "obu", "læse-", "fvu")), shown


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("supported employment for people with mental illness", "ips"),
        ("flygtninge der kombinerer sprogskole med en arbejdsplads", ("igu", "sprogpraktik")),
        ("ledige over 60 hvis dagpenge er opbrugt", "senior"),
    ],
)
def test_the_misses_the_issue_named_are_found(
    searchers: dict[str, Searcher], question: str, expected: str | tuple[str, ...]
) -> None:
    """The examples the relevance issue gave of questions the old ranking missed, over the
    whole catalogue (its pages on these topics, in either half)."""
    ids = [r.id for r in searchers["unseen"].search(SearchQuery(question, k=3)).results]
    wanted = (expected,) if isinstance(expected, str) else expected
    assert any(w in i for i in ids for w in wanted), ids


@pytest.mark.parametrize("text", ["xqzv blorp", "opskrift på æblekage", "reset outlook password"])
def test_off_topic_gets_no_confident_answer(searchers: dict[str, Searcher], text: str) -> None:
    searcher = searchers["unseen"]
    response = searcher.search(SearchQuery(text))
    assert response.no_good_match
    recommendation = Recommender(searcher).recommend(RecommendRequest(text))
    assert recommendation.no_good_match and recommendation.practices == ()
