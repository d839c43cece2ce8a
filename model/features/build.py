"""`python -m model features`: raw tables -> feature file, fitted builder and dictionary beside it.

Outputs (each written to a temporary name, then renamed, so a crash never
leaves a half-written file that looks valid):
- `<out>.parquet`: index SK_ID_CURR, one float32 column per feature, TARGET last
  (missing for test clients);
- `<stem>.builder.joblib`: the fitted `FeatureBuilder`;
- `<stem>.dictionary.csv`: the feature dictionary (FR/EN descriptions, groups).
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

import joblib
import numpy as np
import pandas as pd

from model.data.loader import load_tables
from model.features.aggregate import KEY
from model.features.builder import TRAIN, FeatureBuilder
from model.features.history import Tables
from model.progress import stage

log = logging.getLogger(__name__)

TARGET = "TARGET"


def build_features(tables: Tables, scheduler: str | None = None
                   ) -> tuple[FeatureBuilder, pd.DataFrame, pd.Series]:
    """Fit on training clients, transform train + test clients.

    Returns the fitted builder, the features (index SK_ID_CURR, train clients
    first) and TARGET aligned with them (float, missing for test clients).
    `scheduler`: None transforms in this process with pandas (small data); "local" or a
    Dask scheduler address transforms partition by partition on Dask
    (`model.features.distributed`), giving the same matrix.
    """
    with stage("fit feature builder", log):
        builder = FeatureBuilder().fit(tables)
    with stage("transform train + test clients" + (" on Dask" if scheduler else ""), log):
        features = _transform(builder, tables, scheduler)
    train = tables[TRAIN]
    if TARGET not in train.columns:
        raise ValueError(f"{TRAIN}: missing column {TARGET}")
    known = pd.Series(train[TARGET].to_numpy(np.float64),
                      index=pd.Index(train[KEY].to_numpy(np.int64), name=KEY))
    target = known.reindex(features.index).rename(TARGET)
    return builder, features, target


def _transform(builder: FeatureBuilder, tables: Tables, scheduler: str | None) -> pd.DataFrame:
    if scheduler is None:
        return builder.transform(tables)
    from model.engine import dask_client
    from model.features.distributed import transform_on_dask

    with dask_client(None if scheduler == "local" else scheduler) as client:
        return transform_on_dask(builder, tables, client)


def sidecar_paths(out_file: Path) -> tuple[Path, Path]:
    """Paths of the fitted builder and of the dictionary written beside a feature file."""
    out_file = Path(out_file)
    stem = out_file.with_suffix("")
    return (stem.with_name(f"{stem.name}.builder.joblib"),
            stem.with_name(f"{stem.name}.dictionary.csv"))


def _write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def build_feature_file(data_dir: Path, out_file: Path, scheduler: str | None = None) -> Path:
    """Load the tables of `data_dir`, build the features, write them and their sidecars
    (`scheduler`: see `build_features`)."""
    out_file = Path(out_file)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    with stage(f"load tables from {data_dir}", log):
        tables = load_tables(data_dir)
    builder, features, target = build_features(tables, scheduler)
    del tables
    builder_path, dictionary_path = sidecar_paths(out_file)
    with stage(f"write {out_file.name} ({features.shape[0]} clients, "
               f"{features.shape[1]} features)", log):
        features[TARGET] = target.astype(np.float32)  # last column, missing for test clients
        _write_atomic(out_file, lambda p: features.to_parquet(p, engine="pyarrow"))
        _write_atomic(builder_path, lambda p: joblib.dump(builder, p))
        _write_atomic(dictionary_path,
                      lambda p: builder.dictionary_.to_csv(p, index=False, encoding="utf-8"))
    return out_file


def load_feature_file(path: Path) -> tuple[pd.DataFrame, pd.Series]:
    """(features, target) from a file written by `build_feature_file`."""
    frame = pd.read_parquet(path)
    if TARGET not in frame.columns:
        raise ValueError(f"{path}: no {TARGET} column (not a feature file?)")
    target = frame.pop(TARGET).astype(np.float64)
    return frame, target
