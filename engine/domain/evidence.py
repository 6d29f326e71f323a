"""How a practice's adoption relates to the pages' Evidenstest scores.

For one practice, every page that answers it is a data point: its answer (Ja, or Delvist/Nej)
and its page's Evidenstest score. The *contrast* is the mean score of pages answering Ja minus
the mean score of the others. Two of our choices matter:

- One jobcentre's answer counts once. Skanderborg publishes two pages with the same answers
  and the same score; counting both would double its weight. Pages are grouped by
  (municipality, answer, score) before averaging.
- Few data points mean little, so the contrast is shrunk towards 0 (neutral) by a pseudo-count:
  `shrunk = contrast * n / (n + PRIOR_PAGES)` with `n` the harmonic mean of the two group
  sizes (n = 1 for one Ja and one Nej page). With no page on one side there is no contrast and
  the evidence is neutral; the output says so in `note`.

For Evidenstest practices the contrast is partly true by construction (the score is computed
from those very answers); for the other tests it is an association across jobcentres, not a
causal effect. The README says so too.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import fmean

from engine.domain.models import Evidence, Level, PracticeAnswer

PRIOR_PAGES = 2.0


def evidence_for(answers: Sequence[PracticeAnswer]) -> Evidence:
    """The evidence of a practice answered so; the catalogue stores it on the `Practice`."""
    units: dict[tuple[str, bool, float], None] = {}
    for answer in answers:
        if answer.evidence_score is not None:
            key = (answer.municipality, answer.level is Level.JA, answer.evidence_score)
            units[key] = None
    ja = [score for (_, is_ja, score) in units if is_ja]
    other = [score for (_, is_ja, score) in units if not is_ja]
    counts = {level.value: sum(1 for a in answers if a.level is level) for level in Level}
    mean_ja = fmean(ja) if ja else None
    mean_other = fmean(other) if other else None
    if mean_ja is None or mean_other is None:
        side = "Ja" if not ja else "Delvist eller Nej"
        return Evidence(
            counts=counts,
            units_ja=len(ja),
            units_other=len(other),
            mean_score_ja=mean_ja,
            mean_score_other=mean_other,
            contrast=None,
            shrunk_contrast=0.0,
            note=f"Ingen sider svarer {side}, så der er intet at sammenligne med; "
            "evidensen er sat til neutral.",
        )
    contrast = mean_ja - mean_other
    n = 2 * len(ja) * len(other) / (len(ja) + len(other))
    shrunk = contrast * n / (n + PRIOR_PAGES)
    note = (
        f"Bygger på {len(ja)} jobcenter-svar med Ja og {len(other)} med Delvist/Nej; "
        f"forskellen er skrumpet mod 0, fordi der er få sider."
        if n < 4
        else f"Bygger på {len(ja)} jobcenter-svar med Ja og {len(other)} med Delvist/Nej."
    )
    return Evidence(
        counts=counts,
        units_ja=len(ja),
        units_other=len(other),
        mean_score_ja=mean_ja,
        mean_score_other=mean_other,
        contrast=contrast,
        shrunk_contrast=shrunk,
        note=note,
    )
