"""Dense backend: faiss inner product on L2-normalised vectors (= cosine).

Exact flat search is the default: below some 100k passages it is fast enough and never
misses. HNSW is there for large corpora. Filters restrict the candidates inside faiss with an
ID selector, so a filtered search ranks only allowed passages instead of post-filtering a
top-k that may hold none of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import faiss
import numpy as np
import numpy.typing as npt

from index.base import Hits, Rows

Kind = Literal["flat", "hnsw"]
_FAISS: Any = faiss  # its type stubs miss the search-parameter classes
# Below this many allowed rows, HNSW with a selector can miss; exact search is cheap there.
_EXACT_SUBSET_LIMIT = 4096


class DenseIndex:
    def __init__(self, index: Any, kind: Kind, ef_search: int = 128) -> None:
        self._index = index
        self.kind: Kind = kind
        self.ef_search = ef_search
        if kind == "hnsw":
            index.hnsw.efSearch = ef_search

    @classmethod
    def build(
        cls,
        vectors: npt.NDArray[np.float32],
        kind: Kind = "flat",
        hnsw_m: int = 32,
        ef_search: int = 128,
    ) -> DenseIndex:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = int(vectors.shape[1])
        if kind == "hnsw":
            index: Any = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = max(40, 2 * hnsw_m)
        else:
            index = faiss.IndexFlatIP(dim)
        if len(vectors):
            index.add(vectors)
        return cls(index, kind, ef_search)

    @classmethod
    def load(cls, path: Path, ef_search: int = 128) -> DenseIndex:
        index = faiss.read_index(str(path))
        kind: Kind = "hnsw" if isinstance(index, faiss.IndexHNSW) else "flat"
        return cls(index, kind, ef_search)

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def vectors(self) -> npt.NDArray[np.float32]:
        """Every row's vector (a copy), for a caller that builds the next index from them."""
        n = len(self)
        if not n:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.asarray(self._index.reconstruct_n(0, n), dtype=np.float32)

    def search(self, query: npt.NDArray[np.float32], k: int, allowed: Rows | None = None) -> Hits:
        """Top k rows by cosine, restricted to `allowed` rows when given."""
        n = len(self)
        if n == 0 or k <= 0 or (allowed is not None and len(allowed) == 0):
            return Hits.empty()
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if allowed is None:
            k = min(k, n)
            scores, rows = self._index.search(q, k)
        elif self.kind == "hnsw" and len(allowed) <= _EXACT_SUBSET_LIMIT:
            vectors = self._index.reconstruct_batch(allowed)
            sims = vectors @ q[0]
            order = np.lexsort((allowed, -sims))[:k]
            return Hits(allowed[order].astype(np.int64), sims[order].astype(np.float32))
        else:
            k = min(k, len(allowed))
            selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
            params: Any = (
                _FAISS.SearchParametersHNSW(sel=selector, efSearch=self.ef_search)
                if self.kind == "hnsw"
                else _FAISS.SearchParameters(sel=selector)
            )
            scores, rows = self._index.search(q, k, params=params)
        keep = rows[0] >= 0
        return Hits(rows[0][keep].astype(np.int64), scores[0][keep].astype(np.float32))
