"""What the commands print for people (rich tables and text); `--json` goes through the
API's serializer instead (`api.models.to_json`).

Page text is printed literally: a title with `[/bold]` in it is text, not rich markup (it
made the commands exit with a MarkupError), and `:x:` is not an emoji. Everything that
comes from a page, a query or an error message goes through `literal` before it meets our
own markup, and the consoles have emoji codes off.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from engine.domain.models import Corpus
from engine.domain.text import format_decimal
from engine.evaluation.search import MEASURES
from engine.evaluation.sets import SetReport
from engine.recommend import Recommendation
from engine.search.results import SearchResponse


def console(stderr: bool = False) -> Console:
    """A console that reads our markup but no emoji codes and highlights nothing."""
    return Console(stderr=stderr, emoji=False, highlight=False)


def literal(value: object) -> str:
    """`value` as text that rich prints as it is."""
    return escape(str(value))


def print_json(payload: Any) -> None:
    """The bytes the API would send (Starlette's `JSONResponse.render`), plus a newline."""
    text = json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
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


def print_response(response: SearchResponse) -> None:
    out = console()
    out.print(
        f"[bold]{response.total}[/] indsatser for '{literal(response.query)}' ({response.mode})"
    )
    for n, result in enumerate(response.results, start=response.offset + 1):
        evidence = result.scores.get("Evidenstest")
        ev = f", Evidenstest {format_decimal(evidence)}" if evidence is not None else ""
        # `match` (0-1) comes with the relevance model; the fused score means nothing to a reader
        match = getattr(result, "match", None)
        fit = f" · relevans {format_decimal(match)}" if match is not None else ""
        out.print(
            f"\n[bold]{n}. {literal(result.title)}[/]\n   {literal(result.municipality)}{ev}{fit}"
        )
        for match in result.matches[:1]:
            out.print(f"   [italic]{literal(match.section)}:[/] {literal(match.text)}")


def print_recommendation(result: Recommendation) -> None:
    out = console()
    out.print(f"[bold]Praksisser for '{literal(result.situation)}'[/]")
    for n, practice in enumerate(result.practices, start=1):
        gap = " [bold](hul)[/]" if practice.gap else ""
        out.print(f"\n{n}. {literal(practice.text)}{gap}\n   {literal(practice.reason)}")
    if result.advice:
        out.print("\n[bold]Gode råd fra lignende indsatser[/]")
        for advice in result.advice:
            out.print(
                f"\n· {literal(advice.municipality)}, {literal(advice.section)}: "
                f"{literal(advice.text)}"
            )


def print_evaluation(report: SetReport, model: str) -> None:
    out = Table(title=f"{report.queries} forespørgsler ({report.split}), model {literal(model)}")
    out.add_column("Tilstand")
    for name in MEASURES:
        out.add_column(name, justify="right")
    for mode, scores in report.search.items():
        out.add_row(mode, *(f"{scores[name]:.3f}" for name in MEASURES))
    console().print(out)
    if report.practices:
        practices = Table(title=f"Anbefalede praksisser: {report.situations} situationer")
        for name in report.practices:
            practices.add_column(name, justify="right")
        practices.add_row(*(f"{v:.3f}" for v in report.practices.values()))
        console().print(practices)
