"""The parts of a situation and of a practice a reason may quote."""

from __future__ import annotations

import pytest

from engine.recommend.practice_match import practice_parts, situation_parts, telling
from engine.recommend.reasons import GENERIC

LONG = "Borgerne klager over, at de får en ny rådgiver, hver gang de kommer til samtale"


@pytest.mark.parametrize("text", ["ordblinde ledige", "teammøder med succeshistorier", LONG])
def test_every_part_is_the_consultants_own_words(text: str) -> None:
    parts = situation_parts(text, GENERIC)
    assert parts
    assert all(part in text for part in parts)


def test_a_short_situation_is_quoted_whole() -> None:
    assert situation_parts("ordblinde ledige", GENERIC) == ["ordblinde ledige"]


def test_a_long_one_is_cut_at_its_clauses_and_joined_in_pairs() -> None:
    parts = situation_parts(LONG, GENERIC)
    assert "de får en ny rådgiver" in parts
    assert "Borgerne klager over, at de får en ny rådgiver" in parts  # two, at most 10 words
    assert not any(part.startswith(("at ", "og ")) for part in parts)


@pytest.mark.parametrize(
    "text", ["vi vil gerne have det bedre", "det er svært for mange", "hver gang de kommer"]
)
def test_everyday_words_alone_are_never_quoted(text: str) -> None:
    assert not telling(text, GENERIC)
    assert situation_parts(text, GENERIC) == []


def test_a_window_of_a_long_clause_neither_starts_nor_ends_on_an_everyday_word() -> None:
    text = "After someone is diagnosed with dyslexia we don't offer them anything to read"
    parts = situation_parts(text, GENERIC)
    assert "diagnosed with dyslexia" in parts
    for part in parts:
        assert part in text
        assert not part.endswith((" we don't", " the", " them")), part
        assert not part.startswith(("we ", "the ", "is ")), part


def test_a_practice_is_cut_at_its_clauses() -> None:
    core = (
        "borgere har direkte adgang til deres jobkonsulent via et direkte telefonnummer "
        "og/eller en direkte e-mailadresse"
    )
    parts = practice_parts(core, GENERIC)
    assert "borgere har direkte adgang til deres jobkonsulent" in parts
    assert all(part in core and len(part.split()) >= 2 for part in parts)
