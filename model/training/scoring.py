"""The scoring model the app loads: fitted pipeline + calibrator + business threshold.

Everything that turns a client's features into a decision lives in this one
picklable object, so the dashboard, the API and the what-if screen all score
through exactly the pipeline that was evaluated.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from model.training.calibration import ProbabilityCalibrator

_EPS = 1e-12


class ScoringModel:
    """Calibrated P(default) and accept/refuse decision for feature rows.

    Attributes: `kind` ("lightgbm" | "logistic" | "dummy"), `pipeline_` (fitted
    imbalanced-learn Pipeline, classifier last), `calibrator_`, `threshold_`
    (on the calibrated scale: refuse when p >= threshold_), `feature_names_`.
    """

    def __init__(self, kind: str, pipeline: Any, calibrator: ProbabilityCalibrator,
                 threshold: float, feature_names: list[str]) -> None:
        self.kind = kind
        self.pipeline_ = pipeline
        self.calibrator_ = calibrator
        self.threshold_ = float(threshold)
        self.feature_names_ = list(feature_names)

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
        if len(X.columns) == len(self.feature_names_) and X.columns.equals(self._columns()):
            return X.to_numpy(dtype=np.float32)  # fast path: the app scores one row at a time
        missing = [name for name in self.feature_names_ if name not in X.columns]
        if missing:
            shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
            raise ValueError(f"{len(missing)} feature column(s) missing for scoring: {shown}")
        return X[self.feature_names_].to_numpy(dtype=np.float32)

    def preprocess(self, X: pd.DataFrame) -> np.ndarray:
        """Every step before the classifier (resamplers skipped): the classifier's input."""
        Z = self._matrix(X)
        for _, step in self.pipeline_.steps[:-1]:
            if hasattr(step, "fit_resample"):
                continue  # samplers only act while fitting
            Z = step.transform(Z)
        return np.asarray(Z)

    def predict_raw(self, X: pd.DataFrame) -> np.ndarray:
        """Uncalibrated P(default) of the classifier."""
        return self.pipeline_.predict_proba(self._matrix(X))[:, 1]

    def predict_margin(self, X: pd.DataFrame) -> np.ndarray:
        """Raw log-odds of the classifier: what SHAP values plus base value sum to."""
        Z = self.preprocess(X)
        if self.kind == "lightgbm":
            return np.asarray(self.classifier_.predict(Z, raw_score=True), dtype=np.float64)
        if self.kind == "logistic":
            return np.asarray(self.classifier_.decision_function(Z), dtype=np.float64)
        p = np.clip(self.classifier_.predict_proba(Z)[:, 1], _EPS, 1 - _EPS)
        return np.log(p / (1 - p))

    # Name used in docs/architecture.md.
    predict_raw_margin = predict_margin

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated P(default), 1-D, in [0, 1]."""
        return self.calibrator_.predict(self.predict_raw(X))

    def decide(self, p: np.ndarray) -> np.ndarray:
        """True = refused (calibrated probability at or above the threshold)."""
        return np.asarray(p, dtype=np.float64) >= self.threshold_

    def __repr__(self) -> str:
        return (f"ScoringModel(kind={self.kind!r}, threshold={self.threshold_:.4f}, "
                f"features={len(self.feature_names_)}, "
                f"calibration={getattr(self.calibrator_, 'method', '?')!r})")
