"""Does the model listen to the loan? Doubling credit, annuity and goods price at the same income.

    python benchmarks/bench_loan_directions.py --artifacts ROOT [--factor 2] [--clients 0]
                                               [--candidate NAME]

For every training client of the set `ROOT/current` with a complete loan: the probability
with the loan as asked and scaled by `--factor`, (1) as stored, history kept (the what-if's
computation, batched: application features recomputed by the fitted builder, history
aggregates as stored) and (2) as a new applicant (history removed, the new-applicant path
`score_applications`). Prints a Markdown table: clients, strictly higher, unchanged, lower.
The tests (tests/model/test_loan_directions.py) check a sample of 500; this is the sweep.

`--candidate NAME` sweeps another candidate of the set's comparison instead (e.g. the
scorecard): its best configuration refitted on every training client, behind the set's
calibrator, scoring every client (no application-only model). A candidate is only worth
choosing if the loan moves it.
"""
from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

log = logging.getLogger("bench_loan_directions")
LOAN = ("AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE")
EPS = 1e-9


def scaled(apps: pd.DataFrame, factor: float) -> pd.DataFrame:
    out = apps.copy()
    for column in LOAN:
        out[column] = out[column].astype(np.float64) * factor
    return out


def stored_probabilities(state, ids: np.ndarray, apps: pd.DataFrame) -> np.ndarray:
    """Stored rows (history kept) with the application features recomputed from `apps`."""
    rows = np.asarray(state.features)[state.clients.loc[ids, "row"].to_numpy()].copy()
    names = pd.Index(state.feature_names)
    columns = list(state.builder.application_features_)
    recomputed = state.builder.transform_application(apps)[columns].to_numpy(np.float32)
    rows[:, names.get_indexer(columns)] = recomputed
    return np.asarray(state.model.predict_proba(pd.DataFrame(rows, columns=names)))


def counts(before: np.ndarray, after: np.ndarray) -> tuple[int, int, int]:
    higher = int((after > before + EPS).sum())
    lower = int((after < before - EPS).sum())
    return higher, len(before) - higher - lower, lower


def refitted_candidate(state, name: str):
    """`name`'s best configuration of the set's comparison, fitted on every training client,
    as a scoring model with the set's calibrator and threshold (directions do not depend on
    the monotone calibrator)."""
    import json

    from benchmarks.training_split import model_directions
    from model.training.candidates import Candidate
    from model.training.scoring import ScoringModel
    from model.training.search import fit_pipeline

    metrics = json.loads((state.artifacts_dir / "metrics.json").read_text())
    summary = metrics["candidates"][name]
    monotone = model_directions(state.model) if summary["kind"] != "logistic" else ()
    candidate = Candidate(summary["kind"], summary["imbalance"], monotone=monotone)
    train = (state.clients["set"] == "train").to_numpy()
    X = np.asarray(state.features)[state.clients["row"].to_numpy()[train]]
    y = state.clients["TARGET"].to_numpy()[train].astype(int)
    started = time.perf_counter()
    pipeline = fit_pipeline(candidate, summary["best_params"], X, y, metrics["protocol"]["seed"])
    log.info("%s refitted on %d clients in %.0f s", name, len(y), time.perf_counter() - started)
    return ScoringModel(summary["kind"], pipeline, state.model.calibrator_,
                        state.model.threshold_, state.feature_names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=Path, required=True, help="artifacts root")
    parser.add_argument("--factor", type=float, default=2.0)
    parser.add_argument("--clients", type=int, default=0, help="at most this many (0: all)")
    parser.add_argument("--candidate", help="a candidate of metrics.json, refitted on the set")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    os.environ["SCORING_ARTIFACTS"] = str(args.artifacts.resolve())
    from model.artifacts import current_set
    from tests.scoring_paths import score_applications
    from webapp.serving import load_state

    started = time.perf_counter()
    state = load_state(current_set(args.artifacts))
    if args.candidate:
        state = dataclasses.replace(state, model=refitted_candidate(state, args.candidate))
    train = state.clients.index[state.clients["set"] == "train"]
    apps = state.applications.loc[train]
    ids = apps.index[apps[[*LOAN, "AMT_INCOME_TOTAL"]].notna().all(axis=1).to_numpy()]
    if args.clients:
        ids = ids[:args.clients]
    raw = state.applications.loc[ids].reset_index()
    rows = pd.DataFrame(np.asarray(state.features)[state.clients.loc[ids, "row"].to_numpy()],
                        columns=state.feature_names)
    history = state.model.has_history(rows)
    table = ["| clients | model | loan x{:g}: strictly higher | unchanged | lower |".format(
        args.factor), "|---|---|---|---|---|"]
    for label, score, keep in (
            ("with history (as stored)", lambda a: stored_probabilities(state, ids, a), history),
            ("new applicants (history removed)", lambda a: score_applications(state, a),
             np.ones(len(ids), dtype=bool))):
        before, after = score(raw)[keep], score(scaled(raw, args.factor))[keep]
        higher, same, lower = counts(before, after)
        model = "main" if keep is history else "application-only"
        table.append(f"| {label}: {len(before)} | {model} | {higher} ({higher / len(before):.1%}) "
                     f"| {same} | {lower} |")
        log.info("%s done, %.0f s elapsed", label, time.perf_counter() - started)
    print("\n".join(table))


if __name__ == "__main__":
    main()
