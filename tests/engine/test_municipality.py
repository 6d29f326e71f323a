"""One rule for "the same municipality": the filter, the facet counts and the jobcentre's own
answers in a recommendation all read a name the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.domain.corpus import load_corpus
from engine.domain.models import Initiative
from engine.search.facets import facets
from engine.search.query import InitiativeFilter, same_municipality

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.mark.parametrize(
    ("one", "other"),
    [("Brønderslev", "brønderslev"), ("Brønderslev", "BRØNDERSLEV"), ("Ny  By", " ny by ")],
)
def test_case_and_spacing_do_not_tell_two_names_apart(one: str, other: str) -> None:
    assert same_municipality(one, other) and same_municipality(other, one)


@pytest.mark.parametrize(
    ("one", "other"),
    [("Brønderslev", "Bronderslev"), ("Hedensted", "Hedensted Kommune"), ("Ny By", "NyBy")],
)
def test_another_spelling_is_another_municipality(one: str, other: str) -> None:
    # Reading "Hedensted Kommune" as "Hedensted" is the lenient reading of a typed value
    # (`resolve_filter`), done once at the door; past it names compare by this rule alone.
    assert not same_municipality(one, other)


def test_the_filter_and_the_counts_agree_on_a_name() -> None:
    pages: tuple[Initiative, ...] = load_corpus([SEEDS]).initiatives
    for name in {i.municipality for i in pages}:
        typed = f"  {name.upper()} "
        filtered = [i for i in pages if InitiativeFilter(municipality=typed).accepts(i)]
        assert filtered and all(same_municipality(i.municipality, name) for i in filtered)
        counted = {f.value: f.count for f in facets(pages, InitiativeFilter()).municipalities}
        assert counted[name] == len(filtered)
