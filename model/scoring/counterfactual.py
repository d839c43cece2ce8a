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
from collections.abc import Callable, Mapping
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


def score_edited_rows(builder: Any, model: Any, feature_rows: pd.DataFrame,
                      app_rows: pd.DataFrame, edits: pd.DataFrame,
                      owner: np.ndarray | None = None) -> np.ndarray:
    """Calibrated probabilities of applications with each row of `edits` (numeric raw fields)
    written over the application of its client, history aggregates kept as stored.

    `feature_rows` and `app_rows`: the clients' stored feature rows and raw application rows
    (same order); `owner[r]`: the position of the client edit row r belongs to (default: all
    the first). Only the features computed from the edited fields change; they are recomputed
    by the builder's own functions (`numeric_fields`, `engineered`), so the rows equal
    `transform_application` of the edited applications (tested) without its per-call pandas
    overhead (~150 ms for 16 rows on a busy machine, against ~1 ms here).
    """
    from model.features.application import ENGINEERED_INPUTS, NO_DATE, engineered, numeric_fields

    owner = np.zeros(len(edits), dtype=np.int64) if owner is None else np.asarray(owner)
    fields = {c: np.asarray(v)[owner] for c, v in numeric_fields(app_rows).items()}
    for column in edits.columns:
        fields[column] = edits[column].to_numpy(np.float64)
    fields["DAYS_EMPLOYED"] = np.where(fields["DAYS_EMPLOYED"] == NO_DATE, np.nan,
                                       fields["DAYS_EMPLOYED"])
    edited = set(edits.columns)
    derived = engineered(fields)
    changed = {c: fields[c] for c in edited}
    changed.update({name: derived[name] for name, inputs in ENGINEERED_INPUTS.items()
                    if name in derived and edited.intersection(inputs)})
    matrix = feature_rows.to_numpy(np.float32)[owner]
    positions = feature_rows.columns.get_indexer(list(changed))
    for j, values in zip(positions, changed.values()):
        if j >= 0:  # a feature the model does not use (excluded) is simply not there
            matrix[:, j] = values
    rows = pd.DataFrame(matrix, columns=feature_rows.columns)
    return np.asarray(model.predict_proba(rows), dtype=np.float64)


# What an applicant can change: the amount and the term (through the annuity).
LOAN_FIELDS = ("AMT_CREDIT", "AMT_ANNUITY")


def granted_as_asked(app_row: pd.Series | Mapping[str, Any]) -> Counterfactual:
    """The answer for an application granted as asked: nothing to change."""
    return Counterfactual("granted", _original(app_row))


def _original(app_row: pd.Series | Mapping[str, Any]) -> dict[str, float]:
    return {name: _number(app_row.get(name)) for name in LOAN_FIELDS}


def _path_edits(kind: str, credit: np.ndarray, annuity: np.ndarray, grid: np.ndarray,
                rounding: float) -> tuple[np.ndarray, np.ndarray]:
    """Credit and annuity of each (client, grid point): `kind` "credit" is a lower credit at
    the same term (both scaled together, the credit rounded down), "term" the same credit
    over a longer term (the annuity divided by the factor, rounded up). `grid`: one row per
    client (or one row for all)."""
    credit, annuity = credit[:, None], annuity[:, None]
    if kind == "credit":
        amounts = np.where(grid >= 1.0, credit, np.floor(credit * grid / rounding) * rounding)
        return amounts, annuity * amounts / credit
    return np.broadcast_to(credit, np.broadcast_shapes(credit.shape, grid.shape)), \
        np.ceil(annuity / grid)


ScoreEdits = Callable[[np.ndarray, pd.DataFrame], np.ndarray]


def find_counterfactuals(score: ScoreEdits, app_rows: pd.DataFrame, threshold: float,
                         rules: RulesCheck | None = None,
                         min_credit_share: float = config.COUNTERFACTUAL_MIN_CREDIT_SHARE,
                         max_term_factor: float = config.COUNTERFACTUAL_MAX_TERM_FACTOR,
                         steps: int = config.COUNTERFACTUAL_GRID, rounding: float = 1000.0
                         ) -> list[Counterfactual]:
    """The smallest changes of credit / term that bring each application's probability under
    `threshold` and pass `rules`; `score(owner, edits)` scores raw-field edits, row r over
    the application at position `owner[r]` (see `score_edited_rows`).

    Both paths run from the application as asked towards the bound (credit share 1 ->
    `min_credit_share`, term factor 1 -> `max_term_factor`); along a path the granted
    edits form one interval ending at the bound (monotone model), so the first granted
    grid point brackets the edge and a finer grid between it and its neighbour finds it.
    Two calls of `score` for the whole batch (every client's paths scored together): a
    client searched in a batch gets exactly the answer it gets alone.
    """
    n = len(app_rows)
    originals = [_original(row)
                 for row in app_rows.reindex(columns=list(LOAN_FIELDS)).to_dict("records")]
    credit = np.array([o["AMT_CREDIT"] for o in originals], dtype=np.float64)
    annuity = np.array([o["AMT_ANNUITY"] for o in originals], dtype=np.float64)
    searched = np.flatnonzero((credit > 0) & (annuity > 0))
    grids = {"credit": np.linspace(1.0, min_credit_share, steps),
             "term": np.linspace(1.0, max_term_factor, steps)}

    def granted(pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
                ) -> list[tuple[np.ndarray, np.ndarray]]:
        """(clients, credits, annuities) pieces, each (k, m) -> per piece: granted and the
        probability, (k, m) each; one `score` call for all."""
        owner = np.concatenate([np.repeat(clients, c.shape[1]) for clients, c, _ in pieces])
        if not len(owner):
            return [(np.zeros(c.shape, dtype=bool), np.zeros(c.shape)) for _, c, _ in pieces]
        edits = pd.DataFrame({"AMT_CREDIT": np.concatenate([c.ravel() for _, c, _ in pieces]),
                              "AMT_ANNUITY": np.concatenate([a.ravel() for _, _, a in pieces])})
        probability = np.asarray(score(owner, edits), dtype=np.float64)
        ok = (probability < threshold) & _passes(rules, app_rows, owner, edits)
        out, start = [], 0
        for clients, c, _ in pieces:
            size = c.size
            out.append((ok[start:start + size].reshape(c.shape),
                        probability[start:start + size].reshape(c.shape)))
            start += size
        return out

    results: list[Counterfactual | None] = [None] * n
    changes: list[list[Change]] = [[] for _ in range(n)]
    if len(searched):
        coarse = granted([(searched, *_path_edits(kind, credit[searched], annuity[searched],
                                                  grid[None, :], rounding))
                          for kind, grid in grids.items()])
        asked = coarse[0][0][:, 0]  # share 1 = the application as asked
        brackets = []  # per path: clients, first granted value and its probability, finer grid
        for (kind, grid), (ok, probability) in zip(grids.items(), coarse):
            rows = np.flatnonzero(~asked & ok.any(axis=1))
            first = np.argmax(ok[rows], axis=1)
            before = grid[(first - 1) % steps]  # (the neighbour towards the application)
            finer = np.linspace(before, grid[first], steps, axis=1)[:, 1:-1]
            brackets.append((kind, searched[rows], grid[first], probability[rows, first], finer))
        fine = granted([(clients, *_path_edits(kind, credit[clients], annuity[clients], finer,
                                               rounding))
                        for kind, clients, _, _, finer in brackets])
        for (kind, clients, values, chosen, finer), (ok, probability) in zip(brackets, fine):
            closer = ok.any(axis=1)  # a granted value closer to the application as asked
            first = np.argmax(ok, axis=1)
            values = np.where(closer, finer[np.arange(len(clients)), first], values)
            chosen = np.where(closer, probability[np.arange(len(clients)), first], chosen)
            new_credit, new_annuity = _path_edits(kind, credit[clients], annuity[clients],
                                                  values[:, None], rounding)
            for k, client in enumerate(clients):
                c, a = float(new_credit[k, 0]), float(new_annuity[k, 0])
                changes[client].append(Change(kind, {"AMT_CREDIT": c, "AMT_ANNUITY": a},
                                              float(chosen[k]), c / a))
        for position in searched[asked]:
            results[position] = Counterfactual("granted", originals[position])
    return [result if result is not None
            else Counterfactual("found" if changes[i] else "none", originals[i], changes[i])
            for i, result in enumerate(results)]


def _passes(rules: RulesCheck | None, app_rows: pd.DataFrame, owner: np.ndarray,
            edits: pd.DataFrame) -> np.ndarray:
    if rules is None:
        return np.ones(len(edits), dtype=bool)
    apps = app_rows.iloc[owner].reset_index(drop=True)
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
