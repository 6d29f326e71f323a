"""The command line's own texts in Danish, through the hooks Typer and Click offer.

Typer and the Click it vendors ship no Danish; they write usage, help and errors in English.
Instead of patching their modules, the CLI's app and commands are `DanishGroup` and
`DanishCommand` (Typer's documented `cls=`), which use Click's extension points: their
context makes a `DanishFormatter` (`Context.formatter_class`), which writes the usage prefix,
the section headings and the option rows in Danish; their help option gets a Danish text
(`get_help_option`); and the group's `main` runs Click without its standalone error
handling and writes usage errors itself, through `translate`. Help is plain text
(`rich_markup_mode=None`): Typer's rich help takes its texts from module constants read at
import, which no hook reaches. Unknown texts pass through unchanged; tests/cli/test_danish.py
checks the texts a user meets, so a Typer update that rewords them fails a test instead of
going back to English quietly (and tests/test_dependencies.py names the hooks this needs).
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import typer
from typer._click.formatting import HelpFormatter
from typer.core import TyperCommand, TyperGroup

HELP_TEXT = "Vis denne hjælp og afslut."
USAGE_PREFIX = "Brug: "
_HEADINGS = {"Options": "Tilvalg", "Arguments": "Argumenter", "Commands": "Kommandoer"}
# The value types' names in an option row (`-k <int>`), as this Typer writes them.
_TYPES: tuple[tuple[str, str], ...] = (
    (r"<int(?: range)?>", "<heltal>"),
    (r"<float(?: range)?>", "<tal>"),
    (r"<str>", "<tekst>"),
    (r"<boolean>", "<ja/nej>"),
    (r"<path>", "<sti>"),
    (r"<filename>", "<fil>"),
)
# Typer's notes after an option's help: `[default: 5; required]`.
_NOTES: tuple[tuple[str, str], ...] = (
    (r"\bdefault: ", "standard: "),
    (r"\benv var: ", "miljøvariabel: "),
    (r"\brequired\]", "påkrævet]"),
    (r"\(deprecated\)", "(forældet)"),
)
# Click's and Typer's error messages, whole or in part, in the order they are tried.
_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"^No such option: (.+)$", r"Tilvalget '\1' findes ikke."),
    (r"\(Possible options: (.+)\)", r"(Mulige tilvalg: \1)"),
    (r"^No such command (.+)\.", r"Kommandoen \1 findes ikke."),
    (r"\.? Did you mean (.+)\?$", r". Mente du \1?"),
    (r"^Missing command\.", "Mangler en kommando."),
    (r"^Missing argument (.+)\.", r"Mangler argumentet \1."),
    (r"^Missing option (.+)\.", r"Mangler tilvalget \1."),
    (r"^Missing parameter(.*)\.", r"Mangler parameteren\1."),
    (r"^Invalid value for (.+?): ", r"Ugyldig værdi for \1: "),
    (r"^Invalid value: ", "Ugyldig værdi: "),
    (r"(.+) is not a valid int(?:eger)?(?: range)?\.", r"\1 er ikke et gyldigt heltal."),
    (r"(.+) is not a valid float(?: range)?\.", r"\1 er ikke et gyldigt tal."),
    (r"(.+) is not in the range (.+)\.", r"\1 er ikke i intervallet \2."),
    (r"(.+) is not one of (.+)\.", r"\1 er ikke en af \2."),
    (r"(.+) is not a valid boolean\. Recognized values: (.+)", r"\1 er ikke ja/nej (\2)."),
    (r"^Got unexpected extra arguments? \((.+)\)", r"Uventede ekstra argumenter (\1)"),
    (r"^Option (.+) does not take a value\.", r"Tilvalget \1 tager ingen værdi."),
    (r"^Option (.+) requires (.+)", r"Tilvalget \1 kræver en værdi (\2)"),
)


def _replace(text: str, rules: Sequence[tuple[str, str]]) -> str:
    for pattern, danish in rules:
        text = re.sub(pattern, danish, text)
    return text


def translate(message: str) -> str:
    """An error message of Click's or Typer's in Danish (unknown ones unchanged)."""
    return _replace(message, _MESSAGES)


class DanishFormatter(HelpFormatter):
    """Click's help formatter with Danish headings, usage prefix, type names and notes."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, USAGE_PREFIX if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(_HEADINGS.get(heading, heading))

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        danish = [(_replace(term, _TYPES), _replace(text, _NOTES)) for term, text in rows]
        super().write_dl(danish, col_max, col_spacing)


class DanishContext(typer.Context):
    formatter_class = DanishFormatter


class _Danish:
    """What the group and its commands share: the help option's text."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
        return option


class DanishCommand(_Danish, TyperCommand):
    """A command (`@app.command(cls=DanishCommand)`)."""

    context_class = DanishContext


class DanishGroup(_Danish, TyperGroup):
    """The app (`typer.Typer(cls=DanishGroup, rich_markup_mode=None)`): writes usage errors
    in Danish, with Click's exit statuses (2 for usage, 1 for an abort)."""

    context_class = DanishContext

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """Each command with the first paragraph of its help, wrapped, not Click's first
        sentence cut to the width ("... pr." ends a sentence for Click)."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                first = inspect.cleandoc(command.help or "").split("\n\n")[0]
                rows.append((name, " ".join(first.split())))
        if rows:
            with formatter.section("Kommandoer"):
                formatter.write_dl(rows)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        def run() -> Any:
            return super(DanishGroup, self).main(
                args, prog_name, complete_var, False, windows_expand_args, **extra
            )

        if not standalone_mode:
            return run()
        try:
            result = run()
        except typer.Abort:
            typer.echo("Afbrudt!", err=True)
            sys.exit(1)
        except typer.TyperException as error:  # Click's own errors derive from it
            _show(error)
        # Without standalone mode, Click returns an `Exit`'s code (0 after --help).
        sys.exit(result if isinstance(result, int) else 0)


def _show(error: typer.TyperException) -> NoReturn:
    """Like Click's `UsageError.show`: the usage line, where to get help, then the error."""
    ctx: typer.Context | None = getattr(error, "ctx", None)
    if type(error).__name__ == "NoArgsIsHelpError":  # its message is the help
        typer.echo(error.format_message(), err=True)
        sys.exit(error.exit_code)
    if ctx is not None:
        typer.echo(ctx.get_usage(), err=True)
        if ctx.command.get_help_option(ctx) is not None:
            hint = f"{ctx.command_path} {ctx.help_option_names[0]}"
            typer.echo(f"Skriv '{hint}' for hjælp.", err=True)
        typer.echo("", err=True)
    fejl = typer.style("Fejl:", fg="red", bold=True)
    typer.echo(f"{fejl} {translate(error.format_message())}", err=True)
    sys.exit(error.exit_code)
