"""Each trap from FORMAT.md with its own small inline page, and the pages we must reject."""

from __future__ import annotations

import pytest

from engine.domain.models import Level
from engine.domain.parser import parse_bytes, parse_page
from engine.shared.errors import PageFormatError

PAGE = """Odder

3,4
Evidenstest

Virksomhedsrettet forløb for nyledige

 • Ledige
 • §6.1 Dagpengemodtagere
 • Korterevarende ledige

Kommunens beskrivelse af indsatsen

Vi tilbyder et forløb
over to linjer.

Andet afsnit.

Erfaringer og resultater

Krav til organisering

Gode råd

Brug virksomhedskonsulenterne.

Ledelsens anbefaling

Evidenstest

3,4
Evidenstest

Evidenstest vedr. dagpengemodtagere med korterevarende ledighed

 • Ja: Mindst 9 ud af 10 borgere får samtaler hver 2. uge
Se alle svar
 • Delvist: Mindst 7 ud af 10 borgere får en samtale i jobcentret inden for de første 2 uger
 • Nej: Færre end 7 ud af 10 virksomhedsrettede tilbud, tager afsæt i borgernes jobmål.
Se færre svar
2,0
God praksis test

God praksis test vedr. dagpengemodtagere, med korterevarende ledighed

 • Færre end 7 ud af 10 borgere, har tilknyttet en gennemgående jobkonsulent
 • Jobcenteret har ikke faste arbejdsgange, der sikrer at mindst 7 ud af 10 borgere vejledes
Se færre svar
"""


def test_reference_page() -> None:
    page = parse_page(PAGE, "odder.txt")
    assert page.id == "odder-virksomhedsrettet-forloeb-for-nyledige"
    assert page.headline_score == 3.4
    assert page.target_groups == ("Ledige", "§6.1 Dagpengemodtagere", "Korterevarende ledige")
    desc = page.sections[0]
    assert desc.text == "Vi tilbyder et forløb\nover to linjer.\n\nAndet afsnit."
    assert [s.text for s in page.sections[1:3]] == ["", ""]  # empty sections, header to header
    assert page.sections[3].text == "Brug virksomhedskonsulenterne."
    assert page.sections[4].text == ""  # the lone 'Evidenstest' heading is not content
    assert [(t.label, t.score, len(t.answers)) for t in page.tests] == [
        ("Evidenstest", 3.4, 3),
        ("God praksis test", 2.0, 2),
    ]


def test_bullets_without_prefix_take_level_from_wording() -> None:
    page = parse_page(PAGE, "odder.txt")
    answers = page.tests[1].answers
    assert [(a.level, a.level_inferred) for a in answers] == [
        (Level.NEJ, True),
        (Level.NEJ, True),
    ]


def test_prefix_is_stripped_and_level_read() -> None:
    answers = parse_page(PAGE, "p").tests[0].answers
    assert [a.level for a in answers] == [Level.JA, Level.DELVIST, Level.NEJ]
    assert answers[0].text == "Mindst 9 ud af 10 borgere får samtaler hver 2. uge"


def test_crlf_and_tabs_and_bom_parse_like_the_original() -> None:
    odd = "\ufeff" + PAGE.replace(" • ", "\t• ").replace("\n", "\r\n")
    assert parse_page(odd, "p") == parse_page(PAGE, "p")


def test_decimal_comma_and_point() -> None:
    page = parse_page(PAGE.replace("2,0\nGod", "2.0\nGod"), "p")
    assert page.tests[1].score == 2.0


def test_button_noise_never_reaches_content() -> None:
    page = parse_page(PAGE, "p")
    texts = [a.text for _, a in page.answers()] + [s.text for s in page.sections]
    assert not any("Se alle svar" in t or "Se færre svar" in t for t in texts)


def test_trailing_dokumenter_is_dropped() -> None:
    page = parse_page(PAGE + "\nDokumenter", "p")
    assert page.tests[-1].answers[-1].text.endswith("borgere vejledes")


def test_third_test_block() -> None:
    extra = (
        "1,3\nTest vedr. uddannelse\n\nGod praksis test vedr. uddannelse\n\n"
        " • Ja: Mindst 9 ud af 10 borgere bliver screenet for ordblindhed\n"
    )
    page = parse_page(PAGE + extra, "p")
    assert [t.label for t in page.tests][-1] == "Test vedr. uddannelse"
    assert page.scores["Test vedr. uddannelse"] == 1.3


def test_short_beskrivelse_header_is_the_description() -> None:
    page = parse_page(PAGE.replace("Kommunens beskrivelse af indsatsen", "Beskrivelse"), "p")
    assert page.sections[0].name == "Kommunens beskrivelse af indsatsen"
    assert page.sections[0].text.startswith("Vi tilbyder")


def test_wrapped_answer_line_joins_its_bullet() -> None:
    wrapped = PAGE.replace("borgere får samtaler hver 2. uge", "borgere får samtaler\nhver 2. uge")
    answer = parse_page(wrapped, "p").tests[0].answers[0]
    assert answer.text == "Mindst 9 ud af 10 borgere får samtaler hver 2. uge"


def test_id_is_stable_and_independent_of_source() -> None:
    assert parse_page(PAGE, "a.txt").id == parse_page(PAGE, "zzz/999.txt").id


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "filen er tom"),
        (b"   \n\n  ", "filen er tom"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binær fil"),
        (b"Odder\n" + "æøå".encode("latin-1"), "ikke gyldig UTF-8"),
        (b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "HTML-side"),
        (b"<html>\n<head><title>Fejl</title></head>\n</html>", "HTML-side"),
        ("2,2\nEvidenstest\n\nTitel\n\nGode råd\n\nTekst".encode(), "ingen kommune"),
        ("Odder\n\n2,2\nEvidenstest\n\n • Ledige\n\nGode råd\n".encode(), "ingen titel"),
        (b"Odder\n\n2,2\nEvidenstest\n", "ingen titel"),
        (b"Odder\n\nEn titel\n\nbare noget tekst\n", "ingen afsnitsoverskrifter"),
        (PAGE.replace("2,0\nGod", "7,5\nGod").encode(), "uden for skalaen"),
        (
            PAGE.replace(
                " • Nej: Færre end 7 ud af 10 virksomhedsrettede", " • Nogle virk"
            ).encode(),
            "hverken 'Ja:'",
        ),
    ],
)
def test_rejected_pages_name_file_and_reason(data: bytes, reason: str) -> None:
    with pytest.raises(PageFormatError) as err:
        parse_bytes(data, "kommune/side.txt")
    assert err.value.source == "kommune/side.txt"
    assert reason in err.value.reason
    assert str(err.value).startswith("kommune/side.txt: ")


def test_rejection_names_the_line() -> None:
    bad = PAGE.replace(" • Nej: Færre end 7 ud af 10 virksomhedsrettede", " • Nogle virk")
    with pytest.raises(PageFormatError) as err:
        parse_page(bad, "p")
    line = bad.split("\n").index(" • Nogle virk" + " tilbud, tager afsæt i borgernes jobmål.") + 1
    assert err.value.reason.startswith(f"linje {line}:")


def _with_answers(n: int) -> str:
    bullets = "".join(f" • Ja: Mindst 9 ud af 10 borgere får tilbud nummer {k}\n" for k in range(n))
    return PAGE + f"1,0\nTest vedr. uddannelse\n\nMange svar\n\n{bullets}"


def test_a_page_holds_at_most_max_answers() -> None:
    """Every answer is a practice each later load clusters: 8,000 on one page held the
    writers' lock for minutes on every write after it."""
    from engine.domain.models import MAX_ANSWERS_PER_PAGE

    room = MAX_ANSWERS_PER_PAGE - 5  # PAGE has five
    assert len(list(parse_page(_with_answers(room), "p").answers())) == MAX_ANSWERS_PER_PAGE
    text = _with_answers(8000)
    with pytest.raises(PageFormatError) as err:
        parse_page(text, "p")
    assert "8005 svar" in err.value.reason and f"højst {MAX_ANSWERS_PER_PAGE}" in err.value.reason
    first_over = text.split("\n").index(
        f" • Ja: Mindst 9 ud af 10 borgere får tilbud nummer {room}"
    )
    assert err.value.reason.startswith(f"linje {first_over + 1}:")


@pytest.mark.parametrize("title", ["😀😀😀", "!!! ???", "Ελληνικά", "😃😃😃"])
def test_a_title_without_latin_letters_gets_its_own_id(title: str) -> None:
    item = parse_page(PAGE.replace("Virksomhedsrettet forløb for nyledige", title), "p")
    others = {"😀😀😀", "!!! ???", "Ελληνικά", "😃😃😃"} - {title}
    other_ids = {parse_page(PAGE.replace("Virksomhedsrettet forløb for nyledige", t), "p").id
                 for t in others}  # fmt: skip
    assert item.id.startswith("odder-") and len(item.id) > len("odder-x")
    assert not item.id.endswith("-") and item.id not in other_ids
    assert (
        parse_page(PAGE.replace("Virksomhedsrettet forløb for nyledige", title), "q").id == item.id
    )
