"""The command line's own texts in Danish.

Click and Typer write their messages ("Show this message and exit.", "No such option",
"Missing argument", the help panels' titles) through gettext's `_` and `ngettext`, and ship
no Danish catalogue. `install()` gives each of their modules a `_`/`ngettext` that looks the
English text up in `DANISH` (unknown texts pass through unchanged), sets the panel titles
Typer reads once at import, and names the value types in Danish (`-k abc` says "heltal",
not "integer"). tests/cli/test_danish.py checks the texts a user meets, so a library
update that moves them fails a test instead of going back to English quietly.
"""

from __future__ import annotations

import importlib
from typing import Any

from click import types as click_types

DANISH: dict[str, str] = {
    "Show this message and exit.": "Vis denne hjælp og afslut.",
    "Usage:": "Brug:",
    "Options": "Tilvalg",
    "Arguments": "Argumenter",
    "Commands": "Kommandoer",
    "Error": "Fejl",
    "Error: {message}": "Fejl: {message}",
    "Aborted.": "Afbrudt.",
    "Aborted!": "Afbrudt!",
    "Try [blue]'{command_path} {help_option}'[/] for help.": (
        "Skriv [blue]'{command_path} {help_option}'[/] for hjælp."
    ),
    "Try '{command} {option}' for help.": "Skriv '{command} {option}' for hjælp.",
    "[default: {}]": "[standard: {}]",
    "[required]": "[påkrævet]",
    "[env var: {}]": "[miljøvariabel: {}]",
    "default: {default}": "standard: {default}",
    "required": "påkrævet",
    "env var: {var}": "miljøvariabel: {var}",
    "(deprecated) ": "(forældet) ",
    "No such option {name!r}.": "Tilvalget {name!r} findes ikke.",
    "No such command {name!r}.": "Kommandoen {name!r} findes ikke.",
    "Did you mean {possibility}?": "Mente du {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Mente du en af: {possibilities}?)",
    "Missing argument": "Mangler argumentet",
    "Missing option": "Mangler tilvalget",
    "Missing parameter": "Mangler parameteren",
    "Missing {param_type}": "Mangler {param_type}",
    "Missing parameter: {param_name}": "Mangler parameteren: {param_name}",
    "Missing command.": "Mangler en kommando.",
    "Invalid value for {param_hint}: {message}": "Ugyldig værdi for {param_hint}: {message}",
    "Invalid value: {message}": "Ugyldig værdi: {message}",
    "{value!r} is not a valid {number_type}.": "{value!r} er ikke et gyldigt {number_type}.",
    "{value} is not in the range {range}.": "{value} er ikke i intervallet {range}.",
    "{value!r} is not {choice}.": "{value!r} er ikke {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} er ikke en af {choices}.",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} er ikke ja/nej. Mulige værdier: {states}"
    ),
    "Option {name!r} does not take a value.": "Tilvalget {name!r} tager ingen værdi.",
    "Option {name!r} requires an argument.": "Tilvalget {name!r} kræver en værdi.",
    "Option {name!r} requires {nargs} arguments.": "Tilvalget {name!r} kræver {nargs} værdier.",
    "Got unexpected extra argument ({args})": "Uventet ekstra argument ({args})",
    "Got unexpected extra arguments ({args})": "Uventede ekstra argumenter ({args})",
    "{name} {filename!r} does not exist.": "{name} {filename!r} findes ikke.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} er en mappe.",
    "{name} {filename!r} is a file.": "{name} {filename!r} er en fil.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} kan ikke læses.",
    "file": "filen",
    "directory": "mappen",
    "path": "stien",
}

_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.termui",
    "click.types",
    "click.utils",
    "typer.core",
    "typer.main",
    "typer.rich_utils",
)
_TYPE_NAMES: dict[Any, str] = {
    click_types.IntParamType: "heltal",
    click_types.FloatParamType: "tal",
    click_types.StringParamType: "tekst",
    click_types.BoolParamType: "ja/nej",
    click_types.Path: "sti",
    click_types.IntRange: "heltalsinterval",
    click_types.FloatRange: "talinterval",
}


def gettext(message: str) -> str:
    return DANISH.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def install() -> None:
    """Idempotent; called once when the CLI is imported."""
    for name in _MODULES:
        module: Any = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
    rich: Any = importlib.import_module("typer.rich_utils")
    for constant in (
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
    ):
        english = _ENGLISH.setdefault(constant, getattr(rich, constant))
        setattr(rich, constant, gettext(english))
    for kind, danish in _TYPE_NAMES.items():
        kind.name = danish


_ENGLISH: dict[str, str] = {}
