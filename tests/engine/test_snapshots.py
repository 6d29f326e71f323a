"""Snapshots: a write costs what it changes, a start-up with unchanged pages parses and embeds
nothing, and reads never wait for a write, in this process or another."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

import engine.storage.scan as scan
from engine.facade.engine import Engine
from engine.search.query import SearchQuery
from engine.shared.settings import Settings
from tests.fakes import FakeEmbedder

ROOT = Path(__file__).resolve().parents[2]
COACHING = ROOT / "seeds" / "000_e2e46fb973fdfa75.txt"
TITLE = "Jobrettet coaching til afklaring af jobmuligheder"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", seeds_dir=ROOT / "seeds")


def _page(title: str, extra: str = "") -> str:
    text = COACHING.read_text(encoding="utf-8").replace(TITLE, title, 1)
    return text.replace("Gode råd\n", f"Gode råd\n\n{extra}\n", 1) if extra else text


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the loader parses (text pages and records alike)."""
    seen: list[str] = []

    def counting(real: Callable[[bytes, str], Any]) -> Callable[[bytes, str], Any]:
        def wrapper(data: bytes, source: str) -> Any:
            seen.append(Path(source).name)
            return real(data, source)

        return wrapper

    monkeypatch.setattr(scan, "parse_bytes", counting(scan.parse_bytes))
    monkeypatch.setattr(scan, "read_record", counting(scan.read_record))
    return seen


def test_a_start_up_with_unchanged_pages_parses_and_embeds_nothing(
    settings: Settings, parsed: list[str]
) -> None:
    first = Engine.open(settings, FakeEmbedder())
    for n in range(3):
        first.add_page(_page(f"Coaching nr. {n}"))
    parsed.clear()
    embedder = FakeEmbedder()
    again = Engine.open(settings, embedder)
    assert parsed == [] and embedder.texts_seen == []
    assert not again.build_report.built
    assert len(again.corpus.initiatives) == 8
    assert again.search(SearchQuery("Coaching nr. 2", k=3)).results[0].id.endswith("nr-2")


def test_a_start_up_parses_and_embeds_only_what_changed(
    settings: Settings, parsed: list[str]
) -> None:
    first = Engine.open(settings, FakeEmbedder())
    added = first.add_page(_page("Coaching nr. 1"))
    stored = settings.pages_dir / f"{added.id}.json"
    changed = first.replace_page(added.id, _page("Coaching nr. 1", "Et helt nyt råd.")).page
    (settings.pages_dir / "haandlagt.txt").write_text(_page("Lagt ind i hånden"), "utf-8")
    stored.write_bytes(stored.read_bytes())  # rewritten, the same bytes: not parsed again
    parsed.clear()
    embedder = FakeEmbedder()
    again = Engine.open(settings, embedder)
    assert parsed == ["haandlagt.txt"]
    new = [p for p in again.corpus.initiatives if p.id == "hedensted-lagt-ind-i-haanden"]
    assert len(new) == 1
    assert again.build_report.built and again.build_report.reused > 0
    # only the new page's passages: its title passage and its paragraphs
    assert 0 < len(embedder.texts_seen) <= 1 + sum(len(s.paragraphs) for s in new[0].sections)
    assert again.initiative(changed.id) == changed


def test_a_write_parses_and_embeds_only_the_page_it_writes(
    settings: Settings, parsed: list[str]
) -> None:
    embedder = FakeEmbedder()
    engine = Engine.open(settings, embedder)
    engine.add_page(_page("Coaching nr. 1"))
    parsed.clear()
    embedder.texts_seen.clear()
    added = engine.add_page(_page("Coaching nr. 2", "Et råd, ingen anden side har."))
    assert parsed == [f"{added.id}.json"]
    assert any("ingen anden side har" in t for t in embedder.texts_seen)
    assert all("Coaching nr. 1" not in t for t in embedder.texts_seen)
    assert engine.build_report.embedded == len(embedder.texts_seen)
    embedder.texts_seen.clear()
    engine.delete_page(added.id)
    assert embedder.texts_seen == []  # a delete embeds nothing


class Gate(FakeEmbedder):
    """Holds a write inside its embedding until released: the snapshot is being built."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def embed_batch(self, texts: Sequence[str]) -> Any:
        if any("VENT HER" in t for t in texts):
            self.entered.set()
            assert self.release.wait(60), "the test never released the write"
        return super().embed_batch(texts)


def test_reads_never_wait_for_a_write_here_or_in_another_process(settings: Settings) -> None:
    gate = Gate()
    engine = Engine.open(settings, gate)
    other = Engine.open(settings, FakeEmbedder())  # another worker on the same data dir
    failures: list[BaseException] = []

    def write() -> None:
        try:
            engine.add_page(_page("Ny side", "VENT HER med dette råd."))
        except BaseException as exc:
            failures.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    assert gate.entered.wait(30), failures
    answers: list[int] = []

    def read() -> None:
        for reader in (engine, other):
            reader.refresh()
            answers.append(reader.search(SearchQuery("coaching", k=3)).total)

    reader = threading.Thread(target=read)
    reader.start()
    reader.join(30)
    held = not gate.release.is_set() and writer.is_alive()
    gate.release.set()
    writer.join(60)
    assert held and not reader.is_alive(), "a read waited for the write"
    assert len(answers) == 2 and all(answers) and not failures
    # The acknowledged write is visible to the next read, here and in the other worker.
    found = {r.id for r in engine.search(SearchQuery("VENT HER råd", k=5)).results}
    assert "hedensted-ny-side" in found
    assert other.refresh() and other.initiative("hedensted-ny-side")
