"""The OpenAPI document: what FastAPI generates, plus what it cannot know by itself.

- The text limit of `q` and `situation` comes from the running settings
  (INDSATS_MAX_QUERY_CHARS), and "not blank" is written as a pattern that means exactly
  what the engine's `validate_text` means by white space (Python's `str.isspace`), so a
  client and a fuzzer agree with the server on which texts are accepted.
- The JSON page record that POST/PUT read by hand (they also take `text/plain`).
- The headers every answer carries (`X-Request-ID`) and those of GET answers (`ETag`,
  `Cache-Control`, and the 304 for a matching `If-None-Match`), added by middleware.
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
from engine.settings import Settings

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
        "description": "Svarets version; send den i If-None-Match for at få 304.",
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
_NOT_MODIFIED = {
    "description": "Uændret: If-None-Match svarer til den nuværende ETag.",
    "headers": {"X-Request-ID": _REQUEST_ID, **_GET_HEADERS},
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
    if method == "get" and path.startswith("/v1/"):
        responses["304"] = _NOT_MODIFIED
