"""The scorecard candidate: optimal monotone bins and points per bin (optbinning).

A lender's classic model. Each characteristic is cut into a few bins whose default rate
moves in one direction (optbinning's `BinningProcess`, a mixed-integer program per
characteristic); each bin's weight of evidence enters a logistic regression, and
`Scorecard` turns its coefficients into points per bin. The directions hold by
construction: a characteristic of the direction table gets that table's trend
("ascending" default rate for +1, "descending" for -1), and every coefficient is bounded
to the sign that keeps the trend (`MonotoneLogisticRegression`: optbinning's weight of
evidence falls as the default rate rises, so each coefficient is <= 0). Characteristics
without a direction may take either trend, chosen on the training rows.

Binning each of ~800 columns would take minutes per fit, and a scorecard reads a few
dozen characteristics anyway: every directed column is kept, plus the `free_variables`
undirected columns that rank the training rows best on their own (univariate AUC, computed
inside `fit`, so on the training fold only).
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.base import BaseEstimator

from model.training.candidates import (LogOddsClassifierMixin, MonotoneLogisticRegression,
                                       sequential_sum)

# Scaling of the points (industry habit): 600 points at odds of 50 good to 1 bad, 20 points
# to double the odds. Higher points = safer.
PDO, ODDS, BASE_POINTS = 20, 50, 600
TREND = {1: "ascending", -1: "descending", 0: "auto_asc_desc"}


def univariate_auc(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """|AUC - 0.5| of each column on its observed rows (0 for a column with one class or value)."""
    strength = np.zeros(X.shape[1])
    for j in range(X.shape[1]):
        seen = ~np.isnan(X[:, j])
        positives = int(y[seen].sum())
        negatives = int(seen.sum()) - positives
        if positives == 0 or negatives == 0:
            continue
        ranks = rankdata(X[seen, j])
        auc = (ranks[y[seen] == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives)
        strength[j] = abs(auc - 0.5)
    return strength


class ScorecardClassifier(LogOddsClassifierMixin, BaseEstimator):
    """optbinning `BinningProcess` + `Scorecard` behind scikit-learn's classifier interface.

    `monotone`: -1 / 0 / +1 per column (the direction table, LightGBM's convention).
    Fitted: `variables_` (column positions binned), `scorecard_` (optbinning's Scorecard on
    columns named `x<position>`), `classes_`, `mean_terms_` (each column's mean term of the
    log-odds over the training rows: what an explanation measures a client against).

    Its log-odds are a sum of one term per characteristic (coefficient x the weight of
    evidence of the client's bin), so the app explains it exactly, term by term, as it does
    the logistic regression (`linear_terms`); its points are the same terms on the points'
    scale (`points_table`).
    """

    def __init__(self, *, monotone: tuple[int, ...] = (), free_variables: int = 30,
                 C: float = 0.01, max_n_prebins: int = 10, min_prebin_size: float = 0.05,
                 random_state: Any = None) -> None:
        self.monotone = monotone
        self.free_variables = free_variables
        self.C = C
        self.max_n_prebins = max_n_prebins
        self.min_prebin_size = min_prebin_size
        self.random_state = random_state

    def _frame(self, X: np.ndarray) -> pd.DataFrame:
        X = np.asarray(X, dtype=np.float64)
        return pd.DataFrame(X[:, self.variables_], columns=[f"x{j}" for j in self.variables_])

    def fit(self, X: np.ndarray, y: np.ndarray) -> ScorecardClassifier:
        from optbinning import BinningProcess, Scorecard

        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y).astype(int)
        signs = np.asarray(self.monotone or (0,) * X.shape[1])
        if len(signs) != X.shape[1]:
            raise ValueError(f"monotone has {len(signs)} directions for {X.shape[1]} columns")
        directed = np.flatnonzero(signs)
        strength = univariate_auc(X, y)
        free = [j for j in np.argsort(-strength, kind="stable")
                if signs[j] == 0 and strength[j] > 0][:self.free_variables]
        self.variables_ = np.sort(np.concatenate([directed, free]).astype(int))
        names = [f"x{j}" for j in self.variables_]
        process = BinningProcess(
            names, max_n_prebins=self.max_n_prebins, min_prebin_size=self.min_prebin_size,
            binning_fit_params={f"x{j}": {"monotonic_trend": TREND[int(signs[j])]}
                                for j in self.variables_})
        estimator = MonotoneLogisticRegression(monotone=(-1,) * len(names), C=self.C,
                                               random_state=self.random_state)
        self.scorecard_ = Scorecard(
            process, estimator, scaling_method="pdo_odds",
            scaling_method_params={"pdo": PDO, "odds": ODDS, "scorecard_points": BASE_POINTS})
        # A missing value scores its own bin's evidence (Home Credit's missing external
        # scores are informative), not a neutral 0.
        self.scorecard_.fit(self._frame(X), y, metric_missing="empirical")
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = X.shape[1]
        self.mean_terms_ = self.linear_terms(X).mean(axis=0)
        return self

    def linear_terms(self, X: np.ndarray) -> np.ndarray:
        """Each column's term of the log-odds of default: coefficient x weight of evidence of
        the client's bin (0 for a column the scorecard does not read)."""
        with warnings.catch_warnings():  # optbinning hands its estimator a named frame
            warnings.simplefilter("ignore", UserWarning)
            woe = self.scorecard_.binning_process_.transform(
                self._frame(X), metric="woe", metric_missing="empirical")
        coef = np.asarray(self.scorecard_.estimator_.coef_, dtype=np.float64).ravel()
        terms = np.zeros((len(woe), self.n_features_in_), dtype=np.float64)
        terms[:, self.variables_] = np.asarray(woe, dtype=np.float64) * coef
        return terms

    @property
    def linear_intercept(self) -> float:
        """The intercept its log-odds add to `linear_terms`."""
        return float(np.ravel(self.scorecard_.estimator_.intercept_)[0])

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Log-odds of default: the intercept plus every term, added in one order whatever
        the batch (a client scored alone gets its batch's very probability)."""
        return sequential_sum(self.linear_terms(X), self.linear_intercept)


    def points_table(self, feature_names: list[str]) -> pd.DataFrame:
        """Points per bin of each characteristic (feature, bin, points), characteristics
        with no points spread (a zero coefficient) left out."""
        table = self.scorecard_.table(style="summary")
        table = table.rename(columns={"Variable": "feature", "Bin": "bin", "Points": "points"})
        table["feature"] = [feature_names[int(str(v)[1:])] for v in table["feature"]]
        spread = table.groupby("feature")["points"].transform(lambda p: p.max() - p.min())
        table = table[spread > 1e-9]
        return table[["feature", "bin", "points"]].reset_index(drop=True)
