"""Instalment payments on previous credits: how late or early, how much short.

Per payment row: DPD = days paid after the due date, DBD = days paid before it
(each 0 when the other applies, missing when the payment date is unknown),
PAYMENT_PERC = paid / owed (missing when nothing was owed), PAYMENT_DIFF =
owed - paid, and LATE = 1 when paid after the due date.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from model.features.aggregate import AggSpec, FeatureInfo, safe_ratio
from model.features.history import HistoryFeatures, Tables

SPEC: AggSpec = {
    "NUM_INSTALMENT_VERSION": ("nunique",),
    "DPD": ("max", "mean", "sum"),
    "DBD": ("max", "mean", "sum"),
    "LATE": ("mean", "sum"),
    "PAYMENT_PERC": ("max", "mean", "sum", "var"),
    "PAYMENT_DIFF": ("max", "mean", "sum", "var"),
    "AMT_INSTALMENT": ("max", "mean", "sum"),
    "AMT_PAYMENT": ("min", "max", "mean", "sum"),
    "DAYS_ENTRY_PAYMENT": ("max", "mean", "sum"),
}


def payment_columns(rows: pd.DataFrame) -> dict[str, np.ndarray]:
    """The derived per-payment columns DPD, DBD, LATE, PAYMENT_PERC and PAYMENT_DIFF."""
    delay = (rows["DAYS_ENTRY_PAYMENT"].to_numpy(np.float64, na_value=np.nan)
             - rows["DAYS_INSTALMENT"].to_numpy(np.float64, na_value=np.nan))
    owed = rows["AMT_INSTALMENT"].to_numpy(np.float64, na_value=np.nan)
    paid = rows["AMT_PAYMENT"].to_numpy(np.float64, na_value=np.nan)
    known = ~np.isnan(delay)
    return {
        "DPD": np.where(known, np.maximum(delay, 0.0), np.nan),
        "DBD": np.where(known, np.maximum(-delay, 0.0), np.nan),
        "LATE": np.where(known, (delay > 0).astype(np.float64), np.nan),
        "PAYMENT_PERC": safe_ratio(paid, owed),
        "PAYMENT_DIFF": owed - paid,
    }


class InstallmentsFeatures(HistoryFeatures):
    """Aggregates of installments_payments rows."""

    table = "installments_payments"
    prefix = "INSTAL"

    def _plan(self) -> list[FeatureInfo]:
        return self._overall_infos(SPEC)

    def _compute(self, rows: pd.DataFrame, tables: Tables) -> pd.DataFrame:
        rows = rows.assign(**payment_columns(rows))
        return pd.concat(self._overall_frames(rows, SPEC)[1], axis=1)
