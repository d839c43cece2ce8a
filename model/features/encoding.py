"""Category encodings learned on training rows, and LightGBM-safe column names.

Each text column gets a fixed list of codes at fit time: one per category seen
often enough in the training rows, then a MISSING code (empty value or the
Kaggle "not available" marker `XNA`) and an OTHER code (categories that were
rare in training or never seen). Test rows or a new applicant can therefore
never create a new column, and an unknown value lands in a known bucket.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

# Kaggle's "not available" marker: treated as a missing value, not a category.
MISSING_MARKERS = frozenset({"XNA"})
# Double underscore once joined (`COL__MISSING`): no cleaned value can produce it.
MISSING_SUFFIX = "_MISSING"
OTHER_SUFFIX = "_OTHER"
_UNSAFE = re.compile(r"[^A-Za-z0-9]+")


def safe_name(value: object) -> str:
    """Turn a category value into characters LightGBM accepts (`[A-Za-z0-9_]`)."""
    cleaned = _UNSAFE.sub("_", str(value)).strip("_")
    return cleaned or "blank"


def _unique_suffixes(values: list[str]) -> list[str]:
    """Safe suffixes for values, numbered when two values clean to the same text."""
    seen: dict[str, int] = {}
    out = []
    for value in values:
        suffix = safe_name(value)
        if suffix in seen:
            seen[suffix] += 1
            suffix = f"{suffix}_{seen[suffix]}"
        else:
            seen[suffix] = 1
        out.append(suffix)
    return out


def as_category(series: pd.Series) -> pd.Series:
    """The column as a pandas categorical (raw what-if rows may hold plain strings)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series
    return series.astype("string").astype("category")


class CategoryEncoder:
    """Fitted code lists for some text columns of one table.

    `min_count`: categories with fewer training rows go to OTHER, so that a
    handful of rows never makes a column of its own.
    """

    def __init__(self, columns: list[str], min_count: int = 1) -> None:
        self.columns = list(columns)
        self.min_count = min_count

    def fit(self, frame: pd.DataFrame) -> CategoryEncoder:
        """Learn the categories of every column from the (training) rows given."""
        self.categories_: dict[str, list[str]] = {}
        self.suffixes_: dict[str, list[str]] = {}
        for column in self.columns:
            counts = as_category(frame[column]).value_counts(dropna=True)
            kept = sorted(
                str(value) for value, count in counts.items()
                if count >= self.min_count and str(value) not in MISSING_MARKERS
            )
            self.categories_[column] = kept
            self.suffixes_[column] = _unique_suffixes(kept) + [MISSING_SUFFIX, OTHER_SUFFIX]
        return self

    def n_codes(self, column: str) -> int:
        """Known categories + MISSING + OTHER."""
        return len(self.categories_[column]) + 2

    def value_labels(self, column: str) -> list[str]:
        """Human-readable value of each code (for the feature dictionary)."""
        return self.categories_[column] + ["(missing)", "(other)"]

    def codes(self, series: pd.Series, column: str) -> np.ndarray:
        """Code of every row: index of a known category, else MISSING or OTHER."""
        known = self.categories_[column]
        missing_code, other_code = len(known), len(known) + 1
        lookup = {value: i for i, value in enumerate(known)}
        series = as_category(series)
        per_category = np.array(
            [missing_code if str(v) in MISSING_MARKERS else lookup.get(str(v), other_code)
             for v in series.cat.categories] + [missing_code],
            dtype=np.int16,
        )
        # cat.codes is -1 for a missing value: index -1 picks the trailing MISSING entry.
        return per_category[series.cat.codes.to_numpy()]
