"""Reading the API's error answers in tests: RFC 9457 problem details, shape checked."""

from __future__ import annotations

from typing import Any

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code", "errors"}


def problem(response: Any) -> dict[str, Any]:
    """The body of an error answer, after checking it is a whole problem (RFC 9457) whose
    `status` is the answer's and whose `type` names its `code`."""
    assert response.headers["content-type"] == "application/problem+json", response.headers
    body: dict[str, Any] = response.json()
    assert set(body) == PROBLEM_KEYS, body
    assert body["status"] == response.status_code, body
    assert body["type"] == f"/problems/{body['code']}", body
    assert all(set(e) == {"field", "message"} for e in body["errors"]), body
    return body


def summary(body: dict[str, Any]) -> dict[str, Any]:
    """`code`, `message` (the detail) and the first invalid `field` of a problem body (a
    batch item's `error` too), for tests that ask about those."""
    assert set(body) == PROBLEM_KEYS, body
    errors = body["errors"]
    return {
        "code": body["code"],
        "message": body["detail"],
        "field": errors[0]["field"] if errors else None,
    }


def error(response: Any) -> dict[str, Any]:
    return summary(problem(response))
