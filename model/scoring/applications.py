"""Raw application rows as the scorer takes them: typed like the stored ones, filled like a
typical applicant.

A form or an API sends a handful of fields; the fitted builder expects a whole application
row with the stored dtypes (a category stays a category, so an unseen value reaches the
builder's `__OTHER` bucket instead of becoming NaN). These pure functions make such rows.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

KEY = "SK_ID_CURR"


def as_category(values: object, like: pd.Series) -> pd.Categorical:
    """Values as a categorical of the stored column; a value the stored rows never had is
    added as a category (not turned into NaN), so the fitted builder maps it to `__OTHER`."""
    values = list(values)
    categories = like.cat.categories
    codes = categories.get_indexer(values)
    if all(code >= 0 or pd.isna(value) for code, value in zip(codes, values)):
        # every value known: the stored dtype as is (a third of the time of a new applicant's
        # row went into building each field's categorical anew)
        return pd.Categorical.from_codes(codes, dtype=like.dtype)
    values = pd.Series(values, dtype=object)
    unseen = [v for v in values.dropna().unique() if v not in categories]
    return pd.Categorical(values, categories=categories.append(pd.Index(unseen)) if unseen else categories)


def with_column_dtypes(frame: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    """Give rows the categorical dtypes of the stored applications, in place."""
    for column in frame.columns:
        if column in like.columns and isinstance(like[column].dtype, pd.CategoricalDtype):
            frame[column] = as_category(frame[column], like[column])
    return frame


def with_values(app: pd.DataFrame, values: Mapping[str, object]) -> pd.DataFrame:
    """A copy of a one-row typed application with raw column values written over it."""
    return with_values_many(app, [values])


def with_values_many(app: pd.DataFrame, rows: Sequence[Mapping[str, object]]) -> pd.DataFrame:
    """One copy of a one-row typed application per mapping, each with its raw column values
    written over it, built column by column (a batch of 1,000 applicants in one pass)."""
    out = app.iloc[np.zeros(len(rows), dtype=np.intp)]  # keeps the row's index (a stored id)
    given = dict.fromkeys(column for values in rows for column in values)
    for column in given:
        if column in app.columns:
            stored = app[column].iloc[0]
            column_values = [values.get(column, stored) for values in rows]
        else:  # a column the typical row lacks: missing where not given
            column_values = [values.get(column) for values in rows]
        if column in app.columns and isinstance(app[column].dtype, pd.CategoricalDtype):
            out[column] = as_category(column_values, app[column])
        elif column in app.columns and pd.api.types.is_numeric_dtype(app[column]):
            out[column] = np.asarray(column_values, dtype=np.float64)
        else:
            out[column] = column_values
    return out


def typical_application(applications: pd.DataFrame, train_ids: pd.Index) -> pd.DataFrame:
    """A one-row 'typical applicant': training medians and most frequent categories.

    Fills the application fields a new-applicant form does not ask for; a statistic of
    stored rows, nothing fitted. `applications` is indexed by SK_ID_CURR.
    """
    train = applications.loc[applications.index.intersection(train_ids)]
    values: dict[str, object] = {}
    for column in applications.columns:
        series = train[column]
        if isinstance(series.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(series):
            mode = series.mode(dropna=True)
            values[column] = mode.iloc[0] if len(mode) else None
        else:
            values[column] = float(series.median()) if series.notna().any() else np.nan
    return with_column_dtypes(pd.DataFrame([values]), applications)
