"""Write an `Initiative` back out as a page in the published text format (docs/FORMAT.md).

Pages are stored as records (`engine/domain/records.py`); the text form is for reading a
page as it was published (the plain-BM25 baseline of `indsats eval` indexes it). Names the
parser would not recognise are refused here with the list of accepted ones, and a record
the format cannot carry unchanged is refused, instead of a page that parses into something
else.
"""

from __future__ import annotations

from decimal import Decimal

from engine.domain.models import Initiative
from engine.domain.parser import SECTION_HEADERS, SECTION_ORDER, TEST_LABELS, parse_page
from engine.shared.errors import InvalidInputError


def _known(kind: str, value: str, table: dict[str, str], accepted: list[str]) -> str:
    canonical = table.get(value.strip().lower())
    if canonical is None:
        raise InvalidInputError(
            f"Ukendt {kind} {value[:80]!r}; brug et af: " + ", ".join(accepted) + "."
        )
    return canonical


def _one_line(kind: str, value: str) -> str:
    if "\n" in value.strip() or "\r" in value.strip():
        raise InvalidInputError(f"{kind} skal stå på én linje: {value[:80]!r}")
    return value.strip()


def _score(value: float) -> str:
    """The score exactly, with a Danish comma: 2.25 must not come back as 2.2.

    `format_decimal` rounds to one decimal for display; a stored page is data, so it gets
    the shortest decimal that reads back as the same float, never in exponent form.
    """
    text = format(Decimal(repr(float(value))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    whole, _, frac = text.partition(".")
    return f"{whole},{frac or '0'}"


def render_page(item: Initiative) -> str:
    """The page for `item`; refuses a record the page format cannot carry unchanged.

    The format has no escaping: a section line that reads `Gode råd`, `Se alle svar`, a
    score followed by a test label, or a trailing `Dokumenter` is structure to the parser.
    Rather than store a page that reads back as something else, the rendered page is
    parsed again here and any difference becomes a 422 naming the field.
    """
    text = _render(item)
    problem = _difference(item, parse_page(text, "posten"))
    if problem:
        raise InvalidInputError(
            f"{problem} kan ikke gemmes uændret i sideformatet: en linje som en "
            "afsnitsoverskrift, en testtype, en score, 'Se alle svar' eller 'Dokumenter' "
            "læses som sidens opbygning. Omformulér linjen."
        )
    return text


def _ws(text: str) -> str:
    return " ".join(text.split())


def _lines(text: str) -> list[str]:
    return [line for line in map(_ws, text.split("\n")) if line]


def _difference(item: Initiative, got: Initiative) -> str | None:
    """The first field whose content (white space aside) did not survive, or None."""
    if _ws(got.municipality) != _ws(item.municipality):
        return "Kommunen"
    if _ws(got.title) != _ws(item.title):
        return "Titlen"
    if [_ws(g) for g in got.target_groups] != [_ws(g) for g in item.target_groups]:
        return "Målgrupperne"
    if [s.name for s in got.sections] != [
        SECTION_HEADERS[s.name.strip().lower()] for s in item.sections
    ]:
        return "Afsnittene"
    for want_section, got_section in zip(item.sections, got.sections, strict=True):
        if _lines(want_section.text) != _lines(got_section.text):
            return f"Afsnittet '{got_section.name}'"
    if len(got.tests) != len(item.tests):
        return "Testene"
    for n, (want_test, got_test) in enumerate(zip(item.tests, got.tests, strict=True), 1):
        same = (
            _ws(got_test.name) == _ws(want_test.name)
            and got_test.score == want_test.score
            and [(a.level, _ws(a.text)) for a in got_test.answers]
            == [(a.level, _ws(a.text)) for a in want_test.answers]
        )
        if not same:
            return f"Test nr. {n} ('{want_test.name[:60]}')"
    headline = item.headline_score if item.headline_score is not None else item.evidence_score
    if got.headline_score != headline:
        return "Overskriftens score"
    return None


def _render(item: Initiative) -> str:
    headline = item.headline_score if item.headline_score is not None else item.evidence_score
    lines: list[str] = [_one_line("Kommunen", item.municipality), ""]
    if headline is not None:
        lines += [_score(headline), "Evidenstest", ""]
    lines += [_one_line("Titlen", item.title), ""]
    lines += [f" • {_one_line('En målgruppe', group)}" for group in item.target_groups]
    if item.target_groups:
        lines.append("")
    for section in item.sections:
        lines += [_known("afsnit", section.name, SECTION_HEADERS, list(SECTION_ORDER)), ""]
        if section.text.strip():
            lines += [section.text.strip(), ""]
    labels = list(dict.fromkeys(TEST_LABELS.values()))
    for test in item.tests:
        label = _known("testtype", test.label, TEST_LABELS, labels)
        lines += [_score(test.score), label, "", _one_line("Testens navn", test.name), ""]
        lines += [f" • {a.level.label}: {_one_line('Et svar', a.text)}" for a in test.answers]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
