"""Hybrid search over initiative passages: filters first, then dense + BM25, fused by RRF.

Filters (target group, municipality, minimum evidence score) pick the allowed passages
before either backend ranks anything, so a filter can only remove pages, never empty a page
that matches. Each backend ranks passages; weighted reciprocal rank fusion combines the ranks
(robust to the two score scales); an initiative scores by its best passages, and its best
passages are returned as `matches` so a consultant sees why it was found.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, cast

import numpy as np

from engine.embedding.base import Embedder
from engine.errors import InvalidInputError
from engine.indexing import PassageIndex, open_index
from engine.models import Corpus, Initiative
from engine.settings import Settings
from engine.thesaurus import Expansion, Thesaurus, gloss
from index.base import Hits, Rows
from index.dense_faiss import DenseIndex
from index.lexical_bm25 import LexicalIndex
from index.store import BuildReport, Progress

Mode = Literal["hybrid", "dense", "lexical"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "lexical")
MAX_K = 100
# "Alle ledige" pages serve every duration group beneath it.
_HIERARCHY = {
    "længerevarende ledige": ("alle ledige",),
    "korterevarende ledige": ("alle ledige",),
}


@dataclass(frozen=True, slots=True)
class Tuning:
    """Ranking knobs beyond `Settings`; defaults are the measured best (see README)."""

    # Weight of an initiative's 2nd, 3rd ... best passage relative to its best one.
    passage_decay: float = 0.0
    top_passages: int = 3
    compound_weight: float = 0.5
    expansion_weight: float = 0.5
    # What the dense model reads: the query as typed ("plain"), or with a thesaurus gloss
    # appended: English and Danish words ("gloss"), English only ("english"), Danish only.
    # Dense mode needs the full gloss (nDCG@3 0.787 vs 0.745 English only); in hybrid, BM25
    # already has the Danish expansions and the English gloss alone ranks as well (0.926 vs
    # 0.925) with a third fewer characters to embed (85 vs 121 a query: 7.8 vs 10.6 ms).
    dense_query: str = "gloss"
    hybrid_dense_query: str = "english"
    # "passage": fuse passage ranks, then group; "initiative": rank initiatives per mode by
    # their best passage, then fuse those ranks (different passages may speak for a page).
    fusion: str = "initiative"
    use_thesaurus: bool = True
    use_compounds: bool = True


@dataclass(frozen=True, slots=True)
class SearchQuery:
    text: str
    k: int = 5
    offset: int = 0
    mode: str = "hybrid"
    target_group: str | None = None
    municipality: str | None = None
    min_evidence: float | None = None
    max_matches: int = 3


@dataclass(frozen=True, slots=True)
class Match:
    section: str
    text: str
    score: float
    passage_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section, "text": self.text, "score": round(self.score, 6)}


@dataclass(frozen=True, slots=True)
class SearchResult:
    id: str
    municipality: str
    title: str
    target_groups: tuple[str, ...]
    scores: dict[str, float]
    score: float
    matches: tuple[Match, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "municipality": self.municipality,
            "title": self.title,
            "target_groups": list(self.target_groups),
            "scores": dict(self.scores),
            "score": round(self.score, 6),
            "matches": [m.to_dict() for m in self.matches],
        }


@dataclass(frozen=True, slots=True)
class SearchResponse:
    query: str
    mode: str
    k: int
    offset: int
    total: int
    results: tuple[SearchResult, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape shared by `indsats search --json` and the API (ARCHITECTURE.md)."""
        return {
            "query": self.query,
            "mode": self.mode,
            "k": self.k,
            "offset": self.offset,
            "total": self.total,
            "results": [r.to_dict() for r in self.results],
        }


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def serves_target_group(initiative: Initiative, wanted: str) -> bool:
    """Case-insensitive; a page for "Alle ledige" also serves each duration group."""
    groups = {_fold(g) for g in initiative.target_groups}
    want = _fold(wanted)
    return want in groups or any(parent in groups for parent in _HIERARCHY.get(want, ()))


def validate_query(query: SearchQuery, max_query_chars: int = 2000) -> SearchQuery:
    """Check a query up front; errors say what to do. Returns it with whitespace tidied."""
    text = " ".join(query.text.split())
    if not text:
        raise InvalidInputError("Søgeteksten er tom; skriv hvad du leder efter.")
    if len(text) > max_query_chars:
        raise InvalidInputError(f"Søgeteksten er {len(text)} tegn; brug højst {max_query_chars}.")
    if query.mode not in MODES:
        raise InvalidInputError(
            f"Ukendt søgetilstand '{query.mode}'; brug en af: {', '.join(MODES)}."
        )
    if not 1 <= query.k <= MAX_K:
        raise InvalidInputError(f"k skal være mellem 1 og {MAX_K}, ikke {query.k}.")
    if query.offset < 0:
        raise InvalidInputError(f"offset skal være 0 eller større, ikke {query.offset}.")
    if query.min_evidence is not None and not 0.0 <= query.min_evidence <= 5.0:
        raise InvalidInputError(f"min_evidence skal være mellem 0 og 5, ikke {query.min_evidence}.")
    if not 1 <= query.max_matches <= 20:
        raise InvalidInputError("max_matches skal være mellem 1 og 20.")
    return SearchQuery(
        text,
        query.k,
        query.offset,
        query.mode,
        (query.target_group or "").strip() or None,
        (query.municipality or "").strip() or None,
        query.min_evidence,
        query.max_matches,
    )


class Searcher:
    def __init__(
        self,
        corpus: Corpus,
        index: PassageIndex,
        embedder: Embedder,
        settings: Settings,
        *,
        thesaurus: Thesaurus | None = None,
        tuning: Tuning | None = None,
    ) -> None:
        self.corpus = corpus
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self.tuning = tuning or Tuning()
        self.thesaurus = thesaurus if thesaurus is not None else Thesaurus.load()
        self._initiatives = {i.id: i for i in corpus.initiatives}
        # Hybrid search scores BM25 here while the calling thread embeds the query: the
        # model call runs on one core and releases the GIL, so the other core would idle.
        self._lexical_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="lexical")
        self._rows: dict[str, list[int]] = defaultdict(list)
        for row, passage in enumerate(index.passages):
            self._rows[passage.initiative_id].append(row)
        # Row -> initiative number, so fusion maps hundreds of candidate rows to their pages
        # in one numpy lookup instead of touching each passage object (at 856k passages
        # those are cache misses: fusion took 1.0 ms of a 100k search).
        self._owner_ids = list(self._rows)
        number = {initiative_id: n for n, initiative_id in enumerate(self._owner_ids)}
        self._owner = np.fromiter(
            (number[p.initiative_id] for p in index.passages),
            dtype=np.int32,
            count=len(index.passages),
        )
        missing = set(self._initiatives) - set(self._rows)
        if missing:
            raise ValueError(f"index does not cover initiatives {sorted(missing)}; rebuild it")

    @property
    def version(self) -> str:
        return self.index.version

    def validate(self, query: SearchQuery) -> SearchQuery:
        return validate_query(query, self.settings.max_query_chars)

    def allowed_initiatives(self, query: SearchQuery) -> list[Initiative]:
        out = []
        for initiative in self._initiatives.values():
            if query.target_group and not serves_target_group(initiative, query.target_group):
                continue
            if query.municipality and _fold(initiative.municipality) != _fold(query.municipality):
                continue
            if query.min_evidence is not None:
                evidence = initiative.evidence_score
                if evidence is None or evidence < query.min_evidence:
                    continue
            out.append(initiative)
        return out

    def search(self, query: SearchQuery) -> SearchResponse:
        query = self.validate(query)
        mode = cast(Mode, query.mode)
        allowed: Rows | None = None
        if query.target_group or query.municipality or query.min_evidence is not None:
            rows = [r for i in self.allowed_initiatives(query) for r in self._rows[i.id]]
            allowed = np.asarray(sorted(rows), dtype=np.int64)
        lists = self.ranked_lists(query.text, mode, allowed)
        fused = rrf(lists, self.settings.rrf_k)
        overall = self._initiative_rrf(lists) if self.tuning.fusion == "initiative" else None
        ranked = self._rank(fused, overall)
        page = ranked[query.offset : query.offset + query.k]
        results = tuple(self._result(*r, query.max_matches) for r in page)
        return SearchResponse(query.text, mode, query.k, query.offset, len(ranked), results)

    def ranked_lists(
        self,
        text: str,
        mode: Mode,
        allowed: Rows | None,
        backends: Backends | None = None,
        candidates: int | None = None,
    ) -> list[tuple[float, Hits]]:
        """(weight, hits) for each backend the mode uses; `backends` defaults to the passage
        index, and the recommender passes its practice index to rank practices the same way."""
        backends = backends or self.index.loaded
        expansion = self.thesaurus.expand(text) if self.tuning.use_thesaurus else None
        n = candidates or self.settings.candidates
        lexical_weight = self.settings.lexical_weight if mode == "hybrid" else 1.0

        def lexical_hits() -> Hits:
            lexical = backends.lexical
            lq = lexical.analyse(
                text,
                expansions=expansion.terms if expansion else (),
                compounds=self.tuning.use_compounds,
            )
            return lexical.search(
                lq, n, allowed, self.tuning.compound_weight, self.tuning.expansion_weight
            )

        if mode == "lexical":
            return [(lexical_weight, lexical_hits())]
        lists: list[tuple[float, Hits]] = []
        pending = self._lexical_pool.submit(lexical_hits) if mode == "hybrid" else None
        vector = self.embedder.embed_query(self.dense_text(text, expansion, mode))
        hits = backends.dense.search(vector, n, allowed)
        lists.append((self.settings.dense_weight if mode == "hybrid" else 1.0, hits))
        if pending is not None:
            lists.append((lexical_weight, pending.result()))
        return lists

    def _initiative_rrf(self, lists: Sequence[tuple[float, Hits]]) -> dict[str, float]:
        """Initiative -> RRF over each backend's initiative ranking (by best passage)."""
        fused: dict[int, float] = defaultdict(float)
        for weight, hits in lists:
            owners = self._owner[hits.rows]
            _, first = np.unique(owners, return_index=True)  # each page at its best row
            for rank, owner in enumerate(owners[np.sort(first)].tolist(), start=1):
                fused[owner] += weight / (self.settings.rrf_k + rank)
        return {self._owner_ids[owner]: score for owner, score in fused.items()}

    def dense_text(self, text: str, expansion: Expansion | None, mode: str = "hybrid") -> str:
        """What the model embeds for a query in `mode`: the text, glossed per `Tuning`."""
        style = self.tuning.hybrid_dense_query if mode == "hybrid" else self.tuning.dense_query
        if not expansion or not expansion.groups:
            return text
        if style == "gloss":
            return f"{text} ({', '.join(gloss(expansion))})"
        if style == "english":
            return f"{text} ({', '.join(gloss(expansion, danish=False))})"
        if style == "danish" and expansion.danish:
            return f"{text} ({', '.join(expansion.danish[:6])})"
        return text

    def _group(
        self,
        fused: dict[int, float],
        max_matches: int,
        overall: dict[str, float] | None = None,
    ) -> list[SearchResult]:
        return [self._result(*r, max_matches) for r in self._rank(fused, overall)]

    def _rank(
        self, fused: dict[int, float], overall: dict[str, float] | None = None
    ) -> list[tuple[float, str, list[tuple[float, int]]]]:
        """(score, initiative id, its (passage score, row)s best first), best first."""
        per: dict[int, list[tuple[float, int]]] = defaultdict(list)
        rows = np.fromiter(fused, dtype=np.int64, count=len(fused))
        for owner, (row, score) in zip(self._owner[rows].tolist(), fused.items(), strict=True):
            per[owner].append((score, row))
        scored: list[tuple[float, str, list[tuple[float, int]]]] = []
        for owner, items in per.items():
            initiative_id = self._owner_ids[owner]
            items.sort(key=lambda t: (-t[0], t[1]))
            if overall is not None:
                score = overall[initiative_id]
            else:
                score = aggregate([s for s, _ in items], self.tuning)
            scored.append((score, initiative_id, items))
        scored.sort(key=lambda t: (-t[0], t[1]))
        return scored

    def _result(
        self, score: float, initiative_id: str, items: list[tuple[float, int]], max_matches: int
    ) -> SearchResult:
        """Built for the requested page only: at 100k pages a query touches hundreds."""
        initiative = self._initiatives[initiative_id]
        matches = tuple(
            Match(p.section, p.text, s, p.id)
            for s, row in items[:max_matches]
            for p in (self.index.passages[row],)
        )
        return SearchResult(
            initiative.id,
            initiative.municipality,
            initiative.title,
            initiative.target_groups,
            initiative.scores,
            score,
            matches,
        )


class Backends(Protocol):
    """A dense and a lexical index over the same rows (`LoadedIndex` is one)."""

    @property
    def dense(self) -> DenseIndex: ...

    @property
    def lexical(self) -> LexicalIndex: ...


def rrf(lists: Sequence[tuple[float, Hits]], k: int) -> dict[int, float]:
    """Weighted reciprocal rank fusion: sum of weight / (k + rank), rank starting at 1."""
    fused: dict[int, float] = defaultdict(float)
    for weight, hits in lists:
        for rank, row in enumerate(hits.rows.tolist(), start=1):
            fused[int(row)] += weight / (k + rank)
    return dict(fused)


def aggregate(scores: Sequence[float], tuning: Tuning) -> float:
    """An initiative's score: its best passage plus decayed credit for the next ones."""
    top = sorted(scores, reverse=True)[: max(1, tuning.top_passages)]
    return sum(s * tuning.passage_decay**i for i, s in enumerate(top))


def open_searcher(
    settings: Settings,
    *,
    force: bool = False,
    progress: Progress | None = None,
    embedder: Embedder | None = None,
    corpus: Corpus | None = None,
) -> tuple[Searcher, BuildReport]:
    """Corpus + model + index (built if missing or stale) -> a ready `Searcher`.

    The corpus is the seeds with the stored pages on top (`engine.store`), the same one the
    API serves, so `indsats build` and the server agree on the corpus hash.
    """
    from engine.embedding import load_embedder
    from engine.store import load_stored_corpus

    corpus = corpus if corpus is not None else load_stored_corpus(settings)
    embedder = embedder or load_embedder(settings)
    thesaurus = Thesaurus.load()
    index, report = open_index(
        settings, corpus, embedder, force=force, progress=progress, thesaurus=thesaurus
    )
    return Searcher(corpus, index, embedder, settings, thesaurus=thesaurus), report
