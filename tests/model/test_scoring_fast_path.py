"""The scoring model's fast path (LightGBM's booster called directly, the calibrator's
logistic map without scikit-learn's checks) gives what the fitted scikit-learn objects give:
a shortcut for speed must never move a probability."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import logit


def _rows(app_state, count: int = 400) -> pd.DataFrame:
    rows = np.linspace(0, len(app_state.clients) - 1, count).astype(int)
    return pd.DataFrame(np.asarray(app_state.features[rows], dtype=np.float32),
                        columns=app_state.feature_names)


def _reference(model, X: pd.DataFrame) -> np.ndarray:
    """Calibrated probabilities through scikit-learn's own calls (the pipeline's
    `predict_proba`, the calibrator's fitted estimator)."""
    raw = model.pipeline_.predict_proba(X[model.feature_names_].to_numpy(np.float32))[:, 1]
    calibrator = model.calibrator_
    if calibrator.method == "isotonic":
        return np.clip(calibrator.model_.predict(raw), 0.0, 1.0)
    clipped = np.clip(raw, 1e-12, 1 - 1e-12)
    return calibrator.model_.predict_proba(logit(clipped).reshape(-1, 1))[:, 1]


def test_the_fast_path_gives_scikit_learns_probabilities(app_state):
    model = app_state.model
    X = _rows(app_state)
    history = model.has_history(X)
    assert history.any()
    np.testing.assert_allclose(model.predict_proba(X.iloc[np.flatnonzero(history)]),
                               _reference(model, X.iloc[np.flatnonzero(history)]),
                               rtol=0, atol=1e-12)
    one = X.iloc[[int(np.flatnonzero(history)[0])]]
    np.testing.assert_allclose(model.predict_proba(one), _reference(model, one), rtol=0, atol=1e-12)
    if model.no_history_ is not None and (~history).any():
        new = X.iloc[np.flatnonzero(~history)]
        np.testing.assert_allclose(model.predict_proba(new), _reference(model.no_history_, new),
                                   rtol=0, atol=1e-12)


def test_a_model_that_has_scored_pickles_without_its_caches(app_state):
    """Scoring fills caches (the booster, the column positions); a set saved afterwards must
    not carry them (a second copy of the booster in model.joblib)."""
    import pickle

    from model.training.scoring import _CACHES

    model = pickle.loads(pickle.dumps(app_state.model))  # a fresh copy, caches empty
    fresh = len(pickle.dumps(model))
    X = _rows(app_state, 20)
    first = model.predict_proba(X.iloc[[0]])
    assert any(name in model.__dict__ for name in _CACHES)
    again = pickle.loads(pickle.dumps(model))
    assert not any(name in again.__dict__ for name in _CACHES)
    assert len(pickle.dumps(model)) == fresh
    np.testing.assert_array_equal(again.predict_proba(X.iloc[[0]]), first)
