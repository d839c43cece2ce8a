"""The logistic regression whose coefficient signs follow the direction table (eligible)."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from model.training.candidates import Candidate, MonotoneLogisticRegression, all_candidates
from model.training.search import fit_pipeline


@pytest.fixture(scope="module")
def rows() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(4)
    X = rng.normal(size=(2000, 4))
    # column 0 raises the risk, column 1 lowers it: a +1 on column 1 must hold it at zero
    y = (rng.random(2000) < 1 / (1 + np.exp(-(-2 + X[:, 0] - X[:, 1])))).astype(int)
    return X, y


def test_without_directions_it_is_scikit_learns_l2_logistic_regression(rows):
    X, y = rows
    ours = MonotoneLogisticRegression(C=0.05, tol=1e-8, max_iter=2000).fit(X, y)
    theirs = LogisticRegression(C=0.05, tol=1e-10, max_iter=2000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-4)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-4)


def test_a_float32_matrix_is_fitted_in_place_to_the_same_coefficients(rows):
    """The pipeline hands it float32 rows: no float64 copy (2 GB at Kaggle's size), and the
    same fit as on float64 within the optimiser's tolerance."""
    X, y = rows
    wide = MonotoneLogisticRegression(monotone=(1, 1, -1, 0), C=0.05, tol=1e-8,
                                      max_iter=2000).fit(X, y)
    narrow = MonotoneLogisticRegression(monotone=(1, 1, -1, 0), C=0.05, tol=1e-8,
                                        max_iter=2000).fit(X.astype(np.float32), y)
    np.testing.assert_allclose(narrow.coef_, wide.coef_, atol=1e-4)
    np.testing.assert_allclose(narrow.intercept_, wide.intercept_, atol=1e-4)
    assert narrow.coef_.dtype == np.float64


def test_signs_follow_the_directions(rows):
    X, y = rows
    model = MonotoneLogisticRegression(monotone=(1, 1, -1, 0), C=0.05).fit(X, y)
    coef = model.coef_.ravel()
    assert coef[0] > 0.5  # the true direction is kept
    assert coef[1] == 0.0  # the data says -1, the table +1: held at the bound
    assert coef[2] <= 0.0


def test_the_candidate_is_eligible_and_its_pipeline_is_monotone(rows):
    X, y = rows
    candidate = next(c for c in all_candidates((1, 1, -1, 0)) if c.name == "logistic_none_monotone")
    assert candidate.ineligible_reason == ""
    assert Candidate("logistic").ineligible_reason  # the unsigned one stays a reference
    pipeline = fit_pipeline(candidate, candidate.default_params(True), X, y, seed=1)
    grid = X[:50]
    for column, direction in ((0, 1), (1, 1), (2, -1)):
        higher = grid.copy()
        higher[:, column] += 1.0
        delta = pipeline.predict_proba(higher)[:, 1] - pipeline.predict_proba(grid)[:, 1]
        assert (direction * delta >= -1e-12).all(), column
