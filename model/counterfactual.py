"""What would change the decision: the smallest change of what the applicant controls.

An applicant controls the loan they ask for: its amount and its term (credit and
annuity), with the goods' price fixed (a smaller credit means a larger down payment).
For a refused client we search, through the same fitted builder and model as the
score, (1) the largest credit that is granted at the same term (credit and annuity
scaled together), then (2) the shortest longer term that is granted for the same
credit (the annuity lowered). The monotone constraints (`config.MONOTONE_CONSTRAINTS`:
AMT_CREDIT, AMT_ANNUITY, the credit and annuity ratios +1, GOODS_CREDIT_RATIO -1) make
the probability non-increasing along both paths, so the granted edits form one
interval and a grid plus one refinement finds its edge. Two batches of rows per path
(one builder call and one prediction each) keep a client well under the 300 ms target
(`benchmarks/bench_counterfactual.py`).

`rules` plugs the lending rules in: a callable taking raw application rows and
returning True where no rule refuses them (`policy_check` builds it from
`model.policy` when that module exists).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from model import config

RulesCheck = Callable[[pd.DataFrame], np.ndarray]


@dataclass(frozen=True)
class Change:
    """One way to be granted: the raw fields to set and the probability it gives."""
    kind: str  # "credit" (lower amount, same term) or "term" (longer term, same amount)
    fields: dict[str, float]  # AMT_CREDIT and AMT_ANNUITY as they would be entered
    probability: float
    term_years: float  # credit / yearly annuity after the change


@dataclass(frozen=True)
class Counterfactual:
    """The outcome of the search for one client."""
    status: str  # "granted" (nothing to change), "found", "none" (no change within bounds)
    original: dict[str, float]
    changes: list[Change] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "original": self.original,
                "changes": [{"kind": c.kind, "fields": c.fields, "probability": c.probability,
                             "term_years": c.term_years} for c in self.changes]}


def _number(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number if math.isfinite(number) else math.nan


def score_edited_rows(builder: Any, model: Any, feature_row: pd.DataFrame, app_row: pd.DataFrame,
                      edits: pd.DataFrame) -> np.ndarray:
    """Calibrated probabilities of the client's application with each row of `edits`
    written over it: application features recomputed by the fitted builder, history
    aggregates kept as stored (exactly the what-if path, for many rows at once)."""
    apps = pd.concat([app_row] * len(edits), ignore_index=True)
    for column in edits.columns:
        apps[column] = edits[column].to_numpy(np.float64)
    if "SK_ID_CURR" not in apps.columns:
        apps.insert(0, "SK_ID_CURR", np.arange(len(apps)))
    else:
        apps["SK_ID_CURR"] = np.arange(len(apps))  # distinct ids: the builder indexes by them
    columns = list(builder.application_features_)
    recomputed = builder.transform_application(apps)[columns].to_numpy(np.float32)
    positions = feature_row.columns.get_indexer(columns)
    matrix = np.repeat(feature_row.to_numpy(np.float32), len(edits), axis=0)
    matrix[:, positions] = recomputed
    rows = pd.DataFrame(matrix, columns=feature_row.columns)
    return np.asarray(model.predict_proba(rows), dtype=np.float64)


def _granted(probabilities: np.ndarray, threshold: float, passes: np.ndarray) -> np.ndarray:
    return (probabilities < threshold) & passes


def _edge(evaluate: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]], low: float,
          high: float, steps: int) -> tuple[float, float] | None:
    """Largest x in [low, high] that is granted, on a grid then a finer grid around the
    edge (granted values form [low, edge] when the model is monotone along the path)."""
    grid = np.linspace(high, low, steps)
    ok, probability = evaluate(grid)
    if not ok.any():
        return None
    first = int(np.argmax(ok))  # grid runs from high to low: the first granted is the edge
    if first == 0:
        return float(grid[0]), float(probability[0])
    fine = np.linspace(grid[first - 1], grid[first], steps)[1:]
    fine_ok, fine_probability = evaluate(fine)
    j = int(np.argmax(fine_ok)) if fine_ok.any() else None
    if j is None:
        return float(grid[first]), float(probability[first])
    return float(fine[j]), float(fine_probability[j])


def find_counterfactual(score: Callable[[pd.DataFrame], np.ndarray], app_row: pd.Series,
                        threshold: float, rules: RulesCheck | None = None,
                        min_credit_share: float = config.COUNTERFACTUAL_MIN_CREDIT_SHARE,
                        max_term_factor: float = config.COUNTERFACTUAL_MAX_TERM_FACTOR,
                        steps: int = config.COUNTERFACTUAL_GRID, rounding: float = 1000.0
                        ) -> Counterfactual:
    """The smallest changes of credit / term that bring the probability under `threshold`
    and pass `rules`; `score(edits)` scores raw-field edits (see `score_edited_rows`)."""
    credit, annuity = _number(app_row.get("AMT_CREDIT")), _number(app_row.get("AMT_ANNUITY"))
    original = {"AMT_CREDIT": credit, "AMT_ANNUITY": annuity}
    if not (credit > 0 and annuity > 0):
        return Counterfactual("none", original)
    base = pd.DataFrame({"AMT_CREDIT": [credit], "AMT_ANNUITY": [annuity]})
    passes_now = _passes(rules, app_row, base)
    if _granted(score(base), threshold, passes_now)[0]:
        return Counterfactual("granted", original)

    def by_credit(shares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        amounts = np.floor(credit * shares / rounding) * rounding
        edits = pd.DataFrame({"AMT_CREDIT": amounts, "AMT_ANNUITY": annuity * amounts / credit})
        probability = score(edits)
        return _granted(probability, threshold, _passes(rules, app_row, edits)), probability

    def by_term(factors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        edits = pd.DataFrame({"AMT_CREDIT": np.full(len(factors), credit),
                              "AMT_ANNUITY": np.ceil(annuity / factors)})
        probability = score(edits)
        return _granted(probability, threshold, _passes(rules, app_row, edits)), probability

    changes = []
    found = _edge(by_credit, min_credit_share, 1.0, steps)
    if found is not None:
        amount = math.floor(credit * found[0] / rounding) * rounding
        changes.append(Change("credit", {"AMT_CREDIT": amount,
                                         "AMT_ANNUITY": annuity * amount / credit},
                              found[1], credit / annuity))
    # term factor f: annuity / f; the edge searched is the smallest f, i.e. the largest -f
    longer = _edge(lambda neg: by_term(-neg), -max_term_factor, -1.0, steps)
    if longer is not None:
        factor = -longer[0]
        new_annuity = math.ceil(annuity / factor)
        changes.append(Change("term", {"AMT_CREDIT": credit, "AMT_ANNUITY": float(new_annuity)},
                              longer[1], credit / new_annuity))
    return Counterfactual("found" if changes else "none", original, changes)


def _passes(rules: RulesCheck | None, app_row: pd.Series, edits: pd.DataFrame) -> np.ndarray:
    if rules is None:
        return np.ones(len(edits), dtype=bool)
    apps = pd.DataFrame([app_row] * len(edits)).reset_index(drop=True)
    for column in edits.columns:
        apps[column] = edits[column].to_numpy(np.float64)
    return np.asarray(rules(apps), dtype=bool)


def policy_check(rules: Any) -> RulesCheck | None:
    """A `RulesCheck` from `model.policy` rules (None when that module is not there):
    a row passes when no rule fires (a "review" is not a grant either)."""
    try:
        from model import policy  # added by the lending-rules work; optional here
    except ImportError:
        return None
    rules = tuple(rules)
    if not rules:
        return None

    def check(apps: pd.DataFrame) -> np.ndarray:
        fired = policy.fired_mask(apps, rules)
        return ~np.asarray(fired, dtype=bool).any(axis=1)

    return check
