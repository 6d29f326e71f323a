"""What the evidence says of a fitting practice (engine/recommend/eligibility.py) and the reason's
words (engine/recommend/reasons.py), case by case and on the seeds."""

from __future__ import annotations

import re

import pytest

from engine.domain.evidence import evidence_for
from engine.domain.models import Corpus, Level, Practice, PracticeAnswer
from engine.recommend.eligibility import (
    COMPARED,
    FOLLOWED_BY_ALL,
    FOLLOWERS_SCORE_LOWER,
    NO_FULL_FOLLOWER,
    OUTSIDE_FILTERS,
    RECOMMENDED,
    Follower,
    judge,
)
from engine.recommend.recommender import Recommender, RecommendRequest
from engine.shared.settings import Settings
from tests.engine.test_recommend import _recommender


def practice(*rows: tuple[str, str, Level, float]) -> tuple[Practice, list[Follower]]:
    answers = tuple(
        PracticeAnswer(
            initiative_id=i, municipality=m, level=lv, test_score=s, evidence_score=s, text="tekst"
        )
        for i, m, lv, s in rows
    )
    item = Practice(
        id="p",
        text="Mindst 9 ud af 10 borgere får samtaler",
        test="Evidenstest",
        answers=answers,
        evidence=evidence_for(answers),
    )
    followers = [
        Follower(
            municipality=a.municipality,
            initiative_id=a.initiative_id,
            answer=a.level,
            evidence_score=a.evidence_score,
            title=f"Titel {a.initiative_id}",
        )
        for a in answers
        if a.level is not Level.NEJ
    ]
    return item, followers


def everyone(_: str) -> bool:
    return True


@pytest.mark.parametrize(
    ("rows", "accepts", "status", "support"),
    [
        (
            [("a", "A", Level.DELVIST, 4.0), ("b", "B", Level.NEJ, 1.0)],
            everyone,
            RECOMMENDED,
            NO_FULL_FOLLOWER,
        ),
        (
            [("a", "A", Level.JA, 4.0), ("b", "B", Level.NEJ, 1.0)],
            lambda i: i != "a",
            RECOMMENDED,
            OUTSIDE_FILTERS,
        ),
        (
            [("a", "A", Level.JA, 4.0), ("b", "B", Level.JA, 1.0)],
            everyone,
            RECOMMENDED,
            FOLLOWED_BY_ALL,
        ),
        (
            [("a", "A", Level.JA, 1.0), ("b", "B", Level.NEJ, 4.0)],
            everyone,
            FOLLOWERS_SCORE_LOWER,
            COMPARED,
        ),
        ([("a", "A", Level.JA, 2.0), ("b", "B", Level.NEJ, 2.0)], everyone, RECOMMENDED, COMPARED),
        (
            [("a", "A", Level.JA, 4.0), ("b", "B", Level.DELVIST, 1.0)],
            everyone,
            RECOMMENDED,
            COMPARED,
        ),
    ],
)
def test_the_evidence_case_by_case(rows: list, accepts: object, status: str, support: str) -> None:
    """Only evidence against a practice sets it apart; what the evidence cannot show is
    said beside a recommendation."""
    item, followers = practice(*rows)
    verdict = judge(item, followers, accepts)  # type: ignore[arg-type]
    assert (verdict.status, verdict.support) == (status, support)


def test_a_jobcentre_counts_once() -> None:
    """Two identical low pages from one municipality do not outweigh two jobcentres."""
    item, followers = practice(
        ("a1", "A", Level.JA, 3.0),
        ("a2", "A", Level.JA, 3.0),
        ("b", "B", Level.NEJ, 1.0),
        ("c", "C", Level.NEJ, 4.0),
    )
    verdict = judge(item, followers, everyone)
    assert (verdict.units_full, verdict.units_others) == (1, 2)
    assert verdict.mean_full == 3.0 and verdict.mean_others == 2.5
    assert verdict.status == RECOMMENDED


@pytest.fixture
def seeds(seed_corpus: Corpus, tmp_settings: Settings) -> Recommender:
    return _recommender(seed_corpus, tmp_settings)


SITUATIONS = [
    "vi vil følge bedre op på borgere i løntilskud",
    "mange ledige er ordblinde",
    "jobrettet coaching til langtidsledige",
    "flere samtaler med nyledige tidligt i forløbet",
]


@pytest.mark.parametrize("situation", SITUATIONS)
def test_no_practice_the_evidence_speaks_against_is_recommended(
    seeds: Recommender, seed_corpus: Corpus, situation: str
) -> None:
    result = seeds.recommend(RecommendRequest(situation, k=10))
    scores = {i.id: i.evidence_score for i in seed_corpus.initiatives}
    for item in result.practices:
        assert item.recommended and item.status == RECOMMENDED and not item.status_text
        practice_ = seed_corpus.practice(item.id)
        assert practice_ is not None
        full = [a for a in practice_.answers if a.level is Level.JA]
        rest = [a for a in practice_.answers if a.level is not Level.JA]

        def mean(rows: list[PracticeAnswer]) -> float:
            units = {(a.municipality, scores[a.initiative_id]) for a in rows}
            return sum(score or 0.0 for _, score in units) / len(units)

        if full and rest:
            assert mean(full) >= mean(rest)  # followers do not score lower
        else:
            assert "sammenligne" in item.strength or "ingen tal" in item.strength
        assert item.match > 0 and item.fit.startswith("I skriver")
    for item in result.other_practices:
        assert not item.recommended and item.status_text.startswith("Anbefales ikke:")
        assert item.status == FOLLOWERS_SCORE_LOWER


def test_filters_reach_the_practices(seeds: Recommender) -> None:
    """With "Mindst 2,0" a 0,6 page neither supports a practice nor is listed as following it."""
    situation = "ledige der skal finde job"
    result = seeds.recommend(RecommendRequest(situation, k=10, min_evidence=2.0))
    assert result.ranked
    for item in result.ranked:
        assert all((f.evidence_score or 0) >= 2.0 for f in item.followed_by), item.followed_by
        assert "evidensscore 0,6" not in item.reason
    only = seeds.recommend(RecommendRequest(situation, k=10, municipality="Skanderborg"))
    assert all(f.municipality == "Skanderborg" for p in only.ranked for f in p.followed_by)
    assert all(a.municipality == "Skanderborg" for a in only.advice)
    for item in only.ranked:  # with nobody within the filter to learn from, the reason says so
        if not any(f.answer is Level.JA for f in item.followed_by):
            assert "følger den fuldt endnu" in item.reason, item.reason


@pytest.mark.parametrize("situation", SITUATIONS)
def test_reasons_are_plain_danish(seeds: Recommender, situation: str) -> None:
    jargon = re.compile(r"skrumpet|neutral|jobcenter-svar|\bsider\b|kontrast|units", re.I)
    for item in seeds.recommend(RecommendRequest(situation, k=10)).ranked:
        assert not jargon.search(item.reason), item.reason
        assert item.reason.startswith(item.fit)
        assert item.reason.index(item.fit) < item.reason.index("ølge")  # why, then who
        if item.strength:
            assert item.strength in item.reason
