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


def test_the_loans_trees_grown_on_their_columns_are_those_of_the_whole_matrix(rows):
    """The base stage is grown on the loan's columns alone and renumbered (`widened`): the
    same trees, hence the same scores, as LightGBM growing them on every column under an
    interaction constraint (the slower way it was done), and a booster of every column
    whose splits use only the loan's."""
    import lightgbm as lgb

    X, y = rows
    X = np.where(np.random.default_rng(1).random(X.shape) < 0.1, np.nan, X).astype(np.float32)
    base, monotone = (4, 1, 6), [1, 0, 0, 0, -1, 0, 1, 0]
    model = EarlyStoppingLGBMClassifier(
        inner_folds=0, n_estimators=5, base_columns=base, base_trees=60,
        base_learning_rate=0.05, base_params={"num_leaves": 4, "subsample": 0.5},
        monotone_constraints=monotone, subsample_freq=1, random_state=2, verbose=-1)
    grown = model._base(X, y)
    whole = lgb.LGBMClassifier(
        **{**model._inner_fit_params(), "colsample_bytree": 1.0, "learning_rate": 0.05,
           "n_estimators": 60, "num_leaves": 4, "subsample": 0.5,
           "interaction_constraints": [list(base)]}).fit(X, y).booster_
    assert grown.num_feature() == X.shape[1] and grown.current_iteration() == 60
    np.testing.assert_allclose(grown.predict(X, raw_score=True),
                               whole.predict(X, raw_score=True), rtol=0, atol=1e-12)
    used = {int(f) for tree in grown.dump_model()["tree_info"]
            for f in _split_features(tree["tree_structure"])}
    assert used and used <= set(base)
    # the whole model boosts on top of them, in one booster
    model.fit(X, y)
    assert model.base_trees_ == 60 and model.booster_.current_iteration() == 65


def _split_features(node: dict) -> list[int]:
    if "split_feature" not in node:
        return []
    return [node["split_feature"], *_split_features(node["left_child"]),
            *_split_features(node["right_child"])]


def test_real_sample_build_chooses_a_model_with_hundreds_of_trees(artifacts_dir):
    metrics = json.loads((artifacts_dir / "metrics.json").read_text())
    comparison = (artifacts_dir / "comparison.md").read_text()
    assert "| trees | learning rate | stopping round |" in comparison
    chosen = metrics["candidates"][metrics["chosen"]]
    if chosen["kind"] in ("lightgbm", "blend"):  # the blend's trees
        assert chosen["capacity"]["trees"] >= MIN_TREES
        assert metrics["final"]["trees"] >= MIN_TREES
    for name, result in metrics["candidates"].items():
        if result["kind"] in ("lightgbm", "blend"):
            assert result["capacity"]["trees"] >= 1 and result["capacity"]["learning_rate"] > 0


def test_chosen_model_ranks_at_least_as_well_as_the_best_logistic_candidate(artifacts_dir):
    """Issue 18's line: the chosen model's held-out AUC is at least the best logistic
    candidate's. The held-out split holds 1,000 clients and 77 defaults, where an AUC moves by
    a few hundredths by chance (benchmarks/bench_holdout_auc.py), so the same is asked on the
    five folds of 4,000 clients. LightGBM alone met the second (0.754 against 0.728) but not
    the first (0.7325 against 0.7407); the blend of LightGBM and the sign-bounded logistic
    regression is chosen on the sample and meets both (0.758 and 0.743)."""
    metrics = json.loads((artifacts_dir / "metrics.json").read_text())
    logistic = [r for r in metrics["candidates"].values() if r["kind"] == "logistic"]
    chosen = metrics["candidates"][metrics["chosen"]]
    assert chosen["cv"]["auc"] >= max(r["cv"]["auc"] for r in logistic)
    assert chosen["holdout"]["auc"] >= max(r["holdout"]["auc"] for r in logistic)
