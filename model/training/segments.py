"""Clients with and without credit history: inputs, and how well each segment is scored.

This lender's core clientele applies with no history at all, while nearly every
training client has some (32 of the 5,000 real-sample clients have none). The
held-out clients are therefore also scored with all their history rows removed,
through the same fitted feature builder as a new applicant, and each segment
gets its own AUC, business cost and calibration (mean predicted probability
against the observed default rate).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from model import config
from model.training.cost import business_cost

# Mean predicted probability within this fraction of the observed default rate.
CALIBRATION_TOLERANCE = 0.10
# Bands of fewer held-out clients than this are reported, never judged (issue 18's rule).
MIN_BAND_CLIENTS = 100
_Z95 = 1.959964


def wilson_interval(defaults: int, n: int) -> list[float]:
    """95 % Wilson interval of an observed default rate: how far the rate of a band of a
    few hundred clients moves by chance (188 clients at 6 % observed: 3.3 % to 10.2 %)."""
    if n == 0:
        return [float("nan"), float("nan")]
    rate = defaults / n
    centre = (rate + _Z95**2 / (2 * n)) / (1 + _Z95**2 / n)
    half = _Z95 * np.sqrt(rate * (1 - rate) / n + _Z95**2 / (4 * n**2)) / (1 + _Z95**2 / n)
    return [float(centre - half), float(centre + half)]


@dataclass(frozen=True)
class SegmentInputs:
    """What training needs to build and measure the no-history model.

    `without_history(clients)`: feature rows of those training clients, in that order,
    with their history rows removed (the builder's `transform` of their application rows
    alone). A function, not a frame: training needs the held-out clients only, and the
    frame of every training client cost a second copy of the feature matrix (1 GB at
    Kaggle size). `history_columns`: counts of history rows (all 0 = no history).
    `application_columns`: the features computed from the application row alone.
    `loan_scaled(clients, factor)`: the `application_columns` of those of the clients whose
    loan is complete (credit, annuity, goods price and income known), recomputed with the
    loan scaled by `factor` at the same income, indexed by client (the loan gate of
    `model.training.train`, issue 18).
    """

    without_history: Callable[[pd.Index], pd.DataFrame]
    history_columns: list[str]
    application_columns: list[str]
    loan_scaled: Callable[[pd.Index, float], pd.DataFrame] | None = None


def segment_inputs(builder, tables: dict[str, pd.DataFrame]) -> SegmentInputs:
    """Inputs from the fitted builder and the training applications of the raw tables
    (only `application_train` is kept: the history tables can be released)."""
    from model.features.aggregate import KEY

    app = tables["application_train"]

    def without_history(clients: pd.Index) -> pd.DataFrame:
        rows = app[app[KEY].isin(clients)]
        return builder.transform({"application_train": rows}).reindex(clients)

    def loan_scaled(clients: pd.Index, factor: float) -> pd.DataFrame:
        loan = [*config.LOAN_AMOUNT_COLUMNS, "AMT_INCOME_TOTAL"]
        rows = app[app[KEY].isin(clients) & app[loan].notna().all(axis=1)].copy()
        for column in config.LOAN_AMOUNT_COLUMNS:
            rows[column] = rows[column].astype(np.float64) * factor
        return builder.transform_application(rows)[list(builder.application_features_)]

    return SegmentInputs(without_history, builder.history_count_features_,
                         list(builder.application_features_), loan_scaled)


def has_history(X: pd.DataFrame | np.ndarray, count_positions: list[int] | np.ndarray
                ) -> np.ndarray:
    """True for rows with at least one history row (any count column above 0; a missing
    count is none)."""
    return (np.asarray(X)[:, count_positions] > 0).any(axis=1)


def segment_metrics(y: np.ndarray, proba: np.ndarray, threshold: float) -> dict[str, float]:
    """Count, AUC, business cost at `threshold` and calibration of one segment."""
    y = np.asarray(y).astype(int)
    proba = np.asarray(proba, dtype=np.float64)
    if len(y) == 0:
        return {"n_clients": 0}
    cost = business_cost(y, (proba >= threshold).astype(int))
    observed, predicted = float(y.mean()), float(proba.mean())
    gap = (predicted - observed) / observed if observed > 0 else float("nan")
    return {
        "n_clients": int(len(y)), "defaults": int(y.sum()),
        "auc": float(roc_auc_score(y, proba)) if len(np.unique(y)) == 2 else float("nan"),
        "cost": int(cost), "cost_per_1000": float(cost * 1000.0 / len(y)),
        "refusal_rate": float((proba >= threshold).mean()),
        "mean_predicted": predicted, "observed_rate": observed,
        "calibration_gap": float(gap),
        "calibrated_within_tolerance": bool(abs(gap) <= CALIBRATION_TOLERANCE),
        "observed_ci": wilson_interval(int(y.sum()), len(y)),
    }


def metrics_by_age_band(y: np.ndarray, proba: np.ndarray, days_birth: np.ndarray,
                        threshold: float) -> dict[str, dict[str, float]]:
    """`segment_metrics` of each age band (the fairness report's bands), with `judged`:
    whether the band holds at least MIN_BAND_CLIENTS clients."""
    from model.fairness import age_band, age_band_labels

    bands = age_band(pd.Series(np.asarray(days_birth, dtype=np.float64))).to_numpy()
    y, proba = np.asarray(y), np.asarray(proba)
    out = {}
    for band in age_band_labels():
        mask = bands == band
        row = segment_metrics(y[mask], proba[mask], threshold)
        out[band] = {**row, "judged": bool(mask.sum() >= MIN_BAND_CLIENTS)}
    return out
