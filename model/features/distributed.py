"""The feature transform partition by partition on Dask: the same fitted builder, the same
matrix as pandas in one piece.

Every feature is a function of one client's application row and that client's history
rows (`FeatureBuilder.transform`: per-client aggregates, encodings fitted beforehand on
training clients only). So the clients can be cut into partitions by `SK_ID_CURR`, each
partition holding all the rows of its clients (bureau_balance rows follow their bureau
credit), transformed anywhere, and put back in the pandas path's row order: the matrix is
the same, row for row (tests/model/test_features_distributed.py).

Per partition the aggregation engine is pandas, the builder's own code: a partition of
5,000 clients is small enough that pandas' per-table cost is not what limits a run (see
docs/benchmarks.md "Feature build on Dask"), and any other engine would be a second
implementation of ~800 features to keep identical.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Iterator

import numpy as np
import pandas as pd

from model.features.aggregate import KEY
from model.features.builder import APPLICATION_TABLES, FeatureBuilder, application_rows
from model.features.history import Tables
from model.progress import Progress

log = logging.getLogger(__name__)

BUREAU, BUREAU_BALANCE, BUREAU_KEY = "bureau", "bureau_balance", "SK_ID_BUREAU"


def _row_parts(tables: Tables, parts: int) -> dict[str, np.ndarray]:
    """The partition of every row of every table (-1: a row of no client in the tables)."""
    out = {name: frame[KEY].to_numpy(np.int64) % parts
           for name, frame in tables.items() if KEY in frame.columns}
    if BUREAU_BALANCE in tables and BUREAU in tables:
        credit = tables[BUREAU][BUREAU_KEY].to_numpy(np.int64)
        order = np.argsort(credit, kind="stable")
        credit, owner_part = credit[order], out[BUREAU][order]
        key = tables[BUREAU_BALANCE][BUREAU_KEY].to_numpy(np.int64)
        if not len(credit):
            out[BUREAU_BALANCE] = np.full(len(key), -1, dtype=np.int64)
        else:
            at = np.clip(np.searchsorted(credit, key), 0, len(credit) - 1)
            out[BUREAU_BALANCE] = np.where(credit[at] == key, owner_part[at], -1)
    return out


def partitions(tables: Tables, parts: int) -> Iterator[Tables]:
    """The tables cut into `parts` groups of clients, each with all its clients' rows, one
    at a time (the caller sends one away before the next is cut: the driver never holds a
    second copy of the tables). One stable sort per table; rows keep their order."""
    cuts = {}
    for name, part in _row_parts(tables, parts).items():
        order = np.argsort(part, kind="stable")
        cuts[name] = (order, np.searchsorted(part[order], np.arange(parts + 1)))
    for p in range(parts):
        rows = {name: tables[name].iloc[order[bounds[p]:bounds[p + 1]]]
                for name, (order, bounds) in cuts.items()}
        yield {name: frame for name, frame in rows.items()
               if name not in APPLICATION_TABLES or len(frame)}


def _transform(builder: FeatureBuilder, tables: Tables) -> pd.DataFrame:
    if not any(name in tables for name in APPLICATION_TABLES):
        return pd.DataFrame(columns=builder.feature_names_, dtype=np.float32)
    return builder.transform(tables)


def transform_on_dask(builder: FeatureBuilder, tables: Tables, client: object,
                      partition_clients: int = 5000) -> pd.DataFrame:
    """`builder.transform(tables)` computed partition by partition on the Dask `client`'s
    workers; rows in the pandas path's order (train then test, file order)."""
    from distributed import as_completed

    order = pd.Index(application_rows(tables)[KEY].to_numpy(np.int64), name=KEY)
    workers = max(1, len(client.nthreads()))
    parts = max(1, min(len(order), max(math.ceil(len(order) / partition_clients), 2 * workers)))
    shared = client.scatter(builder, broadcast=True)
    futures = []
    for part in partitions(tables, parts):
        [data] = client.scatter([part])  # one object: the partition travels once, to one worker
        futures.append(client.submit(_transform, shared, data, pure=False))
    progress = Progress("transform partitions", len(futures), log)
    frames = []
    for future in as_completed(futures):
        frames.append(future.result())
        future.release()
        progress.advance()
    features = pd.concat(frames).reindex(order)
    if list(features.columns) != builder.feature_names_:
        raise RuntimeError("feature columns differ from the fitted feature_names_")
    return features
