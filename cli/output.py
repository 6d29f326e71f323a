"""What the commands print for people (rich tables and text); `--json` goes through the
API's serializer instead (`api.models.to_json`)."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from engine.domain.models import Corpus
from engine.domain.text import format_decimal
from engine.evaluation.search import MEASURES
from engine.evaluation.sets import SetReport
from engine.recommend import Recommendation
from engine.search.results import SearchResponse


def print_json(payload: Any) -> None:
    """The bytes the API would send (Starlette's `JSONResponse.render`), plus a newline."""
    text = json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    sys.stdout.write(text + "\n")


def print_corpus(loaded: Corpus) -> None:
    table = Table(title=f"{len(loaded.initiatives)} indsatser, {len(loaded.practices)} praksisser")
    for column in ("Kommune", "Titel", "Målgrupper", "Scorer", "Svar"):
        table.add_column(column)
    for i in loaded.initiatives:
        scores = ", ".join(f"{k}: {format_decimal(v)}" for k, v in i.scores.items())
        table.add_row(
            i.municipality, i.title, ", ".join(i.target_groups), scores, str(len(i.answers()))
        )
    Console().print(table)
    for error in loaded.errors:
        Console(stderr=True).print(f"[red]Afvist:[/] {error.file}: {error.message}")


NO_GOOD_MATCH = (
    "[yellow]Ingen indsats passer godt til spørgsmålet.[/] Resultaterne herunder er de "
    "nærmeste, men sandsynligvis ikke det, du leder efter; prøv andre ord."
)
NO_GOOD_MATCH_RECOMMEND = (
    "[yellow]Ingen indsats passer godt til situationen[/], så der anbefales ingen praksisser "
    "eller råd; beskriv situationen med andre ord."
)


def print_response(response: SearchResponse) -> None:
    console = Console()
    console.print(
        f"[bold]{response.total}[/] indsatser for '{response.query}' ({response.mode})",
        highlight=False,
    )
    if response.no_good_match:
        console.print(NO_GOOD_MATCH, highlight=False)
    for n, result in enumerate(response.results, start=response.offset + 1):
        evidence = result.scores.get("Evidenstest")
        ev = f", Evidenstest {format_decimal(evidence)}" if evidence is not None else ""
        fit = f" · passer {round(result.match * 100)} %"
        console.print(
            f"\n[bold]{n}. {result.title}[/]\n   {result.municipality}{ev}{fit}",
            highlight=False,
        )
        for match in result.matches[:1]:
            console.print(f"   [italic]{match.section}:[/] {match.text}", highlight=False)


def print_recommendation(result: Recommendation) -> None:
    console = Console()
    console.print(f"[bold]Praksisser for '{result.situation}'[/]", highlight=False)
    if result.no_good_match:
        console.print(NO_GOOD_MATCH_RECOMMEND, highlight=False)
    for n, practice in enumerate(result.practices, start=1):
        gap = " [bold](hul)[/]" if practice.gap else ""
        console.print(f"\n{n}. {practice.text}{gap}\n   {practice.reason}", highlight=False)
    if not result.practices:
        console.print("\nIngen praksis opfylder kravene til en anbefaling.")
    if result.other_practices:
        console.print("\n[bold]Passer også, men anbefales ikke[/]")
        for practice in result.other_practices:
            console.print(
                f"\n· {practice.text}\n   {practice.status_text}\n   {practice.reason}",
                highlight=False,
            )
    if result.advice:
        console.print("\n[bold]Gode råd fra lignende indsatser[/]")
        for advice in result.advice:
            console.print(
                f"\n· {advice.municipality}, {advice.section}: {advice.text}", highlight=False
            )


def print_evaluation(report: SetReport, model: str) -> None:
    """One set: each mode beside the plain-BM25 baseline, by kind of question, practices and
    how often "no good match" was said."""
    console = Console()
    title = f"Sæt '{report.name}': {report.queries} spørgsmål, {report.pages} sider"
    out = Table(title=f"{title}, model {model}")
    out.add_column("Tilstand")
    for name in MEASURES:
        out.add_column(name, justify="right")
    for mode, scores in report.search.items():
        out.add_row(mode, *(f"{scores[name]:.3f}" for name in MEASURES))
    console.print(out)
    kinds = Table(title="nDCG@3 efter slags spørgsmål")
    for column in ("Slags", "Antal", "hybrid", "baseline"):
        kinds.add_column(column, justify="right")
    for kind, row in report.kinds.items():
        kinds.add_row(kind, f"{row['n']:.0f}", f"{row['hybrid']:.3f}", f"{row['baseline']:.3f}")
    console.print(kinds)
    if report.practices:
        practices = Table(title=f"Anbefalede praksisser: {report.situations} situationer")
        for name in report.practices:
            practices.add_column(name, justify="right")
        practices.add_row(*(f"{v:.3f}" for v in report.practices.values()))
        console.print(practices)
    flags = report.flags
    line = f"'Intet godt svar' ved {flags.get('judged_flagged', 0):.1%} af de bedømte spørgsmål"
    if "offtopic" in flags:
        line += (
            f" og {flags['offtopic_flagged']:.1%} af {flags['offtopic']:.0f} spørgsmål uden for "
            "området"
        )
    console.print(line + ".", markup=False)
