"""Embedding backends behind one interface; `load_embedder` picks one from the settings."""

from __future__ import annotations

from engine.embedding.base import Embedder, Vectors, normalise
from engine.settings import Settings

__all__ = ["Embedder", "Vectors", "load_embedder", "normalise"]


def load_embedder(settings: Settings) -> Embedder:
    """Load the configured model with the configured backend (`INDSATS_BACKEND`); raises
    `ModelLoadError` with what to do if it cannot."""
    if settings.backend == "onnx":
        from engine.embedding.onnx import OnnxEmbedder

        return OnnxEmbedder(
            settings.model,
            settings.models_dir,
            threads=settings.embed_threads,
            query_prefix=settings.query_prefix,
            passage_prefix=settings.passage_prefix,
            batch_size=settings.batch_size,
            query_cache_size=settings.query_cache_size,
        )
    from engine.embedding.sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(
        settings.model,
        threads=settings.embed_threads,
        query_prefix=settings.query_prefix,
        passage_prefix=settings.passage_prefix,
        batch_size=settings.batch_size,
        query_cache_size=settings.query_cache_size,
    )
