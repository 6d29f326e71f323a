"""`match`: how likely a consultant finds a result clearly relevant, and "no good match".

A rank says which page is best, not whether it is any good: "opskrift på æblekage" has a
best page too. Each result therefore gets `match`, the probability (0..1) that a consultant
would grade it clearly relevant, from a logistic model over four signals of the page and two
of the question:
- coverage: the idf-weighted share of the query's content words the page speaks of (itself
  or a word of the same concept); nonsense and recipes cover nothing;
- lexical: its BM25 divided by the most those terms could add to any page;
- cosine: the dense model's cosine of its best passage;
- relative: its ranking score divided by the best page's;
- english: 1 for a question in English, whose words the Danish pages cannot contain, so the
  same coverage means more (measured on the tune half: with it, 96 % of the off-topic
  questions are flagged at 1.7 % of the judged ones, without it 72 %);
- field: how many of the question's words name a concept of the employment field (the
  thesaurus), counted up to `FIELD_WORDS`: a recipe or a football score may share a word or two
  with some page ("hel", "resultat"), not the field's vocabulary (tune half, 5 x 5-fold
  cross-validation: off-topic flagged 80 % -> 87 %, judged 3.2 % -> 1.1 %; unseen half 84 %
  -> 96 %, judged 1.7 % -> 3.3 %, docs/RELEVANCE.md).
The model is fitted (`indsats calibrate`, `engine/evaluation/calibrate.py`) on the tune half
of the benchmark and its off-topic questions; the response says `no_good_match` when the best
result's match is under `threshold`, chosen on the same data (README, "Relevance" has the
rates on the unseen half). Cosines mean different things for different models, so a fit is
kept per model; a model without one (or a lexical search) uses the fit without the cosine.
Each fit records what it was fitted under (the model's vectors and the ranking weights, which
set the `relative` signal and the scores' scale); a fit whose record differs from the running
configuration is refused with `CalibrationMismatchError` rather than silently shifting every
`match` and the threshold.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.search.fusion import Ranking
from engine.shared.errors import CalibrationMismatchError

FEATURES = ("coverage", "lexical", "cosine", "relative", "english", "field")
LEXICAL_FEATURES = ("coverage", "lexical", "relative", "english", "field")
# A practice's fit to a situation (`engine/recommend/practice_match.py`), and without the model.
PRACTICE_FEATURES = (
    "cosine_z", "coverage", "lexical", "support", "gap", "top", "page_match", "english", "field"
)  # fmt: skip
PRACTICE_LEXICAL_FEATURES = tuple(f for f in PRACTICE_FEATURES if f != "cosine_z")
FIELD_WORDS = 3
LEXICAL_ONLY = "lexical"  # the key of the fit that needs no model
FILE = "calibration.json"
Floats = npt.NDArray[np.float64]


def fitted_under(ranking: Ranking, model: str | None) -> dict[str, str]:
    """What a fit depends on besides its data: for a dense fit the model's vectors (its
    identity) and every weight of the fused score; for the lexical fit the lexical ones."""
    record = {
        "lexical_weight": repr(ranking.lexical_weight),
        "synonym_weight": repr(ranking.synonym_weight),
        "related_weight": repr(ranking.related_weight),
    }
    if model is not None:
        record |= {
            "model": model,
            "dense_weight": repr(ranking.dense_weight),
            "candidates": repr(ranking.candidates),
        }
    return record


def question_signals(language: str, field_words: int) -> dict[str, float]:
    """The signals of the question itself, the same for each of its results."""
    return {
        "english": float(language == "en"),
        "field": min(field_words, FIELD_WORDS) / FIELD_WORDS,
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class MatchModel:
    features: tuple[str, ...]
    coefficients: tuple[float, ...]
    intercept: float
    threshold: float
    fitted_under: Mapping[str, str] = field(default_factory=dict)

    def probability(self, signals: Mapping[str, Floats]) -> Floats:
        logit = np.full_like(signals[self.features[0]], self.intercept, dtype=np.float64)
        for name, weight in zip(self.features, self.coefficients, strict=True):
            logit = logit + weight * signals[name]
        return np.asarray(1.0 / (1.0 + np.exp(-logit)), dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "coefficients": [round(c, 6) for c in self.coefficients],
            "intercept": round(self.intercept, 6),
            "threshold": round(self.threshold, 6),
            "fitted_under": dict(self.fitted_under),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MatchModel:
        features = tuple(str(f) for f in data["features"])
        coefficients = tuple(float(c) for c in data["coefficients"])
        if (
            not features
            or len(features) != len(coefficients)
            or set(features) - set(FEATURES) - set(PRACTICE_FEATURES)
            or not all(math.isfinite(c) for c in (*coefficients, float(data["intercept"])))
            or not 0.0 < float(data["threshold"]) < 1.0
        ):
            raise ValueError(f"invalid match model {dict(data)!r}")
        record = data.get("fitted_under", {})
        if not isinstance(record, Mapping):
            raise ValueError(f"invalid fitted_under {record!r}")
        return cls(
            features=features,
            coefficients=coefficients,
            intercept=float(data["intercept"]),
            threshold=float(data["threshold"]),
            fitted_under={str(k): str(v) for k, v in record.items()},
        )


@dataclass(frozen=True, slots=True)
class Calibration:
    """Fits by model name (`Embedder.name`), plus the lexical-only fit."""

    models: Mapping[str, MatchModel]
    about: str = ""
    # Practices' fits by model name (and LEXICAL_ONLY), as `models` for pages.
    practices: Mapping[str, MatchModel] = field(default_factory=dict)

    def for_model(self, model: str | None) -> MatchModel:
        """The fit for `model` (None: a search without the dense model)."""
        if model is not None and model in self.models:
            return self.models[model]
        return self.models[LEXICAL_ONLY]

    def checked(
        self, name: str | None, identity: str, ranking: Ranking, practices: bool = False
    ) -> MatchModel:
        """The fit for model `name` (None: lexical search), refused unless it was fitted
        under this model's vectors (`identity`) and these ranking weights. `practices`: the
        practices' fit instead of the pages'."""
        fits = self.practices if practices else self.models
        if LEXICAL_ONLY not in fits:
            raise CalibrationMismatchError(
                "The calibration has no fit for practices; run 'indsats calibrate' (it writes "
                "<INDSATS_DATA_DIR>/calibration.json)."
            )
        dense = name is not None and name in fits
        fit = fits[name] if name is not None and dense else fits[LEXICAL_ONLY]
        wanted = fitted_under(ranking, identity if dense else None)
        if fit.fitted_under != wanted:
            differ = sorted(
                k for k in wanted.keys() | fit.fitted_under.keys()
                if wanted.get(k) != fit.fitted_under.get(k)
            )  # fmt: skip
            which = f"{name if dense else 'lexical search'}{' (practices)' if practices else ''}"
            raise CalibrationMismatchError(
                f"The match calibration for {which} was fitted under other settings "
                f"({', '.join(differ)} differ: fitted {dict(fit.fitted_under)}, running "
                f"{wanted}). Run 'indsats calibrate' with these settings (it writes "
                "<INDSATS_DATA_DIR>/calibration.json), or go back to the settings it names."
            )
        return fit

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        models = {str(k): MatchModel.from_dict(v) for k, v in data["models"].items()}
        practices = {str(k): MatchModel.from_dict(v) for k, v in data.get("practices", {}).items()}
        # An older fit over fewer features stays usable; the lexical one must not need a model.
        if LEXICAL_ONLY not in models or "cosine" in models[LEXICAL_ONLY].features:
            raise ValueError(f"a calibration needs a '{LEXICAL_ONLY}' fit without 'cosine'")
        if practices and (
            LEXICAL_ONLY not in practices or "cosine_z" in practices[LEXICAL_ONLY].features
        ):
            raise ValueError(f"the practices' fits need a '{LEXICAL_ONLY}' fit without 'cosine'")
        return cls(models, str(data.get("about", "")), practices)

    def to_dict(self) -> dict[str, Any]:
        return {
            "about": self.about,
            "models": {k: m.to_dict() for k, m in self.models.items()},
            "practices": {k: m.to_dict() for k, m in self.practices.items()},
        }

    @classmethod
    def load(cls, paths: Sequence[Path] = ()) -> Calibration:
        """The bundled fits, overlaid by those in `paths` that exist (a deployment's own
        `indsats calibrate` output for its model)."""
        text = resources.files("engine").joinpath(f"data/{FILE}").read_text("utf-8")
        bundled = cls.from_dict(json.loads(text))
        models, practices = dict(bundled.models), dict(bundled.practices)
        for path in paths:
            if path.is_file():
                own = cls.from_dict(json.loads(path.read_text("utf-8")))
                models.update(own.models)
                practices.update(own.practices)
        return cls(models, bundled.about, practices)
