"""How far apart are two candidates on the held-out split? A paired bootstrap of the AUC gap.

    python benchmarks/bench_holdout_auc.py --artifacts ROOT [--other logistic_none] [--boot 2000]

The held-out split of a real-sample build holds 1,000 clients and 77 defaults: one AUC
measured on it moves by a few hundredths by chance. The chosen model's held-out scores
are the build's (`holdout.parquet`); the other candidate is refitted on the tuning clients
with its best parameters, exactly as training's `_assess` does, and both are compared on
the same resamples of the held-out clients. Prints a Markdown table: both AUCs, the gap and
its 95 % bootstrap interval, and the cross-validated AUCs of the same two (metrics.json).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=Path, required=True, help="artifacts root")
    parser.add_argument("--other", default="logistic_none", help="candidate compared")
    parser.add_argument("--boot", type=int, default=2000)
    args = parser.parse_args()
    from sklearn.metrics import roc_auc_score

    from benchmarks.training_split import training_split
    from model.training.candidates import Candidate
    from model.training.search import fit_pipeline

    split = training_split(args.artifacts)
    folder, metrics, clients, X, y = split.folder, split.metrics, split.clients, split.X, split.y
    dev, hold, seed = split.dev, split.hold, split.seed
    other = metrics["candidates"][args.other]
    candidate = Candidate(other["kind"], other["imbalance"])
    p_other = fit_pipeline(candidate, other["best_params"], X[dev], y[dev], seed
                           ).predict_proba(X[hold])[:, 1]
    chosen = pd.read_parquet(folder / "holdout.parquet")
    ids = clients.index[hold]
    p_chosen = chosen.loc[ids, "probability"].to_numpy()
    y_hold = y[hold]
    gap = roc_auc_score(y_hold, p_chosen) - roc_auc_score(y_hold, p_other)
    rng = np.random.default_rng(seed)
    gaps = []
    for _ in range(args.boot):
        rows = rng.integers(0, len(y_hold), len(y_hold))
        if y_hold[rows].min() == y_hold[rows].max():
            continue
        gaps.append(roc_auc_score(y_hold[rows], p_chosen[rows])
                    - roc_auc_score(y_hold[rows], p_other[rows]))
    low, high = np.quantile(gaps, [0.025, 0.975])
    print(f"| {metrics['chosen']} held-out AUC | {args.other} held-out AUC | gap (95 % paired "
          "bootstrap interval) | share of resamples with the chosen ahead | CV AUC gap |")
    print("|---|---|---|---|---|")
    cv_gap = metrics["candidates"][metrics["chosen"]]["cv"]["auc"] - other["cv"]["auc"]
    print(f"| {roc_auc_score(y_hold, p_chosen):.4f} | {roc_auc_score(y_hold, p_other):.4f} | "
          f"{gap:+.4f} ({low:+.4f} to {high:+.4f}) | {np.mean(np.asarray(gaps) > 0):.1%} | "
          f"{cv_gap:+.4f} |")


if __name__ == "__main__":
    main()
