"""Filter values: the lenient reading, the refusal that names the known values, the counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.domain.corpus import load_corpus
from engine.domain.models import Initiative
from engine.search.facets import facets, fold_municipality, resolve_filter
from engine.search.query import InitiativeFilter
from engine.shared.errors import UnknownValueError

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="module")
def pages() -> tuple[Initiative, ...]:
    return load_corpus([SEEDS]).initiatives


def test_the_name_the_page_shows_reads_as_the_municipality(pages: tuple[Initiative, ...]) -> None:
    for typed in (
        "Brønderslev Kommune",
        "brønderslev  kommune",
        "BRØNDERSLEV",
        "Kommune Brønderslev",
    ):
        assert resolve_filter(pages, InitiativeFilter(municipality=typed)).municipality == (
            "Brønderslev"
        )
    assert fold_municipality("Kommune") == "kommune"  # a lone word is not stripped to nothing


def test_an_unknown_value_is_refused_with_the_known_ones(pages: tuple[Initiative, ...]) -> None:
    with pytest.raises(UnknownValueError) as raised:
        resolve_filter(pages, InitiativeFilter(municipality="Aarhus"))
    assert raised.value.field == "municipality"
    assert "Aarhus" in raised.value.message
    for known in ("Brønderslev", "Hedensted", "Skanderborg"):
        assert known in raised.value.message and known in raised.value.known
    with pytest.raises(UnknownValueError) as raised:
        resolve_filter(pages, InitiativeFilter(target_group="Unge"))
    assert raised.value.field == "target_group" and "Længerevarende ledige" in raised.value.known


def test_a_group_served_through_the_hierarchy_is_known(pages: tuple[Initiative, ...]) -> None:
    # The Skanderborg pages name only "Alle ledige", which serves both duration groups, so
    # each duration group is a value with pages behind it.
    skanderborg = tuple(i for i in pages if i.municipality == "Skanderborg")
    assert not any("Korterevarende ledige" in i.target_groups for i in skanderborg)
    wanted = resolve_filter(skanderborg, InitiativeFilter(target_group="korterevarende ledige"))
    assert wanted.target_group == "Korterevarende ledige"
    counts = {f.value: f.count for f in facets(skanderborg, InitiativeFilter()).target_groups}
    assert counts["Korterevarende ledige"] == counts["Alle ledige"] == len(skanderborg)


def test_facets_count_each_value_under_the_other_filters(pages: tuple[Initiative, ...]) -> None:
    everything = facets(pages, InitiativeFilter())
    assert everything.total == len(pages)
    by_place = {f.value: f.count for f in everything.municipalities}
    assert by_place == {
        m: sum(1 for i in pages if i.municipality == m) for m in {i.municipality for i in pages}
    }
    steps = {s.value: s.count for s in everything.min_evidence}
    assert steps[0.5] == sum(1 for i in pages if (i.evidence_score or 0) >= 0.5)
    assert steps[4.0] == sum(1 for i in pages if (i.evidence_score or 0) >= 4.0)

    hedensted = facets(pages, InitiativeFilter(municipality="Hedensted"))
    # the municipality facet ignores its own filter, the others honour it
    assert {f.value: f.count for f in hedensted.municipalities} == by_place
    assert hedensted.total == by_place["Hedensted"]
    groups = {f.value: f.count for f in hedensted.target_groups}
    assert groups["Længerevarende ledige"] == 1 and groups["Korterevarende ledige"] == 1
    assert groups["Alle ledige"] == 0  # known, but no Hedensted page names it
    assert {s.value: s.count for s in hedensted.min_evidence}[2.5] == 1
