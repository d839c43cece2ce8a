"""The optbinning scorecard challenger: directions by construction, points that add up,
and its place among the candidates of the real-sample build (issue 18)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from model.training.candidates import all_candidates
from model.training.scorecard import ScorecardClassifier
from model.training.search import fit_pipeline

DIRECTIONS = (1, -1, 0, 0, 0, 0)


@pytest.fixture(scope="module")
def rows() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(18)
    X = rng.normal(size=(3000, len(DIRECTIONS)))
    X[rng.random(X.shape) < 0.05] = np.nan
    filled = np.nan_to_num(X)
    # column 0 raises the risk, column 1 lowers it, column 2 raises it (no direction given)
    logit = -2.5 + filled[:, 0] - 0.8 * filled[:, 1] + 0.6 * filled[:, 2]
    y = (rng.random(len(X)) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


@pytest.fixture(scope="module")
def fitted(rows):
    candidate = next(c for c in all_candidates(DIRECTIONS) if c.kind == "scorecard")
    return candidate, fit_pipeline(candidate, candidate.default_params(True), *rows, seed=3)


def test_the_scorecard_is_a_challenger_among_the_candidates(fitted):
    candidate, _ = fitted
    assert candidate.name == "scorecard"
    assert "explainer" in candidate.ineligible_reason  # cannot win until reasons read points
    assert not any(c.kind == "scorecard" for c in all_candidates(()))  # needs a direction table


def test_directions_hold_by_construction(fitted, rows):
    """Raising a +1 column never lowers the probability, raising a -1 column never raises
    it, on every row, by any step (bins are monotone, coefficients sign-bounded)."""
    _, pipeline = fitted
    X, _ = rows
    grid = X[~np.isnan(X[:, :2]).any(axis=1)][:300]
    base = pipeline.predict_proba(grid)[:, 1]
    for column, direction in ((0, 1), (1, -1)):
        for step in (0.1, 0.5, 2.0):
            moved = grid.copy()
            moved[:, column] += step
            delta = pipeline.predict_proba(moved)[:, 1] - base
            assert (direction * delta >= -1e-12).all(), (column, step)
    scorecard = pipeline[-1]
    assert (scorecard.scorecard_.estimator_.coef_ <= 0).all()  # WoE falls as risk rises


def test_points_table_reads_the_score(fitted, rows):
    """A client's points are the sum of its bins' points: the table is the model."""
    _, pipeline = fitted
    X, _ = rows
    scorecard: ScorecardClassifier = pipeline[-1]
    names = [f"f{j}" for j in range(X.shape[1])]
    table = scorecard.points_table(names)
    assert {"f0", "f1", "f2"} <= set(table["feature"])  # the three columns with a signal
    f0 = table[table["feature"] == "f0"]
    numeric = f0[~f0["bin"].isin(["Special", "Missing"])]["points"].to_numpy()
    assert (np.diff(numeric) <= 1e-9).all()  # +1: more of it, fewer points
    score = scorecard.scorecard_.score(scorecard._frame(X[:20]))
    probability = pipeline.predict_proba(X[:20])[:, 1]
    assert (np.diff(score[np.argsort(probability)]) <= 1e-6).all()  # more points = safer


def test_real_sample_build_compares_the_scorecard_with_its_points(artifacts_dir):
    metrics = json.loads((artifacts_dir / "metrics.json").read_text())
    if "scorecard" not in metrics["candidates"]:
        pytest.skip("set built without a direction table")
    scorecard = metrics["candidates"]["scorecard"]
    assert metrics["chosen"] != "scorecard"
    assert scorecard["cv"]["cost_per_1000"] > 0 and 0.5 < scorecard["holdout"]["auc"] < 1
    assert scorecard["points"]
    comparison = (artifacts_dir / "comparison.md").read_text()
    assert "## Scorecard challenger: points per bin" in comparison
    assert f"| {scorecard['points'][0]['feature']} |" in comparison
