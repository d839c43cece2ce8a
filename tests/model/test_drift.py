"""Drift: a shifted column is flagged, an unchanged one is not; bad batches fail clearly."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from model.data.loader import SchemaError
from model.drift.report import PREDICTION_COLUMN, drift_from_files, run_drift
from model.drift.summary import column_statistics, drift_detected, summary_table


def _batches(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two independent draws; `shifted` and `mix` change between them, the rest does not."""
    rng = np.random.default_rng(seed)

    def draw(n: int, shift: float, share_b: float) -> pd.DataFrame:
        return pd.DataFrame({
            "shifted": rng.normal(shift, 1.0, n),
            "stable": rng.normal(0.0, 1.0, n),
            "mix": pd.Categorical(rng.choice(["a", "b"], n, p=[1 - share_b, share_b])),
            "stable_text": pd.Categorical(rng.choice(["x", "y", "z"], n)),
            "SK_ID_CURR": np.arange(n),
        })

    # Above 1,000 rows Evidently uses distances (Wasserstein, Jensen-Shannon), which do
    # not flag an unchanged column by chance the way a 5 % p-value test does.
    return draw(2500, 0.0, 0.2), draw(2000, 1.0, 0.7)


def test_shifted_columns_are_flagged_and_stable_ones_are_not(tmp_path):
    reference, current = _batches()
    current.loc[:99, "stable"] = np.nan
    rng = np.random.default_rng(1)
    summary = run_drift(reference, current, tmp_path, sample_rows=1500,
                        reference_pred=rng.beta(2, 20, len(reference)),
                        current_pred=rng.beta(2, 20, len(current)))
    flags = {e["column"]: e["drift_detected"] for e in summary["columns"]}
    assert flags == {"shifted": True, "mix": True, "stable": False, "stable_text": False,
                     PREDICTION_COLUMN: False}
    assert summary["n_columns"] == 4 and summary["n_drifted"] == 2
    assert summary["share_drifted"] == 0.5
    assert sorted(summary["drifted_columns"]) == ["mix", "shifted"]
    assert summary["prediction"]["drift_detected"] is False
    assert summary["rows"] == {"reference": 2500, "current": 2000}
    assert summary["rows_tested"] == {"reference": 1500, "current": 1500}
    assert summary["columns"][0]["method"] in ("Wasserstein distance (normed)", "Jensen-Shannon distance")
    entry = next(e for e in summary["columns"] if e["column"] == "stable")
    # Statistics are computed on every row, not on the tested sample.
    assert entry["current"]["missing_share"] == pytest.approx(100 / 2000)
    assert entry["current"]["mean"] == pytest.approx(current["stable"].mean())
    assert entry["reference"]["std"] == pytest.approx(reference["stable"].std())
    mix = next(e for e in summary["columns"] if e["column"] == "mix")
    assert mix["kind"] == "categorical"
    assert mix["current"]["top_categories"]["b"] == pytest.approx((current["mix"] == "b").mean())
    # The files: the summary as returned, an HTML page, no temporary leftovers.
    assert json.loads((tmp_path / "summary.json").read_text()) == summary
    assert (tmp_path / "report.html").stat().st_size > 10_000
    assert not list(tmp_path.glob(".*"))
    assert {PREDICTION_COLUMN, "shifted", "mix"} <= set(summary["report_columns"])
    table = summary_table(summary)
    assert set(table["column"]) == set(flags) and "current_mean" in table.columns


def _page_figures(report_html) -> tuple[float, int, int]:
    """The sentence Evidently's page itself writes: "Drift is detected for x% of columns (n out of m)"."""
    import re

    found = re.findall(r"Drift is detected for ([0-9.]+)% of columns \((\d+) out of (\d+)\)",
                       report_html.read_text(errors="replace"))
    assert len(found) == 1, found
    share, drifted, columns = found[0]
    return float(share), int(drifted), int(columns)


def test_stored_report_figures_are_the_pages_own(tmp_path):
    """The summary records what the linked HTML page counts (its own columns, the prediction
    included), and that count is the summary's flags over the same columns."""
    reference, current = _batches(seed=4)
    rng = np.random.default_rng(5)
    summary = run_drift(reference, current, tmp_path, sample_rows=1500,
                        reference_pred=rng.beta(2, 20, len(reference)),
                        current_pred=rng.beta(6, 20, len(current)), max_html_columns=3,
                        key_columns=["stable"])
    share, drifted, columns = _page_figures(tmp_path / "report.html")
    report = summary["report"]
    assert (report["n_drifted"], report["n_columns"]) == (drifted, columns)
    assert report["share_drifted"] * 100 == pytest.approx(share, abs=1e-3)
    assert columns == len(summary["report_columns"]) == 3  # prediction, key column, most drifted
    flags = {e["column"]: e["drift_detected"] for e in summary["columns"]}
    assert drifted == sum(flags[c] for c in summary["report_columns"])
    assert report["includes_prediction"] and report["agrees_with_summary"]
    # not the same base as the summary's own count (every feature, the prediction apart)
    assert (summary["n_drifted"], summary["n_columns"]) == (2, 4)
    # page: the prediction (drifted), "stable" (the key column, not drifted), the most drifted
    assert summary["report_columns"][:2] == [PREDICTION_COLUMN, "stable"]
    assert (drifted, columns) == (2, 3)


def test_prediction_drift_and_key_columns(tmp_path):
    reference, current = _batches(seed=2)
    rng = np.random.default_rng(3)
    summary = run_drift(reference, current, tmp_path, columns=["stable", "stable_text"],
                        reference_pred=rng.beta(2, 20, len(reference)),
                        current_pred=rng.beta(6, 20, len(current)), key_columns=["stable_text"],
                        max_html_columns=2)
    assert summary["prediction"]["drift_detected"] is True
    assert summary["n_drifted"] == 0  # the prediction is reported apart from the columns
    assert summary["key_columns"] == ["stable_text"]
    assert summary["report_columns"] == [PREDICTION_COLUMN, "stable_text"]


def test_bad_inputs_are_named(tmp_path):
    reference, current = _batches()
    with pytest.raises(ValueError, match=r"current data: missing column\(s\) stable"):
        run_drift(reference, current.drop(columns="stable"), tmp_path, columns=["stable", "shifted"])
    with pytest.raises(ValueError, match="reference predictions: 3 values for 2500 rows"):
        run_drift(reference, current, tmp_path, reference_pred=[0.1, 0.2, 0.3], current_pred=[0.1])
    with pytest.raises(ValueError, match="both reference and current"):
        run_drift(reference, current, tmp_path, reference_pred=np.zeros(len(reference)))
    empty = reference.assign(stable=np.nan)
    summary = run_drift(empty, current, tmp_path, columns=["stable", "shifted"])
    assert summary["skipped"] == {"stable": "empty in the reference or current rows"}


def test_statistics_and_rule_by_hand():
    stats = column_statistics(pd.Series([1.0, 2.0, np.nan, 5.0]))
    assert stats["missing_share"] == 0.25 and stats["mean"] == pytest.approx(8 / 3)
    assert stats["median"] == 2.0 and stats["min"] == 1.0 and stats["max"] == 5.0
    text = column_statistics(pd.Series(["a", "b", "a", None], dtype="category"))
    assert text["top_categories"] == {"a": pytest.approx(2 / 3), "b": pytest.approx(1 / 3)}
    assert drift_detected("K-S p_value", 0.01, 0.05) and not drift_detected("K-S p_value", 0.2, 0.05)
    assert drift_detected("Wasserstein distance (normed)", 0.1, 0.1)
    assert not drift_detected("Jensen-Shannon distance", 0.05, 0.1)


# ---- files in Kaggle's application format ---------------------------------------------

def _write(frame: pd.DataFrame, path):
    frame.to_csv(path, index=False)
    return path


def test_missing_columns_fail_naming_file_and_columns(tmp_path, sample_tables):
    train = sample_tables["application_train"].iloc[:300]
    test = sample_tables["application_test"].iloc[:300]
    reference = _write(train, tmp_path / "reference.csv")
    broken = _write(test.drop(columns=["AMT_CREDIT", "EXT_SOURCE_2"]), tmp_path / "october.csv")
    with pytest.raises(SchemaError) as error:
        drift_from_files(reference, broken, tmp_path / "out")
    message = str(error.value)
    assert "october.csv" in message and "AMT_CREDIT" in message and "EXT_SOURCE_2" in message
    assert "current" in message
    assert not (tmp_path / "out" / "summary.json").exists()

    from model.__main__ import main

    code = main(["-q", "drift", "--reference", str(reference), "--current", str(broken),
                 "--out", str(tmp_path / "cli")])
    assert code == 2


def test_train_against_test_files_with_a_model(tmp_path, sample_tables):
    """The command on real batches (no TARGET in the current one), with model features."""
    import joblib

    from model.features.builder import FeatureBuilder
    from model.training.calibration import ProbabilityCalibrator
    from model.training.candidates import Candidate
    from model.training.scoring import ScoringModel

    train = sample_tables["application_train"].iloc[:800]
    test = sample_tables["application_test"].iloc[:600]
    builder = FeatureBuilder().fit({"application_train": train})
    X = builder.transform({"application_train": train})
    y = train.set_index("SK_ID_CURR").loc[X.index, "TARGET"].to_numpy()
    pipeline = Candidate("logistic").build({"C": 0.05, "penalty": "l2", "solver": "lbfgs"}, 0)
    pipeline.fit(X.to_numpy(np.float32), y)
    calibrator = ProbabilityCalibrator("sigmoid").fit(pipeline.predict_proba(X.to_numpy(np.float32))[:, 1], y)
    model = ScoringModel("logistic", pipeline, calibrator, 0.1, list(X.columns))
    model_dir = tmp_path / "artifacts"
    model_dir.mkdir()
    joblib.dump(builder, model_dir / "feature_builder.joblib")
    joblib.dump(model, model_dir / "model.joblib")

    summary = drift_from_files(_write(train, tmp_path / "train.csv"),
                               _write(test, tmp_path / "test.csv"), tmp_path / "out",
                               model_dir=model_dir)
    assert "TARGET" not in {e["column"] for e in summary["columns"]}
    assert summary["prediction"] is not None
    probability = model.predict_proba(builder.transform({"application": test}))
    assert summary["prediction"]["current"]["mean"] == pytest.approx(probability.mean(), rel=1e-6)
    tested = {e["column"] for e in summary["columns"]}
    assert 10 <= len(summary["key_columns"]) <= 20
    assert set(summary["key_columns"]) <= tested
    assert any(c not in train.columns for c in summary["key_columns"])  # engineered ones too
    assert summary["current_file"].endswith("test.csv")
    assert (tmp_path / "out" / "report.html").is_file()
