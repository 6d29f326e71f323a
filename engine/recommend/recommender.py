"""Recommendations: which practices and advice fit a jobcentre's situation, and why.

A consultant describes a situation ("vi vil følge bedre op på borgere i løntilskud"). The
answer has three parts: the similar initiatives (hybrid search), the practices ranked for the
situation, and the advice passages of the matching initiatives.

Practice ranking (documented in the README too):

- `match` (`engine/recommend/practice_match.py`): how well the practice's own words answer the
  situation, a calibrated probability from the model's reading and BM25 of the practice's
  words, with the pages' support and fit as adjusting signals. A practice fits when its
  `match` reaches the calibrated threshold; 0 to `k` practices fit, fewer when few do.
- `evidence` (`engine/domain/evidence.py`, stored on each `Practice`): the Evidenstest
  contrast between pages answering Ja and the others, shrunk towards 0 when there are few
  pages; `strength` is it on a -1..1 scale.
- `score = match * (1 + evidence_weight * strength)`: evidence reorders practices of similar
  fit but cannot lift one that does not fit.
The weights live in `Ranking` (`engine/search/fusion.py`), beside the search's.

Which fitting practices may be *recommended* is a separate rule (`engine/recommend/eligibility.py`:
followed fully within the filters, not by every page, not by pages scoring lower); fitting
ones that miss it are returned apart as `other_practices` with the rule they miss. The
reason (`engine/recommend/reasons.py`) quotes the part of the situation and names the part of the
practice that match. Whether anything is recommended is the practices' own fit, which reads
the pages' fit too: a situation that names a practice gets it although no page fits well,
nonsense gets nothing. Advice comes from the matching pages, so only when a page fits.

Gap analysis: when the jobcentre is known (its municipality's published answers, or an
explicit map of answers), practices it answers Ja are not recommended; those it answers Nej
or Delvist that a page with a higher Evidenstest score answers Ja are gaps and rank first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, replace

import numpy as np
import numpy.typing as npt

from engine.domain.models import Evidence, Level, Practice
from engine.recommend.advice import ADVICE_SECTIONS, advice_units, pick_advice
from engine.recommend.eligibility import Follower, judge
from engine.recommend.practice_match import PracticeMatcher
from engine.recommend.reasons import ReasonWriter
from engine.search.query import (
    InitiativeFilter,
    SearchQuery,
    same_municipality,
    validate_k,
    validate_text,
)
from engine.search.results import SearchResponse, SearchResult
from engine.search.searcher import Searcher
from engine.shared.errors import UnknownPracticeError, UnknownValueError

_RANK = {Level.JA: 2, Level.DELVIST: 1, Level.NEJ: 0}


@dataclass(frozen=True, slots=True)
class RecommendRequest:
    """`municipality` filters the pages as in search (which initiatives, followers and
    advice count); the jobcentre asking is `own_municipality` (its published answers) and/or
    `answers`: one name, one meaning, as in the API."""

    situation: str
    _: KW_ONLY
    k: int = 5
    target_group: str | None = None
    municipality: str | None = None
    min_evidence: float | None = None
    own_municipality: str | None = None
    answers: Mapping[str, Level] | None = None

    @property
    def filter(self) -> InitiativeFilter:
        return InitiativeFilter(self.target_group, self.municipality, self.min_evidence)


@dataclass(frozen=True, slots=True, kw_only=True)
class PracticeAdvice:
    """A fitting practice for one situation: its calibrated `match` (0..1), the `score` that
    orders it (the match weighed by the evidence), its followers within the filters and the
    reason in its parts."""

    id: str
    text: str
    test: str
    match: float
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
    situation_part: str = ""  # the words of the situation it answers, as written
    practice_part: str = ""  # the words of the practice that answer them


@dataclass(frozen=True, slots=True, kw_only=True)
class AdvicePassage:
    initiative_id: str
    municipality: str
    section: str
    text: str
    score: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Recommendation:
    situation: str
    initiatives: tuple[SearchResult, ...]
    practices: tuple[PracticeAdvice, ...]
    advice: tuple[AdvicePassage, ...]
    other_practices: tuple[PracticeAdvice, ...] = ()
    # No page fits the situation well (the search's flag): no advice; practices only where
    # their own words fit.
    no_good_match: bool = False

    @property
    def ranked(self) -> tuple[PracticeAdvice, ...]:
        """Recommended and set-apart practices together, in the ranking's order."""
        both = self.practices + self.other_practices
        return tuple(sorted(both, key=lambda p: (not p.gap, -p.score, p.id)))


class Recommender:
    """Built once per corpus version; the practice index is small and lives in memory."""

    def __init__(
        self,
        searcher: Searcher,
        previous: Recommender | None = None,
        known: Mapping[str, npt.NDArray[np.float32]] = {},
    ) -> None:
        """Corpus and model are the searcher's: recommendations and search never disagree.
        What the last version's recommender (`previous`) or the snapshot on disk (`known`:
        practice vectors by their document) worked out is kept where it still holds."""
        self.corpus = corpus = searcher.corpus
        self.searcher = searcher
        self.embedder = embedder = searcher.embedder
        self.practices = corpus.practices
        self.ranking = searcher.ranking
        before: PracticeMatcher | None = previous.matcher if previous is not None else None
        self.matcher: PracticeMatcher = PracticeMatcher(searcher, self.practices, before, known)
        calibration, identity = searcher.calibration, embedder.identity
        # (without the model, with it); refused at start-up when fitted under other settings.
        self._fits = (
            calibration.checked(None, identity, self.ranking, practices=True),
            calibration.checked(embedder.name, identity, self.ranking, practices=True),
        )
        titles = {i.id: i.title for i in corpus.initiatives}
        self._followers = {p.id: _followers(p, titles) for p in self.practices}
        self._pages = {i.id: i for i in corpus.initiatives}
        writer: ReasonWriter | None = previous._writer if previous is not None else None
        self._writer: ReasonWriter = ReasonWriter(
            searcher.analyzer, self.practices, corpus.initiatives, writer
        )

    # -- the request ----------------------------------------------------------------------
    def validate(self, request: RecommendRequest) -> RecommendRequest:
        situation = validate_text(
            request.situation, self.searcher.max_query_chars, "Situationen", "situation"
        )
        validate_k(request.k)
        own = (request.own_municipality or "").strip() or None
        if own and not any(same_municipality(i.municipality, own) for i in self.corpus.initiatives):
            known = sorted({i.municipality for i in self.corpus.initiatives})
            raise UnknownValueError(
                f"Kommunen '{own}' har ingen offentliggjorte indsatser; "
                f"kendte kommuner: {', '.join(known)}. Udelad kommunen eller angiv jeres svar "
                "direkte.",
                "own_municipality",
                tuple(known),
            )
        known_ids = {p.id for p in self.practices}
        unknown = sorted(set(request.answers or {}) - known_ids)
        if unknown:
            raise UnknownPracticeError(
                f"Ukendte praksis-id'er i answers: {', '.join(unknown[:5])}; "
                "praksiskataloget har de gyldige id'er."
            )
        return replace(
            request,
            situation=situation,
            municipality=(request.municipality or "").strip() or None,
            own_municipality=own,
        )

    def own_answers(self, request: RecommendRequest) -> tuple[dict[str, Level], float | None]:
        """The jobcentre's answers per practice (best across its pages) and its best score."""
        answers: dict[str, Level] = {}
        score: float | None = None
        if request.own_municipality:
            for initiative in self.corpus.initiatives:
                if not same_municipality(initiative.municipality, request.own_municipality):
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
        known = bool(request.own_municipality or request.answers)
        read = self.searcher.queries.analyse(initiatives.query)
        fit = self.matcher.fit(read, initiatives, self._fits[1])
        stems = self._writer.situation_stems(read.units)

        def accepts(initiative_id: str) -> bool:
            page = self._pages.get(initiative_id)
            return page is not None and wanted.accepts(page)

        candidates = []
        for n, practice in enumerate(self.practices):
            if not fit.fits[n] or own.get(practice.id) is Level.JA:
                continue
            strength = practice.evidence.strength
            score = float(fit.match[n]) * (1 + self.ranking.evidence_weight * strength)
            verdict = judge(practice, self._followers[practice.id], accepts)
            yours = own.get(practice.id)
            gap = (
                known
                and yours is not None
                and any(
                    own_score is None or (f.evidence_score or 0.0) > own_score for f in verdict.full
                )
            )
            candidates.append((not gap, -score, practice.id, n, verdict, gap))
        candidates.sort(key=lambda c: c[:3])
        best = candidates[: request.k]
        parts = self.matcher.matching_parts(
            initiatives.query, [c[3] for c in best], self._writer.generic_words
        )
        ranked = []
        for _, negative_score, _, n, verdict, gap in best:
            practice = self.practices[n]
            yours = own.get(practice.id)
            words = self._writer.matched_words(stems, practice, initiatives.query)
            situation_part, practice_part = parts.get(n, ("", ""))
            reason = self._writer.write(practice, verdict, parts.get(n), words, yours)
            ranked.append(
                PracticeAdvice(
                    id=practice.id,
                    text=practice.text,
                    test=practice.test,
                    match=round(float(fit.match[n]), 4),
                    score=round(-negative_score, 4),
                    evidence=practice.evidence,
                    followed_by=verdict.full + verdict.partial,  # within the filters
                    your_answer=yours,
                    gap=gap,
                    reason=reason.text,
                    recommended=verdict.recommended,
                    status=verdict.status,
                    status_text=self._writer.status_text(verdict),
                    matched_words=words,
                    fit=reason.fit,
                    strength=reason.strength,
                    situation_part=situation_part,
                    practice_part=practice_part,
                )
            )
        ranked = _falling_match(ranked)
        advice = () if initiatives.no_good_match else self._advice_for(initiatives, request.k)
        return Recommendation(
            situation=initiatives.query,
            initiatives=initiatives.results[: request.k],
            practices=tuple(p for p in ranked if p.recommended),
            advice=advice,
            other_practices=tuple(p for p in ranked if not p.recommended),
            no_good_match=initiatives.no_good_match,
        )

    def _advice_for(self, initiatives: SearchResponse, k: int) -> tuple[AdvicePassage, ...]:
        read = self.searcher.queries.analyse(initiatives.query)
        stems = self._writer.situation_stems(read.units)
        top = [r.id for r in initiatives.results[: self.ranking.support_pages]]
        return self._advice(initiatives, k, self._writer.similar_pages(stems, top))

    def _advice(
        self, initiatives: SearchResponse, k: int, similar: Mapping[str, object]
    ) -> tuple[AdvicePassage, ...]:
        """Whole pieces of advice (`engine/recommend/advice.py`) from the matching pages that
        share a telling word with the situation (`similar`): advice from a page that merely
        ranks among the few there are is no advice for this situation."""
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
            AdvicePassage(
                initiative_id=item.id,
                municipality=item.municipality,
                section=unit.section,
                text=unit.text,
                score=round(score, 6),
            )
            for item, unit, score in pick_advice(found, pages, shared, k)
        )


def _falling_match(ranked: list[PracticeAdvice]) -> list[PracticeAdvice]:
    """Each practice's `match` no higher than the one above it in its group (gaps, then the
    rest): the order is by `score`, which weighs the evidence in, and a client cutting the
    list at a `match` threshold must cut it once."""
    out: list[PracticeAdvice] = []
    ceiling = {True: 1.0, False: 1.0}
    for practice in ranked:
        capped = min(practice.match, ceiling[practice.gap])
        ceiling[practice.gap] = capped
        out.append(replace(practice, match=capped))
    return out


def _followers(practice: Practice, titles: Mapping[str, str]) -> tuple[Follower, ...]:
    rows = [
        Follower(
            municipality=a.municipality,
            initiative_id=a.initiative_id,
            answer=a.level,
            evidence_score=a.evidence_score,
            title=titles.get(a.initiative_id, ""),
        )
        for a in practice.answers
        if a.level in (Level.JA, Level.DELVIST)
    ]
    rows.sort(
        key=lambda f: (
            -_RANK[f.answer],
            -(f.evidence_score or 0.0),
            f.municipality,
            f.initiative_id,
        )
    )
    return tuple(rows)
