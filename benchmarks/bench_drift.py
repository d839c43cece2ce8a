"""Time and output sizes of the drift report, restricted vs Evidently's everything-page.

    python benchmarks/bench_drift.py [--data DIR] [--artifacts DIR] [--no-naive]

Scenarios, application_train (reference) vs application_test (current) of `--data`
(default: the real 5,000-client sample):
1. `drift_from_files` on the raw application columns (the CLI);
2. `run_drift` on the raw columns plus every engineered feature (features from the
   artifact set if given, else built here), with the predicted probability when an
   artifact set gives it;
3. (naive, for comparison) one Evidently report on the same columns and every row,
   its HTML page holding every column: what the restricted report avoids.
Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model import config  # noqa: E402
from model.data.loader import find_table_file, load_table  # noqa: E402

log = logging.getLogger("bench_drift")
MB = 1024 * 1024


def _sizes(folder: Path) -> tuple[float, float]:
    return ((folder / "report.html").stat().st_size / MB,
            (folder / "summary.json").stat().st_size / 1024)


def _feature_frames(data: Path, artifacts: Path | None):
    """Raw columns + every engineered feature, train vs test, and predictions if known."""
    train, test = load_table(data, "application_train"), load_table(data, "application_test")
    if artifacts is not None:
        names = json.loads((artifacts / "feature_names.json").read_text())
        clients = pd.read_parquet(artifacts / "clients.parquet")
        features = pd.DataFrame(np.asarray(np.load(artifacts / "features.npy", mmap_mode="r")),
                                columns=names, index=clients.index)
        probability = clients["probability"]
    else:
        from model.data.loader import load_tables
        from model.features.builder import FeatureBuilder

        tables = load_tables(data)
        features = FeatureBuilder().fit(tables).transform(tables)
        probability = None

    def frame(app: pd.DataFrame) -> pd.DataFrame:
        raw = app.drop(columns=["TARGET"], errors="ignore").set_index("SK_ID_CURR")
        extra = [c for c in features.columns if c not in raw.columns]
        return raw.join(features.loc[raw.index, extra]).reset_index(drop=True)

    preds = (None, None)
    if probability is not None:
        preds = (probability.loc[train["SK_ID_CURR"]].to_numpy(),
                 probability.loc[test["SK_ID_CURR"]].to_numpy())
    return frame(train), frame(test), preds


def _naive(reference: pd.DataFrame, current: pd.DataFrame, out: Path) -> float:
    """Evidently's DataDriftPreset on every column and row, one HTML page for all."""
    from evidently import Report
    from evidently.presets import DataDriftPreset

    from model.drift.report import _for_evidently

    reference, current = _for_evidently(reference), _for_evidently(current)
    usable = [c for c in reference.columns
              if reference[c].notna().any() and current[c].notna().any()]
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        snapshot = Report([DataDriftPreset(columns=usable)]).run(current[usable], reference[usable])
        out.mkdir(parents=True, exist_ok=True)
        snapshot.save_html(str(out / "report.html"))
        (out / "summary.json").write_text(json.dumps(snapshot.dict(), default=str))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=config.SAMPLE_DIR)
    parser.add_argument("--artifacts", type=Path, default=None)
    parser.add_argument("--no-naive", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")

    from model.drift.report import drift_from_files, run_drift

    work = Path(tempfile.mkdtemp(prefix="bench_drift_"))
    rows = []
    started = time.perf_counter()
    summary = drift_from_files(find_table_file(args.data, "application_train"),
                               find_table_file(args.data, "application_test"), work / "raw")
    rows.append(("raw application columns (CLI)", summary, time.perf_counter() - started,
                 *_sizes(work / "raw")))

    reference, current, (ref_pred, cur_pred) = _feature_frames(args.data, args.artifacts)
    started = time.perf_counter()
    summary = run_drift(reference, current, work / "features",
                        reference_pred=ref_pred, current_pred=cur_pred)
    rows.append(("raw + every engineered feature" + (" + prediction" if ref_pred is not None else ""),
                 summary, time.perf_counter() - started, *_sizes(work / "features")))

    print(f"\nData: {args.data} ({len(reference)} reference / {len(current)} current rows); "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}\n")
    print("| run | columns | rows tested (ref / cur) | drifted | time | HTML | summary.json |")
    print("|---|---|---|---|---|---|---|")
    for name, s, seconds, html_mb, summary_kb in rows:
        print(f"| {name} | {s['n_columns']} (page: {len(s['report_columns'])}) | "
              f"{s['rows_tested']['reference']} / {s['rows_tested']['current']} | "
              f"{s['n_drifted']} ({100 * s['share_drifted']:.0f} %) | {seconds:.0f} s | "
              f"{html_mb:.1f} MB | {summary_kb:.0f} KB |")
    if not args.no_naive:
        seconds = _naive(reference, current, work / "naive")
        html_mb, snapshot_kb = _sizes(work / "naive")
        print(f"| naive: Evidently on every column and row, one page | {reference.shape[1]} | "
              f"{len(reference)} / {len(current)} | - | {seconds:.0f} s | {html_mb:.1f} MB | "
              f"{snapshot_kb:.0f} KB (snapshot) |")
    print(f"\nOutputs in {work}")


if __name__ == "__main__":
    main()
