"""Everything the screens read, loaded once per process from a verified artifact set.

The feature matrix stays on disk, memory-mapped (the OS shares its pages between
gunicorn workers); only the client table, the raw application rows and the few
columns the screens plot are held in RAM. Nothing here is ever mutated.
"""
from __future__ import annotations

import json
import logging
import mmap
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import joblib
import numpy as np
import pandas as pd

from model import config
from model.artifacts import ArtifactError, verify

log = logging.getLogger(__name__)

REQUIRED = (
    "model.joblib", "feature_builder.joblib", "feature_dictionary.csv", "features.npy",
    "feature_names.json", "clients.parquet", "applications.parquet", "metrics.json",
)
# How many of the most important features are kept in RAM for the population plots.
PLOT_FEATURES = 30


class UnknownClientError(KeyError):
    """The client ID is not in the artifact set."""

    def __str__(self) -> str:
        return f"client {self.args[0]} is not in the loaded data"


@dataclass(frozen=True)
class AppState:
    artifacts_dir: Path
    manifest: dict
    model: Any  # model.training.scoring.ScoringModel
    builder: Any  # model.features.builder.FeatureBuilder
    dictionary: pd.DataFrame  # indexed by feature
    feature_names: list[str]
    features: np.ndarray  # memory-mapped, one row per client in clients["row"] order
    clients: pd.DataFrame  # indexed by SK_ID_CURR
    applications: pd.DataFrame  # raw application rows indexed by SK_ID_CURR
    plot_columns: pd.DataFrame  # top features, indexed like clients
    metrics: dict
    cost_curve: pd.DataFrame
    comparison_md: str
    shap_global: pd.DataFrame | None
    shap_sample: dict | None
    drift_summary: dict | None
    drift_report_path: Path | None
    explainer: Any = field(default=None)  # per-client SHAP explainer built once
    # Values the screens derive from this artifact set, computed on first use; they live and
    # die with the state, so a reloaded set never sees another set's values.
    _derived: dict = field(default_factory=dict, repr=False, compare=False)

    def derived(self, name: str, compute: Callable[["AppState"], Any]) -> Any:
        """`compute(self)`, computed once per loaded artifact set and kept with it."""
        if name not in self._derived:
            self._derived[name] = compute(self)
        return self._derived[name]

    def feature_row(self, client_id: int) -> pd.DataFrame:
        """The client's feature vector (one row read from the matrix file)."""
        try:
            row = int(self.clients.at[int(client_id), "row"])
        except (KeyError, ValueError):
            raise UnknownClientError(client_id) from None
        values = _read_row(self.features, row)
        return pd.DataFrame(values, columns=self.feature_names, index=pd.Index([int(client_id)], name="SK_ID_CURR"))

    def has_client(self, client_id: int) -> bool:
        return int(client_id) in self.clients.index


def _read_row(features: np.ndarray, row: int) -> np.ndarray:
    """One row (1 x n float32) of the feature matrix, read from the file, not through the map.

    A page fault on the memory map maps a whole page-cache folio (about 1 MB here), which
    then counts in the process's resident memory: +1 MB for every new client looked at.
    A positioned read of the row's 3 KB leaves the resident memory flat.
    """
    filename = getattr(features, "filename", None)
    if filename is None or not features.flags.c_contiguous:  # an in-memory array (tests)
        return np.asarray(features[row : row + 1], dtype=np.float32)
    width = features.shape[1] * features.dtype.itemsize
    with open(filename, "rb") as handle:
        data = os.pread(handle.fileno(), width, features.offset + row * width)
    return np.frombuffer(data, dtype=features.dtype).astype(np.float32).reshape(1, -1)


def _read_optional(path: Path, reader) -> Any:
    return reader(path) if path.is_file() else None


def _read_shap_sample(path: Path) -> dict:
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def _plot_columns(features: np.ndarray, names: list[str], shap_global: pd.DataFrame | None,
                  index: pd.Index) -> pd.DataFrame:
    if shap_global is not None and "feature" in shap_global.columns:
        from model.explain.global_shap import top_features

        top = [f for f in top_features(shap_global) if f in names][:PLOT_FEATURES]
    else:
        top = names[:PLOT_FEATURES]
    positions = [names.index(f) for f in top]
    frame = pd.DataFrame(np.asarray(features[:, positions], dtype=np.float32), columns=top, index=index)
    _release_pages(features)
    return frame


def _release_pages(features: np.ndarray) -> None:
    """Drop the memory-mapped pages read while copying the plot columns from this process's
    resident memory (the OS keeps them in its file cache): about 1.1 GB at full scale."""
    handle = getattr(features, "_mmap", None)
    if handle is not None and hasattr(mmap, "MADV_DONTNEED"):
        handle.madvise(mmap.MADV_DONTNEED)


def load_state(artifacts_dir: Path | str) -> AppState:
    """Verify and load an artifact set; raise `ArtifactError` naming what is wrong."""
    folder = Path(artifacts_dir)
    manifest = verify(folder, required=REQUIRED)
    names = json.loads((folder / "feature_names.json").read_text())
    features = np.load(folder / "features.npy", mmap_mode="r")
    if features.shape[1] != len(names):
        raise ArtifactError(f"{folder}: features.npy has {features.shape[1]} columns, "
                            f"feature_names.json {len(names)}")
    clients = pd.read_parquet(folder / "clients.parquet")
    applications = pd.read_parquet(folder / "applications.parquet").set_index("SK_ID_CURR")
    shap_global = _read_optional(folder / "shap_global.parquet", pd.read_parquet)
    model = joblib.load(folder / "model.joblib")
    dictionary = pd.read_csv(folder / "feature_dictionary.csv").set_index("feature")
    state = AppState(
        artifacts_dir=folder,
        manifest=manifest,
        model=model,
        builder=joblib.load(folder / "feature_builder.joblib"),
        dictionary=dictionary,
        feature_names=names,
        features=features,
        clients=clients,
        applications=applications,
        plot_columns=_plot_columns(features, names, shap_global, clients.index),
        metrics=json.loads((folder / "metrics.json").read_text()),
        cost_curve=_read_optional(folder / "cost_curve.csv", pd.read_csv),
        comparison_md=_read_optional(folder / "comparison.md", Path.read_text) or "",
        shap_global=shap_global,
        shap_sample=_read_optional(folder / "shap_sample.npz", _read_shap_sample),
        drift_summary=_read_optional(folder / "drift" / "summary.json",
                                     lambda p: json.loads(p.read_text())),
        drift_report_path=_read_optional(folder / "drift" / "report.html", lambda p: p),
        explainer=_make_explainer(model, dictionary),
    )
    log.info("loaded %d clients x %d features from %s", len(clients), len(names), folder)
    return state


def _make_explainer(model: Any, dictionary: pd.DataFrame) -> Any:
    try:
        from model.explain.local import ClientExplainer
    except ImportError:  # explanations not built yet: screens say so
        log.warning("model.explain.local.ClientExplainer is not available")
        return None
    return ClientExplainer(model, dictionary.reset_index())


def get_state() -> AppState:
    """The process-wide state, loaded on first use from the configured artifact folder."""
    return _cached_state(str(config.artifacts_dir()))


@lru_cache(maxsize=2)
def _cached_state(folder: str) -> AppState:
    return load_state(folder)
