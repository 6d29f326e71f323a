"""The OpenAPI document: what FastAPI generates, plus what it cannot know by itself.

- The text limit of `q` and `situation` comes from the running settings
  (INDSATS_MAX_QUERY_CHARS), and "not blank" is written as a pattern that means exactly
  what the engine's `validate_text` means by white space (Python's `str.isspace`), so a
  client and a fuzzer agree with the server on which texts are accepted.
- The JSON page record that POST/PUT read by hand (they also take `text/plain`).
- The headers every answer carries (`X-Request-ID`) and those of GET answers (`ETag`,
  `Cache-Control`), added by middleware, and those a client may send to it (`X-Request-ID`,
  and `If-None-Match` for the 304), declared as parameters.
- Error answers as `application/problem+json` (RFC 9457), with the challenge of a 401
  (`WWW-Authenticate`) and the `Retry-After` of a 503.
"""

from __future__ import annotations

import sys
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.errors import PROBLEM_JSON
from api.requests import InitiativeRecord
from engine.shared.settings import Settings

TAGS = [
    {"name": "search", "description": "Søgning, anbefalinger og filtrenes værdier."},
    {"name": "initiatives", "description": "Indsatserne: læs, find lignende, skriv (med nøgle)."},
    {"name": "practices", "description": "Praksiskataloget: hvem svarer hvad."},
    {"name": "operations", "description": "Drift: kører processen, er den klar."},
]


def _blank_class() -> str:
    """Every character `str.isspace` calls white space, as a JSON Schema (ECMA) class."""
    spaces = [c for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    return "".join(f"\\u{c:04x}" for c in spaces)


NOT_BLANK = f"[^{_blank_class()}]"

_REQUEST_ID = {
    "description": "Forespørgslens id: det klienten sendte (hvis det er kort og enkelt), "
    "ellers et nyt. Står også i serverens log-linje.",
    "required": True,
    "schema": {"type": "string"},
}
_GET_HEADERS = {
    "ETag": {
        "description": "Svarets version; send den i If-None-Match for at få 304 Not Modified "
        "uden indhold, så længe svaret er uændret, eller i If-Match ved skrivning.",
        "required": True,
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "no-cache: må gemmes, men skal tjekkes igen (med If-None-Match).",
        "required": True,
        "schema": {"type": "string"},
    },
}
_ERROR_HEADERS = {
    "401": {
        "WWW-Authenticate": {
            "description": "Hvordan nøglen sendes: som Bearer-token eller i X-API-Key.",
            "required": True,
            "schema": {"type": "string"},
        }
    },
    "503": {
        "Retry-After": {
            "description": "Sekunder før et nyt forsøg giver mening.",
            "required": True,
            "schema": {"type": "string"},
        }
    },
}
# The headers a client may send, declared so a generated client takes them as arguments.
_SEND_REQUEST_ID = {
    "name": "X-Request-ID",
    "in": "header",
    "required": False,
    "description": "Jeres eget id for forespørgslen: er det højst 128 tegn af bogstaver, "
    "cifre og ._:/+=-, gentager svaret det, og serverens log-linje nævner det; ellers (og "
    "uden det) laves et nyt. Et andet id afvises ikke.",
    "schema": {"type": "string", "examples": ["integrator-42"]},
}
# The 304 is stated here and on the ETag, not as a response: a documented answer without a
# body makes openapi-python-client type every GET as returning `Any`; its generated `sync()`
# answers `None` for the 304 instead.
_IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "ETag fra et tidligere svar: er svaret uændret, kommer 304 Not Modified "
    "uden indhold (med ETag og X-Request-ID), og I bruger det gemte svar. `*` passer altid.",
    "schema": {"type": "string", "examples": ['"3f2a9c0d4b5e6f708192a3b4c5d6e7f8"']},
}


def build_openapi(app: FastAPI, settings: Settings) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=TAGS,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    record = InitiativeRecord.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(record.pop("$defs", {}))
    components["InitiativeRecord"] = record
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    limit = {"minLength": 1, "maxLength": settings.max_query_chars, "pattern": NOT_BLANK}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            _add_headers(path, method, operation)
            for parameter in operation.get("parameters", ()):
                if parameter["name"] == "q":
                    parameter["schema"].update(limit)
    components["RecommendRequest"]["properties"]["situation"].update(limit)
    app.openapi_schema = schema
    return schema


def _add_headers(path: str, method: str, operation: dict[str, Any]) -> None:
    responses = operation["responses"]
    for status, response in responses.items():
        headers = response.setdefault("headers", {})
        headers["X-Request-ID"] = _REQUEST_ID
        headers.update(_ERROR_HEADERS.get(status, {}))
        content = response.get("content", {})
        if int(status) >= 400 and "application/json" in content:
            response["content"] = {PROBLEM_JSON: content["application/json"]}
        if method == "get" and path.startswith("/v1/") and status == "200":
            headers.update(_GET_HEADERS)
    parameters = operation.setdefault("parameters", [])
    if method == "get" and path.startswith("/v1/"):
        parameters.append(_IF_NONE_MATCH)
    parameters.append(_SEND_REQUEST_ID)
