"""A page's date says what it means: a seed page has none, a stored page is dated when it
entered the catalogue and when it last changed, and those dates survive restarts, checkouts
(new file times) and damage to the file that keeps them."""

from __future__ import annotations

import errno
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

import engine.storage.dates as dates_module
from engine.shared.settings import Settings
from engine.storage.dates import DATES_FILE
from engine.storage.pages import load_stored_corpus

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_e2e46fb973fdfa75.txt"
WRITTEN = 1_600_000_000  # 2020-09-13: when the stored page was written
CHECKED_OUT = 1_800_000_000  # 2027-01-15: a later checkout or copy sets new file times


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for page in (ROOT / "seeds").glob("*.txt"):
        shutil.copy(page, seeds / page.name)
        os.utime(seeds / page.name, (CHECKED_OUT, CHECKED_OUT))
    return Settings(data_dir=tmp_path / "data", seeds_dir=seeds)


def store_page(settings: Settings, text: str, when: int) -> str:
    """A page in the store (here: the first seed's text, which replaces that seed)."""
    settings.pages_dir.mkdir(parents=True, exist_ok=True)
    path = settings.pages_dir / "stored.txt"
    path.write_text(text, encoding="utf-8")
    os.utime(path, (when, when))
    corpus = load_stored_corpus(settings)
    return next(i.id for i in corpus.initiatives if i.source == str(path))


def dates_of(settings: Settings) -> dict[str, tuple[datetime | None, datetime | None]]:
    return {i.id: (i.added_at, i.updated_at) for i in load_stored_corpus(settings).initiatives}


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def test_seed_pages_have_no_date_and_write_nothing(settings: Settings) -> None:
    """The checkout's file times are not the pages' dates."""
    found = dates_of(settings)
    assert found and set(found.values()) == {(None, None)}
    assert not (settings.data_dir / DATES_FILE).exists()  # a seeds-only server never writes


def test_a_stored_page_keeps_its_dates_across_restarts_and_checkouts(settings: Settings) -> None:
    page_id = store_page(settings, SEED.read_text(encoding="utf-8"), WRITTEN)
    assert dates_of(settings)[page_id] == (at(WRITTEN), at(WRITTEN))
    os.utime(settings.pages_dir / "stored.txt", (CHECKED_OUT, CHECKED_OUT))  # a copy, say
    assert dates_of(settings)[page_id] == (at(WRITTEN), at(WRITTEN))
    others = {k: v for k, v in dates_of(settings).items() if k != page_id}
    assert set(others.values()) == {(None, None)}


def test_new_content_is_a_change_and_keeps_the_day_it_was_added(settings: Settings) -> None:
    text = SEED.read_text(encoding="utf-8")
    page_id = store_page(settings, text, WRITTEN)
    changed = text.replace("Jobrettet Coaching udføres af", "Jobrettet Coaching gives af")
    assert changed != text
    store_page(settings, changed, CHECKED_OUT)
    assert dates_of(settings)[page_id] == (at(WRITTEN), at(CHECKED_OUT))


def test_a_damaged_dates_file_is_set_aside_and_the_pages_still_load(settings: Settings) -> None:
    page_id = store_page(settings, SEED.read_text(encoding="utf-8"), WRITTEN)
    kept = settings.data_dir / DATES_FILE
    kept.write_bytes(b'{"format": 1, "pages": {"x": {"added": "ikke en dato"')
    assert dates_of(settings)[page_id] == (at(WRITTEN), at(WRITTEN))
    assert json.loads(kept.read_bytes())["pages"][page_id]["added"].startswith("2020-09-13")
    assert [p.name for p in settings.data_dir.glob(".damaged-*")] != []


def test_a_disk_that_refuses_the_dates_file_costs_no_page(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(dates_module, "atomic_write", full)
    page_id = store_page(settings, SEED.read_text(encoding="utf-8"), WRITTEN)
    assert dates_of(settings)[page_id] == (at(WRITTEN), at(WRITTEN))
    assert not (settings.data_dir / DATES_FILE).exists()
    assert "kunne ikke gemmes" in caplog.text
