"""Embedding backends behind one interface; `load_embedder` picks one from the settings."""

from __future__ import annotations

from engine.embedding.base import Embedder, Vectors, normalise
from engine.embedding.bundled import model_prompts, resolve_model
from engine.shared.settings import Settings

__all__ = ["Embedder", "Vectors", "load_embedder", "normalise"]


def load_embedder(settings: Settings) -> Embedder:
    """Load the configured model with the configured backend (`INDSATS_BACKEND`); raises
    `ModelLoadError` with what to do if it cannot. Prefixes left unset come from the
    model's own prompts (E5's "query: " / "passage: ")."""
    location = resolve_model(settings.model, settings.models_dir)
    own_query, own_passage = model_prompts(location)
    query_prefix = own_query if settings.query_prefix is None else settings.query_prefix
    passage_prefix = own_passage if settings.passage_prefix is None else settings.passage_prefix
    if settings.backend == "onnx":
        from engine.embedding.onnx import OnnxEmbedder

        return OnnxEmbedder(
            settings.model,
            location,
            settings.models_dir,
            threads=settings.embed_threads,
            query_prefix=query_prefix,
            passage_prefix=passage_prefix,
            batch_size=settings.batch_size,
            query_cache_size=settings.query_cache_size,
        )
    from engine.embedding.sentence_transformer import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(
        settings.model,
        location,
        threads=settings.embed_threads,
        query_prefix=query_prefix,
        passage_prefix=passage_prefix,
        batch_size=settings.batch_size,
        query_cache_size=settings.query_cache_size,
    )
