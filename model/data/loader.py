"""Read and validate the Home Credit tables from a folder.

Each table may be a `.parquet`, `.csv`, `.csv.zip` or `.zip` file: a lender can
drop Kaggle's files as downloaded. Every table is checked against its declared
schema and shrunk (float32, smallest integers, categoricals) so that the full
58-million-row data set fits comfortably in memory.
"""
from __future__ import annotations

import logging
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from model.data.schema import SCHEMAS, TABLE_NAMES, TableSchema

log = logging.getLogger(__name__)

SUFFIXES = (".parquet", ".csv", ".csv.zip", ".zip")


class SchemaError(ValueError):
    """A table does not match what the pipeline needs; the message names file and column."""


def find_table_file(data_dir: Path, name: str) -> Path | None:
    """First file of the table in the folder, in the order of `SUFFIXES`."""
    for suffix in SUFFIXES:
        path = Path(data_dir) / f"{name}{suffix}"
        if path.is_file():
            return path
    return None


def _read_csv(path: Path, encoding: str) -> pd.DataFrame:
    try:
        return pd.read_csv(path, engine="pyarrow", encoding=encoding)
    except Exception:  # pyarrow is strict on odd CSVs; the C engine is the fallback
        return pd.read_csv(path, low_memory=False, encoding=encoding)


def _holds_bytes(frame: pd.DataFrame) -> bool:
    """pyarrow keeps text that is not UTF-8 as bytes (b'Family'): the file has another encoding."""
    for column in frame.columns:
        if frame[column].dtype == object:
            first = frame[column].dropna()
            if len(first) and isinstance(first.iloc[0], bytes):
                return True
    return False


def _read_raw(path: Path) -> pd.DataFrame:
    """The file as a DataFrame; CSVs in UTF-8, else (with a log line) in Latin-1, as Excel
    exports them in western Europe (Kaggle's files are ASCII, so both read them alike)."""
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    check_separator(path)
    try:
        frame = _read_csv(path, "utf-8")
        if not _holds_bytes(frame):
            return frame
    except UnicodeDecodeError:
        pass
    log.warning("%s: not UTF-8, read as Latin-1", path.name)
    return _read_csv(path, "latin-1")


def _header_line(path: Path) -> bytes:
    """The first line of a CSV, also inside a zip (Kaggle ships `name.csv` zipped)."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if not m.endswith("/")]
            with archive.open(members[0]) as handle:
                return handle.readline(64 * 1024)
    with open(path, "rb") as handle:
        return handle.readline(64 * 1024)


def check_separator(path: Path) -> None:
    """A CSV saved with ';' (French Excel) or tabs gets a message, not a tokenizer error."""
    try:
        header = _header_line(path)
    except (OSError, zipfile.BadZipFile, IndexError):
        return  # unreadable: pandas says why below
    if b"," in header:
        return
    for separator, shown in ((b";", "';'"), (b"\t", "tabs"), (b"|", "'|'")):
        if separator in header:
            raise SchemaError(f"{path.name}: columns are separated by {shown}, not by commas as in "
                              f"Kaggle's files (header starts {header[:60].decode('latin-1')!r})")


def _check_layout(frame: pd.DataFrame, schema: TableSchema, path: Path) -> None:
    """Refuse a required table without rows before naming missing columns."""
    if schema.required and len(frame) == 0:
        raise SchemaError(f"{path.name}: no rows (header only); table '{schema.name}' needs clients")


def _shrink_numeric(series: pd.Series, kind: str) -> pd.Series:
    if kind == "int" and pd.api.types.is_integer_dtype(series):
        return pd.to_numeric(series, downcast="integer")
    return series.astype(np.float32)


def _check_values(table: pd.DataFrame, schema: TableSchema, path: Path) -> None:
    """Values the Kaggle data never has: negative amounts, classes outside TARGET's 0/1."""
    for column in schema.non_negative:
        negative = table[column] < 0
        if negative.any():
            where = table.index[negative.to_numpy()]
            raise SchemaError(
                f"{path.name}: column {column} must not be negative but holds "
                f"{table[column][negative].iloc[0]:g} (row {where[0]}; {int(negative.sum())} of "
                f"{len(table)} rows negative)")
    for column, allowed in schema.allowed.items():
        bad = table[column].notna() & ~table[column].isin(allowed)
        if bad.any():
            raise SchemaError(
                f"{path.name}: column {column} must be one of {', '.join(map(str, allowed))} "
                f"but holds {table[column][bad].iloc[0].item()!r} (row {table.index[bad.to_numpy()][0]})")


def _check_and_shrink(frame: pd.DataFrame, schema: TableSchema, path: Path) -> pd.DataFrame:
    _check_layout(frame, schema, path)
    missing = [c for c in schema.column_names if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{path.name}: missing column(s) {', '.join(missing)} "
            f"(table '{schema.name}' needs them)"
        )
    out = {}
    for column, kind in schema.columns.items():
        series = frame[column]
        if kind == "str":
            out[column] = series.astype("category")
            continue
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            numbers = pd.to_numeric(series, errors="coerce")
            bad = series[numbers.isna() & series.notna()]
            example = bad.iloc[0] if len(bad) else series.dtype
            raise SchemaError(
                f"{path.name}: column {column} must be numeric ({kind}) "
                f"but holds {example!r} (row {bad.index[0] if len(bad) else '?'})"
            )
        out[column] = _shrink_numeric(series, kind)
    # Columns beyond the schema are dropped; the pipeline never relies on them.
    result = pd.DataFrame(out, index=frame.index)
    for key in schema.keys:
        if result[key].isna().any():
            raise SchemaError(f"{path.name}: key column {key} has missing values")
    _check_values(result, schema, path)
    if schema.unique_key and schema.name.startswith("application"):
        duplicated = result[schema.unique_key].duplicated(keep=False)
        if duplicated.any():
            ids = result.loc[duplicated, schema.unique_key].unique()[:5].tolist()
            raise SchemaError(
                f"{path.name}: column {schema.unique_key} has duplicated values, e.g. {ids}"
            )
    return result


def check_table(frame: pd.DataFrame, name: str, source: Path | str) -> pd.DataFrame:
    """Rows already read (a batch partition) checked and shrunk as `load_table` does."""
    return _check_and_shrink(frame, SCHEMAS[name], Path(source))


def load_table(data_dir: Path | str, name: str) -> pd.DataFrame:
    """Load one table, validated and shrunk; raise `SchemaError` naming the file at fault."""
    path = find_table_file(Path(data_dir), name)
    if path is None:
        tried = ", ".join(f"{name}{s}" for s in SUFFIXES)
        raise SchemaError(f"{name}: no file found in {data_dir} (looked for {tried})")
    return load_table_file(path, name)


def load_table_file(path: Path | str, name: str) -> pd.DataFrame:
    """Load a file of any name as table `name` (e.g. a month's new applications to check for drift)."""
    path = Path(path)
    if not path.is_file():
        raise SchemaError(f"{path}: file not found (expected table '{name}')")
    schema = SCHEMAS[name]
    started = time.perf_counter()
    try:
        raw = _read_raw(path)
    except SchemaError:
        raise
    except Exception as error:
        raise SchemaError(f"{path.name}: cannot be read ({error})") from error
    table = _check_and_shrink(raw, schema, path)
    log.info(
        "loaded %s: %d rows, %d columns, %.0f MB in %.1f s",
        path.name, len(table), table.shape[1],
        table.memory_usage(deep=True).sum() / 2**20, time.perf_counter() - started,
    )
    return table


def load_tables(
    data_dir: Path | str, names: tuple[str, ...] = TABLE_NAMES
) -> dict[str, pd.DataFrame]:
    """Load the tables asked for; optional ones that are absent are skipped and logged."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise SchemaError(f"data folder {data_dir} does not exist")
    tables: dict[str, pd.DataFrame] = {}
    for name in names:
        if not SCHEMAS[name].required and find_table_file(data_dir, name) is None:
            log.warning("%s: no file in %s, going on without this table", name, data_dir)
            continue
        tables[name] = load_table(data_dir, name)
    return tables


def has_tables(data_dir: Path | str) -> bool:
    """Whether the folder holds at least the required application files."""
    return all(
        find_table_file(Path(data_dir), name) is not None
        for name, schema in SCHEMAS.items()
        if schema.required
    )
