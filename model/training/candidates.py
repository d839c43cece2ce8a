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
import dataclasses
from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from model import config

# LightGBM threads. One by default: on a shared 2-core machine, two OpenMP
# threads fighting other processes made fits ten times slower (measured).
N_JOBS = int(os.environ.get("SCORING_N_JOBS", "1"))

# Most trees LightGBM may grow (early stopping on inner folds ends sooner). With SMOTE
# the inner validation rows would include synthetic defaulters that are easy to fit, so
# early stopping never triggered and every inner fit grew to the cap: SMOTE candidates grow
# a fixed number of trees, without inner folds.
# Quick mode: at most 500 trees after the loan's (synthetic data, whose signal is strong,
# stopped at 461 and 487 on 10,000 clients; the real sample near 200).
QUICK_TREES, FULL_TREES, SMOTE_TREES = 500, 3000, 250
# Rounds without improvement of an inner fold's log-loss before it stops, and inner folds
# (quick mode: two, to keep the sample's quick build near 3 minutes on 2 cores). A learning
# rate of 0.02 lands in the hundreds of trees (145 to 233 per outer fold on the real
# sample, lightgbm_none) where 0.1 stopped at 9 (issue 18).
QUICK_STOPPING, FULL_STOPPING = 30, 50
INNER_FOLDS = {True: 2, False: 3}

KINDS = ("dummy", "logistic", "lightgbm", "scorecard", "blend")
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
    """LightGBM that picks its own number of trees on inner validation folds of its rows.

    `fit` splits the rows it receives into `inner_folds` stratified folds; on each, a
    model grown on the other folds stops when the held-out fold's log-loss has not
    improved for `early_stopping_rounds` rounds. The mean of those best iterations is the
    number of trees of the model then grown on all the rows. One validation slice of 15 %
    (the previous rule) held about 50 defaulters on the real sample and stopped at 9
    trees; the mean over folds is far less noisy. Because it happens inside `fit`, the
    cross-validation fold being scored is never looked at. `inner_folds` < 2 or no
    `early_stopping_rounds`: plain LightGBM with `n_estimators` trees.
    `base_columns` / `base_trees` / `base_learning_rate`: a first stage of trees on those
    columns alone (`_base`; `base_params`: its own LightGBM settings over the model's),
    refitted in each inner fold and on all the rows.
    Fitted: `inner_best_iterations_` (trees after the base, one per inner fold) and
    `n_trees_` (all trees of the booster, the base's included).
    """

    def __init__(self, *, inner_folds: int = 3, early_stopping_rounds: int = 50,
                 base_columns: tuple[int, ...] = (), base_trees: int = 0,
                 base_learning_rate: float = 0.1, base_params: dict[str, Any] | None = None,
                 **kwargs: Any) -> None:
        self.inner_folds = inner_folds
        self.early_stopping_rounds = early_stopping_rounds
        self.base_columns = base_columns
        self.base_trees = base_trees
        self.base_learning_rate = base_learning_rate
        self.base_params = base_params
        super().__init__(**kwargs)

    _OWN_PARAMS = ("inner_folds", "early_stopping_rounds", "base_columns", "base_trees",
                   "base_learning_rate", "base_params")
    # Models pickled before issue 18 stopped on one validation slice and carry none of
    # these: the defaults let `get_params` (SHAP, the app) read them as they are.
    inner_folds, base_columns, base_trees, base_learning_rate, base_params = 0, (), 0, 0.1, None

    def _inner_fit_params(self) -> dict[str, Any]:
        """LightGBM parameters of this model, without the ones this class adds."""
        params = self.get_params()
        for own in self._OWN_PARAMS:
            params.pop(own)
        return params

    def _process_params(self, stage: str) -> dict[str, Any]:
        """LightGBM's parameters without this class's own: stopping is done by the inner
        models' explicit callbacks, never by the final fit (which has no validation set)."""
        params = super()._process_params(stage)
        for own in self._OWN_PARAMS:
            params.pop(own, None)
        return params

    def _base(self, X: np.ndarray, y: np.ndarray, **fit_params: Any) -> lgb.Booster | None:
        """The loan's own trees, grown first on `base_columns` alone (None without them).

        Every column of the set is in the lender's direction table, so their trees keep the
        directions. The rest of the model is boosted on top of them (`init_model`), in one
        booster that SHAP's TreeExplainer reads whole. Without this stage the loan's columns
        were drawn in a quarter of the trees and rarely split on: doubling the loan changed
        the probability of 22 % of the real sample's clients (issue 18).
        The trees are grown on a matrix of those columns only, then renumbered onto the
        model's columns (`widened`): the same trees as growing them on every column under
        an interaction constraint (identical predictions, measured), 25 times faster, since
        LightGBM builds histograms of every column even where the constraint forbids a split
        (half of a quick build's time).
        """
        if not self.base_columns or not self.base_trees:
            return None
        columns = list(self.base_columns)
        params = {**self._inner_fit_params(), "colsample_bytree": 1.0,
                  "learning_rate": self.base_learning_rate, "n_estimators": self.base_trees,
                  **(self.base_params or {})}
        if params.get("monotone_constraints") is not None:
            params["monotone_constraints"] = [params["monotone_constraints"][c] for c in columns]
        narrow = lgb.LGBMClassifier(**params).fit(np.asarray(X)[:, columns], y, **fit_params)
        return widened(narrow.booster_, columns, np.shape(X)[1])

    def fit(self, X: np.ndarray, y: np.ndarray, **fit_params: Any
            ) -> EarlyStoppingLGBMClassifier:
        y = np.asarray(y)
        self.inner_best_iterations_: list[int] = []
        if self.inner_folds < 2 or not self.early_stopping_rounds:
            self._fit_after_base(X, y, **fit_params)
            return self
        # Stop on the loss the model optimises: weighted when the classes are weighted.
        eval_weight = None if self.class_weight is None else [self.class_weight]
        splitter = StratifiedKFold(self.inner_folds, shuffle=True,
                                   random_state=self.random_state)
        for fit_idx, val_idx in splitter.split(np.zeros(len(y)), y):
            base = self._base(X[fit_idx], y[fit_idx], **fit_params)
            inner = lgb.LGBMClassifier(**self._inner_fit_params())
            inner.fit(X[fit_idx], y[fit_idx], eval_X=(X[val_idx],), eval_y=(y[val_idx],),
                      eval_class_weight=eval_weight, init_model=base,
                      callbacks=[lgb.early_stopping(self.early_stopping_rounds,
                                                    first_metric_only=True, verbose=False)],
                      **fit_params)
            # LightGBM counts the base's trees in best_iteration_: kept apart here
            grown = base.current_iteration() if base is not None else 0
            best = int(inner.best_iteration_ or grown + self.n_estimators)
            self.inner_best_iterations_.append(max(best - grown, 1))
        # Grown on all the rows with the chosen number of trees (after the base's); the
        # constructor's cap is put back so that get_params (clone, records) stays as asked.
        cap = self.n_estimators
        try:
            self.n_estimators = max(1, round(float(np.mean(self.inner_best_iterations_))))
            self._fit_after_base(X, y, **fit_params)
        finally:
            self.n_estimators = cap
        return self

    def _fit_after_base(self, X: np.ndarray, y: np.ndarray, **fit_params: Any) -> None:
        """The base's trees, then `n_estimators` more on every column; sets the tree counts."""
        base = self._base(X, y, **fit_params)
        super().fit(X, y, init_model=base, **fit_params)
        self.base_trees_ = base.current_iteration() if base is not None else 0
        self.n_trees_ = self.booster_.current_iteration()


def widened(booster: lgb.Booster, columns: list[int], width: int) -> lgb.Booster:
    """`booster`, grown on `columns` of a wider matrix, as a booster of all `width` columns.

    LightGBM's model text names a split's column by its position (`split_feature`) and
    lists each column's name and range in its header: both are renumbered, the columns the
    trees never saw get LightGBM's own "none" range, and the tree sizes (an index for
    parallel parsing, optional) and importances (names of the narrow matrix) are left out.
    """
    def spread(values: str, fill: str) -> str:
        wide = [fill] * width
        for position, value in zip(columns, values.split(" ")):
            wide[position] = value
        return " ".join(wide)

    lines, skipping = [], False
    for line in booster.model_to_string().split("\n"):
        if line.startswith("feature_importances:"):
            skipping = True
        if skipping:
            skipping = line != ""
            continue
        key, _, value = line.partition("=")
        if key == "tree_sizes":
            continue
        if key == "max_feature_idx":
            line = f"max_feature_idx={width - 1}"
        elif key == "feature_names":
            line = "feature_names=" + " ".join(f"Column_{i}" for i in range(width))
        elif key == "feature_infos":
            line = "feature_infos=" + spread(value, "none")
        elif key == "monotone_constraints":
            line = "monotone_constraints=" + spread(value, "0")
        elif key == "split_feature" and value:
            line = "split_feature=" + " ".join(str(columns[int(i)]) for i in value.split(" "))
        lines.append(line)
    return lgb.Booster(model_str="\n".join(lines))


def capacity(pipeline: Any) -> dict[str, Any]:
    """Trees, learning rate and stopping rule of a fitted LightGBM pipeline ({} otherwise),
    for comparison.md: a candidate chosen with a handful of trees is a stub."""
    classifier = pipeline[-1]
    if isinstance(classifier, BlendClassifier):  # its trees' capacity
        classifier = classifier.trees_
    if not isinstance(classifier, EarlyStoppingLGBMClassifier):
        return {}
    return {"trees": int(classifier.booster_.current_iteration()),
            "loan_trees": int(getattr(classifier, "base_trees_", 0)),
            "learning_rate": float(classifier.learning_rate),
            "early_stopping_rounds": int(classifier.early_stopping_rounds),
            "inner_folds": int(classifier.inner_folds),
            "inner_best_iterations": list(getattr(classifier, "inner_best_iterations_", []))}


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


class MonotoneLogisticRegression(LogisticRegression64):
    """L2 logistic regression whose coefficients keep the configured signs.

    `monotone` (-1 / 0 / +1 per column, LightGBM's convention) bounds each coefficient:
    >= 0 for +1, <= 0 for -1, free for 0. The pipeline's imputer and scaler are
    increasing maps of each column, so a sign on the scaled column is the direction on the
    raw feature: the directions hold by construction, and the model is eligible where the
    plain logistic regression is not. Solved by L-BFGS-B (scipy) on scikit-learn's own
    objective, C * sum of (weighted) log-losses + ||w||^2 / 2, the intercept unpenalised.
    It stays a `LogisticRegression` (coef_, intercept_, decision_function, predict_proba),
    so the app's linear SHAP explainer reads it as it reads the others.
    """

    def __init__(self, *, monotone: tuple[int, ...] = (), C: float = 1.0,
                 class_weight: Any = None, max_iter: int = 500, tol: float = 1e-4,
                 random_state: Any = None) -> None:
        super().__init__(C=C, class_weight=class_weight, max_iter=max_iter, tol=tol,
                         random_state=random_state)
        self.monotone = monotone

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
            ) -> MonotoneLogisticRegression:
        from scipy.optimize import minimize
        from scipy.special import expit, log_expit
        from sklearn.utils.class_weight import compute_sample_weight

        # The matrix stays in its own float type (float32 from the pipeline's scaler): a
        # float64 copy of 307,511 x 844 clients is 2 GB, and it took the Kaggle-size build
        # over 8 GiB once the blend refitted this model on every client. The matrix products
        # are taken in that type (float32 BLAS), the loss and the gradient's terms in float64.
        X = np.asarray(X)
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float64)
        y = np.asarray(y).astype(int)
        n, width = X.shape
        signs = np.asarray(self.monotone or (0,) * width)
        if len(signs) != width:
            raise ValueError(f"monotone has {len(signs)} directions for {width} columns")
        weight = np.ones(n) if sample_weight is None else np.asarray(sample_weight, np.float64)
        if self.class_weight is not None:
            weight = weight * compute_sample_weight(self.class_weight, y)
        target = 2.0 * y - 1.0

        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w, b = theta[:-1], theta[-1]
            margin = target * (np.asarray(X @ w.astype(X.dtype), dtype=np.float64) + b)
            loss = -np.sum(weight * log_expit(margin))
            residual = -weight * target * expit(-margin)  # d loss / d (X w + b)
            slope = np.asarray(X.T @ residual.astype(X.dtype), dtype=np.float64)
            gradient = np.append(self.C * slope + w, self.C * residual.sum())
            return self.C * loss + 0.5 * float(w @ w), gradient

        bounds = [(0.0, None) if s > 0 else (None, 0.0) if s < 0 else (None, None)
                  for s in signs] + [(None, None)]
        result = minimize(objective, np.zeros(width + 1), jac=True, method="L-BFGS-B",
                          bounds=bounds, options={"maxiter": self.max_iter, "gtol": self.tol})
        self.coef_ = result.x[:-1].reshape(1, -1)
        self.intercept_ = result.x[-1:].copy()
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = width
        self.n_iter_ = np.array([result.nit])
        return self


class LogOddsClassifierMixin(ClassifierMixin):
    """Probabilities and classes from `decision_function`, the log-odds of default (the blend,
    the scorecard): one formula, so a probability is always the sigmoid of the margin SHAP
    explains."""

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        from scipy.special import expit

        p = expit(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return (self.decision_function(X) >= 0.0).astype(int)


# Rows whose terms `sequential_sum` adds at once.
_SUM_BLOCK = 4096


def sequential_sum(terms: np.ndarray, intercept: float) -> np.ndarray:
    """intercept + each row's terms, added left to right whatever the batch.

    A client scored alone must get the very probability its batch gave it, and a
    matrix-vector product (BLAS) or numpy's pairwise sum add a row's terms in another order
    for 1 row than for 120 (CI's batch-against-alone tests caught the last bit). A running
    sum (`cumsum`) is sequential by definition: the same bits as a loop over the columns, at
    a hundredth of its cost on one row (0.009 ms against 1.1 ms for 800 columns), by blocks
    so that a large batch needs no second full matrix. `terms` is modified.
    """
    terms = np.asarray(terms, dtype=np.float64)
    if terms.shape[1] == 0:
        return np.full(len(terms), intercept)
    terms[:, 0] += intercept
    margin = np.empty(len(terms), dtype=np.float64)
    for start in range(0, len(terms), _SUM_BLOCK):
        margin[start:start + _SUM_BLOCK] = np.cumsum(terms[start:start + _SUM_BLOCK], axis=1)[:, -1]
    return margin


class BlendClassifier(LogOddsClassifierMixin, BaseEstimator):
    """LightGBM and the sign-bounded logistic regression, their log-odds averaged.

    margin = weight x LightGBM's log-odds + (1 - weight) x the logistic regression's. Both
    keep every configured direction (monotone constraints; bounded signs over increasing
    maps of each column), so their weighted sum does too, and it stays explainable exactly:
    its SHAP values are the same weighted sum of TreeSHAP's and the linear model's
    (`model.explain.local._BlendEngine`). On the real sample's five folds the blend ranked
    better than either part (CV AUC 0.758 at weight 0.6 or 0.7, against 0.754 for LightGBM
    and 0.728 for the logistic regression), the trees catching interactions the linear
    model lacks and the linear model smoothing what 4,000 clients teach the trees.
    `trees`: the unfitted LightGBM (its own parameters); `C`: the logistic regression's;
    `monotone`: -1 / 0 / +1 per column. Fitted: `trees_`, `linear_` (imputer, scaler,
    `MonotoneLogisticRegression`), `classes_`.
    """

    def __init__(self, *, trees: Any = None, C: float = 0.0005, weight: float = 0.6,
                 monotone: tuple[int, ...] = (), random_state: Any = None) -> None:
        self.trees = trees
        self.C = C
        self.weight = weight
        self.monotone = monotone
        self.random_state = random_state

    def fit(self, X: np.ndarray, y: np.ndarray) -> BlendClassifier:
        from sklearn.base import clone
        from sklearn.pipeline import Pipeline as LinearPipeline

        if not 0.0 <= self.weight <= 1.0:
            raise ValueError(f"the blend's weight must be within [0, 1], got {self.weight}")
        self.trees_ = clone(self.trees).fit(X, y)
        # The imputer returns a copy of the matrix: the scaler may work in place on it (one
        # copy of every client's row instead of two, 1 GB at Kaggle's size).
        self.linear_ = LinearPipeline([
            ("impute", MedianImputer()), ("scale", StandardScaler(copy=False)),
            ("classifier", MonotoneLogisticRegression(monotone=tuple(self.monotone), C=self.C,
                                                      random_state=self.random_state))]
        ).fit(X, y)
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = np.shape(X)[1]
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Log-odds of default. The trees are read through their booster (one thread for a
        few rows, as the scoring model does): the wrapper's checks cost more than the trees."""
        X = np.asarray(X, dtype=np.float32)
        threads = {"num_threads": 1} if len(X) < config.SINGLE_THREAD_ROWS else {}
        trees = np.asarray(self.trees_.booster_.predict(X, raw_score=True, **threads),
                           dtype=np.float64)
        return self.weight * trees + (1.0 - self.weight) * self._linear_margin(X)

    def linear_terms(self, X: np.ndarray) -> np.ndarray:
        """Each column's term of the linear part's log-odds (coefficient x imputed, scaled
        input): summed for the margin here, centred for the SHAP values of
        `model.explain.local._BlendEngine`."""
        scaled = np.asarray(self.linear_[:-1].transform(X), dtype=np.float64)
        return scaled * self.linear_[-1].coef_.ravel()

    @property
    def linear_intercept(self) -> float:
        """The linear part's intercept: its log-odds are this plus `linear_terms`."""
        return float(np.ravel(self.linear_[-1].intercept_)[0])

    def _linear_margin(self, X: np.ndarray) -> np.ndarray:
        return sequential_sum(self.linear_terms(X), self.linear_intercept)



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
    # Positions of the loan's columns, grown first by LightGBM (`EarlyStoppingLGBMClassifier.
    # _base`, config.LOAN_BASE_FEATURES); empty = no such stage.
    base_columns: tuple[int, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown model kind {self.kind!r}; expected one of {KINDS}")
        if self.imbalance not in IMBALANCE:
            raise ValueError(f"unknown imbalance {self.imbalance!r}; expected {IMBALANCE}")

    @property
    def name(self) -> str:
        if self.kind in ("dummy", "scorecard", "blend"):
            return self.kind
        signs = "_monotone" if self.kind == "logistic" and any(self.monotone) else ""
        return f"{self.kind}_{self.imbalance}{signs}"

    @property
    def ineligible_reason(self) -> str:
        """Why the candidate may not be chosen ("" = it may): a lender's model must respect
        the configured directions, which scikit-learn's logistic regression cannot impose
        on its coefficients' signs; it stays in the comparison as a reference."""
        if self.kind == "logistic" and not any(self.monotone):
            return "coefficient signs not constrained: directions not guaranteed"
        return ""

    def default_params(self, quick: bool) -> dict[str, Any]:
        """A sensible first configuration, tried before any random one."""
        if self.kind == "logistic" and any(self.monotone):
            return {"C": 0.0005, "penalty": "l2", "solver": "L-BFGS-B, signs bounded"}
        if self.kind == "scorecard":
            return {"C": 0.01, "free_variables": 30}
        if self.kind == "blend":
            return {**dataclasses.replace(self, kind="lightgbm").default_params(quick),
                    "C": 0.0005, "weight": config.BLEND_WEIGHT}
        if self.kind == "logistic":
            # L2/lbfgs: its refit on all 307,511 x 844 clients takes seconds, where
            # L1 needs saga or liblinear (minutes). Measured on 10,000 full-scale
            # synthetic clients: C=0.0005 AUC 0.772, 0.002 0.768, 0.01 0.754.
            return {"C": 0.0005, "penalty": "l2", "solver": "lbfgs"}
        if self.kind == "lightgbm":
            # Measured on the real sample (4,000 tuning clients, same folds): 0.02 / 7 leaves /
            # 25 % of the columns per tree / 63 bins, CV AUC 0.755 with 150-230 trees, where
            # 0.1 / 15 leaves / 40 % stopped at 9 trees with CV AUC 0.734 (balanced).
            return {"learning_rate": 0.02, "num_leaves": 7,
                    "min_child_samples": 60, "reg_alpha": 0.1, "reg_lambda": 1.0,
                    "colsample_bytree": 0.25, "subsample": 0.9, "max_bin": 63,
                    "n_estimators": QUICK_TREES if quick else FULL_TREES}
        return {}

    def sample_params(self, rng: np.random.Generator, quick: bool) -> dict[str, Any]:
        """One random configuration of the search space."""
        if self.kind == "logistic" and any(self.monotone):
            return {"C": float(10 ** rng.uniform(-4, -1.5)), "penalty": "l2",
                    "solver": "L-BFGS-B, signs bounded"}
        if self.kind == "scorecard":
            return {"C": float(10 ** rng.uniform(-3, -0.5)),
                    "free_variables": int(rng.integers(10, 61))}
        if self.kind == "blend":
            return {**dataclasses.replace(self, kind="lightgbm").sample_params(rng, quick),
                    "C": float(10 ** rng.uniform(-4, -2)),
                    "weight": float(rng.uniform(0.4, 0.9))}
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
            return {"learning_rate": float(10 ** rng.uniform(-2.0, -1.3)),
                    "num_leaves": int(rng.integers(7, 64)),
                    "min_child_samples": int(10 ** rng.uniform(1, 2.4)),
                    "reg_alpha": float(10 ** rng.uniform(-3, 1)),
                    "reg_lambda": float(10 ** rng.uniform(-3, 1.5)),
                    "colsample_bytree": float(rng.uniform(0.2, 0.8)),
                    "subsample": float(rng.uniform(0.7, 1.0)),
                    "max_bin": int(rng.choice([63, 127, 255])),
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
        if self.kind == "scorecard":
            from model.training.scorecard import ScorecardClassifier  # imports this module

            return ScorecardClassifier(monotone=tuple(self.monotone), C=params["C"],
                                       free_variables=params["free_variables"],
                                       random_state=seed)
        if self.kind == "logistic" and any(self.monotone):
            return MonotoneLogisticRegression(monotone=tuple(self.monotone), C=params["C"],
                                              class_weight=weight, random_state=seed)
        if self.kind == "logistic":
            # scikit-learn >= 1.8 expresses the penalty through l1_ratio.
            l1_ratio = {"l1": 1.0, "l2": 0.0}.get(params["penalty"], params.get("l1_ratio", 0.5))
            return LogisticRegression64(C=params["C"], l1_ratio=l1_ratio,
                                        solver=params["solver"], class_weight=weight, tol=1e-3,
                                        # saga is slow on wide data: bounded epochs
                                        max_iter=100 if params["solver"] == "saga" else 300,
                                        random_state=seed)
        if self.kind == "blend":
            trees = {k: v for k, v in params.items() if k not in ("C", "weight")}
            return BlendClassifier(trees=self._lightgbm(trees, seed, weight), C=params["C"],
                                   weight=params["weight"], monotone=tuple(self.monotone),
                                   random_state=seed)
        return self._lightgbm(params, seed, weight)

    def _lightgbm(self, params: dict[str, Any], seed: int, weight: str | None
                  ) -> EarlyStoppingLGBMClassifier:
        quick = params.get("n_estimators", FULL_TREES) <= QUICK_TREES
        inner_folds = INNER_FOLDS[quick]
        if self.imbalance == "smote":
            params = {**params, "n_estimators": min(params.get("n_estimators", FULL_TREES),
                                                    SMOTE_TREES)}
            inner_folds = 0
        if any(self.monotone):  # scaling (SMOTE candidates) keeps every direction
            params = {**params, "monotone_constraints": list(self.monotone),
                      "monotone_constraints_method": config.MONOTONE_METHOD}
        return EarlyStoppingLGBMClassifier(
            early_stopping_rounds=QUICK_STOPPING if quick else FULL_STOPPING,
            inner_folds=inner_folds, base_columns=tuple(self.base_columns),
            base_trees=config.LOAN_BASE_TREES if self.base_columns else 0,
            base_learning_rate=config.LOAN_BASE_LEARNING_RATE,
            base_params=dict(config.LOAN_BASE_PARAMS) if self.base_columns else None,
            class_weight=weight, subsample_freq=1,
            random_state=seed, n_jobs=N_JOBS, verbose=-1, **params)


def all_candidates(monotone: tuple[int, ...] = (), base_columns: tuple[int, ...] = ()
                   ) -> list[Candidate]:
    """Every candidate compared: the dummy, then each family with each imbalance variant;
    LightGBM candidates carry the `monotone` constraint vector (and grow the loan's
    `base_columns` first), and so do one more logistic regression
    (`logistic_none_monotone`, its coefficient signs bounded), the blend of the two families
    (`BlendClassifier`) and the optbinning scorecard."""
    plain = [Candidate(kind, imbalance, monotone=monotone if kind == "lightgbm" else (),
                       base_columns=base_columns if kind == "lightgbm" else ())
             for kind in ("logistic", "lightgbm") for imbalance in IMBALANCE]
    # The logistic regression with its signs bounded by the same directions (eligible), and
    # the scorecard whose bins follow them (model.training.scorecard).
    signed = ([Candidate("logistic", "none", monotone=monotone),
               Candidate("scorecard", monotone=monotone),
               Candidate("blend", monotone=monotone, base_columns=base_columns)]
              if any(monotone) else [])
    return [Candidate("dummy"), *plain[:3], *signed, *plain[3:]]
