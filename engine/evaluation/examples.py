"""What a `match` fit learns from: one row of signals per (question, item), its label, and
the logistic regression over them (scikit-learn), for pages and practices alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from engine.search.calibration import MatchModel

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class Examples:
    """`labels`: 1 a match, 0 not, -1 unlabelled (counts for a threshold, not the fit)."""

    signals: dict[str, Floats]
    labels: npt.NDArray[np.int_]
    question: npt.NDArray[np.int_]  # which question each row belongs to
    judged: npt.NDArray[np.bool_]  # per question: judged (True) or off-topic

    def __add__(self, other: Examples) -> Examples:
        """Both sets' rows, the other's questions numbered after these."""
        shift = len(self.judged)
        return Examples(
            signals={k: np.concatenate([v, other.signals[k]]) for k, v in self.signals.items()},
            labels=np.concatenate([self.labels, other.labels]),
            question=np.concatenate([self.question, other.question + shift]),
            judged=np.concatenate([self.judged, other.judged]),
        )


def logistic(data: Examples, features: Sequence[str]) -> MatchModel:
    """The fit over the labelled rows, with a provisional threshold of 0.5."""
    from sklearn.linear_model import LogisticRegression

    labelled = data.labels >= 0
    x = np.column_stack([data.signals[f][labelled] for f in features])
    model = LogisticRegression(C=1.0, max_iter=2000).fit(x, data.labels[labelled])
    coefficients = tuple(float(c) for c in model.coef_[0])
    return MatchModel(
        features=tuple(features),
        coefficients=coefficients,
        intercept=float(model.intercept_[0]),
        threshold=0.5,
    )
