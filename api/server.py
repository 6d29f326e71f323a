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
from typing import Any
from urllib.parse import quote

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.errors import PROBLEM_JSON, problem
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
        body = problem(code, message, None).model_dump(mode="json")
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        head = [f"HTTP/1.1 {status} ".encode("ascii") + _REASONS[status]]
        head += [name + b": " + value for name, value in self.server_state.default_headers]
        head += [
            b"content-type: " + PROBLEM_JSON.encode("ascii"),
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


# -- the access log never keeps a key ---------------------------------------------------------
_KEY_PARAM = re.compile(
    r"(?i)([?&](?:x[-_]?)?(?:api[-_]?key|apikey|key|token|access[-_]?token)=)[^&\s\"]*"
)


class KeyRedactingFilter(logging.Filter):
    """Masks key-like query parameters, and the configured key wherever it appears, in
    the records of the access log (whose arguments hold the request line)."""

    def __init__(self) -> None:
        super().__init__("indsats-key-redaction")
        self.secrets: set[str] = set()

    def mask(self, text: str) -> str:
        text = _KEY_PARAM.sub(r"\1***", text)
        for secret in self.secrets:
            if len(secret) < 8:  # too short to mask without garbling the line
                continue
            for form in {secret, quote(secret, safe=""), quote(secret, safe="").lower()}:
                text = text.replace(form, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self.mask(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = self.mask(record.msg)
        return True


_redaction = KeyRedactingFilter()


def install_log_redaction(settings: Settings) -> None:
    """Mask keys in this process's access log (once per process; keys of every app)."""
    if settings.api_key is not None:
        _redaction.secrets.add(settings.api_key.get_secret_value())
    logger = logging.getLogger(ACCESS_LOGGER)
    if _redaction not in logger.filters:
        logger.addFilter(_redaction)
