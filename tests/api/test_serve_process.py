"""`indsats serve` as a real process: ready, write with a key, restart, the page is there."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.api.pages import NEW_ID, NEW_TITLE, new_page

ROOT = Path(__file__).resolve().parents[2]
KEY = "proces-test-key-42"
pytestmark = pytest.mark.model  # the real process loads the real bundled model


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _command() -> list[str]:
    script = Path(sys.executable).parent / "indsats"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli.app"]


@contextmanager
def serve(data_dir: Path, log: Path, workers: int = 1) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "INDSATS_DATA_DIR": str(data_dir),
        "INDSATS_SEEDS_DIR": str(ROOT / "seeds"),
        "INDSATS_API_KEY": KEY,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    cmd = [*_command(), "serve", "--port", str(port), "--workers", str(workers)]
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, proc, log)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"server not ready in time:\n{log.read_text()[-3000:]}")


def test_a_page_written_through_the_server_survives_a_restart(tmp_path: Path) -> None:
    data, log = tmp_path / "data", tmp_path / "server.log"
    with serve(data, log) as base:
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
        refused = httpx.post(f"{base}/v1/initiatives", content=new_page().encode())
        assert refused.status_code == 401
        created = httpx.post(
            f"{base}/v1/initiatives",
            content=new_page("Ordblinde får hjælp til jobansøgninger.").encode(),
            headers={"X-API-Key": KEY, "Content-Type": "text/plain"},
            timeout=120,
        )
        assert created.status_code == 201, created.text
        assert created.headers["location"] == f"/v1/initiatives/{NEW_ID}"

    with serve(data, log) as base:
        page = httpx.get(f"{base}/v1/initiatives/{NEW_ID}")
        assert page.status_code == 200 and page.json()["title"] == NEW_TITLE
        found = httpx.get(
            f"{base}/v1/search", params={"q": "coaching for nyledige", "k": 10}, timeout=60
        )
        assert found.status_code == 200, found.text
        assert NEW_ID in [r["id"] for r in found.json()["items"]]
    assert KEY not in log.read_text(encoding="utf-8", errors="replace")
