"""The employment-field thesaurus: well-formed data and expansion that follows inflection."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from engine.search.thesaurus import Thesaurus, gloss


@pytest.fixture(scope="module")
def thesaurus() -> Thesaurus:
    return Thesaurus.load()


def test_data_file_is_well_formed() -> None:
    data = json.loads(resources.files("engine").joinpath("data/thesaurus.json").read_text())
    concepts = [g["concept"] for g in data["groups"]]
    assert len(concepts) == len(set(concepts))
    for group in data["groups"]:
        assert group["da"] and group["en"], group["concept"]
        assert len(group["da"]) == len(set(group["da"])), group["concept"]
        assert set(group.get("related", [])) <= set(concepts), group["concept"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ordblinde ledige", "ordblindeundervisning"),
        ("dyslexia", "ordblind"),
        ("tilbud til langtidsledige", "længerevarende ledighed"),
        ("long-term unemployed", "langtidsledige"),
        ("wage subsidy", "løntilskud"),
        ("work placement", "virksomhedspraktik"),
        ("job search", "jobsøgning"),
    ],
)
def test_expansion_crosses_wording_and_language(
    thesaurus: Thesaurus, query: str, expected: str
) -> None:
    assert any(expected in g.danish for g in thesaurus.expand(query).groups)


def test_expansion_says_which_query_words_each_concept_covers(thesaurus: Thesaurus) -> None:
    expansion = thesaurus.expand("sygemeldte med stress")
    (stem,) = thesaurus.term_stems("sygemeldte")
    sick = expansion.groups_of(stem)
    assert sick and all(any(stem in thesaurus.term_stems(t) for t in g.danish) for g in sick)
    assert expansion.groups_of("xqzv") == ()


def test_related_concepts_are_named_but_not_matched(thesaurus: Thesaurus) -> None:
    expansion = thesaurus.expand("sygedagpenge")
    matched = {g.concept for g in expansion.groups}
    related = {g.concept for g in expansion.related}
    assert related and not matched & related


def test_unknown_related_concept_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown related"):
        Thesaurus.from_dict({"groups": [{"concept": "x", "da": ["a"], "en": [], "related": ["y"]}]})


def test_unrelated_query_expands_to_nothing(thesaurus: Thesaurus) -> None:
    assert thesaurus.expand("hvad koster en kop kaffe").groups == ()


def test_multiword_terms_need_the_whole_phrase(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps({"groups": [{"concept": "x", "da": ["lang ledighed"], "en": ["long"]}]})
    )
    small = Thesaurus.load(path)
    assert small.expand("lang ledighed i kommunen").groups
    assert not small.expand("ledighed").groups


def test_gloss_gives_english_words_for_the_dense_model(thesaurus: Thesaurus) -> None:
    words = gloss(thesaurus.expand("ordblindeundervisning og FVU"))
    assert "dyslexia" in words


def test_malformed_group_is_rejected() -> None:
    with pytest.raises(ValueError, match="must be lists"):
        Thesaurus.from_dict({"groups": [{"concept": "x", "da": "ord", "en": []}]})
