"""Compare candidates, pick the threshold, calibrate and write the scoring model.

Protocol (numbers must be honest and reproducible):
1. 20 % of the training clients (stratified) are set aside; no tuning step sees them.
2. On the other 80 % (a stratified subset of at most `SEARCH_ROWS` clients on
   large data), every candidate is tuned by randomized search on the same
   stratified 5 folds; its out-of-fold scores give its calibration, its
   cost-optimal threshold and its cross-validated metrics (threshold and cost
   on cross-fitted calibrated scores: each fold calibrated by a map fitted on
   the other folds). LightGBM candidates carry the configured monotone
   constraints (and grow the loan's trees first), and so do the logistic
   regression with bounded signs, their blend (log-odds averaged) and the optbinning
   scorecard (its bins follow the directions); the other logistic ones cannot and are
   compared but never chosen (`Candidate.ineligible_reason`).
3. Each candidate's best configuration is refitted on the 80 % and scored on
   the held-out 20 % at the threshold chosen in step 2. With `segments`, the same fit
   must also listen to the loan: doubling it must raise the probability of most of a
   sample of tuning clients and lower it for none (`_loan_gate`, config
   `LOAN_RESPONSE_*`), or the candidate is not eligible.
4. The eligible candidate with the lowest cross-validated cost per 1,000 clients
   is refitted on all training clients; its calibrator and threshold come from
   out-of-fold scores over all of them (on data larger than `CALIBRATION_ROWS`, the
   final model is fitted on the tuning clients only, less a sample held apart that it
   scores for its calibrator and threshold: `CalibrationRows`, the same clients for the
   application-only model of step 5; the held-out figures are then the deployed model's).
   The same configuration without its
   constraints is scored on the same folds: the AUC cost of the constraints.
5. With `segments`: the same configuration on the application columns alone
   becomes the model of clients without history (own calibrator, shared
   threshold), and both segments are measured on the held-out split.

In quick mode on large data, SMOTE candidates are tuned on a smaller subset
(`SMOTE_ROWS`) of the same folds; all candidates share the held-out split.
"""
from __future__ import annotations

import dataclasses
import logging
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from model import config
from model.progress import Progress, stage
from model.training.calibration import ProbabilityCalibrator, choose_calibrator
from model.training.candidates import Candidate, all_candidates, capacity
from model.training.constraints import constraint_vector
from model.training.cost import best_threshold
from model.training.metrics import evaluate
from model.training.report import write_reports
from model.training.scoring import ScoringModel
from model.training.search import (SearchResult, fit_pipeline, out_of_fold,
                                   randomized_search, restrict_folds, stratified_folds)
from model.training.segments import (SegmentInputs, has_history, metrics_by_age_band,
                                     segment_metrics)
from model.training.tracking import Tracker

log = logging.getLogger(__name__)

N_FOLDS = 5
OOF_FILE = "oof_probability.parquet"
HOLDOUT_FRACTION = 0.2
HOLDOUT_FILE = "holdout.parquet"
# A probability "moves" with the loan when it changes by more than this (float noise of the
# recomputed ratios is far smaller).
_MOVED = 1e-9
# Share of the search budget per model family, and how many configurations at most.
BUDGET_WEIGHT = {"dummy": 0.0, "logistic": 1.0, "lightgbm": 2.0, "scorecard": 1.0, "blend": 2.0}
MAX_TRIALS = {True: {"dummy": 1, "logistic": 1, "lightgbm": 1, "scorecard": 1, "blend": 1},
              False: {"dummy": 1, "logistic": 25, "lightgbm": 60, "scorecard": 10, "blend": 30}}
MIN_PER_CLASS = 25
# Rows the search (and each candidate's evaluation) uses at most: a stratified subset keeps
# the 307,511-client data set within the build's time targets on 2 cores.
SEARCH_ROWS = {True: 10_000, False: 40_000}
# Up to CALIBRATION_ROWS training clients, the final calibrator and threshold are fitted on
# out-of-fold scores of every client (five refits) and the final model on every client. On
# larger data, HELD_APART_ROWS clients (at most HELD_APART_MAX_SHARE of them) are held apart
# from the final fit and calibrate it (`CalibrationRows`): a one-dimensional calibrator and
# a threshold are well estimated from 20,000 clients, and five refits at Kaggle size would
# cost most of an hour.
CALIBRATION_ROWS = {True: 20_000, False: 100_000}
HELD_APART_ROWS = {True: 20_000, False: 60_000}
HELD_APART_MAX_SHARE = 0.2
# SMOTE roughly doubles the rows each fit sees and stops LightGBM's early stopping
# from triggering: in quick mode its candidates are tuned and evaluated on a
# stratified subset of the search rows (same folds), which saves about a minute
# at full scale; their held-out split is the same as everyone's.
SMOTE_ROWS = {True: 5_000, False: None}


def _stratified_subset(y: np.ndarray, size: int | None, seed: int) -> np.ndarray:
    """Row positions of a stratified subset of at most `size` rows (all rows if fewer)."""
    positions = np.arange(len(y))
    if size is None or len(y) <= size:
        return positions
    subset, _ = train_test_split(positions, train_size=size, stratify=y, random_state=seed)
    return np.sort(subset)


def _check_inputs(X: pd.DataFrame, y: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"X must be a DataFrame of features, got {type(X).__name__}")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
    if not X.index.equals(y.index):
        raise ValueError("X and y are not aligned on the same client index")
    non_numeric = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    if non_numeric:
        raise ValueError(f"non-numeric feature column(s): {', '.join(map(str, non_numeric[:10]))}")
    if y.isna().any():
        raise ValueError(f"TARGET is missing for {int(y.isna().sum())} client(s): "
                         "train on training clients only")
    labels = y.to_numpy()
    if not np.isin(labels, (0, 1)).all():
        raise ValueError("TARGET must hold only 0 and 1")
    counts = np.bincount(labels.astype(int), minlength=2)
    if counts.min() < MIN_PER_CLASS:
        raise ValueError(f"too few clients per class to cross-validate: {counts[0]} good, "
                         f"{counts[1]} defaulted (need at least {MIN_PER_CLASS} of each)")
    return X.to_numpy(dtype=np.float32), labels.astype(int)


def _search_all(candidates: list[Candidate], X: np.ndarray, y: np.ndarray, folds: list,
                budget_seconds: float, quick: bool, seed: int) -> list[SearchResult]:
    """Search each candidate; time a candidate leaves unused goes to the next ones."""
    results = []
    progress = Progress("model search", len(candidates), log)
    remaining = float(budget_seconds)
    weights_left = sum(BUDGET_WEIGHT[c.kind] for c in candidates)
    for candidate in candidates:
        weight = BUDGET_WEIGHT[candidate.kind]
        share = remaining * weight / weights_left if weights_left else 0.0
        weights_left -= weight
        rows = None
        if candidate.imbalance == "smote" and SMOTE_ROWS[quick] is not None:
            rows = _stratified_subset(y, SMOTE_ROWS[quick], seed)
        X_c, y_c, folds_c = ((X, y, folds) if rows is None or len(rows) == len(y)
                             else (X[rows], y[rows], restrict_folds(folds, rows, len(y))))
        with stage(f"search {candidate.name} on {len(y_c)} clients (budget {share:.0f} s)",
                   log):
            result = randomized_search(candidate, X_c, y_c, folds_c, share,
                                       MAX_TRIALS[quick][candidate.kind], seed, quick)
        result.rows = None if X_c is X else rows
        remaining = max(remaining - result.search_seconds, 0.0)
        results.append(result)
        progress.advance()
    return results


def _assess(result: SearchResult, X_dev: np.ndarray, y_dev: np.ndarray, X_hold: np.ndarray,
            y_hold: np.ndarray, folds: list, seed: int) -> tuple[dict[str, Any], pd.DataFrame]:
    """CV and held-out metrics of one tuned candidate at its own cost-optimal threshold."""
    if result.rows is not None:  # tuned on a subset of the search rows (same folds)
        folds = restrict_folds(folds, result.rows, len(y_dev))
        X_dev, y_dev = X_dev[result.rows], y_dev[result.rows]
    # Threshold and cost on cross-fitted calibrated scores: each fold calibrated by a map
    # fitted on the other folds, so the cost that chooses among candidates is not
    # measured on the rows its calibrator was fitted on.
    calibrator, briers, cross_fitted = choose_calibrator(result.oof, y_dev, folds)
    threshold, curve = best_threshold(y_dev, cross_fitted)
    cv = evaluate(y_dev, cross_fitted, threshold, raw_proba=result.oof)
    pipeline = fit_pipeline(result.candidate, result.best_params, X_dev, y_dev, seed)
    raw_hold = pipeline.predict_proba(X_hold)[:, 1]
    result.holdout_proba = calibrator.predict(raw_hold)
    holdout = evaluate(y_hold, result.holdout_proba, threshold, raw_proba=raw_hold)
    summary = {
        "kind": result.candidate.kind,
        "imbalance": result.candidate.imbalance,
        "eligible": not result.candidate.ineligible_reason,
        "ineligible_reason": result.candidate.ineligible_reason,
        "best_params": result.best_params,
        "cv": cv,
        "holdout": holdout,
        "calibration": {"method": calibrator.method, "brier": briers},
        "fit_seconds": result.fit_seconds,
        "search_seconds": result.search_seconds,
        # trees, learning rate, stopping rule of the refit on the tuning rows (LightGBM)
        "capacity": capacity(pipeline),
        "n_trials": len(result.trials),
        "n_tuning": len(y_dev),
        "trials": result.trials,
    }
    return summary, curve, (pipeline, calibrator)


def _calibrated(pipeline: Any, calibrator: ProbabilityCalibrator, Z: np.ndarray) -> np.ndarray:
    """Calibrated P(default) of a fitted pipeline's rows (a classifier and its calibrator, as
    the scoring model pairs them, without the routing of clients without history)."""
    return calibrator.predict(pipeline.predict_proba(Z)[:, 1])


def _loan_rows(X: pd.DataFrame, matrix: np.ndarray, dev_idx: np.ndarray,
               segments: SegmentInputs, feature_names: list[str], seed: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows of a seeded sample of tuning clients with a complete loan, as they are
    and with the loan scaled by `LOAN_RESPONSE_FACTOR` at the same income (history kept)."""
    size = min(config.LOAN_RESPONSE_CLIENTS, len(dev_idx))
    sample = np.sort(np.random.default_rng(seed).choice(dev_idx, size=size, replace=False))
    clients = X.index[sample]
    scaled = segments.loan_scaled(clients, config.LOAN_RESPONSE_FACTOR)
    complete = clients.isin(scaled.index)
    rows = matrix[sample[complete]]
    moved = rows.copy()
    moved[:, [feature_names.index(c) for c in scaled.columns]] = (
        scaled.loc[clients[complete]].to_numpy(np.float32))
    return rows, moved


def _loan_response(pipeline: Any, calibrator: ProbabilityCalibrator, rows: np.ndarray,
                   moved: np.ndarray) -> dict[str, Any]:
    """Shares of `rows` whose calibrated probability the larger loan (`moved`) raises and
    lowers, and whether that meets the rule (`config.LOAN_RESPONSE_MIN_SHARE`, none lower)."""
    before = _calibrated(pipeline, calibrator, rows)
    after = _calibrated(pipeline, calibrator, moved)
    higher = float(np.mean(after > before + _MOVED))
    lower = float(np.mean(after < before - _MOVED))
    return {"factor": config.LOAN_RESPONSE_FACTOR, "clients": len(rows), "higher": higher,
            "lower": lower, "met": higher >= config.LOAN_RESPONSE_MIN_SHARE and lower == 0}


def _loan_gate(summary: dict[str, Any], dev_model: tuple[Any, ProbabilityCalibrator],
               rows: np.ndarray, moved: np.ndarray) -> None:
    """Record how the loan moves the candidate (fitted on the tuning rows, calibrated) and
    make it ineligible unless it raises at least `LOAN_RESPONSE_MIN_SHARE` of the clients and
    lowers none (config: a model the loan cannot move leaves the advisor nothing to offer)."""
    summary["loan_response"] = _loan_response(*dev_model, rows, moved)
    higher, lower = summary["loan_response"]["higher"], summary["loan_response"]["lower"]
    if summary["eligible"] and not summary["loan_response"]["met"]:
        summary["eligible"] = False
        summary["ineligible_reason"] = (
            f"a loan x{config.LOAN_RESPONSE_FACTOR:g} raises the probability of "
            f"{higher:.1%} of {len(rows)} tuning clients (at least "
            f"{config.LOAN_RESPONSE_MIN_SHARE:.0%} needed)"
            + (f" and lowers it for {lower:.1%}" if lower else ""))


@dataclasses.dataclass(frozen=True)
class CalibrationRows:
    """The training clients whose scores fit the calibrators and the threshold.

    One set of rows (positions in the training matrix) and folds for every model of the
    build: the main model and the application-only model are calibrated on the same
    clients, so that their stored scores can be merged client by client (the build crashed
    above 20,000 clients when each model chose its own rows).

    `held_apart` False (data up to `CALIBRATION_ROWS`): out-of-fold scores of the
    configuration refitted fold by fold, then the final model is fitted on every client.
    `held_apart` True (larger data): the final model is fitted on `fit_rows`, the tuning
    clients other than these, and scores these, which it never saw; it never sees the
    held-out split either, so the held-out figures measure the model as deployed. Five
    refits at Kaggle size would cost most of an hour, and the search's out-of-fold scores
    (models of 8,000 clients) were no substitute: the configuration fitted on 246,008
    clients and calibrated on them over-predicted the held-out split by 8 % overall and
    17-18 % under 35 (`benchmarks/bench_age_calibration.py --refit`): more data grew sharper
    trees than the map was fitted for.
    """

    rows: np.ndarray
    folds: list
    held_apart: bool = False
    fit_rows: np.ndarray | None = None


def _calibration_rows(labels: np.ndarray, tuning_idx: np.ndarray, dev_idx: np.ndarray,
                      quick: bool, seed: int) -> CalibrationRows:
    """Calibration rows of the build: every client (or a stratified subset of
    `CALIBRATION_ROWS`) scored out of fold, or on larger data a stratified sample of
    `HELD_APART_ROWS` tuning clients (at most `HELD_APART_MAX_SHARE` of all) held apart
    from the final fit, which then uses the other tuning clients."""
    if len(labels) <= CALIBRATION_ROWS[quick]:
        rows = _stratified_subset(labels, CALIBRATION_ROWS[quick], seed)
        return CalibrationRows(rows, stratified_folds(labels[rows], N_FOLDS, seed))
    size = min(HELD_APART_ROWS[quick], int(HELD_APART_MAX_SHARE * len(labels)))
    # Clients the search did not tune on, when there are enough: the threshold and the
    # calibration figures are then measured on clients no step of the choice has seen.
    pool = np.setdiff1d(tuning_idx, dev_idx)
    pool = pool if len(pool) >= size else tuning_idx
    rows = np.sort(pool[_stratified_subset(labels[pool], size, seed)])
    return CalibrationRows(rows, stratified_folds(labels[rows], N_FOLDS, seed), held_apart=True,
                           fit_rows=np.setdiff1d(tuning_idx, rows))


def _fit_timed(result: SearchResult, X: np.ndarray, y: np.ndarray, seed: int
               ) -> tuple[Any, float]:
    started = time.perf_counter()
    pipeline = fit_pipeline(result.candidate, result.best_params, X, y, seed)
    return pipeline, time.perf_counter() - started


def _fit_final(result: SearchResult, X: np.ndarray, y: np.ndarray, feature_names: list[str],
               seed: int, calibration: CalibrationRows, threshold: float | None = None
               ) -> tuple[ScoringModel, dict[str, Any], pd.DataFrame,
                          tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Fit the chosen configuration for good, with its calibrator and threshold.

    Calibrator and threshold come from scores of the `calibration` rows by models that
    never saw them: out-of-fold scores on the calibration folds, the final model then
    fitted on every client; or, rows `held_apart`, the final model's own scores, the final
    model fitted on `calibration.fit_rows`. `threshold` given: kept (the no-history model shares
    the main model's). Also returns (row positions in X, calibrated scores, the same
    cross-fitted: each fold calibrated by a map fitted on the others) of the calibration
    rows: the scores stored for training clients, and the ones calibration is judged on.
    """
    rows, folds = calibration.rows, calibration.folds
    y_cal = y[rows]
    pipeline = None
    if calibration.held_apart:
        fit_rows = calibration.fit_rows
        pipeline, fit_seconds = _fit_timed(result, X[fit_rows], y[fit_rows], seed)
        oof = pipeline.predict_proba(X[rows])[:, 1]
    else:
        X_cal = X if len(rows) == len(y) else X[rows]  # no 1 GB copy when all rows are used
        oof, _ = out_of_fold(result.candidate, result.best_params, X_cal, y_cal, folds, seed)
    calibrator, briers, cross_fitted = choose_calibrator(oof, y_cal, folds)
    calibrated = calibrator.predict(oof)
    if threshold is None:
        threshold, curve = best_threshold(y_cal, cross_fitted)
    else:
        curve = pd.DataFrame()
    if pipeline is None:
        pipeline, fit_seconds = _fit_timed(result, X, y, seed)
    model = ScoringModel(result.candidate.kind, pipeline, calibrator, threshold, feature_names)
    oof_metrics = evaluate(y_cal, cross_fitted, threshold, raw_proba=oof)
    final = {"candidate": result.candidate.name, "threshold": threshold,
             "calibration": {"method": calibrator.method, "brier": briers},
             "oof": oof_metrics, "calibration_rows": len(y_cal), "fit_seconds": fit_seconds,
             "fit_rows": len(calibration.fit_rows) if calibration.held_apart else len(y),
             "calibration_source": "held apart" if calibration.held_apart else "refit folds",
             **capacity(pipeline)}
    return model, final, curve, (np.asarray(rows), calibrated, cross_fitted)


def _constraint_cost(result: SearchResult, dev_pipeline: Any, X_dev: np.ndarray,
                     y_dev: np.ndarray, X_hold: np.ndarray, y_hold: np.ndarray, folds: list,
                     seed: int) -> dict[str, Any]:
    """AUC of the same configuration without its monotone constraints, on the same folds.

    The constrained out-of-fold scores are the search's own and its held-out scores those
    of `dev_pipeline` (the configuration fitted on the tuning rows by `_assess`); the
    unconstrained configuration is refitted fold by fold, then once on the tuning rows.
    """
    if result.rows is not None:
        folds = restrict_folds(folds, result.rows, len(y_dev))
        X_dev, y_dev = X_dev[result.rows], y_dev[result.rows]
    free = dataclasses.replace(result.candidate, monotone=())
    oof, _ = out_of_fold(free, result.best_params, X_dev, y_dev, folds, seed)
    held_out = {}
    for label, pipeline in (
            ("constrained", dev_pipeline),
            ("unconstrained", fit_pipeline(free, result.best_params, X_dev, y_dev, seed))):
        held_out[label] = float(roc_auc_score(y_hold, pipeline.predict_proba(X_hold)[:, 1]))
    cv_free = float(roc_auc_score(y_dev, oof))
    return {"candidate": result.candidate.name,
            "n_constrained": int(sum(1 for d in result.candidate.monotone if d)),
            "method": config.MONOTONE_METHOD,
            "cv_auc_constrained": float(result.best_auc), "cv_auc_unconstrained": cv_free,
            "cv_auc_cost": cv_free - float(result.best_auc),
            "holdout_auc_constrained": held_out["constrained"],
            "holdout_auc_unconstrained": held_out["unconstrained"],
            "holdout_auc_cost": held_out["unconstrained"] - held_out["constrained"]}


def _application_only(result: SearchResult, feature_names: list[str],
                      application_columns: list[str]) -> tuple[SearchResult, np.ndarray]:
    """The chosen configuration restricted to the application columns (constraints kept)."""
    positions = np.array([feature_names.index(c) for c in application_columns])
    candidate = result.candidate
    if candidate.monotone:
        candidate = dataclasses.replace(
            candidate, monotone=tuple(candidate.monotone[i] for i in positions))
    if candidate.base_columns:  # the loan's columns are application columns: renumbered
        candidate = dataclasses.replace(candidate, base_columns=tuple(
            int(np.flatnonzero(positions == b)[0]) for b in candidate.base_columns
            if b in positions))
    return dataclasses.replace(result, candidate=candidate, oof=np.array([]), rows=None), positions


def _application_only_scores(result: SearchResult, positions: np.ndarray, X_dev: np.ndarray,
                             y_dev: np.ndarray, S_hold: np.ndarray, folds: list, seed: int
                             ) -> np.ndarray:
    """Calibrated held-out scores of `result`'s configuration on the application columns
    `positions`, fitted (and calibrated out of fold) on the tuning rows only."""
    oof, _ = out_of_fold(result.candidate, result.best_params, X_dev[:, positions], y_dev,
                         folds, seed)
    calibrator, _, _ = choose_calibrator(oof, y_dev, folds)
    pipeline = fit_pipeline(result.candidate, result.best_params, X_dev[:, positions], y_dev,
                            seed)
    return _calibrated(pipeline, calibrator, S_hold[:, positions])


def _dev_segment_scores(chosen: SearchResult, dev_model: tuple[Any, ProbabilityCalibrator],
                        app_only: SearchResult, app_positions: np.ndarray, X_dev: np.ndarray,
                        y_dev: np.ndarray, X_hold: np.ndarray, S_hold: np.ndarray, folds: list,
                        seed: int) -> dict[str, np.ndarray]:
    """Held-out scores of the chosen configuration fitted (and calibrated out of fold) on the
    tuning rows: `main` (clients as they are), `main_stripped` (history removed, through the
    main model) and `routed` (history removed, through the application-only model)."""
    pipeline, calibrator = dev_model
    rows = np.arange(len(y_dev)) if chosen.rows is None else chosen.rows
    app_folds = folds if chosen.rows is None else restrict_folds(folds, rows, len(y_dev))
    return {"main": _calibrated(pipeline, calibrator, X_hold),
            "main_stripped": _calibrated(pipeline, calibrator, S_hold),
            "routed": _application_only_scores(app_only, app_positions, X_dev[rows],
                                               y_dev[rows], S_hold, app_folds, seed)}


def _deployed_segment_scores(model: ScoringModel, app_positions: np.ndarray,
                             X_hold: np.ndarray, S_hold: np.ndarray) -> dict[str, np.ndarray]:
    """The same scores by the deployed models themselves (when the clients held apart
    calibrate them, they never saw the held-out split)."""
    main, app = (model.pipeline_, model.calibrator_), model.no_history_
    return {"main": _calibrated(*main, X_hold), "main_stripped": _calibrated(*main, S_hold),
            "routed": _calibrated(app.pipeline_, app.calibrator_, S_hold[:, app_positions])}


def _segments(scores: dict[str, np.ndarray], lightgbm_proba: np.ndarray | None,
              history: np.ndarray, age: np.ndarray | None, y_hold: np.ndarray,
              threshold: float) -> dict[str, Any]:
    """Held-out figures by segment (and by age band) of `scores` (`_dev_segment_scores` or
    `_deployed_segment_scores`).

    with_history: held-out clients that have history rows, scored as they are.
    no_history: every held-out client with all its history rows removed, scored as
    the deployed model scores them (routed to the application-only model).
    application_only: the application-only LightGBM of the same folds (`lightgbm_proba`, the
    best LightGBM candidate's configuration; the routed model itself when None).
    main_model_no_history: the same rows through the main model (what routing avoids).
    """
    main, routed = scores["main"], scores["routed"]
    report = {
        "method": "application-only model routed for clients without history",
        "threshold": threshold,
        "with_history": segment_metrics(y_hold[history], main[history], threshold),
        "no_history": segment_metrics(y_hold, routed, threshold),
        "application_only": segment_metrics(
            y_hold, routed if lightgbm_proba is None else lightgbm_proba, threshold),
        "main_model_no_history": segment_metrics(y_hold, scores["main_stripped"], threshold),
        "held_out_without_history_rows": int((~history).sum()),
    }
    if age is not None:
        report["by_age_band"] = {
            "with_history": metrics_by_age_band(y_hold[history], main[history], age[history],
                                                threshold),
            "no_history": metrics_by_age_band(y_hold, routed, age, threshold)}
    return report


def train_models(X: pd.DataFrame, y: pd.Series, out_dir: Path, budget_seconds: float,
                 quick: bool, seed: int = config.SEED, mlruns_dir: Path | None = None,
                 directions: Mapping[str, int] | None = None,
                 segments: SegmentInputs | None = None) -> ScoringModel:
    """Run the whole protocol on training clients; write model and reports into `out_dir`.

    Writes exactly `model.joblib`, `metrics.json`, `comparison.md`, `cost_curve.csv`,
    `oof_probability.parquet` (calibrated out-of-fold P(default) of the training
    clients it has them for) and `holdout.parquet` (held-out clients scored by the
    chosen configuration fitted without them) into the existing folder `out_dir`; MLflow runs go to
    `mlruns_dir` (default `config.MLRUNS_DIR`) and never stop training.
    `directions` (feature -> +1/-1): LightGBM's monotone constraints; only
    candidates that respect them may be chosen. `segments`: with it, an
    application-only model scores clients without history and both segments are
    measured on the held-out split.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise FileNotFoundError(f"output folder {out_dir} does not exist")
    matrix, labels = _check_inputs(X, y)
    feature_names = [str(c) for c in X.columns]
    monotone = constraint_vector(feature_names, directions or {})
    # The loan's columns grown first by LightGBM: only with their +1 direction (a first stage
    # without constraints would be free to make a larger loan look safer).
    base_columns = tuple(feature_names.index(c) for c in config.LOAN_BASE_FEATURES
                         if (directions or {}).get(c) == 1)
    tuning_idx, hold_idx = train_test_split(np.arange(len(labels)), test_size=HOLDOUT_FRACTION,
                                            stratify=labels, random_state=seed)
    dev_idx = tuning_idx[_stratified_subset(labels[tuning_idx], SEARCH_ROWS[quick], seed)]
    X_dev, y_dev, X_hold, y_hold = (matrix[dev_idx], labels[dev_idx], matrix[hold_idx],
                                    labels[hold_idx])
    folds = stratified_folds(y_dev, N_FOLDS, seed)
    log.info("training on %d clients x %d features (%d for tuning, %d held out, %d with a "
             "monotone direction), default rate %.2f %%, %s mode, search budget %.0f s",
             len(labels), matrix.shape[1], len(dev_idx), len(hold_idx),
             sum(1 for d in monotone if d), 100 * labels.mean(), "quick" if quick else "full",
             budget_seconds)

    tracker = Tracker(mlruns_dir)
    results = _search_all(all_candidates(monotone, base_columns), X_dev, y_dev, folds,
                          budget_seconds, quick, seed)
    candidates: dict[str, dict[str, Any]] = {}
    dev_models = {}
    with stage("held-out evaluation of every candidate", log):
        for result in results:
            summary, curve, dev_models[result.candidate.name] = _assess(
                result, X_dev, y_dev, X_hold, y_hold, folds, seed)
            candidates[result.candidate.name] = summary
            if result.candidate.kind == "scorecard":  # its points per bin, for comparison.md
                summary["points"] = dev_models[result.candidate.name][0][-1].points_table(
                    feature_names).to_dict("records")
            tracker.log_candidate(result.candidate.name,
                                  {"kind": summary["kind"], "imbalance": summary["imbalance"],
                                   **summary["best_params"]},
                                  {k: summary[k] for k in ("cv", "holdout", "fit_seconds")},
                                  curve, summary["cv"]["threshold"])
    loan_rows, loan_gate = None, "not applied: no raw application rows to scale the loan in"
    if segments is not None and segments.loan_scaled is not None:
        with stage("the loan's effect on every candidate (tuning clients)", log):
            loan_rows = _loan_rows(X, matrix, dev_idx, segments, feature_names, seed)
            if len(loan_rows[0]):
                loan_gate = "applied"
                for result in results:
                    _loan_gate(candidates[result.candidate.name],
                               dev_models[result.candidate.name], *loan_rows)
            else:
                loan_rows, loan_gate = None, "not applied: no sampled client has a complete loan"
                log.warning("the loan's rule is not applied: %s", loan_gate)
    # Per 1,000 clients: SMOTE candidates may be scored on fewer rows (SMOTE_ROWS).
    eligible = [r for r in results if candidates[r.candidate.name]["eligible"]]
    if not eligible:  # e.g. a tiny data set whose trees never split on the loan
        loan_gate = ("no candidate met it: chosen among those that respect the directions, "
                     "whatever the loan does")
        log.warning("the loan's rule: %s", loan_gate)
        eligible = [r for r in results if not r.candidate.ineligible_reason]
    chosen = min(eligible, key=lambda r: (candidates[r.candidate.name]["cv"]["cost_per_1000"],
                                          -candidates[r.candidate.name]["cv"]["auc"]))
    name = chosen.candidate.name
    log.info("chosen: %s (CV cost %d, AUC %.4f; held-out cost %d)", name,
             candidates[name]["cv"]["cost"], candidates[name]["cv"]["auc"],
             candidates[name]["holdout"]["cost"])
    constraints = None
    lightgbm = [r for r in eligible if r.candidate.kind == "lightgbm" and r.candidate.monotone]
    if lightgbm:
        measured = chosen if chosen in lightgbm else max(lightgbm, key=lambda r: r.best_auc)
        with stage(f"AUC cost of the monotone constraints ({measured.candidate.name})", log):
            constraints = _constraint_cost(measured, dev_models[measured.candidate.name][0],
                                           X_dev, y_dev, X_hold, y_hold, folds, seed)
    calibration = _calibration_rows(labels, tuning_idx, dev_idx, quick, seed)
    fitted_on = len(calibration.fit_rows) if calibration.held_apart else len(labels)
    with stage(f"final fit of {name} on {fitted_on} training clients", log):
        model, final, curve, (oof_rows, oof_proba, oof_cross_fitted) = _fit_final(
            chosen, matrix, labels, feature_names, seed, calibration)

    if loan_rows is not None:  # the deployed main model too, on the same clients
        final["loan_response"] = _loan_response(model.pipeline_, model.calibrator_, *loan_rows)
        if not final["loan_response"]["met"]:
            log.warning("the final model does not meet the loan's rule: %s",
                        final["loan_response"])

    segment_report = None
    if segments is not None:
        stripped = segments.without_history(X.index[hold_idx])
        if (not stripped.index.equals(X.index[hold_idx])
                or list(stripped.columns) != feature_names):
            raise ValueError("segments.without_history must give the clients and columns of X")
        app_only, app_positions = _application_only(chosen, feature_names,
                                                    segments.application_columns)
        app_lightgbm = None  # the routed model is a LightGBM: it is its own comparison
        if chosen.candidate.kind != "lightgbm" and lightgbm:
            best = min(lightgbm, key=lambda r: candidates[r.candidate.name]["cv"]["cost_per_1000"])
            app_lightgbm, _ = _application_only(best, feature_names,
                                                segments.application_columns)
        count_positions = [feature_names.index(c) for c in segments.history_columns]
        age_position = feature_names.index("DAYS_BIRTH") if "DAYS_BIRTH" in feature_names else None
        S_hold = stripped.to_numpy(np.float32)
        with stage("final application-only model for clients without history", log):
            # Calibrated on the main model's calibration rows and folds (its own scores).
            app_model, app_final, _, (app_rows, app_proba, app_cross_fitted) = _fit_final(
                app_only, matrix[:, app_positions], labels, segments.application_columns,
                seed, calibration, threshold=final["threshold"])
        model = ScoringModel(model.kind, model.pipeline_, model.calibrator_, model.threshold_,
                             feature_names, no_history=app_model,
                             history_columns=segments.history_columns)
        with stage("segments: clients with and without history (held-out split)", log):
            lightgbm_proba = None
            if app_lightgbm is not None:
                lgb_rows = (np.arange(len(y_dev)) if app_lightgbm.rows is None
                            else app_lightgbm.rows)
                lgb_folds = (folds if app_lightgbm.rows is None
                             else restrict_folds(folds, lgb_rows, len(y_dev)))
                lightgbm_proba = _application_only_scores(
                    app_lightgbm, app_positions, X_dev[lgb_rows], y_dev[lgb_rows], S_hold,
                    lgb_folds, seed)
            if calibration.held_apart:  # the deployed models never saw the held-out split
                scores = _deployed_segment_scores(model, app_positions, X_hold, S_hold)
                threshold = final["threshold"]
            else:
                scores = _dev_segment_scores(chosen, dev_models[name], app_only, app_positions,
                                             X_dev, y_dev, X_hold, S_hold, folds, seed)
                threshold = candidates[name]["cv"]["threshold"]
            segment_report = _segments(
                scores, lightgbm_proba, has_history(X_hold, count_positions),
                None if age_position is None else X_hold[:, age_position], y_hold, threshold)
            segment_report["measured_on"] = (
                "deployed model" if calibration.held_apart
                else "chosen configuration fitted on the tuning rows")
        segment_report["final_no_history_model"] = app_final
        # Same rows in the same order: a client without history keeps the score of the
        # model that would score it.
        if not np.array_equal(app_rows, oof_rows):
            raise RuntimeError("the two models were calibrated on different clients")
        no_history = ~has_history(matrix[oof_rows], count_positions)
        if age_position is not None:
            # The same bands on the calibration clients' out-of-fold scores, each calibrated
            # by a map fitted on the other folds (a calibrator reproduces the default rate of
            # the rows it was fitted on): on the sample, every training client, five times
            # the held-out split, where a band of 250 clients holds 6 to 30 defaults.
            age, y_cal = matrix[oof_rows, age_position], labels[oof_rows]
            segment_report["by_age_band_out_of_fold"] = {
                "with_history": metrics_by_age_band(
                    y_cal[~no_history], oof_cross_fitted[~no_history], age[~no_history],
                    final["threshold"]),
                "no_history": metrics_by_age_band(y_cal, app_cross_fitted, age,
                                                  final["threshold"])}
        oof_proba = np.where(no_history, app_proba, oof_proba)

    holdout_proba, holdout = chosen.holdout_proba, candidates[name]["holdout"]
    if calibration.held_apart:  # the deployed model itself, which never saw these clients
        frame = pd.DataFrame(X_hold, columns=feature_names)
        holdout_proba = model.predict_proba(frame)
        # Ranked by the probability the app shows: raw scores of the main and the
        # application-only models are not on one scale.
        holdout = {**evaluate(y_hold, holdout_proba, final["threshold"]),
                   "measured_on": "deployed model"}
    metrics = {
        "chosen": name,
        "threshold": final["threshold"],
        "candidates": candidates,
        "final": final,
        "holdout": holdout,
        "constraints": constraints,
        "segments": segment_report,
        "n_clients": {"all": len(labels), "tuning": len(dev_idx), "holdout": len(hold_idx)},
        "n_features": len(feature_names),
        "default_rate": float(labels.mean()),
        "cost_weights": {"fn": config.COST_FN, "fp": config.COST_FP},
        "protocol": {"folds": N_FOLDS, "holdout_fraction": HOLDOUT_FRACTION, "seed": seed,
                     "quick": quick, "budget_seconds": budget_seconds,
                     "search": "randomized, ranked by out-of-fold ROC AUC",
                     "selection": "lowest cross-validated business cost (cross-fitted "
                                  "calibration) among candidates that respect the "
                                  "monotone directions and that the loan moves",
                     "loan_gate": loan_gate},
    }
    joblib.dump(model, out_dir / "model.joblib")
    pd.DataFrame({"probability": oof_proba.astype(np.float32)},
                 index=X.index[oof_rows]).sort_index().to_parquet(out_dir / OOF_FILE)
    # Held-out clients scored by the chosen configuration fitted without them (fairness report):
    # the deployed model itself when clients were held apart to calibrate it.
    pd.DataFrame({"TARGET": y_hold, "probability": holdout_proba},
                 index=X.index[hold_idx]).to_parquet(out_dir / HOLDOUT_FILE)
    run_id = tracker.log_candidate(f"final-{name}",
                                   {"kind": chosen.candidate.kind,
                                    "imbalance": chosen.candidate.imbalance,
                                    **chosen.best_params},
                                   {"oof": final["oof"], "holdout": metrics["holdout"]},
                                   curve, final["threshold"], tags={"chosen": "true"})
    version = tracker.log_model(run_id, out_dir / "model.joblib") if run_id else None
    metrics["mlflow"] = {"run_id": run_id, "registered_version": version,
                         "store": str(tracker.mlruns_dir) if tracker.active else None}
    metrics["total_seconds"] = time.perf_counter() - started
    reports = write_reports(out_dir, metrics, curve)
    if run_id:
        tracker.log_files(run_id, reports)
    log.info("training finished in %.0f s: %s, threshold %.4f", metrics["total_seconds"],
             name, final["threshold"])
    return model


def _read_feature_file(features_file: Path) -> tuple[pd.DataFrame, pd.Series]:
    from model.features.build import load_feature_file

    features_file = Path(features_file)
    if not features_file.is_file():
        raise FileNotFoundError(f"feature file {features_file} not found; build it with "
                                "`python -m model features`")
    features, target = load_feature_file(features_file)
    known = target.notna()
    log.info("%s: %d clients, %d with a known TARGET", features_file.name, len(target),
             int(known.sum()))
    return features[known], target[known].astype(int)


def _directions_from_builder(path: Path, columns: pd.Index) -> dict[str, int] | None:
    """Monotone directions of the feature file's columns, from the builder saved beside it."""
    from model.training.constraints import feature_directions

    fitted = joblib.load(path) if path.is_file() else None
    if not hasattr(fitted, "features_"):
        log.warning("no fitted feature builder beside the feature file (%s): training "
                    "without monotone constraints", path)
        return None
    directions = feature_directions(fitted.features_)
    return {name: d for name, d in directions.items() if name in columns}


def train_from_file(features_file: Path, out_dir: Path, budget_seconds: float = 600,
                    quick: bool = False, mlruns_dir: Path | None = None) -> Path:
    """Train from a feature file and write the model artifact set to `out_dir` atomically.

    The fitted feature builder and the dictionary written beside the feature
    file are copied in as `feature_builder.joblib` and `feature_dictionary.csv`.
    """
    from model.artifacts import atomic_dir
    from model.features.build import sidecar_paths

    features_file = Path(features_file)
    X, y = _read_feature_file(features_file)
    builder, dictionary = sidecar_paths(features_file)
    directions = _directions_from_builder(builder, X.columns)
    with atomic_dir(out_dir, manifest_extra={"features_file": str(features_file)}) as tmp:
        # No segment model here: the raw tables needed to strip history are not given.
        train_models(X, y, tmp, budget_seconds=budget_seconds, quick=quick,
                     mlruns_dir=mlruns_dir, directions=directions)
        for source, name in ((builder, "feature_builder.joblib"),
                             (dictionary, "feature_dictionary.csv")):
            if source.is_file():
                shutil.copyfile(source, tmp / name)
    return Path(out_dir)
