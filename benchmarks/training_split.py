"""The build's own split of a set's training clients, for benchmarks that refit candidates.

One place for what `bench_holdout_auc.py` and `bench_loan_stage.py` both need: the set's
feature matrix of training clients in the model's column order, their labels, and the
tuning / held-out positions exactly as `model.training.train` drew them (same seed,
same search subset).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class TrainingSplit:
    folder: Path
    metrics: dict[str, Any]
    model: Any
    clients: pd.DataFrame
    names: list[str]
    X: np.ndarray
    y: np.ndarray
    dev: np.ndarray
    hold: np.ndarray
    seed: int


def training_split(artifacts_root: Path) -> TrainingSplit:
    import joblib
    from sklearn.model_selection import train_test_split

    from model.artifacts import current_set
    from model.training.train import HOLDOUT_FRACTION, SEARCH_ROWS, _stratified_subset

    folder = current_set(artifacts_root)
    metrics = json.loads((folder / "metrics.json").read_text())
    model = joblib.load(folder / "model.joblib")
    names = json.loads((folder / "feature_names.json").read_text())
    clients = pd.read_parquet(folder / "clients.parquet")
    train = (clients["set"] == "train").to_numpy()
    features = np.load(folder / "features.npy", mmap_mode="r")
    X = np.asarray(features[clients["row"].to_numpy()[train]])[
        :, pd.Index(names).get_indexer(model.feature_names_)]
    y = clients["TARGET"].to_numpy()[train].astype(int)
    seed = metrics["protocol"]["seed"]
    dev, hold = train_test_split(np.arange(len(y)), test_size=HOLDOUT_FRACTION, stratify=y,
                                 random_state=seed)
    dev = dev[_stratified_subset(y[dev], SEARCH_ROWS[metrics["protocol"]["quick"]], seed)]
    return TrainingSplit(folder, metrics, model, clients[train], list(model.feature_names_),
                         X.astype(np.float32), y, dev, hold, seed)


def model_directions(model: Any) -> tuple[int, ...]:
    """The monotone direction of each column of a set's model: its LightGBM's constraints
    (the blend's trees carry the same directions as its sign-bounded linear part)."""
    classifier = getattr(model.classifier_, "trees_", model.classifier_)
    return tuple(int(d) for d in classifier.get_params().get("monotone_constraints") or ())


def lightgbm_params(metrics: dict[str, Any]) -> dict[str, Any]:
    """The chosen configuration's LightGBM settings (a blend's without its own `C` and
    `weight`; `weight` is also a LightGBM alias): what a LightGBM of the same set is given."""
    params = metrics["candidates"][metrics["chosen"]]["best_params"]
    return {k: v for k, v in params.items() if k not in ("C", "weight")}
