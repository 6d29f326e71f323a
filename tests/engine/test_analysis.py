"""Reading a query: lexicon and language, typos and inflections, concepts, weights, units."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

import engine.search.lexicon as lexicon_module
from engine.domain.text import DanishAnalyzer
from engine.search.analysis import QueryAnalyzer
from engine.search.fusion import Ranking
from engine.search.lexicon import Lexicon
from engine.search.spelling import Speller
from engine.search.thesaurus import Thesaurus

DANISH = ["kylling", "sygemeldte", "ledige", "med", "og", "jobsøgningskursus", "møder"]
ENGLISH = ["people", "with", "mental", "illness", "supported", "employment", "the"]


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.from_words({"da": DANISH, "en": ENGLISH})


@pytest.fixture(scope="module")
def speller(lexicon: Lexicon) -> Speller:
    corpus = DanishAnalyzer().stems(
        "sygemeldte ledige kontanthjælp jobsøgningskurset arbejdet depression møder"
    )
    return Speller(corpus, ["sygedagpeng"], lambda stem: 1, lexicon)


def _stem(word: str) -> str:
    return DanishAnalyzer(stopwords=()).stem_all([word])[0]


def test_lexicon_knows_words_and_tells_the_language(lexicon: Lexicon) -> None:
    assert lexicon.knows("kylling") and lexicon.knows("kylling", "da")
    assert not lexicon.knows("kylling", "en") and not lexicon.knows("sygemelte")
    assert lexicon.language(["supported", "employment", "for", "people"]) == "en"
    assert lexicon.language(["ledige", "med", "people"]) == "da"
    assert lexicon.language([]) == "da"


def test_lexicon_is_cached_and_a_damaged_cache_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    def forms(lang: str) -> list[str]:
        calls.append(lang)
        return DANISH if lang == "da" else ENGLISH

    monkeypatch.setattr(lexicon_module, "_simplemma_forms", forms)
    first = Lexicon.open(tmp_path)
    assert first.knows("kylling") and calls == ["da", "en"]
    (cached,) = tmp_path.glob("lexicon-*.npz")
    assert Lexicon.open(tmp_path).knows("people") and calls == ["da", "en"]
    cached.write_bytes(b"not a numpy file")
    with caplog.at_level(logging.WARNING):
        assert Lexicon.open(tmp_path).knows("people")
    assert calls == ["da", "en", "da", "en"] and "rebuilding the word lexicon" in caplog.text


def test_lexicon_without_a_writable_cache_still_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(lexicon_module, "_simplemma_forms", lambda lang: DANISH)
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache directory should be")
    with caplog.at_level(logging.WARNING):
        assert Lexicon.open(blocked / "models").knows("ledige")
    assert "could not cache the word lexicon" in caplog.text


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("sygemelte", "sygemeldte"), ("kontanthjaelp", "kontanthjælp"), ("arbjedet", "arbejdet")],
)
def test_typos_meet_the_word_the_pages_use(speller: Speller, typed: str, meant: str) -> None:
    assert speller.correct(typed, _stem(typed)) == _stem(meant)


def test_real_words_short_words_and_known_stems_are_left_alone(speller: Speller) -> None:
    for word in ("kylling", "ledige", "møde", "sygedagpengene"):
        assert speller.correct(word, _stem(word)) == _stem(word)


def test_another_inflection_meets_the_pages_form(speller: Speller) -> None:
    stem = _stem("jobsøgningskursus")
    assert stem != _stem("jobsøgningskurset")
    assert speller.variant(stem) == _stem("jobsøgningskurset")
    assert speller.variant(_stem("ledige")) is None


@pytest.fixture(scope="module")
def analyzer(speller: Speller, lexicon: Lexicon) -> QueryAnalyzer:
    return QueryAnalyzer(DanishAnalyzer(), Thesaurus.load(), speller, lexicon, Ranking())


def test_typed_words_weigh_one_and_concept_words_less(analyzer: QueryAnalyzer) -> None:
    query = analyzer.analyse("sygemelte ledige")
    assert query.language == "da"
    assert query.weights[_stem("sygemeldte")] == 1.0 and query.weights[_stem("ledige")] == 1.0
    assert ("sygemelte", _stem("sygemeldte")) in query.corrections
    added = [w for s, w in query.weights.items() if s not in {_stem("sygemeldte"), _stem("ledige")}]
    assert added and all(w < 1.0 for w in added)
    assert {g.concept for g in query.expansion.groups} and query.dense_text.endswith(")")


def test_english_question_drops_english_stop_words(analyzer: QueryAnalyzer) -> None:
    query = analyzer.analyse("supported employment for people with mental illness")
    assert query.language == "en"
    assert "with" not in query.weights and "for" not in query.weights
    assert any(g.concept == "IPS" for g in query.expansion.groups)
    assert query.dense_text.startswith("supported employment")


def test_units_carry_the_words_of_their_concept(analyzer: QueryAnalyzer) -> None:
    query = analyzer.analyse("xqzv sygemeldte")
    units = {u.stem: u for u in query.units}
    assert units["xqzv"].alternatives == ()
    assert units[_stem("sygemeldte")].alternatives
    assert analyzer.analyse("xqzv sygemeldte") is query  # read once, then cached


def test_field_words_count_the_words_the_employment_field_names(
    analyzer: QueryAnalyzer,
) -> None:
    assert analyzer.analyse("opskrift på frikadeller med kylling").field_words == 0
    asked = analyzer.analyse("sygemeldte på sygedagpenge i virksomhedspraktik")
    assert asked.field_words == 3, [u.stem for u in asked.units]
