"""Every error a client sees has one shape: `{"error": {"code": ..., "message": ...}}`.

Domain errors carry their own status and a message that is safe to show; request validation
becomes 422; anything unexpected becomes a 500 with a generic message while the traceback
goes to the log only.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from engine.errors import ConflictError, IndsatsError, UnknownPracticeError

log = logging.getLogger(__name__)

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


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    # A message that echoes client text must never turn an error into a 500: text that
    # cannot be UTF-8 (a lone surrogate) is shown with replacement characters instead.
    shown = message.encode("utf-8", "replace").decode("utf-8")
    return JSONResponse(
        {"error": {"code": code, "message": shown}}, status_code=status, headers=headers
    )


def _describe(errors: list[object]) -> str:
    """'k (query): Input should be ...' for the first few problems; never echoes the input."""
    parts = []
    for error in errors[:5]:
        if not isinstance(error, dict):
            continue
        loc = [str(p) for p in error.get("loc", ()) if p not in ("body",)]
        where = (
            ".".join(loc[1:]) if loc and loc[0] in ("query", "path", "header") else ".".join(loc)
        )
        kind = f" ({loc[0]})" if loc and loc[0] in ("query", "path", "header") else ""
        parts.append(f"{where or 'body'}{kind}: {error.get('msg', 'ugyldig')}")
    more = f" (og {len(errors) - 5} fejl mere)" if len(errors) > 5 else ""
    return "Ugyldig forespørgsel: " + "; ".join(parts) + more


def _over_http(exc: IndsatsError) -> str:
    """The engine's message, plus what to do about it with this API."""
    if isinstance(exc, ConflictError) and exc.initiative_id:
        return f"{exc.message} Brug PUT /v1/initiatives/{exc.initiative_id} for at erstatte den."
    if isinstance(exc, UnknownPracticeError):
        return f"{exc.message} Se GET /v1/practices."
    return exc.message


async def _indsats_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, IndsatsError)
    if exc.status >= 500:
        log.warning("%s %s -> %d %s", request.method, request.url.path, exc.status, exc.message)
    return error_response(exc.status, exc.code, _over_http(exc))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError | ValidationError)
    return error_response(422, "invalid_input", _describe(list(exc.errors())))


_BODY_PARSE_ERROR = "There was an error parsing the body"


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and exc.detail == _BODY_PARSE_ERROR:
        # FastAPI's own 400 for a JSON body that is not UTF-8; malformed JSON in UTF-8 is a
        # 422, so this is too (found by schemathesis: the 400 was undocumented and English).
        return error_response(
            422,
            "invalid_input",
            "Ugyldig forespørgsel: indholdet er ikke gyldig JSON i UTF-8.",
        )
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    if exc.status_code == 404:
        message = f"Ukendt adresse: {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"Metoden {request.method} er ikke tilladt på {request.url.path}"
    else:
        message = str(exc.detail)
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    return error_response(exc.status_code, code, message, headers=headers)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> str:
    """Every method some route serves on this path, found by asking the router about each
    method in turn. Walking the routes broke when FastAPI began to wrap included routers
    (every 405 then said `Allow:` with nothing), and Starlette's own 405 names only the
    first route's methods (`Allow: GET` on /v1/initiatives, which also takes POST)."""
    allowed = []
    for method in _METHODS:
        probe = {**request.scope, "method": method}
        if any(route.matches(probe)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return ", ".join(allowed)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("Uventet fejl i %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        500, "internal_error", "Der opstod en intern fejl. Prøv igen, eller kontakt driften."
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(IndsatsError, _indsats_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
