"""Advice is whole sentences from a page's advice sections, with what it leans on, and only
text that gives advice (not the history of an initiative)."""

from __future__ import annotations

import re

from engine.domain.models import Corpus
from engine.domain.parser import parse_page
from engine.recommend.advice import advice_units, gives_advice, pick_advice, points_back

PAGE = """Testby

1,0
Evidenstest

Rådgivning i Testby

 • Ledige

Kommunens beskrivelse af indsatsen

Vi gør noget.

Gode råd

I dag har Jobcenter Testby to rådgivere, som bruger 20 % af tiden på forløbet.

Vi kan anbefale en fast pris for hvert forløb.

Med en sådan betalingsmodel har leverandøren en grund til at skynde sig.

Her er vores vigtigste råd:
• Brug de stærke fagligheder.
• Vær åben over for udbyderne.

Krav til organisering

Ellers er indsatsen forankret hos konsulenterne, som med en øget opmærksomhed løfter opgaven.

Det er afgørende, at ledelsen sætter tid af.
"""


def test_units_are_whole_advice_with_what_they_lean_on() -> None:
    units = advice_units(parse_page(PAGE, "testby.txt"))
    assert [u.text for u in units] == [
        "Vi kan anbefale en fast pris for hvert forløb. Med en sådan betalingsmodel har "
        "leverandøren en grund til at skynde sig.",
        "Brug de stærke fagligheder.",
        "Vær åben over for udbyderne.",
        "Det er afgørende, at ledelsen sætter tid af.",
    ]
    assert [u.section for u in units] == ["Gode råd"] * 3 + ["Krav til organisering"]


def test_what_counts_as_advice() -> None:
    assert gives_advice("I bør være opmærksomme på samarbejdet.")
    assert gives_advice("Afsøg om aktiviteten kan integreres.")
    assert not gives_advice("I dag har Jobcenter Hedensted to beskæftigelsesrådgivere.")
    assert not gives_advice("Indsatsen løftes med en øget opmærksomhed i dagligdagen.")
    assert points_back("Med en sådan betalingsmodel har leverandøren et incitament.")
    assert points_back("Der understøttes eksempelvis ved at mødes.")
    assert not points_back("Det er afgørende, at der sættes tid af.")


def test_seed_advice_never_starts_mid_thought(seed_corpus: Corpus) -> None:
    for item in seed_corpus.initiatives:
        page_text = " ".join(" ".join(s.text.split()) for s in item.sections)
        for unit in advice_units(item):
            assert not points_back(unit.text), unit.text
            assert re.match(r"[A-ZÆØÅ]", unit.text), unit.text
            for sentence in unit.sentences:
                assert sentence in page_text, sentence
    coaching = next(i for i in seed_corpus.initiatives if i.title.startswith("Jobrettet"))
    assert advice_units(coaching) == []  # its "Gode råd" tell the history, not advice


def test_pick_takes_the_best_passages_and_at_most_two_a_page() -> None:
    item = parse_page(PAGE, "testby.txt")

    class Found:
        def __init__(self, section: str, text: str) -> None:
            self.initiative_id, self.section, self.text = item.id, section, text

    found = [
        (Found("Gode råd", "Med en sådan betalingsmodel har leverandøren en grund"), 0.9),
        (Found("Gode råd", "Her er vores vigtigste råd:\n• Brug de stærke fagligheder."), 0.5),
        (Found("Krav til organisering", "Det er afgørende, at ledelsen sætter tid af."), 0.4),
    ]
    picked = pick_advice(found, {item.id: item}, {"Brug de stærke fagligheder.": 1}, k=5)
    assert [(u.text[:20], s) for _, u, s in picked] == [
        ("Vi kan anbefale en f", 0.9),
        ("Brug de stærke fagli", 0.5),
    ]
