"""Cross-validated out-of-fold predictions and randomized search under a time budget.

Every candidate is scored on the same stratified folds, so differences
between candidates are not differences between splits. The search keeps
drawing configurations while the time left allows another one, which makes
`--budget` a real bound rather than a number of iterations.
"""
from __future__ import annotations

import logging
import os
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from model.training.candidates import Candidate

log = logging.getLogger(__name__)

Folds = Sequence[tuple[np.ndarray, np.ndarray]]
# Folds fitted at once (worker processes; each fit keeps `SCORING_N_JOBS` threads of its
# own); 1 = one after the other. Workers import the project afresh: a setting changed in
# `model.config` at run time (a benchmark's) does not reach them, so such a run sets 1.
FOLD_JOBS = int(os.environ.get("SCORING_FOLD_JOBS", "2"))


def stratified_folds(y: np.ndarray, n_splits: int, seed: int
                     ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Fixed stratified folds (row positions), computed once and shared by all candidates."""
    y = np.asarray(y).astype(int)
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), y))


def fit_pipeline(candidate: Candidate, params: dict[str, Any], X: np.ndarray, y: np.ndarray,
                 seed: int) -> Any:
    """Build and fit one pipeline, silencing solver convergence chatter."""
    pipeline = candidate.build(params, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=ConvergenceWarning)
        pipeline.fit(X, y)
    return pipeline


class OverBudget(Exception):
    """A configuration was still running when the search's time ran out."""


def out_of_fold(candidate: Candidate, params: dict[str, Any], X: np.ndarray, y: np.ndarray,
                folds: Folds, seed: int, deadline: float | None = None
                ) -> tuple[np.ndarray, float]:
    """Uncalibrated P(default) of each row from the model not trained on it, and mean fit time.

    Folds are fitted `FOLD_JOBS` at a time, in worker processes: two folds at once use both
    cores (the real sample's quick build went from over 3 minutes to 2 and a half). Not
    threads: LightGBM's native code is not safe for two boosters trained at once in one
    process (a thread pool crashed the build). joblib hands the matrix to the workers as a
    memory map; each fold is the same fit as one after the other (same rows, same seed):
    the same scores. With a `deadline` (a `time.perf_counter()` value) no batch of folds
    starts once it has passed: `OverBudget` is raised.
    """
    oof = np.full(len(y), np.nan)
    seconds: list[float] = []
    batch = max(1, FOLD_JOBS)
    for start in range(0, len(folds), batch):
        if deadline is not None and time.perf_counter() > deadline:
            raise OverBudget(f"stopped after {start} of {len(folds)} folds")
        chosen = folds[start:start + batch]
        if len(chosen) == 1:
            done = [_fold_scores(candidate, params, X, y, *chosen[0], seed)]
        else:
            from joblib import Parallel, delayed

            done = Parallel(n_jobs=len(chosen))(
                delayed(_fold_scores)(candidate, params, X, y, train_idx, val_idx, seed)
                for train_idx, val_idx in chosen)
        for (_, val_idx), (scores, fit_seconds) in zip(chosen, done):
            oof[val_idx] = scores
            seconds.append(fit_seconds)
    return oof, float(np.mean(seconds))


def _fold_scores(candidate: Candidate, params: dict[str, Any], X: np.ndarray, y: np.ndarray,
                 train_idx: np.ndarray, val_idx: np.ndarray, seed: int
                 ) -> tuple[np.ndarray, float]:
    """Scores of one fold's rows by the configuration fitted on the others, and fit time."""
    started = time.perf_counter()
    pipeline = fit_pipeline(candidate, params, X[train_idx], y[train_idx], seed)
    seconds = time.perf_counter() - started
    return pipeline.predict_proba(X[val_idx])[:, 1], seconds


@dataclass
class SearchResult:
    """Best configuration of one candidate and the evidence behind it."""

    candidate: Candidate
    best_params: dict[str, Any]
    best_auc: float
    oof: np.ndarray
    fit_seconds: float
    search_seconds: float = 0.0
    trials: list[dict[str, Any]] = field(default_factory=list)
    # Positions (in the search rows) the candidate was tuned on; None = all of them.
    rows: np.ndarray | None = None
    # Calibrated scores of the held-out clients by the configuration refitted without them.
    holdout_proba: np.ndarray | None = None


def restrict_folds(folds: Folds, rows: np.ndarray, n_rows: int
                   ) -> list[tuple[np.ndarray, np.ndarray]]:
    """The same folds seen from a subset `rows` of `n_rows` rows, renumbered 0..len(rows)-1.

    A client keeps the fold it had: candidates tuned on a subset are still
    compared on the same splits as the others.
    """
    position = np.full(n_rows, -1)
    position[np.asarray(rows)] = np.arange(len(rows))
    restricted = []
    for train_idx, val_idx in folds:
        train_pos, val_pos = position[train_idx], position[val_idx]
        restricted.append((train_pos[train_pos >= 0], val_pos[val_pos >= 0]))
    return restricted


def randomized_search(candidate: Candidate, X: np.ndarray, y: np.ndarray, folds: Folds,
                      budget_seconds: float, max_trials: int, seed: int, quick: bool
                      ) -> SearchResult:
    """Defaults first, then random configurations until the budget or `max_trials` runs out.

    The defaults always run to the end, so every candidate has a result; a
    later configuration still running when the budget is spent is abandoned
    between two folds.

    Configurations are ranked by out-of-fold ROC AUC: it is threshold-free and
    far less noisy than the cost at an optimised threshold, which is tuned
    afterwards on the winner's out-of-fold predictions.
    """
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    best: SearchResult | None = None
    trials: list[dict[str, Any]] = []
    trial_seconds = 0.0
    while len(trials) < max_trials:
        elapsed = time.perf_counter() - started
        if trials and elapsed + trial_seconds > budget_seconds:
            break
        params = (candidate.default_params(quick) if not trials
                  else candidate.sample_params(rng, quick))
        trial_started = time.perf_counter()
        deadline = started + budget_seconds if trials else None
        try:
            oof, fit_seconds = out_of_fold(candidate, params, X, y, folds, seed, deadline)
        except OverBudget as stop:
            log.info("%s: budget spent, configuration %s %s", candidate.name, params, stop)
            trials.append({"params": params, "auc": None, "error": f"over budget: {stop}"})
            break
        except (ValueError, ArithmeticError) as error:  # e.g. a solver rejecting a config
            log.warning("%s: configuration %s failed: %s", candidate.name, params, error)
            trials.append({"params": params, "auc": None, "error": str(error)})
            continue
        trial_seconds = time.perf_counter() - trial_started
        auc = float(roc_auc_score(y, oof))
        trials.append({"params": params, "auc": auc, "seconds": trial_seconds})
        log.info("%s: trial %d AUC %.4f in %.1f s", candidate.name, len(trials), auc,
                 trial_seconds)
        if best is None or auc > best.best_auc:
            best = SearchResult(candidate, params, auc, oof, fit_seconds)
    if best is None:
        raise ValueError(f"{candidate.name}: every configuration failed; see the log")
    best.search_seconds = time.perf_counter() - started
    best.trials = trials
    return best
