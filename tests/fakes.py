"""A small deterministic embedder for unit tests: hashed stems and character trigrams.

Texts that share words or word pieces get similar vectors, so ranking tests mean something,
but nothing is downloaded and every run gives the same numbers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from engine.domain.text import DanishAnalyzer
from engine.embedding.base import Embedder, Vectors, normalise


class FakeEmbedder(Embedder):
    def __init__(self, dimension: int = 96, name: str = "fake-hash", **kwargs: object) -> None:
        super().__init__(name, dimension, **kwargs)  # type: ignore[arg-type]
        self._analyzer = DanishAnalyzer()
        self.batches: list[int] = []
        self.texts_seen: list[str] = []

    def _bucket(self, feature: str) -> tuple[int, float]:
        digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        return value % self.dimension, 1.0 if (value >> 40) & 1 else -1.0

    def embed_batch(self, texts: Sequence[str]) -> Vectors:
        self.batches.append(len(texts))
        self.texts_seen.extend(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for stem in self._analyzer.stems(text):
                col, sign = self._bucket("w:" + stem)
                out[row, col] += 2.0 * sign
                padded = f"#{stem}#"
                for i in range(len(padded) - 2):
                    col, sign = self._bucket("t:" + padded[i : i + 3])
                    out[row, col] += 0.5 * sign
        return normalise(out)
