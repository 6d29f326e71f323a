"""The command line's own texts in Danish.

Typer writes its usage errors and help ("Show this message and exit.", "No such option",
"Missing argument", "Usage:") partly through gettext's `_` (its panel titles, read once at
import) and partly as plain English in the Click it vendors (`typer._click`), and ships no
Danish. `install()` puts Danish in each place: the panel titles and the few `_` texts, the
help option's text, the usage prefix, the value types' names, and every error message on
its way to the screen (`rich_format_error`), read through `translate`. Unknown texts pass
through unchanged; tests/cli/test_danish.py checks the texts a user meets, so a Typer update
that moves them fails a test instead of going back to English quietly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import typer.core
import typer.rich_utils
from typer._click import core as click_core
from typer._click import formatting, types

HELP_TEXT = "Vis denne hjælp og afslut."

# Typer's gettext texts (constants in rich_utils, `_()` calls in typer.core).
_GETTEXT = {
    "Options": "Tilvalg",
    "Arguments": "Argumenter",
    "Commands": "Kommandoer",
    "Error": "Fejl",
    "Aborted.": "Afbrudt.",
    "Aborted!": "Afbrudt!",
    "Try [blue]'{command_path} {help_option}'[/] for help.": (
        "Skriv [blue]'{command_path} {help_option}'[/] for hjælp."
    ),
    "[default: {}]": "[standard: {}]",
    "[required]": "[påkrævet]",
    "[env var: {}]": "[miljøvariabel: {}]",
    "(deprecated) ": "(forældet) ",
    "Missing command.": "Mangler en kommando.",
    "No such command {name!r}.": "Kommandoen {name!r} findes ikke.",
    "default: {default}": "standard: {default}",
    "required": "påkrævet",
    "env var: {var}": "miljøvariabel: {var}",
}
# The vendored Click's messages, whole or in part, in the order they are tried.
_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"^No such option: (.+)$", r"Tilvalget '\1' findes ikke."),
    (r"\(Possible options: (.+)\)", r"(Mulige tilvalg: \1)"),
    (r"^Missing argument (.+)\.", r"Mangler argumentet \1."),
    (r"^Missing option (.+)\.", r"Mangler tilvalget \1."),
    (r"^Missing parameter(.*)\.", r"Mangler parameteren\1."),
    (r"^Invalid value for (.+?): ", r"Ugyldig værdi for \1: "),
    (r"^Invalid value: ", "Ugyldig værdi: "),
    (r"(.+) is not a valid (heltal|tal)\.", r"\1 er ikke et gyldigt \2."),
    (r"(.+) is not in the range (.+)\.", r"\1 er ikke i intervallet \2."),
    (r"(.+) is not one of (.+)\.", r"\1 er ikke en af \2."),
    (r"(.+) is not a valid boolean\. Recognized values: (.+)", r"\1 er ikke ja/nej (\2)."),
    (r"^Got unexpected extra argument\(s\) \((.+)\)", r"Uventede ekstra argumenter (\1)"),
    (r"^Option (.+) does not take a value\.", r"Tilvalget \1 tager ingen værdi."),
    (r"^Option (.+) requires (.+)", r"Tilvalget \1 kræver en værdi (\2)"),
)
_TYPE_NAMES: dict[Any, str] = {
    types.IntParamType: "heltal",
    types.FloatParamType: "tal",
    types.StringParamType: "tekst",
    types.BoolParamType: "ja/nej",
    types.IntRange: "heltalsinterval",
    types.FloatRange: "talinterval",
}
_RICH_CONSTANTS = (
    "DEFAULT_STRING",
    "ENVVAR_STRING",
    "REQUIRED_LONG_STRING",
    "ARGUMENTS_PANEL_TITLE",
    "OPTIONS_PANEL_TITLE",
    "COMMANDS_PANEL_TITLE",
    "ERRORS_PANEL_TITLE",
    "ABORTED_TEXT",
    "RICH_HELP",
    "DEPRECATED_STRING",
)
_installed = False


def gettext(message: str) -> str:
    return _GETTEXT.get(message, message)


def translate(message: str) -> str:
    for pattern, danish in _MESSAGES:
        message = re.sub(pattern, danish, message)
    return message


def install() -> None:
    """Idempotent; the CLI calls it once when it is imported."""
    global _installed
    if _installed:
        return
    _installed = True
    rich: Any = typer.rich_utils
    for constant in _RICH_CONSTANTS:
        setattr(rich, constant, gettext(getattr(rich, constant)))
    core: Any = typer.core
    core._ = gettext
    for kind, danish in _TYPE_NAMES.items():
        kind.name = danish

    original_help_option = click_core.Command.get_help_option

    def get_help_option(self: Any, ctx: Any) -> Any:
        option = original_help_option(self, ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    click_core.Command.get_help_option = get_help_option  # type: ignore[method-assign]

    original_usage = formatting.HelpFormatter.write_usage

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        original_usage(self, prog, args, "Brug: " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]

    original_error: Callable[[Any], None] = rich.rich_format_error

    def rich_format_error(error: Any) -> None:
        message = translate(error.format_message())
        error.format_message = lambda: message
        original_error(error)

    rich.rich_format_error = rich_format_error
