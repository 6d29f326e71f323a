"""Real server processes on loopback for crash, concurrency and load tests.

Every process is started in its own session so the test can kill -9 the whole group it
started (uvicorn's supervisor and its workers) and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from engine.domain.text import slugify

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
KEY = "reliability-test-key-7f3a9c"
SEED_PAGE = (SEEDS / "000_e2e46fb973fdfa75.txt").read_text(encoding="utf-8")
SEED_TITLE = "Jobrettet coaching til afklaring af jobmuligheder"


# Until search is wired into the API, /readyz stays 503; local runs may point this elsewhere.
READY_PATH = os.environ.get("INDSATS_TEST_READY_PATH", "/readyz")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def page(tag: str, extra: str = "") -> tuple[str, str]:
    """A new valid page and its id: the Hedensted seed under another title."""
    title = f"Prøveindsats {tag}"
    text = SEED_PAGE.replace(SEED_TITLE, title, 1)
    if extra:
        text = text.replace(
            "Erfaringer og resultater\n", f"Erfaringer og resultater\n\n{extra}\n", 1
        )
    return text, f"hedensted-{slugify(title, 80)}"


def server_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "INDSATS_DATA_DIR": str(data_dir),
        "INDSATS_SEEDS_DIR": str(SEEDS),
        "INDSATS_API_KEY": KEY,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    env.update(extra)
    return env


@dataclass
class Server:
    """One server process group (uvicorn as `indsats serve` runs it) serving the real app
    with the fake embedder."""

    data_dir: Path
    log: Path
    workers: int = 1
    env: dict[str, str] = field(default_factory=dict)
    access_log: bool = False
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_timeout: float = 90.0) -> Server:
        self.port = free_port()
        # The server `indsats serve` runs (limits, log redaction), with the fake embedder.
        cmd = [
            sys.executable, "-m", "tests.reliability.fakeserve",
            "--port", str(self.port), "--workers", str(self.workers),
        ]  # fmt: skip
        if not self.access_log:
            cmd.append("--no-access-log")
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=server_env(self.data_dir, **self.env),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_ready(ready_timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        # Each worker process loads on its own: one 200 says nothing about the others, so
        # wait for a run of 200s on fresh connections (the kernel spreads them).
        streak = 0
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited {self.proc.returncode}: {self.tail()}")
            ok = False
            with contextlib.suppress(httpx.HTTPError):
                ok = httpx.get(self.base + READY_PATH, timeout=5).status_code == 200
            streak = streak + 1 if ok else 0
            if streak >= 6 * self.workers:
                return
            time.sleep(0.02 if ok else 0.1)
        raise AssertionError(f"server not ready in {timeout:.0f}s: {self.tail()}")

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]

    def pids(self) -> list[int]:
        """The group's processes (supervisor and workers), for RSS readings."""
        import psutil

        assert self.proc is not None
        parent = psutil.Process(self.proc.pid)
        return [parent.pid, *(c.pid for c in parent.children(recursive=True))]

    def kill9(self) -> None:
        """SIGKILL the whole process group this object started."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill9()
        self.proc = None


@contextlib.contextmanager
def running(
    data_dir: Path, log: Path, workers: int = 1, access_log: bool = False, **env: str
) -> Iterator[Server]:
    server = Server(data_dir, log, workers, env, access_log).start()
    try:
        yield server
    finally:
        server.stop()
