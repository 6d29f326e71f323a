"""What the commands print for people (rich tables and text); `--json` goes through the
API's serializer instead (`api.models.to_json` of the models' `of`).

Page text is printed literally: a title with `[/bold]` in it is text, not rich markup (it
made the commands exit with a MarkupError), and `:x:` is not an emoji. Everything that
comes from a page, a query or an error message goes through `literal` before it meets our
own markup, and the consoles have emoji codes off. Nor may stored text steer the terminal:
a page stored through the API with `\x1b[31m` in it turned `indsats search` red (and
could have moved the cursor, retitled the window, hidden lines), so control characters and
the Unicode direction overrides are shown as escapes (`\x1b`, `\u202e`), in `--json` too.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from engine.domain.models import Corpus
from engine.domain.text import format_decimal
from engine.evaluation.search import MEASURES
from engine.evaluation.sets import SetReport
from engine.recommend.recommender import Recommendation
from engine.search.results import SearchResponse


def console(stderr: bool = False) -> Console:
    """A console that reads our markup but no emoji codes and highlights nothing."""
    return Console(stderr=stderr, emoji=False, highlight=False)


# What a terminal acts on instead of printing: C0 controls but line feed and tab, DEL, C1
# controls (0x9b is a CSI on its own), and the marks that reorder the text shown.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def inert(text: str) -> str:
    """`text` with every character a terminal would act on written as its escape."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else
                        f"\\u{ord(m[0]):04x}", text)  # fmt: skip


def literal(value: object) -> str:
    """`value` as text that rich prints as it is, and the terminal only shows."""
    return escape(inert(str(value)))


def print_json(payload: Any) -> None:
    """The bytes the API would send (Starlette's `JSONResponse.render`), plus a newline;
    JSON escapes C0 controls itself, and the rest a terminal acts on are written as `\\u`
    escapes too (the same JSON value)."""
    text = json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    text = _CONTROL.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
    sys.stdout.write(text + "\n")


def print_corpus(loaded: Corpus) -> None:
    table = Table(
        title=f"{len(loaded.initiatives)} indsatser, {len(loaded.practices)} praksisser",
        highlight=False,
    )
    for column in ("Kommune", "Titel", "Målgrupper", "Scorer", "Svar"):
        table.add_column(column)
    for i in loaded.initiatives:
        scores = ", ".join(f"{k}: {format_decimal(v)}" for k, v in i.scores.items())
        row = (i.municipality, i.title, ", ".join(i.target_groups), scores, len(i.answers()))
        table.add_row(*map(literal, row))
    console().print(table)
    for error in loaded.errors:
        console(stderr=True).print(
            f"[red]Afvist:[/] {literal(error.file)}: {literal(error.message)}"
        )


NO_GOOD_MATCH = (
    "[yellow]Ingen indsats passer godt til spørgsmålet.[/] Resultaterne herunder er de "
    "nærmeste, men sandsynligvis ikke det, du leder efter; prøv andre ord."
)
NO_GOOD_MATCH_RECOMMEND = (
    "[yellow]Ingen indsats passer godt til situationen[/], så der anbefales ingen praksisser "
    "eller råd; beskriv situationen med andre ord."
)


def print_response(response: SearchResponse) -> None:
    out = console()
    out.print(
        f"[bold]{response.total}[/] indsatser for '{literal(response.query)}' ({response.mode})"
    )
    if response.no_good_match:
        out.print(NO_GOOD_MATCH)
    for n, result in enumerate(response.results, start=response.offset + 1):
        evidence = result.scores.get("Evidenstest")
        ev = f", Evidenstest {format_decimal(evidence)}" if evidence is not None else ""
        fit = f" · passer {round(result.match * 100)} %"
        out.print(
            f"\n[bold]{n}. {literal(result.title)}[/]\n   {literal(result.municipality)}{ev}{fit}"
        )
        for match in result.matches[:1]:
            out.print(f"   [italic]{literal(match.section)}:[/] {literal(match.text)}")


def print_recommendation(result: Recommendation) -> None:
    out = console()
    out.print(f"[bold]Praksisser for '{literal(result.situation)}'[/]")
    if result.no_good_match:
        out.print(NO_GOOD_MATCH_RECOMMEND)
    for n, practice in enumerate(result.practices, start=1):
        gap = " [bold](hul)[/]" if practice.gap else ""
        out.print(f"\n{n}. {literal(practice.text)}{gap}\n   {literal(practice.reason)}")
    if not result.practices:
        out.print("\nIngen praksis opfylder kravene til en anbefaling.")
    if result.other_practices:
        out.print("\n[bold]Passer også, men anbefales ikke[/]")
        for practice in result.other_practices:
            out.print(
                f"\n· {literal(practice.text)}\n   {literal(practice.status_text)}\n   "
                f"{literal(practice.reason)}"
            )
    if result.advice:
        out.print("\n[bold]Gode råd fra lignende indsatser[/]")
        for advice in result.advice:
            out.print(
                f"\n· {literal(advice.municipality)}, {literal(advice.section)}: "
                f"{literal(advice.text)}"
            )


def print_evaluation(report: SetReport, model: str) -> None:
    """One set: each mode beside the plain-BM25 baseline, by kind of question, how often "no
    good match" was said, and what is recommended beside plain BM25 of the practices."""
    printer = console()
    title = f"Sæt '{literal(report.name)}': {report.queries} spørgsmål, {report.pages} sider"
    printer.print(f"{title}, model {literal(model)}", markup=False)
    if report.search:
        out = Table()
        out.add_column("Tilstand")
        for name in MEASURES:
            out.add_column(name, justify="right")
        for mode, scores in report.search.items():
            out.add_row(mode, *(f"{scores[name]:.3f}" for name in MEASURES))
        printer.print(out)
        kinds = Table(title="nDCG@3 efter slags spørgsmål")
        for column in ("Slags", "Antal", "hybrid", "baseline"):
            kinds.add_column(column, justify="right")
        for kind, row in report.kinds.items():
            kinds.add_row(
                literal(kind), f"{row['n']:.0f}", f"{row['hybrid']:.3f}", f"{row['baseline']:.3f}"
            )
        printer.print(kinds)
        flags = report.flags
        line = f"'Intet godt svar' ved {flags.get('judged_flagged', 0):.1%} af de bedømte spørgsmål"
        if "offtopic" in flags:
            line += (
                f" og {flags['offtopic_flagged']:.1%} af {flags['offtopic']:.0f} spørgsmål uden "
                "for området"
            )
        printer.print(line + ".", markup=False)
    if report.practices:
        practices = Table(title=f"Anbefalede praksisser: {report.situations} situationer")
        practices.add_column("")
        for name in report.practices:
            practices.add_column(name, justify="right")
        practices.add_row("vores", *(f"{v:.3f}" for v in report.practices.values()))
        plain = report.practices_baseline
        practices.add_row("BM25", *(f"{plain.get(k, 0.0):.3f}" for k in report.practices))
        printer.print(practices)
