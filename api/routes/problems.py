"""`/problems/{code}`: what a problem's `type` URI points at (RFC 9457 asks that a type URI
say what the problem means when it is looked up)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.exceptions import HTTPException

from api.problems import PROBLEMS, type_uri

router = APIRouter(include_in_schema=False)


@router.get("/problems/{code}")
def get_problem_type(code: str) -> dict[str, Any]:
    kind = PROBLEMS.get(code)
    if kind is None:
        raise HTTPException(404)
    return {
        "type": type_uri(code),
        "code": code,
        "title": kind.title,
        "status": kind.status,
        "description": kind.when,
    }
