"""The fairness report's vectorised bootstrap gives the rates of explicit resamples."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model import config, fairness


def explicit_rates(y: np.ndarray, p: np.ndarray, threshold: float) -> list[float]:
    """The five rates of one resample, computed plainly (RATE_METRICS order)."""
    refused = p >= threshold
    def share(mask: np.ndarray) -> float:
        return float(mask.mean()) if len(mask) else np.nan
    return [share(y == 1), float(p.mean()) if len(p) else np.nan, share(refused),
            share(refused[y == 1]), share(refused[y == 0])]


def test_bootstrap_rates_equal_the_rates_of_the_same_explicit_resamples():
    rng = np.random.default_rng(5)
    n, n_boot, seed, threshold = 300, 12, 9, 0.4
    y = (rng.random(n) < 0.15).astype(int)
    p = rng.random(n)
    labels = rng.choice(["F", "M", "XNA"], n, p=[0.6, 0.39, 0.01])
    boot = fairness._bootstrap_rates(y, p, labels, ["F", "M", "XNA"], threshold, n_boot, seed)
    draws = np.random.default_rng(seed)  # the same draws, one resample at a time
    for b in range(n_boot):
        picked = draws.integers(0, n, n)
        for group in (None, "F", "M", "XNA"):
            rows = picked if group is None else picked[labels[picked] == group]
            expected = explicit_rates(y[rows], p[rows], threshold)
            np.testing.assert_allclose(boot[group][b], expected, rtol=1e-12, equal_nan=True)


def test_report_intervals_bracket_the_estimates_on_a_large_split():
    """61,503 held-out clients (a Kaggle-size build) in one call: the intervals are the
    configured quantiles and each holds fairlearn's estimate of the whole split."""
    rng = np.random.default_rng(1)
    n = 61_503
    frame = pd.DataFrame({"y": (rng.random(n) < 0.08).astype(int), "p": rng.random(n) * 0.3,
                          "g": rng.choice(["F", "M"], n)})
    rows, overall = fairness.group_metrics(frame["y"], frame["p"], frame["g"], 0.1, ["F", "M"],
                                           n_boot=config.FAIRNESS_BOOTSTRAP)
    for row in [*rows, overall]:
        for name in fairness.RATE_METRICS:
            low, high = row[f"{name}_ci"]
            assert low <= row[name] <= high, (name, row)
            assert high - low < 0.05
    women = frame["g"] == "F"
    assert rows[0]["mean_predicted"] == pytest.approx(frame.loc[women, "p"].mean())
