"""The `indsats` command line. Consultant-facing output is Danish.

Every command goes through `_run`, the one place that turns a domain error into a message on
standard error and an exit status, so no command prints a traceback for bad input.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from engine.corpus import load_corpus
from engine.errors import IndsatsError, InvalidInputError
from engine.evaluation import MEASURES, evaluate, load_queries
from engine.practice_eval import evaluate_practices, load_situations
from engine.recommend import Recommender, RecommendRequest
from engine.search import (
    Searcher,
    SearchQuery,
    SearchResponse,
    open_searcher,
    validate_query,
)
from engine.serialize import corpus_to_dict
from engine.settings import Settings
from engine.text import format_decimal
from index.store import BuildReport

app = typer.Typer(
    help="Indsatsfinder: find jobcentres' initiatives (indsatser) and what works.",
    no_args_is_help=True,
    add_completion=False,
)
T = TypeVar("T")
EXIT_INPUT = 2
RELEVANCE = Path(__file__).resolve().parent.parent / "tests" / "relevance"
QUERIES = RELEVANCE / "queries.json"
SITUATIONS = RELEVANCE / "practices.json"


def _run(action: Callable[[], T]) -> T:
    """Map domain errors to a short Danish message and exit status 2."""
    try:
        return action()
    except IndsatsError as exc:
        Console(stderr=True).print(f"[bold red]Fejl:[/] {exc.message}", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None


def _print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Vis log-beskeder.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


@app.command()
def corpus(
    dirs: Annotated[
        list[Path] | None, typer.Argument(help="Mapper eller filer med indsatssider.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv ét JSON-objekt.")] = False,
) -> None:
    """Vis hvilke indsatser og praksisser der kunne indlæses (exit 1 hvis en fil blev afvist)."""
    paths = dirs or [Settings().seeds_dir]
    loaded = _run(lambda: load_corpus(paths))
    if as_json:
        _print_json(corpus_to_dict(loaded))
    else:
        console = Console()
        table = Table(
            title=f"{len(loaded.initiatives)} indsatser, {len(loaded.practices)} praksisser"
        )
        for column in ("Kommune", "Titel", "Målgrupper", "Scorer", "Svar"):
            table.add_column(column)
        for i in loaded.initiatives:
            scores = ", ".join(f"{k}: {format_decimal(v)}" for k, v in i.scores.items())
            table.add_row(
                i.municipality,
                i.title,
                ", ".join(i.target_groups),
                scores,
                str(len(i.answers())),
            )
        console.print(table)
        for error in loaded.errors:
            Console(stderr=True).print(f"[red]Afvist:[/] {error.file}: {error.message}")
    if loaded.errors:
        raise typer.Exit(1)


def _open(force: bool = False) -> tuple[Searcher, BuildReport]:
    """Load corpus, model and index with a progress bar while passages are embedded."""
    settings = Settings()
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        console=Console(stderr=True), transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("Indlejrer passager", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return _run(lambda: open_searcher(settings, force=force, progress=progress))


@app.command()
def build(
    force: Annotated[bool, typer.Option("--force", help="Byg altid forfra.")] = False,
) -> None:
    """Byg søgeindekset hvis det mangler eller er forældet (siderne eller modellen er ændret)."""
    searcher, report = _open(force)
    console = Console()
    if report.built:
        console.print(
            f"Indeks {report.version} bygget ({report.reason}): "
            f"{len(searcher.index.passages)} passager, {report.embedded} indlejret, "
            f"{report.reused} genbrugt, {report.seconds:.1f} s.",
            highlight=False,
        )
    else:
        console.print(f"Indeks {report.version} er opdateret; intet at bygge.", highlight=False)


def _print_response(console: Console, response: SearchResponse) -> None:
    console.print(
        f"[bold]{response.total}[/] indsatser for '{response.query}' ({response.mode})",
        highlight=False,
    )
    for n, result in enumerate(response.results, start=response.offset + 1):
        evidence = result.scores.get("Evidenstest")
        ev = f", Evidenstest {format_decimal(evidence)}" if evidence is not None else ""
        console.print(
            f"\n[bold]{n}. {result.title}[/]\n   {result.municipality}{ev} · score "
            f"{result.score:.4f}",
            highlight=False,
        )
        for match in result.matches[:1]:
            console.print(f"   [italic]{match.section}:[/] {match.text}", highlight=False)


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="Søgetekst, eller '-' for én søgning pr. linje.")],
    k: Annotated[int, typer.Option("-k", help="Antal resultater (1-100).")] = 5,
    offset: Annotated[int, typer.Option(help="Spring så mange resultater over.")] = 0,
    target_group: Annotated[str | None, typer.Option(help="Fx 'Længerevarende ledige'.")] = None,
    municipality: Annotated[str | None, typer.Option(help="Kun indsatser fra kommunen.")] = None,
    min_evidence: Annotated[float | None, typer.Option(help="Mindste Evidenstest-score.")] = None,
    mode: Annotated[str, typer.Option(help="hybrid, dense eller lexical.")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Skriv JSON.")] = False,
) -> None:
    """Søg i indsatserne. Med '-' læses én søgning pr. linje, og svaret er JSON pr. linje."""

    def query(q: str) -> SearchQuery:
        return SearchQuery(q, k, offset, mode, target_group, municipality, min_evidence)

    if text != "-":
        # Bad arguments are reported before the model is loaded.
        max_chars = Settings().max_query_chars
        _run(lambda: validate_query(query(text), max_chars))
    searcher, _ = _open()
    if text == "-":
        _batch("query", lambda line: searcher.search(query(line)).to_dict())
        return
    response = _run(lambda: searcher.search(query(text)))
    if as_json:
        _print_json(response.to_dict())
    else:
        _print_response(Console(), response)


@app.command("eval")
def evaluate_cmd(
    queries: Annotated[Path, typer.Option(help="Bedømte forespørgsler (JSON).")] = QUERIES,
    split: Annotated[str, typer.Option(help="dev, holdout eller all.")] = "all",
    as_json: Annotated[bool, typer.Option("--json", help="Skriv JSON.")] = False,
) -> None:
    """Mål søgekvaliteten (nDCG@3, MRR, recall@5) for hver søgetilstand."""
    searcher, _ = _open()
    ids = [i.id for i in searcher.corpus.initiatives]
    judged = _run(lambda: load_queries(queries, ids))
    judged = [q for q in judged if split == "all" or q.split == split]
    if not judged:
        _run(lambda: _fail(f"Ingen forespørgsler med split '{split}' i {queries}."))
    table = evaluate(searcher, judged)
    recommender = Recommender(searcher)
    situations = _run(lambda: load_situations(SITUATIONS, [p.id for p in recommender.practices]))
    practice_scores = evaluate_practices(recommender, situations)
    if as_json:
        _print_json({"queries": len(judged), "split": split, "model": searcher.embedder.name,
                     "results": table, "practices": {"situations": len(situations),
                                                     **practice_scores}})  # fmt: skip
        return
    out = Table(title=f"{len(judged)} forespørgsler ({split}), model {searcher.embedder.name}")
    out.add_column("Tilstand")
    for name in MEASURES:
        out.add_column(name, justify="right")
    for mode, scores in table.items():
        out.add_row(mode, *(f"{scores[name]:.3f}" for name in MEASURES))
    Console().print(out)
    practices = Table(title=f"Anbefalede praksisser: {len(situations)} situationer")
    for name in practice_scores:
        practices.add_column(name, justify="right")
    practices.add_row(*(f"{v:.3f}" for v in practice_scores.values()))
    Console().print(practices)


def _batch(key: str, answer: Callable[[str], dict[str, Any]]) -> None:
    """One JSON object per non-empty stdin line; a bad line is reported in place (with the
    error's code and message) without costing the rest, and the exit status says so."""
    failed = False
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            _print_json(answer(line))
        except IndsatsError as exc:
            failed = True
            _print_json({key: line.strip(), "error": {"code": exc.code, "message": exc.message}})
    if failed:
        raise typer.Exit(EXIT_INPUT)


@app.command()
def recommend(
    situation: Annotated[str, typer.Argument(help="Jeres situation, eller '-' for én pr. linje.")],
    municipality: Annotated[
        str | None, typer.Option(help="Jeres kommune: slår gap-analysen til.")
    ] = None,
    target_group: Annotated[str | None, typer.Option(help="Fx 'Længerevarende ledige'.")] = None,
    k: Annotated[int, typer.Option("-k", help="Antal praksisser og indsatser (1-100).")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv JSON.")] = False,
) -> None:
    """Anbefal praksisser og gode råd til en situation, med evidensen bag hver."""

    def request(text: str) -> RecommendRequest:
        return RecommendRequest(text, k, target_group, municipality)

    searcher, _ = _open()
    recommender = Recommender(searcher)
    if situation == "-":
        _batch("situation", lambda line: recommender.recommend(request(line)).to_dict())
        return
    result = _run(lambda: recommender.recommend(request(situation)))
    if as_json:
        _print_json(result.to_dict())
        return
    console = Console()
    console.print(f"[bold]Praksisser for '{result.situation}'[/]", highlight=False)
    for n, practice in enumerate(result.practices, start=1):
        gap = " [bold](hul)[/]" if practice.gap else ""
        console.print(f"\n{n}. {practice.text}{gap}\n   {practice.reason}", highlight=False)
    if result.advice:
        console.print("\n[bold]Gode råd fra lignende indsatser[/]")
        for advice in result.advice:
            console.print(
                f"\n· {advice.municipality}, {advice.section}: {advice.text}", highlight=False
            )


def _fail(message: str) -> None:
    raise InvalidInputError(message)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Adressen serveren lytter på.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Porten.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Antal processer.")] = 1,
) -> None:
    """Start HTTP-API'et (/docs viser det); indstillinger kommer fra INDSATS_*-variablerne."""
    import uvicorn
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    try:
        Settings()  # each worker reads them again; a mistake is reported here, once
    except (ValidationError, SettingsError) as exc:
        Console(stderr=True).print(f"[bold red]Fejl i INDSATS_*-indstillingerne:[/] {exc}")
        raise typer.Exit(EXIT_INPUT) from None
    if workers > 1 and not os.environ.get("INDSATS_EMBED_THREADS"):
        # Each worker's model would otherwise use every core and the workers would fight
        # over them; split the cores instead (measured in docs/BENCHMARKS.md).
        os.environ["INDSATS_EMBED_THREADS"] = str(max(1, (os.cpu_count() or 1) // workers))
    uvicorn.run("api.app:create_app_from_env", factory=True, host=host, port=port, workers=workers)


if __name__ == "__main__":
    app()
