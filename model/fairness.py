"""Fairness report at the business threshold: outcomes by gender and by age band.

Computed on the held-out split (clients no tuning step saw, scored by the chosen
configuration fitted without them) with fairlearn's `MetricFrame`, bootstrap
intervals included. Gender is not a model input; it is kept for this report only.
The proxy check measures how strongly other inputs track gender (Cramér's V and
the share of women per category), so that removing gender is not undone by a
stand-in. Everything is pure: frames in, a JSON-ready dict out.
"""
from __future__ import annotations

import functools
import json
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame
from scipy.stats.contingency import association

from model import config

FAIRNESS_FILE = "fairness.json"
DAYS_PER_YEAR = config.DAYS_PER_YEAR
# (metric key, function of (y_true, probability, threshold)); NaN when the group has no case.
RATE_METRICS = ("default_rate", "mean_predicted", "refusal_rate", "recall", "false_refusal_rate")


def _share(mask: np.ndarray) -> float:
    return float(mask.mean()) if len(mask) else float("nan")


def default_rate(y: np.ndarray, p: np.ndarray, threshold: float) -> float:
    return _share(np.asarray(y) == 1)


def mean_predicted(y: np.ndarray, p: np.ndarray, threshold: float) -> float:
    return float(np.mean(p)) if len(p) else float("nan")


def refusal_rate(y: np.ndarray, p: np.ndarray, threshold: float) -> float:
    return _share(np.asarray(p) >= threshold)


def recall(y: np.ndarray, p: np.ndarray, threshold: float) -> float:
    """Share of the defaulters the threshold refuses (defaults caught)."""
    return _share(np.asarray(p)[np.asarray(y) == 1] >= threshold)


def false_refusal_rate(y: np.ndarray, p: np.ndarray, threshold: float) -> float:
    """Share of the good clients the threshold refuses."""
    return _share(np.asarray(p)[np.asarray(y) == 0] >= threshold)


METRIC_FUNCTIONS = {name: globals()[name] for name in RATE_METRICS}


def age_band(days_birth: pd.Series, edges: tuple[int, ...] = config.FAIRNESS_AGE_EDGES) -> pd.Series:
    """'<25', '25-34', ..., '65+' from Home Credit's negative DAYS_BIRTH."""
    years = -days_birth.astype(float) / DAYS_PER_YEAR
    labels = age_band_labels(edges)
    bands = pd.cut(years, bins=[-np.inf, *edges, np.inf], right=False, labels=labels)
    return bands.astype(object).where(years.notna(), None)


def age_band_labels(edges: tuple[int, ...] = config.FAIRNESS_AGE_EDGES) -> list[str]:
    inner = [f"{low}-{high - 1}" for low, high in zip(edges[:-1], edges[1:])]
    return [f"<{edges[0]}", *inner, f"{edges[-1]}+"]


def _bootstrap_rates(y: np.ndarray, p: np.ndarray, labels: np.ndarray, groups: list[str],
                     threshold: float, n_boot: int, seed: int) -> dict[str | None, np.ndarray]:
    """Every rate of each group (None = all clients) on `n_boot` resamples of the clients.

    The resamples are drawn over all clients (a group's size varies between resamples, as
    with fairlearn's `MetricFrame`), as counts per client, so every rate of every group is
    a ratio of weighted sums: one matrix product instead of one frame per resample. At
    61,503 held-out clients (Kaggle size) fairlearn's bootstrap took 383 s of CPU; this
    takes about a second. Returns arrays of shape (n_boot, len(RATE_METRICS)), NaN where a
    resample has no client for the rate's denominator.
    """
    n = len(y)
    rng = np.random.default_rng(seed)
    refused = (p >= threshold).astype(np.float64)
    y = y.astype(np.float64)
    # numerator and denominator of each rate, in RATE_METRICS order
    numerators = np.column_stack([y, p, refused, refused * y, refused * (1 - y)])
    denominators = np.column_stack([np.ones(n), np.ones(n), np.ones(n), y, 1 - y])
    weights = np.empty((n_boot, n), dtype=np.float64)
    for b in range(n_boot):
        weights[b] = np.bincount(rng.integers(0, n, n), minlength=n)
    out = {}
    for group in [None, *groups]:
        mask = np.ones(n) if group is None else (labels == group).astype(np.float64)
        num = weights @ (numerators * mask[:, None])
        den = weights @ (denominators * mask[:, None])
        with np.errstate(invalid="ignore", divide="ignore"):
            out[group] = np.where(den > 0, num / den, np.nan)
    return out


def _interval(samples: np.ndarray) -> list[float | None]:
    """The configured quantiles of bootstrap samples of one rate (None when all are NaN)."""
    finite = samples[np.isfinite(samples)]
    if not len(finite):
        return [None, None]
    return [_clean(q) for q in np.quantile(finite, list(config.FAIRNESS_CI))]


def group_metrics(y: pd.Series, probability: pd.Series, groups: pd.Series, threshold: float,
                  order: list[str], n_boot: int = config.FAIRNESS_BOOTSTRAP,
                  seed: int = config.SEED) -> tuple[list[dict], dict]:
    """Per-group and overall rates (fairlearn's `MetricFrame`) with bootstrap intervals.

    Every group of `order` is reported, with count 0 when absent; rows whose group is
    missing are left out of the frame (overall figures included). The intervals come from
    `_bootstrap_rates` (vectorised, seeded), the estimates from fairlearn.
    """
    metrics = {name: functools.partial(fn, threshold=threshold)
               for name, fn in METRIC_FUNCTIONS.items()}
    known = groups.notna().to_numpy()
    labels = groups.to_numpy()[known].astype(str)
    y_known = y.to_numpy()[known].astype(int)
    p_known = probability.to_numpy()[known].astype(np.float64)
    with warnings.catch_warnings():  # a group without defaulters gives NaN recall
        warnings.simplefilter("ignore", RuntimeWarning)
        frame = MetricFrame(metrics=metrics, y_true=y_known, y_pred=p_known,
                            sensitive_features=pd.Series(labels, name="group"))
    present = [group for group in order if (labels == group).any()]
    boot = _bootstrap_rates(y_known, p_known, labels, present, threshold, n_boot, seed)
    rows = []
    for group in order:
        row: dict = {"group": group, "count": int((labels == group).sum())}
        for j, name in enumerate(RATE_METRICS):
            row[name] = _clean(frame.by_group.at[group, name]) if group in present else None
            row[f"{name}_ci"] = _interval(boot[group][:, j]) if group in present else None
        rows.append(row)
    overall: dict = {"count": int(known.sum())}
    for j, name in enumerate(RATE_METRICS):
        overall[name] = _clean(frame.overall[name])
        overall[f"{name}_ci"] = _interval(boot[None][:, j])
    return rows, overall


def _clean(value: object) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None


def disparate_impact(rows: list[dict], limit: float = config.DISPARATE_IMPACT_LIMIT,
                     min_group: int = config.FAIRNESS_MIN_GROUP) -> str | None:
    """Add each group's approval rate and its ratio to the most approved large group.

    Adds `approval_rate`, `disparate_impact`, `enough_clients` and `flag` (ratio under
    `limit`, large groups only) to each row; returns the reference group.
    """
    for row in rows:
        refusal = row["refusal_rate"]
        row["approval_rate"] = None if refusal is None else 1.0 - refusal
        row["enough_clients"] = row["count"] >= min_group
    large = [r for r in rows if r["enough_clients"] and r["approval_rate"] is not None]
    reference = max(large, key=lambda r: r["approval_rate"]) if large else None
    for row in rows:
        best = reference["approval_rate"] if reference else None
        ratio = (row["approval_rate"] / best if best and row["approval_rate"] is not None
                 else None)
        row["disparate_impact"] = ratio
        row["flag"] = bool(row["enough_clients"] and ratio is not None and ratio < limit)
    return reference["group"] if reference else None


def cramers_v(column: pd.Series, gender: pd.Series) -> float:
    """Cramér's V between a categorical input (missing as its own category) and gender."""
    table = pd.crosstab(column.astype(object).fillna("missing"), gender.astype(object))
    if table.shape[0] < 2 or table.shape[1] < 2:
        return 0.0
    return float(association(table.to_numpy(), method="cramer"))


def proxy_check(applications: pd.DataFrame, feature_names: list[str],
                gender_di_flagged: bool, columns: tuple[str, ...] = config.PROXY_COLUMNS,
                limit: float = config.PROXY_CRAMERS_V_LIMIT) -> list[dict]:
    """Association of each candidate proxy with gender, and the decision it leads to.

    Decision: `kept` (V under the limit); `kept_monitored` (a strong association, kept
    because the gender outcomes above show no disparate impact); `remove` (strong
    association and a flagged gender disparity: the input should leave the model).
    """
    known = applications["CODE_GENDER"].astype(object).isin(["F", "M"])
    apps = applications[known]
    women = apps["CODE_GENDER"].astype(object) == "F"
    report = []
    for column in columns:
        if column not in apps.columns:
            continue
        values = apps[column].astype(object).fillna("missing")
        share = women.groupby(values).agg(["size", "mean"]).sort_values("mean")
        strong = cramers_v(values, apps["CODE_GENDER"]) >= limit
        decision = "kept" if not strong else ("remove" if gender_di_flagged else "kept_monitored")
        report.append({
            "column": column,
            "cramers_v": cramers_v(values, apps["CODE_GENDER"]),
            "used_by_model": any(name == column or name.startswith(f"{column}_")
                                 for name in feature_names),
            "decision": decision,
            "categories": [{"value": str(v), "count": int(r["size"]), "share_women": float(r["mean"])}
                           for v, r in share.iterrows()],
        })
    return report


def fairness_report(holdout: pd.DataFrame, threshold: float, applications: pd.DataFrame,
                    feature_names: list[str], n_boot: int = config.FAIRNESS_BOOTSTRAP,
                    seed: int = config.SEED) -> dict:
    """The whole report as a JSON-ready dict.

    `holdout`: one row per held-out client with TARGET, probability, CODE_GENDER and
    DAYS_BIRTH, and optionally `policy_fired` (a lending rule fires: its share per group is
    reported, since the rules act whatever the score); `applications`: raw training
    applications (for the proxy check).
    """
    missing = [c for c in ("TARGET", "probability", "CODE_GENDER", "DAYS_BIRTH")
               if c not in holdout.columns]
    if missing:
        raise ValueError(f"held-out clients lack the column(s) {', '.join(missing)}")
    y, p = holdout["TARGET"].astype(int), holdout["probability"].astype(float)
    gender = holdout["CODE_GENDER"].astype(object).where(holdout["CODE_GENDER"].notna(), None)
    attributes = {}
    for key, column, groups, order in (
            ("gender", "CODE_GENDER", gender, list(config.FAIRNESS_GENDER_GROUPS)),
            ("age", "DAYS_BIRTH", age_band(holdout["DAYS_BIRTH"]), age_band_labels())):
        rows, overall = group_metrics(y, p, groups, threshold, order, n_boot, seed)
        if "policy_fired" in holdout.columns:
            fired = holdout["policy_fired"].astype(bool).groupby(groups.to_numpy()).mean()
            for row in rows:
                row["policy_rule_rate"] = float(fired[row["group"]]) if row["count"] else None
            overall["policy_rule_rate"] = float(holdout["policy_fired"].astype(bool).mean())
        reference = disparate_impact(rows)
        attributes[key] = {"column": column, "groups": rows, "overall": overall,
                           "reference_group": reference}
    gender_flagged = any(r["flag"] for r in attributes["gender"]["groups"])
    return {
        "threshold": float(threshold),
        "split": "held-out",
        "fairlearn_version": metadata.version("fairlearn"),
        "n_clients": int(len(holdout)),
        "bootstrap": {"n_boot": n_boot, "ci": list(config.FAIRNESS_CI), "seed": seed},
        "disparate_impact_limit": config.DISPARATE_IMPACT_LIMIT,
        "min_group": config.FAIRNESS_MIN_GROUP,
        "attributes": attributes,
        "proxy_limit": config.PROXY_CRAMERS_V_LIMIT,
        "proxies": proxy_check(applications, feature_names, gender_flagged),
        "protected_features_in_model": protected_features(feature_names),
    }


def protected_features(feature_names: list[str]) -> list[str]:
    """Model features derived from a protected attribute (should be none)."""
    return [name for name in feature_names for attribute in config.PROTECTED_ATTRIBUTES
            if name == attribute or name.startswith(f"{attribute}_")]


def write_fairness(folder: Path, report: dict) -> Path:
    path = Path(folder) / FAIRNESS_FILE
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return path
