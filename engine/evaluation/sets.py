"""Evaluation sets: which pages, which judged questions, and one run over a set.

A data directory holds `sets.json`, naming each set's page directories and files (paths
relative to the data directory):
    {"sets": [{"name": "unseen", "pages": ["../../seeds", "catalogue/tune", "catalogue/unseen"],
               "queries": "catalogue/questions-unseen.json",
               "situations": "catalogue/practices-unseen.json",
               "offtopic": "catalogue/offtopic-unseen.json"}, ...]}
Each set is searched over its own pages with its own index (under
`<data_dir>/eval/<name>`, so a second run reuses the vectors), never over the served corpus,
but assembled as the served search is (`engine/serving/searchers.py`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from engine import embedding
from engine.domain.corpus import load_corpus
from engine.embedding.base import Embedder
from engine.evaluation.baseline import PlainBM25
from engine.evaluation.practices import evaluate_practices, load_situations, recommended
from engine.evaluation.search import JudgedQuery, by_kind, evaluate, load_queries, load_texts
from engine.recommend.recommender import Recommender
from engine.search.calibration import FILE as CALIBRATION_FILE
from engine.search.calibration import Calibration
from engine.search.query import MODES, SearchQuery
from engine.search.searcher import Searcher
from engine.serving.searchers import open_searcher
from engine.shared.errors import InvalidInputError
from engine.shared.settings import Settings

MANIFEST = "sets.json"


@dataclass(frozen=True, slots=True, kw_only=True)
class EvalSet:
    """A set's pages and what is judged on them: search questions, practice situations (at
    least one of the two), and off-topic texts asked both ways."""

    name: str
    pages: tuple[Path, ...]
    queries: Path | None
    situations: Path | None = None
    offtopic: Path | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SetReport:
    """Figures of one set. `search`: mode (and "baseline") -> metric -> value; `kinds`:
    kind of question -> hybrid and baseline nDCG@3; `practices` and `practices_baseline`:
    what is recommended (`evaluation/practices.py`); `flags`: the share of judged and of
    off-topic questions answered with `no_good_match`."""

    name: str
    pages: int
    queries: int
    search: dict[str, dict[str, float]]
    kinds: dict[str, dict[str, float]] = field(default_factory=dict)
    situations: int = 0
    practices: dict[str, float] = field(default_factory=dict)
    flags: dict[str, float] = field(default_factory=dict)
    practices_baseline: dict[str, float] = field(default_factory=dict)


def load_sets(directory: Path, names: Sequence[str] = ()) -> list[EvalSet]:
    """The sets of `directory` (all, or those named); a clear error naming `--data` when the
    directory holds none."""
    manifest = directory / MANIFEST
    try:
        data: Any = json.loads(manifest.read_text("utf-8"))
        raw_sets = data["sets"]
        sets = [_eval_set(directory, raw) for raw in raw_sets]
    except FileNotFoundError:
        raise InvalidInputError(
            f"Ingen relevansdata i '{directory}': filen {MANIFEST} mangler. Angiv mappen "
            "med de bedømte spørgsmål med --data (fx --data tests/relevance)."
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInputError(f"{manifest}: kan ikke læses som evalueringssæt ({exc}).") from exc
    if unknown := set(names) - {s.name for s in sets}:
        known = ", ".join(s.name for s in sets)
        raise InvalidInputError(f"Ukendt sæt {sorted(unknown)}; {manifest} har: {known}.")
    return [s for s in sets if not names or s.name in names]


def _eval_set(directory: Path, raw: dict[str, Any]) -> EvalSet:
    def path(key: str) -> Path | None:
        return (directory / raw[key]).resolve() if raw.get(key) else None

    queries, situations = path("queries"), path("situations")
    if queries is None and situations is None:
        raise KeyError("queries or situations")
    pages = tuple((directory / p).resolve() for p in raw["pages"])
    return EvalSet(
        name=str(raw["name"]),
        pages=pages,
        queries=queries,
        situations=situations,
        offtopic=path("offtopic"),
    )


def open_set(
    settings: Settings,
    eval_set: EvalSet,
    embedder: Embedder,
    calibration: Calibration | None = None,
) -> Searcher:
    """A searcher over the set's pages, with its index under `<data_dir>/eval/<name>`
    (`calibration`: instead of the bundled fits, e.g. while fitting new ones)."""
    corpus = load_corpus(eval_set.pages)
    if corpus.errors:
        first = corpus.errors[0]
        raise InvalidInputError(f"Sættet {eval_set.name}: {first.file}: {first.message}")
    own = settings.model_copy(
        update={"data_dir": settings.data_dir / "eval" / eval_set.name,
                "export_dir": settings.models_dir}
    )  # fmt: skip
    if calibration is None:  # the deployment's own fits, as the served search reads them
        calibration = Calibration.load([settings.data_dir / CALIBRATION_FILE])
    searcher, _ = open_searcher(own, corpus, embedder, calibration=calibration)
    return searcher


def ranker(searcher: Searcher, mode: str, k: int = 10) -> Any:
    return lambda text: [r.id for r in searcher.search(SearchQuery(text, k=k, mode=mode)).results]


def run_set(searcher: Searcher, eval_set: EvalSet) -> SetReport:
    """Every mode and the baseline on the set's questions, by kind, then its situations and
    how often `no_good_match` is said; each beside its plain BM25 baseline."""
    pages = searcher.corpus.initiatives
    report = SetReport(name=eval_set.name, pages=len(pages), queries=0, search={})
    offtopic = [text for _, text in load_texts(eval_set.offtopic)] if eval_set.offtopic else []
    if eval_set.queries is not None:
        judged = load_queries(eval_set.queries, [p.id for p in pages])
        baseline = PlainBM25.of_pages(pages).rank
        search: dict[str, dict[str, float]] = {
            mode: evaluate(ranker(searcher, mode), judged) for mode in MODES
        }
        search["baseline"] = evaluate(baseline, judged)
        hybrid, plain = by_kind(ranker(searcher, "hybrid"), judged), by_kind(baseline, judged)
        kinds = {
            kind: {"n": v["n"], "hybrid": v["nDCG@3"], "baseline": plain[kind]["nDCG@3"]}
            for kind, v in hybrid.items()
        }
        report = replace(report, queries=len(judged), search=search, kinds=kinds)
        report = replace(report, flags=flag_rates(searcher, judged, offtopic))
    if eval_set.situations is not None:
        catalogue = searcher.corpus.practices
        situations = load_situations(eval_set.situations, [p.id for p in catalogue])
        plain_practices = PlainBM25.of_practices(catalogue)
        report = replace(
            report,
            situations=len(situations),
            practices=evaluate_practices(recommended(Recommender(searcher)), situations, offtopic),
            practices_baseline=evaluate_practices(
                lambda text: plain_practices.rank(text, 1), situations, offtopic
            ),
        )
    return report


def evaluate_sets(
    settings: Settings, directory: Path, names: Sequence[str] = ()
) -> list[SetReport]:
    """Run every set of `directory` (or those named) with the configured model."""
    sets = load_sets(directory, names)
    embedder = embedding.load_embedder(settings)
    return [run_set(open_set(settings, s, embedder), s) for s in sets]


def flag_rates(
    searcher: Searcher, judged: Sequence[JudgedQuery], offtopic: Sequence[str]
) -> dict[str, float]:
    def flagged(texts: Sequence[str]) -> float:
        said = [searcher.search(SearchQuery(t, k=1)).no_good_match for t in texts]
        return float(np.mean(said)) if said else 0.0

    out = {"judged_flagged": flagged([q.text for q in judged])}
    if offtopic:
        out |= {"offtopic": float(len(offtopic)), "offtopic_flagged": flagged(offtopic)}
    return out
