"""A build killed with SIGKILL must leave the previous index usable and get cleaned up.

Runs what `indsats build --force` runs (`Engine.open(force=True)`, real model) in a
subprocess on a private data dir with extra pages. The child reports through a pipe when
it reaches the chosen point (its first batch of passages embedded, or the first file of
the new version written to its temp dir) and then waits on its stdin, so the kill lands
there every time, without guessing how long a build takes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from engine.domain.parser import parse_page
from engine.embedding.base import Embedder
from engine.search.indexing import index_store, open_index
from engine.search.searcher import Searcher, SearchQuery
from engine.shared.settings import Settings
from engine.storage.pages import load_stored_corpus
from tests.fakes import FakeEmbedder

pytestmark = pytest.mark.model
ROOT = Path(__file__).resolve().parents[2]


def _add_pages(settings: Settings, seeds_dir: Path, copies: int) -> None:
    settings.pages_dir.mkdir(parents=True, exist_ok=True)
    for n in range(copies):
        for seed in sorted(seeds_dir.glob("*.txt")):
            lines = seed.read_text(encoding="utf-8").split("\n")
            # Line 6 (index 5) is the title in every seed; a new title is a new page.
            title_at = next(i for i, line in enumerate(lines) if line.strip() and i > 4)
            lines[title_at] = f"{lines[title_at]} variant {n}"
            text = "\n".join(lines)
            # the store names a page file by the id its content gives (engine/storage/pages.py)
            page_id = parse_page(text, seed.name).id
            (settings.pages_dir / f"{page_id}.txt").write_text(text, "utf-8")


# The child: the forced build of `indsats build --force`, paused at the point it is given.
_BUILD = """
import sys
import numpy as np
from engine.facade.engine import Engine
from engine.shared.settings import Settings

AT = sys.argv[1]

def pause(point):
    if point == AT:
        print(point, flush=True)
        sys.stdin.readline()  # never answered: the parent kills us here

def progress(done, total):
    if done:
        pause("embedding")

_save = np.save

def save(file, *args, **kwargs):
    _save(file, *args, **kwargs)
    if "/.tmp-" in str(file):  # a file of the version being written, not a cache
        pause("writing")

np.save = save
Engine.open(Settings(), force=True, progress=progress)
print("finished", flush=True)
"""


def _start_build(settings: Settings, at: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "INDSATS_DATA_DIR": str(settings.data_dir),
        "INDSATS_SEEDS_DIR": str(settings.seeds_dir),
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-c", _BUILD, at],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


@pytest.mark.parametrize("at", ["embedding", "writing"])
def test_killed_build_leaves_previous_index_usable(
    tmp_path: Path, seeds_dir: Path, real_embedder: Embedder, at: str
) -> None:
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=seeds_dir)
    seeds_only = load_stored_corpus(settings)
    before, _ = open_index(settings, seeds_only, real_embedder)
    store = index_store(settings)
    # New pages make the forced build embed a few hundred passages: seconds, not millis.
    _add_pages(settings, seeds_dir, copies=3)

    process = _start_build(settings, at)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == at, f"the build never reached {at}"
        assert process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    # Vectors are computed before the version's temp dir exists; files written into it are not.
    left = list(store.root.glob(".tmp-*"))
    assert bool(left) == (at == "writing"), left
    assert store.current_version() == before.version
    # The previous version still verifies and serves searches for the corpus it was built for.
    after, report = open_index(settings, seeds_only, real_embedder)
    assert not report.built and after.version == before.version
    searcher = Searcher(seeds_only, after, real_embedder, settings)
    assert searcher.search(SearchQuery("ordblinde ledige")).results

    # The next build (the kernel released the dead process's lock) clears the leftovers.
    with_pages = load_stored_corpus(settings)
    _, rebuilt = open_index(settings, with_pages, FakeEmbedder())
    assert rebuilt.built and not list(store.root.glob(".tmp-*"))
    assert store.current_version() == rebuilt.version
