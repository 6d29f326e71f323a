"""A small deterministic embedder for unit tests: hashed stems and character trigrams.

Texts that share words or word pieces get similar vectors, so ranking tests mean something,
but nothing is downloaded and every run gives the same numbers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from engine.domain.text import DanishAnalyzer
from engine.embedding.base import Embedder, Vectors, normalise
from engine.search.calibration import (
    LEXICAL_ONLY,
    PRACTICE_LEXICAL_FEATURES,
    Calibration,
    MatchModel,
    fitted_under,
)
from engine.search.fusion import Ranking


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


def fake_calibration(embedder: Embedder, ranking: Ranking | None = None) -> Calibration:
    """The bundled fits with a practices' fit for `embedder` that a test can reason about:
    a practice fits (match >= 0.5) when it covers more than half the situation's content
    words and is the best practice, or all of them; the fake's cosines count a little."""
    ranking = ranking or Ranking()
    bundled = Calibration.load()
    weights = {"coverage": 6.0, "top": 1.0, "cosine_z": 0.2}
    dense = MatchModel(
        features=tuple(weights), coefficients=tuple(weights.values()), intercept=-4.2, threshold=0.5
    )
    lexical = MatchModel(
        features=PRACTICE_LEXICAL_FEATURES,
        coefficients=tuple(weights.get(f, 0.0) for f in PRACTICE_LEXICAL_FEATURES),
        intercept=-4.2,
        threshold=0.5,
    )
    practices = {
        embedder.name: replace(dense, fitted_under=fitted_under(ranking, embedder.identity)),
        LEXICAL_ONLY: replace(lexical, fitted_under=fitted_under(ranking, None)),
    }
    return Calibration(bundled.models, bundled.about, practices)
