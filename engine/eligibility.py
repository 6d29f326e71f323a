"""Which practices may be recommended: the rules a consultant would sign.

A practice is *recommended* only when

1. at least one initiative within the consultant's filters follows it fully (answers Ja):
   a practice nobody follows is a gap in everybody's practice, not a lesson from anyone;
2. some initiative does not follow it fully (answers Delvist or Nej): when every page that
   answers it follows it, it tells nothing about what the better jobcentres do differently;
3. the initiatives that follow it fully do not have a lower Evidenstest score, on average,
   than those that do not. As in `engine/domain/evidence.py`, a jobcentre counts once per
   answer and score, so a municipality with two identical pages does not weigh double;
4. it demonstrably fits the situation: it shares a telling word with the description, or
   an initiative like the situation follows it fully (`fits`, from `engine/reasons.py`).
   Semantic closeness alone ranks a practice but does not make it a recommendation;
5. the situation matches the data at all (`good_match`; an off-topic question gets none).

Every other practice that fits the situation is shown apart with its `status` and a Danish
`status_text` saying which rule it misses. The filters (target group, municipality, minimum
Evidenstest score) choose which followers count: with "Mindst 2,0" a 0,6 page no longer
supports a practice. The comparison group (rule 2 and 3) is every page that answers the
practice, because "do the followers do better than the rest" is about all jobcentres.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import fmean

from engine.domain.models import Level, Practice

RECOMMENDED = "recommended"
NO_FULL_FOLLOWER = "no_full_follower"
OUTSIDE_FILTERS = "outside_filters"
FOLLOWED_BY_ALL = "followed_by_all"
FOLLOWERS_SCORE_LOWER = "followers_score_lower"
WEAK_FIT = "weak_fit"
NO_GOOD_MATCH = "no_good_match"
STATUSES = (
    RECOMMENDED,
    NO_FULL_FOLLOWER,
    OUTSIDE_FILTERS,
    FOLLOWED_BY_ALL,
    FOLLOWERS_SCORE_LOWER,
    WEAK_FIT,
    NO_GOOD_MATCH,
)


@dataclass(frozen=True, slots=True)
class Follower:
    """An initiative that follows a practice fully (Ja) or partly (Delvist)."""

    municipality: str
    initiative_id: str
    answer: Level
    score: float | None
    title: str = ""


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a practice may be recommended, and the facts the reason is written from."""

    status: str
    full: tuple[Follower, ...]  # Ja, within the filters
    partial: tuple[Follower, ...]  # Delvist, within the filters
    mean_full: float | None  # mean Evidenstest score of `full`, one per jobcentre
    mean_others: float | None  # the same for every page answering Delvist or Nej
    units_full: int
    units_others: int

    @property
    def recommended(self) -> bool:
        return self.status == RECOMMENDED


def _mean_by_jobcentre(rows: Sequence[tuple[str, float | None]]) -> tuple[float | None, int]:
    units = {(municipality, score) for municipality, score in rows if score is not None}
    return (fmean(score for _, score in units), len(units)) if units else (None, 0)


def judge(
    practice: Practice,
    followers: Sequence[Follower],
    accepts: Callable[[str], bool],
    *,
    fits: bool = True,
    good_match: bool = True,
) -> Verdict:
    """The verdict on `practice` for a request whose filters `accepts` initiative ids.

    `good_match` False (the situation fits nothing well) recommends nothing: the practice
    is then only shown apart, however well its followers score."""
    full = tuple(f for f in followers if f.answer is Level.JA and accepts(f.initiative_id))
    partial = tuple(f for f in followers if f.answer is Level.DELVIST and accepts(f.initiative_id))
    others = [
        (a.municipality, a.evidence_score) for a in practice.answers if a.level is not Level.JA
    ]
    mean_full, units_full = _mean_by_jobcentre([(f.municipality, f.score) for f in full])
    mean_others, units_others = _mean_by_jobcentre(others)
    if not full:
        any_full = any(a.level is Level.JA for a in practice.answers)
        status = OUTSIDE_FILTERS if any_full else NO_FULL_FOLLOWER
    elif not others or mean_full is None or mean_others is None:
        status = FOLLOWED_BY_ALL
    elif mean_full < mean_others:
        status = FOLLOWERS_SCORE_LOWER
    elif not fits:
        status = WEAK_FIT
    elif not good_match:
        status = NO_GOOD_MATCH
    else:
        status = RECOMMENDED
    return Verdict(status, full, partial, mean_full, mean_others, units_full, units_others)
