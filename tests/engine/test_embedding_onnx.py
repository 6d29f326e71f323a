"""The onnx backend gives torch's vectors, exports once, and fails with advice, not garbage."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from engine.embedding import load_embedder
from engine.embedding.base import Embedder
from engine.embedding.bundled import MINILM, resolve_model
from engine.embedding.onnx import OnnxEmbedder, _max_length, _pooling
from engine.shared.errors import ModelLoadError
from engine.shared.settings import Settings

TEXTS = [
    "ordblinde ledige",
    "Vi styrker dine læse-, skrive- og regnefærdigheder sammen med virksomheden.",
    "long-term unemployed with dyslexia",
    "Æ ø å — §6.1 Dagpengemodtagere (længerevarende)",
    "jobsøgningskursus " * 300,  # past the model's 256 word pieces
    "a",
]


@pytest.fixture(scope="module")
def torch_embedder() -> Embedder:
    return load_embedder(Settings(backend="torch", model=MINILM))


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def onnx_embedder(models_dir: Path) -> OnnxEmbedder:
    return OnnxEmbedder(MINILM, resolve_model(MINILM, models_dir), models_dir)


@pytest.mark.model
def test_same_vectors_as_torch_batched_and_single(
    torch_embedder: Embedder, onnx_embedder: OnnxEmbedder
) -> None:
    expected = torch_embedder.embed_batch(TEXTS)
    batched = onnx_embedder.embed_batch(TEXTS)
    assert batched.shape == expected.shape == (len(TEXTS), 384)
    assert batched.dtype == np.float32
    np.testing.assert_allclose(batched, expected, atol=1e-4)
    for text, row in zip(TEXTS, expected, strict=True):
        np.testing.assert_allclose(onnx_embedder.embed_query(text), row, atol=1e-4)
    np.testing.assert_allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)


@pytest.mark.model
def test_passages_in_any_order_keep_their_rows(
    torch_embedder: Embedder, onnx_embedder: OnnxEmbedder
) -> None:
    """Passages are batched by length; each vector must still land on its own row."""
    onnx_embedder.batch_size = 2
    seen: list[int] = []
    vectors = onnx_embedder.embed_passages(TEXTS, seen.append)
    onnx_embedder.batch_size = 32
    assert sum(seen) == len(TEXTS)
    np.testing.assert_allclose(vectors, torch_embedder.embed_batch(TEXTS), atol=1e-4)


@pytest.mark.model
def test_float_graph_shares_the_index_with_torch(
    torch_embedder: Embedder, onnx_embedder: OnnxEmbedder
) -> None:
    assert onnx_embedder.identity == torch_embedder.identity


@pytest.mark.model
def test_export_is_reused_not_redone(onnx_embedder: OnnxEmbedder, models_dir: Path) -> None:
    graphs = sorted(models_dir.glob("*.onnx"))
    assert len(graphs) == 1
    before = graphs[0].stat().st_mtime_ns
    again = OnnxEmbedder(MINILM, resolve_model(MINILM, models_dir), models_dir)
    assert graphs[0].stat().st_mtime_ns == before
    assert sorted(models_dir.glob("*.onnx")) == graphs
    assert not list(models_dir.glob(".*.tmp-*"))
    assert again.embed_batch(["ledige"]).shape == (1, 384)


@pytest.mark.model
def test_damaged_export_gives_advice(models_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "models"
    broken.mkdir()
    (graph,) = models_dir.glob("*.onnx")
    (broken / graph.name).write_bytes(graph.read_bytes()[:1000])
    with pytest.raises(ModelLoadError, match="delete the file"):
        OnnxEmbedder(MINILM, resolve_model(MINILM, broken), broken)


@pytest.mark.model
def test_a_model_saved_by_this_sentence_transformers_gives_torchs_vectors(
    tmp_path: Path, torch_embedder: Embedder
) -> None:
    """A model fine-tuned and saved here has the newer config files: one "pooling_mode" and
    no `max_seq_length`, so the export must read where those moved to (it once read 512 word
    pieces where torch reads 256, and long passages differed)."""
    from sentence_transformers import SentenceTransformer

    saved = tmp_path / "saved-model"
    SentenceTransformer(resolve_model(MINILM, tmp_path), device="cpu").save(str(saved))
    embedder = OnnxEmbedder(str(saved), saved, tmp_path / "models")
    np.testing.assert_allclose(
        embedder.embed_batch(TEXTS), torch_embedder.embed_batch(TEXTS), atol=1e-4
    )


@pytest.mark.parametrize(
    ("pooling", "expected"),
    [
        ({"pooling_mode": "cls"}, "cls"),
        ({"pooling_mode": "mean"}, "mean"),
        ({"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False}, "cls"),
        ({"pooling_mode_mean_tokens": True}, "mean"),
        ({}, "mean"),
    ],
)
def test_pooling_is_read_from_either_config_format(
    tmp_path: Path, pooling: dict[str, object], expected: str
) -> None:
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    modules = [
        {"path": "", "type": "sentence_transformers.models.Transformer"},
        {"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    ]
    (tmp_path / "modules.json").write_text(json.dumps(modules))
    assert _pooling(tmp_path) == expected


@pytest.mark.parametrize("pooling", [{"pooling_mode": "max"}, {"pooling_mode_mean_tokens": False}])
def test_pooling_the_graph_cannot_do_is_refused_with_advice(
    tmp_path: Path, pooling: dict[str, object]
) -> None:
    (tmp_path / "config.json").write_text(json.dumps(pooling))
    (tmp_path / "modules.json").write_text(json.dumps([{"path": "", "type": "x.Pooling"}]))
    with pytest.raises(ModelLoadError, match="INDSATS_BACKEND=torch"):
        _pooling(tmp_path)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"sentence_bert_config.json": {"max_seq_length": 128}}, 128),
        (
            {"sentence_bert_config.json": {}, "tokenizer_config.json": {"model_max_length": 256}},
            256,
        ),
        ({"tokenizer_config.json": {"model_max_length": 1000000000000000019884624838656}}, 512),
        ({}, 512),
    ],
)
def test_truncation_length_follows_sentence_transformers(
    tmp_path: Path, files: dict[str, dict[str, int]], expected: int
) -> None:
    for name, content in files.items():
        (tmp_path / name).write_text(json.dumps(content))
    assert _max_length(tmp_path) == expected


def test_model_that_is_not_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="INDSATS_BACKEND=torch"):
        OnnxEmbedder(
            str(tmp_path / "no-such-model"), tmp_path / "no-such-model", tmp_path / "models"
        )
    assert not list(tmp_path.rglob("*.onnx"))


def test_unknown_backend_is_rejected() -> None:
    with pytest.raises(ValueError, match="backend"):
        Settings(backend="tensorflow")  # type: ignore[arg-type]


def test_backend_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INDSATS_BACKEND", "torch")
    assert Settings().backend == "torch"
    monkeypatch.delenv("INDSATS_BACKEND")
    assert Settings().backend == "onnx"


class _Session:
    """Stands in for an onnx session: says which one ran, and can hold a call open."""

    def __init__(self, name: str, calls: list[str], hold: threading.Event | None = None) -> None:
        self.name, self.calls, self.hold = name, calls, hold
        self.running = threading.Event()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(self.name)
        self.running.set()
        if self.hold is not None:
            assert self.hold.wait(10)
        return np.ones((len(texts), 4), dtype=np.float32)


def _routing(lone: bool) -> tuple[OnnxEmbedder, list[str], threading.Event, _Session]:
    embedder = OnnxEmbedder.__new__(OnnxEmbedder)  # no model: only the routing is tested
    calls: list[str] = []
    release = threading.Event()
    embedder._runner = _Session("one core", calls)  # type: ignore[assignment]
    blocking = _Session("every core", calls, release)
    embedder._lone = blocking if lone else None  # type: ignore[assignment]
    embedder._busy, embedder._busy_lock = 0, threading.Lock()
    return embedder, calls, release, blocking


def test_a_lone_query_takes_every_core_and_one_beside_it_takes_one() -> None:
    embedder, calls, release, blocking = _routing(lone=True)
    first = threading.Thread(target=embedder.embed_batch, args=(["ledige"],))
    first.start()
    assert blocking.running.wait(10)
    embedder.embed_batch(["sygemeldte"])  # while the first is still running
    release.set()
    first.join(10)
    embedder.embed_batch(["unge"])  # alone again
    assert calls == ["every core", "one core", "every core"]
    assert embedder._busy == 0


def test_with_threads_set_every_query_takes_the_configured_session() -> None:
    embedder, calls, _, _ = _routing(lone=False)
    embedder.embed_batch(["ledige"])
    assert calls == ["one core"]
