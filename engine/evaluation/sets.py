"""Evaluation sets: where the judged questions live, and one run over a set.

A set is a directory with `queries.json` (judged search questions) and, optionally,
`practices.json` (judged practice situations). Its corpus is the one the engine serves
unless the set names its own page directories (`corpus_dirs`): then the caller opens an
engine over those pages. `indsats eval` runs one set today; a list of sets is a loop over
`load_set` and `run_set`, with no change here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from engine.domain.models import Corpus
from engine.errors import InvalidInputError
from engine.evaluation.practices import Recommends, evaluate_practices, load_situations
from engine.evaluation.search import Searches, evaluate, load_queries

QUERIES_FILE = "queries.json"
SITUATIONS_FILE = "practices.json"


@dataclass(frozen=True, slots=True)
class EvalSet:
    name: str
    queries: Path
    situations: Path | None = None
    corpus_dirs: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True)
class SetReport:
    """Figures of one set: search metrics per mode, practice metrics (empty without
    situations), and how many questions each rests on."""

    name: str
    split: str
    queries: int
    search: dict[str, dict[str, float]]
    situations: int = 0
    practices: dict[str, float] = field(default_factory=dict)


class Evaluated(Searches, Recommends, Protocol):
    """What a set runs against: the `Engine` has all of it."""

    @property
    def corpus(self) -> Corpus: ...


def load_set(directory: Path, corpus_dirs: Sequence[Path] = ()) -> EvalSet:
    """The set in `directory`; a clear error naming `--data` when it is not one."""
    queries = directory / QUERIES_FILE
    if not queries.is_file():
        raise InvalidInputError(
            f"Ingen relevansdata i '{directory}': filen {QUERIES_FILE} mangler. Angiv mappen "
            "med de bedømte spørgsmål med --data (fx --data tests/relevance)."
        )
    situations = directory / SITUATIONS_FILE
    return EvalSet(
        directory.name,
        queries,
        situations if situations.is_file() else None,
        tuple(corpus_dirs),
    )


def run_set(target: Evaluated, eval_set: EvalSet, split: str = "all") -> SetReport:
    """Every mode on the set's questions (those of `split`, or all), then its situations."""
    corpus = target.corpus
    judged = load_queries(eval_set.queries, [i.id for i in corpus.initiatives])
    judged = [q for q in judged if split == "all" or q.split == split]
    if not judged:
        raise InvalidInputError(f"Ingen forespørgsler med split '{split}' i {eval_set.queries}.")
    search = evaluate(target, judged)
    if eval_set.situations is None:
        return SetReport(eval_set.name, split, len(judged), search)
    situations = load_situations(eval_set.situations, [p.id for p in corpus.practices])
    practices = evaluate_practices(target, situations)
    return SetReport(eval_set.name, split, len(judged), search, len(situations), practices)
