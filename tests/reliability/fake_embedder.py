"""A small deterministic embedder for the reliability tests: hashed bag of words.

Crash, load and fuzz runs start many processes; loading the real model in each would cost
seconds and memory per process on a two-core machine. Word hashing still gives related
texts related vectors, which is all these tests need (relevance is tested elsewhere).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from engine.embedding.base import Embedder, Vectors, normalise
from engine.text import words

DIMENSION = 64


class HashingEmbedder(Embedder):
    def __init__(self, dimension: int = DIMENSION) -> None:
        super().__init__("fake-hashing-embedder", dimension)

    def embed_batch(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in words(text):
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                slot = int.from_bytes(digest[:4], "little") % self.dimension
                out[row, slot] += 1.0 if digest[4] & 1 else -1.0
        return normalise(out)
