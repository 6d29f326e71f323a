"""`indsats serve` as a real child process on a free loopback port, and a plain HTTP client.

The client is `http.client` with one kept-alive connection: the least client overhead
Python has, so end-to-end figures are the server's and the loopback's, not a client
library's.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import ROOT, child_env, free_port, python


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    ready_s: float
    log: Path


@contextlib.contextmanager
def serve(
    data_dir: Path, settings: dict[str, str], workers: int = 1, timeout: float = 300.0
) -> Iterator[Server]:
    """Start, wait for /readyz (the time it took is `ready_s`), stop on exit."""
    port = free_port()
    log = data_dir / f"serve-{port}.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(
            [python(), "-m", "cli.app", "serve", "--port", str(port), "--workers", str(workers)],
            env=child_env(data_dir, **settings),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop it and its workers only
        )
        try:
            ready = _wait_ready(port, process, start, timeout, log)
            yield Server(port, process, ready, log)
        finally:
            _stop(process)


def _wait_ready(
    port: int, process: subprocess.Popen[bytes], start: float, timeout: float, log: Path
) -> float:
    while time.perf_counter() - start < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{_tail(log)}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return time.perf_counter() - start
        time.sleep(0.02)
    raise RuntimeError(f"server not ready after {timeout:.0f}s:\n{_tail(log)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _tail(log: Path) -> str:
    return log.read_text("utf-8", errors="replace")[-3000:]


class Client:
    """One kept-alive loopback connection; raises on any non-2xx answer."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str, **params: Any) -> bytes:
        query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        self.conn.request("GET", f"{path}?{query}" if query else path)
        return self._read()

    def post(self, path: str, body: dict[str, Any]) -> bytes:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.conn.request("POST", path, data, {"Content-Type": "application/json"})
        return self._read()

    def _read(self) -> bytes:
        response = self.conn.getresponse()
        payload = response.read()
        if not 200 <= response.status < 300:
            raise RuntimeError(f"HTTP {response.status}: {payload[:300]!r}")
        return payload

    def close(self) -> None:
        self.conn.close()
