"""Embedding backends behind one interface; `load_embedder` picks one from the settings."""

from __future__ import annotations

from engine.embedding.base import Embedder, Vectors, normalise
from engine.settings import Settings

__all__ = ["Embedder", "Vectors", "load_embedder", "normalise"]


def load_embedder(settings: Settings) -> Embedder:
    """Load the configured model; raises `ModelLoadError` with what to do if it cannot."""
    from engine.embedding.sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(
        settings.model,
        query_prefix=settings.query_prefix,
        passage_prefix=settings.passage_prefix,
        batch_size=settings.batch_size,
        query_cache_size=settings.query_cache_size,
    )
