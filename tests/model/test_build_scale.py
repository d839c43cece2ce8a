"""A quick build of a synthetic set larger than the search subsample, end to end (issue 18).

Above `CALIBRATION_ROWS[quick]` training clients a sample of clients is held apart from the
final fit and calibrates it (the search works on a subsample of `SEARCH_ROWS`); the build
once crashed with a KeyError when the application-only model picked other rows. 30,000
clients (24,000 training clients after the test split of the generator) take that path.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.training.train import CALIBRATION_ROWS, SEARCH_ROWS

CLIENTS = 30_000


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The set of `python -m model synth --clients 30000` then `build --quick` (the CLI)."""
    from model.artifacts import current_set

    work = tmp_path_factory.mktemp("scale")
    env_python = [sys.executable, "-m", "model"]
    subprocess.run([*env_python, "synth", "--clients", str(CLIENTS), "--out",
                    str(work / "data")], check=True)
    subprocess.run([*env_python, "build", "--quick", "--data", str(work / "data"),
                    "--out", str(work / "root")], check=True,
                   # both cores for LightGBM: the build alone takes about 6 minutes of CPU
                   env={**os.environ, "SCORING_MLRUNS": str(work / "mlruns"),
                        "SCORING_N_JOBS": os.environ.get("SCORING_N_JOBS", "2")})
    return current_set(work / "root")


def test_the_build_takes_the_large_data_path(built):
    metrics = json.loads((built / "metrics.json").read_text())
    assert metrics["n_clients"]["all"] > CALIBRATION_ROWS[True]
    assert metrics["n_clients"]["tuning"] == SEARCH_ROWS[True]
    final = metrics["final"]
    assert final["calibration_source"] == "held apart"
    n = metrics["n_clients"]
    # the tuning clients (all but the held-out split), shared between the fit and calibration
    assert final["fit_rows"] + final["calibration_rows"] == n["all"] - n["holdout"]
    assert final["calibration_rows"] <= 0.2 * n["all"]
    assert metrics["holdout"]["measured_on"] == metrics["segments"]["measured_on"] == (
        "deployed model")


def test_the_held_out_figures_are_those_of_the_deployed_model(built):
    """It never saw the held-out split: the probabilities the held-out figures (and the
    fairness report) rest on are the very ones the app computes for those clients."""
    import joblib

    holdout = pd.read_parquet(built / "holdout.parquet")
    clients = pd.read_parquet(built / "clients.parquet").loc[holdout.index]
    names = json.loads((built / "feature_names.json").read_text())
    features = np.load(built / "features.npy", mmap_mode="r")[clients["row"].to_numpy()]
    model = joblib.load(built / "model.joblib")
    live = model.predict_proba(pd.DataFrame(np.asarray(features), columns=names))
    np.testing.assert_allclose(holdout["probability"], live, rtol=1e-6)
    metrics = json.loads((built / "metrics.json").read_text())
    assert metrics["holdout"]["n_clients"] == len(holdout) == metrics["n_clients"]["holdout"]


def test_the_clients_held_apart_are_scored_by_the_deployed_model_itself(built):
    """Their stored score is the final model's own (it never saw them): the calibrator was
    fitted on what the deployed model says, not on smaller models' out-of-fold scores."""
    oof = pd.read_parquet(built / "oof_probability.parquet")["probability"]
    clients = pd.read_parquet(built / "clients.parquet").loc[oof.index]
    assert (clients["probability_source"] == "out_of_fold").all()
    np.testing.assert_allclose(clients["probability"], clients["probability_final"], rtol=1e-5)


def test_both_models_are_calibrated_on_the_same_clients(built):
    metrics = json.loads((built / "metrics.json").read_text())
    main = metrics["final"]
    sub = metrics["segments"]["final_no_history_model"]
    assert sub["calibration_rows"] == main["calibration_rows"]
    oof = pd.read_parquet(built / "oof_probability.parquet")["probability"]
    assert len(oof) == main["calibration_rows"] and oof.index.is_unique
    assert oof.between(0, 1).all()
    clients = pd.read_parquet(built / "clients.parquet")
    train = clients[clients["set"] == "train"]
    stored = train.loc[oof.index]
    assert (stored["probability_source"] == "out_of_fold").all()
    np.testing.assert_allclose(stored["probability"], oof, rtol=1e-6)
    others = train.drop(index=oof.index)
    assert (others["probability_source"] == "final_model").all()


def test_every_file_of_the_set_is_written_and_signed(built):
    from model.artifacts import verify

    manifest = verify(built)
    for name in ("model.joblib", "fairness.json", "holdout.parquet", "drift/summary.json",
                 "shap_global.parquet"):
        assert name in manifest["files"], name
    fairness = json.loads((built / "fairness.json").read_text())
    assert fairness["n_clients"] == json.loads((built / "metrics.json").read_text())[
        "n_clients"]["holdout"]
