"""The command line reads its `INDSATS_*` settings here, so that a mistake in one becomes a
Danish message naming the variable, its value and what it must be (exit status 2 through
`cli.app._run`), not pydantic's English traceback.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError
from pydantic_settings import SettingsError

from engine.shared.errors import InvalidInputError
from engine.shared.settings import Settings

PREFIX = Settings.model_config.get("env_prefix", "")
ADVICE = "Ret variablen, eller fjern den for at bruge standardværdien."


def read_settings() -> Settings:
    """`Settings()` from the environment; a bad value raises `InvalidInputError` in Danish."""
    try:
        return Settings()
    except ValidationError as exc:
        lines = [_problem(error) for error in exc.errors()]
        raise InvalidInputError(" ".join([*lines, ADVICE])) from None
    except SettingsError as exc:
        # pydantic-settings gives up on a value it must decode as JSON (a list) before
        # validating, and names the field only in its English message.
        field = re.search(r'field "(\w+)"', str(exc))
        name = _variable(field.group(1)) if field else f"En af {PREFIX}*-variablerne"
        raise InvalidInputError(
            f"{name} kan ikke læses: værdien skal være JSON, en liste skrives fx "
            f'["https://jobcenter.eksempel.dk"]. {ADVICE}'
        ) from None


def _variable(field: object) -> str:
    return f"{PREFIX}{field}".upper()


def _problem(error: Any) -> str:
    """One of pydantic's errors as 'INDSATS_X er 'v', men skal være ...'."""
    loc = error.get("loc") or ("?",)
    where = _variable(loc[0])
    value = error.get("input")
    given = f"er {value!r}" if isinstance(value, str) else "mangler eller er forkert"
    return f"{where} {given}, men {_expected(error)}."


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _expected(error: Any) -> str:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    wants = {
        "int_parsing": "skal være et helt tal",
        "int_from_float": "skal være et helt tal",
        "float_parsing": "skal være et tal (fx 0.5)",
        "bool_parsing": "skal være true eller false",
        "greater_than_equal": f"skal være mindst {_number(ctx.get('ge'))}",
        "greater_than": f"skal være større end {_number(ctx.get('gt'))}",
        "less_than_equal": f"må højst være {_number(ctx.get('le'))}",
        "less_than": f"skal være mindre end {_number(ctx.get('lt'))}",
        "literal_error": f"skal være {str(ctx.get('expected', '')).replace(' or ', ' eller ')}",
    }
    return wants.get(kind, f"pydantic siger: {error.get('msg', kind)}")
