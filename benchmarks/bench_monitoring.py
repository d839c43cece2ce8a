"""Monitoring over time at the book's size: `python -m model monitor` on 12 months of clients.

    python benchmarks/bench_monitoring.py --artifacts SET [--clients 356255] [--months 12]
                                          [--inputs] [--batch [--workers N]] [--work DIR]

Steps, each timed, with the process's peak RSS after it:
1. `generate_stream`: a drifting synthetic stream of N clients over the months (Kaggle's
   layout, history included, outcomes six months after each application);
2. score rows: the set's model on every client's application row alone (features of
   `builder.transform_application`, history aggregates empty, `predict_proba` in one call),
   dated by the stream, with the recommendation of the set's threshold. These are NOT the
   batch job's rows (no history, no reasons): what the monitor reads from them is the same
   columns. With `--batch`, the batch job itself instead: `python -m model score` on the
   stream (history, lending rules, reasons; a Dask local cluster of `--workers` processes),
   as the issue's monitoring flow runs it;
3. `model.monitoring.run.monitor` on that score file: periods, PSI of the score (and with
   `--inputs`, of the 20 top inputs, computed from the whole stream with its history by the
   set's feature builder), back-test of matured months, one Evidently run and page per
   month, the database table (SQLite).

Prints a Markdown table (docs/benchmarks.md "Monitoring over time").
"""
from __future__ import annotations

import argparse
import logging
import resource
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def score_rows(artifacts: str, stream: Path, out: Path) -> int:
    """The set's probability of every client from the application row alone, dated."""
    import joblib
    import numpy as np
    import pandas as pd

    from model.artifacts import set_folder
    from model.data.loader import load_table

    folder = set_folder(artifacts)
    builder, model = (joblib.load(folder / name) for name in ("feature_builder.joblib", "model.joblib"))
    apps = load_table(stream, "application_test")
    dates = pd.read_parquet(stream / "application_test.parquet", columns=["SK_ID_CURR", "APPLICATION_DATE"])
    features = builder.transform({"application_test": apps})
    probability = model.predict_proba(features)
    outcome = np.where(probability >= model.threshold_, "refused", "granted")
    frame = pd.DataFrame({"SK_ID_CURR": features.index.to_numpy(), "probability": probability,
                          "recommendation": outcome})
    frame = frame.merge(dates, on="SK_ID_CURR").rename(columns={"APPLICATION_DATE": "application_date"})
    frame.to_parquet(out, index=False)
    return len(frame)


def batch_score(artifacts: str, stream: Path, out: Path, workers: int | None) -> int:
    """`python -m model score` on the stream, in its own process (the batch path, Dask)."""
    import subprocess

    import pyarrow.parquet as pq

    command = [sys.executable, "-m", "model", "score", "--artifacts", artifacts, "--data", str(stream),
               "--out", str(out)] + (["--workers", str(workers)] if workers else [])
    subprocess.run(command, check=True, cwd=PROJECT_ROOT)
    return pq.read_metadata(out).num_rows


def children_peak_gib() -> float:
    """Largest resident set among the finished child processes (the batch job's)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--artifacts", required=True)
    parser.add_argument("--clients", type=int, default=356_255)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--inputs", action="store_true", help="PSI of the top inputs too (--data)")
    parser.add_argument("--batch", action="store_true",
                        help="score with `python -m model score` (the batch job) instead of the application rows")
    parser.add_argument("--workers", type=int, default=None, help="with --batch: Dask local workers")
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from model.monitoring.run import monitor
    from model.synth.stream import OUTCOMES_FILE, generate_stream

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-monitoring-"))
    stream, scores = work / "stream", work / "scores.parquet"
    rows = []
    started = time.perf_counter()
    generate_stream(args.clients, args.months, 42, stream, drift=True)
    rows.append(("synthetic stream (generate_stream)", time.perf_counter() - started, peak_gib()))
    started = time.perf_counter()
    if args.batch:
        n = batch_score(args.artifacts, stream, scores, args.workers)
        rows.append((f"`python -m model score` ({n:,} clients, batch job; peak of its largest process)",
                     time.perf_counter() - started, children_peak_gib()))
    else:
        n = score_rows(args.artifacts, stream, scores)
        rows.append((f"score rows ({n:,}, application row alone)", time.perf_counter() - started, peak_gib()))
    started = time.perf_counter()
    summary = monitor(args.artifacts, work / "monitor", scores=[scores],
                      data=[stream] if args.inputs else None, outcomes=stream / OUTCOMES_FILE,
                      workspace=work / "workspace", database=f"sqlite:///{work}/app.db")
    rows.append((f"monitor ({len(summary['periods'])} periods"
                 f"{', top-20 inputs from the history' if args.inputs else ', score only'})",
                 time.perf_counter() - started, peak_gib()))
    flagged = [p["period"] for p in summary["periods"] if p["status"] != "stable"]
    print(f"\n{args.clients:,} clients over {args.months} months; flagged: {', '.join(flagged)}; "
          f"back-tested: {sum(p['backtest'] is not None for p in summary['periods'])}\n")
    print("| step | seconds | peak RSS so far (GiB) |\n|---|---|---|")
    for name, seconds, peak in rows:
        print(f"| {name} | {seconds:.1f} | {peak:.2f} |")


if __name__ == "__main__":
    main()
