"""Write an `Initiative` back out as a page in the seed format (docs/FORMAT.md).

The store only ever holds pages in that one format, so a page posted as JSON goes through
the same parser as every other page and a restart reads it exactly like a seed. Names the
parser would not recognise are refused here with the list of accepted ones, instead of
producing a page that parses into something else.
"""

from __future__ import annotations

from engine.errors import InvalidInputError
from engine.models import Initiative
from engine.parser import SECTION_HEADERS, SECTION_ORDER, TEST_LABELS
from engine.text import format_decimal


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


def render_page(item: Initiative) -> str:
    headline = item.headline_score if item.headline_score is not None else item.evidence_score
    lines: list[str] = [_one_line("Kommunen", item.municipality), ""]
    if headline is not None:
        lines += [format_decimal(headline), "Evidenstest", ""]
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
        lines += [format_decimal(test.score), label, "", _one_line("Testens navn", test.name), ""]
        lines += [f" • {a.level.label}: {_one_line('Et svar', a.text)}" for a in test.answers]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
