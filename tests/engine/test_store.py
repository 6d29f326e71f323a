"""The page store: ids that cannot escape the directory, writes that survive a crash."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from durable.files import atomic_write
from engine.shared.errors import InvalidInputError
from engine.storage.pages import PageStore, validate_id


@pytest.fixture
def store(tmp_path: Path) -> PageStore:
    s = PageStore(tmp_path / "data" / "pages", tmp_path / "data" / "lock")
    s.ensure()
    return s


@pytest.mark.parametrize(
    "bad",
    [
        "../etc/passwd",
        "..",
        ".hidden",
        "a/b",
        "a\\b",
        "/abs",
        "Store-Bogstaver",
        "-starter-med-bindestreg",
        "a" * 122,
        "",
        "side.txt",
        "æøå",
        "a\x00b",
        "a b",
        "%2e%2e",
    ],
)
def test_ids_that_could_escape_or_confuse_are_refused(store: PageStore, bad: str) -> None:
    with pytest.raises(InvalidInputError, match="Ugyldigt id"):
        validate_id(bad)
    with pytest.raises(InvalidInputError):
        store.write_page(bad, b"tekst")
    assert not any(store.pages_dir.parent.parent.rglob("passwd"))


def test_valid_slugs_pass() -> None:
    for good in ("a", "0", "skanderborg-vejen-frem", "a" * 121):
        assert validate_id(good) == good


def test_write_read_delete_roundtrip(store: PageStore) -> None:
    with store.lock():
        store.write_page("hedensted-coaching", b'{"post": 1}')
    path = store.page_path("hedensted-coaching")
    assert path.name == "hedensted-coaching.json"
    assert path.read_bytes() == b'{"post": 1}'
    assert store.page_files() == [path]
    assert store.tombstones() == frozenset()

    with store.lock():
        store.delete_page("hedensted-coaching")
    assert not path.exists()
    assert store.page_files() == []
    assert store.tombstones() == {"hedensted-coaching"}

    with store.lock():
        store.write_page("hedensted-coaching", b"igen")
    assert store.tombstones() == frozenset()
    assert store.page_path("hedensted-coaching").read_bytes() == b"igen"


def test_writes_are_fsynced_file_and_directory(
    store: PageStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    with store.lock():
        store.write_page("en-side", b"indhold")
    assert any(".tmp-" in p for p in synced), synced  # the data, before the rename
    assert str(store.pages_dir) in synced  # the directory entry, after the rename


def test_failed_replace_keeps_old_content_and_leaves_no_temp_file(
    store: PageStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    with store.lock():
        store.write_page("en-side", b"gammel")

    def boom(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError), store.lock():
        store.write_page("en-side", b"ny")
    assert store.page_path("en-side").read_bytes() == b"gammel"
    assert [p.name for p in store.pages_dir.iterdir()] == ["en-side.json"]


def test_leftover_temp_files_from_a_crash_are_removed(store: PageStore) -> None:
    (store.pages_dir / ".tmp-abc.part").write_bytes(b"halv")
    store.ensure()
    assert list(store.pages_dir.iterdir()) == []


def test_only_visible_records_and_text_pages_are_pages(store: PageStore) -> None:
    (store.pages_dir / "Hånd lagt.txt").write_text("x", encoding="utf-8")
    (store.pages_dir / "en-side.json").write_text("{}", encoding="utf-8")
    (store.pages_dir / ".tmp-x.txt").write_text("x", encoding="utf-8")
    (store.pages_dir / ".tmp-y.json").write_text("x", encoding="utf-8")
    (store.pages_dir / "a.deleted").write_text("", encoding="utf-8")
    (store.pages_dir / "VERSION").write_text("3", encoding="ascii")
    assert [p.name for p in store.page_files()] == ["Hånd lagt.txt", "en-side.json"]
    assert store.version() == "3"


def test_a_record_replaces_a_text_page_of_its_id(store: PageStore) -> None:
    """A page stored as text (by hand, or by an earlier version) becomes a record at its
    next write, and a delete removes either form."""
    text = store.text_page_path("en-side")
    text.write_text("Hedensted\n\nEn side\n", encoding="utf-8")
    with store.lock():
        store.write_page("en-side", b"{}")
    assert not text.exists() and store.page_path("en-side").read_bytes() == b"{}"
    text.write_text("Hedensted\n\nEn side\n", encoding="utf-8")
    with store.lock():
        store.delete_page("en-side")
    assert store.page_files() == [] and store.tombstones() == {"en-side"}


def test_a_loaded_from_path_outside_the_store_is_never_removed(
    store: PageStore, tmp_path: Path
) -> None:
    outside = tmp_path / "seeds-copy.txt"
    outside.write_text("seed", encoding="utf-8")
    with store.lock():
        store.write_page("en-side", b"ny", replaces=outside)
        store.delete_page("en-side", loaded_from=outside)
        store.delete_page("en-side", loaded_from=store.pages_dir / ".." / "seeds-copy.txt")
    assert outside.read_text(encoding="utf-8") == "seed"


def test_version_counter(store: PageStore) -> None:
    assert store.version() == "0"
    with store.lock():
        assert store.bump_version() == "1"
        assert store.bump_version() == "2"
    assert store.version() == "2"


def test_atomic_write_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "f"
    atomic_write(target, b"a" * 10_000)
    atomic_write(target, b"b")
    assert target.read_bytes() == b"b"


def _free(lock_path: Path) -> bool:
    """A lock probe: could another holder (its own open file) take the lock right now?"""
    with lock_path.open("a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        return True


def test_lock_excludes_other_holders(store: PageStore) -> None:
    assert _free(store.lock_path)
    with store.lock():
        assert not _free(store.lock_path)
    assert _free(store.lock_path)
