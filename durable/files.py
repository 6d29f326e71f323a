"""Atomic writes, fsync and the writers' file lock: one implementation for every writer.

A file is replaced, never edited: the new content goes to a temporary file in the same
directory, is fsynced, renamed over the target with `os.replace`, and the directory is
fsynced so the rename itself survives a crash. A reader therefore sees the old or the new
content, never half of it. Writers serialise with an exclusive `flock`, which works across
threads (one open file each) and processes, and which the kernel releases when a killed
writer's file closes.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import stat
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)
TEMP_PREFIX = ".tmp-"
DAMAGED_PREFIX = ".damaged-"
# The errors that mean "no room": the caller undoes its change and says so (HTTP 507).
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


# Below this many free bytes a failed write counts as "disk full" even without an errno:
# libraries that write in C (faiss, numpy's tofile) report a short write without one.
LOW_SPACE_BYTES = 1024 * 1024


def is_disk_full(exc: BaseException) -> bool:
    """True if `exc`, or an exception it was raised from, is ENOSPC or EDQUOT."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in DISK_FULL:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def out_of_space(path: Path) -> bool:
    """True if the file system holding `path` has (almost) no room left for us."""
    try:
        stats = os.statvfs(path)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < LOW_SPACE_BYTES


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Make the directory's entries (a rename, a new or removed file) survive a crash."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that a crash leaves either the old or the new content."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    fsync_dir(path.parent)


def atomic_replace(source: Path, target: Path) -> None:
    """Move a finished file (written and fsynced by its producer) over `target`, durably."""
    fsync_file(source)
    os.replace(source, target)
    fsync_dir(target.parent)


def set_aside(path: Path) -> Path:
    """Move a damaged entry (a directory where a file belongs, say) out of the way under a
    hidden name, so a good file can take its place and nothing is deleted."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    target = path.with_name(f"{DAMAGED_PREFIX}{path.name}-{stamp}-{uuid.uuid4().hex[:6]}")
    os.rename(path, target)
    fsync_dir(path.parent)
    return target


def is_regular_or_missing(path: Path) -> bool:
    """True if `path` is a regular file (not followed if a link) or does not exist."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except FileNotFoundError:
        return True


def durable_unlink(path: Path) -> bool:
    """Remove `path` and make the removal survive a crash; False if it was not there."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    fsync_dir(path.parent)
    return True


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created if missing) for the `with` block.

    flock locks belong to an open file, so a process must not nest this on one path (it
    would wait on itself). A directory or a link in the lock's place (nobody can hold a lock
    on either) is set aside first; it made every write, and every start, fail for good.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not is_regular_or_missing(path):
        with contextlib.suppress(FileNotFoundError):  # another process moved it first
            moved = set_aside(path)
            log.warning("%s var ikke en fil; flyttet til %s", path.name, moved.name)
    with path.open("a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
