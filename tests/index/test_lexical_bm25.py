"""BM25 over Danish stems: weighted queries, postings and coverage, round trips."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from engine.domain.text import DanishAnalyzer
from index.lexical_bm25 import LexicalIndex

TEXTS = [
    "Jobsøgningskurset JobNu er en god start for nyledige.",
    "Vi styrker ordblindeundervisning og FVU for borgere.",
    "Samtaler med den ledige hver uge om jobsøgning.",
    "Virksomhedspraktik og løntilskud hos private virksomheder.",
    "Kommunen har en af landets laveste ledigheder.",
]


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return LexicalIndex.build(TEXTS, DanishAnalyzer())


def _top(index: LexicalIndex, text: str) -> list[int]:
    weights = dict.fromkeys(index.analyzer.stems(text), 1.0)
    return index.search(weights, 5).rows.tolist()


def test_analyzer_stems_and_drops_danish_stop_words() -> None:
    stems = DanishAnalyzer().stems("Vi har samtaler med de ledige")
    assert "vi" not in stems and "med" not in stems
    assert "samtal" in stems


def test_unrelated_words_snowball_stems_alike_stay_apart() -> None:
    """Unemployed, manager, management and cheap, car: Snowball gives each pair one stem."""
    stems = DanishAnalyzer(stopwords=()).stem_all
    unemployed = stems(["ledig", "ledige", "ledighed"])
    manager = stems(["leder", "ledere", "lederne", "lede"])
    assert len(set(unemployed)) == 1 and len(set(manager)) == 1
    assert unemployed[0] != manager[0] != stems(["ledelsen"])[0] != unemployed[0]
    cheap, car = stems(["billige", "billig"]), stems(["bil", "bilerne"])
    assert cheap[0] == cheap[1] and car == ["bil", "bil"] and cheap[0] != "bil"


def test_hyphenated_word_yields_parts_and_whole() -> None:
    words = DanishAnalyzer().words("Arbejds-markedsbalancen")
    assert {"arbejds", "markedsbalancen", "arbejdsmarkedsbalancen"} <= set(words)


def test_a_query_finds_the_rows_with_its_stems(index: LexicalIndex) -> None:
    assert _top(index, "samtaler om jobsøgning") == [2]
    assert _top(index, "virksomhedspraktik")[0] == 3


def test_typed_words_outweigh_added_words(index: LexicalIndex) -> None:
    weights = {"samtal": 1.0, "løntilskud": 0.5}
    assert index.search(weights, 5).rows.tolist()[:2] == [2, 3]


def test_allowed_rows_restrict_before_ranking(index: LexicalIndex) -> None:
    weights = {"jobsøgning": 1.0, "ordblindeundervisning": 1.0}
    assert set(index.search(weights, 5).rows.tolist()) == {1, 2}
    only = index.search(weights, 5, allowed=np.array([0, 1], dtype=np.int64))
    assert only.rows.tolist() == [1]


def test_query_without_known_words_returns_nothing(index: LexicalIndex) -> None:
    assert _top(index, "og i") == []
    assert _top(index, "xyzzy") == []
    assert len(index.search({}, 5)) == 0


def test_postings_frequency_and_best_contribution_agree(index: LexicalIndex) -> None:
    rows, values = index.postings("jobsøgning")
    assert rows.tolist() == [2] and index.document_frequency("jobsøgning") == 1
    assert index.best_contribution("jobsøgning") == pytest.approx(float(values.max()))
    assert index.scores({"jobsøgning": 1.0})[2] == pytest.approx(float(values.max()))
    assert index.document_frequency("xyzzy") == 0 and index.best_contribution("xyzzy") == 0.0
    assert "jobsøgning" in index and "xyzzy" not in index
    assert "jobsøgning" in index.terms
    for term in index.terms:  # the per-index table agrees with every posting list
        assert index.best_contribution(term) == pytest.approx(float(index.postings(term)[1].max()))


def test_containing_needs_every_stem_of_a_phrase(index: LexicalIndex) -> None:
    assert index.containing(("virksomhedspraktik", "løntilskud")).tolist() == [
        False, False, False, True, False
    ]  # fmt: skip
    assert not index.containing(("virksomhedspraktik", "ordblindeundervisning")).any()
    assert not index.containing(()).any()


def test_save_load_round_trip(index: LexicalIndex, tmp_path: Path) -> None:
    index.save(tmp_path / "lex")
    loaded = LexicalIndex.load(tmp_path / "lex", DanishAnalyzer())
    weights = dict.fromkeys(DanishAnalyzer().stems("ordblinde ledige"), 1.0)
    assert loaded.search(weights, 5).rows.tolist() == index.search(weights, 5).rows.tolist()


def test_weighted_scores_equal_bm25s_per_term_sums(index: LexicalIndex) -> None:
    """The one-pass scorer gives what bm25s' own scorer gives, term by term."""
    bm25 = index._bm25
    vocab = dict(bm25.vocab_dict)
    weights = {"jobsøgning": 1.0, "led": 0.5, "ordblindeundervisning": 0.35, "xyzzy": 1.0}
    want = sum(
        w * np.asarray(bm25.get_scores_from_ids([vocab[t]]), dtype=np.float64)
        for t, w in weights.items()
        if t in vocab
    )
    np.testing.assert_allclose(index.scores(weights), want, rtol=1e-5, atol=1e-6)


def test_plain_bm25_only(tmp_path: Path) -> None:
    import bm25s

    variant = bm25s.BM25(method="bm25+")
    variant.index([["ledig", "job"], ["kursus"]], show_progress=False)
    with pytest.raises(ValueError, match="plain BM25"):
        LexicalIndex(variant, DanishAnalyzer())


@pytest.mark.parametrize("shuffled", [False, True])
def test_scores_of_some_rows_equal_the_full_scores_there(shuffled: bool) -> None:
    import bm25s

    bm25 = bm25s.BM25()
    bm25.index([DanishAnalyzer().stems(t) for t in TEXTS], show_progress=False)
    if shuffled:  # posting lists out of row order are put in order when loaded
        segments = list(itertools.pairwise(bm25.scores["indptr"]))
        for start, end in segments:
            for key in ("indices", "data"):
                bm25.scores[key][start:end] = bm25.scores[key][start:end][::-1].copy()
        assert any(end - start > 1 for start, end in segments)
    index = LexicalIndex(bm25, DanishAnalyzer())
    weights = {"jobsøgning": 1.0, "led": 0.5, "ordblindeundervisning": 0.35, "ukendt": 1.0}
    rows = np.array([1, 2, 4], dtype=np.int64)
    np.testing.assert_allclose(index.scores_of(weights, rows), index.scores(weights)[rows])
    assert len(index.scores_of(weights, np.zeros(0, dtype=np.int64))) == 0


def test_an_index_of_no_texts_answers_nothing() -> None:
    """A practice catalogue without checklist answers indexes no texts (bm25s alone fails
    on that with "max() arg is an empty sequence", which made every recommendation 500)."""
    empty = LexicalIndex.build([], DanishAnalyzer())
    weights = {"samtal": 1.0, "ledig": 0.5}
    assert len(empty) == 0 and "samtal" not in empty and list(empty.terms) == []
    assert empty.scores(weights).shape == (0,)
    assert empty.scores_of(weights, np.zeros(0, dtype=np.int64)).shape == (0,)
    assert len(empty.search(weights, 5).rows) == 0
    assert empty.document_frequency("samtal") == 0 and empty.best_contribution("samtal") == 0
    assert len(empty.postings("samtal")[0]) == 0
    assert empty.containing(["samtal"]).shape == (0,)
