"""Candidates, resampling inside folds, calibration and the ScoringModel on small synthetic data."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import SMOTE
from sklearn.metrics import brier_score_loss, roc_auc_score

from model.training.calibration import ProbabilityCalibrator, choose_calibrator
from model.training.candidates import Candidate
from model.training.scoring import ScoringModel
from model.training.search import fit_pipeline, out_of_fold, stratified_folds
from model.training.tracking import Tracker

SEED = 7


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple[pd.DataFrame, pd.Series]:
    """Features of 3,000 synthetic training clients built by the real feature builder."""
    from model.data.loader import load_tables
    from model.features.build import build_features
    from model.synth.generate import generate

    data = tmp_path_factory.mktemp("synth")
    generate(n_clients=3000, seed=SEED, out_dir=data)
    _, features, target = build_features(load_tables(data))
    known = target.notna()
    return features[known], target[known].astype(int)


@pytest.fixture(scope="module")
def arrays(synthetic) -> tuple[np.ndarray, np.ndarray]:
    X, y = synthetic
    return X.to_numpy(np.float32), y.to_numpy()


class RecordingSMOTE(SMOTE):
    """SMOTE that remembers the rows and defaulters it was asked to resample."""

    calls: list[tuple[int, int]] = []

    def fit_resample(self, X, y, **params):
        RecordingSMOTE.calls.append((len(X), int(np.sum(y))))
        return super().fit_resample(X, y, **params)


@pytest.mark.parametrize("kind", ["logistic", "lightgbm"])
def test_smote_only_sees_training_fold_rows(arrays, kind, monkeypatch):
    from model.training import search

    monkeypatch.setattr(search, "FOLD_JOBS", 1)  # the recording sampler lives in this process
    X, y = arrays
    X, y = X[:1200, :40], y[:1200]
    folds = stratified_folds(y, 5, SEED)
    candidate = Candidate(kind, "smote",
                          make_sampler=lambda seed: RecordingSMOTE(random_state=seed))
    params = candidate.default_params(quick=True)
    RecordingSMOTE.calls = []
    oof, _ = out_of_fold(candidate, params, X, y, folds, SEED)
    expected = [(len(train), int(y[train].sum())) for train, _ in folds]
    assert RecordingSMOTE.calls == expected  # one call per fold, training rows only
    assert all(rows == 960 for rows, _ in RecordingSMOTE.calls)  # never the 1,200 rows
    assert not np.isnan(oof).any()

    # At prediction time the sampler is skipped: scoring 10 rows gives 10 scores.
    RecordingSMOTE.calls = []
    pipeline = fit_pipeline(candidate, params, X, y, SEED)
    assert RecordingSMOTE.calls == [(1200, int(y.sum()))]
    assert pipeline.predict_proba(X[:10]).shape == (10, 2)
    assert RecordingSMOTE.calls == [(1200, int(y.sum()))]


def test_dummy_is_near_chance_and_lightgbm_beats_it(arrays):
    X, y = arrays
    folds = stratified_folds(y, 3, SEED)
    aucs = {}
    for candidate in (Candidate("dummy"), Candidate("lightgbm", "none")):
        oof, _ = out_of_fold(candidate, candidate.default_params(quick=True), X, y, folds, SEED)
        aucs[candidate.kind] = roc_auc_score(y, oof)
    assert abs(aucs["dummy"] - 0.5) < 0.06
    assert aucs["lightgbm"] > aucs["dummy"] + 0.08


@pytest.mark.parametrize("kind", ["lightgbm", "blend"])
def test_folds_fitted_in_two_processes_score_as_one_after_the_other(arrays, kind, monkeypatch):
    """Folds fitted at once in worker processes (the build's default) give the same
    out-of-fold scores as the same fits one after the other: same rows, same seed."""
    from model.training import search

    X, y = arrays
    X, y = X[:1500, :60], y[:1500]
    folds = stratified_folds(y, 3, SEED)
    directions = tuple(1 if j % 7 == 0 else 0 for j in range(X.shape[1]))
    candidate = Candidate(kind, "none", monotone=directions, base_columns=(0, 7))
    params = {**candidate.default_params(quick=True), "n_estimators": 60}
    scores = {}
    for jobs in (1, 2):
        monkeypatch.setattr(search, "FOLD_JOBS", jobs)
        scores[jobs], _ = out_of_fold(candidate, params, X, y, folds, SEED)
    assert not np.isnan(scores[2]).any()
    np.testing.assert_array_equal(scores[1], scores[2])


def test_calibration_improves_class_weighted_scores(arrays):
    X, y = arrays
    folds = stratified_folds(y, 3, SEED)
    candidate = Candidate("logistic", "balanced")  # weights inflate P(default) roughly 6 times
    raw, _ = out_of_fold(candidate, candidate.default_params(quick=True), X, y, folds, SEED)
    calibrator, briers, cross_fitted = choose_calibrator(raw, y, folds)
    expected = ("isotonic" if briers["isotonic"] < 0.99 * briers["sigmoid"] else "sigmoid")
    assert calibrator.method == expected
    assert briers[calibrator.method] <= briers["raw"]
    assert brier_score_loss(y, cross_fitted) == pytest.approx(briers[calibrator.method])
    # A class-weighted model overstates risk; calibrated probabilities average near the base rate.
    assert raw.mean() > 2 * y.mean()
    assert calibrator.predict(raw).mean() == pytest.approx(y.mean(), abs=0.01)


def test_calibrator_keeps_order_and_range():
    rng = np.random.default_rng(0)
    truth = rng.random(2000) * 0.3
    y = (rng.random(2000) < truth).astype(int)
    raw = np.sqrt(truth)  # overstated but monotone
    for method in ("isotonic", "sigmoid"):
        calibrated = ProbabilityCalibrator(method).fit(raw, y).predict(np.sort(raw))
        assert np.all(np.diff(calibrated) >= -1e-12)
        assert calibrated.min() >= 0 and calibrated.max() <= 1
        assert brier_score_loss(y, ProbabilityCalibrator(method).fit(raw, y).predict(raw)) < \
            brier_score_loss(y, raw)
    with pytest.raises(ValueError, match="unknown calibration method"):
        ProbabilityCalibrator("beta").fit(raw, y)


def _scoring_model(synthetic, kind: str, imbalance: str = "none") -> ScoringModel:
    X, y = synthetic
    X = X.iloc[:, :60]
    candidate = Candidate(kind, imbalance)
    pipeline = fit_pipeline(candidate, candidate.default_params(quick=True),
                            X.to_numpy(np.float32), y.to_numpy(), SEED)
    raw = pipeline.predict_proba(X.to_numpy(np.float32))[:, 1]
    calibrator = ProbabilityCalibrator("sigmoid").fit(raw, y.to_numpy())
    return ScoringModel(kind, pipeline, calibrator, 0.12, list(X.columns))


@pytest.mark.parametrize("kind,imbalance", [("lightgbm", "none"), ("logistic", "smote"),
                                            ("dummy", "none")])
def test_scoring_model_contract(synthetic, kind, imbalance):
    model = _scoring_model(synthetic, kind, imbalance)
    X = synthetic[0].iloc[:200]
    p = model.predict_proba(X)
    assert p.shape == (200,) and p.min() >= 0 and p.max() <= 1
    assert np.array_equal(model.decide(p), p >= 0.12)
    assert model.decide(np.array([0.12, 0.1199])).tolist() == [True, False]
    # Column order does not matter; extra columns are ignored.
    shuffled = X[list(reversed(X.columns))]
    assert np.allclose(model.predict_proba(shuffled), p)
    # The margin is the classifier's log-odds of the raw probability.
    raw = model.predict_raw(X)
    margin = model.predict_margin(X)
    assert np.allclose(1 / (1 + np.exp(-margin)), raw, atol=1e-6)
    assert model.preprocess(X).shape == (200, 60)
    assert model.classifier_ is model.pipeline_[-1]


def test_missing_feature_column_is_named(synthetic):
    model = _scoring_model(synthetic, "logistic")
    X = synthetic[0].iloc[:5].drop(columns=[model.feature_names_[3]])
    with pytest.raises(ValueError, match=model.feature_names_[3]):
        model.predict_proba(X)


def test_tracking_failure_never_raises(tmp_path, caplog):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    tracker = Tracker(blocker / "mlruns")
    assert not tracker.active
    curve = pd.DataFrame({"threshold": [0.0, 1.0], "cost": [3, 30], "cost_per_1000": [1, 10]})
    assert tracker.log_candidate("x", {}, {"auc": 0.7}, curve, 0.5) is None
    assert "MLflow tracking unavailable" in caplog.text


def test_search_subset_is_stratified_and_bounded():
    from model.training.train import _stratified_subset

    y = np.r_[np.ones(100, int), np.zeros(900, int)]
    rows = _stratified_subset(y, 200, SEED)
    assert len(rows) == 200 and len(np.unique(rows)) == 200
    assert y[rows].sum() == 20  # 10 % defaulters kept
    assert _stratified_subset(y, None, SEED).tolist() == list(range(1000))
    assert len(_stratified_subset(y, 5000, SEED)) == 1000


def test_median_imputer_matches_hand_computed_medians():
    from model.training.candidates import MedianImputer

    X = np.array([[1.0, np.nan, 5.0], [3.0, np.nan, np.nan], [np.nan, np.nan, 7.0],
                  [10.0, np.nan, 6.0]], dtype=np.float32)
    imputer = MedianImputer().fit(X)
    # medians of observed values: [1, 3, 10] -> 3; never observed -> 0; [5, 7, 6] -> 6
    assert imputer.statistics_.tolist() == [3.0, 0.0, 6.0]
    out = imputer.transform(X)
    assert out.dtype == np.float32 and not np.isnan(out).any()
    assert out[:, 0].tolist() == [1.0, 3.0, 3.0, 10.0] and out[1, 2] == 6.0
    assert np.isnan(X).sum() == 6  # the caller's matrix is left alone
    with pytest.raises(ValueError, match="fitted on 3 features"):
        imputer.transform(X[:, :2])


def test_scoring_model_same_columns_and_reordered_columns_agree(synthetic):
    model = _scoring_model(synthetic, "logistic", "none")
    X = synthetic[0].iloc[:50]
    exact = X[model.feature_names_]  # the app's case: exactly the model's columns
    p = model.predict_proba(exact)
    assert np.allclose(model.predict_proba(X[list(reversed(X.columns))]), p)
    assert np.allclose(model.predict_proba(exact.iloc[[7]]), p[7])


def test_restricted_folds_keep_each_clients_fold():
    from model.training.search import restrict_folds

    # 6 rows, 2 folds: fold A validates rows 0, 2, 4; fold B validates 1, 3, 5.
    folds = [(np.array([1, 3, 5]), np.array([0, 2, 4])), (np.array([0, 2, 4]), np.array([1, 3, 5]))]
    rows = np.array([1, 2, 5])  # renumbered 0, 1, 2
    restricted = restrict_folds(folds, rows, 6)
    assert [(t.tolist(), v.tolist()) for t, v in restricted] == [([0, 2], [1]), ([1], [0, 2])]


def test_sigmoid_calibration_moves_with_any_raw_change():
    """Why sigmoid is preferred: isotonic maps whole ranges of scores to one probability."""
    rng = np.random.default_rng(1)
    raw = rng.random(3000) * 0.4
    y = (rng.random(3000) < raw).astype(int)
    sigmoid = ProbabilityCalibrator("sigmoid").fit(raw, y)
    isotonic = ProbabilityCalibrator("isotonic").fit(raw, y)
    grid = np.linspace(0.05, 0.35, 301)
    assert np.all(np.diff(sigmoid.predict(grid)) > 0)
    assert np.sum(np.diff(isotonic.predict(grid)) == 0) > 0  # flat steps
