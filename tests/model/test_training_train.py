"""End to end: `train_from_file` on a small synthetic feature file, quick mode."""
from __future__ import annotations

import json
import time

import joblib
import numpy as np
import pandas as pd
import pytest

from model.artifacts import verify
from model.training.train import train_from_file, train_models

MODEL_FILES = {"model.joblib", "metrics.json", "comparison.md", "cost_curve.csv",
               "oof_probability.parquet", "holdout.parquet"}


@pytest.fixture(scope="module")
def feature_file(tmp_path_factory):
    """A feature file (train + test clients) with its sidecars, 60 features wide."""
    from model.data.loader import load_tables
    from model.features.build import build_features, sidecar_paths
    from model.synth.generate import generate

    root = tmp_path_factory.mktemp("train")
    generate(n_clients=2000, seed=11, out_dir=root / "data")
    _, features, target = build_features(load_tables(root / "data"))
    frame = features.iloc[:, :60].copy()
    frame.iloc[:3, 0] = np.inf  # a ratio divided by zero must not break any candidate
    frame["TARGET"] = target.astype(np.float32)
    path = root / "features.parquet"
    frame.to_parquet(path)
    builder, dictionary = sidecar_paths(path)
    joblib.dump({"stand-in": "builder"}, builder)
    pd.DataFrame({"feature": frame.columns[:-1]}).to_csv(dictionary, index=False)
    return path


@pytest.fixture(scope="module")
def timed_training(feature_file, tmp_path_factory):
    """(artifact folder, MLflow folder, wall-clock seconds of the whole training)."""
    root = tmp_path_factory.mktemp("trained")
    started = time.perf_counter()
    out = train_from_file(feature_file, root / "model", budget_seconds=30, quick=True,
                          mlruns_dir=root / "mlruns")
    return out, root / "mlruns", time.perf_counter() - started


@pytest.fixture(scope="module")
def trained(timed_training):
    return timed_training[:2]


def test_artifact_set_is_complete_and_verified(trained):
    out, _ = trained
    names = {p.name for p in out.iterdir()}
    assert names == MODEL_FILES | {"manifest.json", "feature_builder.joblib",
                                   "feature_dictionary.csv"}
    manifest = verify(out, required=tuple(MODEL_FILES))
    assert set(manifest["files"]) == names - {"manifest.json"}


def test_metrics_follow_the_protocol(timed_training, feature_file):
    out, _, elapsed = timed_training
    metrics = json.loads((out / "metrics.json").read_text())
    n_train = int(pd.read_parquet(feature_file)["TARGET"].notna().sum())
    assert metrics["n_clients"] == {"all": n_train, "tuning": n_train - round(0.2 * n_train),
                                    "holdout": round(0.2 * n_train)}
    assert set(metrics["candidates"]) == {
        "dummy", "logistic_none", "logistic_balanced", "logistic_smote",
        "lightgbm_none", "lightgbm_balanced", "lightgbm_smote"}
    for result in metrics["candidates"].values():
        for split in ("cv", "holdout"):
            assert {"auc", "recall", "precision", "f2", "brier", "brier_raw", "cost",
                    "cost_per_1000"} <= set(result[split])
        assert result["holdout"]["n_clients"] == metrics["n_clients"]["holdout"]
    # Each candidate's fit time is a real duration in seconds, measured inside this training
    # run (the candidates are searched one after the other): not 0, not milliseconds.
    seconds = [result["fit_seconds"] for result in metrics["candidates"].values()]
    assert all(s > 0 for s in seconds) and sum(seconds) <= elapsed
    chosen = metrics["candidates"][metrics["chosen"]]
    # lowest cost among the candidates that respect the directions (not the logistic ones)
    assert chosen["eligible"] and chosen["kind"] != "logistic"
    assert chosen["cv"]["cost_per_1000"] == min(r["cv"]["cost_per_1000"]
                                                for r in metrics["candidates"].values()
                                                if r["eligible"])
    assert all(not r["eligible"] and r["ineligible_reason"]
               for r in metrics["candidates"].values() if r["kind"] == "logistic")
    assert metrics["holdout"] == chosen["holdout"]
    assert metrics["final"]["calibration"]["method"] in ("isotonic", "sigmoid")

    model = joblib.load(out / "model.joblib")
    assert model.threshold_ == pytest.approx(metrics["threshold"])
    assert model.kind == chosen["kind"]

    curve = pd.read_csv(out / "cost_curve.csv")
    assert list(curve.columns) == ["threshold", "cost", "cost_per_1000"]
    assert curve["cost"].min() == metrics["final"]["oof"]["cost"]
    table = (out / "comparison.md").read_text()
    assert table.count("\n| ") == 7 and "holdout cost / 1,000" in table


def test_model_scores_test_clients(trained, feature_file):
    out, _ = trained
    model = joblib.load(out / "model.joblib")
    frame = pd.read_parquet(feature_file)
    test_clients = frame[frame["TARGET"].isna()].drop(columns="TARGET")
    p = model.predict_proba(test_clients)
    assert len(p) == len(test_clients) and np.all((p >= 0) & (p <= 1))
    assert np.isfinite(model.predict_margin(test_clients)).all()


def test_mlflow_runs_and_registered_model_stay_in_the_given_store(trained):
    out, mlruns = trained
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["mlflow"]["registered_version"] == 1
    assert (mlruns / "models" / "credit-scoring-model" / "version-1").is_dir()
    runs = [p for p in mlruns.glob("*/*/meta.yaml") if p.parent.parent.name != "models"]
    assert len(runs) >= 8  # 7 candidates + the final model
    assert list(mlruns.rglob("cost_curve.html"))


def test_train_models_rejects_unknown_targets(tmp_path):
    X = pd.DataFrame({"a": np.arange(100, dtype=np.float32)})
    y = pd.Series([0.0, 1.0] * 49 + [np.nan, np.nan])
    with pytest.raises(ValueError, match="TARGET is missing for 2 client"):
        train_models(X, y, tmp_path, budget_seconds=1, quick=True, mlruns_dir=tmp_path / "m")
    assert list(tmp_path.iterdir()) == []
