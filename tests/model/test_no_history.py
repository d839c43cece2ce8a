"""Applicants without credit history: routed to the application-only model, measured by
segment, explained exactly; training clients stored with out-of-fold probabilities."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from model.training.segments import CALIBRATION_TOLERANCE, segment_metrics


@pytest.fixture(scope="module")
def state(artifacts_dir):
    from webapp.serving import load_state

    return load_state(artifacts_dir)


@pytest.fixture(scope="module")
def metrics(artifacts_dir) -> dict:
    return json.loads((artifacts_dir / "metrics.json").read_text())


def stripped_rows(state, client_ids) -> pd.DataFrame:
    """Feature rows of stored clients with all their history removed (new-applicant path)."""
    apps = state.applications.loc[list(client_ids)].reset_index()
    return state.builder.transform({"application": apps})


def test_metrics_report_both_segments_and_the_application_only_model(metrics, artifacts_dir):
    segments = metrics["segments"]
    for key in ("with_history", "no_history", "application_only", "main_model_no_history"):
        assert {"n_clients", "auc", "cost_per_1000", "mean_predicted", "observed_rate",
                "calibration_gap"} <= set(segments[key]), key
    assert segments["no_history"]["n_clients"] == metrics["n_clients"]["holdout"]
    assert 0 < segments["with_history"]["n_clients"] <= metrics["n_clients"]["holdout"]
    no_history, app_only = segments["no_history"], segments["application_only"]
    assert no_history["auc"] >= app_only["auc"] - 1e-12
    assert no_history["cost"] <= app_only["cost"]
    assert abs(no_history["calibration_gap"]) <= CALIBRATION_TOLERANCE
    comparison = (artifacts_dir / "comparison.md").read_text()
    assert "Clients with and without credit history" in comparison
    assert "Monotone constraints" in comparison


def test_constraint_cost_is_measured_on_the_same_folds(metrics):
    constraints = metrics["constraints"]
    assert constraints["n_constrained"] > 20
    assert constraints["cv_auc_cost"] == pytest.approx(
        constraints["cv_auc_unconstrained"] - constraints["cv_auc_constrained"])
    assert 0.5 < constraints["cv_auc_constrained"] < 1


def test_clients_without_history_are_scored_by_the_application_only_model(state):
    ids = state.clients.index[state.clients["set"] == "train"][:50]
    stripped = stripped_rows(state, ids)
    model = state.model
    assert not model.has_history(stripped).any()
    with_history = pd.concat([state.feature_row(int(i)) for i in ids])
    assert model.has_history(with_history).mean() > 0.9
    sub = model.no_history_
    np.testing.assert_allclose(model.predict_proba(stripped), sub.predict_proba(stripped))
    mixed = pd.concat([stripped.iloc[:5], with_history.iloc[5:10]])
    expected = np.concatenate([sub.predict_proba(stripped.iloc[:5]),
                               model.calibrator_.predict(
                                   model.pipeline_.predict_proba(
                                       with_history.iloc[5:10].to_numpy(np.float32))[:, 1])])
    np.testing.assert_allclose(model.predict_proba(mixed), expected, rtol=1e-6)


@pytest.mark.parametrize("history", [True, False])
def test_shap_bars_add_up_to_the_shown_probability_in_both_segments(state, history):
    from model.explain.local import ClientExplainer

    explainer = ClientExplainer(state.model, state.dictionary)
    ids = state.clients.index[:20]
    rows = (pd.concat([state.feature_row(int(i)) for i in ids]) if history
            else stripped_rows(state, ids))
    rows = rows[state.model.has_history(rows) == history]
    assert len(rows)
    base, values = explainer.explain_rows(rows)
    np.testing.assert_allclose(np.asarray(base) + values.sum(axis=1),
                               state.model.predict_margin(rows), atol=1e-6)
    for position in range(min(len(rows), 5)):
        row = rows.iloc[[position]]
        explanation = explainer.explain(row, top_n=8)
        shown = float(state.model.predict_proba(row)[0])
        assert explanation.probability == pytest.approx(shown, abs=1e-9)
        steps = explanation.table["probability_change"].sum()
        assert explanation.base_probability + steps == pytest.approx(shown, abs=1e-9)
        if not history:  # history columns get exactly zero from the application-only model
            history_columns = set(state.model.feature_names_) - set(
                state.model.no_history_.feature_names_)
            assert (values.iloc[position][list(history_columns)] == 0).all()


def test_training_clients_are_stored_with_out_of_fold_probabilities(state, artifacts_dir):
    clients = state.clients
    train = clients[clients["set"] == "train"]
    oof = pd.read_parquet(artifacts_dir / "oof_probability.parquet")["probability"]
    covered = train.index.intersection(oof.index)
    assert len(covered) == len(train)  # quick mode on the sample: every training client
    assert (train["probability_source"] == "out_of_fold").all()
    np.testing.assert_allclose(train.loc[covered, "probability"], oof.loc[covered], rtol=1e-6)
    # the final model saw these clients: its scores differ from the out-of-fold ones
    assert not np.allclose(train["probability"], train["probability_final"])
    test = clients[clients["set"] == "test"]
    assert (test["probability_source"] == "final_model").all()
    np.testing.assert_array_equal(test["probability"], test["probability_final"])


def test_segment_metrics_by_hand():
    # 4 clients, 1 default; threshold 0.5 refuses the 0.6 (a good client: 1 FP) and the
    # 0.9 (the default: caught). Cost = 10 * 0 FN + 1 * 1 FP = 1.
    y = np.array([0, 0, 0, 1])
    p = np.array([0.1, 0.2, 0.6, 0.9])
    result = segment_metrics(y, p, 0.5)
    assert result["cost"] == 1 and result["cost_per_1000"] == 250.0
    assert result["auc"] == 1.0
    assert result["mean_predicted"] == pytest.approx(0.45)  # 1.8 / 4
    assert result["observed_rate"] == 0.25
    assert result["calibration_gap"] == pytest.approx(0.8)  # (0.45 - 0.25) / 0.25
    assert result["calibrated_within_tolerance"] is False


@pytest.mark.parametrize("lang, heading, row", [
    ("fr", "Clients avec et sans historique de crédit", "Sans historique (modèle utilisé)"),
    ("en", "Clients with and without credit history", "Without history (model in use)")])
def test_model_screen_shows_both_segments(metrics, lang, heading, row):
    import app  # noqa: F401  (Dash executes the page modules: they need the app first)
    from webapp.pages.model_card import constraints_block, segments_block

    text = str(segments_block(metrics, lang))
    assert heading in text and row in text
    assert str(metrics["segments"]["with_history"]["n_clients"]) in text
    assert "AUC" in str(constraints_block(metrics, lang))
    assert segments_block({}, lang) == []
