"""The `indsats` command line. Consultant-facing output is Danish.

Every command goes through `_run`, the one place that turns a domain error into a message on
standard error and an exit status, so no command prints a traceback for bad input.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from engine.corpus import load_corpus
from engine.errors import IndsatsError
from engine.serialize import corpus_to_dict
from engine.settings import Settings
from engine.text import format_decimal

app = typer.Typer(
    help="Indsatsfinder: find jobcentres' initiatives (indsatser) and what works.",
    no_args_is_help=True,
    add_completion=False,
)
T = TypeVar("T")
EXIT_INPUT = 2


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


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Adressen serveren lytter på.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Porten.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Antal processer.")] = 1,
) -> None:
    """Start HTTP-API'et (/docs viser det); indstillinger kommer fra INDSATS_*-variablerne."""
    import uvicorn

    uvicorn.run("api.app:create_app_from_env", factory=True, host=host, port=port, workers=workers)


if __name__ == "__main__":
    app()
