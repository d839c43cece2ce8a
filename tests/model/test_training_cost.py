"""Business cost and threshold search against hand-computed examples."""
from __future__ import annotations

import numpy as np
import pytest

from model.training.cost import best_threshold, business_cost, cost_at
from model.training.metrics import evaluate

# Six clients, by score: 0.9 (bad), 0.8 (good), 0.7 (bad), 0.4 (good), 0.35 (bad), 0.1 (good).
Y = np.array([0, 0, 1, 0, 1, 1])
P = np.array([0.1, 0.4, 0.35, 0.8, 0.7, 0.9])
# Cost 10*FN + FP when refusing p >= t, worked out by hand:
#   refuse nobody: 3 FN -> 30;  t=0.9: 2 FN -> 20;  t=0.8: 2 FN + 1 FP -> 21;
#   t=0.7: 1 FN + 1 FP -> 11;  t=0.4: 1 FN + 2 FP -> 12;  t=0.35: 2 FP -> 2;  t=0.1: 3 FP -> 3.


def test_business_cost_counts_false_negatives_ten_times():
    refused = np.array([1, 0, 0, 0, 1, 1])  # one good client refused, one defaulter accepted
    assert business_cost(Y, refused) == 11
    assert business_cost(Y, refused, fn_cost=1, fp_cost=5) == 6
    assert business_cost(Y, Y) == 0
    assert business_cost(Y, np.zeros(6, int)) == 30


def test_business_cost_rejects_bad_input():
    with pytest.raises(ValueError, match="y_pred"):
        business_cost(Y, np.full(6, 0.5))
    with pytest.raises(ValueError, match="6 rows but y_pred has 5"):
        business_cost(Y, Y[:5])


def test_best_threshold_matches_hand_computed_optimum():
    threshold, curve = best_threshold(Y, P)
    assert threshold == pytest.approx(0.35)
    assert list(curve.columns) == ["threshold", "cost", "cost_per_1000"]
    assert curve["cost"].min() == 2
    assert curve.loc[np.isclose(curve["threshold"], 0.35), "cost"].tolist() == [2]
    at = dict(zip(curve["threshold"].round(3), curve["cost"]))
    assert at[0.0] == 3 and at[0.5] == 11 and at[0.75] == 21 and at[1.0] == 30
    assert curve.loc[curve["threshold"] == 0.5, "cost_per_1000"].item() == pytest.approx(
        11 / 6 * 1000)


def test_best_threshold_other_weights_and_ties():
    # fp=5: costs 30, 20, 25, 15, 20, 10, 15 -> still 0.35.
    assert best_threshold(Y, P, fn_cost=10, fp_cost=5)[0] == pytest.approx(0.35)
    # fn=fp=1: costs 3, 2, 3, 2, 3, 2, 3 -> tie; the highest threshold (fewest refusals) wins.
    assert best_threshold(Y, P, fn_cost=1, fp_cost=1)[0] == pytest.approx(0.9)


def test_tied_scores_are_refused_together():
    threshold, _ = best_threshold(np.array([1, 0]), np.array([0.5, 0.5]))
    assert threshold == 0.5  # refusing both costs 1 (one FP), refusing none costs 10
    assert cost_at(np.array([1, 0]), np.array([0.5, 0.5]), np.array([0.5, 0.6])).tolist() == [1, 10]


def test_exact_sweep_agrees_with_brute_force():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    p = np.round(rng.random(300), 2)  # many ties
    threshold, _ = best_threshold(y, p)
    brute = min(business_cost(y, (p >= t).astype(int)) for t in np.r_[np.unique(p), 2.0])
    assert business_cost(y, (p >= threshold).astype(int)) == brute


def test_evaluate_reports_metrics_at_the_threshold():
    result = evaluate(Y, P, 0.35, raw_proba=P)
    assert result["cost"] == 2 and result["recall"] == 1.0
    assert result["precision"] == pytest.approx(3 / 5)
    assert result["f2"] == pytest.approx(5 * 0.6 * 1.0 / (4 * 0.6 + 1.0))
    assert result["auc"] == pytest.approx(6 / 9)  # 6 of the 9 (bad, good) pairs ranked right
    assert result["brier"] == pytest.approx(np.mean((P - Y) ** 2))
