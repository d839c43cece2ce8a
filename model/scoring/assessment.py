"""One decision, as data: what the model said, what the lending rules said, why, and what
would change it.

An `Assessment` is the single answer the screens, the API, the letter, the decision log and
the batch job present; none of them recombines model, rules and reasons. Everything a
presenter needs is here, in numbers and raw values (formatting belongs to the presenter).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from model.explain.local import ClientExplanation
from model.scoring.counterfactual import Counterfactual
from model.scoring.policy import FiredRule

# The outcome vocabulary: the model's ("granted"/"refused") and, after the rules, the
# recommendation ("granted"/"refused"/"review").
GRANTED, REFUSED, REVIEW = "granted", "refused", "review"


@dataclass(frozen=True)
class Reason:
    """A principal reason: a concept raising the risk by at least `config.MIN_REASON_POINTS`,
    told with the value that drives it (a feature of the client's own file)."""
    concept: str
    label_fr: str
    label_en: str
    probability_change: float  # along the explanation's waterfall
    contribution: float  # log-odds of the whole concept
    feature: str  # the driving feature (a model column, or a raw field for a category)
    feature_label_fr: str
    feature_label_en: str
    value: float | str  # the client's value of `feature` (raw text for a category; NaN unknown)
    unit: str
    feature_contribution: float  # log-odds of `feature` (> 0)

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_fr

    def feature_label(self, lang: str) -> str:
        return self.feature_label_en if lang == "en" else self.feature_label_fr

    @property
    def value_known(self) -> bool:
        return isinstance(self.value, str) or math.isfinite(float(self.value))

    @classmethod
    def from_explanation(cls, reason: dict[str, Any]) -> "Reason":
        return cls(**{name: reason[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Assessment:
    """One application assessed: probability, rules, recommendation, reasons, proposal."""
    client_id: int | None
    probability: float
    threshold: float
    model_outcome: str  # "granted" / "refused": the model alone
    rules: tuple[FiredRule, ...]  # the lending rules that fired, with the customer's figures
    recommendation: str  # "granted" / "refused" / "review": after the lending rules
    reasons: tuple[Reason, ...]
    explanation: ClientExplanation | None  # every concept, waterfall order (None: no explainer)
    build_id: str
    model_version: str
    counterfactual: Counterfactual | None = None  # when asked and not granted
    has_history: bool = True
    # Optional fields left empty and scored at the training median (missing never helps).
    filled_fields: tuple[str, ...] = field(default=())

    @property
    def model_refused(self) -> bool:
        return self.model_outcome == REFUSED

    @property
    def model_is_part_of_decision(self) -> bool:
        """The model's risk weighs in what was recommended: it refused, or no rule decided."""
        return self.model_refused or not self.rules

    @property
    def distance(self) -> float:
        return self.probability - self.threshold

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready numbers and raw values (the batch file's and the log's source)."""
        return {
            "client_id": self.client_id, "probability": self.probability,
            "threshold": self.threshold, "model_outcome": self.model_outcome,
            "recommendation": self.recommendation,
            "rules": [rule.to_dict() for rule in self.rules],
            "reasons": [{"concept": r.concept, "feature": r.feature, "value": _plain(r.value),
                         "unit": r.unit, "probability_change": r.probability_change}
                        for r in self.reasons],
            "counterfactual": self.counterfactual.to_dict() if self.counterfactual else None,
            "build_id": self.build_id, "model_version": self.model_version,
        }


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _plain(value: float | str) -> float | str | None:
    return value if isinstance(value, str) else _finite(float(value))
