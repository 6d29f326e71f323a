"""What a search answers: frozen records, turned into JSON by the API's response models
(the CLI's `--json` goes through the same models)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    """A passage that speaks for a result, with its fused score, and `snippet`: what of it
    a consultant is shown (`snippets.py`: whole sentences that stand on their own)."""

    section: str
    text: str
    score: float
    snippet: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchResult:
    """`score` orders the results of one query; `match` (0..1, `calibration.py`) says how
    likely a consultant finds this page clearly relevant, comparable across queries, and is
    never more than that of a page ranked above it (so it falls with the rank too)."""

    id: str
    municipality: str
    title: str
    target_groups: tuple[str, ...]
    scores: dict[str, float]
    score: float
    matches: tuple[Match, ...]
    match: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchResponse:
    query: str
    mode: str
    k: int
    offset: int
    total: int
    results: tuple[SearchResult, ...] = ()
    # True when even the best page is unlikely to be what was asked (`calibration.py`).
    no_good_match: bool = False
    # The stems of the question's telling words, which a client marks (`snippets.Marker`).
    highlight_stems: tuple[str, ...] = ()
