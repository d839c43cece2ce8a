"""Turn an Evidently drift snapshot into a compact JSON summary a dashboard can read.

The Evidently HTML page is heavy (tens of MB on hundreds of columns); the app and
the risk manager mostly need, per column, "did it drift, by which test, how much,
and what do the two distributions look like". That is what this module keeps.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

# Evidently's drift tests whose score is a p-value (drift when score < threshold);
# every other method is a distance (drift when score >= threshold).
P_VALUE_MARKER = "p_value"
TOP_CATEGORIES = 5


def is_categorical(series: pd.Series) -> bool:
    """Text and category columns are summarised by their frequent values, others by moments."""
    return not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def _number(value: Any) -> float | None:
    """A JSON-safe float: NaN and infinities become null."""
    value = float(value)
    return value if math.isfinite(value) else None


def column_statistics(series: pd.Series) -> dict[str, Any]:
    """Summary of one column: missing share plus moments (numbers) or top values (categories)."""
    stats: dict[str, Any] = {
        "rows": int(len(series)),
        "missing_share": _number(series.isna().mean()) if len(series) else None,
    }
    if is_categorical(series):
        shares = series.astype("object").value_counts(normalize=True, dropna=True)
        stats["n_categories"] = int(len(shares))
        stats["top_categories"] = {
            str(k): _number(v) for k, v in shares.head(TOP_CATEGORIES).items()
        }
        return stats
    values = pd.to_numeric(series, errors="coerce").astype(np.float64)
    values = values[np.isfinite(values)]
    stats.update(
        mean=_number(values.mean()) if len(values) else None,
        std=_number(values.std()) if len(values) > 1 else None,
        median=_number(values.median()) if len(values) else None,
        min=_number(values.min()) if len(values) else None,
        max=_number(values.max()) if len(values) else None,
    )
    return stats


def drift_detected(method: str, score: float, threshold: float) -> bool:
    """Evidently's rule: a p-value below the threshold, or a distance at or above it."""
    if P_VALUE_MARKER in method:
        return score < threshold
    return score >= threshold


def severity(method: str, score: float, threshold: float) -> float:
    """How far past its own threshold a column is (>= 1 means drift), comparable across tests."""
    if P_VALUE_MARKER in method:
        return threshold / max(score, 1e-300)
    return score / threshold if threshold > 0 else math.inf


def parse_snapshot(snapshot: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per column: method, threshold, score and drift flag from `Snapshot.dict()`.

    The flag comes from Evidently's own test result (status FAIL = drift) when the
    report ran with tests, and from the same rule otherwise.
    """
    failed = {
        test["metric_config"]["metric_id"]: test["status"] == "FAIL"
        for test in snapshot.get("tests", [])
        if test.get("id") == "drift"
    }
    columns: dict[str, dict[str, Any]] = {}
    for metric in snapshot["metrics"]:
        config = metric["config"]
        if not config.get("type", "").endswith(":ValueDrift"):
            continue
        method, threshold, score = config["method"], float(config["threshold"]), float(metric["value"])
        detected = failed.get(metric["id"], drift_detected(method, score, threshold))
        columns[config["column"]] = {
            "drift_detected": bool(detected),
            "method": method,
            "threshold": threshold,
            "score": _number(score),
            "severity": _number(min(severity(method, score, threshold), 1e6)),
        }
    return columns


def summary_table(summary: dict[str, Any]) -> pd.DataFrame:
    """The per-column part of a summary as a flat table (column, role, drift, test, score, stats)."""
    rows = []
    for entry in summary["columns"]:
        row = {k: v for k, v in entry.items() if k not in ("reference", "current")}
        for side in ("reference", "current"):
            for key in ("mean", "std", "missing_share"):
                row[f"{side}_{key}"] = entry[side].get(key)
        rows.append(row)
    return pd.DataFrame(rows)
