"""Training time and model quality on a feature file, in quick and/or full mode.

Runs `model.training.train.train_models` exactly as `python -m model train`
does (same split, folds, search and final refit), into temporary folders,
with MLflow writing to a temporary store, and prints one Markdown row per mode.
Without `--features` it builds the feature file of the real 5,000-client
sample first (`config.SAMPLE_DIR`).

    python benchmarks/bench_train.py [--features FILE] [--modes quick full] [--budget 600]

Targets (issue 5): LightGBM cross-validated AUC >= 0.72 on the real sample and
a business cost clearly below the dummy's; full-scale synthetic training
within the 30-minute build (quick within 5 minutes).
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

log = logging.getLogger("bench_train")

COLUMNS = ("data", "clients", "features", "mode", "budget (s)", "seconds", "chosen",
           "chosen CV AUC", "best LightGBM CV AUC", "CV cost / 1,000", "holdout cost / 1,000",
           "dummy CV cost / 1,000", "threshold")


def _feature_file(features: Path | None, workdir: Path) -> Path:
    if features is not None:
        return features
    from model import config
    from model.features.build import build_feature_file

    if not (config.SAMPLE_DIR / "application_train.zip").is_file():
        raise SystemExit(f"no --features given and no real sample in {config.SAMPLE_DIR}")
    return build_feature_file(config.SAMPLE_DIR, workdir / "sample_features.parquet")


def _row(label: str, mode: str, budget: float, seconds: float, metrics: dict) -> list[str]:
    candidates = metrics["candidates"]
    chosen = candidates[metrics["chosen"]]
    lightgbm = max(r["cv"]["auc"] for r in candidates.values() if r["kind"] == "lightgbm")
    return [label, f"{metrics['n_clients']['all']:,}", f"{metrics['n_features']:,}", mode,
            f"{budget:.0f}", f"{seconds:.0f}", metrics["chosen"], f"{chosen['cv']['auc']:.4f}",
            f"{lightgbm:.4f}", f"{chosen['cv']['cost_per_1000']:.0f}",
            f"{chosen['holdout']['cost_per_1000']:.0f}",
            f"{candidates['dummy']['cv']['cost_per_1000']:.0f}", f"{metrics['threshold']:.4f}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=Path, default=None)
    parser.add_argument("--label", default=None, help="name of the data in the table")
    parser.add_argument("--modes", nargs="+", choices=("quick", "full"), default=["quick", "full"])
    parser.add_argument("--budget", type=float, default=600.0)
    parser.add_argument("--keep", type=Path, default=None,
                        help="copy each mode's comparison.md and metrics.json here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")

    from model.features.build import load_feature_file
    from model.training.train import train_models

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        features_file = _feature_file(args.features, workdir)
        label = args.label or ("real sample" if args.features is None else features_file.stem)
        X, y = load_feature_file(features_file)
        known = y.notna()
        X, y = X[known], y[known].astype(int)
        for mode in args.modes:
            out = workdir / f"out-{mode}"
            out.mkdir()
            started = time.perf_counter()
            train_models(X, y, out, budget_seconds=args.budget, quick=mode == "quick",
                         mlruns_dir=workdir / "mlruns")
            seconds = time.perf_counter() - started
            metrics = json.loads((out / "metrics.json").read_text())
            rows.append(_row(label, mode, args.budget, seconds, metrics))
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                for name in ("comparison.md", "metrics.json"):
                    (args.keep / f"{mode}-{name}").write_bytes((out / name).read_bytes())
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
