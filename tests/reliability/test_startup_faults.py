"""Starts that fail, and data directories that cannot be written.

A start on a full disk used to leave the server answering 503 "se serverens log" until it
was restarted, even after the disk was freed; so did a `data/lock` that was a directory, or
a `data/index` or `data/pages` that was a file. A read-only data directory whose index was
valid failed to start at all, and once started, its writes answered 500. Now a failed start
is tried again with growing pauses and its cause is in the log and in /readyz (no server
paths); entries in the way are set aside, never deleted; a read-only data directory serves
reads and refuses writes with 503 `storage_unavailable` until it can be written again.
"""

from __future__ import annotations

import builtins
import errno
import io
import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import api.app
from api.app import create_app
from engine.facade.engine import Engine
from engine.serving.state import Startup
from tests.fakes import FakeEmbedder
from tests.reliability.conftest import settings_for
from tests.reliability.figures import record
from tests.reliability.harness import KEY, page
from tests.reliability.test_disk_full import InjectedDisk

WRITE = {"Content-Type": "text/plain; charset=utf-8", "X-API-Key": KEY}
SEED_ID = "hedensted-jobrettet-coaching-til-afklaring-af-jobmuligheder"
_figures: dict[str, int] = {}


def _count(name: str, n: int = 1) -> None:
    _figures[name] = _figures.get(name, 0) + n
    record("startup_faults", dict(_figures))


@contextmanager
def serving(data: Path, **overrides: object) -> Iterator[tuple[FastAPI, TestClient]]:
    app = create_app(settings_for(data, **overrides), embedder=FakeEmbedder())
    with TestClient(app, raise_server_exceptions=False) as client:
        assert app.state.engine_settled.wait(120), "engine did not settle"
        yield app, client


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with a current index and one stored page."""
    data = tmp_path_factory.mktemp("startup-template") / "data"
    with serving(data) as (app, client):
        assert app.state.engine_error is None, app.state.engine_error
        text, _ = page("start")
        assert (
            client.post("/v1/initiatives", content=text.encode(), headers=WRITE).status_code == 201
        )
    return data


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


# -- a start that fails is tried again ---
def test_a_start_on_a_full_disk_is_tried_again_until_it_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    disk = InjectedDisk(tmp_path, monkeypatch)
    pauses: list[float] = []
    resume = threading.Event()

    class Paced(Startup[Engine]):
        """The server's start-up, with the pause between tries held by the test."""

        def __init__(
            self, open_engine: Callable[[], Engine], wait: Callable[[float], bool]
        ) -> None:
            def paced(seconds: float) -> bool:
                pauses.append(seconds)
                assert resume.wait(60), "the test never let the next try run"
                resume.clear()
                return wait(0)

            super().__init__(open_engine, paced)

    monkeypatch.setattr(api.app, "Startup", Paced)
    disk.fill(0)
    with serving(disk.data) as (app, client):
        assert app.state.engine_error is not None
        for path in ("/readyz", "/v1/search?q=ledige", "/v1/initiatives"):
            r = client.get(path)
            assert r.status_code == 503, (path, r.text)
            error = r.json()
            assert error["code"] == "unavailable" and "fuld" in error["detail"], error
            assert "prøver selv igen" in error["detail"] and str(tmp_path) not in r.text
            assert int(r.headers["retry-after"]) >= 1
        logged = [r.getMessage() for r in caplog.records if "kunne ikke starte" in r.getMessage()]
        assert logged and "fuld" in logged[0], logged
        app.state.engine_settled.clear()
        disk.free()  # room again: the next try starts the engine, no restart needed
        resume.set()
        assert app.state.engine_settled.wait(120)
        assert app.state.engine_error is None, app.state.engine_error
        assert client.get("/readyz").status_code == 200
        text, new_id = page("efter-fuld-start")
        assert (
            client.post("/v1/initiatives", content=text.encode(), headers=WRITE).status_code == 201
        )
        assert client.get(f"/v1/initiatives/{new_id}").status_code == 200
    assert pauses == [1.0]
    _count("full_disk_starts")


# -- entries in the way ---
def _lock_is_a_directory(data: Path) -> bytes:
    (data / "lock").unlink(missing_ok=True)
    (data / "lock").mkdir()
    (data / "lock" / "indhold").write_bytes(b"noget")
    return b"noget"


def _entry_is_a_file(name: str) -> Callable[[Path], bytes]:
    def damage(data: Path) -> bytes:
        shutil.rmtree(data / name)
        (data / name).write_bytes(f"en fil hvor {name} skulle være".encode())
        return (data / name).read_bytes()

    return damage


IN_THE_WAY: dict[str, Callable[[Path], bytes]] = {
    "lock": _lock_is_a_directory,
    "index": _entry_is_a_file("index"),
    "pages": _entry_is_a_file("pages"),
}


@pytest.mark.parametrize("entry", IN_THE_WAY)
def test_an_entry_in_the_way_is_set_aside_and_the_server_starts(
    template: Path, tmp_path: Path, entry: str
) -> None:
    data = tmp_path / "data"
    shutil.copytree(template, data)
    content = IN_THE_WAY[entry](data)
    with serving(data) as (app, client):
        assert app.state.engine_error is None, app.state.engine_error
        assert client.get("/readyz").status_code == 200
        assert client.get("/v1/search?q=ledige").json()["total"] > 0
        text, new_id = page(f"efter-{entry}")
        created = client.post("/v1/initiatives", content=text.encode(), headers=WRITE)
        assert created.status_code == 201, created.text
        assert client.delete(f"/v1/initiatives/{SEED_ID}", headers=WRITE).status_code == 204
    kept = [p for p in data.rglob(f".damaged-{entry}-*")]
    assert len(kept) == 1, sorted(p.name for p in data.rglob("*"))
    moved = kept[0] / "indhold" if kept[0].is_dir() else kept[0]
    assert moved.read_bytes() == content  # set aside, never deleted
    with serving(data) as (app, client):  # and a restart finds what was written
        assert app.state.engine_error is None, app.state.engine_error
        assert client.get(f"/v1/initiatives/{new_id}").status_code == 200
        assert client.get(f"/v1/initiatives/{SEED_ID}").status_code == 404
    _count("entries_set_aside")


# -- a data directory that cannot be written ---
class InjectedReadOnly:
    """EROFS from everything that would change a file or directory under `root`: opening for
    write, creating, renaming, linking, removing (the calls every writer here goes through)."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = str(root)
        self.on = True
        real_open, real_os_open = io.open, os.open

        def refuse(path: Any) -> None:
            name = os.path.abspath(os.fsdecode(path)) if not isinstance(path, int) else ""
            if self.on and name.startswith(self.root):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), name)

        def open_(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            if any(c in mode for c in "wax+"):
                refuse(file)
            return real_open(file, mode, *args, **kwargs)

        def os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
            if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                refuse(path)
            return real_os_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(io, "open", open_)
        monkeypatch.setattr(builtins, "open", open_)
        monkeypatch.setattr(os, "open", os_open)
        for name in ("mkdir", "rename", "replace", "link", "unlink", "rmdir"):
            real = getattr(os, name)

            def guarded(*args: Any, _real: Any = real, **kwargs: Any) -> Any:
                for arg in args[:2]:
                    if isinstance(arg, (str, bytes, os.PathLike)):
                        refuse(arg)
                return _real(*args, **kwargs)

            monkeypatch.setattr(os, name, guarded)

    def make_writable(self) -> None:
        self.on = False


class MountedReadOnly:
    """The data dir bind-mounted read-only over itself (needs mount rights; skipped where
    they are missing, as in most CI containers)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for args in (["--bind", str(root), str(root)], ["-o", "remount,bind,ro", str(root)]):
            done = subprocess.run(["mount", *args], capture_output=True, text=True)
            if done.returncode != 0:
                self.make_writable()
                pytest.skip(f"read-only mount skipped: cannot mount ({done.stderr.strip()[:200]})")

    def make_writable(self) -> None:
        subprocess.run(["umount", "-l", str(self.root)], capture_output=True, check=False)


@pytest.mark.parametrize("how", ["injected", "mounted"])
def test_a_read_only_data_dir_serves_reads_and_refuses_writes_with_503(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    data = tmp_path / "data"
    shutil.copytree(template, data)
    before = _files(data)
    disk = InjectedReadOnly(data, monkeypatch) if how == "injected" else MountedReadOnly(data)
    try:
        with serving(data) as (app, client):
            assert app.state.engine_error is None, app.state.engine_error
            assert client.get("/readyz").status_code == 200
            assert client.get("/v1/search?q=ledige").json()["total"] > 0
            situation = {"situation": "mange ledige er ordblinde"}
            assert client.post("/v1/recommend", json=situation).status_code == 200
            text, new_id = page("skrivebeskyttet")
            replaced = client.get(f"/v1/initiatives/{SEED_ID}").json()
            writes = [
                client.post("/v1/initiatives", content=text.encode(), headers=WRITE),
                client.put(f"/v1/initiatives/{SEED_ID}", json=replaced, headers={"X-API-Key": KEY}),
                client.delete(f"/v1/initiatives/{SEED_ID}", headers=WRITE),
            ]
            for r in writes:
                assert r.status_code == 503, r.text
                assert r.json()["code"] == "storage_unavailable", r.text
                assert str(tmp_path) not in r.text
            assert client.get("/readyz").status_code == 200  # still serving
            _count("read_only_writes_refused", len(writes))
            disk.make_writable()
            assert _files(data) == before  # nothing changed, nothing half written
            created = client.post("/v1/initiatives", content=text.encode(), headers=WRITE)
            assert created.status_code == 201, created.text  # writable again: no restart
            assert client.get(f"/v1/initiatives/{new_id}").status_code == 200
    finally:
        disk.make_writable()
    _count(f"read_only_{how}")


def test_a_start_that_must_build_on_a_read_only_dir_says_why(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No valid index and no way to write one: 503 naming the cause, tried again."""
    data = tmp_path / "data"
    shutil.copytree(template, data)
    shutil.rmtree(data / "index")
    disk = InjectedReadOnly(data, monkeypatch)
    with serving(data) as (app, client):
        r = client.get("/readyz")
        assert r.status_code == 503 and "Read-only file system" in r.json()["detail"]
        assert str(tmp_path) not in r.text and "retry-after" in r.headers
        assert app.state.startup.failures >= 1
    disk.make_writable()
