"""Every error a client sees is an RFC 9457 problem (`application/problem+json`):
`{"type", "title", "status", "detail", "instance", "code", "errors": [{"field", "message"}]}`.

Domain errors carry a code, which `api/problems.py` turns into a status; request validation
becomes one 422 that lists every invalid parameter and field in Danish, an unknown one with
the known name it is closest to; anything unexpected becomes a 500 with a generic message
while the traceback goes to the log only. That includes a response that fails its own model
(pydantic's `ValidationError` raised while answering, FastAPI's `ResponseValidationError`):
that is our bug, never the client's, so it is not a 422.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.routing import Match, Mount

from api.models import BatchSearchFailure, FieldError, Problem
from api.problems import ApiError, headers_for, problem_type, type_uri
from engine.facade.answers import QueryFailure
from engine.shared.errors import (
    ConflictError,
    IndsatsError,
    InvalidInputError,
    UnknownPracticeError,
    UnknownValueError,
)

log = logging.getLogger(__name__)
REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_SCOPE_KEY = "indsats.request_id"
PROBLEM_JSON = "application/problem+json"
# The engine's names for inputs whose API name differs; the others are the same.
ENGINE_FIELDS = {"text": "q"}

_HTTP_CODES = {
    400: "bad_request",
    401: "auth_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}

# pydantic's error types in Danish; `{...}` are taken from the error's context.
_DANISH = {
    "missing": "mangler",
    "int_parsing": "skal være et heltal",
    "int_type": "skal være et heltal",
    "int_from_float": "skal være et heltal",
    "float_parsing": "skal være et tal",
    "float_type": "skal være et tal",
    "finite_number": "skal være et endeligt tal",
    "bool_type": "skal være true eller false",
    "bool_parsing": "skal være true eller false",
    "string_type": "skal være en tekst",
    "list_type": "skal være en liste",
    "dict_type": "skal være et objekt",
    "model_type": "skal være et objekt",
    "model_attributes_type": "skal være et objekt",
    "greater_than_equal": "skal være mindst {ge}",
    "greater_than": "skal være større end {gt}",
    "less_than_equal": "må højst være {le}",
    "less_than": "skal være mindre end {lt}",
    "string_too_short": "skal have mindst {min_length} tegn",
    "string_too_long": "må højst have {max_length} tegn",
    "too_short": "skal have mindst {min_length} elementer",
    "too_long": "må højst have {max_length} elementer",
    "string_pattern_mismatch": "har ikke den rigtige form ({pattern})",
    "literal_error": "skal være en af: {expected}",
    "enum": "skal være en af: {expected}",
    "extra_forbidden": "kendes ikke",
    "json_invalid": "er ikke gyldig JSON",
    "json_type": "er ikke gyldig JSON",
    "string_unicode": "er ikke gyldig UTF-8",
}


def _shown(text: str) -> str:
    """Text that echoes client input must never turn an error into a 500: what cannot be
    UTF-8 (a lone surrogate) is shown with replacement characters instead."""
    return text.encode("utf-8", "replace").decode("utf-8")


def problem(
    code: str,
    detail: str,
    instance: str | None,
    errors: Iterable[FieldError] = (),
    status: int | None = None,
) -> Problem:
    kind = problem_type(code)
    return Problem(
        type=type_uri(code),
        title=kind.title,
        status=status or kind.status,
        detail=_shown(detail),
        instance=instance,
        code=code,
        errors=[FieldError(field=_shown(e.field), message=_shown(e.message)) for e in errors],
    )


def problem_response(found: Problem, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        found.model_dump(mode="json"),
        status_code=found.status,
        headers={**headers_for(found.code), **(headers or {})},
        media_type=PROBLEM_JSON,
    )


# request validation --------------------------------------------------------------------------
def _where(loc: Sequence[Any]) -> str:
    """'k', 'queries[2]', 'tests[0].name': the parameter or body field, as a client names it."""
    out = ""
    for part in loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _say(error: Mapping[str, Any]) -> str:
    template = _DANISH.get(str(error.get("type", "")))
    if template is None:
        return "er ugyldig"
    try:
        # pydantic lists the choices as "'a', 'b' or 'c'"
        return template.format(**(error.get("ctx") or {})).replace("' or '", "' eller '")
    except (KeyError, IndexError):
        return template.split(" {", 1)[0].split(" (", 1)[0]


def _resolve(node: Any, schemas: Mapping[str, Any]) -> Any:
    """A schema node with `$ref`s followed and optional (`anyOf` with null) unwrapped."""
    while isinstance(node, dict):
        if "$ref" in node:
            node = schemas.get(str(node["$ref"]).rsplit("/", 1)[-1], {})
        elif "anyOf" in node:
            node = next((n for n in node["anyOf"] if n.get("type") != "null"), {})
        else:
            return node
    return {}


def _known_names(request: Request, loc: Sequence[Any]) -> list[str]:
    """The names the schema knows where `loc` points: the operation's query parameters,
    or the properties of the body object that holds the unknown field."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not loc:
        return []
    schema = request.app.openapi()
    operation = schema["paths"].get(route.path_format, {}).get(request.method.lower(), {})
    if loc[0] == "query":
        return [p["name"] for p in operation.get("parameters", ()) if p.get("in") == "query"]
    if loc[0] != "body":
        return []
    schemas = schema.get("components", {}).get("schemas", {})
    content = operation.get("requestBody", {}).get("content", {})
    node = _resolve(content.get("application/json", {}).get("schema", {}), schemas)
    for part in loc[1:-1]:
        if isinstance(part, int):
            node = _resolve(node.get("items", {}), schemas)
        else:
            node = _resolve(node.get("properties", {}).get(part, {}), schemas)
    return list(node.get("properties", {}))


def _unknown(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"kendes ikke; mente du '{close[0]}'?"
    return "kendes ikke; kendte: " + ", ".join(known) if known else "kendes ikke"


def field_errors(errors: Iterable[Any], request: Request | None = None) -> list[FieldError]:
    """One entry per problem pydantic found, in Danish; never echoes the input back (it may
    be long or private), only the name of an unknown field."""
    out = []
    for error in errors:
        if not isinstance(error, Mapping):
            continue
        loc = tuple(error.get("loc", ()))
        message = _say(error)
        if error.get("type") == "extra_forbidden" and request is not None and loc:
            message = _unknown(str(loc[-1]), _known_names(request, loc))
        out.append(FieldError(field=_where(loc), message=message))
    return out


def describe(found: Sequence[FieldError]) -> str:
    """A Danish sentence for the first few problems (all of them are in `errors`)."""
    parts = [f"{e.field or 'indholdet'} {e.message}" for e in found[:5]]
    more = f" (og {len(found) - 5} fejl mere)" if len(found) > 5 else ""
    return "Ugyldig forespørgsel: " + "; ".join(parts) + more + "."


# domain errors -----------------------------------------------------------------------------
def _over_http(exc: IndsatsError) -> str:
    """The engine's message, plus what to do about it with this API."""
    if isinstance(exc, ConflictError) and exc.initiative_id:
        return f"{exc.message} Brug PUT /v1/initiatives/{exc.initiative_id} for at erstatte den."
    if isinstance(exc, UnknownPracticeError):
        return f"{exc.message} Se GET /v1/practices."
    if isinstance(exc, UnknownValueError):
        return f"{exc.message} Se GET /v1/facets."
    return exc.message


def engine_problem(exc: IndsatsError, instance: str | None) -> Problem:
    """The problem for a domain error, naming the input by the API's name for it."""
    errors: list[FieldError] = []
    if isinstance(exc, InvalidInputError) and exc.field:
        field = ENGINE_FIELDS.get(exc.field, exc.field)
        errors.append(FieldError(field=field, message=exc.message))
    return problem(exc.code, _over_http(exc), instance, errors)


def batch_failure(failure: QueryFailure, index: int) -> BatchSearchFailure:
    """A failed query of a batch, in its place; its field is its place in `queries`."""
    field = f"queries[{index}]" if failure.field == "text" else failure.field
    errors = [FieldError(field=field, message=failure.message)] if field else []
    found = problem(failure.code, failure.message, "/v1/search/batch", errors)
    return BatchSearchFailure(query=failure.query, error=found)


# the handlers ------------------------------------------------------------------------------
async def _indsats_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, IndsatsError)
    found = engine_problem(exc, request.url.path)
    if found.status >= 500:
        log.warning("%s %s -> %d %s", request.method, request.url.path, found.status, exc.message)
    return problem_response(found)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return problem_response(problem(exc.code, exc.message, request.url.path), exc.headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    found = field_errors(exc.errors(), request)
    return problem_response(problem("invalid_input", describe(found), request.url.path, found))


_BODY_PARSE_ERROR = "There was an error parsing the body"


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    path = request.url.path
    if exc.status_code == 400 and exc.detail == _BODY_PARSE_ERROR:
        # FastAPI's own 400 for a JSON body it could not read; malformed JSON is a 422, so
        # this is too (found by schemathesis: the 400 was undocumented and English).
        invalid = [FieldError(field="", message=_unreadable_body(exc.__cause__))]
        return problem_response(problem("invalid_input", describe(invalid), path, invalid))
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    if exc.status_code == 404:
        message = f"Ukendt adresse: {request.method} {path}"
    elif exc.status_code == 405:
        message = f"Metoden {request.method} er ikke tilladt på {path}"
    else:
        message = str(exc.detail)
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    found = problem(code, message, path, status=exc.status_code)
    return problem_response(found, headers)


def _unreadable_body(cause: BaseException | None) -> str:
    """Why the body could not be read: not UTF-8, or a number Python refuses to read (more
    than 4,300 digits; a 5,000-digit `k` was called "not valid JSON in UTF-8")."""
    if isinstance(cause, ValueError) and "digits" in str(cause):
        return "har et tal med for mange cifre (højst 4300); send et tal inden for feltets grænser"
    return "er ikke gyldig JSON i UTF-8"


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_STATIC_METHODS = {"GET", "HEAD"}  # all StaticFiles serves


def _allowed_methods(request: Request) -> str:
    """Every method some route serves on this path, found by asking the router about each
    method in turn. Walking the routes broke when FastAPI began to wrap included routers
    (every 405 then said `Allow:` with nothing), and Starlette's own 405 names only the
    first route's methods (`Allow: GET` on /v1/initiatives, which also takes POST). A 405
    from inside a mount (the static files) sees the mount's root path in its scope, so the
    probe starts from the app's; a mount takes every method, its files only GET and HEAD.
    HEAD is served wherever GET is (`HeadMiddleware`)."""
    top = request.scope.get("app_root_path", request.scope.get("root_path", ""))
    scope = {**request.scope, "root_path": top}
    allowed = set()
    for method in _METHODS:
        probe = {**scope, "method": method}
        for route in request.app.router.routes:
            if route.matches(probe)[0] is not Match.FULL:
                continue
            if not isinstance(route, Mount) or method in _STATIC_METHODS:
                allowed.add(method)
    if "GET" in allowed:
        allowed.add("HEAD")
    return ", ".join(m for m in _METHODS if m in allowed)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Starlette answers this outside every middleware, so the request id is added here.
    rid = request.scope.get(REQUEST_ID_SCOPE_KEY)
    log.error(
        "Uventet fejl i %s %s request_id=%s", request.method, request.url.path, rid, exc_info=exc
    )
    message = "Der opstod en intern fejl. Prøv igen, eller kontakt driften" + (
        f" og opgiv request-id {rid}." if rid else "."
    )
    # Sent outside every middleware: nosniff too must be added here.
    headers = {"X-Content-Type-Options": "nosniff"} | (
        {REQUEST_ID_HEADER: rid} if isinstance(rid, str) else {}
    )
    return problem_response(problem("internal_error", message, request.url.path), headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(IndsatsError, _indsats_error)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
