"""Practice recommendations with the real bundled model: the question from the first round
answered with the contact-person practice and a cited reason."""

from __future__ import annotations

import pytest

from engine.recommend import Recommender, RecommendRequest
from engine.search.searcher import Searcher

pytestmark = pytest.mark.model


def test_follow_up_on_wage_subsidy_recommends_a_contact_person(searcher: Searcher) -> None:
    result = Recommender(searcher).recommend(
        RecommendRequest("vi vil følge bedre op på borgere i løntilskud", k=5)
    )
    assert not result.no_good_match
    contact = next(p for p in result.practices if "fast kontaktperson på virksomheden" in p.text)
    assert contact.reason.startswith("Følges fuldt af Brønderslev (evidensscore 4,1)")
    assert result.initiatives and result.advice
