"""The embedder interface: backends turn texts into vectors, the base class does the rest.

Backends only implement `embed_batch`; prefixes (E5-style `query: `/`passage: `), batching and
the query cache live here once, so every backend behaves the same and the index and the
searcher never need to know which model they talk to.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


def normalise(vectors: npt.NDArray[np.floating]) -> Vectors:
    """L2-normalise rows so inner product is cosine; zero rows stay zero instead of NaN."""
    out = np.asarray(vectors, dtype=np.float32)
    if out.ndim == 1:
        out = out.reshape(1, -1)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0.0] = 1.0
    return np.ascontiguousarray(out / norms, dtype=np.float32)


class Embedder(ABC):
    """Turns passages and queries into L2-normalised float32 vectors."""

    def __init__(
        self,
        name: str,
        dimension: int,
        *,
        query_prefix: str = "",
        passage_prefix: str = "",
        batch_size: int = 32,
        query_cache_size: int = 2048,
    ) -> None:
        self._name = name
        self._dimension = dimension
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = max(1, batch_size)
        self._cache_size = max(0, query_cache_size)
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        # The API serves queries from several threads; the cache must not tear.
        self._lock = threading.Lock()
        self.cache_hits = 0

    @property
    def name(self) -> str:
        """Identifies the vector space; part of the index manifest and the vector cache key."""
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def identity(self) -> str:
        """Everything that changes passage vectors: the model and the passage prefix."""
        return f"{self._name}|passage_prefix={self.passage_prefix!r}"

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> Vectors:
        """Embed texts as given (prefixes already applied): shape (n, dimension), normalised."""

    def embed_passages(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> Vectors:
        """Embed passages in batches; `progress(n)` is called after each batch of n texts."""
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        # A batch is padded to its longest text, so batches of similar lengths waste less
        # (sentence-transformers' own encode sorts the same way).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            batch = [self.passage_prefix + texts[i] for i in rows]
            out[rows] = self._checked(self.embed_batch(batch), len(batch))
            if progress is not None:
                progress(len(batch))
        return out

    def embed_query(self, text: str) -> Vectors:
        """Embed one query, shape (dimension,); repeated queries come from a bounded LRU cache."""
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                self.cache_hits += 1
                cached: Vectors = hit
                return cached
        vector: Vectors = self._checked(self.embed_batch([self.query_prefix + text]), 1)[0]
        vector.setflags(write=False)
        with self._lock:
            if self._cache_size:
                self._cache[text] = vector
                self._cache.move_to_end(text)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return vector

    def _checked(self, vectors: Vectors, expected: int) -> Vectors:
        if vectors.shape != (expected, self._dimension):
            raise ValueError(
                f"{type(self).__name__}.embed_batch returned shape {vectors.shape}, "
                f"expected ({expected}, {self._dimension})"
            )
        return vectors
