"""How the loan's first trees decide whether a larger loan raises the probability.

    python benchmarks/bench_loan_stage.py --artifacts ROOT [--folds]

On the set's training clients (the build's tuning / held-out split, seed 42): the chosen
LightGBM configuration with the loan's first stage (`config.LOAN_BASE_*`) set as in each
row, fitted on the tuning clients, for the main model (every column; clients with history)
and the application-only model (application columns; every client). "x2 higher": share of
clients whose probability strictly rises when AMT_CREDIT, AMT_ANNUITY, CREDIT_INCOME_RATIO and
ANNUITY_INCOME_PERC double (goods price scaled too: GOODS_CREDIT_RATIO does not move), on the
feature matrix directly; "lower": how many fall (must be 0). `--folds`: also the CV AUC on
the build's five folds. The whole scoring path is `bench_loan_directions.py`.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# label -> (trees, learning rate, settings over the model's); the first is the first pass.
STAGES = {
    "0.1, 100 trees, 7 leaves (first pass)": (100, 0.1, {}),
    "0.1, 100 trees, 7 leaves, 255 bins": (100, 0.1, {"max_bin": 255}),
    "0.05, 300 trees, 4 leaves, 20 rows a leaf, 255 bins, 70 % rows": (
        300, 0.05, {"num_leaves": 4, "min_child_samples": 20, "max_bin": 255, "subsample": 0.7}),
    "0.01, 200 trees, 4 leaves, 20 rows a leaf, 255 bins, 50 % rows": (
        200, 0.01, {"num_leaves": 4, "min_child_samples": 20, "max_bin": 255, "subsample": 0.5}),
    "0.01, 200 trees, 4 leaves, 20 rows a leaf, 50 % rows (deployed)": (
        200, 0.01, {"num_leaves": 4, "min_child_samples": 20, "subsample": 0.5}),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=Path, required=True, help="artifacts root")
    parser.add_argument("--folds", action="store_true", help="also the 5-fold CV AUC")
    args = parser.parse_args()

    from sklearn.metrics import roc_auc_score

    # This run changes config.LOAN_BASE_* between rows: fold workers would import the
    # defaults afresh, so every fold is fitted here.
    os.environ["SCORING_FOLD_JOBS"] = "1"
    from benchmarks.training_split import lightgbm_params, model_directions, training_split
    from model import config
    from model.training.candidates import Candidate
    from model.training.search import out_of_fold, stratified_folds
    from model.training.train import N_FOLDS

    split = training_split(args.artifacts)
    model, names, X, y, dev, hold, seed = (split.model, split.names, split.X, split.y,
                                           split.dev, split.hold, split.seed)
    history = (np.nan_to_num(X[:, [names.index(c) for c in model.history_columns_]]) > 0).any(axis=1)
    monotone = model_directions(model)
    params = lightgbm_params(split.metrics)
    models = {"main": (list(range(len(names))), np.flatnonzero(history)),
              "application-only": ([names.index(c) for c in model.no_history_.feature_names_],
                                   np.arange(len(y)))}
    print("| loan stage (learning rate, trees, settings) | model | loan trees grown | x2 higher "
          "| lower | held-out AUC |" + (" CV AUC |" if args.folds else "") + " seconds |")
    print("|---|---|---|---|---|---|" + ("---|" if args.folds else "") + "---|")
    for label, (trees, rate, settings) in STAGES.items():
        config.LOAN_BASE_TREES, config.LOAN_BASE_LEARNING_RATE = trees, rate
        config.LOAN_BASE_PARAMS = settings
        for which, (columns, rows) in models.items():
            started = time.perf_counter()
            column_names = [names[i] for i in columns]
            loan = [column_names.index(c) for c in config.LOAN_BASE_FEATURES]
            candidate = Candidate("lightgbm", "none",
                                  monotone=tuple(monotone[i] for i in columns),
                                  base_columns=tuple(loan))
            Xc = X[:, columns]
            pipeline = candidate.build(params, seed).fit(Xc[dev], y[dev])
            auc = roc_auc_score(y[hold], pipeline.predict_proba(Xc[hold])[:, 1])
            doubled = Xc[rows].copy()
            doubled[:, loan] *= 2
            before = pipeline.predict_proba(Xc[rows])[:, 1]
            after = pipeline.predict_proba(doubled)[:, 1]
            cells = [label, which, str(pipeline[-1].base_trees_),
                     f"{(after > before + 1e-12).mean():.1%}", str(int((after < before - 1e-12).sum())),
                     f"{auc:.4f}"]
            if args.folds:
                folds = stratified_folds(y[dev], N_FOLDS, seed)
                oof, _ = out_of_fold(candidate, params, Xc[dev], y[dev], folds, seed)
                cells.append(f"{roc_auc_score(y[dev], oof):.4f}")
            cells.append(f"{time.perf_counter() - started:.0f}")
            print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
