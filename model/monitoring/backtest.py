"""Back-test of a matured period: does the model still rank, and is it still calibrated?

Once a period's loans have had `config.OUTCOME_MATURITY_MONTHS` to default, its scores are
compared with the outcomes observed: AUC and Gini, Kolmogorov-Smirnov, and per score decile
the observed default rate with its Jeffreys interval against the predicted one (the interval
the ECB's guide to internal models uses for PD back-testing), the bad rate by decile (rank
ordering), and a Hosmer-Lemeshow test over the deciles that says pass or fail.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import roc_auc_score

from model import config


def jeffreys_interval(defaults: int, clients: int,
                      level: float = config.JEFFREYS_LEVEL) -> tuple[float, float]:
    """Equal-tailed Jeffreys interval of a default rate: Beta(d + 1/2, n - d + 1/2) quantiles,
    with 0 as the lower bound when d = 0 and 1 as the upper when d = n (Brown, Cai and
    DasGupta, 2001)."""
    if clients <= 0:
        return (float("nan"), float("nan"))
    alpha = 1.0 - level
    beta = stats.beta(defaults + 0.5, clients - defaults + 0.5)
    lower = 0.0 if defaults == 0 else float(beta.ppf(alpha / 2))
    upper = 1.0 if defaults == clients else float(beta.ppf(1 - alpha / 2))
    return lower, upper


def ks_statistic(probability: np.ndarray, target: np.ndarray) -> float:
    """Largest gap between the score's distributions among defaulters and non-defaulters."""
    bad, good = probability[target == 1], probability[target == 0]
    if len(bad) == 0 or len(good) == 0:
        return float("nan")
    return float(stats.ks_2samp(bad, good).statistic)


def decile_table(probability: np.ndarray, target: np.ndarray,
                 deciles: int = config.BACKTEST_DECILES,
                 level: float = config.JEFFREYS_LEVEL) -> pd.DataFrame:
    """Per score decile (1 = lowest predicted risk): clients, defaults, predicted and
    observed default rates, the Jeffreys interval and whether it holds the prediction."""
    order = np.argsort(probability, kind="stable")
    decile = np.empty(len(probability), dtype=np.int64)
    decile[order] = np.arange(len(probability)) * deciles // max(len(probability), 1) + 1
    frame = pd.DataFrame({"decile": decile, "probability": probability, "target": target})
    rows = []
    for number, group in frame.groupby("decile", sort=True):
        n, d = len(group), int(group["target"].sum())
        lower, upper = jeffreys_interval(d, n, level)
        predicted = float(group["probability"].mean())
        rows.append({"decile": int(number), "clients": n, "defaults": d,
                     "predicted_rate": predicted, "observed_rate": d / n,
                     "jeffreys_lower": lower, "jeffreys_upper": upper,
                     "prediction_inside": bool(lower <= predicted <= upper),
                     "min_probability": float(group["probability"].min()),
                     "max_probability": float(group["probability"].max())})
    return pd.DataFrame(rows)


def hosmer_lemeshow(table: pd.DataFrame) -> tuple[float, float]:
    """Chi-square of observed against expected defaults and non-defaults over the deciles,
    and its p-value (degrees of freedom: groups - 2)."""
    n = table["clients"].to_numpy(np.float64)
    expected = np.clip(table["predicted_rate"].to_numpy(np.float64) * n, 1e-9, None)
    observed = table["defaults"].to_numpy(np.float64)
    expected_good = np.clip(n - expected, 1e-9, None)
    chi2 = float(np.sum((observed - expected) ** 2 / expected
                        + ((n - observed) - expected_good) ** 2 / expected_good))
    dof = max(len(table) - 2, 1)
    return chi2, float(stats.chi2.sf(chi2, dof))


def rank_inversions(table: pd.DataFrame) -> int:
    """Deciles whose observed bad rate is below the previous (safer) decile's."""
    return int(np.sum(np.diff(table["observed_rate"].to_numpy()) < 0))


def backtest(probability: np.ndarray, target: np.ndarray,
             p_value: float = config.CALIBRATION_P_VALUE) -> dict[str, Any]:
    """Every back-test figure of one matured period, JSON-ready."""
    probability = np.asarray(probability, dtype=np.float64)
    target = np.asarray(target, dtype=np.int64)
    both = len(np.unique(target)) == 2
    auc = float(roc_auc_score(target, probability)) if both else None
    table = decile_table(probability, target)
    chi2, p = hosmer_lemeshow(table)
    return {
        "clients": int(len(target)), "defaults": int(target.sum()),
        "auc": auc, "gini": None if auc is None else 2 * auc - 1,
        "ks": ks_statistic(probability, target) if both else None,
        "predicted_rate": float(probability.mean()), "observed_rate": float(target.mean()),
        "calibration": {"test": "Hosmer-Lemeshow over score deciles", "chi2": chi2,
                        "p_value": p, "threshold": p_value,
                        "passed": bool(p >= p_value)},
        "rank_inversions": rank_inversions(table),
        "deciles": table.to_dict(orient="records"),
    }
