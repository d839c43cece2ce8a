"""Monthly balances of previous POS (point of sale) and cash loans: delays and instalments left."""
from __future__ import annotations

import pandas as pd

from model.features.aggregate import AggSpec, FeatureInfo
from model.features.history import HistoryFeatures, Tables, text_columns

SPEC: AggSpec = {
    "MONTHS_BALANCE": ("max", "mean"),
    "SK_DPD": ("max", "mean"),
    "SK_DPD_DEF": ("max", "mean"),
    "CNT_INSTALMENT": ("max", "mean"),
    "CNT_INSTALMENT_FUTURE": ("min", "mean"),
}


class PosCashFeatures(HistoryFeatures):
    """Aggregates of POS_CASH_balance months."""

    table = "POS_CASH_balance"
    prefix = "POS"
    encoded = tuple(text_columns("POS_CASH_balance"))

    def _plan(self) -> list[FeatureInfo]:
        return self._overall_infos(SPEC)

    def _compute(self, rows: pd.DataFrame, tables: Tables) -> pd.DataFrame:
        return pd.concat(self._overall_frames(rows, SPEC)[1], axis=1)
