"""Passages: one per section paragraph, a title passage, long paragraphs split sensibly."""

from __future__ import annotations

import dataclasses

from engine.domain.models import Corpus, Initiative, Section
from engine.search.passages import (
    MAX_WORDS,
    TITLE_SECTION,
    corpus_passages,
    initiative_passages,
    split_long,
)


def _page(text: str) -> Initiative:
    return Initiative(
        id="x-test",
        municipality="Testrup",
        title="En titel",
        target_groups=("Ledige", "Alle ledige"),
        sections=(Section("Gode råd", text),),
        tests=(),
    )


def test_title_passage_carries_title_and_target_groups() -> None:
    title = initiative_passages(_page("Et afsnit."))[0]
    assert title.kind == "title" and title.section == TITLE_SECTION
    assert "En titel" in title.text and "Alle ledige" in title.text


def test_each_paragraph_is_a_passage_with_title_context() -> None:
    passages = initiative_passages(_page("Første afsnit.\n\nAndet afsnit."))
    body = [p for p in passages if p.kind == "section"]
    assert [p.text for p in body] == ["Første afsnit.", "Andet afsnit."]
    assert all(p.section == "Gode råd" and p.initiative_id == "x-test" for p in body)
    assert body[0].indexed_text == "En titel. Første afsnit."
    assert len({p.id for p in passages}) == len(passages)


def test_lead_in_line_joins_the_list_it_introduces() -> None:
    passages = initiative_passages(_page("Det skal ske gennem:\n\n- møder\n- test"))
    assert [p.text for p in passages if p.kind == "section"] == [
        "Det skal ske gennem:\n- møder\n- test"
    ]


def test_long_paragraph_splits_at_sentence_boundaries() -> None:
    sentence = "Borgeren " + " ".join(["arbejder"] * 18) + " hver dag."
    text = " ".join([sentence] * 8)
    pieces = split_long(text)
    assert len(pieces) > 1
    assert all(len(p.split()) <= MAX_WORDS for p in pieces)
    assert all(p.endswith("dag.") for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_a_single_overlong_sentence_is_still_bounded() -> None:
    text = " ".join(["ord"] * 200)
    assert all(len(p.split()) <= MAX_WORDS for p in split_long(text))


def test_seed_passages_exclude_test_answers(seed_corpus: Corpus) -> None:
    passages = corpus_passages(seed_corpus)
    assert len({p.initiative_id for p in passages}) == len(seed_corpus.initiatives)
    texts = " ".join(p.text for p in passages)
    assert "ordblindeundervisning" in texts
    assert "Mindst 9 ud af 10" not in texts  # answers belong to the practice index
    assert all(len(p.text.split()) <= MAX_WORDS for p in passages if p.kind == "section")
    assert not any(p.text.strip() == "" for p in passages)


def test_passage_record_carries_every_field() -> None:
    """The corpus hash and passages.jsonl are made of `to_dict`: a field left out of it
    could change without the index noticing."""
    passage = initiative_passages(_page("Et afsnit."))[1]
    assert passage.to_dict() == dataclasses.asdict(passage)
