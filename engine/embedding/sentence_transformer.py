"""sentence-transformers backend, loaded from a local directory or the local HF cache only
(`location`, resolved by `bundled.resolve_model`; `model` is the setting, the vectors' name)."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from engine.embedding.base import Embedder, Vectors, normalise
from engine.shared.errors import ModelLoadError

log = logging.getLogger(__name__)


class SentenceTransformerEmbedder(Embedder):
    def __init__(
        self,
        model: str,
        location: str,
        *,
        query_prefix: str = "",
        passage_prefix: str = "",
        batch_size: int = 32,
        query_cache_size: int = 2048,
        threads: int = 0,
    ) -> None:
        # Never reach for the network: a missing model must fail fast with advice instead.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
            self._model: Any = SentenceTransformer(location, device="cpu")
            if threads > 0:
                import torch

                torch.set_num_threads(threads)
        except Exception as exc:  # the library raises many types (OSError, ValueError, ...)
            raise ModelLoadError(
                f"Could not load the embedding model '{model}' ({type(exc).__name__}: {exc}). "
                "Set INDSATS_MODEL to a local sentence-transformers directory, to a model "
                "name already in the local Hugging Face cache, or to "
                "'bundled:multilingual-e5-small'."
            ) from exc
        # sentence-transformers renamed the method in v5; accept either spelling.
        getter: Any = getattr(self._model, "get_embedding_dimension", None)
        if getter is None:
            getter = self._model.get_sentence_embedding_dimension
        dimension = int(getter())
        log.info("loaded embedding model %s (dimension %d) from %s", model, dimension, location)
        super().__init__(
            model,
            dimension,
            query_prefix=query_prefix,
            passage_prefix=passage_prefix,
            batch_size=batch_size,
            query_cache_size=query_cache_size,
        )

    def embed_batch(self, texts: Sequence[str]) -> Vectors:
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return normalise(np.asarray(vectors))
