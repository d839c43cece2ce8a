"""What every history-table feature module shares: fit on training clients, then aggregate.

A module subclasses `HistoryFeatures`, names its table, its column prefix and
its text columns, and implements `_plan` (the features, in order, with their
metadata) and `_compute` (the per-client frame holding exactly those columns).
The base class keeps the contract identical for every table: encodings come from
the rows of training clients only, the output columns never depend on the rows
transformed, and a table that is empty or absent yields the same columns with
no rows (the builder then gives counts 0 and statistics missing).
"""
from __future__ import annotations

import logging
from typing import ClassVar

import numpy as np
import pandas as pd

from model.data.schema import SCHEMAS
from model.features.aggregate import (
    COUNT, KEY, AggSpec, FeatureInfo, Groups, agg_name, count_info, numeric_infos,
    rows_of, share_infos,
)
from model.features.encoding import CategoryEncoder

log = logging.getLogger(__name__)

Tables = dict[str, pd.DataFrame]


def text_columns(table: str) -> list[str]:
    """Text (categorical) columns of a Kaggle table, in Kaggle's order."""
    return [c for c, kind in SCHEMAS[table].columns.items() if kind == "str"]


def check_columns(frame: pd.DataFrame, table: str, columns: list[str]) -> None:
    """Fail with the table and column names rather than a bare KeyError deep in pandas."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{table}: missing column(s) {', '.join(missing)}")


class HistoryFeatures:
    """Fitted per-client aggregates of one history table (subclass per table)."""

    table: ClassVar[str]
    prefix: ClassVar[str]
    encoded: ClassVar[tuple[str, ...]] = ()

    def __init__(self, min_category_count: int = 10) -> None:
        self.min_category_count = min_category_count

    # --- to implement -------------------------------------------------------
    def _plan(self) -> list[FeatureInfo]:
        raise NotImplementedError

    def _compute(self, rows: pd.DataFrame, tables: Tables) -> pd.DataFrame:
        """Per-client frame (index SK_ID_CURR) for non-empty rows of `self.table`."""
        raise NotImplementedError

    def _fit_more(self, rows: pd.DataFrame, tables: Tables) -> None:
        """Extra fitting for a module that reads a second table (bureau_balance)."""

    # --- shared -------------------------------------------------------------
    def fit(self, tables: Tables, train_ids: pd.Index) -> HistoryFeatures:
        """Learn category codes from the rows of training clients only."""
        frame = tables[self.table]
        check_columns(frame, self.table, [KEY, *self.encoded])
        rows = rows_of(frame, KEY, train_ids)
        self.encoder_ = CategoryEncoder(list(self.encoded), self.min_category_count).fit(rows)
        self._fit_more(rows, tables)
        self.features_ = self._plan()
        return self

    @property
    def feature_names_(self) -> list[str]:
        return [info.name for info in self.features_]

    @property
    def count_features_(self) -> list[str]:
        """Columns that are row counts: 0 for a client with no rows."""
        return [info.name for info in self.features_ if info.aggregation == "count"]

    def transform(self, tables: Tables, ids: pd.Index) -> pd.DataFrame:
        """Aggregates of the clients in `ids` that have rows (other clients: absent)."""
        frame = tables.get(self.table)
        if frame is None or len(frame) == 0:
            return pd.DataFrame(columns=self.feature_names_, index=pd.Index([], name=KEY),
                                dtype=np.float64)
        check_columns(frame, self.table, [KEY, *self.encoded])
        rows = rows_of(frame, KEY, ids)
        if len(rows) == 0:
            return pd.DataFrame(columns=self.feature_names_, index=pd.Index([], name=KEY),
                                dtype=np.float64)
        out = self._compute(rows, tables)
        return out[self.feature_names_]

    # --- helpers for subclasses --------------------------------------------
    def _overall_infos(self, spec: AggSpec) -> list[FeatureInfo]:
        """Statistics over all the client's rows, category shares, row count."""
        infos = numeric_infos(spec, self.prefix, self.table)
        infos += share_infos(self.encoder_, self.prefix, self.table)
        return infos + [count_info(self.prefix, self.table)]

    def _overall_frames(self, rows: pd.DataFrame, spec: AggSpec
                        ) -> tuple[Groups, list[pd.DataFrame]]:
        """The columns `_overall_infos` describes, and the grouping used for them."""
        groups = Groups(rows[KEY])
        overall = groups.numeric(rows, spec, self.prefix)
        overall[agg_name(self.prefix, "", "", COUNT)] = groups.size()
        return groups, [overall, groups.shares(rows, self.encoder_, self.prefix)]

    def _subset_infos(self, subsets: dict[str, str], spec: AggSpec) -> list[FeatureInfo]:
        """Metadata matching `_subset_frames` with the same arguments."""
        infos: list[FeatureInfo] = []
        for subset in subsets:
            infos += numeric_infos(spec, self.prefix, self.table, subset)
            infos.append(count_info(self.prefix, self.table, subset))
        return infos

    def _subset_frames(self, rows: pd.DataFrame, index: pd.Index, column: str,
                       subsets: dict[str, str], spec: AggSpec) -> list[pd.DataFrame]:
        """Statistics and counts over the rows whose `column` equals each subset's value."""
        frames = []
        for subset, value in subsets.items():
            part = rows.loc[(rows[column] == value).to_numpy()]
            groups = Groups(part[KEY])
            stats = groups.numeric(part, spec, self.prefix, subset)
            stats[agg_name(self.prefix, subset, "", COUNT)] = groups.size()
            frames.append(stats.reindex(index))
        return frames
