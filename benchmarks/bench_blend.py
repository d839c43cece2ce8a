"""How much of LightGBM and how much of the sign-bounded logistic regression? The blend's weight.

    python benchmarks/bench_blend.py --artifacts ROOT [--weights 1 0.8 0.7 0.6 0.5 0.4 0.3 0]

Refits LightGBM (the set's `lightgbm_none` configuration, with the set's directions and the
loan's first trees) and the sign-bounded logistic regression on the build's own five folds
of tuning clients, and once on all of them for the held-out split, exactly as training does
(`benchmarks/training_split.py`); then blends their log-odds at each weight (1 = LightGBM
alone, 0 = the logistic regression alone). Prints a Markdown table: CV AUC, CV cost per
1,000 (cross-fitted calibration, each weight at its own cost-optimal threshold, as the
candidates are compared) and held-out AUC per weight.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=Path, required=True, help="artifacts root")
    parser.add_argument("--weights", type=float, nargs="+",
                        default=[1.0, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.0])
    args = parser.parse_args()
    from scipy.special import expit
    from sklearn.metrics import roc_auc_score

    from benchmarks.training_split import training_split
    from model.training.calibration import choose_calibrator
    from model.training.candidates import Candidate
    from model.training.cost import best_threshold
    from model.training.metrics import evaluate
    from model.training.search import fit_pipeline, out_of_fold, stratified_folds
    from model.training.train import N_FOLDS

    split = training_split(args.artifacts)
    X, y, dev, hold, seed = split.X, split.y, split.dev, split.hold, split.seed
    classifier = split.model.classifier_
    trees = getattr(classifier, "trees_", classifier)  # the blend's trees, or LightGBM itself
    monotone = tuple(int(v) for v in trees.get_params()["monotone_constraints"])
    lightgbm = split.metrics["candidates"]["lightgbm_none"]["best_params"]
    parts = {"trees": (Candidate("lightgbm", "none", monotone=monotone,
                                 base_columns=tuple(trees.base_columns)), lightgbm),
             "linear": (Candidate("logistic", "none", monotone=monotone),
                        Candidate("logistic", "none", monotone=monotone).default_params(True))}
    folds = stratified_folds(y[dev], N_FOLDS, seed)
    oof, held = {}, {}
    for name, (candidate, params) in parts.items():
        oof[name] = _logit(out_of_fold(candidate, params, X[dev], y[dev], folds, seed)[0])
        held[name] = _logit(fit_pipeline(candidate, params, X[dev], y[dev], seed)
                            .predict_proba(X[hold])[:, 1])
    print("| trees' weight | CV AUC | CV cost / 1,000 | held-out AUC |")
    print("|---|---|---|---|")
    for w in args.weights:
        blended = expit(w * oof["trees"] + (1 - w) * oof["linear"])
        _, _, cross_fitted = choose_calibrator(blended, y[dev], folds)
        threshold, _ = best_threshold(y[dev], cross_fitted)
        cost = evaluate(y[dev], cross_fitted, threshold, raw_proba=blended)["cost_per_1000"]
        held_out = w * held["trees"] + (1 - w) * held["linear"]
        print(f"| {w:.2f} | {roc_auc_score(y[dev], blended):.4f} | {cost:.0f} | "
              f"{roc_auc_score(y[hold], held_out):.4f} |")


if __name__ == "__main__":
    main()
