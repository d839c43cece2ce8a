"""Previous Home Credit applications: amounts, decisions and terms, overall, approved and refused.

The "no date" code 365243 of the DAYS_* columns becomes missing, and
APP_CREDIT_PERC (amount asked / amount granted) is missing rather than
infinite when nothing was granted (AMT_CREDIT = 0 in about a fifth of rows).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from model import config
from model.features.aggregate import AggSpec, FeatureInfo, safe_ratio
from model.features.history import HistoryFeatures, Tables, text_columns

NO_DATE = config.DAYS_NO_VALUE
DATE_COLUMNS = ("DAYS_FIRST_DRAWING", "DAYS_FIRST_DUE", "DAYS_LAST_DUE_1ST_VERSION",
                "DAYS_LAST_DUE", "DAYS_TERMINATION")
SUBSETS = {"approved": "Approved", "refused": "Refused"}

SPEC: AggSpec = {
    "AMT_ANNUITY": ("min", "max", "mean"),
    "AMT_APPLICATION": ("min", "max", "mean"),
    "AMT_CREDIT": ("min", "max", "mean"),
    "APP_CREDIT_PERC": ("min", "max", "mean", "var"),  # derived: asked / granted
    "AMT_DOWN_PAYMENT": ("min", "max", "mean"),
    "AMT_GOODS_PRICE": ("min", "max", "mean"),
    "HOUR_APPR_PROCESS_START": ("min", "max", "mean"),
    "RATE_DOWN_PAYMENT": ("min", "max", "mean"),
    "DAYS_DECISION": ("min", "max", "mean"),
    "CNT_PAYMENT": ("mean", "sum"),
    "DAYS_FIRST_DUE": ("min", "max"),
    "DAYS_LAST_DUE_1ST_VERSION": ("min", "max", "mean"),
    "DAYS_TERMINATION": ("max",),
}


class PreviousFeatures(HistoryFeatures):
    """Aggregates of previous applications to Home Credit."""

    table = "previous_application"
    prefix = "PREV"
    encoded = tuple(text_columns("previous_application"))

    def _plan(self) -> list[FeatureInfo]:
        return self._overall_infos(SPEC) + self._subset_infos(SUBSETS, SPEC)

    def _compute(self, rows: pd.DataFrame, tables: Tables) -> pd.DataFrame:
        dates = {c: rows[c].where(rows[c] != NO_DATE).astype(np.float64) for c in DATE_COLUMNS}
        rows = rows.assign(**dates, APP_CREDIT_PERC=safe_ratio(rows["AMT_APPLICATION"],
                                                               rows["AMT_CREDIT"]))
        groups, frames = self._overall_frames(rows, SPEC)
        frames += self._subset_frames(rows, groups.index, "NAME_CONTRACT_STATUS", SUBSETS, SPEC)
        return pd.concat(frames, axis=1)
