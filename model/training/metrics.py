"""The metrics every candidate is compared on, computed in one place."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import (brier_score_loss, fbeta_score, precision_score, recall_score,
                             roc_auc_score)

from model.training.cost import business_cost


def evaluate(y_true: np.ndarray, proba: np.ndarray, threshold: float,
             raw_proba: np.ndarray | None = None) -> dict[str, float]:
    """ROC AUC, recall, precision, F2, Brier and business cost at `threshold`.

    `proba` is the (calibrated) probability the threshold applies to. When the
    uncalibrated one is given too, AUC is computed on it (calibration is
    monotone: it only adds ties, e.g. isotonic steps) and its Brier score is
    reported as `brier_raw`, so the effect of calibration is visible.
    """
    y_true = np.asarray(y_true).astype(int)
    proba = np.asarray(proba, dtype=np.float64)
    refused = (proba >= threshold).astype(int)
    cost = business_cost(y_true, refused)
    single_class = len(np.unique(y_true)) < 2
    ranking = proba if raw_proba is None else np.asarray(raw_proba, dtype=np.float64)
    result = {
        "auc": float("nan") if single_class else float(roc_auc_score(y_true, ranking)),
        "recall": float(recall_score(y_true, refused, zero_division=0)),
        "precision": float(precision_score(y_true, refused, zero_division=0)),
        "f2": float(fbeta_score(y_true, refused, beta=2, zero_division=0)),
        "brier": float(brier_score_loss(y_true, proba)),
        "cost": int(cost),
        "cost_per_1000": float(cost * 1000.0 / len(y_true)),
        "refusal_rate": float(refused.mean()),
        "threshold": float(threshold),
        "n_clients": int(len(y_true)),
    }
    if raw_proba is not None:
        result["brier_raw"] = float(brier_score_loss(y_true, ranking))
    return result
