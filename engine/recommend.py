"""Recommendations: which practices and advice fit a jobcentre's situation, and why.

A consultant describes a situation ("vi vil følge bedre op på borgere i løntilskud"). The
answer has three parts: the similar initiatives (hybrid search), the practices ranked for the
situation, and the advice passages of the matching initiatives.

Practice scoring (documented in the README too):

- `match`: the situation against the practice's own words (its canonical text without the
  quantifier and framing), read like a search query (`engine/search/analysis.py`: typos
  mended, the thesaurus' words added): BM25 and the dense cosine of the glossed text, each
  scaled over the practices, averaged with the search's dense weight (0..1).
- `support`: how much the initiatives that fit the situation have the practice on their
  checklist: the share of the top `support_pages` results, weighted by their `match`, that
  answer it at all (Ja, Delvist or Nej). Checklists belong to target groups, so a
  sick-leave situation is answered from the sick-leave checklist.
- `relevance = match_weight * match + (1 - match_weight) * support`.
- `evidence` (`engine/domain/evidence.py`, stored on each `Practice`): the Evidenstest
  contrast between pages answering Ja and the others, shrunk towards 0 when there are few
  pages; `strength` is it on a -1..1 scale.
- `score = relevance * (1 + evidence_weight * strength)`: evidence reorders practices of
  similar relevance but cannot lift an irrelevant one.
The weights live in `Ranking` (`engine/search/fusion.py`), beside the search's.

Which of the best-ranked practices may be *recommended* is a separate rule
(`engine/eligibility.py`: followed fully within the filters, not by every page, not by
pages scoring lower, and a demonstrable fit); the rest of the top `k` are returned apart as
`other_practices` with the rule they miss. The reason sentence is written by
`engine/reasons.py`. When the search says `no_good_match`, no practice and no advice is
given: a weak match is no ground for a recommendation.

Gap analysis: when the jobcentre is known (its municipality's published answers, or an
explicit map of answers), practices it answers Ja are not recommended; those it answers Nej
or Delvist that a page with a higher Evidenstest score answers Ja are gaps and rank first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine.advice import ADVICE_SECTIONS, advice_units, pick_advice
from engine.domain.models import Evidence, Level, Practice
from engine.domain.practices import practice_core
from engine.eligibility import Follower, judge
from engine.errors import InvalidInputError, UnknownPracticeError
from engine.reasons import ReasonWriter
from engine.search.fusion import scaled
from engine.search.query import InitiativeFilter, SearchQuery, validate_k, validate_text
from engine.search.results import SearchResponse, SearchResult
from engine.search.searcher import Searcher
from engine.search.thesaurus import Thesaurus, gloss
from index.lexical_bm25 import LexicalIndex

_RANK = {Level.JA: 2, Level.DELVIST: 1, Level.NEJ: 0}


@dataclass(frozen=True, slots=True)
class RecommendRequest:
    situation: str
    k: int = 5
    target_group: str | None = None
    municipality: str | None = None
    answers: Mapping[str, Level] | None = None
    # Filters on the pages (as in search): which initiatives, followers and advice count.
    from_municipality: str | None = None
    min_evidence: float | None = None

    @property
    def filter(self) -> InitiativeFilter:
        return InitiativeFilter(self.target_group, self.from_municipality, self.min_evidence)


@dataclass(frozen=True, slots=True)
class PracticeAdvice:
    id: str
    text: str
    test: str
    relevance: float
    score: float
    evidence: Evidence
    followed_by: tuple[Follower, ...]
    your_answer: Level | None
    gap: bool
    reason: str
    recommended: bool = False
    status: str = ""
    status_text: str = ""
    matched_words: tuple[str, ...] = ()
    fit: str = ""  # the reason's first sentence: why it fits this situation
    strength: str = ""  # the reason's sentence on how strong the followers' scores are
    fits: bool = False  # shares a telling word, or a similar initiative follows it

    @property
    def match(self) -> float:
        """How well it fits the situation (0..1), what the API calls `match`."""
        return self.relevance


@dataclass(frozen=True, slots=True)
class AdvicePassage:
    initiative_id: str
    municipality: str
    section: str
    text: str
    score: float


@dataclass(frozen=True, slots=True)
class Recommendation:
    situation: str
    initiatives: tuple[SearchResult, ...]
    practices: tuple[PracticeAdvice, ...]
    advice: tuple[AdvicePassage, ...]
    other_practices: tuple[PracticeAdvice, ...] = ()
    # Nothing fits the situation well: practices and advice are left out, not guessed.
    no_good_match: bool = False

    @property
    def ranked(self) -> tuple[PracticeAdvice, ...]:
        """Recommended and set-apart practices together, in the ranking's order."""
        both = self.practices + self.other_practices
        return tuple(sorted(both, key=lambda p: (not p.gap, -p.score, p.id)))


class Recommender:
    """Built once per corpus version; the practice index is small and lives in memory."""

    def __init__(self, searcher: Searcher) -> None:
        """Corpus and model are the searcher's: recommendations and search never disagree."""
        self.corpus = corpus = searcher.corpus
        self.searcher = searcher
        self.embedder = embedder = searcher.embedder
        self.practices = corpus.practices
        self.ranking = searcher.ranking
        self._vectors = embedder.embed_passages(
            [practice_document(p, searcher.thesaurus) for p in self.practices]
        )
        self._lexical = LexicalIndex.build(
            [practice_core(p.text) for p in self.practices], searcher.analyzer
        )
        self._answered = {
            p.id: frozenset(a.initiative_id for a in p.answers) for p in self.practices
        }
        titles = {i.id: i.title for i in corpus.initiatives}
        self._followers = {p.id: _followers(p, titles) for p in self.practices}
        self._pages = {i.id: i for i in corpus.initiatives}
        self._writer = ReasonWriter(searcher.analyzer, self.practices, corpus.initiatives)

    # -- the request ----------------------------------------------------------------------
    def validate(self, request: RecommendRequest) -> RecommendRequest:
        situation = validate_text(request.situation, self.searcher.max_query_chars, "Situationen")
        validate_k(request.k)
        municipality = (request.municipality or "").strip() or None
        if municipality and not any(
            i.municipality.casefold() == municipality.casefold() for i in self.corpus.initiatives
        ):
            known = ", ".join(sorted({i.municipality for i in self.corpus.initiatives}))
            raise InvalidInputError(
                f"Kommunen '{municipality}' har ingen offentliggjorte indsatser; "
                f"kendte kommuner: {known}. Udelad kommunen eller angiv jeres svar direkte."
            )
        known_ids = {p.id for p in self.practices}
        unknown = sorted(set(request.answers or {}) - known_ids)
        if unknown:
            raise UnknownPracticeError(
                f"Ukendte praksis-id'er i answers: {', '.join(unknown[:5])}; "
                "praksiskataloget har de gyldige id'er."
            )
        return RecommendRequest(
            situation,
            request.k,
            request.target_group,
            municipality,
            request.answers,
            (request.from_municipality or "").strip() or None,
            request.min_evidence,
        )

    def own_answers(self, request: RecommendRequest) -> tuple[dict[str, Level], float | None]:
        """The jobcentre's answers per practice (best across its pages) and its best score."""
        answers: dict[str, Level] = {}
        score: float | None = None
        if request.municipality:
            for initiative in self.corpus.initiatives:
                if initiative.municipality.casefold() != request.municipality.casefold():
                    continue
                if initiative.evidence_score is not None:
                    score = max(score or 0.0, initiative.evidence_score)
                for _, answer in initiative.answers():
                    old = answers.get(answer.practice_id)
                    if old is None or _RANK[answer.level] > _RANK[old]:
                        answers[answer.practice_id] = answer.level
        answers.update(request.answers or {})
        return answers, score

    def recommend(self, request: RecommendRequest) -> Recommendation:
        request = self.validate(request)
        wanted = request.filter
        initiatives = self.searcher.search(
            SearchQuery(
                request.situation,
                k=max(request.k, self.ranking.support_pages),
                target_group=wanted.target_group,
                municipality=wanted.municipality,
                min_evidence=wanted.min_evidence,
            )
        )
        own, own_score = self.own_answers(request)
        known = bool(request.municipality or request.answers)
        match = self._match(initiatives.query)
        support = self._support(initiatives)
        read = self.searcher.queries.analyse(initiatives.query)
        stems = self._writer.situation_stems(read.units)
        top = [r.id for r in initiatives.results[: self.ranking.support_pages]]
        similar = self._writer.similar_pages(stems, top)

        def accepts(initiative_id: str) -> bool:
            page = self._pages.get(initiative_id)
            return page is not None and wanted.accepts(page)

        ranked: list[PracticeAdvice] = []
        for n, practice in enumerate(self.practices):
            yours = own.get(practice.id)
            if yours is Level.JA:
                continue
            evidence = practice.evidence
            weight = self.ranking.match_weight
            relevance = weight * match[n] + (1 - weight) * support[n]
            score = relevance * (1 + self.ranking.evidence_weight * evidence.strength)
            followers = self._followers[practice.id]
            words = self._writer.matched_words(stems, practice)
            alike = any(f.answer is Level.JA and f.initiative_id in similar for f in followers)
            fits = bool(words) or alike
            verdict = judge(practice, followers, accepts, fits=fits)
            reason = self._writer.write(practice, verdict, words, similar, yours)
            gap = (
                known
                and yours is not None
                and any(own_score is None or (f.score or 0.0) > own_score for f in verdict.full)
            )
            ranked.append(
                PracticeAdvice(
                    practice.id,
                    practice.text,
                    practice.test,
                    round(relevance, 4),
                    round(score, 4),
                    evidence,
                    verdict.full + verdict.partial,  # within the filters
                    yours,
                    gap,
                    reason.text,
                    verdict.recommended,
                    verdict.status,
                    self._writer.status_text(verdict),
                    words,
                    reason.fit,
                    reason.strength,
                    fits,
                )
            )
        ranked.sort(key=lambda p: (not p.gap, -p.score, p.id))
        if initiatives.no_good_match:
            return Recommendation(
                initiatives.query, initiatives.results[: request.k], (), (), no_good_match=True
            )
        best = ranked[: request.k]
        return Recommendation(
            initiatives.query,
            initiatives.results[: request.k],
            tuple(p for p in best if p.recommended),
            self._advice(initiatives, request.k, similar),
            tuple(p for p in best if not p.recommended),
        )

    # -- scoring --------------------------------------------------------------------------
    def _match(self, text: str) -> list[float]:
        """The situation against each practice's own words, read like a search query: BM25
        (with the concepts' words) and the dense cosine, each scaled over the practices."""
        if not self.practices:
            return []
        query = self.searcher.queries.analyse(text)
        lexical = scaled(self._lexical.scores(query.weights))
        cosine = self._vectors @ self.embedder.embed_query(query.dense_text)
        dense = scaled(cosine, float(cosine.mean()))
        weight = self.ranking.dense_weight
        return [float(v) for v in (lexical + weight * dense) / (1.0 + weight)]

    def _support(self, initiatives: SearchResponse) -> list[float]:
        """How much the pages that fit the situation have the practice on their checklist:
        the share of the top results, weighted by `match`, that answer it at all. A checklist
        belongs to a target group (sygedagpenge, dagpenge, ...), so this keeps a practice of
        another group's checklist from winning on a shared word."""
        top = initiatives.results[: self.ranking.support_pages]
        total = sum(r.match for r in top)
        if not top or total <= 0:
            return [0.0] * len(self.practices)
        return [
            sum(r.match for r in top if r.id in self._answered[p.id]) / total
            for p in self.practices
        ]

    def _advice(
        self, initiatives: SearchResponse, k: int, similar: Mapping[str, object]
    ) -> tuple[AdvicePassage, ...]:
        """Whole pieces of advice (`engine/advice.py`) from the matching pages that share a
        telling word with the situation (`similar`): advice from a page that merely ranks
        among the few there are is no advice for this situation."""
        top = [r for r in initiatives.results[: self.ranking.support_pages] if r.id in similar]
        pages = {r.id: item for r in top if (item := self.corpus.initiative(r.id)) is not None}
        found = self.searcher.best_passages(initiatives.query, pages, ADVICE_SECTIONS, 100)
        wanted = set(self.searcher.analyzer.stems(initiatives.query))
        shared = {
            unit.text: len(wanted & set(self.searcher.analyzer.stems(unit.text)))
            for item in pages.values()
            for unit in advice_units(item)
        }
        return tuple(
            AdvicePassage(item.id, item.municipality, unit.section, unit.text, round(score, 6))
            for item, unit, score in pick_advice(found, pages, shared, k)
        )


def practice_document(practice: Practice, thesaurus: Thesaurus) -> str:
    """What is indexed for a practice: its own words, glossed like the passages are."""
    core = practice_core(practice.text)
    words = gloss(thesaurus.expand(core))
    return f"{core} ({', '.join(words)})" if words else core


def _followers(practice: Practice, titles: Mapping[str, str]) -> tuple[Follower, ...]:
    rows = [
        Follower(
            a.municipality,
            a.initiative_id,
            a.level,
            a.evidence_score,
            titles.get(a.initiative_id, ""),
        )
        for a in practice.answers
        if a.level in (Level.JA, Level.DELVIST)
    ]
    rows.sort(key=lambda f: (-_RANK[f.answer], -(f.score or 0.0), f.municipality, f.initiative_id))
    return tuple(rows)
