"""Row by row checks of a raw table: the batch job sets bad rows aside instead of stopping.

Training refuses a whole file at its first bad value (`model.data.loader`): a model must
not be fitted on rows nobody checked. A day's applications are different: one client's
mistyped income must not stop the other 48,000 from being scored. `split_bad_rows` keeps
the rows that pass the same checks as the loader and lists the others as problems (row,
column, problem), which the batch job writes beside its output.

Row numbers count the data rows of the file from 1 (the header is not a row): row 1 is the
second line of a CSV.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from model.data.loader import SchemaError
from model.data.schema import TableSchema

KEY = "SK_ID_CURR"
ROW = "_row"  # the row number carried with a row while it is split and scored
PROBLEM_COLUMNS = ("table", "row", KEY, "column", "problem")


def problems_frame(records: list[dict]) -> pd.DataFrame:
    """Problems as a frame with the error file's columns (an empty one when there are none)."""
    frame = pd.DataFrame(records, columns=list(PROBLEM_COLUMNS))
    return frame.astype({"table": "string", "row": "Int64", KEY: "Int64", "column": "string",
                         "problem": "string"})


def _client_ids(frame: pd.DataFrame) -> pd.Series:
    if KEY not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    ids = pd.to_numeric(frame[KEY], errors="coerce")
    return ids.where(ids == ids.round()).astype("Int64")


def _shown(value: object) -> str:
    text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= 40 else text[:37] + "..."


def split_bad_rows(frame: pd.DataFrame, schema: TableSchema, file_name: str
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows that pass, problems) of a raw chunk carrying its row numbers in `ROW`.

    Checked per row, as the loader checks per file: keys present, numbers in numeric
    columns, no negative amount where Kaggle has none, only allowed values. A missing
    column is a problem of the whole file: `SchemaError` naming it.
    """
    missing = [c for c in schema.column_names if c not in frame.columns]
    if missing:
        raise SchemaError(f"{file_name}: missing column(s) {', '.join(missing)} "
                          f"(table '{schema.name}' needs them)")
    ids = _client_ids(frame)
    records: list[dict] = []
    bad = np.zeros(len(frame), dtype=bool)

    def note(mask: np.ndarray, column: str, problem: object) -> None:
        """Record rows of `mask` as bad; `problem` is a text or a function of the value."""
        nonlocal bad
        for position in np.flatnonzero(mask & ~bad):
            text = problem(frame[column].iat[position]) if callable(problem) else problem
            records.append({"table": schema.name, "row": int(frame[ROW].iat[position]),
                            KEY: ids.iat[position], "column": column, "problem": text})
        bad |= mask

    numbers: dict[str, pd.Series] = {}
    for column, kind in schema.columns.items():
        if kind == "str":
            continue
        series = frame[column]
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        values = series if numeric else pd.to_numeric(series, errors="coerce")
        note((values.isna() & series.notna()).to_numpy(), column,
             lambda v: f"must be a number but holds {_shown(v)}")
        if column in schema.keys:
            note(series.isna().to_numpy(), column, "key column is empty")
            note((values != values.round()).fillna(False).to_numpy(), column,
                 lambda v: f"key must be a whole number but holds {_shown(v)}")
        numbers[column] = values
    for column in schema.non_negative:
        note((numbers[column] < 0).fillna(False).to_numpy(), column,
             lambda v: f"must not be negative but holds {_shown(v)}")
    for column, allowed in schema.allowed.items():
        note((numbers[column].notna() & ~numbers[column].isin(allowed)).to_numpy(), column,
             lambda v: f"must be one of {', '.join(map(str, allowed))} but holds {_shown(v)}")
    good = frame[~bad]
    for column, values in numbers.items():  # numbers as numbers (the bad texts are gone)
        if not pd.api.types.is_numeric_dtype(good[column]):
            good = good.assign(**{column: values[~bad]})
    return good, problems_frame(records)


def duplicated_clients(frame: pd.DataFrame, table: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows of clients given once, problems) of application rows: a client given twice is
    not scored at all, both rows are listed (which one is right, only the lender knows)."""
    repeated = frame[KEY].duplicated(keep=False).to_numpy()
    records = [{"table": table, "row": int(row), KEY: int(client), "column": KEY,
                "problem": "client given more than once in the file; none of its rows is scored"}
               for row, client in zip(frame[ROW][repeated], frame[KEY][repeated])]
    return frame[~repeated], problems_frame(records)
