"""Vectorised per-client aggregation shared by the history-table modules.

A history table has many rows per client. Its rows are grouped once
(`Groups`, one factorisation of the key) and every statistic is computed for
all clients at once with pandas' cython group-by or `np.bincount`: no Python
loop ever runs per client, which keeps the 58-million-row full data set within
minutes.

Names and metadata (`FeatureInfo`) are produced by the same functions that
name the computed columns, so the feature dictionary can never drift from the
columns actually built.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.features.encoding import CategoryEncoder

KEY = "SK_ID_CURR"
COUNT = "count"  # a number of history rows: 0, never missing, for a client without history
SHARE = "share"  # mean of a one-hot column: the share of rows holding one category
AggSpec = dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class FeatureInfo:
    """What one feature column is made of (used for the dictionary and SHAP groups)."""

    name: str
    source: str  # Kaggle table the values come from
    aggregation: str  # raw, flag, ratio, one_hot, count, share, min, max, mean, sum, var, nunique
    column: str = ""  # underlying (raw or derived) column
    subset: str = ""  # rows kept before aggregating: active, closed, approved, refused
    value: str = ""  # category value for one_hot and share features
    group: str = ""  # human-level group (one-hot columns share their text column's group)


def agg_name(prefix: str, subset: str, column: str, how: str) -> str:
    """`BURO_ACTIVE_AMT_CREDIT_SUM_MEAN`-style name (prefix, subset, column, statistic)."""
    return "_".join(part for part in (prefix, subset.upper(), column, how.upper()) if part)


def numeric_infos(spec: AggSpec, prefix: str, source: str, subset: str = "") -> list[FeatureInfo]:
    """Metadata of the columns `Groups.numeric` builds from the same spec."""
    return [
        FeatureInfo(agg_name(prefix, subset, column, how), source, how, column, subset,
                    group=f"{prefix}_{column}")
        for column, hows in spec.items() for how in hows
    ]


def count_info(prefix: str, source: str, subset: str = "", column: str = "") -> FeatureInfo:
    """Number of rows of the table (or of a subset of it) for the client."""
    return FeatureInfo(agg_name(prefix, subset, column, COUNT), source, COUNT, column, subset,
                       group=f"{prefix}_COUNT")


def share_infos(encoder: CategoryEncoder, prefix: str, source: str) -> list[FeatureInfo]:
    """Metadata of the category shares `Groups.shares` builds with this encoder."""
    return [
        FeatureInfo(f"{prefix}_{column}_{suffix}_MEAN", source, SHARE, column, value=value,
                    group=f"{prefix}_{column}")
        for column in encoder.columns
        for suffix, value in zip(encoder.suffixes_[column], encoder.value_labels(column))
    ]


def safe_ratio(numerator: pd.Series | np.ndarray, denominator: pd.Series | np.ndarray
               ) -> np.ndarray:
    """numerator / denominator, missing (not infinite) when the denominator is 0 or missing."""
    top = np.asarray(numerator, dtype=np.float64)
    bottom = np.asarray(denominator, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):  # the results are cleaned just below
        ratio = top / bottom
    ratio[~np.isfinite(ratio)] = np.nan
    return ratio


def rows_of(frame: pd.DataFrame, column: str, ids: pd.Index | np.ndarray) -> pd.DataFrame:
    """The rows whose `column` is in `ids` (the frame itself when all of them are)."""
    mask = frame[column].isin(ids)
    return frame if mask.all() else frame.loc[mask]


class Groups:
    """Rows grouped by a key column, factorised once for all the statistics."""

    def __init__(self, keys: pd.Series) -> None:
        codes, uniques = pd.factorize(keys.to_numpy(), sort=False)
        self.codes = codes.astype(np.int64)
        self.index = pd.Index(uniques, name=keys.name)

    @property
    def n(self) -> int:
        return len(self.index)

    def size(self) -> np.ndarray:
        """Number of rows of each group."""
        return np.bincount(self.codes, minlength=self.n).astype(np.float64)

    def sum_of(self, values: np.ndarray) -> np.ndarray:
        """Sum of one value per row over each group (values must not be missing)."""
        return np.bincount(self.codes, weights=values, minlength=self.n)

    def numeric(self, frame: pd.DataFrame, spec: AggSpec, prefix: str,
                subset: str = "") -> pd.DataFrame:
        """Statistics of numeric columns (float64 internally: sums of int8 never overflow)."""
        # One (columns x rows) block filled in place: pandas wraps its transpose without
        # the extra copy that building a frame from a dict of columns would make.
        block = np.empty((len(spec), len(frame)), dtype=np.float64)
        for i, column in enumerate(spec):
            block[i] = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
        values = pd.DataFrame(block.T, columns=list(spec), copy=False)
        grouped = values.groupby(self.codes, sort=True)
        out: dict[str, np.ndarray] = {}
        for column, hows in spec.items():
            series = grouped[column]
            for how in hows:
                if how == "sum":  # all-missing group: missing, not 0
                    result = series.sum(min_count=1)
                elif how == "var":
                    result = series.var(ddof=1)
                else:
                    result = getattr(series, how)()
                out[agg_name(prefix, subset, column, how)] = result.to_numpy(dtype=np.float64)
        return pd.DataFrame(out, index=self.index)

    def code_counts(self, codes: np.ndarray, n_codes: int) -> np.ndarray:
        """Matrix groups x codes: how many rows of each group hold each code."""
        flat = self.codes * n_codes + codes.astype(np.int64)
        counts = np.bincount(flat, minlength=self.n * n_codes)
        return counts.reshape(self.n, n_codes).astype(np.float64)

    def shares(self, frame: pd.DataFrame, encoder: CategoryEncoder, prefix: str
               ) -> pd.DataFrame:
        """Share of each group's rows holding each category (one-hot columns averaged)."""
        size = np.maximum(self.size(), 1.0)[:, None]
        out: dict[str, np.ndarray] = {}
        for column in encoder.columns:
            counts = self.code_counts(encoder.codes(frame[column], column),
                                      encoder.n_codes(column))
            matrix = counts / size
            for j, suffix in enumerate(encoder.suffixes_[column]):
                out[f"{prefix}_{column}_{suffix}_MEAN"] = matrix[:, j]
        return pd.DataFrame(out, index=self.index)
