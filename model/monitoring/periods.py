"""One monitoring entry per period: stability, rates, maturity and, once matured, the back-test.

Input frames (built by `model.monitoring.sources`):
- scores: one row per client scored, `SK_ID_CURR`, `probability`, `application_date`, and
  when known `recommendation` (granted / refused / review), `final_decision`, `override`
  (the decision log), `no_history` (bool);
- inputs: the model's most influential inputs per client (index SK_ID_CURR), optional;
- outcomes: `SK_ID_CURR`, `TARGET`, `observed_at`, optional.
Everything is pure: the same frames give the same entries.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from model import config
from model.monitoring.backtest import backtest
from model.monitoring.psi import PopulationStability, band

SCORE = "score"  # the name of the predicted probability among the monitored inputs
PERIODS = {"month": "M", "quarter": "Q", "week": "W"}
STATUS_ORDER = ("stable", "watch", "drift")


def period_labels(dates: pd.Series, period: str = "month") -> pd.Series:
    """"2025-01" (month), "2025Q1" (quarter) or "2025-01-06/2025-01-12" (week) per date."""
    if period not in PERIODS:
        raise ValueError(f"monitor: unknown --period {period!r} (choose from {', '.join(PERIODS)})")
    return pd.to_datetime(dates).dt.to_period(PERIODS[period]).astype(str)


def maturity(label: str, period: str, as_of: date,
             months: int = config.OUTCOME_MATURITY_MONTHS) -> dict[str, Any]:
    """When a period's outcomes have matured: `months` after its last day."""
    last_day = pd.Period(label, freq=PERIODS[period]).end_time.normalize()
    matures_on = (last_day + pd.DateOffset(months=months)).date()
    return {"matured": as_of >= matures_on, "matures_on": matures_on.isoformat(),
            "months": months}


def _rate(values: pd.Series | None, wanted: str | None = None) -> float | None:
    if values is None:
        return None
    known = values.dropna()
    if known.empty:
        return None
    return float((known == wanted).mean() if wanted is not None else known.astype(bool).mean())


def status_of(alerts: list[dict[str, Any]]) -> str:
    """The worst band among the alerts ("stable" without any)."""
    return max((a["band"] for a in alerts), key=STATUS_ORDER.index, default="stable")


def period_entry(label: str, scores: pd.DataFrame, stability: PopulationStability,
                 inputs: pd.DataFrame | None, outcomes: pd.DataFrame | None,
                 period: str, as_of: date) -> dict[str, Any]:
    """Everything the summary says about one period (see the module docstring)."""
    ids = scores["SK_ID_CURR"].to_numpy()
    current = pd.DataFrame({SCORE: scores["probability"].to_numpy(np.float64)})
    if inputs is not None:
        rows = inputs.reindex(ids)
        current = pd.concat([current, rows.reset_index(drop=True)], axis=1)
    judged = len(scores) >= config.MONITOR_MIN_CLIENTS
    psi = stability.transform(current)
    alerts = [{"input": name, "metric": "psi", "value": value, "band": band(value)}
              for name, value in psi.items() if judged and band(value) != "stable"]
    alerts.sort(key=lambda a: -a["value"])
    matured = maturity(label, period, as_of)
    entry: dict[str, Any] = {
        "period": label, "clients": int(len(scores)),
        "first_date": str(min(scores["application_date"])),
        "last_date": str(max(scores["application_date"])),
        "status": status_of(alerts), "judged": judged, "alerts": alerts,
        "psi": {"score": psi.get(SCORE), "inputs": {k: v for k, v in psi.items() if k != SCORE}},
        "predicted_rate": float(scores["probability"].mean()),
        "approval_rate": _rate(scores.get("recommendation"), "granted"),
        "final_approval_rate": _rate(scores.get("final_decision"), "granted"),
        "override_rate": _rate(scores.get("override")),
        "share_without_history": _rate(scores.get("no_history")),
        "maturity": matured, "backtest": None,
    }
    if outcomes is not None:
        known = outcomes[outcomes["observed_at"] <= pd.Timestamp(as_of)]
        labelled = scores.merge(known[["SK_ID_CURR", "TARGET"]], on="SK_ID_CURR", how="inner")
        entry["maturity"]["outcomes"] = int(len(labelled))
        entry["maturity"]["coverage"] = len(labelled) / len(scores) if len(scores) else 0.0
        if matured["matured"] and len(labelled):
            entry["backtest"] = backtest(labelled["probability"].to_numpy(),
                                         labelled["TARGET"].to_numpy())
    return entry


def monitor_periods(scores: pd.DataFrame, stability: PopulationStability, *,
                    inputs: pd.DataFrame | None = None, outcomes: pd.DataFrame | None = None,
                    period: str = "month", as_of: date | None = None) -> list[dict[str, Any]]:
    """One entry per period of the scores, oldest first. `as_of` (default: the latest
    application date) decides which periods have matured and which outcomes are known."""
    if scores.empty:
        raise ValueError("monitor: no scores to monitor")
    labels = period_labels(scores["application_date"], period)
    as_of = as_of or max(pd.to_datetime(scores["application_date"])).date()
    if outcomes is not None:
        outcomes = outcomes.assign(observed_at=pd.to_datetime(outcomes["observed_at"]))
    return [period_entry(label, group, stability, inputs, outcomes, period, as_of)
            for label, group in scores.groupby(labels, sort=True)]
