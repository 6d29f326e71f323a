"""The practice catalogue: one id per practice across wordings and pages."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

import pytest

from engine.domain import practices
from engine.domain.corpus import corpus_from_initiatives
from engine.domain.models import Corpus, Initiative, Level
from engine.domain.parser import parse_page
from engine.domain.practices import (
    SIMILARITY_THRESHOLD,
    build_catalogue,
    practice_key,
    similarity,
)


def test_catalogue_size_on_seeds(seed_corpus: Corpus) -> None:
    # Counted by hand from the five pages: the Evidenstest blocks ask about 8 distinct
    # practices, the God praksis blocks about 16, and the one education block about 6.
    by_test = {
        label: sum(1 for p in seed_corpus.practices if p.test == label)
        for label in ("Evidenstest", "God praksis test", "Test vedr. uddannelse")
    }
    assert by_test == {"Evidenstest": 8, "God praksis test": 16, "Test vedr. uddannelse": 6}
    assert len({p.id for p in seed_corpus.practices}) == len(seed_corpus.practices)


def test_every_answer_has_a_known_practice(seed_corpus: Corpus) -> None:
    ids = {p.id for p in seed_corpus.practices}
    answers = [a for i in seed_corpus.initiatives for _, a in i.answers()]
    assert len(answers) == 118
    assert all(a.practice_id in ids for a in answers)
    assert sum(len(p.answers) for p in seed_corpus.practices) == 118


def test_no_page_answers_one_practice_twice(seed_corpus: Corpus) -> None:
    for practice in seed_corpus.practices:
        pages = [a.initiative_id for a in practice.answers]
        assert len(pages) == len(set(pages)), practice.id


def _practice_of(corpus: Corpus, fragment: str) -> str:
    (pid,) = {
        a.practice_id for i in corpus.initiatives for _, a in i.answers() if fragment in a.text
    }
    return pid


@pytest.mark.parametrize(
    "fragment",
    [
        "borgere får samtaler hver 2. uge",  # Ja "Mindst 9" / Nej "Færre end 7"
        "får en fast kontaktperson på virksomheden",  # Nej without a prefix
        "vejledes i at bruge effektive søgemetoder",  # "har faste" / "har ikke faste"
        # typo "Jobcenteret en fast" and line-break hyphen "Virksomheds-overblik"
        "forbereder sig til samtalen ved at bruge Jobbarometer",
        "markedsbalancen til at udsøge virksomheder",  # "Arbejds-markedsbalancen"
        "borgeren om jobsøgning med udgangspunkt i borgerens egne jobmål",  # rephrased Nej
        "15 minutters målrettet forberedelsestid",  # Nej adds "til hver borger"
    ],
)
def test_wordings_of_one_practice_share_an_id(seed_corpus: Corpus, fragment: str) -> None:
    ids = {
        a.practice_id for i in seed_corpus.initiatives for _, a in i.answers() if fragment in a.text
    }
    levels = {
        a.level for i in seed_corpus.initiatives for _, a in i.answers() if fragment in a.text
    }
    assert len(ids) == 1, ids
    assert len(levels) >= 2  # the fragment really spans differently answered wordings


def test_a_practice_reads_as_its_ja_wording(seed_corpus: Corpus) -> None:
    pid = _practice_of(
        seed_corpus, "fast kontaktperson på virksomheden (en ordinært ansat kollega)"
    )
    practice = seed_corpus.practice(pid)
    assert practice is not None
    assert practice.text.startswith("Mindst 9 ud af 10 borgere i løntilskud og virksomhedspraktik")
    assert practice.test == "God praksis test"
    assert {(a.municipality, a.level) for a in practice.answers} == {
        ("Brønderslev", Level.JA),
        ("Hedensted", Level.NEJ),
        ("Skanderborg", Level.NEJ),
    }


def test_practice_without_ja_gets_ja_form_and_joined_hyphens(seed_corpus: Corpus) -> None:
    pid = _practice_of(seed_corpus, "screenet ift. at identificere")
    practice = seed_corpus.practice(pid)
    assert practice is not None
    assert all(a.level is Level.NEJ for a in practice.answers)
    assert practice.text.startswith("Mindst 9 ud af 10 borgere med uddannelses-vanskeligheder")
    assert "læse-, skrive-" in practice.text  # 'læ-se-' was a line-break leftover


def test_threshold_sits_in_the_measured_gap(seed_corpus: Corpus) -> None:
    """Distinct wordings of one practice must clear the threshold; different ones must not."""
    keys = {
        p.id: list(dict.fromkeys(practice_key(a.text) for a in p.answers))
        for p in seed_corpus.practices
    }
    tests = {p.id: p.test for p in seed_corpus.practices}
    same = [similarity(a, b) for ks in keys.values() for a, b in combinations(ks, 2)]
    different = [
        similarity(a, b)
        for p, q in combinations(keys, 2)
        if tests[p] == tests[q]
        for a in keys[p]
        for b in keys[q]
    ]
    assert same, "the seeds contain practices worded in more than one way"
    assert min(same) >= SIMILARITY_THRESHOLD + 0.1
    assert max(different) <= SIMILARITY_THRESHOLD - 0.1


def test_freely_rephrased_answer_joins_by_similarity() -> None:
    def page(municipality: str, bullet: str) -> str:
        return (
            f"{municipality}\n\n2,0\nEvidenstest\n\nEn indsats\n\nGode råd\n\nTekst.\n\n"
            f"2,0\nGod praksis test\n\nGod praksis test vedr. alle\n\n • {bullet}\n"
        )

    a = parse_page(
        page(
            "Odder",
            "Ja: Mindst 9 ud af 10 jobkonsulenter deltager i teammøder "
            "hver måned og drøfter succescases",
        ),
        "a",
    )
    b = parse_page(
        page(
            "Vejle",
            "Nej: Færre end 7 ud af 10 jobkonsulenter deltager i "
            "månedlige teammøder, hvor de drøfter succescases og ledighedstal",
        ),
        "b",
    )
    c = parse_page(
        page("Aarhus", "Nej: Færre end 7 ud af 10 borgere får en fast kontaktperson"), "c"
    )
    key_a, key_b = (
        practice_key(a.tests[0].answers[0].text),
        practice_key(b.tests[0].answers[0].text),
    )
    assert key_a != key_b and similarity(key_a, key_b) >= SIMILARITY_THRESHOLD
    corpus = corpus_from_initiatives([a, b])
    assert len(corpus.practices) == 1
    assert corpus.practices[0].text.startswith("Mindst 9 ud af 10 jobkonsulenter deltager")
    assert len(corpus_from_initiatives([a, c]).practices) == 2


def _copies(corpus: Corpus, n: int) -> list[Initiative]:
    """`n` copies of the seed pages under other municipalities: the same wordings again."""
    return [
        replace(page, id=f"{page.id}-kopi-{k}", municipality=f"Kopi {k}")
        for k in range(n)
        for page in corpus.initiatives
    ]


def test_catalogue_work_grows_with_wordings_not_with_pages(
    seed_corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thousands of pages repeat a checklist's few wordings: comparing them is done once per
    wording, not once per answer (5,000 pages took 21 s, most of it comparing)."""
    calls = []
    real = practices.similarity

    def counted_similarity(a: frozenset[str], b: frozenset[str]) -> float:
        calls.append(1)
        return real(a, b)

    monkeypatch.setattr(practices, "similarity", counted_similarity)
    practice_ids = []
    for n in (2, 12):
        calls.clear()
        _, found = build_catalogue(_copies(seed_corpus, n))
        practice_ids.append([p.id for p in found])
        counted = len(calls)
    assert practice_ids[0] == practice_ids[1]
    calls.clear()
    build_catalogue(_copies(seed_corpus, 2))
    assert counted == len(calls)


def test_a_page_that_has_its_ids_is_kept_as_it_is(seed_corpus: Corpus) -> None:
    pages = _copies(seed_corpus, 3)
    catalogued, found = build_catalogue(pages)
    again, found_again = build_catalogue(list(catalogued))
    assert found_again == found
    assert all(a is b for a, b in zip(again, catalogued, strict=True))


def test_a_joined_word_counts_only_where_a_page_has_it_whole() -> None:
    """'Arbejds-markedsbalancen' is joined when a page writes 'arbejdsmarkedsbalancen'; a
    text with the joined form inside a longer hyphenated word does not count."""

    def page(municipality: str, section: str) -> Initiative:
        text = (
            f"{municipality}\n\n2,0\nEvidenstest\n\nEn indsats\n\nGode råd\n\n{section}\n\n"
            "2,0\nGod praksis test\n\nGod praksis test vedr. alle\n\n"
            " • Ja: Mindst 9 ud af 10 bruger arbejds-markedsbalancen hver uge\n"
        )
        return parse_page(text, municipality)

    joined = build_catalogue([page("Odder", "Vi bruger Arbejdsmarkedsbalancen.")])[1]
    assert "arbejdsmarkedsbalancen" in joined[0].text
    kept = build_catalogue([page("Odder", "Vi bruger ny-arbejdsmarkedsbalancen.")])[1]
    assert "arbejds-markedsbalancen" in kept[0].text
