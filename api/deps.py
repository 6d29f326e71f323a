"""Request dependencies: the ready engine, the write key, and the checks every operation's
parameters get (no unknown query parameter, UTF-8 throughout)."""

from __future__ import annotations

import hmac
from typing import Annotated, Any
from urllib.parse import unquote_to_bytes

from fastapi import Depends, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.params import NoQuery
from api.problems import ApiError
from engine.facade.engine import Engine

# The key in X-API-Key, or as a bearer token: a generated client's AuthenticatedClient sends
# `Authorization: Bearer <token>` as it is, with no header name or prefix to configure.
_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="INDSATS_API_KEY")
_bearer = HTTPBearer(auto_error=False, description="INDSATS_API_KEY som Bearer-token")


def get_engine(request: Request) -> Engine:
    """The loaded engine, refreshed if another worker wrote since (one small file read)."""
    engine: Engine | None = request.app.state.engine
    if engine is None:  # still starting, or trying again after a failure
        startup = getattr(request.app.state, "startup", None)
        if startup is None:  # the lifespan has not begun the start-up yet
            raise ApiError("unavailable", "Tjenesten starter stadig; prøv igen om lidt.")
        retry = {"Retry-After": str(startup.retry_after())}
        raise ApiError("unavailable", startup.status(), headers=retry)
    engine.refresh()
    return engine


def require_write_key(
    request: Request,
    header: Annotated[str | None, Security(_key_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> None:
    key = header or (bearer.credentials if bearer is not None else None)
    secret = request.app.state.settings.api_key
    if secret is None:
        raise ApiError(
            "forbidden",
            "Skrivning er slået fra på denne server. Sæt miljøvariablen INDSATS_API_KEY, "
            "genstart, og send nøglen i headeren X-API-Key.",
        )
    if not key:
        raise ApiError(
            "auth_required",
            "Skrivning kræver serverens API-nøgle i headeren X-API-Key (eller som "
            "Authorization: Bearer <nøgle>).",
        )
    if not hmac.compare_digest(key.encode("utf-8"), secret.get_secret_value().encode("utf-8")):
        raise ApiError("forbidden", "API-nøglen er forkert.")


EngineDep = Annotated[Engine, Depends(get_engine)]
WriteKey = Depends(require_write_key)


def _no_query(_: Annotated[NoQuery, Query()]) -> None:
    """Validates the query string of an operation that takes none: any parameter is unknown."""


def _utf8(raw: bytes) -> bool:
    try:
        unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def require_utf8(request: Request) -> None:
    """A parameter that is not UTF-8 once its %-escapes are undone (`?q=%ED%A0%80`) is a 422
    naming it. Starlette would hand the app U+FFFD in its place, and a search for "���" is
    no answer to what was sent."""
    errors: list[dict[str, Any]] = []
    for pair in bytes(request.scope.get("query_string", b"")).split(b"&"):
        name, _, value = pair.partition(b"=")
        if not (_utf8(name) and _utf8(value)):
            shown = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace")
            errors.append({"type": "string_unicode", "loc": ("query", shown)})
    if not _utf8(bytes(request.scope.get("raw_path", b""))):
        where = next(iter(request.path_params), "path")
        errors.append({"type": "string_unicode", "loc": ("path", where)})
    if errors:
        raise RequestValidationError(errors)


def require_json(request: Request) -> None:
    """A JSON-only body in another type (or none) is a 415, as a page in an unknown type is,
    not a 422 saying the body is no object."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise ApiError(
            "unsupported_media_type",
            f"Indholdstypen '{media[:80] or 'ingen'}' kendes ikke her: send indholdet som "
            "application/json.",
        )


NoQueryParams = Depends(_no_query)
JsonBody = Depends(require_json)
Utf8Params = Depends(require_utf8)
