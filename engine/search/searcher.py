"""Search: pages ranked as wholes on three signals, each result with its matching passages
and a calibrated `match`.

Filters choose the pages that may answer before anything is ranked, so a filter can only
remove pages. The query is read once (`analysis.py`); page-level BM25 and the dense model's best
passage per page are scaled and summed (`fusion.py`); `match` and
`no_good_match` come from `calibration.py`. A result's `matches` are its own passages that
best fit the query (BM25 of the passage's words and its cosine), never the synthetic title
passage, so what a consultant reads as "this is where it matched" is text from the page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt

from engine.domain.models import Corpus, Initiative
from engine.domain.text import DanishAnalyzer
from engine.embedding.base import Embedder
from engine.search.analysis import AnalysedQuery, QueryAnalyzer
from engine.search.calibration import FILE as CALIBRATION_FILE
from engine.search.calibration import Calibration, MatchModel, question_signals
from engine.search.fusion import Ranking, fuse, scaled
from engine.search.indexing import PassageIndex
from engine.search.lexicon import Lexicon
from engine.search.passages import TITLE_SECTION, Passage
from engine.search.query import SearchQuery, validate_query
from engine.search.results import Match, SearchResponse, SearchResult
from engine.search.signals import PageSignals, coverage, lexical_signals, page_cosines
from engine.search.snippets import Marker, snippet
from engine.search.spelling import Speller
from engine.search.thesaurus import Thesaurus
from engine.shared.settings import Settings
from index.base import Analyzer, Hits, Rows, top_k

# From this many pages the lexical signals are computed beside the model call: at the seeds'
# 59 the hand-over to a thread cost 0.5 ms a query, at 100k it saved 4 ms (docs/BENCHMARKS.md).
PARALLEL_PAGES = 10_000
# What `similar` reads of a page: enough to characterise it, within the query limit.
SIMILAR_SECTIONS = ("Kommunens beskrivelse af indsatsen", "Erfaringer og resultater")
Floats = npt.NDArray[np.float64]


class Searcher:
    """One corpus version's search; safe to share between request threads."""

    def __init__(
        self,
        corpus: Corpus,
        index: PassageIndex,
        embedder: Embedder,
        settings: Settings,
        *,
        thesaurus: Thesaurus | None = None,
        lexicon: Lexicon | None = None,
        calibration: Calibration | None = None,
    ) -> None:
        """The thesaurus, the lexicon and the calibration default to the bundled ones (the
        lexicon cached under `settings.models_dir`, the calibration overlaid by
        `<data_dir>/calibration.json`)."""
        thesaurus = thesaurus if thesaurus is not None else Thesaurus.load()
        lexicon = lexicon if lexicon is not None else Lexicon.open(settings.models_dir)
        if calibration is None:
            calibration = Calibration.load([settings.data_dir / CALIBRATION_FILE])
        self.corpus = corpus
        self.index = index
        self.embedder = embedder
        self.ranking = Ranking.from_settings(settings)
        self.max_query_chars = settings.max_query_chars
        self.thesaurus = thesaurus
        self.calibration = calibration
        # Refused here, at start-up, when the fits were made under other settings.
        self._fits = (
            calibration.checked(None, embedder.identity, self.ranking),
            calibration.checked(embedder.name, embedder.identity, self.ranking),
        )
        self.pages = index.pages
        units = index.loaded.units
        if units is None or len(units) != len(self.pages):
            raise ValueError("the index has no page rows for this corpus; rebuild it")
        self.page_index = units
        self._number = {p.id: n for n, p in enumerate(self.pages)}
        self._rows: dict[int, list[int]] = defaultdict(list)
        for row, passage in enumerate(index.passages):
            self._rows[self._number[passage.initiative_id]].append(row)
        # Passage row -> page row: the dense hits become page cosines in one numpy step.
        self._owner = np.fromiter(
            (self._number[p.initiative_id] for p in index.passages),
            dtype=np.int32,
            count=len(index.passages),
        )
        words = (s for g in thesaurus.groups for t in g.danish for s in thesaurus.term_stems(t))
        speller = Speller(units.terms, words, units.document_frequency, lexicon)
        self.queries = QueryAnalyzer(DanishAnalyzer(), thesaurus, speller, lexicon, self.ranking)
        typed = DanishAnalyzer(stopwords=())
        self.marker = Marker(typed, units.document_frequency, len(self.pages), speller.variant)
        # On large indexes page BM25 and coverage run here while the calling thread embeds
        # the query: the model call releases the GIL.
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="lexical")

    @property
    def version(self) -> str:
        return self.index.version

    @property
    def analyzer(self) -> Analyzer:
        """The analyzer queries go through; an index over other texts must use it too."""
        return self.index.loaded.lexical.analyzer

    @property
    def passages(self) -> tuple[Passage, ...]:
        return self.index.passages

    # -- the requests ------------------------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchResponse:
        query = validate_query(query, self.max_query_chars)
        wanted = query.filter
        allowed = (
            np.fromiter((wanted.accepts(p) for p in self.pages), dtype=bool, count=len(self.pages))
            if wanted.active
            else None
        )
        analysed = self.queries.analyse(query.text)
        signals = self.signals(analysed, query.mode != "lexical", allowed)
        score, match, model = self.rank(signals, query.mode, allowed, analysed)
        total = int(np.count_nonzero(score > 0))
        ranked = top_k(score, query.offset + query.k).rows.tolist()
        no_good = not total or float(match[ranked[0]]) < model.threshold
        # The order is the score's; `match` is calibrated per page and may rise a little
        # further down ("virksomhedspraktik": 0.034 at rank 2, 0.066 at rank 3), which left
        # holes for a client cutting at a threshold. A page never shows more than the pages
        # above it: the running minimum, the same for a page whatever `k` and `offset` ask.
        shown = np.minimum.accumulate(match[ranked]) if ranked else match[ranked]
        page = ranked[query.offset :]
        marked = self.marker.stems(analysed)
        matches = self._matches(analysed, page, query.max_matches, marked)
        results = tuple(
            self._result(n, float(score[n]), float(m), matches[n])
            for n, m in zip(page, shown[query.offset :], strict=True)
        )
        return SearchResponse(
            query=query.text,
            mode=query.mode,
            k=query.k,
            offset=query.offset,
            total=total,
            results=results,
            no_good_match=no_good,
            highlight_stems=marked,
        )

    def similar(self, item: Initiative, k: int) -> SearchResponse:
        """Pages like `item`: a search with its title, target groups and description, without
        the page itself."""
        parts = [item.title, ", ".join(item.target_groups)]
        parts += [s.text for name in SIMILAR_SECTIONS if (s := item.section(name)) is not None]
        text = " ".join(" ".join(parts).split())
        if len(text) > self.max_query_chars:
            text = text[: self.max_query_chars].rsplit(" ", 1)[0]
        found = self.search(SearchQuery(text, k=100))
        others = tuple(r for r in found.results if r.id != item.id)
        total = found.total - (len(found.results) - len(others))
        return SearchResponse(
            query=item.title,
            mode=found.mode,
            k=k,
            offset=0,
            total=total,
            results=others[:k],
            no_good_match=not others or found.no_good_match,
        )

    def best_passages(
        self, text: str, initiative_ids: Collection[str], sections: Collection[str], k: int
    ) -> list[tuple[Passage, float]]:
        """The `k` passages of those pages' `sections` that fit `text` best."""
        rows = [
            row
            for number in sorted(self._number[i] for i in initiative_ids if i in self._number)
            for row in self._rows[number]
            if self.index.passages[row].section in sections
        ]
        if not rows:
            return []
        scored = self._passage_scores(self.queries.analyse(text), rows)
        best = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
        return [(self.index.passages[row], score) for row, score in best if score > 0]

    # -- ranking -------------------------------------------------------------------------------
    def signals(
        self, query: AnalysedQuery, dense: bool, allowed: npt.NDArray[np.bool_] | None
    ) -> PageSignals:
        """Every page's raw signals (`dense` False: without the model)."""

        def lexical() -> tuple[Floats, Floats, Floats]:
            raw, share = lexical_signals(self.page_index, query)
            return raw, share, coverage(self.page_index, query)

        if not dense:
            raw, share, covered = lexical()
            return PageSignals(lexical=raw, lexical_share=share, coverage=covered)
        # Beside the model call only where the lexical side costs more than the hand-over
        # to another thread (docs/BENCHMARKS.md, "Scale").
        pending = self._pool.submit(lexical) if len(self.pages) >= PARALLEL_PAGES else None
        rows = None if allowed is None else self._allowed_rows(allowed)
        hits = self.dense_hits(query, rows)
        cosine, floor = page_cosines(hits, self._owner, len(self.pages))
        raw, share, covered = lexical() if pending is None else pending.result()
        return PageSignals(
            lexical=raw, lexical_share=share, coverage=covered, cosine=cosine, floor=floor
        )

    def dense_hits(self, query: AnalysedQuery, rows: Rows | None = None) -> Hits:
        """The best passages for the query (of `rows`, when given). The query's vector is
        computed once per query: the matches and the advice ask again."""
        vector = query.vector(self.embedder.embed_query)
        return self.index.loaded.dense.search(vector, self.ranking.candidates, rows)

    def rank(
        self,
        signals: PageSignals,
        mode: str,
        allowed: npt.NDArray[np.bool_] | None,
        query: AnalysedQuery,
    ) -> tuple[Floats, Floats, MatchModel]:
        """(score, match, the match model) per page; pages a filter leaves out score 0."""
        keep = np.ones(len(self.pages), dtype=bool) if allowed is None else allowed
        lexical = scaled(np.where(keep, signals.lexical, 0.0))
        dense = None
        if signals.cosine is not None:
            dense = scaled(np.where(keep, signals.cosine, signals.floor), signals.floor)
        if mode == "dense" and dense is not None:
            score = dense
        else:
            score = fuse(lexical, dense if mode == "hybrid" else None, self.ranking)
        score = np.where(keep, score, 0.0)
        top = float(score.max()) if score.size else 0.0
        relative = score / top if top > 0 else np.zeros_like(score)
        model = self._fits[signals.cosine is not None]
        question = question_signals(query.language, query.field_words)
        match = model.probability(
            {
                "coverage": signals.coverage,
                "lexical": signals.lexical_share,
                "cosine": signals.cosine if signals.cosine is not None else relative,
                "relative": relative,
                **{k: np.full(len(self.pages), v) for k, v in question.items()},
            }
        )
        return score, np.where(keep, match, 0.0), model

    def _allowed_rows(self, allowed: npt.NDArray[np.bool_]) -> Rows:
        rows = [r for n in np.flatnonzero(allowed).tolist() for r in self._rows[n]]
        return np.asarray(sorted(rows), dtype=np.int64)

    # -- matches ---------------------------------------------------------------------------------
    def _passage_scores(self, query: AnalysedQuery, rows: list[int]) -> dict[int, float]:
        """Passage BM25 over its own words plus the dense weight times its cosine, each scaled
        over `rows`: the best of a few pages' passages, not of the corpus."""
        wanted = np.asarray(sorted(rows), dtype=np.int64)
        rows = wanted.tolist()
        lexical = scaled(self.index.loaded.lexical.scores_of(query.weights, wanted))
        hits = self.dense_hits(query, wanted)
        cosine = dict(zip(hits.rows.tolist(), hits.scores.tolist(), strict=True))
        dense = scaled([cosine.get(r, 0.0) for r in rows], min(cosine.values(), default=0.0))
        total = self.ranking.lexical_weight * lexical + self.ranking.dense_weight * dense
        return dict(zip(rows, total.tolist(), strict=True))

    def _matches(
        self, query: AnalysedQuery, pages: list[int], max_matches: int, marked: tuple[str, ...]
    ) -> dict[int, tuple[Match, ...]]:
        rows = [
            r
            for n in pages
            for r in self._rows[n]
            if self.index.passages[r].section != TITLE_SECTION
        ]
        scored = self._passage_scores(query, rows) if rows else {}
        out: dict[int, tuple[Match, ...]] = {}
        for n in pages:
            own = sorted(
                ((s, r) for r in self._rows[n] if (s := scored.get(r, 0.0)) > 0),
                key=lambda t: (-t[0], t[1]),
            )
            out[n] = tuple(
                Match(
                    section=p.section,
                    text=p.text,
                    score=round(s, 6),
                    snippet=self._snippet(r, marked),
                )
                for s, r in own[:max_matches]
                for p in (self.index.passages[r],)
            )
        return out

    def _snippet(self, row: int, marked: tuple[str, ...]) -> str:
        """The passage as shown, leaning on the passage before it in the same section."""
        passage = self.index.passages[row]
        before = self.index.passages[row - 1] if row > 0 else None
        same = (
            before is not None
            and before.initiative_id == passage.initiative_id
            and before.section == passage.section
        )
        text = before.text if same and before is not None else ""
        return snippet(passage.text, text, marked, self.queries.analyzer.stems)

    def _result(
        self, number: int, score: float, match: float, matches: tuple[Match, ...]
    ) -> SearchResult:
        page = self.pages[number]
        return SearchResult(
            id=page.id,
            municipality=page.municipality,
            title=page.title,
            target_groups=page.target_groups,
            scores=page.scores,
            score=round(score, 6),
            matches=matches,
            match=round(match, 4),
        )
