"""The stored form of a page: a JSON record comes back exactly, or is refused by field."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.domain.models import Answer, Corpus, Initiative, Level, Section
from engine.domain.models import Test as Checklist
from engine.domain.parser import SECTION_ORDER, TEST_LABELS, page_id
from engine.domain.records import (
    FORMAT,
    read_record,
    record_bytes,
    record_from_dict,
    snapshot_dict,
)
from engine.shared.errors import PageFormatError

LABELS = sorted(set(TEST_LABELS.values()))
# Lines the text format reads as structure, and white space it would have collapsed: a
# record keeps them all.
TRAPS = ["Gode råd", "Se alle svar", "2,5", "Evidenstest", "Dokumenter", "a  b ", " • Ja: x"]

line = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"), min_size=1)
text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=200) | st.sampled_from(TRAPS)
score = st.floats(0, 5, allow_nan=False)


@st.composite
def records(draw: st.DrawFn) -> Initiative:
    municipality = draw(st.from_regex(r"[A-ZÆØÅ][a-zæøå .'-]{0,30}", fullmatch=True))
    title = draw(line.filter(str.strip))
    tests = draw(
        st.lists(
            st.builds(
                Checklist,
                label=st.sampled_from(LABELS),
                name=line.filter(str.strip),
                score=score,
                answers=st.lists(
                    st.builds(
                        Answer,
                        level=st.sampled_from(list(Level)),
                        text=line.filter(str.strip),
                        practice_id=st.just(""),
                    ),
                    max_size=4,
                ).map(tuple),
            ),
            max_size=3,
        )
    )
    return Initiative(
        id=page_id(municipality, title),
        municipality=municipality,
        title=title,
        target_groups=tuple(draw(st.lists(line.filter(str.strip), max_size=3))),
        sections=tuple(
            draw(st.lists(st.builds(Section, st.sampled_from(SECTION_ORDER), text), max_size=5))
        ),
        tests=tuple(tests),
        headline_score=draw(st.none() | score),
    )


@settings(max_examples=150, deadline=None)
@given(records())
def test_a_record_comes_back_exactly(item: Initiative) -> None:
    back = read_record(record_bytes(item), "side.json")
    assert back == replace(item, source="side.json")


def test_lines_the_text_format_reads_as_structure_are_kept(seed_corpus: Corpus) -> None:
    page = seed_corpus.initiatives[0]
    odd = "Gode råd\n\nSe alle svar\n2,5\nEvidenstest\n\n  to  mellemrum  \nDokumenter"
    item = replace(page, sections=(Section("Gode råd", odd),), source="")
    assert read_record(record_bytes(item), "").sections[0].text == odd


def test_every_seed_is_its_record(seed_corpus: Corpus) -> None:
    for page in seed_corpus.initiatives:
        raw = replace(
            page,
            tests=tuple(
                replace(t, answers=tuple(replace(a, practice_id="") for a in t.answers))
                for t in page.tests
            ),
        )
        assert read_record(record_bytes(raw), page.source) == raw


def test_a_snapshot_line_keeps_practice_ids_and_dates(seed_corpus: Corpus) -> None:
    when = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    page = replace(seed_corpus.initiatives[0], added_at=when, updated_at=when)
    back = record_from_dict(json.loads(json.dumps(snapshot_dict(page))), page.source, snapshot=True)
    assert back == page
    assert all(a.practice_id for _, a in back.answers())


def _raw(seed_corpus: Corpus) -> dict[str, object]:
    data = json.loads(record_bytes(replace(seed_corpus.initiatives[0], tests=())))
    assert isinstance(data, dict) and data["format"] == FORMAT
    return data


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(format=2), "format"),
        (lambda d: d.update(municipality="hedensted"), "municipality"),
        (lambda d: d.update(title="to\nlinjer"), "title"),
        (lambda d: d.update(title="   "), "title"),
        (lambda d: d.update(id="noget-andet"), "id"),
        (lambda d: d.update(headline_score=7), "headline_score"),
        (lambda d: d.update(headline_score=True), "headline_score"),
        (lambda d: d.update(sections=[{"name": "Resultater", "text": ""}]), "sections[0].name"),
        (lambda d: d.update(sections=[{"name": "Gode råd", "text": 3}]), "sections[0].text"),
        (lambda d: d.update(target_groups="Ledige"), "target_groups"),
        (lambda d: d.update(farve="blå"), "farve"),
        (
            lambda d: d.update(
                tests=[{"label": "Evidenstest", "name": "E", "score": 1, "answers": [{}]}]
            ),
            "tests[0].answers[0].level",
        ),
        (
            lambda d: d.update(tests=[{"label": "Quiz", "name": "E", "score": 1, "answers": []}]),
            "tests[0].label",
        ),
    ],
)
def test_a_record_that_breaks_a_rule_is_refused_naming_the_field(
    seed_corpus: Corpus, change: object, field: str
) -> None:
    data = _raw(seed_corpus)
    change(data)  # type: ignore[operator]
    with pytest.raises(PageFormatError) as caught:
        read_record(json.dumps(data, ensure_ascii=False).encode(), "side.json")
    assert f"'{field}'" in caught.value.reason
    assert caught.value.source == "side.json"


@pytest.mark.parametrize("data", [b"{", b"\xff\xfe", b"[]", b"null"])
def test_what_is_not_a_record_is_refused(data: bytes) -> None:
    with pytest.raises(PageFormatError):
        read_record(data, "side.json")


def test_a_text_utf8_cannot_hold_is_refused(seed_corpus: Corpus) -> None:
    page = replace(seed_corpus.initiatives[0], sections=(Section("Gode råd", "x\ud800"),))
    with pytest.raises(PageFormatError):
        record_bytes(page)
