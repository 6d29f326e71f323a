"""Searcher on the seed pages with the fake embedder: filters, pagination, modes, input."""

from __future__ import annotations

import pytest

from engine.domain.models import Corpus
from engine.search.indexing import open_index
from engine.search.query import SearchQuery, serves_target_group
from engine.search.searcher import Searcher
from engine.shared.errors import InvalidInputError
from engine.shared.settings import Settings
from tests.fakes import FakeEmbedder

LAESE = "skanderborg-vejen-frem-vi-styrker-dine-laese-skrive-og-regnefaerdigheder-sammen"
FORMIDLER = "broenderslev-ekstern-personlig-jobformidler-som-intensiv-indsats"
MODELLEN = "hedensted-hedensted-modellen"
COACHING = "hedensted-jobrettet-coaching-til-afklaring-af-jobmuligheder"


def _ids(searcher: Searcher, **kwargs: object) -> list[str]:
    return [r.id for r in searcher.search(SearchQuery(**kwargs)).results]  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_each_mode_finds_the_reading_initiative(searcher: Searcher, mode: str) -> None:
    response = searcher.search(SearchQuery("ordblindeundervisning og FVU", mode=mode))
    assert response.mode == mode
    assert response.results[0].id == LAESE
    assert any("ordblind" in m.text.lower() for m in response.results[0].matches)


def test_matches_are_the_best_passages_of_the_page(searcher: Searcher) -> None:
    result = searcher.search(SearchQuery("betalingsmodel for leverandøren", max_matches=2))
    top = result.results[0]
    assert top.id == FORMIDLER
    assert 1 <= len(top.matches) <= 2
    assert top.matches[0].section == "Gode råd"
    assert [m.score for m in top.matches] == sorted((m.score for m in top.matches), reverse=True)


def test_municipality_filter_applies_before_ranking(
    seed_corpus: Corpus, tmp_settings: Settings
) -> None:
    # With two dense candidates, an unfiltered search fills them with Brønderslev passages.
    # Filtering after ranking would leave the Hedensted pages without a dense score or
    # matches; filtering first ranks only Hedensted passages.
    settings = tmp_settings.model_copy(update={"candidates": 2})
    embedder = FakeEmbedder()
    index, _ = open_index(settings, seed_corpus, embedder)
    searcher = Searcher(seed_corpus, index, embedder, settings)
    text = "ekstern jobformidler betaling"
    assert _ids(searcher, text=text, k=10)[0] == FORMIDLER
    response = searcher.search(SearchQuery(text, k=10, municipality="hedensted"))
    assert response.results and {r.id for r in response.results} <= {COACHING, MODELLEN}
    assert all(r.municipality == "Hedensted" and r.matches for r in response.results)
    analysed = searcher.queries.analyse(text)
    rows = [n for n, p in enumerate(searcher.passages) if p.initiative_id != FORMIDLER]
    import numpy as np

    hits = searcher.dense_hits(analysed, np.asarray(rows, dtype=np.int64))
    assert len(hits) == 2 and set(hits.rows.tolist()) <= set(rows)


def test_target_group_hierarchy_and_case(searcher: Searcher) -> None:
    long_term = set(_ids(searcher, text="ledige", k=10, target_group="LÆNGEREVARENDE ledige"))
    # Own group plus the "Alle ledige" pages, never the short-term page.
    assert FORMIDLER in long_term and LAESE in long_term and MODELLEN not in long_term
    short = set(_ids(searcher, text="ledige", k=10, target_group="korterevarende ledige"))
    assert MODELLEN in short and LAESE in short and FORMIDLER not in short
    assert _ids(searcher, text="ledige", target_group="Kontanthjælpsmodtagere") == []


def test_serves_target_group_directly() -> None:
    from engine.domain.models import Initiative

    page = Initiative(
        id="x",
        municipality="K",
        title="T",
        target_groups=("Ledige", "Alle ledige"),
        sections=(),
        tests=(),
    )
    assert serves_target_group(page, "længerevarende ledige")
    assert serves_target_group(page, " alle  LEDIGE ")
    assert not serves_target_group(page, "Sygedagpengemodtagere")


def test_min_evidence_filter(searcher: Searcher, seed_corpus: Corpus) -> None:
    ids = _ids(searcher, text="ledige samtaler", k=10, min_evidence=2.4)
    expected = {i.id for i in seed_corpus.initiatives if (i.evidence_score or 0) >= 2.4}
    assert set(ids) == expected and FORMIDLER in ids and LAESE not in ids


def test_pagination_slices_one_consistent_ranking(searcher: Searcher) -> None:
    full = searcher.search(SearchQuery("jobsøgning og samtaler med ledige", k=10))
    assert full.total == len(full.results) == 5
    pages = [
        searcher.search(SearchQuery("jobsøgning og samtaler med ledige", k=2, offset=o))
        for o in (0, 2, 4, 6)
    ]
    assert [r.id for p in pages for r in p.results] == [r.id for r in full.results]
    assert all(p.total == full.total for p in pages)
    assert pages[-1].results == ()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (SearchQuery("   "), "tom"),
        (SearchQuery("x", k=0), "k skal"),
        (SearchQuery("x", k=101), "k skal"),
        (SearchQuery("x", offset=-1), "offset"),
        (SearchQuery("x", mode="semantic"), "hybrid, dense, lexical"),
        (SearchQuery("x", min_evidence=7.0), "min_evidence"),
        (SearchQuery("x" * 3000), "højst"),
    ],
)
def test_bad_input_is_rejected_with_advice(
    searcher: Searcher, query: SearchQuery, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        searcher.search(query)


def test_json_shape(searcher: Searcher) -> None:
    from api.models import SearchResponse as SearchAnswer
    from api.models import to_json

    data = to_json(SearchAnswer.of(searcher.search(SearchQuery("ordblinde ledige", k=2))))
    assert set(data) == {
        "query", "mode", "k", "offset", "total", "no_good_match", "highlight_stems", "items"
    }  # fmt: skip
    result = data["items"][0]
    assert set(result) == {
        "rank", "match", "id", "municipality", "title", "target_groups", "scores", "passages"
    }  # fmt: skip
    assert set(result["passages"][0]) == {"section", "text", "snippet"}
    assert result["scores"]["evidence"] == pytest.approx(0.6)


def test_results_carry_match_and_an_honest_no_good_match(searcher: Searcher) -> None:
    real = searcher.search(SearchQuery("ordblinde ledige", k=5))
    assert not real.no_good_match
    assert all(0.0 <= r.match <= 1.0 for r in real.results)
    assert real.results[0].match == max(r.match for r in real.results)
    nonsense = searcher.search(SearchQuery("xqzv blorp", k=5))
    assert nonsense.no_good_match
    assert all(r.match < real.results[0].match for r in nonsense.results)


def test_the_title_passage_is_never_shown_as_a_match(searcher: Searcher) -> None:
    from engine.search.passages import TITLE_SECTION

    for text in ("Hedensted modellen", "jobrettet coaching", "ordblinde"):
        for result in searcher.search(SearchQuery(text, k=5)).results:
            assert all(m.section != TITLE_SECTION for m in result.matches)


def test_dense_text_is_the_query_with_a_short_english_gloss(searcher: Searcher) -> None:
    from engine.search.analysis import GLOSS_LIMIT

    analysed = searcher.queries.analyse("ordblinde langtidsledige")
    english = list(dict.fromkeys(t for g in analysed.expansion.groups for t in g.english[:2]))
    assert len(english) > GLOSS_LIMIT
    assert analysed.dense_text == f"ordblinde langtidsledige ({', '.join(english[:GLOSS_LIMIT])})"
    assert searcher.queries.analyse("xqzv").dense_text == "xqzv"


def test_another_model_with_e5_prefixes_works_by_configuration(
    seed_corpus: Corpus, tmp_settings: Settings
) -> None:
    """A multilingual model is a setting: its prefixes reach the model, and without its own
    calibration `match` comes from the lexical fit (README, "Relevance")."""
    embedder = FakeEmbedder(
        name="intfloat/multilingual-e5-small", query_prefix="query: ", passage_prefix="passage: "
    )
    index, _ = open_index(tmp_settings, seed_corpus, embedder)
    searcher = Searcher(seed_corpus, index, embedder, tmp_settings)
    response = searcher.search(SearchQuery("ordblinde ledige", k=3))
    assert response.results[0].id == LAESE and not response.no_good_match
    assert any(t.startswith("passage: ") for t in embedder.texts_seen)
    assert any(t.startswith("query: ordblinde ledige") for t in embedder.texts_seen)
    assert searcher.calibration.for_model(embedder.name) is searcher.calibration.for_model(None)


def test_lexical_signals_beside_the_model_call_give_the_same_answer(
    searcher: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large indexes compute the lexical side in another thread; the answer must not change."""
    from engine.search import searcher as module

    queries = ["ordblinde voksne", "virksomhedspraktik for sygemeldte", "xqzv blorp"]
    monkeypatch.setattr(module, "PARALLEL_PAGES", 10**9)
    inline = [searcher.search(SearchQuery(q, k=5)) for q in queries]
    monkeypatch.setattr(module, "PARALLEL_PAGES", 0)
    beside = [searcher.search(SearchQuery(q + " ", k=5)) for q in queries]
    assert [[(r.id, r.score, r.match) for r in a.results] for a in inline] == [
        [(r.id, r.score, r.match) for r in b.results] for b in beside
    ]
    assert [a.no_good_match for a in inline] == [b.no_good_match for b in beside]
    assert any(a.results for a in inline)
