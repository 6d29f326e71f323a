"""The five seed pages, field by field, as a reader of the pages would state them."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.domain.models import Initiative, Level
from engine.domain.parser import parse_bytes

DESC, RES, ORG, ADV, MGMT = (
    "Kommunens beskrivelse af indsatsen",
    "Erfaringer og resultater",
    "Krav til organisering",
    "Gode råd",
    "Ledelsens anbefaling",
)

# file stem prefix -> (municipality, title, target groups, {label: (score, J, D, N)},
#                      sections that are empty, a phrase from the results section)
EXPECTED = {
    "000": (
        "Hedensted",
        "Jobrettet coaching til afklaring af jobmuligheder",
        ("Ledige", "§6.1 Dagpengemodtagere", "Længerevarende ledige", "Alle målgrupper"),
        {"Evidenstest": (2.2, 2, 2, 3), "God praksis test": (3.0, 11, 2, 3)},
        {ORG, MGMT},
        "godt 70 % af deltagerne",
    ),
    "001": (
        "Skanderborg",
        "Vi giver den ledige ejerskab over indsatsen – den jobrettede samtale",
        ("Ledige", "§6.1 Dagpengemodtagere", "Alle ledige", "Alle målgrupper"),
        {"Evidenstest": (0.6, 1, 0, 7), "God praksis test": (1.7, 7, 2, 7)},
        {MGMT},
        "reelt får ejerskab",
    ),
    "002": (
        "Hedensted",
        "Hedensted modellen",
        ("Ledige", "§6.1 Dagpengemodtagere", "Korterevarende ledige", "Alle målgrupper"),
        {"Evidenstest": (2.5, 1, 2, 1), "God praksis test": (3.9, 11, 1, 2)},
        {ORG, ADV, MGMT},
        "en af landets laveste ledigheder",
    ),
    "003": (
        "Brønderslev",
        "Ekstern personlig jobformidler som intensiv indsats",
        ("Ledige", "§6.1 Dagpengemodtagere", "Længerevarende ledige", "Alle målgrupper"),
        {"Evidenstest": (4.1, 5, 1, 1), "God praksis test": (3.8, 14, 0, 2)},
        {MGMT},
        "ca. 40 % af de langtidsledige afmeldes til job",
    ),
    "004": (
        "Skanderborg",
        "Vejen frem – vi styrker dine læse-, skrive- og regnefærdigheder sammen",
        ("Ledige", "§6.1 Dagpengemodtagere", "Alle ledige", "Alle målgrupper"),
        {
            "Evidenstest": (0.6, 1, 0, 7),
            "God praksis test": (1.7, 7, 2, 7),
            "Test vedr. uddannelse": (1.3, 1, 1, 4),
        },
        {MGMT},
        "positiv respons fra borgene",
    ),
}


def _page(seeds_dir: Path, prefix: str) -> Initiative:
    (path,) = seeds_dir.glob(f"{prefix}_*.txt")
    return parse_bytes(path.read_bytes(), path.name)


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_page_fields(seeds_dir: Path, prefix: str) -> None:
    municipality, title, groups, tests, empty, result_phrase = EXPECTED[prefix]
    page = _page(seeds_dir, prefix)
    assert page.municipality == municipality
    assert page.title == title
    assert page.target_groups == groups
    assert page.headline_score == tests["Evidenstest"][0]
    assert [s.name for s in page.sections] == [DESC, RES, ORG, ADV, MGMT]
    assert {s.name for s in page.sections if not s.text} == empty
    results = page.section(RES)
    assert results is not None and result_phrase in results.text
    assert [t.label for t in page.tests] == list(tests)
    for test in page.tests:
        score, ja, delvist, nej = tests[test.label]
        assert test.score == score
        levels = [a.level for a in test.answers]
        assert (levels.count(Level.JA), levels.count(Level.DELVIST), levels.count(Level.NEJ)) == (
            ja,
            delvist,
            nej,
        ), test.label
        assert test.name.startswith(("Evidenstest vedr.", "God praksis test vedr."))
    for section in page.sections:
        assert "Se alle svar" not in section.text and "Evidenstest" not in section.text


def test_section_text_keeps_paragraphs_and_lists(seeds_dir: Path) -> None:
    coaching = _page(seeds_dir, "000")
    desc = coaching.section(DESC)
    assert desc is not None
    assert desc.text.startswith("Coaching kræver, at borger er aktivt deltager.")
    assert "- Borger skal have lyst til at udvikle sig" in desc.text
    assert desc.text.endswith("ansat ved Jobcenter Hedensted.")
    reading = _page(seeds_dir, "004")
    advice = reading.section(ADV)
    assert advice is not None and "• Vær åben i samarbejdet" in advice.text


def test_bullet_without_prefix_gets_level_from_quantifier(seeds_dir: Path) -> None:
    page = _page(seeds_dir, "000")
    (answer,) = [a for _, a in page.answers() if a.level_inferred]
    assert answer.level is Level.NEJ
    assert answer.text.startswith("Færre end 7 ud af 10 borgere i løntilskud")


def test_brønderslev_page_with_bare_beskrivelse_header(seeds_dir: Path) -> None:
    page = _page(seeds_dir, "003")
    desc = page.section(DESC)
    assert desc is not None and "70 ugers ledighed" in desc.text
    assert page.id == "broenderslev-ekstern-personlig-jobformidler-som-intensiv-indsats"
