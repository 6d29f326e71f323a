"""Request dependencies: the ready engine, and the write key."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from api.problems import ApiError
from engine.service import Engine

_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="INDSATS_API_KEY")


def get_engine(request: Request) -> Engine:
    """The loaded engine, refreshed if another worker wrote since (one small file read)."""
    engine: Engine | None = request.app.state.engine
    if engine is None:
        error = request.app.state.engine_error
        raise ApiError("unavailable", error or "Tjenesten starter stadig; prøv igen om lidt.")
    engine.refresh()
    return engine


def require_write_key(
    request: Request, key: Annotated[str | None, Security(_key_header)] = None
) -> None:
    secret = request.app.state.settings.api_key
    if secret is None:
        raise ApiError(
            "forbidden",
            "Skrivning er slået fra på denne server. Sæt miljøvariablen INDSATS_API_KEY, "
            "genstart, og send nøglen i headeren X-API-Key.",
        )
    if not key:
        raise ApiError(
            "auth_required", "Skrivning kræver headeren X-API-Key med serverens API-nøgle."
        )
    if not hmac.compare_digest(key.encode("utf-8"), secret.get_secret_value().encode("utf-8")):
        raise ApiError("forbidden", "API-nøglen i X-API-Key er forkert.")


EngineDep = Annotated[Engine, Depends(get_engine)]
WriteKey = Depends(require_write_key)
