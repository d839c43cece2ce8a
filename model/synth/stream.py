"""`python -m model synth --months M [--drift]`: a stream of applications over M months.

The Kaggle data has no dates, so monitoring over time needs a stream to be tested on. Each
client gets an `APPLICATION_DATE` (months of equal size, ids rising with time, a uniform day
within the month); the files are Kaggle's `application_test` (plus that column) and the six
history tables, so `python -m model score` reads the folder as it is. The labels are not in
the applications: `outcomes.csv` (`SK_ID_CURR, TARGET, observed_at`) holds each client's
default, observed `config.SYNTH_OUTCOME_DELAY_MONTHS` after the application, as a lender
learns them.

With `drift`, from month `SYNTH_DRIFT["start_month"]` the clients' latent traits move a little
more every month (lower external scores, more credit for the income): the columns, the history
and the planted default all follow, as in a population that really changed.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from model import config
from model.data.schema import HISTORY_TABLES
from model.progress import Progress
from model.synth.generate import (CHUNK_CLIENTS, FIRST_CLIENT_ID, FORMATS, _Chunker,
                                  arrow_schema, written_tables)

log = logging.getLogger(__name__)

APPLICATIONS = "application_test"
SOURCE = "application_train"  # generated with TARGET, which moves to the outcomes file
DATE_COLUMN = "APPLICATION_DATE"
OUTCOMES_FILE = "outcomes.csv"


def month_of_clients(n_clients: int, months: int) -> np.ndarray:
    """The month (0-based) of each client in id order: `months` blocks of (almost) equal size."""
    return (np.arange(n_clients) * months) // n_clients


def drift_shift(month: int, drift: dict = config.SYNTH_DRIFT) -> float:
    """The traits' shift (standard deviations, riskier) in a month (1-based): none before the
    start month, then `first_shift` growing by `monthly_step` a month (a gradual drift)."""
    if month < drift["start_month"]:
        return 0.0
    return drift["first_shift"] + drift["monthly_step"] * (month - drift["start_month"])


def _dates(months: np.ndarray, start: pd.Timestamp, rng: np.random.Generator) -> np.ndarray:
    """A uniform day within each client's month (dates as numpy datetime64[D])."""
    first = np.array([start + pd.DateOffset(months=int(m)) for m in range(months.max() + 1)],
                     dtype="datetime64[D]")
    length = np.array([(pd.Timestamp(d) + pd.DateOffset(months=1) - pd.Timestamp(d)).days
                       for d in first])
    day = np.floor(rng.random(len(months)) * length[months]).astype("timedelta64[D]")
    return first[months] + day


def generate_stream(n_clients: int, months: int, seed: int, out_dir: Path | str, *,
                    drift: bool = False, start: str = config.SYNTH_STREAM_START,
                    file_format: str = "parquet") -> dict[str, int]:
    """Write the stream's applications, history tables and `outcomes.csv` into `out_dir`;
    return the rows per file."""
    if n_clients < months or months < 1:
        raise ValueError(f"synth: --months must be at least 1 and --clients at least --months "
                         f"(got {n_clients} clients over {months} months)")
    if file_format not in FORMATS:
        raise ValueError(f"synth: unknown format {file_format!r} (choose from {', '.join(FORMATS)})")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    first_day = pd.Timestamp(start)
    ids = FIRST_CLIENT_ID + np.arange(n_clients, dtype=np.int64)
    month = month_of_clients(n_clients, months)
    dates = _dates(month, first_day, np.random.default_rng([seed, 99]))
    application_schema = arrow_schema(APPLICATIONS).append(pa.field(DATE_COLUMN, pa.date32()))
    schemas = {APPLICATIONS: application_schema,
               **{name: arrow_schema(name) for name in HISTORY_TABLES}}
    chunker = _Chunker(seed)
    progress = Progress("synth stream clients", n_clients, log)
    outcomes = []
    index = 0
    with written_tables(out_dir, file_format, schemas) as writers:
        for m in range(months):
            shift = drift_shift(m + 1) if drift else 0.0
            in_month = np.flatnonzero(month == m)
            for start_row in range(0, len(in_month), CHUNK_CLIENTS):
                rows = in_month[start_row:start_row + CHUNK_CLIENTS]
                traits = {t: np.full(len(rows), shift) for t in config.SYNTH_DRIFT["traits"]}
                tables = chunker.chunk(SOURCE, 2, index, ids[rows], shift=traits if shift else None)
                index += 1
                app = tables.pop(SOURCE)
                outcomes.append(pd.DataFrame({"SK_ID_CURR": ids[rows],
                                              "TARGET": app.column("TARGET").to_numpy(),
                                              DATE_COLUMN: dates[rows]}))
                app = app.drop_columns(["TARGET"]).append_column(
                    DATE_COLUMN, pa.array(dates[rows], type=pa.date32()))
                writers.write(APPLICATIONS, app.select(application_schema.names))
                for name, table in tables.items():
                    writers.write(name, table)
                progress.advance(len(rows))
    outcome_rows = _write_outcomes(pd.concat(outcomes, ignore_index=True), out_dir)
    rows = {**writers.rows, "outcomes": outcome_rows}
    log.info("synth stream: %s clients over %d months from %s%s in %s", f"{n_clients:,}", months,
             first_day.date(), f", drift from month {config.SYNTH_DRIFT['start_month']}"
             if drift else "", out_dir)
    return rows


def _write_outcomes(frame: pd.DataFrame, out_dir: Path) -> int:
    """Each client's label with the day it is learnt (application + the outcome delay)."""
    applied = pd.to_datetime(frame.pop(DATE_COLUMN))
    frame["observed_at"] = (applied + pd.DateOffset(months=config.SYNTH_OUTCOME_DELAY_MONTHS)).dt.date
    tmp = out_dir / f".{OUTCOMES_FILE}.tmp"
    frame.to_csv(tmp, index=False)
    os.replace(tmp, out_dir / OUTCOMES_FILE)
    return len(frame)

