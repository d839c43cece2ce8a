"""Constraints and segments of built artifact sets, and the no-history methods compared.

    python benchmarks/bench_lending.py --artifacts DIR [DIR ...]   # tables from metrics.json
    python benchmarks/bench_lending.py --methods [--quick]         # how no-history was chosen

`--artifacts`: one row per artifact set: AUC of the chosen LightGBM with and without
its monotone constraints (same configuration, same folds), then the held-out figures
of clients with history and of the same clients with all history removed (deployed
model = application-only model, and the main model for comparison).

`--methods`: on the real sample (held-out split of `train_models`), LightGBM at the
default configuration scored on history-stripped held-out clients, for each way to
score applicants without history: the main model as it is, the main model trained
on training clients plus their history-stripped copies, and an application-only
model (the one routed in the deployed model). Prints raw (uncalibrated) figures.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))


def _segment_cells(row: dict) -> str:
    return (f"{row['auc']:.4f} | {row['cost_per_1000']:.0f} | {row['mean_predicted']:.4f} vs "
            f"{row['observed_rate']:.4f} ({100 * row['calibration_gap']:+.1f} %)")


def artifacts_table(folders: list[Path]) -> str:
    lines = ["| artifact set | mode | chosen | constrained features | CV AUC constrained / "
             "unconstrained (cost) | holdout AUC constrained / unconstrained (cost) |",
             "|---|---|---|---:|---|---|"]
    segments = ["| artifact set | segment | clients | AUC | cost / 1,000 | mean predicted vs "
                "observed (gap) |", "|---|---|---:|---|---:|---|"]
    for folder in folders:
        metrics = json.loads((folder / "metrics.json").read_text())
        mode = "quick" if metrics["protocol"]["quick"] else "full"
        c = metrics.get("constraints") or {}
        if c:
            lines.append(
                f"| {folder.name} | {mode} | {metrics['chosen']} | {c['n_constrained']} | "
                f"{c['cv_auc_constrained']:.4f} / {c['cv_auc_unconstrained']:.4f} "
                f"({c['cv_auc_cost']:+.4f}) | {c['holdout_auc_constrained']:.4f} / "
                f"{c['holdout_auc_unconstrained']:.4f} ({c['holdout_auc_cost']:+.4f}) |")
        for key in ("with_history", "no_history", "application_only", "main_model_no_history"):
            row = (metrics.get("segments") or {}).get(key)
            if row and row.get("n_clients"):
                segments.append(f"| {folder.name} ({mode}) | {key} | {row['n_clients']} | "
                                f"{_segment_cells(row)} |")
    return "\n".join(lines) + "\n\n" + "\n".join(segments)


def methods_table(quick: bool) -> str:
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    from model import config
    from model.data.loader import load_tables
    from model.features.build import build_features
    from model.training.candidates import Candidate
    from model.training.constraints import constraint_vector, feature_directions
    from model.training.cost import business_cost
    from model.training.search import fit_pipeline
    from model.training.segments import segment_inputs
    from model.training.train import HOLDOUT_FRACTION

    tables = load_tables(config.SAMPLE_DIR)
    builder, features, target = build_features(tables)
    known = target.notna()
    X, y = features[known], target[known].astype(int).to_numpy()
    stripped = segment_inputs(builder, tables).without_history(X.index)
    dev, hold = train_test_split(np.arange(len(y)), test_size=HOLDOUT_FRACTION, stratify=y,
                                 random_state=config.SEED)
    names = list(X.columns)
    monotone = constraint_vector(names, feature_directions(builder.features_))
    params = Candidate("lightgbm").default_params(quick)
    Xn, Sn = X.to_numpy(np.float32), stripped.to_numpy(np.float32)
    app = [names.index(c) for c in builder.application_features_]
    rows = ["| method | AUC with history | AUC without history | cost / 1,000 without history "
            "(threshold = rate) | mean raw P without history vs observed |",
            "|---|---:|---:|---:|---|"]

    def report(label: str, p_hist: np.ndarray, p_strip: np.ndarray) -> None:
        refused = (p_strip >= y.mean()).astype(int)
        cost = business_cost(y[hold], refused) * 1000 / len(hold)
        rows.append(f"| {label} | {roc_auc_score(y[hold], p_hist):.4f} | "
                    f"{roc_auc_score(y[hold], p_strip):.4f} | {cost:.0f} | "
                    f"{p_strip.mean():.4f} vs {y[hold].mean():.4f} |")

    for label, vector in (("main model, unconstrained", ()), ("main model", monotone)):
        pipe = fit_pipeline(Candidate("lightgbm", monotone=vector), params, Xn[dev], y[dev],
                            config.SEED)
        report(label, pipe.predict_proba(Xn[hold])[:, 1], pipe.predict_proba(Sn[hold])[:, 1])
    pipe = fit_pipeline(Candidate("lightgbm", monotone=monotone), params,
                        np.vstack([Xn[dev], Sn[dev]]), np.concatenate([y[dev], y[dev]]),
                        config.SEED)
    report("main model + history-stripped training copies", pipe.predict_proba(Xn[hold])[:, 1],
           pipe.predict_proba(Sn[hold])[:, 1])
    pipe = fit_pipeline(Candidate("lightgbm", monotone=tuple(monotone[i] for i in app)), params,
                        Xn[dev][:, app], y[dev], config.SEED)
    report("application-only model (routed)", pipe.predict_proba(Xn[hold][:, app])[:, 1],
           pipe.predict_proba(Sn[hold][:, app])[:, 1])
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", nargs="*", type=Path, default=[])
    parser.add_argument("--methods", action="store_true")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.artifacts:
        print(artifacts_table(args.artifacts))
    if args.methods:
        print(methods_table(args.quick))


if __name__ == "__main__":
    main()
