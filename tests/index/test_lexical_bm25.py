"""BM25 over Danish stems, with compounds bridged on the query side."""

from __future__ import annotations

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


def _top(index: LexicalIndex, query: str, compounds: bool = True) -> list[int]:
    return index.search(index.analyse(query, compounds=compounds), 5).rows.tolist()


def test_analyzer_stems_and_drops_danish_stop_words() -> None:
    stems = DanishAnalyzer().stems("Vi har samtaler med de ledige")
    assert "vi" not in stems and "med" not in stems
    assert "samtal" in stems


def test_hyphenated_word_yields_parts_and_whole() -> None:
    words = DanishAnalyzer().words("Arbejds-markedsbalancen")
    assert {"arbejds", "markedsbalancen", "arbejdsmarkedsbalancen"} <= set(words)


def test_compound_query_meets_its_parts(index: LexicalIndex) -> None:
    # "jobsøgningskursus" shares no stem with either page, only compound parts:
    # "jobsøgning" (page 2) and "jobsøgningskurs(et)" (page 0).
    assert _top(index, "jobsøgningskursus", compounds=False) == []
    assert set(_top(index, "jobsøgningskursus")) == {0, 2}


def test_compound_page_word_meets_simple_query(index: LexicalIndex) -> None:
    assert 0 in _top(index, "jobsøgning")
    assert _top(index, "jobsøgning", compounds=False) == [2]


def test_simple_query_meets_compounds_that_contain_it(index: LexicalIndex) -> None:
    assert _top(index, "ordblinde", compounds=False) == []
    assert _top(index, "ordblinde") == [1]
    assert _top(index, "praktik")[0] == 3


def test_unknown_word_meets_the_words_it_begins(index: LexicalIndex) -> None:
    assert _top(index, "lav")[0] == 4


def test_typed_words_outweigh_expansions(index: LexicalIndex) -> None:
    query = index.analyse("samtaler", expansions=["løntilskud"])
    hits = index.search(query, 5, expansion_weight=0.5)
    assert hits.rows.tolist()[:2] == [2, 3]


def test_allowed_rows_restrict_before_ranking(index: LexicalIndex) -> None:
    query = index.analyse("jobsøgning")
    assert set(index.search(query, 5).rows.tolist()) == {0, 2}
    only = index.search(query, 5, allowed=np.array([0, 1], dtype=np.int64))
    assert only.rows.tolist() == [0]


def test_query_without_known_words_returns_nothing(index: LexicalIndex) -> None:
    assert len(index.search(index.analyse("og i"), 5)) == 0
    assert len(index.search(index.analyse("xyzzy"), 5)) == 0


def test_save_load_round_trip(index: LexicalIndex, tmp_path: Path) -> None:
    index.save(tmp_path / "lex")
    loaded = LexicalIndex.load(tmp_path / "lex", DanishAnalyzer())
    query = loaded.analyse("ordblinde ledige")
    assert loaded.search(query, 5).rows.tolist() == index.search(query, 5).rows.tolist()


def test_weighted_scores_equal_bm25s_per_term_sums(index: LexicalIndex) -> None:
    """The one-pass scorer gives what bm25s' own scorer gives, term group by term group."""
    bm25 = index._bm25
    vocab = dict(bm25.vocab_dict)

    def reference(stems: tuple[str, ...]) -> np.ndarray:
        ids = [vocab[s] for s in stems if s in vocab]
        if not ids:
            return np.zeros(len(index), dtype=np.float64)
        return np.asarray(bm25.get_scores_from_ids(ids), dtype=np.float64)

    query = index.analyse("jobsøgningskursus for ledige", expansions=["ordblinde", "praktik"])
    assert query.terms and query.compounds and query.expansions
    for cw, ew in ((0.5, 0.5), (0.3, 0.0), (0.0, 0.8)):
        want = reference(query.terms) + cw * reference(query.compounds)
        want += ew * reference(query.expansions)
        np.testing.assert_allclose(index.scores(query, cw, ew), want, rtol=1e-5, atol=1e-6)


def test_plain_bm25_only(tmp_path: Path) -> None:
    import bm25s

    variant = bm25s.BM25(method="bm25+")
    variant.index([["ledig", "job"], ["kursus"]], show_progress=False)
    with pytest.raises(ValueError, match="plain BM25"):
        LexicalIndex(variant, DanishAnalyzer())
