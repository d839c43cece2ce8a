"""LightGBM's number of trees: early stopping on inner folds, reported per candidate (issue 18)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from model.training.candidates import Candidate, EarlyStoppingLGBMClassifier, capacity
from model.training.search import fit_pipeline

# On the real sample the chosen LightGBM had 9 trees (learning rate 0.1, one 15 % slice).
MIN_TREES = 100


@pytest.fixture(scope="module")
def rows() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 8)).astype(np.float32)
    logit = -2.5 + X[:, 0] - 0.7 * X[:, 1] + 0.4 * X[:, 2] * X[:, 3]
    y = (rng.random(3000) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


def test_trees_are_the_mean_best_iteration_of_the_inner_folds(rows):
    X, y = rows
    model = EarlyStoppingLGBMClassifier(inner_folds=3, early_stopping_rounds=20,
                                        learning_rate=0.05, n_estimators=600, num_leaves=7,
                                        random_state=1, verbose=-1).fit(X, y)
    best = model.inner_best_iterations_
    assert len(best) == 3 and all(1 <= b < 600 for b in best)  # each fold stopped early
    assert model.n_trees_ == round(np.mean(best))
    assert model.booster_.current_iteration() == model.n_trees_
    assert model.get_params()["n_estimators"] == 600  # the cap asked for is kept


def test_without_inner_folds_the_cap_is_grown(rows):
    X, y = rows
    model = EarlyStoppingLGBMClassifier(inner_folds=0, n_estimators=37, verbose=-1).fit(X, y)
    assert model.booster_.current_iteration() == 37 and model.inner_best_iterations_ == []


def test_capacity_of_a_fitted_candidate(rows):
    X, y = rows
    pipeline = fit_pipeline(Candidate("lightgbm"), {"learning_rate": 0.05, "n_estimators": 500},
                            X, y, seed=3)
    found = capacity(pipeline)
    assert found["trees"] == pipeline[-1].n_trees_
    assert found["learning_rate"] == 0.05 and found["inner_folds"] == 2  # quick: n <= 1000
    logistic = fit_pipeline(Candidate("logistic"), Candidate("logistic").default_params(True),
                            X, y, seed=3)
    assert capacity(logistic) == {}


def test_real_sample_build_chooses_a_model_with_hundreds_of_trees(artifacts_dir):
    metrics = json.loads((artifacts_dir / "metrics.json").read_text())
    comparison = (artifacts_dir / "comparison.md").read_text()
    assert "| trees | learning rate | stopping round |" in comparison
    chosen = metrics["candidates"][metrics["chosen"]]
    if chosen["kind"] == "lightgbm":
        assert chosen["capacity"]["trees"] >= MIN_TREES
        assert metrics["final"]["trees"] >= MIN_TREES
    for name, result in metrics["candidates"].items():
        if result["kind"] == "lightgbm":
            assert result["capacity"]["trees"] >= 1 and result["capacity"]["learning_rate"] > 0


def test_chosen_model_ranks_at_least_as_well_as_the_best_logistic_candidate(artifacts_dir):
    """Done-when of issue 18, on the held-out split of the session's build."""
    metrics = json.loads((artifacts_dir / "metrics.json").read_text())
    logistic = max(r["holdout"]["auc"] for r in metrics["candidates"].values()
                   if r["kind"] == "logistic")
    assert metrics["holdout"]["auc"] >= logistic


def test_the_loan_base_trees_use_only_their_columns_and_keep_the_direction(rows):
    X, y = rows
    model = EarlyStoppingLGBMClassifier(inner_folds=2, early_stopping_rounds=20,
                                        base_columns=(2, 3), base_trees=15,
                                        base_learning_rate=0.1, learning_rate=0.05,
                                        n_estimators=300, num_leaves=7,
                                        monotone_constraints=[0, 0, 1, 0, 0, 0, 0, 0],
                                        random_state=2, verbose=-1).fit(X, y)
    assert 1 <= model.base_trees_ <= 15
    assert model.n_trees_ == model.base_trees_ + round(np.mean(model.inner_best_iterations_))
    trees = model.booster_.trees_to_dataframe()
    first = trees[(trees["tree_index"] < model.base_trees_) & trees["split_feature"].notna()]
    assert set(first["split_feature"]) <= {"Column_2", "Column_3"} and len(first)
    grid = np.repeat(X[:1], 50, axis=0)
    grid[:, 2] = np.linspace(-3, 3, 50)
    assert (np.diff(model.predict(grid, raw_score=True)) >= -1e-12).all()
