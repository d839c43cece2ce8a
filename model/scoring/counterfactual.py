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
`model.scoring.policy` when that module exists).
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
    (numeric raw fields) written over it, history aggregates kept as stored.

    Only the features computed from the edited fields change; they are recomputed by
    the builder's own functions (`numeric_fields`, `engineered`), so the rows equal
    `transform_application` of the edited applications (tested) without its per-call
    pandas overhead (~150 ms for 16 rows on a busy machine, against ~1 ms here).
    """
    from model.features.application import ENGINEERED_INPUTS, NO_DATE, engineered, numeric_fields

    n = len(edits)
    fields = {c: np.repeat(v, n) for c, v in numeric_fields(app_row.iloc[:1]).items()}
    for column in edits.columns:
        fields[column] = edits[column].to_numpy(np.float64)
    fields["DAYS_EMPLOYED"] = np.where(fields["DAYS_EMPLOYED"] == NO_DATE, np.nan,
                                       fields["DAYS_EMPLOYED"])
    edited = set(edits.columns)
    derived = engineered(fields)
    changed = {c: fields[c] for c in edited}
    changed.update({name: derived[name] for name, inputs in ENGINEERED_INPUTS.items()
                    if name in derived and edited.intersection(inputs)})
    matrix = np.repeat(feature_row.to_numpy(np.float32), n, axis=0)
    positions = feature_row.columns.get_indexer(list(changed))
    for j, values in zip(positions, changed.values()):
        if j >= 0:  # a feature the model does not use (excluded) is simply not there
            matrix[:, j] = values
    rows = pd.DataFrame(matrix, columns=feature_row.columns)
    return np.asarray(model.predict_proba(rows), dtype=np.float64)


def granted_as_asked(app_row: pd.Series) -> Counterfactual:
    """The answer for an application granted as asked: nothing to change."""
    return Counterfactual("granted", {"AMT_CREDIT": _number(app_row.get("AMT_CREDIT")),
                                      "AMT_ANNUITY": _number(app_row.get("AMT_ANNUITY"))})


def _credit_edits(credit: float, annuity: float, shares: np.ndarray, rounding: float
                  ) -> pd.DataFrame:
    """Lower credit, same term: credit and annuity scaled together (credit rounded down)."""
    amounts = np.where(shares >= 1.0, credit, np.floor(credit * shares / rounding) * rounding)
    return pd.DataFrame({"AMT_CREDIT": amounts, "AMT_ANNUITY": annuity * amounts / credit})


def _term_edits(credit: float, annuity: float, factors: np.ndarray) -> pd.DataFrame:
    """Same credit, longer term: the annuity divided by the factor (rounded up)."""
    return pd.DataFrame({"AMT_CREDIT": np.full(len(factors), credit),
                         "AMT_ANNUITY": np.ceil(annuity / factors)})


def _first_granted(ok: np.ndarray) -> int | None:
    return int(np.argmax(ok)) if ok.any() else None


def find_counterfactual(score: Callable[[pd.DataFrame], np.ndarray], app_row: pd.Series,
                        threshold: float, rules: RulesCheck | None = None,
                        min_credit_share: float = config.COUNTERFACTUAL_MIN_CREDIT_SHARE,
                        max_term_factor: float = config.COUNTERFACTUAL_MAX_TERM_FACTOR,
                        steps: int = config.COUNTERFACTUAL_GRID, rounding: float = 1000.0
                        ) -> Counterfactual:
    """The smallest changes of credit / term that bring the probability under `threshold`
    and pass `rules`; `score(edits)` scores raw-field edits (see `score_edited_rows`).

    Both paths run from the application as asked towards the bound (credit share 1 ->
    `min_credit_share`, term factor 1 -> `max_term_factor`); along a path the granted
    edits form one interval ending at the bound (monotone model), so the first granted
    grid point brackets the edge and a finer grid between it and its neighbour finds it.
    Two calls of `score` in all (the two paths' rows scored together).
    """
    original = granted_as_asked(app_row).original
    credit, annuity = original["AMT_CREDIT"], original["AMT_ANNUITY"]
    if not (credit > 0 and annuity > 0):
        return Counterfactual("none", original)
    shares = np.linspace(1.0, min_credit_share, steps)
    factors = np.linspace(1.0, max_term_factor, steps)
    paths = [("credit", shares), ("term", factors)]

    def edits_of(kind: str, grid: np.ndarray) -> pd.DataFrame:
        return (_credit_edits(credit, annuity, grid, rounding) if kind == "credit"
                else _term_edits(credit, annuity, grid))

    def granted(frames: list[pd.DataFrame]) -> list[tuple[np.ndarray, np.ndarray]]:
        edits = pd.concat(frames, ignore_index=True)
        probability = score(edits)
        ok = (probability < threshold) & _passes(rules, app_row, edits)
        out, start = [], 0
        for frame in frames:
            out.append((ok[start:start + len(frame)], probability[start:start + len(frame)]))
            start += len(frame)
        return out

    coarse = granted([edits_of(kind, grid) for kind, grid in paths])
    if coarse[0][0][0]:  # share 1 = the application as asked
        return Counterfactual("granted", original)
    brackets = []  # (kind, first granted grid value, its probability, finer grid before it)
    for (kind, grid), (ok, probability) in zip(paths, coarse):
        first = _first_granted(ok)
        if first is not None:
            finer = np.linspace(grid[first - 1], grid[first], steps)[1:-1]
            brackets.append((kind, grid[first], float(probability[first]), finer))
    fine = granted([edits_of(kind, grid) for kind, _, _, grid in brackets]) if brackets else []
    changes = []
    for (kind, value, chosen, grid), (ok, probability) in zip(brackets, fine):
        first = _first_granted(ok)
        if first is not None:  # a granted value closer to the application as asked
            value, chosen = grid[first], float(probability[first])
        edit = edits_of(kind, np.array([value])).iloc[0]
        changes.append(Change(kind, {"AMT_CREDIT": float(edit["AMT_CREDIT"]),
                                     "AMT_ANNUITY": float(edit["AMT_ANNUITY"])},
                              chosen, float(edit["AMT_CREDIT"] / edit["AMT_ANNUITY"])))
    return Counterfactual("found" if changes else "none", original, changes)


def _passes(rules: RulesCheck | None, app_row: pd.Series, edits: pd.DataFrame) -> np.ndarray:
    if rules is None:
        return np.ones(len(edits), dtype=bool)
    apps = pd.DataFrame([app_row] * len(edits)).reset_index(drop=True)
    for column in edits.columns:
        apps[column] = edits[column].to_numpy(np.float64)
    return np.asarray(rules(apps), dtype=bool)


def policy_check(rules: Any) -> RulesCheck | None:
    """A `RulesCheck` from `model.scoring.policy` rules (None without rules): a row passes when no
    rule fires (a "review" is not a grant either)."""
    from model.scoring import policy

    rules = tuple(rules)
    if not rules:
        return None

    def check(apps: pd.DataFrame) -> np.ndarray:
        fired = policy.fired_mask(apps, rules)
        return ~np.asarray(fired, dtype=bool).any(axis=1)

    return check
