"""The optbinning scorecard: directions by construction, points that add up, explained
term by term like any eligible candidate, and its place among the candidates of the
real-sample build (issue 18)."""
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


def test_the_scorecard_is_eligible_and_explained_exactly_through_the_scoring_model(fitted, rows):
    """Eligible by its directions, the scorecard is scored and explained as any chosen model
    would be: SHAP values that add up to its log-odds, a client alone scored as in its batch,
    and each term read as points (PDO / ln 2 points per unit of log-odds)."""
    import pandas as pd

    from model.explain.local import ClientExplainer
    from model.training.calibration import ProbabilityCalibrator
    from model.training.scorecard import PDO
    from model.training.scoring import ScoringModel

    candidate, pipeline = fitted
    X, y = rows
    assert candidate.name == "scorecard" and candidate.ineligible_reason == ""
    assert not any(c.kind == "scorecard" for c in all_candidates(()))  # needs a direction table
    names = [f"f{j}" for j in range(X.shape[1])]
    raw = pipeline.predict_proba(X)[:, 1]
    model = ScoringModel("scorecard", pipeline, ProbabilityCalibrator("sigmoid").fit(raw, y),
                         0.2, names)
    frame = pd.DataFrame(X[:40].astype(np.float32), columns=names)
    base, values = ClientExplainer(model).explain_rows(frame)
    margin = model.predict_margin(frame)
    assert np.allclose(base + values.sum(axis=1).to_numpy(), margin, atol=1e-9)
    assert values["f3"].abs().max() < values["f0"].abs().max()  # the signal's columns lead
    alone = np.array([model.predict_proba(frame.iloc[[i]])[0] for i in range(len(frame))])
    assert np.array_equal(alone, model.predict_proba(frame))
    scorecard: ScorecardClassifier = pipeline[-1]
    points = scorecard.scorecard_.score(scorecard._frame(X[:40]))
    # points = constant - PDO / ln 2 x log-odds: the terms are the points, on another scale
    slope = np.polyfit(margin, points, 1)[0]
    assert slope == pytest.approx(-PDO / np.log(2), rel=1e-6)


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
    """The scorecard is compared on the same folds, its points written out, and chosen only
    if it also listens to the loan (the gate every candidate passes)."""
    metrics = json.loads((artifacts_dir / "metrics.json").read_text())
    if "scorecard" not in metrics["candidates"]:
        pytest.skip("set built without a direction table")
    scorecard = metrics["candidates"]["scorecard"]
    assert scorecard["cv"]["cost_per_1000"] > 0 and 0.5 < scorecard["holdout"]["auc"] < 1
    assert scorecard["points"]
    response = scorecard["loan_response"]
    assert response["clients"] > 400 and response["lower"] == 0
    assert scorecard["eligible"] == (response["higher"] >= 0.8)
    if not scorecard["eligible"]:
        assert "raises the probability" in scorecard["ineligible_reason"]
    comparison = (artifacts_dir / "comparison.md").read_text()
    assert "## Scorecard: points per bin" in comparison
    assert f"| {scorecard['points'][0]['feature']} |" in comparison


def test_every_candidate_of_the_build_was_asked_whether_the_loan_moves_it(artifacts_dir):
    """The chosen model raises the probability of at least 80 % of the sampled tuning clients
    when their loan doubles and lowers none; a candidate that does not is never chosen (the
    dummy ignores the loan)."""
    metrics = json.loads((artifacts_dir / "metrics.json").read_text())
    chosen = metrics["candidates"][metrics["chosen"]]
    assert chosen["loan_response"]["higher"] >= 0.8 and chosen["loan_response"]["lower"] == 0
    dummy = metrics["candidates"]["dummy"]
    assert not dummy["eligible"] and dummy["loan_response"]["higher"] < 0.8
    for name, summary in metrics["candidates"].items():
        response = summary["loan_response"]
        if response["higher"] < 0.8 or response["lower"] > 0:
            assert not summary["eligible"], name
