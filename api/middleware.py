"""The API's ASGI middleware: the request body limits, the request id, conditional GETs,
`nosniff` on every answer, HEAD wherever GET is served, and CORS refusals in the error shape.

Request body limits, checked before any handler (or the key check) sees the request.

Starlette/FastAPI have a built-in limit, but its 413 is plain text or `{"detail": ...}`
depending on where it trips; this one answers in the API's error shape every time. It
rejects on a too-large Content-Length at once and otherwise counts the streamed bytes
(chunked uploads have no Content-Length), buffering at most `max_bytes` before replaying
the body to the app. The body must arrive within `read_timeout` seconds: 200 clients that
sent most of a declared 1 MiB and stopped used to hold their connections, and the memory
of what they had sent, for good; now they get a 408 and the connection closes.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
import uuid
from typing import ClassVar

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import REQUEST_ID_HEADER, REQUEST_ID_SCOPE_KEY, problem, problem_response


class NoSniffMiddleware:
    """`X-Content-Type-Options: nosniff` on every answer: a browser must not read a JSON
    answer (which may echo client text) as anything else."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"x-content-type-options" for name, _ in headers):
                    headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_header)


class HeadMiddleware:
    """HEAD is answered wherever GET is: the GET's status and headers (its Content-Length
    and ETag included), without the body. FastAPI routes declare GET only, and every HEAD
    on them was a 405, although RFC 9110 asks a server that has GET to have HEAD."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


class CorsMiddleware(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered in the API's error shape and in
    Danish (it was a plain-text "Disallowed CORS origin")."""

    _REFUSED: ClassVar[dict[str, str]] = {
        "origin": "oprindelsen (Origin)",
        "method": "metoden",
        "headers": "headerne",
    }

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        said = bytes(response.body).decode("utf-8", "replace").removeprefix("Disallowed CORS ")
        what = [self._REFUSED.get(part.strip(), part.strip()) for part in said.split(",")]
        message = (
            f"CORS-forespørgslen afvises: {' og '.join(what)} er ikke tilladt for denne server. "
            "Tilladte oprindelser sættes i INDSATS_CORS_ORIGINS."
        )
        refused = problem_response(problem("bad_request", message, None))
        for name in ("vary", "access-control-allow-methods", "access-control-max-age"):
            if name in response.headers:
                refused.headers[name] = response.headers[name]
        return refused


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int, read_timeout: float = 30.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout = read_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._reject(scope, receive, send)
            return
        chunks: list[bytes] = []
        total = 0
        try:
            async with asyncio.timeout(self.read_timeout):
                while True:
                    message = await receive()
                    if message["type"] != "http.request":  # the client went away
                        return
                    body = message.get("body", b"")
                    total += len(body)
                    if total > self.max_bytes:
                        await self._reject(scope, receive, send)
                        return
                    chunks.append(body)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            chunks.clear()
            await self._too_slow(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        mib = self.max_bytes / (1024 * 1024)
        message = f"Forespørgslens indhold er større end {mib:g} MiB ({self.max_bytes} bytes)."
        found = problem("payload_too_large", message, scope.get("path"))
        response = problem_response(found, {"Connection": "close"})
        await response(scope, receive, send)

    async def _too_slow(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = (
            f"Forespørgslens indhold kom ikke frem inden for {self.read_timeout:g} sekunder; "
            "prøv igen."
        )
        found = problem("request_timeout", message, scope.get("path"))
        response = problem_response(found, {"Connection": "close"})
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


# request id -------------------------------------------------------------------------------
# Accepted as sent when it is short and plain (it goes into the log line as it is);
# anything else is replaced by a generated id.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:/+=-]{1,128}$")
access_log = logging.getLogger("api.access")


class RequestIdMiddleware:
    """Tags every request with an id: the client's `X-Request-ID` if it is plain, else a new
    one. The answer echoes it, and the one access line per request names it (method, path
    without the query string, status, time), so a client's report finds the server's line.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = _header(scope, b"x-request-id")
        rid = sent if sent is not None and _REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        scope[REQUEST_ID_SCOPE_KEY] = rid
        started = time.perf_counter()
        status = 500

        async def tagged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = rid
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        finally:
            access_log.info(
                "%s %s %d %.1f ms request_id=%s",
                scope.get("method", ""),
                scope.get("path", ""),
                status,
                (time.perf_counter() - started) * 1000,
                rid,
            )


# ETag and Cache-Control --------------------------------------------------------------------
class ConditionalGetMiddleware:
    """GET answers of the API carry a strong ETag (a hash of the body) and `Cache-Control:
    no-cache` (a cache may keep them but must ask again: a write can change any answer);
    `If-None-Match` with the current tag gets 304 without a body."""

    def __init__(self, app: ASGIApp, prefix: str = "/v1/") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") != "GET"
            or not str(scope.get("path", "")).startswith(self.prefix)
        ):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if message["status"] != 200:
                    start = None
                    await send(message)
                    return
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await self._answer(scope, start, b"".join(chunks), send)

        await self.app(scope, receive, buffered)

    async def _answer(self, scope: Scope, start: Message, body: bytes, send: Send) -> None:
        tag = etag(body)
        headers = MutableHeaders(scope=start)
        headers["ETag"] = tag
        headers["Cache-Control"] = "no-cache"
        if _matches(_header(scope, b"if-none-match"), tag):
            del headers["content-length"]
            del headers["content-type"]
            start["status"] = 304
            await send(start)
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        await send(start)
        await send({"type": "http.response.body", "body": body, "more_body": False})


def etag(body: bytes) -> str:
    """The strong entity tag of a GET answer: a hash of its bytes."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def strong_match(header: str, tag: str) -> bool:
    """RFC 9110 If-Match: `*`, or any listed tag equal to ours by strong comparison (a
    weak `W/` tag never matches: a write needs the very bytes the client read)."""
    return any(t.strip() in ("*", tag) for t in header.split(","))


def _matches(if_none_match: str | None, tag: str) -> bool:
    """RFC 9110 weak comparison: `*`, or any listed tag equal to ours with or without W/."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == tag:
            return True
    return False


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None
