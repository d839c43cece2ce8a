"""Application dates of a batch: the period each score belongs to (monitoring, issue 22).

A batch file may carry each application's date (`APPLICATION_DATE`, or the column named by
`--date-column`); without one, every client is dated the scoring day. The dates are read and
checked before any scoring (a bad date stops the run with the file, column and client named)
and added to the output as `application_date` once it is written. Kept apart from the
scoring itself: the scorer never sees the date, so it cannot change a decision.
"""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from model import config
from model.data.rows import KEY

OUTPUT_COLUMN = "application_date"


def _columns_of(path: Path) -> list[str]:
    if path.suffix == ".parquet":
        return pq.read_schema(path).names
    return list(_read_csv(path, nrows=0).columns)


def _read_csv(path: Path, **options) -> pd.DataFrame:
    try:
        return pd.read_csv(path, encoding="utf-8", **options)
    except UnicodeDecodeError:
        return pd.read_csv(path, encoding="latin-1", **options)


def read_application_dates(path: Path | str, column: str | None = None) -> pd.Series | None:
    """Each client's application date (index SK_ID_CURR), or None when the file has no date
    column and none was asked for (the scoring day is used).

    Raises ValueError naming the file, the column and a client when `column` was asked for
    and is missing, or when a date cannot be read.
    """
    path = Path(path)
    wanted = column or config.APPLICATION_DATE_COLUMN
    if wanted not in _columns_of(path):
        if column is not None:
            raise ValueError(f"{path.name}: no date column {column!r} (--date-column)")
        return None
    if path.suffix == ".parquet":
        frame = pq.read_table(path, columns=[KEY, wanted]).to_pandas()
    else:
        frame = _read_csv(path, usecols=[KEY, wanted], dtype={wanted: "string"})
    dates = parse_dates(frame, wanted, path.name)
    return pd.Series(dates.dt.date.to_numpy(), index=frame[KEY].to_numpy(), name=OUTPUT_COLUMN)


def parse_dates(frame: pd.DataFrame, column: str, source: str) -> pd.Series:
    """`frame[column]` as timestamps (UTC, naive); a value that is not a date raises
    ValueError naming `source`, the column, the value and its client."""
    dates = pd.to_datetime(frame[column], errors="coerce", format="mixed", utc=True)
    bad = dates.isna()
    if bad.any():
        first = frame.loc[bad].iloc[0]
        raise ValueError(f"{source}: column {column} holds {first[column]!r}, not a date "
                         f"(client {first.get(KEY)}; {int(bad.sum())} of {len(frame)} rows)")
    return dates.dt.tz_localize(None)


def add_application_dates(out: Path, file_format: str, dates: pd.Series | None,
                          scoring_day: date) -> None:
    """Add `application_date` to the written output (its file replaced whole, atomically)."""
    frame = (pd.read_parquet(out) if file_format == "parquet" else pd.read_csv(out))
    if dates is None:
        frame[OUTPUT_COLUMN] = scoring_day
    else:
        frame[OUTPUT_COLUMN] = frame[KEY].map(dates)
    temporary = out.with_name(f".{out.name}.dates-{os.getpid()}")
    try:
        if file_format == "parquet":
            table = pa.Table.from_pandas(frame, preserve_index=False)
            index = table.schema.get_field_index(OUTPUT_COLUMN)
            table = table.set_column(index, pa.field(OUTPUT_COLUMN, pa.date32()),
                                     pa.array(frame[OUTPUT_COLUMN], type=pa.date32()))
            pq.write_table(table, temporary)
        else:
            frame.to_csv(temporary, index=False)
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)
