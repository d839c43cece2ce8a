"""Global importance: which features move the model's scores, over many clients.

Computed once at build time on a stratified sample of training clients (the
defaulters keep their share, so their explanations weigh as in the data) and
saved with the artifacts: the dashboard only reads it.

Files written into `out_dir`:
- `shap_global.parquet`: one row per feature (feature, group, mean_abs_shap,
  mean_shap, rank, label_fr, label_en), sorted by mean |SHAP|;
- `shap_global_groups.parquet`: the same per human-level group (SHAP values are
  summed within a group for each client before averaging their absolute value);
- `shap_sample.npz` (arrays only, no pickle): the beeswarm data for the top
  features: `shap_values` and `feature_values` (clients x top features),
  `feature_names`, `client_ids`, `target`, `base_value`.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from model import config
from model.artifacts import atomic_file
from model.explain.grouping import LANGUAGES, feature_groups, group_labels, group_sums
from model.explain.local import ClientExplainer
from model.progress import stage

log = logging.getLogger(__name__)

GLOBAL_FILE = "shap_global.parquet"
GROUPS_FILE = "shap_global_groups.parquet"
SAMPLE_FILE = "shap_sample.npz"
DICTIONARY_FILE = "feature_dictionary.csv"
BEESWARM_FEATURES = 30


def stratified_sample(y: pd.Series, size: int, seed: int) -> pd.Index:
    """Index labels of `size` clients keeping the default rate (all of them if fewer)."""
    if size >= len(y):
        return y.index
    stratify = y if y.value_counts().min() >= 2 else None
    chosen, _ = train_test_split(y.index, train_size=size, stratify=stratify, random_state=seed)
    return pd.Index(chosen)


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    tmp = atomic_file(path)
    frame.to_parquet(tmp, index=False)
    tmp.replace(path)


def _write_npz(arrays: dict[str, np.ndarray], path: Path) -> None:
    tmp = atomic_file(path)
    with open(tmp, "wb") as handle:  # a file handle: np.savez would append ".npz" to a name
        np.savez_compressed(handle, **arrays)
    tmp.replace(path)


def _ids(index: pd.Index) -> np.ndarray:
    """Client ids as integers (SK_ID_CURR), or text when they are not numbers."""
    if pd.api.types.is_integer_dtype(index):
        return np.asarray(index, dtype=np.int64)
    return np.asarray(index.astype(str), dtype=str)


def _ranked(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.sort_values("mean_abs_shap", ascending=False, kind="stable").reset_index(drop=True)
    frame["rank"] = np.arange(1, len(frame) + 1, dtype=np.int32)
    return frame


def global_importance(values: pd.DataFrame, groups: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean |SHAP| and mean SHAP per feature and per group, from clients x features values."""
    array = values.to_numpy(dtype=np.float64)
    per_feature = _ranked(pd.DataFrame({
        "feature": values.columns,
        "group": groups.reindex(values.columns).to_numpy(),
        "mean_abs_shap": np.abs(array).mean(axis=0),
        "mean_shap": array.mean(axis=0),
    }))
    codes, uniques = pd.factorize(groups.reindex(values.columns).to_numpy())
    summed = group_sums(array, codes, len(uniques))
    per_group = _ranked(pd.DataFrame({
        "group": uniques.astype(str),
        "n_features": np.bincount(codes, minlength=len(uniques)),
        "mean_abs_shap": np.abs(summed).mean(axis=0),
        "mean_shap": summed.mean(axis=0),
    }))
    return per_feature, per_group


def _add_labels(per_feature: pd.DataFrame, per_group: pd.DataFrame, groups: pd.Series,
                dictionary: pd.DataFrame | None) -> None:
    """Plain-language names (fr, en) of features and groups, for the dashboard's charts."""
    for language in LANGUAGES:
        column = f"description_{language}"
        described = {}
        if dictionary is not None and column in dictionary.columns:
            described = dictionary.drop_duplicates("feature").set_index("feature")[column].to_dict()
        per_feature[f"label_{language}"] = [str(described.get(f, f)) for f in per_feature["feature"]]
        labels = group_labels(dictionary, groups, language)
        per_group[f"label_{language}"] = [labels.get(g, g) for g in per_group["group"]]


def compute_global_shap(
    model: Any,
    X_train: pd.DataFrame,
    y_train: pd.Series,
    out_dir: Path | str,
    sample_size: int = 2000,
    seed: int = config.SEED,
    dictionary: pd.DataFrame | None = None,
    n_beeswarm: int = BEESWARM_FEATURES,
) -> pd.DataFrame:
    """Global SHAP importance on a stratified sample of training clients; returns the
    per-feature table (also written to `out_dir`, see the module docstring).

    `dictionary` gives the groups; when omitted, `out_dir/feature_dictionary.csv`
    is used if the build has already written it, else every column is its own group.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if len(X_train) != len(y_train) or not X_train.index.equals(y_train.index):
        raise ValueError("X_train and y_train must have the same clients in the same order")
    if dictionary is None and (out_dir / DICTIONARY_FILE).is_file():
        dictionary = pd.read_csv(out_dir / DICTIONARY_FILE)
    chosen = stratified_sample(y_train, sample_size, seed)
    sample = X_train.loc[chosen]
    with stage(f"global SHAP on {len(sample)} training clients x {sample.shape[1]} features", log):
        # No background sample: the same base value as the app's per-client explainer.
        explainer = ClientExplainer(model, dictionary)
        _, values = explainer.explain_rows(sample)
    groups = feature_groups(list(values.columns), dictionary)
    per_feature, per_group = global_importance(values, groups)
    _add_labels(per_feature, per_group, groups, dictionary)
    _write_parquet(per_feature, out_dir / GLOBAL_FILE)
    _write_parquet(per_group, out_dir / GROUPS_FILE)

    top = per_feature["feature"].head(n_beeswarm).tolist()
    _write_npz({
        "shap_values": values[top].to_numpy(np.float32),
        "feature_values": sample[top].to_numpy(np.float32),
        "feature_names": np.asarray(top, dtype=str),
        "client_ids": _ids(sample.index),
        "target": y_train.loc[chosen].to_numpy(np.float32),
        # the main model's base (rows without history have the no-history model's own)
        "base_value": np.asarray([explainer.base_value_], dtype=np.float64),
    }, out_dir / SAMPLE_FILE)
    log.info("global SHAP: top features %s", ", ".join(top[:5]))
    return per_feature


def top_features(shap_global: pd.DataFrame | None, n: int | None = None) -> list[str]:
    """The n most important features (all if n is None), largest mean |SHAP| first.

    `shap_global.parquet` is written sorted (`_ranked`): the one place that orders
    features by importance, so readers take its head instead of re-sorting it.
    """
    if shap_global is None or "feature" not in getattr(shap_global, "columns", []):
        return []
    features = shap_global["feature"]
    return (features if n is None else features.head(n)).tolist()
