"""Versioned index store: rebuild only on change, verify on load, reuse vectors, swap safely."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from engine.domain.text import DanishAnalyzer
from index.base import Document
from index.store import CURRENT, KEEP_VERSIONS, IndexSpec, IndexStore, StaleIndex
from tests.fakes import FakeEmbedder

TEXTS = [
    "Coaching af ledige med fokus på styrker.",
    "Ordblindeundervisning og FVU for dagpengemodtagere.",
    "Ekstern jobformidler til langtidsledige.",
]


def _docs(texts: list[str]) -> list[Document]:
    return [Document(id=f"d{i}", text=t, payload={"n": i}) for i, t in enumerate(texts)]


def _spec(embedder: FakeEmbedder, corpus: str = "c1", kind: str = "flat") -> IndexSpec:
    return IndexSpec(
        model=embedder.identity, dimension=embedder.dimension, corpus_hash=corpus, kind=kind
    )  # type: ignore[arg-type]


@pytest.fixture()
def store(tmp_path: Path) -> IndexStore:
    return IndexStore(tmp_path / "index", tmp_path / "lock", DanishAnalyzer())


def test_first_ensure_builds_and_second_loads(store: IndexStore) -> None:
    embedder = FakeEmbedder()
    assert store.current_version() is None
    loaded, report = store.ensure(lambda: _docs(TEXTS), _spec(embedder), embedder.embed_passages)
    assert report.built and report.embedded == 3 and report.reused == 0
    assert store.current_version() == loaded.version
    assert [d.payload for d in loaded.read_documents()] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert len(loaded) == 3

    calls = len(embedder.texts_seen)
    again, report2 = store.ensure(lambda: _docs(TEXTS), _spec(embedder), embedder.embed_passages)
    assert not report2.built and again.version == loaded.version
    assert len(embedder.texts_seen) == calls  # nothing embedded


def test_manifest_records_what_the_index_was_built_from(store: IndexStore) -> None:
    embedder = FakeEmbedder()
    loaded, _ = store.ensure(lambda: _docs(TEXTS), _spec(embedder), embedder.embed_passages)
    manifest = json.loads((store.root / loaded.version / "manifest.json").read_text())
    assert manifest["model"] == embedder.identity
    assert manifest["dimension"] == embedder.dimension
    assert manifest["corpus_hash"] == "c1"
    assert manifest["passage_count"] == 3
    assert {"dense.faiss", "vectors.npy", "passages.jsonl"} <= set(manifest["files"])
    assert any(name.startswith("lexical/") for name in manifest["files"])


def test_changed_corpus_rebuilds_and_embeds_only_new_passages(
    store: IndexStore, caplog: pytest.LogCaptureFixture
) -> None:
    embedder = FakeEmbedder()
    first, _ = store.ensure(lambda: _docs(TEXTS), _spec(embedder), embedder.embed_passages)
    new_texts = [*TEXTS, "Virksomhedspraktik og løntilskud."]
    embedder.texts_seen.clear()
    with caplog.at_level(logging.WARNING, logger="index.store"):
        second, report = store.ensure(
            lambda: _docs(new_texts), _spec(embedder, "c2"), embedder.embed_passages
        )
    assert report.built and report.embedded == 1 and report.reused == 3
    assert embedder.texts_seen == ["Virksomhedspraktik og løntilskud."]
    assert "siderne er ændret" in caplog.text
    assert second.version != first.version and store.current_version() == second.version
    # Reused vectors are the same vectors a fresh embedding gives.
    fresh = FakeEmbedder().embed_passages(new_texts)
    stored = np.load(store.root / second.version / "vectors.npy")
    assert np.allclose(stored, fresh, atol=1e-6)


def test_changed_model_rebuilds_everything(store: IndexStore) -> None:
    store.ensure(lambda: _docs(TEXTS), _spec(FakeEmbedder()), FakeEmbedder().embed_passages)
    other = FakeEmbedder(name="another-model")
    _, report = store.ensure(lambda: _docs(TEXTS), _spec(other), other.embed_passages)
    assert report.built and "modellen er ændret" in report.reason
    assert report.embedded == 3 and report.reused == 0


def test_force_rebuilds_without_reusing_vectors(store: IndexStore) -> None:
    embedder = FakeEmbedder()
    store.ensure(lambda: _docs(TEXTS), _spec(embedder), embedder.embed_passages)
    _, report = store.ensure(
        lambda: _docs(TEXTS), _spec(embedder), embedder.embed_passages, force=True
    )
    assert report.built and report.embedded == 3


@pytest.mark.parametrize("victim", ["dense.faiss", "vectors.npy", "passages.jsonl", "lexical"])
def test_corrupted_file_is_detected_and_rebuilt(store: IndexStore, victim: str) -> None:
    embedder = FakeEmbedder()
    loaded, _ = store.ensure(lambda: _docs(TEXTS), _spec(embedder), embedder.embed_passages)
    directory = store.root / loaded.version
    target = directory / victim
    if target.is_dir():
        target = sorted(target.iterdir())[0]
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(StaleIndex, match="beskadiget"):
        store.load(_spec(embedder))
    rebuilt, report = store.ensure(lambda: _docs(TEXTS), _spec(embedder), embedder.embed_passages)
    assert report.built and "beskadiget" in report.reason
    assert report.embedded == 3  # vectors of a damaged version are not trusted
    assert store.load(_spec(embedder)).version == rebuilt.version


def test_missing_file_and_garbage_current_are_stale(store: IndexStore) -> None:
    embedder = FakeEmbedder()
    loaded, _ = store.ensure(lambda: _docs(TEXTS), _spec(embedder), embedder.embed_passages)
    (store.root / loaded.version / "dense.faiss").unlink()
    with pytest.raises(StaleIndex, match="mangler"):
        store.load(_spec(embedder))
    (store.root / CURRENT).write_text("../../etc\n")
    assert store.current_version() is None
    with pytest.raises(StaleIndex):
        store.load(_spec(embedder))


def test_index_kind_change_rebuilds_as_hnsw(store: IndexStore) -> None:
    embedder = FakeEmbedder()
    store.ensure(lambda: _docs(TEXTS), _spec(embedder), embedder.embed_passages)
    loaded, report = store.ensure(
        lambda: _docs(TEXTS), _spec(embedder, kind="hnsw"), embedder.embed_passages
    )
    assert report.built and loaded.dense.kind == "hnsw"


def test_old_versions_and_temp_dirs_are_collected(store: IndexStore) -> None:
    embedder = FakeEmbedder()
    for n in range(KEEP_VERSIONS + 3):
        store.ensure(
            lambda n=n: _docs([*TEXTS, f"side {n}"]),
            _spec(embedder, f"c{n}"),
            embedder.embed_passages,
        )
    (store.root / ".tmp-leftover").mkdir()
    store.ensure(lambda: _docs(TEXTS), _spec(embedder, "final"), embedder.embed_passages)
    versions = [p for p in store.root.iterdir() if p.name.startswith("v-")]
    assert len(versions) == KEEP_VERSIONS
    assert store.current_version() in {p.name for p in versions}
    assert not list(store.root.glob(".tmp-*"))
    assert not list(store.root.glob(f"{CURRENT}.tmp-*"))


def test_current_version_tracks_a_build_by_another_store(store: IndexStore) -> None:
    embedder = FakeEmbedder()
    first, _ = store.ensure(lambda: _docs(TEXTS), _spec(embedder), embedder.embed_passages)
    other = IndexStore(store.root, store.lock_path, store.analyzer)  # e.g. another API worker
    second, _ = other.ensure(
        lambda: _docs(TEXTS[:2]), _spec(embedder, "c9"), embedder.embed_passages
    )
    assert store.current_version() == second.version != first.version


def test_concurrent_builders_build_once(store: IndexStore) -> None:
    """A second builder waits on the lock, then finds the first one's index and loads it."""
    import threading

    from engine.embedding.base import Vectors

    inside = threading.Event()
    release = threading.Event()

    class Slow(FakeEmbedder):
        def embed_batch(self, texts: list[str]) -> Vectors:  # type: ignore[override]
            inside.set()
            release.wait(10)
            return super().embed_batch(texts)

    slow = Slow()
    results: list[object] = []
    worker = threading.Thread(
        target=lambda: results.append(
            store.ensure(lambda: _docs(TEXTS), _spec(slow), slow.embed_passages)
        )
    )
    worker.start()
    assert inside.wait(10)
    other_embedder = FakeEmbedder()
    other = IndexStore(store.root, store.lock_path, store.analyzer)
    waiting: list[object] = []
    second = threading.Thread(
        target=lambda: waiting.append(
            other.ensure(lambda: _docs(TEXTS), _spec(other_embedder), other_embedder.embed_passages)
        )
    )
    second.start()
    second.join(0.3)
    assert second.is_alive()  # blocked on the write lock, not building alongside
    release.set()
    worker.join(10)
    second.join(10)
    (_, first_report), (loaded, report) = results[0], waiting[0]  # type: ignore[misc]
    assert first_report.built and not report.built
    assert report.reason == "bygget af en anden proces"
    assert other_embedder.texts_seen == []
    assert loaded.version == store.current_version()
