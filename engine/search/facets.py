"""Which filter values exist, how many pages each gives, and the lenient reading of a value
someone typed.

A filter value that matches no page is nearly always a typo or another spelling: "Aarhus"
when no Aarhus page is published, "Brønderslev Kommune" (what the page shows) for
"Brønderslev". Answering with zero results hides the mistake, so `resolve_filter` reads a
value leniently (case, spacing, the word "Kommune") and otherwise raises `UnknownValueError`
naming the known values. `facets` counts for each value the pages it would give with the
*other* filters applied, so a client can offer only the choices that lead somewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from engine.domain.models import MAX_SCORE, Initiative
from engine.search.query import (
    HIERARCHY,
    InitiativeFilter,
    fold,
    same_municipality,
    serves_target_group,
)
from engine.shared.errors import UnknownValueError

# The evidence thresholds counted: the half points of the 0-5 scale the page offers.
EVIDENCE_STEPS = tuple(x / 2 for x in range(1, int(MAX_SCORE * 2) + 1))
_SHOWN_KNOWN = 30


@dataclass(frozen=True, slots=True)
class FacetValue:
    value: str
    count: int


@dataclass(frozen=True, slots=True)
class EvidenceStep:
    """`count` pages have an Evidenstest score of at least `value`."""

    value: float
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Facets:
    total: int
    target_groups: tuple[FacetValue, ...]
    municipalities: tuple[FacetValue, ...]
    min_evidence: tuple[EvidenceStep, ...]


def fold_municipality(text: str) -> str:
    """'Brønderslev Kommune', 'brønderslev kommune' and 'Kommune Brønderslev' read alike."""
    words = fold(text).split()
    if len(words) > 1 and words[-1] == "kommune":
        words = words[:-1]
    elif len(words) > 1 and words[0] == "kommune":
        words = words[1:]
    return " ".join(words)


def municipality_values(initiatives: Sequence[Initiative]) -> list[str]:
    return _distinct(i.municipality for i in initiatives)


def target_group_values(initiatives: Sequence[Initiative]) -> list[str]:
    """Every published group, plus the groups an "Alle ledige" page also serves."""
    published = _distinct(g for i in initiatives for g in i.target_groups)
    folded = {fold(g) for g in published}
    implied = [
        child[0].upper() + child[1:]
        for child, parents in HIERARCHY.items()
        if child not in folded and any(p in folded for p in parents)
    ]
    return _distinct([*published, *implied])


def resolve_filter(initiatives: Sequence[Initiative], wanted: InitiativeFilter) -> InitiativeFilter:
    """`wanted` with each value in its published spelling; `UnknownValueError` if a value
    matches no published one."""
    municipality = _resolve(
        wanted.municipality,
        lambda: municipality_values(initiatives),
        fold_municipality,
        "municipality",
        "Kommunen",
        "kommuner",
    )
    target_group = _resolve(
        wanted.target_group,
        lambda: target_group_values(initiatives),
        fold,
        "target_group",
        "Målgruppen",
        "målgrupper",
    )
    return InitiativeFilter(target_group, municipality, wanted.min_evidence)


def facets(initiatives: Sequence[Initiative], wanted: InitiativeFilter) -> Facets:
    """Counts per value under the other filters; `total` under all of them."""
    without_group = InitiativeFilter(None, wanted.municipality, wanted.min_evidence)
    without_place = InitiativeFilter(wanted.target_group, None, wanted.min_evidence)
    without_score = InitiativeFilter(wanted.target_group, wanted.municipality, None)
    by_group = [i for i in initiatives if without_group.accepts(i)]
    by_place = [i for i in initiatives if without_place.accepts(i)]
    by_score = [i for i in initiatives if without_score.accepts(i)]
    return Facets(
        total=sum(1 for i in initiatives if wanted.accepts(i)),
        target_groups=tuple(
            FacetValue(g, sum(1 for i in by_group if serves_target_group(i, g)))
            for g in target_group_values(initiatives)
        ),
        municipalities=tuple(
            FacetValue(m, sum(1 for i in by_place if same_municipality(i.municipality, m)))
            for m in municipality_values(initiatives)
        ),
        min_evidence=tuple(
            EvidenceStep(
                step,
                sum(
                    1 for i in by_score if i.evidence_score is not None and i.evidence_score >= step
                ),
            )
            for step in EVIDENCE_STEPS
        ),
    )


def _distinct(values: Iterable[str]) -> list[str]:
    """One spelling per folded value (the first seen), sorted as a Danish reader expects."""
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(fold(value), value.strip())
    return sorted(seen.values(), key=_danish_key)


def _danish_key(value: str) -> tuple[str, str]:
    # æ, ø, å sort after z in Danish; str order already puts them there, after case folding.
    return (value.casefold().replace("aa", "å"), value)


def _resolve(
    value: str | None,
    values: Callable[[], list[str]],
    fold: Callable[[str], str],
    field: str,
    noun: str,
    plural: str,
) -> str | None:
    # The known values are gathered only for a value to resolve: over the whole catalogue
    # on every unfiltered search they cost more than the search (docs/BENCHMARKS.md).
    if value is None or not value.strip():
        return None
    known = values()
    wanted = fold(value)
    for candidate in known:
        if fold(candidate) == wanted:
            return candidate
    shown = ", ".join(known[:_SHOWN_KNOWN]) or "ingen"
    more = f" og {len(known) - _SHOWN_KNOWN} flere" if len(known) > _SHOWN_KNOWN else ""
    text = value if len(value) <= 80 else value[:80] + "..."
    raise UnknownValueError(
        f"{noun} '{text}' findes ikke blandt indsatserne. Kendte {plural}: {shown}{more}.",
        field=field,
        known=tuple(known),
    )
