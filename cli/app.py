"""The `indsats` command line. Consultant-facing output is Danish.

Every command that needs search opens the same `Engine` the API serves (corpus, model,
index), and every command goes through `_run`, the one place that turns a domain error into
a message on standard error and an exit status, so no command prints a traceback for bad
input.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Annotated, ClassVar, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from api import server
from api.corpus import Corpus
from api.errors import batch_failure, engine_problem
from api.models import SearchResponse as SearchAnswer
from api.models import to_json
from api.recommendation import RecommendResponse
from cli import danish
from cli.output import (
    console,
    inert,
    literal,
    print_corpus,
    print_evaluation,
    print_json,
    print_recommendation,
    print_response,
)
from cli.settings import read_settings
from engine.facade.answers import QueryFailure
from engine.facade.engine import Engine
from engine.recommend.recommender import RecommendRequest
from engine.search.query import SearchQuery, validate_query
from engine.shared.errors import IndsatsError, InvalidInputError
from engine.shared.settings import Settings

app = typer.Typer(
    cls=danish.DanishGroup,
    rich_markup_mode=None,
    help="Indsatsfinder: find jobcentrenes indsatser, og hvad der virker.",
    options_metavar="[TILVALG]",
    subcommand_metavar="KOMMANDO [ARGUMENTER]...",
    no_args_is_help=True,
    add_completion=False,
)
T = TypeVar("T")
EXIT_INPUT = 2
# `indsats eval` without --data: the judged questions of a checkout, run from its root.
DEFAULT_EVAL_DATA = Path("tests") / "relevance"


def _run(action: Callable[[], T]) -> T:
    """Map domain errors to a short Danish message and exit status 2."""
    try:
        return action()
    except IndsatsError as exc:
        console(stderr=True).print(f"[bold red]Fejl:[/] {literal(exc.message)}")
        raise typer.Exit(EXIT_INPUT) from None


def _settings() -> Settings:
    """The `INDSATS_*` settings; a bad value is reported like any bad input (exit 2)."""
    return _run(read_settings)


class _DanishLog(logging.Formatter):
    """Log lines on the terminal read like the rest: 'Advarsel: Bygger søgeindekset: ...'."""

    LEVELS: ClassVar[dict[str, str]] = {
        "DEBUG": "Fejlsøgning",
        "INFO": "Info",
        "WARNING": "Advarsel",
        "ERROR": "Fejl",
    }

    def format(self, record: logging.LogRecord) -> str:
        """A log line names files and quotes pages: shown, never acted on (`inert`)."""
        level = self.LEVELS.get(record.levelname, record.levelname)
        return f"{level}: {inert(record.getMessage())}"


@app.callback(options_metavar="[TILVALG]")
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Vis log-beskeder.")] = False,
) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(_DanishLog())
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler])


@app.command(cls=danish.DanishCommand, options_metavar="[TILVALG]")
def corpus(
    dirs: Annotated[
        list[Path] | None,
        typer.Argument(metavar="[MAPPER]...", help="Mapper eller filer med indsatssider."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv ét JSON-objekt.")] = False,
) -> None:
    """Vis hvilke indsatser og praksisser der kunne indlæses (exit 1 hvis en fil blev afvist)."""
    paths = dirs or [_settings().seeds_dir]
    loaded = _run(lambda: Engine.read_pages(paths))
    if as_json:
        print_json(to_json(Corpus.of(loaded)))
    else:
        print_corpus(loaded)
    if loaded.errors:
        raise typer.Exit(1)


def _open(force: bool = False) -> Engine:
    """The engine the API would serve, with a progress bar while passages are embedded."""
    settings = _settings()
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        console=Console(stderr=True), transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("Indlejrer passager", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return _run(lambda: Engine.open(settings, force=force, progress=progress))


@app.command(cls=danish.DanishCommand, options_metavar="[TILVALG]")
def build(
    force: Annotated[bool, typer.Option("--force", help="Byg altid forfra.")] = False,
) -> None:
    """Byg søgeindekset hvis det mangler eller er forældet (siderne eller modellen er ændret)."""
    engine = _open(force)
    report = engine.build_report
    out = console()
    if not engine.corpus.initiatives:
        out.print("Ingen indsatser at indeksere: seeds- og sidemappen er tomme; intet at bygge.")
    elif report.built:
        out.print(
            f"Indeks {report.version} bygget ({literal(report.reason)}): "
            f"{report.embedded + report.reused} passager, {report.embedded} indlejret, "
            f"{report.reused} genbrugt, {report.seconds:.1f} s."
        )
    else:
        out.print(f"Indeks {report.version} er opdateret; intet at bygge.")


def _lines() -> Iterator[str]:
    """Standard input line by line, blank lines included, without the line ending. Read as
    bytes: a line that is not UTF-8 arrives with surrogate escapes, so the engine's text
    rule refuses that line alone instead of the decoder stopping the whole run."""
    raw = getattr(sys.stdin, "buffer", None)
    lines = (b.decode("utf-8", "surrogateescape") for b in raw) if raw is not None else sys.stdin
    for line in lines:
        yield line.rstrip("\r\n")


def _shown(line: str) -> str:
    """A line as it can be echoed in JSON: bytes that were not UTF-8 become U+FFFD."""
    return line.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _search_lines(engine: Engine, query: Callable[[str], SearchQuery]) -> None:
    """One JSON line per input line, blank ones too, so answer n belongs to line n: a
    search answer, or the item `POST /v1/search/batch` puts in a bad query's place."""
    failed = False
    for number, line in enumerate(_lines()):
        (answer,) = engine.search_many([query(line)])
        if isinstance(answer, QueryFailure):
            failed = True
            shown = replace(answer, query=_shown(answer.query))
            print_json(to_json(batch_failure(shown, number)))
        else:
            print_json(to_json(SearchAnswer.of(answer)))
    if failed:
        raise typer.Exit(EXIT_INPUT)


def _recommend_lines(engine: Engine, request: Callable[[str], RecommendRequest]) -> None:
    """Like `_search_lines`: a bad line gets `{"situation", "error"}` in its place."""
    failed = False
    for line in _lines():
        try:
            print_json(to_json(RecommendResponse.of(engine.recommend(request(line)))))
        except IndsatsError as exc:
            failed = True
            error = to_json(engine_problem(exc, None))
            print_json({"situation": _shown(line), "error": error})
    if failed:
        raise typer.Exit(EXIT_INPUT)


def parse_score(value: str) -> float:
    """A score as the page takes it: `2.5` or `2,5`."""
    try:
        score = float(value.strip().replace(",", "."))
    except ValueError:
        raise typer.BadParameter(
            f"'{value}' er ikke et tal; skriv fx 2,5 eller 2.5 (0-5)."
        ) from None
    if not 0 <= score <= 5:
        raise typer.BadParameter(f"{value} er uden for 0-5; skriv fx 2,5.")
    return score


@app.command(cls=danish.DanishCommand, options_metavar="[TILVALG]")
def search(
    text: Annotated[
        str, typer.Argument(metavar="TEKST", help="Søgetekst, eller '-' for én søgning pr. linje.")
    ],
    k: Annotated[int, typer.Option("-k", help="Antal resultater (1-100).")] = 5,
    offset: Annotated[int, typer.Option(help="Spring så mange resultater over.")] = 0,
    target_group: Annotated[str | None, typer.Option(help="Fx 'Længerevarende ledige'.")] = None,
    municipality: Annotated[str | None, typer.Option(help="Kun indsatser fra kommunen.")] = None,
    min_evidence: Annotated[
        float | None,
        typer.Option(
            parser=parse_score, metavar="SCORE", help="Mindste Evidenstest-score, fx 2,5 (0-5)."
        ),
    ] = None,
    mode: Annotated[str, typer.Option(help="hybrid, dense eller lexical.")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Skriv JSON.")] = False,
) -> None:
    """Søg i indsatserne. Med '-' læses én søgning pr. linje, og svaret er én JSON-linje pr.
    linje (også tomme linjer, der får en fejl på deres plads)."""

    def query(q: str) -> SearchQuery:
        return SearchQuery(
            q,
            k=k,
            offset=offset,
            mode=mode,
            target_group=target_group,
            municipality=municipality,
            min_evidence=min_evidence,
        )

    if text != "-":
        # Bad arguments are reported before the model is loaded.
        max_chars = _settings().max_query_chars
        _run(lambda: validate_query(query(text), max_chars))
    engine = _open()
    if text == "-":
        _search_lines(engine, query)
        return
    response = _run(lambda: engine.search(query(text)))
    if as_json:
        print_json(to_json(SearchAnswer.of(response)))
    else:
        print_response(response)


@app.command(cls=danish.DanishCommand, options_metavar="[TILVALG]")
def recommend(
    situation: Annotated[
        str,
        typer.Argument(metavar="SITUATION", help="Jeres situation, eller '-' for én pr. linje."),
    ],
    own_municipality: Annotated[
        str | None, typer.Option(help="Jeres kommune: slår gap-analysen til.")
    ] = None,
    target_group: Annotated[str | None, typer.Option(help="Fx 'Længerevarende ledige'.")] = None,
    municipality: Annotated[
        str | None, typer.Option(help="Kun indsatser og erfaringer fra denne kommune.")
    ] = None,
    min_evidence: Annotated[
        float | None,
        typer.Option(
            parser=parse_score,
            metavar="SCORE",
            help="Kun indsatser med mindst denne Evidenstest-score, fx 2,5 (0-5).",
        ),
    ] = None,
    k: Annotated[int, typer.Option("-k", help="Antal praksisser og indsatser (1-100).")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv JSON.")] = False,
) -> None:
    """Anbefal praksisser og gode råd til en situation, med evidensen bag hver."""

    def request(text: str) -> RecommendRequest:
        return RecommendRequest(
            text,
            k=k,
            target_group=target_group,
            municipality=municipality,
            min_evidence=min_evidence,
            own_municipality=own_municipality,
        )

    engine = _open()
    if situation == "-":
        _recommend_lines(engine, request)
        return
    result = _run(lambda: engine.recommend(request(situation)))
    if as_json:
        print_json(to_json(RecommendResponse.of(result)))
    else:
        print_recommendation(result)


def _eval_data(data: Path | None) -> Path:
    if data is not None:
        return data
    if DEFAULT_EVAL_DATA.is_dir():
        return DEFAULT_EVAL_DATA
    raise InvalidInputError(
        f"Ingen relevansdata: '{DEFAULT_EVAL_DATA}' findes ikke her. Angiv mappen med de "
        "bedømte spørgsmål med --data (fx --data tests/relevance i projektets mappe)."
    )


@app.command("eval", cls=danish.DanishCommand, options_metavar="[TILVALG]")
def evaluate_cmd(
    data: Annotated[
        Path | None,
        typer.Option(
            help="Mappe med sets.json og de bedømte spørgsmål; standard: ./tests/relevance."
        ),
    ] = None,
    sets: Annotated[
        list[str] | None, typer.Option("--set", help="Kun dette sæt (kan gentages).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv JSON.")] = False,
) -> None:
    """Mål søgekvaliteten (nDCG@3, MRR, recall@5) pr. tilstand mod en ren BM25 og anbefalingerne,
    for hvert sæt: frøsiderne, tune-halvdelen og den usete halvdel."""
    settings = _settings()
    reports = _run(lambda: Engine.evaluate(settings, _eval_data(data), sets or ()))
    if as_json:
        print_json({"model": settings.model, "sets": [asdict(r) for r in reports]})
        return
    for report in reports:
        print_evaluation(report, settings.model)


@app.command(cls=danish.DanishCommand, options_metavar="[TILVALG]")
def calibrate(
    data: Annotated[
        Path | None,
        typer.Option(help="Mappe med sets.json; standard: ./tests/relevance."),
    ] = None,
    on: Annotated[str, typer.Option("--set", help="Sættet der kalibreres på.")] = "tune",
    out: Annotated[
        Path | None,
        typer.Option(
            help="Hvor kalibreringen skrives; standard: <INDSATS_DATA_DIR>/calibration.json."
        ),
    ] = None,
) -> None:
    """Tilpas 'match' og grænsen for "intet godt svar" til modellen, på et sæt med bedømte
    og urelaterede spørgsmål. Serveren bruger filen ved næste start."""
    settings = _settings()
    result, target = _run(lambda: Engine.calibrate(settings, _eval_data(data), on, out))
    Console().print(f"Kalibrering skrevet til {target}: {result.about}", markup=False)


@app.command(cls=danish.DanishCommand, options_metavar="[TILVALG]")
def serve(
    host: Annotated[str, typer.Option(help="Adressen serveren lytter på.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Porten.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Antal processer.")] = 1,
) -> None:
    """Start HTTP-API'et (/docs viser det); indstillinger kommer fra INDSATS_*-variablerne."""
    settings = _settings()  # each worker reads them again; a mistake is reported here, once
    if workers > 1 and not os.environ.get("INDSATS_EMBED_THREADS"):
        # Each worker's model would otherwise use every core and the workers would fight
        # over them; split the cores instead (measured in docs/BENCHMARKS.md).
        os.environ["INDSATS_EMBED_THREADS"] = str(max(1, (os.cpu_count() or 1) // workers))
    # The header limit and the read timeouts of INDSATS_MAX_HEADER_BYTES/READ_TIMEOUT.
    server.run("api.app:create_app_from_env", settings, host=host, port=port, workers=workers)


if __name__ == "__main__":
    app()
