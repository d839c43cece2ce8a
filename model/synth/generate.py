"""`generate(...)`: the eight Kaggle files, synthetic, written chunk by chunk.

The default data set of the project (no download needed) and the way to
benchmark at Kaggle's full size: clients are generated in chunks of
`CHUNK_CLIENTS`, each chunk with its own seeded generator, and streamed to one
writer per table, so memory stays flat whatever the number of clients. Files
are written in a hidden temporary folder and moved into place only when all
eight are complete.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from model.data.loader import SUFFIXES
from model.data.schema import SCHEMAS, TABLE_NAMES
from model.progress import Progress
from model.synth.application import make_applications
from model.synth.bureau import make_bureau, make_bureau_balance
from model.synth.previous import make_cards, make_installments, make_pos, make_previous
from model.synth.sampler import TableSampler

log = logging.getLogger(__name__)

KAGGLE_TRAIN, KAGGLE_TEST = 307_511, 48_744
CHUNK_CLIENTS = 20_000
FIRST_CLIENT_ID, FIRST_BUREAU_ID, FIRST_PREVIOUS_ID = 100_002, 5_000_000, 1_000_001
FORMATS = {"parquet": ".parquet", "csv": ".csv"}
_ARROW_TYPES = {"int": pa.int64(), "float": pa.float64(), "str": pa.string()}


def arrow_schema(name: str) -> pa.Schema:
    """Arrow schema of a table: Kaggle's columns in order, int64 / float64 / string."""
    return pa.schema([(c, _ARROW_TYPES[k]) for c, k in SCHEMAS[name].columns.items()])


def to_arrow(name: str, columns: dict[str, np.ndarray], sampler: TableSampler) -> pa.Table:
    """Numpy columns (text as codes, -1 missing) to an Arrow table with the declared schema."""
    arrays = []
    for column, kind in SCHEMAS[name].columns.items():
        values = np.asarray(columns[column])
        if kind == "str":
            codes = values.astype(np.int32)
            indices = pa.array(np.where(codes < 0, 0, codes), mask=codes < 0)
            dictionary = pa.array(sampler.dictionary(column), type=pa.string())
            arrays.append(pa.DictionaryArray.from_arrays(indices, dictionary).dictionary_decode())
        elif kind == "int":
            if values.dtype.kind == "f" and np.isnan(values).any():
                raise ValueError(f"synthetic {name}.{column}: missing values in an integer column")
            arrays.append(pa.array(values.astype(np.int64)))
        else:
            arrays.append(pa.array(values.astype(np.float64), from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=arrow_schema(name))


class _Writers:
    """One streaming writer per table (parquet row groups or appended CSV blocks)."""

    def __init__(self, folder: Path, file_format: str,
                 schemas: dict[str, pa.Schema] | None = None) -> None:
        suffix = FORMATS[file_format]
        schemas = schemas or {name: arrow_schema(name) for name in TABLE_NAMES}
        self.paths = {name: folder / f"{name}{suffix}" for name in schemas}
        self.rows = dict.fromkeys(schemas, 0)
        writer = pq.ParquetWriter if file_format == "parquet" else pa_csv.CSVWriter
        self._writers = {n: writer(p, schemas[n]) for n, p in self.paths.items()}

    def write(self, name: str, table: pa.Table) -> None:
        self._writers[name].write_table(table)
        self.rows[name] += table.num_rows

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()


class _Chunker:
    """Generates chunks of clients, carrying the SK_ID_BUREAU / SK_ID_PREV counters across chunks."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.samplers = {n: TableSampler(n, SCHEMAS[n].columns) for n in TABLE_NAMES}
        self.next_bureau, self.next_previous = FIRST_BUREAU_ID, FIRST_PREVIOUS_ID

    def chunk(self, table: str, part: int, index: int, ids: np.ndarray,
              shift: dict[str, np.ndarray] | None = None) -> dict[str, pa.Table]:
        rng = np.random.default_rng([self.seed, part, index])
        s = self.samplers
        app = make_applications(s[table], ids, rng, with_target=table == "application_train",
                                shift=shift)
        bureau = make_bureau(s["bureau"], ids, app.traits["bureau"], self.next_bureau, rng)
        self.next_bureau += len(bureau["SK_ID_BUREAU"])
        record_client = np.searchsorted(ids, bureau["SK_ID_CURR"])
        balance = make_bureau_balance(s["bureau_balance"], bureau, app.traits["bureau"][record_client], rng)
        previous = make_previous(s["previous_application"], ids, app.traits["refused"], self.next_previous, rng)
        self.next_previous += len(previous["SK_ID_PREV"])
        late = app.traits["late"][np.searchsorted(ids, previous["SK_ID_CURR"])]
        parts = {
            table: app.columns, "bureau": bureau, "bureau_balance": balance,
            "previous_application": previous,
            "POS_CASH_balance": make_pos(s["POS_CASH_balance"], previous, s["previous_application"], late, rng),
            "installments_payments": make_installments(
                s["installments_payments"], previous, s["previous_application"], late, rng),
            "credit_card_balance": make_cards(s["credit_card_balance"], previous, s["previous_application"],
                                              late, rng),
        }
        return {name: to_arrow(name, columns, s[name]) for name, columns in parts.items()}


def planted_probabilities(n_clients: int, seed: int,
                          chunk_clients: int = CHUNK_CLIENTS) -> pd.DataFrame:
    """The default probability each training client of `generate(n_clients, seed)` had its
    TARGET drawn from (`planted_probability`), and that TARGET, by SK_ID_CURR: a caller
    checks the targets against its files to know it replayed the right seed.

    Observed rates of small groups are noisy (65+ at Kaggle size: 1,600 held-out clients, 45
    defaults, a standard error of 15 % of the rate); on synthetic data a model's calibration
    can be read against the truth instead. Only the application draws are replayed (they
    come first from each chunk's generator), so this costs seconds, not a generation.
    """
    sampler = TableSampler("application_train", SCHEMAS["application_train"].columns)
    parts = []
    for index, start in enumerate(range(0, n_clients, chunk_clients)):
        ids = FIRST_CLIENT_ID + np.arange(start, min(start + chunk_clients, n_clients),
                                          dtype=np.int64)
        chunk = make_applications(sampler, ids, np.random.default_rng([seed, 0, index]),
                                  with_target=True)
        parts.append(pd.DataFrame({"planted_probability": chunk.planted,
                                   "TARGET": chunk.columns["TARGET"]},
                                  index=pd.Index(ids, name="SK_ID_CURR")))
    return pd.concat(parts)


def count_test_clients(n_clients: int) -> int:
    """Test-set size in Kaggle's proportion (48,744 test for 307,511 train clients)."""
    return round(n_clients * KAGGLE_TEST / KAGGLE_TRAIN)


def _remove_other_formats(out_dir: Path, keep_suffix: str) -> None:
    # The loader prefers .parquet over .csv: a stale file of another format would shadow the new one.
    for name in TABLE_NAMES:
        for suffix in SUFFIXES:
            stale = out_dir / f"{name}{suffix}"
            if suffix != keep_suffix and stale.is_file():
                log.info("removing stale %s", stale)
                stale.unlink()


@contextmanager
def written_tables(out_dir: Path, file_format: str,
                   schemas: dict[str, pa.Schema] | None = None) -> Iterator[_Writers]:
    """One writer per table into a hidden folder of `out_dir`; when the block ends without an
    error the files replace those of `out_dir` (other formats' files of the same tables
    removed), else nothing of `out_dir` changes. The hidden folder is always removed."""
    tmp = Path(tempfile.mkdtemp(prefix=".synth-", dir=out_dir))
    try:
        writers = _Writers(tmp, file_format, schemas)
        try:
            yield writers
        finally:
            writers.close()
        _remove_other_formats(out_dir, FORMATS[file_format])
        for path in writers.paths.values():
            os.replace(path, out_dir / path.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def generate(n_clients: int, seed: int, out_dir: Path, file_format: str = "parquet",
             chunk_clients: int = CHUNK_CLIENTS) -> dict[str, int]:
    """Write the eight synthetic Kaggle files into `out_dir`; return the rows per table."""
    if n_clients < 1:
        raise ValueError(f"synth: --clients must be at least 1 (got {n_clients})")
    if file_format not in FORMATS:
        raise ValueError(f"synth: unknown format {file_format!r} (choose from {', '.join(FORMATS)})")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    n_test = count_test_clients(n_clients)
    sets = [("application_train", 0, n_clients, FIRST_CLIENT_ID),
            ("application_test", 1, n_test, FIRST_CLIENT_ID + n_clients)]
    progress = Progress("synth clients", n_clients + n_test, log)
    chunker = _Chunker(seed)
    with written_tables(out_dir, file_format) as writers:
        for table, part, size, first_id in sets:
            for index, start in enumerate(range(0, size, chunk_clients)):
                ids = first_id + np.arange(start, min(start + chunk_clients, size), dtype=np.int64)
                for name, arrow in chunker.chunk(table, part, index, ids).items():
                    writers.write(name, arrow)
                progress.advance(len(ids))
    log.info("synth: %s rows in %s (%s)", f"{sum(writers.rows.values()):,}", out_dir,
             ", ".join(f"{n} {r:,}" for n, r in writers.rows.items()))
    return dict(writers.rows)
