"""What a card shows of a matching passage: whole sentences that stand on their own, lists
kept as lists, and only the question's telling words marked (the fake embedder)."""

from __future__ import annotations

from engine.domain.text import DanishAnalyzer, opens_mid_story
from engine.search.query import SearchQuery
from engine.search.searcher import Searcher
from engine.search.snippets import MAX_CHARS, snippet

STEMS = DanishAnalyzer().stems


def test_a_passage_that_opens_mid_story_takes_the_sentence_before_along() -> None:
    before = "Vi har fået midler til et fælles projekt med Horsens. Projektet varer to år."
    text = "Samtidig kan vi inspirere hinanden på tværs af kommunerne."
    shown = snippet(text, before, {"inspir"}, STEMS)
    assert shown == f"… Projektet varer to år. {text}"
    assert not opens_mid_story(shown.removeprefix("… "))
    alone = "Vi kan inspirere hinanden på tværs af kommunerne."
    assert snippet(alone, before, {"inspir"}, STEMS) == alone  # nothing to lean on


def test_a_bullet_list_stays_a_list() -> None:
    text = (
        "Forudsætningen for at deltage:\n- Borger skal have lyst til at udvikle sig\n"
        "- Borger skal forpligte sig til at deltage."
    )
    assert snippet(text, "", {"udvikl"}, STEMS) == text


def test_a_long_passage_is_cut_to_whole_sentences_around_the_marked_word() -> None:
    filler = [f"Sætning nummer {n} handler om noget helt andet end emnet her." for n in range(20)]
    marked = "Ordblinde ledige får tilbudt et forløb med ordblindeundervisning."
    text = " ".join([*filler[:8], marked, *filler[8:]])
    shown = snippet(text, "", {"ordblind"}, STEMS)
    assert marked in shown
    assert len(shown) <= MAX_CHARS + 4  # the two ellipses
    assert shown.startswith("… ") and shown.endswith(" …")  # text left out on both sides
    body = shown.removeprefix("… ").removesuffix(" …")
    at = text.index(body)  # the page's own text, whole sentences from start to end
    assert body.endswith(".") and text[at - 2 : at] == ". "


def test_the_search_marks_telling_words_only(searcher: Searcher) -> None:
    """Stop words ("ved"), everyday words ("svært", "gerne", "bedre") and words most pages use
    ("borgere", "ledige") are not marked; the words that tell cards apart are."""
    asked = searcher.search(SearchQuery("ordblinde ledige der har svært ved at søge job"))
    assert "ordblind" in asked.highlight_stems
    for plain in ("ved", "svært", "ledig", "der", "har"):
        assert plain not in asked.highlight_stems, plain
    asked = searcher.search(SearchQuery("vi vil gerne følge bedre op på borgere i løntilskud"))
    assert asked.highlight_stems == ("løntilskud",)


def test_every_match_is_shown_from_a_sentence_that_stands_on_its_own(searcher: Searcher) -> None:
    asked = searcher.search(SearchQuery("fælles projekt med to kommuner der inspirerer", k=10))
    shown = [m.snippet for r in asked.results for m in r.matches]
    assert shown
    for text in shown:
        assert not opens_mid_story(text.removeprefix("… ")), text
    assert any("Samtidig er det faktum" in text for text in shown)  # taken along, not cut off
