"""Credit-bureau features: other lenders' credits (bureau) and their monthly statuses.

Each bureau credit first gets a summary of its monthly statuses (months on
record, share and number of months in each status: on time, 1-30 days late,
..., closed). Credits are then aggregated per client over all credits, over
active credits and over closed credits, as in the "LightGBM with simple
features" Kaggle kernel.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from model.features.aggregate import (
    COUNT, AggSpec, FeatureInfo, Groups, agg_name, count_info, rows_of, safe_ratio,
)
from model.features.encoding import CategoryEncoder
from model.features.history import HistoryFeatures, Tables, check_columns, text_columns

BALANCE = "bureau_balance"
CREDIT_KEY = "SK_ID_BUREAU"
SUBSETS = {"active": "Active", "closed": "Closed"}

SPEC: AggSpec = {
    "DAYS_CREDIT": ("min", "max", "mean", "var"),
    "DAYS_CREDIT_ENDDATE": ("min", "max", "mean"),
    "DAYS_CREDIT_UPDATE": ("mean",),
    "CREDIT_DAY_OVERDUE": ("max", "mean"),
    "AMT_CREDIT_MAX_OVERDUE": ("max", "mean"),
    "AMT_CREDIT_SUM": ("max", "mean", "sum"),
    "AMT_CREDIT_SUM_DEBT": ("max", "mean", "sum"),
    "AMT_CREDIT_SUM_OVERDUE": ("max", "mean"),
    "AMT_CREDIT_SUM_LIMIT": ("mean", "sum"),
    "AMT_ANNUITY": ("max", "mean"),
    "CNT_CREDIT_PROLONG": ("sum",),
    "DEBT_CREDIT_RATIO": ("max", "mean"),  # derived: debt still owed / credit amount
}
# Per-credit summaries of bureau_balance, aggregated like the bureau columns.
BALANCE_SPEC: AggSpec = {
    "BB_MONTHS_MIN": ("min",),
    "BB_MONTHS_MAX": ("max",),
    "BB_MONTHS_COUNT": ("mean",),
}


class BureauFeatures(HistoryFeatures):
    """Aggregates of bureau credits (and of their monthly statuses when bureau_balance is given)."""

    table = "bureau"
    prefix = "BURO"
    encoded = tuple(text_columns("bureau"))

    def _fit_more(self, rows: pd.DataFrame, tables: Tables) -> None:
        balance = tables.get(BALANCE)
        self.uses_balance_ = balance is not None
        if self.uses_balance_:
            check_columns(balance, BALANCE, [CREDIT_KEY, "MONTHS_BALANCE", "STATUS"])
            train_rows = rows_of(balance, CREDIT_KEY, rows[CREDIT_KEY].unique())
            self.status_encoder_ = CategoryEncoder(["STATUS"], self.min_category_count)
            self.status_encoder_.fit(train_rows)

    def _status_columns(self) -> list[tuple[str, str]]:
        """(suffix, value) of each monthly status code."""
        encoder = self.status_encoder_
        return list(zip(encoder.suffixes_["STATUS"], encoder.value_labels("STATUS")))

    def _spec(self) -> AggSpec:
        return {**SPEC, **BALANCE_SPEC} if self.uses_balance_ else SPEC

    def _plan(self) -> list[FeatureInfo]:
        infos = self._overall_infos(self._spec())
        if self.uses_balance_:
            infos.append(count_info(self.prefix, BALANCE, column="BB_MONTHS"))
            for suffix, value in self._status_columns():
                share = f"BB_STATUS_{suffix}_SHARE"
                infos.append(FeatureInfo(agg_name(self.prefix, "", share, "mean"), BALANCE,
                                         "mean", share, value=value,
                                         group=f"{self.prefix}_BB_STATUS"))
                infos.append(FeatureInfo(agg_name(self.prefix, "", f"BB_STATUS_{suffix}", COUNT),
                                         BALANCE, COUNT, "BB_STATUS", value=value,
                                         group=f"{self.prefix}_BB_STATUS"))
        return infos + self._subset_infos(SUBSETS, self._spec())

    def _credit_balances(self, rows: pd.DataFrame, tables: Tables
                         ) -> tuple[pd.DataFrame, np.ndarray]:
        """Per bureau row: months summary columns, and months in each status (rows x codes)."""
        n_codes = self.status_encoder_.n_codes("STATUS")
        balance = tables.get(BALANCE)
        if balance is None or len(balance) == 0:
            balance = pd.DataFrame({CREDIT_KEY: pd.Series([], dtype=np.int64),
                                    "MONTHS_BALANCE": pd.Series([], dtype=np.float64),
                                    "STATUS": pd.Series([], dtype="category")})
        check_columns(balance, BALANCE, [CREDIT_KEY, "MONTHS_BALANCE", "STATUS"])
        balance = rows_of(balance, CREDIT_KEY, rows[CREDIT_KEY].unique())
        credits = Groups(balance[CREDIT_KEY])
        months = credits.numeric(balance, {"MONTHS_BALANCE": ("min", "max")}, "BB")
        status = credits.code_counts(self.status_encoder_.codes(balance["STATUS"], "STATUS"),
                                     n_codes)
        where = credits.index.get_indexer(rows[CREDIT_KEY].to_numpy())
        found = where >= 0
        summary = pd.DataFrame(index=rows.index)
        for column, statistic in (("BB_MONTHS_MIN", "BB_MONTHS_BALANCE_MIN"),
                                  ("BB_MONTHS_MAX", "BB_MONTHS_BALANCE_MAX")):
            values = np.full(len(rows), np.nan)
            values[found] = months[statistic].to_numpy()[where[found]]
            summary[column] = values
        per_row_status = np.zeros((len(rows), n_codes))
        per_row_status[found] = status[where[found]]
        summary["BB_MONTHS_COUNT"] = per_row_status.sum(axis=1)
        return summary, per_row_status

    def _compute(self, rows: pd.DataFrame, tables: Tables) -> pd.DataFrame:
        rows = rows.assign(DEBT_CREDIT_RATIO=safe_ratio(rows["AMT_CREDIT_SUM_DEBT"],
                                                        rows["AMT_CREDIT_SUM"]))
        status = None
        if self.uses_balance_:
            summary, status = self._credit_balances(rows, tables)
            rows = pd.concat([rows, summary], axis=1)
        groups, frames = self._overall_frames(rows, self._spec())
        if status is not None:
            frames.append(self._status_frame(groups, rows["BB_MONTHS_COUNT"].to_numpy(), status))
        frames += self._subset_frames(rows, groups.index, "CREDIT_ACTIVE", SUBSETS, self._spec())
        return pd.concat(frames, axis=1)

    def _status_frame(self, groups: Groups, months: np.ndarray, status: np.ndarray
                      ) -> pd.DataFrame:
        """Per client: mean over credits of each status share, months in each status."""
        shares = safe_ratio(status, months[:, None])  # credits with no month: missing
        out: dict[str, np.ndarray] = {
            agg_name(self.prefix, "", "BB_MONTHS", COUNT): groups.sum_of(months)
        }
        for j, (suffix, _) in enumerate(self._status_columns()):
            share = shares[:, j]
            known = ~np.isnan(share)
            total = groups.sum_of(np.where(known, share, 0.0))
            n_known = groups.sum_of(known.astype(np.float64))
            out[agg_name(self.prefix, "", f"BB_STATUS_{suffix}_SHARE", "mean")] = safe_ratio(
                total, n_known)
            out[agg_name(self.prefix, "", f"BB_STATUS_{suffix}", COUNT)] = groups.sum_of(
                status[:, j])
        return pd.DataFrame(out, index=groups.index)
