"""onnxruntime backend: the same sentence-transformers model, exported once, run without torch.

Why: for one short query the torch path spends much of its time in Python and operator
dispatch, not arithmetic; onnxruntime runs the same graph in about half the time
(docs/BENCHMARKS.md), and a server started on an exported model never imports torch, so
start-up is faster too.

The export happens on first use into `<data_dir>/models/` (torch.onnx, TorchScript exporter):
the transformer, its pooling and the L2 normalisation become one graph, so a query is one
tokeniser call and one `run`. The file name carries a digest of the model files, the pooling
and the export recipe, so a changed model gets a new file instead of a stale one. An export
is checked against torch on probe texts before it is moved into place (atomically, under a
lock, so two workers starting together export once); a graph that disagrees is never used.

The graph is float32 and gives torch's vectors (within 1e-4), so an index built with either
backend serves the other. Dynamic int8 quantisation was measured and left out: twice as fast
again, but cosine to the torch vectors fell to 0.81-0.96 on Danish text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import uuid
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from durable.files import atomic_replace, file_lock
from engine.embedding.base import Embedder, Vectors, normalise
from engine.embedding.bundled import DIGEST_FILE
from engine.shared.errors import ModelLoadError

log = logging.getLogger(__name__)

# Bump when the exported graph changes (wrapper, opset, exporter settings).
EXPORT_RECIPE = "st-mean-or-cls+l2/opset17/torchscript/1"
OPSET = 17
TOLERANCE = 1e-4
_PROBES = (
    "ordblinde ledige",
    "Jobrettet coaching til afklaring af jobmuligheder for længerevarende ledige",
    "dyslexia",
    "Virksomhedspraktik " * 200,  # longer than the model reads: exercises truncation
)
_MODEL_FILES = (
    "config.json",
    "model.safetensors",
    "pytorch_model.bin",
    "tokenizer.json",
    "sentence_bert_config.json",
    "modules.json",
    "1_Pooling/config.json",
)


def _pooling(location: Path) -> str:
    """'mean' or 'cls' from the sentence-transformers config; anything else is refused."""
    modules_path = location / "modules.json"
    if not modules_path.is_file():
        return "mean"
    modules = json.loads(modules_path.read_text("utf-8"))
    kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
    if any(k not in {"Transformer", "Pooling", "Normalize"} for k in kinds):
        raise ModelLoadError(
            f"The onnx backend supports transformer + pooling models only; {location} has "
            f"{kinds}. Set INDSATS_BACKEND=torch for this model."
        )
    pooling_dir = next(
        (m["path"] for m in modules if str(m.get("type", "")).endswith("Pooling")), ""
    )
    config_path = location / pooling_dir / "config.json"
    config = json.loads(config_path.read_text("utf-8")) if config_path.is_file() else {}
    # Newer sentence-transformers (6.3 here) save one "pooling_mode"; older ones a flag per mode.
    mode = config.get("pooling_mode")
    if mode is None and config.get("pooling_mode_cls_token"):
        mode = "cls"
    elif mode is None and config.get("pooling_mode_mean_tokens", True):
        mode = "mean"
    if mode in ("mean", "cls"):
        return str(mode)
    raise ModelLoadError(
        f"The onnx backend supports mean or CLS pooling; {config_path} asks for another. "
        "Set INDSATS_BACKEND=torch for this model."
    )


def _max_length(location: Path) -> int:
    """Where sentence-transformers truncates: its own config's `max_seq_length`, or, where a
    model saved by a newer sentence-transformers (6.3 here) leaves that out, the tokeniser's
    `model_max_length` (all-MiniLM-L6-v2 saved again: 256; reading 512 instead made long
    passages' vectors differ from torch's)."""
    for name, key in (
        ("sentence_bert_config.json", "max_seq_length"),
        ("tokenizer_config.json", "model_max_length"),
    ):
        config = location / name
        if config.is_file():
            value = json.loads(config.read_text("utf-8")).get(key)
            # transformers writes a huge sentinel when a tokeniser has no limit of its own.
            if isinstance(value, int) and 0 < value <= 100_000:
                return value
    return 512


def model_digest(location: Path, pooling: str) -> str:
    """Changes whenever the exported graph would: model files, pooling, export recipe. A
    directory converted from bundled weights names its digest (`bundled.DIGEST_FILE`), so
    its 470 MB are not read at every start."""
    digest = hashlib.sha256(f"{EXPORT_RECIPE}|{pooling}".encode())
    if (location / DIGEST_FILE).is_file():
        digest.update((location / DIGEST_FILE).read_bytes())
        return digest.hexdigest()[:16]
    for name in _MODEL_FILES:
        path = location / name
        if path.is_file():
            digest.update(name.encode())
            with path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()[:16]


def _export(location: Path, pooling: str, target: Path) -> None:
    """Export with torch, check against torch on the probes, then rename into place."""
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # pragma: no cover - both are core dependencies
        raise ModelLoadError(
            f"Exporting the model to ONNX needs torch and sentence-transformers ({exc})."
        ) from exc

    st = SentenceTransformer(str(location), device="cpu")
    transformer: Any = st[0].auto_model
    transformer.eval()

    class Pooled(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            if pooling == "cls":
                pooled = hidden[:, 0]
            else:
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    sample = st.tokenizer(list(_PROBES[:2]), padding=True, return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    args = tuple(sample.get(n, torch.zeros_like(sample["input_ids"])) for n in names)
    tmp = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex}")
    try:
        # The tracer warns about shape-dependent Python branches; the probes below, with
        # other batch sizes and lengths than the trace, check the graph numerically instead.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Pooled(transformer),
                args,
                str(tmp),
                input_names=names,
                output_names=["embedding"],
                dynamic_axes={
                    **{n: {0: "batch", 1: "seq"} for n in names},
                    "embedding": {0: "batch"},
                },
                opset_version=OPSET,
                dynamo=False,
            )
        expected = np.asarray(st.encode(list(_PROBES), normalize_embeddings=True))
        got = _OnnxRunner(tmp, location, threads=0).embed(list(_PROBES))
        error = float(np.abs(got - expected).max())
        if error > TOLERANCE:
            raise ModelLoadError(
                f"The ONNX export of {location} differs from torch by {error:.2g} (allowed "
                f"{TOLERANCE}); set INDSATS_BACKEND=torch and report this."
            )
        atomic_replace(tmp, target)
        log.info("exported %s to %s (max difference to torch %.1e)", location, target, error)
    finally:
        for leftover in target.parent.glob(f".{target.name}.tmp-*"):
            leftover.unlink(missing_ok=True)


# Rows per onnxruntime call in a passage batch. Measured on the 2-core Xeon (508 passages of
# up to ~200 tokens, length-sorted): 1-4 rows 63-66 passages/s, 8 rows 56, 16 rows 52, 32 rows
# 42; larger calls spill their activations out of the cache. The embedder's batch size still
# sets how many texts one `embed_batch` call (and one progress step) takes.
RUN_ROWS = 4


class _OnnxRunner:
    """Tokeniser + inference session; no torch, no transformers."""

    def __init__(self, graph: Path, location: Path, threads: int, spin: bool = True) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads > 0:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        if not spin:
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(location / "tokenizer.json"))
        self.tokenizer.enable_truncation(_max_length(location))
        self.tokenizer.no_padding()
        self.dimension = int(self.session.get_outputs()[0].shape[-1])

    def embed(self, texts: Sequence[str]) -> Vectors:
        encodings = self.tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        out = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]
        return normalise(np.asarray(out))


class OnnxEmbedder(Embedder):
    def __init__(
        self,
        model: str,
        location: str | Path,
        cache_dir: Path,
        *,
        threads: int = 0,
        query_prefix: str = "",
        passage_prefix: str = "",
        batch_size: int = 32,
        query_cache_size: int = 2048,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            import onnxruntime  # noqa: F401
        except ImportError as exc:
            raise ModelLoadError(
                "INDSATS_BACKEND=onnx needs onnxruntime; install it with 'pip install "
                "onnxruntime onnx' (or 'make install'), or set INDSATS_BACKEND=torch."
            ) from exc
        location = Path(location)
        if not location.is_dir():
            raise ModelLoadError(
                f"The onnx backend loads a model from a local directory; '{model}' is not one. "
                "Set INDSATS_MODEL to a sentence-transformers directory or use "
                "INDSATS_BACKEND=torch."
            )
        pooling = _pooling(location)
        cache_dir.mkdir(parents=True, exist_ok=True)
        target = cache_dir / f"{location.name}-{model_digest(location, pooling)}.onnx"
        if not target.is_file():
            with file_lock(cache_dir / ".export.lock"):
                if not target.is_file():
                    log.warning("exporting %s to ONNX (first use of this model)", model)
                    _export(location, pooling, target)
        try:
            # A query runs on one thread while others run: concurrent requests then run side
            # by side instead of fighting over every core; a query on its own runs on every
            # core, in a session whose threads sleep between calls (`_embed_one`).
            self._runner = _OnnxRunner(target, location, threads or 1)
            self._lone = (
                _OnnxRunner(target, location, 0, spin=False)
                if threads == 0 and (os.cpu_count() or 1) > 1
                else None
            )
        except Exception as exc:  # onnxruntime raises its own exception types
            raise ModelLoadError(
                f"Could not open the ONNX model {target} ({type(exc).__name__}: {exc}); delete "
                "the file to export it again, or set INDSATS_BACKEND=torch."
            ) from exc
        self._graph, self._location, self._threads = target, location, threads
        self._batch_runner: _OnnxRunner | None = None
        self._batch_lock = threading.Lock()
        self._busy, self._busy_lock = 0, threading.Lock()
        log.info("loaded embedding model %s with onnxruntime from %s", model, target)
        super().__init__(
            model,
            self._runner.dimension,
            query_prefix=query_prefix,
            passage_prefix=passage_prefix,
            batch_size=batch_size,
            query_cache_size=query_cache_size,
        )

    def embed_batch(self, texts: Sequence[str]) -> Vectors:
        if len(texts) == 1:
            return self._embed_one(texts)
        # Index builds: a batch may use every core, with threads that sleep between calls,
        # so a build beside searches never holds the core the next search needs.
        if self._batch_runner is None:
            with self._batch_lock:
                if self._batch_runner is None:
                    self._batch_runner = _OnnxRunner(
                        self._graph, self._location, self._threads, spin=False
                    )
        runner = self._batch_runner
        return np.concatenate(
            [runner.embed(texts[i : i + RUN_ROWS]) for i in range(0, len(texts), RUN_ROWS)]
        )

    def _embed_one(self, texts: Sequence[str]) -> Vectors:
        """On every core when no other query is running, else on one. Measured A/B over HTTP
        (docs/BENCHMARKS.md, analysis): a lone search 10.2-11.0 -> 9.0-9.5 ms p50 and one
        client 73-76 -> 102-109 requests/s, 8 clients the same. The lone session must not
        spin: with spinning its idle threads took the core the next request needed (8
        clients: 141 -> 115 requests/s). It costs a second session, about 110 MiB."""
        with self._busy_lock:
            alone = self._busy == 0
            self._busy += 1
        try:
            runner = self._lone if alone and self._lone is not None else self._runner
            return runner.embed(texts)
        finally:
            with self._busy_lock:
                self._busy -= 1
