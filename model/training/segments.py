"""Clients with and without credit history: inputs, and how well each segment is scored.

This lender's core clientele applies with no history at all, while nearly every
training client has some (32 of the 5,000 real-sample clients have none). The
held-out clients are therefore also scored with all their history rows removed,
through the same fitted feature builder as a new applicant, and each segment
gets its own AUC, business cost and calibration (mean predicted probability
against the observed default rate).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from model.training.cost import business_cost

# Mean predicted probability within this fraction of the observed default rate.
CALIBRATION_TOLERANCE = 0.10


@dataclass(frozen=True)
class SegmentInputs:
    """What training needs to build and measure the no-history model.

    `stripped`: the same clients as the training matrix, in the same order, with
    their history rows removed (the builder's `transform` of their application
    rows alone). `history_columns`: counts of history rows (all 0 = no history).
    `application_columns`: the features computed from the application row alone.
    """

    stripped: pd.DataFrame
    history_columns: list[str]
    application_columns: list[str]


def segment_inputs(builder, tables: dict[str, pd.DataFrame], clients: pd.Index
                   ) -> SegmentInputs:
    """Inputs for `clients` (training clients) from the fitted builder and the raw tables."""
    from model.features.aggregate import KEY

    app = tables["application_train"]
    rows = app[app[KEY].isin(clients)]
    stripped = builder.transform({"application_train": rows}).reindex(clients)
    return SegmentInputs(stripped, builder.history_count_features_,
                         list(builder.application_features_))


def has_history(X: pd.DataFrame | np.ndarray, count_positions: list[int]) -> np.ndarray:
    """True for rows with at least one history row (any count column above 0)."""
    counts = np.asarray(X)[:, count_positions].astype(np.float64)
    return np.nan_to_num(counts, nan=0.0).sum(axis=1) > 0


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
    }
