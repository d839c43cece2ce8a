"""What leaving the loan's term out of the model costs in AUC (issue 18).

    python benchmarks/bench_term.py --artifacts ROOT

The term (credit / annuity, in years of instalments; `PAYMENT_RATE` is its inverse) is not a
model input: a direction on it contradicts another one whatever its sign (+1, a longer term
riskier: raising the annuity at the same credit shortens the term, so it would lower the
risk against AMT_ANNUITY's +1; -1: lowering the credit at the same annuity shortens the term,
so a smaller loan would raise the risk against AMT_CREDIT's +1). This measures what it would
add. The chosen configuration of the set `ROOT/current` (its kind, imbalance and parameters,
the build's monotone directions) is cross-validated on the build's own protocol (same
held-out split, same stratified folds on the tuning clients) with the term added free, with
-1, with +1, and without it, and refitted on the tuning clients for the held-out AUC.
Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

log = logging.getLogger("bench_term")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=Path, required=True, help="artifacts root")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    import joblib
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    from model import config
    from benchmarks.training_split import model_directions
    from model.artifacts import current_set
    from model.training.candidates import Candidate
    from model.training.search import fit_pipeline, out_of_fold, stratified_folds
    from model.training.train import HOLDOUT_FRACTION, N_FOLDS, SEARCH_ROWS, _stratified_subset

    folder = current_set(args.artifacts)
    metrics = json.loads((folder / "metrics.json").read_text())
    model = joblib.load(folder / "model.joblib")
    chosen = metrics["candidates"][metrics["chosen"]]
    names = json.loads((folder / "feature_names.json").read_text())
    clients = pd.read_parquet(folder / "clients.parquet")
    train = (clients["set"] == "train").to_numpy()
    ids = clients.index[train]
    apps = pd.read_parquet(folder / "applications.parquet").set_index("SK_ID_CURR").loc[ids]
    features = np.load(folder / "features.npy", mmap_mode="r")
    X = np.asarray(features[clients["row"].to_numpy()[train]])[
        :, pd.Index(names).get_indexer(model.feature_names_)]
    y = clients["TARGET"].to_numpy()[train].astype(int)
    term = (apps["AMT_CREDIT"] / apps["AMT_ANNUITY"]).replace([np.inf, -np.inf], np.nan)
    X_term = np.column_stack([X, term.to_numpy(np.float32)])
    base = model_directions(model)
    loan = tuple(model.feature_names_.index(c) for c in config.LOAN_BASE_FEATURES
                 if c in model.feature_names_)
    seed = metrics["protocol"]["seed"]
    dev, hold = train_test_split(np.arange(len(y)), test_size=HOLDOUT_FRACTION, stratify=y,
                                 random_state=seed)
    dev = dev[_stratified_subset(y[dev], SEARCH_ROWS[metrics["protocol"]["quick"]], seed)]
    folds = stratified_folds(y[dev], N_FOLDS, seed)
    params = chosen["best_params"]
    rows = ["| term (credit / annuity) | direction | CV AUC | held-out AUC |", "|---|---|---|---|"]
    started = time.perf_counter()
    for label, matrix, vector in (("left out (deployed)", X, base),
                                  ("added", X_term, (*base, 0)),
                                  ("added", X_term, (*base, -1)),
                                  ("added", X_term, (*base, +1))):
        candidate = Candidate(chosen["kind"], chosen["imbalance"], monotone=vector,
                              base_columns=loan if chosen["kind"] in ("lightgbm", "blend") else ())
        oof, _ = out_of_fold(candidate, params, matrix[dev], y[dev], folds, seed)
        pipeline = fit_pipeline(candidate, params, matrix[dev], y[dev], seed)
        held_out = roc_auc_score(y[hold], pipeline.predict_proba(matrix[hold])[:, 1])
        direction = {0: "free", -1: "-1 (longer term safer)", 1: "+1 (longer term riskier)"}[
            vector[-1]] if label == "added" else "—"
        rows.append(f"| {label} | {direction} | {roc_auc_score(y[dev], oof):.4f} | "
                    f"{held_out:.4f} |")
        log.info("%s %s: done, %.0f s elapsed", label, direction, time.perf_counter() - started)
    print(f"{metrics['chosen']}, {len(dev)} tuning clients, {len(hold)} held out\n")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
