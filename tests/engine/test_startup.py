"""A start that fails is tried again with growing pauses, and says why without paths."""

from __future__ import annotations

import errno
import logging

import pytest

from engine.serving.state import RETRY_MAX, Startup, failure_text
from engine.shared.errors import ModelLoadError


def test_a_failed_start_is_tried_again_with_growing_pauses(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    outcomes: list[Exception | str] = [
        OSError(errno.ENOSPC, "No space left on device", "/srv/hemmelig/data/index/.tmp-1"),
        OSError(errno.EROFS, "Read-only file system", "/srv/hemmelig/data/lock"),
        *[ModelLoadError("Modellen i /srv/hemmelig/models kan ikke læses.")] * 8,
        "engine",
    ]
    pauses: list[float] = []
    statuses: list[str] = []

    def open_engine() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    startup: Startup[str] = Startup(open_engine, wait=lambda s: pauses.append(s) or False)
    assert startup.run(lambda: statuses.append(startup.status())) == "engine"
    assert pauses == [1, 2, 4, 8, 16, 32, RETRY_MAX, RETRY_MAX, RETRY_MAX, RETRY_MAX]
    assert startup.problem is None and startup.failures == 10
    assert "fuld" in statuses[0] and "(.tmp-1)" in statuses[0]
    assert "Read-only file system (lock)" in statuses[1]
    assert all("/srv" not in s and "genstart er ikke nødvendig" in s for s in statuses)
    logged = [r.getMessage() for r in caplog.records if r.name == "engine.serving.state"]
    assert any("forsøg 1" in m and "fuld" in m for m in logged), logged
    assert any("startede ved forsøg 11" in m for m in logged), logged


def test_stopping_ends_the_tries() -> None:
    def never() -> str:
        raise OSError(errno.EIO, "Input/output error")

    tries: list[float] = []
    startup: Startup[str] = Startup(never, wait=lambda s: tries.append(s) or len(tries) == 3)
    assert startup.run() is None
    assert len(tries) == 3 and startup.problem is not None
    assert startup.retry_after() >= 1


def test_an_unexpected_error_names_only_its_kind() -> None:
    text = failure_text(RuntimeError("/srv/hemmelig/x: key=abc"))
    assert text.startswith("Uventet fejl (RuntimeError)") and "hemmelig" not in text
