"""Practice recommendations with the real bundled model: the question from the first round
answered with the contact-person practice and a cited reason."""

from __future__ import annotations

import pytest

from engine.recommend.recommender import Recommender, RecommendRequest
from engine.search.searcher import Searcher

pytestmark = pytest.mark.model


def test_follow_up_on_wage_subsidy_recommends_a_contact_person(searcher: Searcher) -> None:
    result = Recommender(searcher).recommend(
        RecommendRequest("vi vil følge bedre op på borgere i løntilskud", k=5)
    )
    assert not result.no_good_match
    first_three = result.practices[:3]
    contact = next(p for p in first_three if "fast kontaktperson på virksomheden" in p.text)
    assert contact.recommended and "løntilskud" in contact.situation_part  # why, first
    assert contact.fit.startswith(f'I skriver "{contact.situation_part}"')
    assert "(Brønderslev, evidensscore 4,1)" in contact.reason
    assert result.initiatives and result.advice
