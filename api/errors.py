"""Every error a client sees has one shape: `{"error": {"code", "message", "field"}}`.

Domain errors carry their own status and a message that is safe to show; request validation
becomes 422 with a Danish message naming the parameter; anything unexpected becomes a 500
with a generic message while the traceback goes to the log only. That includes a response
that fails its own model (pydantic's `ValidationError` raised while answering, FastAPI's
`ResponseValidationError`): that is our bug, never the client's, so it is not a 422.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match, Mount

from engine.errors import ConflictError, IndsatsError, UnknownPracticeError, UnknownValueError

log = logging.getLogger(__name__)
REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_SCOPE_KEY = "indsats.request_id"

_HTTP_CODES = {
    400: "bad_request",
    401: "auth_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
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


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def error_response(
    status: int,
    code: str,
    message: str,
    headers: Mapping[str, str] | None = None,
    field: str | None = None,
) -> JSONResponse:
    # A message that echoes client text must never turn an error into a 500: text that
    # cannot be UTF-8 (a lone surrogate) is shown with replacement characters instead.
    shown = message.encode("utf-8", "replace").decode("utf-8")
    return JSONResponse(
        error_body(code, shown, field), status_code=status, headers=dict(headers or {})
    )


def _where(error: Mapping[str, Any]) -> str:
    """'k', 'queries[2]', 'tests[0].label': the parameter or body field, as a client names it."""
    loc = [p for p in error.get("loc", ()) if p not in ("body", "query", "path", "header")]
    out = ""
    for part in loc:
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


def describe(errors: list[Any]) -> tuple[str, str | None]:
    """A Danish sentence for the first few problems, and the first field; never echoes the
    input back (it may be long or private)."""
    found = [e for e in errors if isinstance(e, Mapping)]
    parts = [f"{_where(e) or 'indholdet'} {_say(e)}" for e in found[:5]]
    more = f" (og {len(found) - 5} fejl mere)" if len(found) > 5 else ""
    field = _where(found[0]) or None if found else None
    return "Ugyldig forespørgsel: " + "; ".join(parts) + more + ".", field


def _over_http(exc: IndsatsError) -> str:
    """The engine's message, plus what to do about it with this API."""
    if isinstance(exc, ConflictError) and exc.initiative_id:
        return f"{exc.message} Brug PUT /v1/initiatives/{exc.initiative_id} for at erstatte den."
    if isinstance(exc, UnknownPracticeError):
        return f"{exc.message} Se GET /v1/practices."
    if isinstance(exc, UnknownValueError):
        return f"{exc.message} Se GET /v1/facets."
    return exc.message


async def _indsats_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, IndsatsError)
    if exc.status >= 500:
        log.warning("%s %s -> %d %s", request.method, request.url.path, exc.status, exc.message)
    field = exc.field or None if isinstance(exc, UnknownValueError) else None
    retry_after = getattr(exc, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return error_response(exc.status, exc.code, _over_http(exc), headers=headers, field=field)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    message, field = describe(list(exc.errors()))
    return error_response(422, "invalid_input", message, field=field)


_BODY_PARSE_ERROR = "There was an error parsing the body"


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and exc.detail == _BODY_PARSE_ERROR:
        # FastAPI's own 400 for a JSON body it could not read; malformed JSON is a 422, so
        # this is too (found by schemathesis: the 400 was undocumented and English).
        return error_response(422, "invalid_input", _unreadable_body(exc.__cause__))
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    if exc.status_code == 404:
        message = f"Ukendt adresse: {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"Metoden {request.method} er ikke tilladt på {request.url.path}"
    else:
        message = str(exc.detail)
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    return error_response(exc.status_code, code, message, headers=headers)


def _unreadable_body(cause: BaseException | None) -> str:
    """Why the body could not be read: not UTF-8, or a number Python refuses to read (more
    than 4,300 digits; a 5,000-digit `k` was called "not valid JSON in UTF-8")."""
    if isinstance(cause, ValueError) and "digits" in str(cause):
        return (
            "Ugyldig forespørgsel: et tal i indholdet har for mange cifre (højst 4300); send "
            "et tal inden for feltets grænser."
        )
    return "Ugyldig forespørgsel: indholdet er ikke gyldig JSON i UTF-8."


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
    return error_response(
        500,
        "internal_error",
        "Der opstod en intern fejl. Prøv igen, eller kontakt driften"
        + (f" og opgiv request-id {rid}." if rid else "."),
        # Sent outside every middleware: nosniff too must be added here.
        headers={"X-Content-Type-Options": "nosniff"}
        | ({REQUEST_ID_HEADER: rid} if isinstance(rid, str) else {}),
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(IndsatsError, _indsats_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
