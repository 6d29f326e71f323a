"""Recommendations: which practices and advice fit a jobcentre's situation, and why.

A consultant describes a situation ("vi vil følge bedre op på borgere i løntilskud"). The
answer has three parts: the similar initiatives (hybrid search), the practices ranked for the
situation, and the advice passages of the matching initiatives.

Practice scoring (documented in the README too):

- `match`: the situation against the practice's own words (its canonical text without the
  quantifier and framing, glossed by the thesaurus like the passages), dense cosine and
  Danish-stemmed BM25 (with the thesaurus' expansions), each divided by its best score over
  the practices, then averaged (0..1). With a few dozen practices absolute scores say more
  than ranks: reciprocal rank fusion gave a practice sharing no word with the situation most
  of the top score just for ranking third of three (same eval quality, see README).
- `support`: how much more the initiatives that match the situation follow the practice than
  pages in general: the search-score-weighted adoption (Ja = 1, Delvist = 0.5, Nej = 0) of the
  top `SUPPORT_PAGES` results minus the adoption over all pages, floored at 0.
- `relevance = MATCH_WEIGHT * match + (1 - MATCH_WEIGHT) * support`.
- `evidence` (`engine/evidence.py`): the Evidenstest contrast between pages answering Ja and
  the others, shrunk towards 0 when there are few pages; `strength` is it on a -1..1 scale.
- `score = relevance * (1 + EVIDENCE_WEIGHT * strength)`: evidence reorders practices of
  similar relevance but cannot lift an irrelevant one.

Gap analysis: when the jobcentre is known (its municipality's published answers, or an
explicit map of answers), practices it answers Ja are not recommended; those it answers Nej
or Delvist that a page with a higher Evidenstest score answers Ja are gaps and rank first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.errors import InvalidInputError
from engine.evidence import Evidence, evidence_for
from engine.models import Level, Practice
from engine.practices import practice_core
from engine.search import MAX_K, Searcher, SearchQuery, SearchResponse, rrf
from engine.text import format_decimal
from engine.thesaurus import Thesaurus, gloss
from index.dense_faiss import DenseIndex
from index.lexical_bm25 import LexicalIndex

MATCH_WEIGHT = 0.8
EVIDENCE_WEIGHT = 0.5
SUPPORT_PAGES = 5
ADVICE_SECTIONS = ("Gode råd", "Krav til organisering", "Ledelsens anbefaling")
ADOPTION = {Level.JA: 1.0, Level.DELVIST: 0.5, Level.NEJ: 0.0}
_RANK = {Level.JA: 2, Level.DELVIST: 1, Level.NEJ: 0}


@dataclass(frozen=True, slots=True)
class RecommendRequest:
    situation: str
    k: int = 5
    target_group: str | None = None
    municipality: str | None = None
    answers: Mapping[str, Level] | None = None


@dataclass(frozen=True, slots=True)
class Follower:
    municipality: str
    initiative_id: str
    answer: Level
    score: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "municipality": self.municipality,
            "initiative_id": self.initiative_id,
            "answer": self.answer.value,
            "score": self.score,
        }


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

    def to_dict(self) -> dict[str, Any]:
        e = self.evidence
        return {
            "id": self.id,
            "text": self.text,
            "test": self.test,
            "relevance": self.relevance,
            "score": self.score,
            "evidence": {
                "counts": dict(e.counts),
                "mean_score_ja": _round(e.mean_score_ja),
                "mean_score_other": _round(e.mean_score_other),
                "contrast": _round(e.contrast),
                "shrunk_contrast": round(e.shrunk_contrast, 3),
                "note": e.note,
            },
            "followed_by": [f.to_dict() for f in self.followed_by],
            "your_answer": self.your_answer.value if self.your_answer else None,
            "gap": self.gap,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class AdvicePassage:
    initiative_id: str
    municipality: str
    section: str
    text: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "initiative_id": self.initiative_id,
            "municipality": self.municipality,
            "section": self.section,
            "text": self.text,
            "score": self.score,
        }


@dataclass(frozen=True, slots=True)
class Recommendation:
    situation: str
    initiatives: SearchResponse
    practices: tuple[PracticeAdvice, ...]
    advice: tuple[AdvicePassage, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape shared by `indsats recommend --json` and `POST /v1/recommend`."""
        return {
            "situation": self.situation,
            "initiatives": [r.to_dict() for r in self.initiatives.results],
            "practices": [p.to_dict() for p in self.practices],
            "advice": [a.to_dict() for a in self.advice],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


class Recommender:
    """Built once per corpus version; the practice index is small and lives in memory."""

    def __init__(self, searcher: Searcher) -> None:
        """Corpus and model are the searcher's: recommendations and search never disagree."""
        self.corpus = corpus = searcher.corpus
        self.searcher = searcher
        self.embedder = embedder = searcher.embedder
        self.practices = corpus.practices
        texts = [practice_document(p, searcher.thesaurus) for p in self.practices]
        self._index = _PracticeIndex(
            DenseIndex.build(embedder.embed_passages(texts)), LexicalIndex.build(texts)
        )
        self._evidence = {p.id: evidence_for(p) for p in self.practices}
        self._base_adoption = {p.id: _adoption(p, None) for p in self.practices}
        self._followers = {p.id: _followers(p) for p in self.practices}

    # -- the request ----------------------------------------------------------------------
    def validate(self, request: RecommendRequest) -> RecommendRequest:
        if not 1 <= request.k <= MAX_K:
            raise InvalidInputError(f"k skal være mellem 1 og {MAX_K}, ikke {request.k}.")
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
            raise InvalidInputError(
                f"Ukendte praksis-id'er i answers: {', '.join(unknown[:5])}; "
                "se GET /v1/practices for de gyldige id'er."
            )
        return RecommendRequest(
            request.situation, request.k, request.target_group, municipality, request.answers
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
        initiatives = self.searcher.search(
            SearchQuery(
                request.situation,
                k=max(request.k, SUPPORT_PAGES),
                target_group=request.target_group,
            )
        )
        own, own_score = self.own_answers(request)
        known = bool(request.municipality or request.answers)
        match = self._match(initiatives.query)
        support = self._support(initiatives)
        ranked: list[PracticeAdvice] = []
        for n, practice in enumerate(self.practices):
            yours = own.get(practice.id)
            if yours is Level.JA:
                continue
            evidence = self._evidence[practice.id]
            relevance = MATCH_WEIGHT * match[n] + (1 - MATCH_WEIGHT) * support[n]
            score = relevance * (1 + EVIDENCE_WEIGHT * evidence.strength)
            followers = self._followers[practice.id]
            gap = (
                known
                and yours is not None
                and any(
                    f.answer is Level.JA and (own_score is None or (f.score or 0.0) > own_score)
                    for f in followers
                )
            )
            ranked.append(
                PracticeAdvice(
                    practice.id,
                    practice.text,
                    practice.test,
                    round(relevance, 4),
                    round(score, 4),
                    evidence,
                    followers,
                    yours,
                    gap,
                    reason(practice, followers, evidence, yours),
                )
            )
        ranked.sort(key=lambda p: (not p.gap, -p.score, p.id))
        page = SearchResponse(
            initiatives.query,
            initiatives.mode,
            request.k,
            0,
            initiatives.total,
            initiatives.results[: request.k],
        )
        return Recommendation(
            initiatives.query,
            page,
            tuple(ranked[: request.k]),
            self._advice(initiatives, request.k),
        )

    # -- scoring --------------------------------------------------------------------------
    def _match(self, text: str) -> list[float]:
        n = len(self.practices)
        if n == 0:
            return []
        lists = self.searcher.ranked_lists(text, "hybrid", None, self._index, candidates=n)
        total = np.zeros(n, dtype=np.float64)
        for weight, hits in lists:
            if len(hits) and hits.scores.max() > 0:
                total[hits.rows] += weight * np.maximum(hits.scores, 0) / hits.scores.max()
        weights = sum(weight for weight, _ in lists) or 1.0
        return [float(v) for v in total / weights]

    def _support(self, initiatives: SearchResponse) -> list[float]:
        top = initiatives.results[:SUPPORT_PAGES]
        if not top:
            return [0.0] * len(self.practices)
        weights = {r.id: r.score / top[0].score if top[0].score else 1.0 for r in top}
        return [max(0.0, _adoption(p, weights) - self._base_adoption[p.id]) for p in self.practices]

    def _advice(self, initiatives: SearchResponse, k: int) -> tuple[AdvicePassage, ...]:
        matched = {r.id: r.municipality for r in initiatives.results[:SUPPORT_PAGES]}
        rows = [
            row
            for row, p in enumerate(self.searcher.index.passages)
            if p.initiative_id in matched and p.section in ADVICE_SECTIONS
        ]
        if not rows:
            return ()
        allowed = np.asarray(rows, dtype=np.int64)
        lists = self.searcher.ranked_lists(initiatives.query, "hybrid", allowed)
        fused = rrf(lists, self.searcher.settings.rrf_k)
        best = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
        out = []
        for row, score in best:
            p = self.searcher.index.passages[row]
            out.append(
                AdvicePassage(
                    p.initiative_id, matched[p.initiative_id], p.section, p.text, round(score, 6)
                )
            )
        return tuple(out)


@dataclass(frozen=True, slots=True)
class _PracticeIndex:
    dense: DenseIndex
    lexical: LexicalIndex


def practice_document(practice: Practice, thesaurus: Thesaurus) -> str:
    """What is indexed for a practice: its own words, glossed like the passages are."""
    core = practice_core(practice.text)
    words = gloss(thesaurus.expand(core))
    return f"{core} ({', '.join(words)})" if words else core


def _adoption(practice: Practice, weights: Mapping[str, float] | None) -> float:
    """Weighted share of pages following the practice (Ja 1, Delvist 0.5); a weighted page
    that does not answer it counts as not following. Without weights: the pages answering."""
    answered = {a.initiative_id: ADOPTION[a.level] for a in practice.answers}
    weights = weights if weights is not None else dict.fromkeys(answered, 1.0)
    total = sum(weights.values())
    return sum(w * answered.get(i, 0.0) for i, w in weights.items()) / total if total else 0.0


def _followers(practice: Practice) -> tuple[Follower, ...]:
    rows = [
        Follower(a.municipality, a.initiative_id, a.level, a.evidence_score)
        for a in practice.answers
        if a.level in (Level.JA, Level.DELVIST)
    ]
    rows.sort(key=lambda f: (-_RANK[f.answer], -(f.score or 0.0), f.municipality, f.initiative_id))
    return tuple(rows)


def _names(followers: Sequence[Follower], label: bool) -> str:
    """ "Brønderslev (evidensscore 4,1) og Hedensted (2,5 og 2,2)": one mention a jobcentre."""
    scores: dict[str, dict[str, None]] = {}
    for f in followers:
        scores.setdefault(f.municipality, {})[
            format_decimal(f.score) if f.score is not None else "ukendt"
        ] = None
    parts = []
    for n, (municipality, values) in enumerate(scores.items()):
        prefix = "evidensscore " if label and n == 0 else ""
        parts.append(f"{municipality} ({prefix}{_join(list(values))})")
    return _join(parts)


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


def reason(
    practice: Practice, followers: Sequence[Follower], evidence: Evidence, yours: Level | None
) -> str:
    """One Danish sentence a consultant can read aloud, built only from the pages' facts."""
    full = [f for f in followers if f.answer is Level.JA]
    partial = [f for f in followers if f.answer is Level.DELVIST]
    if full:
        sentence = f"Følges fuldt af {_names(full, True)}"
        if partial:
            sentence += f" og delvist af {_names(partial, False)}"
    elif partial:
        sentence = f"Ingen side følger den fuldt; delvist af {_names(partial, True)}"
    elif len(practice.answers) == 1:
        sentence = "Den eneste side, der svarer på den, følger den ikke"
    else:
        sentence = f"Ingen af de {len(practice.answers)} sider, der svarer på den, følger den"
    if evidence.contrast is not None:
        direction = "højere" if evidence.contrast >= 0 else "lavere"
        sentence += (
            f"; sider der følger den fuldt, har i snit {format_decimal(abs(evidence.contrast))} "
            f"point {direction} evidensscore end de øvrige"
        )
        if evidence.units_ja + evidence.units_other < 6:
            sentence += " (få sider, så tallet er usikkert)"
    if yours is not None:
        sentence += f"; I svarer i dag {yours.label}"
    return sentence + "."
