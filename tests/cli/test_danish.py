"""The command line speaks Danish throughout, Click's and Typer's own texts included, and
takes a score the way the page does (`2,5`)."""

from __future__ import annotations

import json
import logging

import pytest
import typer
import typer.rich_utils
from typer.testing import CliRunner

from cli.app import app

runner = CliRunner()
ENGLISH = (
    "Show this message",
    "Usage:",
    "OPTIONS",
    "COMMAND",
    "TEXT",
    "INTEGER",
    "Options",
    "Arguments",
    "No such option",
    "Missing argument",
    "Invalid value",
    "is not a valid",
    "Try '",
    "for help",
    "[default",
    "[required]",
    "<int>",
    "<str>",
    "Did you mean",
)


def _english(text: str) -> list[str]:
    return [phrase for phrase in ENGLISH if phrase in text]


@pytest.mark.parametrize("args", [["--help"], ["search", "--help"], ["recommend", "--help"]])
def test_help_is_danish(args: list[str]) -> None:
    result = runner.invoke(app, args, terminal_width=200)
    assert result.exit_code == 0
    assert _english(result.output) == [], result.output
    assert "Vis denne hjælp og afslut." in result.output
    assert "Brug:" in result.output and "Tilvalg" in result.output


def test_the_command_list_shows_each_first_paragraph_whole() -> None:
    result = runner.invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "pr. tilstand mod en ren BM25" in result.output, result.output
    assert "Kommandoer" in result.output and _english(result.output) == [], result.output


def test_no_arguments_shows_the_danish_help_and_exit_status_2() -> None:
    result = runner.invoke(app, [], terminal_width=200)
    assert result.exit_code == 2
    assert "Brug: " in result.output and "Kommandoer" in result.output, result.output


def test_the_danish_stays_in_the_cli() -> None:
    """The texts come through the CLI's own command classes, not by changing Typer: another
    Typer app in the same process still speaks Typer's English."""
    other = typer.Typer(rich_markup_mode=None)

    @other.command()
    def hello(count: int = 1) -> None:
        """Say hello."""

    result = runner.invoke(other, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "Show this message and exit." in result.output, result.output
    assert "Usage:" in result.output and "Vis denne" not in result.output, result.output
    assert typer.rich_utils.OPTIONS_PANEL_TITLE == "Options"


@pytest.mark.parametrize(
    ("args", "danish"),
    [
        (["search", "ordblinde", "--findes-ikke"], "Tilvalget '--findes-ikke' findes ikke."),
        (["search"], "Mangler argumentet 'TEKST'."),
        (["search", "x", "-k", "mange"], "'mange' er ikke et gyldigt heltal."),
        (["findes-ikke"], "Kommandoen 'findes-ikke' findes ikke."),
        (["serch"], "Mente du 'search'"),
        (["search", "x", "--min-evidence", "høj"], "'høj' er ikke et tal"),
        (["search", "x", "--min-evidence", "7"], "uden for 0-5"),
    ],
)
def test_usage_errors_are_danish(args: list[str], danish: str) -> None:
    result = runner.invoke(app, args, terminal_width=200)
    assert result.exit_code == 2
    assert danish in result.output, result.output
    assert "Fejl" in result.output and _english(result.output) == [], result.output


@pytest.mark.usefixtures("fake_cli_env")
def test_min_evidence_takes_a_decimal_comma_as_the_page_does() -> None:
    comma = runner.invoke(app, ["search", "ledige", "--min-evidence", "2,5", "--json"])
    point = runner.invoke(app, ["search", "ledige", "--min-evidence", "2.5", "--json"])
    assert comma.exit_code == 0, comma.output
    assert comma.stdout == point.stdout
    found = json.loads(comma.stdout)["items"]
    assert found and all(r["scores"]["evidence"] >= 2.5 for r in found)


@pytest.mark.usefixtures("fake_cli_env")
def test_log_lines_while_building_are_danish(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        result = runner.invoke(app, ["build", "--force"])
    assert result.exit_code == 0, result.output
    messages = [r.getMessage() for r in caplog.records if r.name.startswith(("index", "engine"))]
    assert any(m.startswith("Bygger søgeindekset") for m in messages), messages
    assert not any("building" in m or "ready:" in m for m in messages), messages
