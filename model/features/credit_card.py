"""Monthly balances of previous Home Credit credit cards: every amount and count, five statistics.

Adds BALANCE_LIMIT_RATIO (balance / credit limit: how much of the card is used),
missing when the limit is 0.
"""
from __future__ import annotations

import pandas as pd

from model.data.schema import SCHEMAS
from model.features.aggregate import AggSpec, FeatureInfo, safe_ratio
from model.features.history import HistoryFeatures, Tables, text_columns

TABLE = "credit_card_balance"
STATISTICS = ("min", "max", "mean", "sum", "var")
SPEC: AggSpec = {
    column: STATISTICS
    for column, kind in SCHEMAS[TABLE].columns.items()
    if kind != "str" and column not in ("SK_ID_PREV", "SK_ID_CURR")
} | {"BALANCE_LIMIT_RATIO": ("max", "mean")}


class CreditCardFeatures(HistoryFeatures):
    """Aggregates of credit_card_balance months."""

    table = TABLE
    prefix = "CC"
    encoded = tuple(text_columns(TABLE))

    def _plan(self) -> list[FeatureInfo]:
        return self._overall_infos(SPEC)

    def _compute(self, rows: pd.DataFrame, tables: Tables) -> pd.DataFrame:
        rows = rows.assign(BALANCE_LIMIT_RATIO=safe_ratio(rows["AMT_BALANCE"],
                                                          rows["AMT_CREDIT_LIMIT_ACTUAL"]))
        return pd.concat(self._overall_frames(rows, SPEC)[1], axis=1)
