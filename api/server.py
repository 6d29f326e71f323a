"""How `indsats serve` runs uvicorn: what a client may send before the app sees a request,
and what the access log may keep of it.

uvicorn's httptools protocol has no limit on the request head and no time limit on it: one
client sending a 100 MB header held the event loop for ~25 s while every other request
waited, and a client that stopped half way held its connection forever. The protocol here
counts the head's bytes as they arrive and answers 431 past `INDSATS_MAX_HEADER_BYTES`,
answers 408 when the head is not complete within `INDSATS_READ_TIMEOUT` seconds (the
body's own deadline is in `api.middleware`), and answers malformed HTTP in the API's error
shape instead of uvicorn's plain-text 400.

The access log writes each request line, query string included; a key sent in the query
string (which the API ignores) would land there, so `install_log_redaction` masks it.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.errors import error_body
from engine.settings import Settings

ACCESS_LOGGER = "uvicorn.access"
_REASONS = {400: b"Bad Request", 408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


class LimitedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a size and a time limit on each request head."""

    def __init__(self, *args: Any, max_head_bytes: int, head_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_head_bytes = max_head_bytes
        self.head_timeout = head_timeout
        self._in_head = True
        self._head_bytes = 0
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head_bytes += len(data)
            self._arm_head_timer()
        super().data_received(data)
        too_big = self._in_head and self._head_bytes > self.max_head_bytes
        if too_big and not self.transport.is_closing():
            kib = self.max_head_bytes // 1024
            self._refuse(
                431,
                "request_header_too_large",
                f"Forespørgslens adresse og headers fylder mere end {kib} KiB; send mindre "
                "headers.",
            )

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_bytes = 0
        self._disarm_head_timer()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True  # the next request's head counts from its first byte

    def send_400_response(self, msg: str) -> None:
        self._refuse(400, "bad_request", "Ugyldig HTTP-forespørgsel: den kunne ikke læses.")

    # -- helpers --------------------------------------------------------------------------
    def _arm_head_timer(self) -> None:
        if self._head_timer is None and self.head_timeout > 0:
            self._head_timer = self.loop.call_later(self.head_timeout, self._head_too_slow)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        busy = self.cycle is not None and not self.cycle.response_complete
        if not self._in_head or busy or self.transport.is_closing():
            return
        if self._head_bytes == 0 and not self.url:  # an idle connection: just close it
            self.transport.close()
            return
        self._refuse(
            408,
            "request_timeout",
            f"Forespørgslen kom ikke frem inden for {self.head_timeout:g} sekunder; prøv igen.",
        )

    def _refuse(self, status: int, code: str, message: str) -> None:
        """Answer in the API's error shape and close; the app never sees this request."""
        self._disarm_head_timer()
        body = json.dumps(error_body(code, message), ensure_ascii=False)
        payload = body.encode("utf-8")
        head = [f"HTTP/1.1 {status} ".encode("ascii") + _REASONS[status]]
        head += [name + b": " + value for name, value in self.server_state.default_headers]
        head += [
            b"content-type: application/json",
            b"content-length: " + str(len(payload)).encode("ascii"),
            b"x-content-type-options: nosniff",
            b"connection: close",
        ]
        self.logger.warning("%s: %s", status, message)
        self.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + payload)
        self.transport.close()


def protocol_for(settings: Settings) -> functools.partial[LimitedHttpProtocol]:
    """The protocol uvicorn builds per connection; a partial of a module-level class, so
    it pickles into the worker processes of `--workers N`."""
    return functools.partial(
        LimitedHttpProtocol,
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
