"""Candidate models, their imbalance variants and their search spaces.

A candidate is a model family (dummy, logistic regression, LightGBM) crossed
with a way of handling the 8 % default rate (none, class weights, SMOTE).
Each builds an imbalanced-learn `Pipeline` so that any resampling happens
inside `fit`, i.e. on the rows of the training fold only, and is skipped at
prediction time.
"""
from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from model import config

# LightGBM threads. One by default: on a shared 2-core machine, two OpenMP
# threads fighting other processes made fits ten times slower (measured).
N_JOBS = int(os.environ.get("SCORING_N_JOBS", "1"))

# Most trees LightGBM may grow (early stopping usually ends sooner). With SMOTE
# the inner validation rows include synthetic defaulters that are easy to fit,
# so early stopping rarely triggers: those fits get a lower cap.
QUICK_TREES, FULL_TREES, SMOTE_TREES = 200, 2000, 500

KINDS = ("dummy", "logistic", "lightgbm")
IMBALANCE = ("none", "balanced", "smote")


def infinite_to_nan(X: np.ndarray) -> np.ndarray:
    """Ratios divided by zero are infinite; treat them as missing (imputed or split on)."""
    X = np.asarray(X, dtype=np.float32)
    return np.where(np.isinf(X), np.float32(np.nan), X)


class MedianImputer(TransformerMixin, BaseEstimator):
    """Replace missing values by the column's training median (0 for a column never observed).

    Same statistics as `SimpleImputer(strategy="median", keep_empty_features=True)`,
    but computed with `np.nanmedian` in float32: scikit-learn's masked-array median
    took minutes on the 307,511 x 844 training matrix, this takes seconds.
    """

    def fit(self, X: np.ndarray, y: Any = None) -> MedianImputer:
        X = np.asarray(X, dtype=np.float32)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN column
            medians = np.nanmedian(X, axis=0)
        self.statistics_ = np.where(np.isnan(medians), 0.0, medians).astype(np.float32)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        X = np.array(X, dtype=np.float32)  # a copy: the caller's matrix is left alone
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(f"MedianImputer was fitted on {self.n_features_in_} features, "
                             f"got an array of shape {X.shape}")
        np.copyto(X, np.broadcast_to(self.statistics_, X.shape), where=np.isnan(X))
        return X

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        if input_features is None:
            return np.array([f"x{i}" for i in range(self.n_features_in_)], dtype=object)
        return np.asarray(input_features, dtype=object)


class EarlyStoppingLGBMClassifier(lgb.LGBMClassifier):
    """LightGBM that picks its own number of trees on a slice of its training rows.

    `fit` holds out `validation_fraction` of the rows it receives (stratified),
    stops when the validation log-loss has not improved for `early_stopping_rounds`
    rounds and drops the trees after the best one, so that `predict`, the raw
    margin and SHAP's TreeExplainer all use the same trees. Because it happens
    inside `fit`, the cross-validation fold being scored is never looked at.
    """

    def __init__(self, *, validation_fraction: float = 0.15, early_stopping_rounds: int = 50,
                 **kwargs: Any) -> None:
        self.validation_fraction = validation_fraction
        self.early_stopping_rounds = early_stopping_rounds
        super().__init__(**kwargs)

    def fit(self, X: np.ndarray, y: np.ndarray, **fit_params: Any
            ) -> EarlyStoppingLGBMClassifier:
        y = np.asarray(y)
        if not self.validation_fraction or not self.early_stopping_rounds:
            super().fit(X, y, **fit_params)
            return self
        X_fit, X_val, y_fit, y_val = train_test_split(
            X, y, test_size=self.validation_fraction, stratify=y,
            random_state=self.random_state)
        # Stop on the loss the model optimises: weighted when the classes are weighted.
        eval_weight = None if self.class_weight is None else [self.class_weight]
        super().fit(X_fit, y_fit, eval_X=(X_val,), eval_y=(y_val,),
                    eval_class_weight=eval_weight,
                    callbacks=[lgb.early_stopping(self.early_stopping_rounds,
                                                  first_metric_only=True, verbose=False)],
                    **fit_params)
        best = self.best_iteration_
        if best and best < self.booster_.current_iteration():
            self._Booster = lgb.Booster(model_str=self.booster_.model_to_string(
                num_iteration=best))
        return self


class LogisticRegression64(LogisticRegression):
    """Logistic regression fitted on float32 rows, with float64 coefficients.

    lbfgs and saga keep the float32 training matrix (no 2 GB float64 copy at
    full scale) and so return float32 coefficients; casting them once keeps
    margins and linear SHAP values (coefficient x scaled input) in float64, so
    they add up exactly as with the float64 solvers.
    """

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
            ) -> LogisticRegression64:
        super().fit(X, y, sample_weight=sample_weight)
        self.coef_ = np.asarray(self.coef_, dtype=np.float64)
        self.intercept_ = np.asarray(self.intercept_, dtype=np.float64)
        return self


def _make_smote(seed: int) -> SMOTE:
    return SMOTE(random_state=seed)


@dataclass(frozen=True)
class Candidate:
    """One model family with one imbalance treatment, and its search space."""

    kind: str
    imbalance: str = "none"
    # Factory of the resampler (tests swap in a recording subclass).
    make_sampler: Callable[[int], Any] = field(default=_make_smote, compare=False, repr=False)
    # LightGBM `monotone_constraints` (-1 / 0 / +1 per column); empty = unconstrained.
    monotone: tuple[int, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown model kind {self.kind!r}; expected one of {KINDS}")
        if self.imbalance not in IMBALANCE:
            raise ValueError(f"unknown imbalance {self.imbalance!r}; expected {IMBALANCE}")

    @property
    def name(self) -> str:
        return self.kind if self.kind == "dummy" else f"{self.kind}_{self.imbalance}"

    @property
    def ineligible_reason(self) -> str:
        """Why the candidate may not be chosen ("" = it may): a lender's model must respect
        the configured directions, which scikit-learn's logistic regression cannot impose
        on its coefficients' signs; it stays in the comparison as a reference."""
        if self.kind == "logistic":
            return "coefficient signs cannot be constrained: directions not guaranteed"
        return ""

    def default_params(self, quick: bool) -> dict[str, Any]:
        """A sensible first configuration, tried before any random one."""
        if self.kind == "logistic":
            # L2/lbfgs: its refit on all 307,511 x 844 clients takes seconds, where
            # L1 needs saga or liblinear (minutes). Measured on 10,000 full-scale
            # synthetic clients: C=0.0005 AUC 0.772, 0.002 0.768, 0.01 0.754.
            return {"C": 0.0005, "penalty": "l2", "solver": "lbfgs"}
        if self.kind == "lightgbm":
            return {"learning_rate": 0.1 if quick else 0.03, "num_leaves": 15,
                    "min_child_samples": 40, "reg_alpha": 0.1, "reg_lambda": 1.0,
                    "colsample_bytree": 0.4, "subsample": 0.9,
                    "n_estimators": QUICK_TREES if quick else FULL_TREES}
        return {}

    def sample_params(self, rng: np.random.Generator, quick: bool) -> dict[str, Any]:
        """One random configuration of the search space."""
        if self.kind == "logistic":
            penalty = str(rng.choice(["l1", "l2", "elasticnet"]))
            # No liblinear: it copies the matrix to float64 and then to its own
            # sparse format (15 GB peak refitting 307,511 x 844); lbfgs and saga
            # work on the float32 matrix.
            solvers = {"l1": ["saga"], "l2": ["lbfgs"], "elasticnet": ["saga"]}[penalty]
            params = {"C": float(10 ** rng.uniform(-4, -0.5)), "penalty": penalty,
                      "solver": str(rng.choice(solvers))}
            if penalty == "elasticnet":
                params["l1_ratio"] = float(rng.uniform(0.1, 0.9))
            return params
        if self.kind == "lightgbm":
            return {"learning_rate": float(10 ** rng.uniform(-1.7, -1.0)),
                    "num_leaves": int(rng.integers(7, 64)),
                    "min_child_samples": int(10 ** rng.uniform(1, 2.4)),
                    "reg_alpha": float(10 ** rng.uniform(-3, 1)),
                    "reg_lambda": float(10 ** rng.uniform(-3, 1.5)),
                    "colsample_bytree": float(rng.uniform(0.2, 0.8)),
                    "subsample": float(rng.uniform(0.7, 1.0)),
                    "n_estimators": QUICK_TREES if quick else FULL_TREES}
        return {}

    def build(self, params: dict[str, Any], seed: int) -> Pipeline:
        """Unfitted pipeline: inf -> NaN, [impute, scale, resample], classifier."""
        steps: list[tuple[str, Any]] = [
            ("finite", FunctionTransformer(infinite_to_nan, feature_names_out="one-to-one"))]
        if self.kind == "logistic" or self.imbalance == "smote":
            # Never-observed columns are kept (filled with 0): aligned with feature names (SHAP).
            steps += [("impute", MedianImputer()), ("scale", StandardScaler())]
        if self.imbalance == "smote" and self.kind != "dummy":
            steps.append(("smote", self.make_sampler(seed)))
        steps.append(("classifier", self._classifier(params, seed)))
        return Pipeline(steps)

    def _classifier(self, params: dict[str, Any], seed: int) -> Any:
        weight = "balanced" if self.imbalance == "balanced" else None
        if self.kind == "dummy":
            return DummyClassifier(strategy="stratified", random_state=seed)
        if self.kind == "logistic":
            # scikit-learn >= 1.8 expresses the penalty through l1_ratio.
            l1_ratio = {"l1": 1.0, "l2": 0.0}.get(params["penalty"], params.get("l1_ratio", 0.5))
            return LogisticRegression64(C=params["C"], l1_ratio=l1_ratio,
                                        solver=params["solver"], class_weight=weight, tol=1e-3,
                                        # saga is slow on wide data: bounded epochs
                                        max_iter=100 if params["solver"] == "saga" else 300,
                                        random_state=seed)
        quick = params.get("n_estimators", FULL_TREES) <= QUICK_TREES
        if self.imbalance == "smote":
            params = {**params, "n_estimators": min(params.get("n_estimators", FULL_TREES),
                                                    SMOTE_TREES)}
        if any(self.monotone):  # scaling (SMOTE candidates) keeps every direction
            params = {**params, "monotone_constraints": list(self.monotone),
                      "monotone_constraints_method": config.MONOTONE_METHOD}
        return EarlyStoppingLGBMClassifier(
            early_stopping_rounds=20 if quick else 50, class_weight=weight, subsample_freq=1,
            random_state=seed, n_jobs=N_JOBS, verbose=-1, **params)


def all_candidates(monotone: tuple[int, ...] = ()) -> list[Candidate]:
    """Every candidate compared: the dummy, then each family with each imbalance variant;
    LightGBM candidates carry the `monotone` constraint vector."""
    return [Candidate("dummy")] + [
        Candidate(kind, imbalance, monotone=monotone if kind == "lightgbm" else ())
        for kind in ("logistic", "lightgbm") for imbalance in IMBALANCE]
