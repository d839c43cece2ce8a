"""The scoring model the app loads: fitted pipeline + calibrator + business threshold.

Everything that turns a client's features into a decision lives in this one
picklable object, so the dashboard, the API and the what-if screen all score
through exactly the pipeline that was evaluated.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.preprocessing import FunctionTransformer

from model import config
from model.training.calibration import ProbabilityCalibrator
from model.training.segments import has_history

_EPS = 1e-12
# What a loaded model fills in while it scores (see `__getstate__`).
_CACHES = ("_columns_cache", "_history_positions", "_no_history_positions", "_booster",
           "_seen_columns")


def _transform(step: Any, Z: np.ndarray) -> np.ndarray:
    """`step.transform(Z)`; a plain function step (`FunctionTransformer` without validation or
    arguments) is called directly: its input checks cost ten times the trees on one row."""
    if (type(step) is FunctionTransformer and step.func is not None and not step.validate
            and not step.kw_args):
        return step.func(Z)
    return step.transform(Z)


class ScoringModel:
    """Calibrated P(default) and accept/refuse decision for feature rows.

    Attributes: `kind` ("lightgbm" | "logistic" | "blend" | "scorecard" | "dummy"),
    `pipeline_` (fitted imbalanced-learn Pipeline, classifier last), `calibrator_`,
    `threshold_` (on the calibrated scale: refuse when p >= threshold_), `feature_names_`.

    Applicants without history: when `no_history` (a `ScoringModel` on the
    application columns alone) is given, the rows whose `history_columns` (counts
    of history rows) are all 0 are scored by it, with its own calibrator. On the
    real sample the main model scored history-stripped held-out clients worse and
    about 18 % too high (mean 0.091 vs observed 0.077); the routed model is the
    application-only model itself (docs/benchmarks.md).
    """

    def __init__(self, kind: str, pipeline: Any, calibrator: ProbabilityCalibrator,
                 threshold: float, feature_names: list[str],
                 no_history: ScoringModel | None = None,
                 history_columns: list[str] | tuple[str, ...] = ()) -> None:
        self.kind = kind
        self.pipeline_ = pipeline
        self.calibrator_ = calibrator
        self.threshold_ = float(threshold)
        self.feature_names_ = list(feature_names)
        self.no_history_ = no_history
        self.history_columns_ = list(history_columns)
        if no_history is not None and not self.history_columns_:
            raise ValueError("a no-history model needs the history count columns")

    def has_history(self, X: pd.DataFrame) -> np.ndarray:
        """True for rows with at least one history row (all True without a no-history model)."""
        if getattr(self, "no_history_", None) is None:
            return np.ones(len(X), dtype=bool)
        if X.columns.equals(self._columns()):  # the app's rows: positions known once
            return self._history_of(self._matrix(X))
        return has_history(X[self.history_columns_].to_numpy(np.float64),
                           list(range(len(self.history_columns_))))

    def _history_of(self, Z: np.ndarray) -> np.ndarray:
        """`has_history` of the model's own matrix (its columns, in its order)."""
        positions = self.__dict__.get("_history_positions")
        if positions is None:
            positions = self._history_positions = self._columns().get_indexer(self.history_columns_)
        return has_history(Z, positions)

    def _routed(self, X: pd.DataFrame, method: str) -> np.ndarray:
        """`method` of the main model on rows with history, of the no-history model on the
        others, on one matrix read from X once (the app scores one row at a time: the
        wrapper's own work was twice the trees')."""
        Z = self._matrix(X)
        if getattr(self, "no_history_", None) is None:
            return getattr(self, f"_main_{method}")(Z)
        history = self._history_of(Z)
        if history.all():
            return getattr(self, f"_main_{method}")(Z)
        out = np.empty(len(Z), dtype=np.float64)
        positions = self.no_history_positions()
        out[~history] = getattr(self.no_history_, f"_main_{method}")(Z[~history][:, positions])
        if history.any():
            out[history] = getattr(self, f"_main_{method}")(Z[history])
        return out

    def no_history_positions(self) -> np.ndarray:
        """Where the no-history model's columns sit among ours (its SHAP values and its
        scores are read and written there); refuses a model naming a column we lack."""
        positions = self.__dict__.get("_no_history_positions")
        if positions is None:
            positions = self._columns().get_indexer(self.no_history_.feature_names_)
            if (positions < 0).any():
                raise ValueError("the no-history model uses columns the main model lacks")
            self._no_history_positions = positions
        return positions

    @property
    def classifier_(self) -> Any:
        """The fitted classifier (last pipeline step), e.g. for SHAP."""
        return self.pipeline_[-1]

    @property
    def estimator_(self) -> Any:
        """Alias of `pipeline_` (name used in docs/architecture.md)."""
        return self.pipeline_

    def _columns(self) -> pd.Index:
        """The feature names as an Index, built once (models pickled earlier lack the cache)."""
        columns = self.__dict__.get("_columns_cache")
        if columns is None:
            columns = self._columns_cache = pd.Index(self.feature_names_)
        return columns

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        if not isinstance(X, pd.DataFrame):
            raise TypeError(f"X must be a DataFrame with the model's feature columns, "
                            f"got {type(X).__name__}")
        columns = X.columns
        if columns is self.__dict__.get("_seen_columns") or (
                len(columns) == len(self.feature_names_) and columns.equals(self._columns())):
            # fast path: the app scores one row at a time, its rows sharing one column Index
            # (comparing 800 names was a tenth of a one-row score)
            self._seen_columns = columns
            return X.to_numpy(dtype=np.float32)
        missing = [name for name in self.feature_names_ if name not in X.columns]
        if missing:
            shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
            raise ValueError(f"{len(missing)} feature column(s) missing for scoring: {shown}")
        return X[self.feature_names_].to_numpy(dtype=np.float32)

    def preprocess(self, X: pd.DataFrame) -> np.ndarray:
        """Every step before the classifier (resamplers skipped): the classifier's input."""
        return self._preprocess(self._matrix(X))

    def _preprocess(self, Z: np.ndarray) -> np.ndarray:
        for _, step in self.pipeline_.steps[:-1]:
            if hasattr(step, "fit_resample"):
                continue  # samplers only act while fitting
            Z = _transform(step, Z)
        return np.asarray(Z)

    def predict_raw(self, X: pd.DataFrame) -> np.ndarray:
        """Uncalibrated P(default) of the classifier (of the segment's classifier)."""
        return self._routed(X, "predict_raw")

    def _main_predict_raw(self, Z: np.ndarray) -> np.ndarray:
        """On the model's matrix (`_matrix`): the classifier's probability."""
        Z = self._preprocess(Z)
        if self.kind == "lightgbm":
            # The booster itself, as LightGBM's scikit-learn wrapper calls it, without the
            # wrapper's copy of its parameters (the constraint list): 3 ms of a 4 ms score of
            # one row, for 0.06 ms of trees. One thread for a few rows (threads cost more).
            threads = {"num_threads": 1} if len(Z) < config.SINGLE_THREAD_ROWS else {}
            booster = self.__dict__.get("_booster")
            if booster is None:  # the wrapper's property checks the fit on every call
                booster = self._booster = self.classifier_.booster_
            return np.asarray(booster.predict(Z, **threads), dtype=np.float64)
        if self.kind in ("blend", "scorecard"):  # log-odds, without predict_proba's 2nd column
            return 1.0 / (1.0 + np.exp(-self.classifier_.decision_function(Z)))
        return self.classifier_.predict_proba(Z)[:, 1]

    def predict_margin(self, X: pd.DataFrame) -> np.ndarray:
        """Raw log-odds of the classifier: what SHAP values plus base value sum to."""
        return self._routed(X, "predict_margin")

    def _main_predict_margin(self, Z: np.ndarray) -> np.ndarray:
        Z = self._preprocess(Z)
        if self.kind == "lightgbm":
            return np.asarray(self.classifier_.predict(Z, raw_score=True), dtype=np.float64)
        if self.kind in ("logistic", "blend", "scorecard"):
            return np.asarray(self.classifier_.decision_function(Z), dtype=np.float64)
        p = np.clip(self.classifier_.predict_proba(Z)[:, 1], _EPS, 1 - _EPS)
        return np.log(p / (1 - p))

    # Name used in docs/architecture.md.
    predict_raw_margin = predict_margin

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated P(default), 1-D, in [0, 1] (each segment through its own calibrator)."""
        return self._routed(X, "predict_proba")

    def _main_predict_proba(self, Z: np.ndarray) -> np.ndarray:
        return self.calibrator_.predict(self._main_predict_raw(Z))

    def __getstate__(self) -> dict:
        """Pickled without the caches filled while scoring (a second copy of the booster)."""
        return {k: v for k, v in self.__dict__.items() if k not in _CACHES}

    def decide(self, p: np.ndarray) -> np.ndarray:
        """True = refused (calibrated probability at or above the threshold)."""
        return np.asarray(p, dtype=np.float64) >= self.threshold_

    def __repr__(self) -> str:
        return (f"ScoringModel(kind={self.kind!r}, threshold={self.threshold_:.4f}, "
                f"features={len(self.feature_names_)}, "
                f"calibration={getattr(self.calibrator_, 'method', '?')!r}, "
                f"no_history={getattr(self, 'no_history_', None) is not None})")
