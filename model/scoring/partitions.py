"""Raw input tables split by client: every row of a client in the same partition file.

The batch job never holds a whole table. The driver streams each input file in chunks
(`table_chunks`), sets bad rows aside (`model.data.rows`), and appends every good row to the
partition of its client, `SK_ID_CURR % parts` (bureau_balance rows follow their bureau
credit's client). A worker then reads one partition (`read_part`) and has all it needs to
build its clients' features: the history aggregates are per client, so scoring partition by
partition gives exactly the features of the whole file. Memory: the driver holds one chunk
and the ids of the applications (8 bytes a client); a worker one partition.

Partition files are parquet with a fixed schema per table (text as text, keys as int64,
other numbers as float64/float32), so chunks whose types pandas guessed differently still
append to one file; `read_part` gives the loader's dtypes back.
"""
from __future__ import annotations

import logging
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from model.data.loader import SchemaError, check_separator, check_table, find_table_file
from model.data.rows import KEY, ROW, duplicated_clients, problems_frame, split_bad_rows
from model.data.schema import HISTORY_TABLES, SCHEMAS

log = logging.getLogger(__name__)

CHUNK_ROWS = 250_000
BUREAU = "bureau"
BUREAU_BALANCE = "bureau_balance"
BUREAU_KEY = "SK_ID_BUREAU"


@dataclass(frozen=True)
class BatchInput:
    """The files of one batch: an application file (in the schema of `table`) and the
    history tables found beside it (absent ones: those clients have no such history)."""
    applications: Path
    table: str
    history: dict[str, Path] = field(default_factory=dict)


def find_input(data: Path | str, table: str | None = None) -> BatchInput:
    """The batch's files: `data` is a folder in Kaggle's layout (application_test, else
    application_train, plus any history table), or one application file without history."""
    data = Path(data)
    if data.is_file():
        name = table or ("application_train" if "train" in data.name else "application_test")
        return BatchInput(data, name)
    if not data.is_dir():
        raise SchemaError(f"{data}: no such file or folder of applications to score")
    names = (table,) if table else ("application_test", "application_train")
    for name in names:
        path = find_table_file(data, name)
        if path is not None:
            history = {h: p for h in HISTORY_TABLES if (p := find_table_file(data, h)) is not None}
            return BatchInput(path, name, history)
    raise SchemaError(f"{data}: no application file ({' or '.join(names)}.csv/.zip/.parquet)")


@contextmanager
def _open_csv_bytes(path: Path) -> Iterator[IO[bytes]]:
    """The bytes of a CSV, also inside a zip (Kaggle ships `name.csv` zipped)."""
    if path.suffix != ".zip":
        with open(path, "rb") as handle:
            yield handle
        return
    with zipfile.ZipFile(path) as archive:
        member = next(m for m in archive.namelist() if not m.endswith("/"))
        with archive.open(member) as handle:
            yield handle


def _csv_encoding(path: Path) -> str:
    """UTF-8 unless the first 4 MB say otherwise (then Latin-1, as the loader reads it)."""
    with _open_csv_bytes(path) as handle:
        sample = handle.read(4 << 20)
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.start >= len(sample) - 4:  # a character cut by the 4 MB boundary
            return "utf-8"
        log.warning("%s: not UTF-8, read as Latin-1", path.name)
        return "latin-1"


def table_chunks(path: Path, chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """The file's rows, `chunk_rows` at a time, each chunk with its row numbers in `ROW`
    (1 = the first data row). CSV numbers are parsed with correct rounding (`round_trip`),
    as the loader's pyarrow reader does, so a value is the same float either way."""
    first = 1
    if path.suffix == ".parquet":
        batches = (b.to_pandas() for b in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows))
    else:
        check_separator(path)
        batches = pd.read_csv(path, chunksize=chunk_rows, low_memory=False,
                              float_precision="round_trip", encoding=_csv_encoding(path))
    try:
        for chunk in batches:
            chunk = pd.concat([chunk.reset_index(drop=True), pd.DataFrame(
                {ROW: np.arange(first, first + len(chunk), dtype=np.int64)})], axis=1)
            first += len(chunk)
            yield chunk
    except (ValueError, OSError, zipfile.BadZipFile, pa.ArrowException) as error:
        raise SchemaError(f"{path.name}: cannot be read after row {first - 1} ({error})") from error


def count_rows(path: Path) -> int:
    """Data rows of a file (parquet: from its footer; CSV: its lines, streamed)."""
    if path.suffix == ".parquet":
        return pq.ParquetFile(path).metadata.num_rows
    lines, last = 0, b"\n"
    with _open_csv_bytes(path) as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            lines += block.count(b"\n")
            last = block[-1:]
    return max(0, lines + (last != b"\n") - 1)


def arrow_schema(table: str) -> pa.Schema:
    """The partition files' schema of a table: fixed, whatever pandas guessed per chunk."""
    schema = SCHEMAS[table]
    types = {"str": pa.string(), "float": pa.float32(), "int": pa.float64()}
    fields = [pa.field(c, pa.int64() if c in schema.keys else types[kind])
              for c, kind in schema.columns.items()]
    return pa.schema(fields + [pa.field(ROW, pa.int64())])


def _as_arrow(rows: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    columns = {}
    for f in schema:
        series = rows[f.name]
        if pa.types.is_string(f.type):
            columns[f.name] = pa.array(series.astype("string").astype(object), type=f.type,
                                       from_pandas=True)
        else:
            columns[f.name] = pa.array(series.to_numpy(np.float64 if not pa.types.is_integer(f.type)
                                                       else np.int64), type=f.type, from_pandas=True)
    return pa.table(columns, schema=schema)


# Partition files live for one run: written fast (no dictionary pages, LZ4) rather than small.
PART_FILE_OPTIONS = {"compression": "lz4", "use_dictionary": False}


class _PartWriters:
    """One open parquet writer per partition of one table (`<work>/<part>/<table>.parquet`)."""

    def __init__(self, work: Path, table: str, parts: int) -> None:
        self.work, self.table, self.parts = work, table, parts
        self.schema = arrow_schema(table)
        self.writers: dict[int, pq.ParquetWriter] = {}

    def write(self, rows: pd.DataFrame, part: np.ndarray) -> None:
        """Append each partition's rows (in their order): the chunk sorted by partition and
        converted to Arrow once, then cut into one slice per partition (a mask and a
        conversion per partition cost as much as the rest of the batch job at Kaggle size)."""
        order = np.argsort(part, kind="stable")
        part = part[order]
        table = _as_arrow(rows.iloc[order], self.schema)
        starts = np.flatnonzero(np.r_[True, part[1:] != part[:-1]]) if len(part) else []
        for start, end in zip(starts, [*starts[1:], len(part)]):
            p = int(part[start])
            writer = self.writers.get(p)
            if writer is None:
                folder = self.work / f"{p:05d}"
                folder.mkdir(parents=True, exist_ok=True)
                writer = self.writers[p] = pq.ParquetWriter(
                    folder / f"{self.table}.parquet", self.schema, **PART_FILE_OPTIONS)
            writer.write_table(table.slice(start, end - start))

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()


@dataclass
class Split:
    """What splitting found: the clients to score, the rows set aside, the clients whose
    history holds a bad row (not scored: their features would be wrong)."""
    parts: int
    clients: np.ndarray  # sorted SK_ID_CURR of the good application rows
    problems: pd.DataFrame
    blocked: np.ndarray  # sorted SK_ID_CURR


def _split_table(path: Path, table: str, work: Path, parts: int, part_of: Callable[[pd.DataFrame], np.ndarray],
                 problems: list[pd.DataFrame], chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Stream one table into its partition files; yields each chunk's good rows kept."""
    writers = _PartWriters(work, table, parts)
    try:
        for chunk in table_chunks(path, chunk_rows):
            good, bad = split_bad_rows(chunk, SCHEMAS[table], path.name)
            problems.append(bad)
            part = part_of(good)
            kept = good[part >= 0]
            writers.write(kept, part[part >= 0])
            yield kept
    finally:
        writers.close()


def split_by_client(batch: BatchInput, work: Path, parts: int,
                    chunk_rows: int = CHUNK_ROWS) -> Split:
    """Write the batch's rows into `parts` partitions by client under `work`."""
    problems: list[pd.DataFrame] = [problems_frame([])]
    ids: list[np.ndarray] = []
    for kept in _split_table(batch.applications, batch.table, work, parts,
                             lambda rows: rows[KEY].to_numpy(np.int64) % parts, problems, chunk_rows):
        ids.append(kept[KEY].to_numpy(np.int64))
    clients = np.unique(np.concatenate(ids)) if ids else np.zeros(0, np.int64)

    def of_known_client(rows: pd.DataFrame) -> np.ndarray:
        key = rows[KEY].to_numpy(np.int64)
        return np.where(np.isin(key, clients), key % parts, -1)

    bureau_ids, bureau_clients = [], []
    for table, path in batch.history.items():
        if table == BUREAU_BALANCE:
            continue
        for kept in _split_table(path, table, work, parts, of_known_client, problems, chunk_rows):
            if table == BUREAU:
                bureau_ids.append(kept[BUREAU_KEY].to_numpy(np.int64))
                bureau_clients.append(kept[KEY].to_numpy(np.int64))
    if BUREAU_BALANCE in batch.history and bureau_ids:
        credit = np.concatenate(bureau_ids)
        order = np.argsort(credit)
        credit, owner = credit[order], np.concatenate(bureau_clients)[order]

        def of_credit_owner(rows: pd.DataFrame) -> np.ndarray:
            key = rows[BUREAU_KEY].to_numpy(np.int64)
            at = np.clip(np.searchsorted(credit, key), 0, max(len(credit) - 1, 0))
            found = credit[at] == key
            return np.where(found, owner[at] % parts, -1)

        for _ in _split_table(batch.history[BUREAU_BALANCE], BUREAU_BALANCE, work, parts,
                              of_credit_owner, problems, chunk_rows):
            pass
    found = pd.concat(problems, ignore_index=True)
    in_history = (found["table"] != batch.table).to_numpy()
    client = found[KEY].to_numpy(np.float64, na_value=np.nan)
    # a bad history row of a client who is not in this batch concerns nobody scored here
    found = found[~in_history | np.isnan(client) | np.isin(client, clients)].reset_index(drop=True)
    blocked = np.unique(found.loc[found["table"] != batch.table, KEY].dropna().to_numpy(np.int64))
    log.info("%d clients split into %d partitions; %d rows set aside", len(clients), parts,
             len(found))
    return Split(parts, clients, found, np.intersect1d(blocked, clients))


def read_part(work: Path, part: int, table: str) -> tuple[pd.DataFrame, dict[str, pd.DataFrame],
                                                           pd.DataFrame]:
    """(application rows, history tables, problems) of one partition, typed as the loader
    types them; a client given twice is set aside here (all its rows are in this partition)."""
    folder = Path(work) / f"{part:05d}"
    frames = {}
    for path in sorted(folder.glob("*.parquet")) if folder.is_dir() else []:
        name = path.stem
        frame = pq.read_table(path).to_pandas()
        for column, kind in SCHEMAS[name].columns.items():  # whole numbers back as integers
            if kind == "int" and frame[column].dtype == np.float64 and frame[column].notna().all() \
                    and (frame[column] == frame[column].round()).all():
                frame[column] = frame[column].astype(np.int64)
        frames[name] = frame
    applications = frames.pop(table, None)
    if applications is None:
        return pd.DataFrame(), {}, problems_frame([])
    applications, problems = duplicated_clients(applications, table)
    applications = check_table(applications, table, f"{table} (partition {part})")
    history = {name: check_table(frame, name, f"{name} (partition {part})")
               for name, frame in frames.items()}
    return applications, history, problems


__all__ = ["BatchInput", "Split", "count_rows", "find_input", "read_part", "split_by_client",
           "table_chunks"]
