"""How `indsats serve` runs uvicorn: what a client may send before the app sees a request,
and what the access log may keep of it.

uvicorn's httptools protocol has no limit on the request head and no time limit on it: one
client sending a 100 MB header held the event loop for ~25 s while every other request
waited, and a client that stopped half way held its connection forever. uvicorn has no
public setting for either: `h11_max_incomplete_event_size` bounds only the h11 protocol, and
answers a plain-text 400 only when the head arrives in pieces; `limit_concurrency` and
`timeout_keep_alive` are about other things. So `GuardedProtocol` wraps uvicorn's protocol
and sees each connection's bytes first, through its own httptools parser (the parser uvicorn
uses): it answers 431 once a head passes `INDSATS_MAX_HEADER_BYTES` (before the rest is read
or parsed; a head that arrived whole was let through before, up to ~128 kB), 408 when a head
is not complete within `INDSATS_READ_TIMEOUT` seconds (the body's own deadline is in
`api.middleware`), and 400 for malformed HTTP, all in the API's problem shape; everything
else goes to uvicorn's protocol as it came.

It touches no uvicorn internal but the protocol class's constructor (`config`,
`server_state`, `app_state`, `_loop`, as `uvicorn.Server` calls it); `pyproject.toml` pins
uvicorn below the next minor and `tests/api/test_server_contract.py` says plainly when that
constructor moves.

The access log writes each request line, query string included; a key sent in the query
string (which the API refuses) would land there, so `install_log_redaction` masks it.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
from collections.abc import Callable
from email.utils import formatdate
from typing import Any, cast

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.errors import PROBLEM_JSON, problem
from engine.shared.settings import Settings

_REASONS = {400: b"Bad Request", 408: b"Request Timeout", 431: b"Request Header Fields Too Large"}
log = logging.getLogger("uvicorn.error")


class GuardedProtocol(asyncio.Protocol):
    """uvicorn's HTTP protocol behind a size and a time limit on each request head."""

    inner_class: type[asyncio.Protocol] = HttpToolsProtocol

    def __init__(self, *, max_head_bytes: int, head_timeout: float, **uvicorn: Any) -> None:
        self.inner = self.inner_class(**uvicorn)
        self.loop = uvicorn.get("_loop") or asyncio.get_running_loop()
        self.max_head_bytes = max_head_bytes
        self.head_timeout = head_timeout
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        # As uvicorn's own parser: bytes after a `Connection: close` request are no error.
        self.parser.set_dangerous_leniencies(lenient_data_after_close=True)
        self.watching = True  # False after an upgrade (uvicorn's business) or a refusal
        self.in_head = True  # the next bytes are (still) a request head
        self.begun = False  # a byte of the current head has arrived
        self.raw = 0  # bytes fed since this head was due
        self.named = 0  # the head's URL and headers as the parser reports them
        self.too_big = False
        self.timer: asyncio.TimerHandle | None = None

    # -- asyncio.Protocol, passed on ------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are no subclasses of asyncio's, but have the same methods
        self.transport = cast(asyncio.Transport, transport)
        self.inner.connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self.inner.connection_lost(exc)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()

    def data_received(self, data: bytes) -> None:
        if self.watching:
            try:
                refused = self._watch(data)
            except httptools.HttpParserUpgrade:
                self.watching = False  # a WebSocket upgrade: uvicorn's protocol decides
                refused = False
            except httptools.HttpParserError:
                self._refuse(400, "bad_request", "Ugyldig HTTP-forespørgsel: den kunne ikke læses.")
                return
            if refused:
                kib = self.max_head_bytes // 1024
                self._refuse(
                    431,
                    "request_header_too_large",
                    f"Forespørgslens adresse og headers fylder mere end {kib} KiB; send mindre "
                    "headers.",
                )
                return
        elif self.transport is not None and self.transport.is_closing():
            return
        self.inner.data_received(data)

    # -- the parser's callbacks ------------------------------------------------------------
    def on_message_begin(self) -> None:
        self.begun, self.named = True, 0
        self._arm()

    def on_url(self, url: bytes) -> None:
        self._name(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        self._name(len(name) + len(value) + 4)

    def on_headers_complete(self) -> None:
        self.in_head = self.begun = False
        self._disarm()

    def on_message_complete(self) -> None:
        self.in_head, self.raw = True, 0  # what comes next is the next request's head

    # -- helpers ---------------------------------------------------------------------------
    def _name(self, size: int) -> None:
        self.named += size
        self.too_big = self.too_big or self.named > self.max_head_bytes

    def _watch(self, data: bytes) -> bool:
        """Feed the parser; True when a head is over the limit. While in a head, at most
        what is left of the limit is fed at a time, so a head that does not end within it is
        refused exactly there; a head that begins behind a body in the same chunk is
        measured by what the parser reports of it."""
        view = memoryview(data)
        while view:
            piece = view[: self.max_head_bytes - self.raw] if self.in_head else view
            if self.in_head:
                self.raw += len(piece)
            self.parser.feed_data(piece)
            view = view[len(piece) :]
            if self.too_big or (self.in_head and self.raw >= self.max_head_bytes):
                return True
        return False

    def _arm(self) -> None:
        self._disarm()
        if self.head_timeout > 0:
            self.timer = self.loop.call_later(self.head_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _too_slow(self) -> None:
        self.timer = None
        if not self.watching or not self.in_head or self.transport is None:
            return
        if not self.begun:  # an idle connection that never sent a byte: just close it
            self.transport.close()
            return
        self._refuse(
            408,
            "request_timeout",
            f"Forespørgslen kom ikke frem inden for {self.head_timeout:g} sekunder; prøv igen.",
        )

    def _refuse(self, status: int, code: str, message: str) -> None:
        """Answer in the API's problem shape and close; the app never sees this request."""
        self.watching = False
        self._disarm()
        if self.transport is None or self.transport.is_closing():
            return
        body = problem(code, message, None).model_dump(mode="json")
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        head = [
            f"HTTP/1.1 {status} ".encode("ascii") + _REASONS[status],
            b"date: " + formatdate(usegmt=True).encode("ascii"),
            b"content-type: " + PROBLEM_JSON.encode("ascii"),
            b"content-length: " + str(len(payload)).encode("ascii"),
            b"x-content-type-options: nosniff",
            b"connection: close",
        ]
        log.warning("%s: %s", status, message)
        self.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + payload)
        self.transport.close()


def protocol_for(settings: Settings) -> functools.partial[GuardedProtocol]:
    """The protocol uvicorn builds per connection; a partial of a module-level class, so
    it pickles into the worker processes of `--workers N`."""
    return functools.partial(
        GuardedProtocol,
        max_head_bytes=settings.max_header_bytes,
        head_timeout=settings.read_timeout,
    )


def run(
    app: str,
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    access_log: bool = True,
    graceful_seconds: int | None = None,
) -> None:
    """Serve the app factory `app` ("module:function") with the limits of `settings`."""
    import uvicorn

    uvicorn.run(
        app,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=protocol_for(settings),  # type: ignore[arg-type]
        access_log=access_log,
        timeout_graceful_shutdown=graceful_seconds,
    )


# -- no log keeps a key ---------------------------------------------------------------------------
_KEY_PARAM = re.compile(
    r"(?i)([?&](?:x[-_]?)?(?:api[-_]?key|apikey|key|token|access[-_]?token)=)[^&\s\"]*"
)


def _any_encoding(secret: str) -> re.Pattern[str]:
    """The secret as it can appear in a request line: each character as itself or
    percent-encoded (`%73ecret`, any case, UTF-8 bytes), once or twice (`%2573`), a space
    also as `+`. A log that decoded nothing still shows the key to whoever reads it."""
    parts = []
    for char in secret:
        forms = [re.escape(char)] + (["\\+"] if char == " " else [])
        encoded = "".join(f"%(?:25)?{b:02x}" for b in char.encode("utf-8"))
        parts.append(f"(?:{'|'.join([*forms, encoded])})")
    return re.compile("".join(parts), re.IGNORECASE)


class KeyRedactingFilter(logging.Filter):
    """Masks key-like query parameters, and the configured key in any encoding wherever it
    appears, in a log record: its message, its arguments and its traceback."""

    def __init__(self) -> None:
        super().__init__("indsats-key-redaction")
        self.secrets: set[str] = set()
        self._patterns: dict[str, re.Pattern[str]] = {}

    def mask(self, text: str) -> str:
        text = _KEY_PARAM.sub(r"\1***", text)
        for secret in self.secrets:
            if len(secret) < 8:  # too short to mask without garbling the line
                continue
            pattern = self._patterns.get(secret)
            if pattern is None:
                pattern = self._patterns[secret] = _any_encoding(secret)
            text = pattern.sub("***", text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self.mask(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = self.mask(record.msg)
        if record.exc_info and not record.exc_text:  # formatted now, so it can be masked
            record.exc_text = self.mask(logging.Formatter().formatException(record.exc_info))
        return True


_redaction = KeyRedactingFilter()


def _redacting_factory(
    make: Callable[..., logging.LogRecord],
) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        _redaction.filter(record)
        return record

    factory.indsats_redacts = True  # type: ignore[attr-defined]
    return factory


def install_log_redaction(settings: Settings) -> None:
    """Mask keys in every log record of this process (once per process; keys of every app).

    Every record, not one logger's: the key reached the log through uvicorn's access log
    (percent-encoded in a query string), through our own access line (a path, decoded) and
    could through any error that quotes a URL. A record factory sees each record as it is
    made, whichever logger and handler it goes to."""
    if settings.api_key is not None:
        _redaction.secrets.add(settings.api_key.get_secret_value())
    current = logging.getLogRecordFactory()
    if not getattr(current, "indsats_redacts", False):
        logging.setLogRecordFactory(_redacting_factory(current))
