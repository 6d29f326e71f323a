"""`GuardedProtocol` (api/server.py) in front of uvicorn's protocol: the head limit is the
documented one and is enforced before uvicorn reads the head, and the one uvicorn internal it
leans on, the protocol class's constructor, is checked with a message that says what to do
when uvicorn moves it (issue 26 item 4, issue 28 item 3)."""

from __future__ import annotations

import asyncio
import inspect
import json
import tomllib
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

from api.server import GuardedProtocol

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 1024


class _Inner(asyncio.Protocol):
    """Stands in for uvicorn's protocol and records what reaches it."""

    def __init__(self, **uvicorn: Any) -> None:
        self.kwargs = uvicorn
        self.received = b""
        self.lost = False

    def data_received(self, data: bytes) -> None:
        self.received += data

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True


class _Guarded(GuardedProtocol):
    inner_class = _Inner


class _Transport:
    def __init__(self) -> None:
        self.written = b""
        self.closed = False

    def write(self, data: bytes) -> None:
        self.written += data

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    try:
        yield loop
    finally:
        loop.close()


def _connection(loop: asyncio.AbstractEventLoop) -> tuple[_Guarded, _Inner, _Transport]:
    protocol = _Guarded(
        max_head_bytes=LIMIT, head_timeout=30, config=None, server_state=None, app_state={},
        _loop=loop,
    )  # fmt: skip
    transport = _Transport()
    protocol.connection_made(transport)  # type: ignore[arg-type]
    inner = protocol.inner
    assert isinstance(inner, _Inner) and inner.kwargs["app_state"] == {}
    return protocol, inner, transport


def _head(size: int) -> bytes:
    """A request head of exactly `size` bytes."""
    start, end = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Fyld: ", b"\r\n\r\n"
    return start + b"a" * (size - len(start) - len(end)) + end


def _status(transport: _Transport) -> tuple[int, dict[str, Any]]:
    head, _, body = transport.written.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def test_a_head_at_the_limit_passes_whole(loop: asyncio.AbstractEventLoop) -> None:
    protocol, inner, transport = _connection(loop)
    protocol.data_received(_head(LIMIT))
    assert inner.received == _head(LIMIT) and not transport.written


def test_a_head_over_the_limit_is_refused_before_uvicorn_sees_a_byte_of_it(
    loop: asyncio.AbstractEventLoop,
) -> None:
    """The head arrived whole (one read), one byte over: 431, and uvicorn's protocol never
    parsed it (before, such heads were served up to about twice the limit)."""
    protocol, inner, transport = _connection(loop)
    protocol.data_received(_head(LIMIT + 1))
    status, body = _status(transport)
    assert status == 431 and body["code"] == "request_header_too_large"
    assert inner.received == b"" and transport.closed
    assert b"content-type: application/problem+json" in transport.written


def test_a_head_in_pieces_is_counted_across_them(loop: asyncio.AbstractEventLoop) -> None:
    protocol, inner, transport = _connection(loop)
    head = _head(3 * LIMIT)
    protocol.data_received(head[:600])
    protocol.data_received(head[600:])
    assert _status(transport)[0] == 431 and len(inner.received) == 600


def test_a_big_head_behind_a_request_in_the_same_read_is_refused(
    loop: asyncio.AbstractEventLoop,
) -> None:
    protocol, inner, transport = _connection(loop)
    protocol.data_received(_head(200) + _head(2 * LIMIT))
    assert _status(transport)[0] == 431 and inner.received == b""


def test_every_request_of_a_connection_gets_the_whole_limit(
    loop: asyncio.AbstractEventLoop,
) -> None:
    protocol, inner, transport = _connection(loop)
    for _ in range(5):
        protocol.data_received(_head(LIMIT - 10))
    assert not transport.written and len(inner.received) == 5 * (LIMIT - 10)


def test_malformed_http_is_a_problem_400(loop: asyncio.AbstractEventLoop) -> None:
    protocol, inner, transport = _connection(loop)
    protocol.data_received(b"GARBAGE\r\n\r\n")
    status, body = _status(transport)
    assert status == 400 and body["code"] == "bad_request" and inner.received == b""


def test_uvicorn_still_builds_its_protocol_the_way_guarded_protocol_calls_it() -> None:
    """If this fails, uvicorn changed what api/server.py leans on: compare GuardedProtocol
    with uvicorn's HttpToolsProtocol and uvicorn.Server's create_protocol, then move the
    pin in pyproject.toml."""
    import uvicorn.server
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    installed = version("uvicorn")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pin = next(
        Requirement(r) for r in project["project"]["dependencies"] if r.startswith("uvicorn")
    )
    assert pin.specifier.contains(installed), (
        f"uvicorn {installed} is outside {pin}, the range api/server.py was checked against"
    )
    parameters = set(inspect.signature(HttpToolsProtocol.__init__).parameters)
    assert {"config", "server_state", "app_state", "_loop"} <= parameters, (
        f"HttpToolsProtocol takes {parameters} now; GuardedProtocol passes uvicorn's keywords on"
    )
    assert issubclass(HttpToolsProtocol, asyncio.Protocol)
    builds = inspect.getsource(uvicorn.server.Server.startup)
    for keyword in ("config=config", "server_state=", "app_state=", "_loop=_loop"):
        assert keyword in builds, f"uvicorn.Server no longer builds the protocol with {keyword}"
