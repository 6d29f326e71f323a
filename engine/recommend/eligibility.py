"""What the followers' evidence says of a fitting practice, and when it forbids recommending it.

Whether a practice fits the situation is decided before (`engine/recommend/practice_match.py`); the
evidence reorders fitting practices and is told in words, but it sets one apart only when it
speaks against it: when the initiatives that follow it fully have a lower Evidenstest score,
on average, than those that do not (`FOLLOWERS_SCORE_LOWER`; as in
`engine/domain/evidence.py`, a jobcentre counts once per answer and score, so a municipality
with two identical pages does not weigh double). What the evidence cannot say is said plainly
beside a recommendation (`support`): nobody in the catalogue follows it fully yet
(`NO_FULL_FOLLOWER`), nobody within the consultant's filters does (`OUTSIDE_FILTERS`), or
everybody who answers it does, so there is nothing to compare (`FOLLOWED_BY_ALL`); the
practices are national checklist items, chosen for what research and good practice say, so
a practice that answers the situation is worth knowing even where the catalogue cannot show
its effect. The filters (target group, municipality, minimum Evidenstest score) choose which
followers count: with "Mindst 2,0" a 0,6 page no longer supports a practice. The comparison
group is every page that answers the practice, because "do the followers do better than the
rest" is about all jobcentres.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import fmean

from engine.domain.models import Level, Practice

RECOMMENDED = "recommended"
FOLLOWERS_SCORE_LOWER = "followers_score_lower"
STATUSES = (RECOMMENDED, FOLLOWERS_SCORE_LOWER)
# What the evidence can show (`Verdict.support`).
COMPARED = "compared"
NO_FULL_FOLLOWER = "no_full_follower"
OUTSIDE_FILTERS = "outside_filters"
FOLLOWED_BY_ALL = "followed_by_all"


@dataclass(frozen=True, slots=True, kw_only=True)
class Follower:
    """An initiative that follows a practice fully (Ja) or partly (Delvist)."""

    municipality: str
    initiative_id: str
    answer: Level
    evidence_score: float | None  # the page's Evidenstest score
    title: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """Whether a practice may be recommended, and the facts the reason is written from."""

    status: str
    support: str  # COMPARED, NO_FULL_FOLLOWER, OUTSIDE_FILTERS or FOLLOWED_BY_ALL
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
) -> Verdict:
    """The verdict on `practice` for a request whose filters `accepts` initiative ids."""
    full = tuple(f for f in followers if f.answer is Level.JA and accepts(f.initiative_id))
    partial = tuple(f for f in followers if f.answer is Level.DELVIST and accepts(f.initiative_id))
    others = [
        (a.municipality, a.evidence_score) for a in practice.answers if a.level is not Level.JA
    ]
    mean_full, units_full = _mean_by_jobcentre([(f.municipality, f.evidence_score) for f in full])
    mean_others, units_others = _mean_by_jobcentre(others)
    status = RECOMMENDED
    if not full:
        any_full = any(a.level is Level.JA for a in practice.answers)
        support = OUTSIDE_FILTERS if any_full else NO_FULL_FOLLOWER
    elif not others or mean_full is None or mean_others is None:
        support = FOLLOWED_BY_ALL
    else:
        support = COMPARED
        if mean_full < mean_others:
            status = FOLLOWERS_SCORE_LOWER
    return Verdict(
        status=status,
        support=support,
        full=full,
        partial=partial,
        mean_full=mean_full,
        mean_others=mean_others,
        units_full=units_full,
        units_others=units_others,
    )
