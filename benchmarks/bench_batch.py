"""Batch scoring and the feature transform on Dask: speed, memory, distance to the limit.

    python benchmarks/bench_batch.py --artifacts SET --data DIR [--table application_train]
                                     [--workers 1 2] [--features]

For each worker count: `python -m model score`'s `score_file` on a `LocalCluster` of that
many single-thread worker processes; clients/s of the whole run (split, score, write) and of
the scoring step, and each worker's peak RSS (its `ru_maxrss`, read on the worker at the
end). The physical limit, measured in the same run: the model's `predict_proba` on the same
clients' feature matrix, built beforehand, in one call (LightGBM on every core): what
scoring would cost if explaining, the lending rules and writing were free. `--features`
adds the feature transform of every client of DIR, pandas in this process vs
`transform_on_dask` on 2 workers (the builder fitted once, outside the timings).

Prints Markdown tables (docs/benchmarks.md "Batch scoring").
"""
from __future__ import annotations

import argparse
import logging
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from model.engine import ONE_THREAD  # noqa: E402

log = logging.getLogger("bench_batch")


def worker_peak_rss() -> int:
    """This process's peak resident memory in bytes (Linux reports ru_maxrss in kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class PeakRss:
    """Samples this process's RSS every 50 ms: the driver's peak during a block."""

    def __init__(self) -> None:
        self.peak, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        process = psutil.Process()
        while not self._stop.is_set():
            self.peak = max(self.peak, process.memory_info().rss)
            time.sleep(0.05)

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def cluster(workers: int, memory_limit: str):
    from distributed import LocalCluster

    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                        dashboard_address=None, env=ONE_THREAD, memory_limit=memory_limit,
                        silence_logs=logging.ERROR)


def score_runs(args: argparse.Namespace) -> list[dict]:
    from distributed import Client

    from model.scoring.batch import score_file

    rows = []
    for workers in args.workers:
        with cluster(workers, args.memory_limit) as local, Client(local) as client, \
                tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
            summary = score_file(args.artifacts, args.data, Path(tmp) / "scores.parquet",
                                 scheduler=local.scheduler_address, table=args.table)
            peaks = client.run(worker_peak_rss)
        rows.append({"workers": workers, "clients": summary.clients, "total_s": summary.seconds,
                     "scoring_s": summary.scoring_seconds,
                     "peak_gb": max(peaks.values()) / 2**30})
    return rows


def predict_limit(args: argparse.Namespace) -> tuple[int, float, float, float]:
    """(clients, seconds of one predict_proba call, seconds of their SHAP values in one call,
    seconds to build their features): the floor of scoring, and of scoring with reasons."""
    from model.data.loader import load_tables
    from model.data.schema import HISTORY_TABLES
    from model.scoring.load import load_scorer
    from model.scoring.partitions import find_input

    scorer = load_scorer(args.artifacts, typical=False)
    table = find_input(args.data, args.table).table
    tables = load_tables(args.data, (table, *HISTORY_TABLES))
    started = time.perf_counter()
    features = scorer.features(tables.pop(table).drop(columns=["TARGET"], errors="ignore"), tables)
    built = time.perf_counter() - started
    started = time.perf_counter()
    scorer.model.predict_proba(features)
    predicted = time.perf_counter() - started
    started = time.perf_counter()
    scorer.explainer.explain_rows(features)
    return len(features), predicted, time.perf_counter() - started, built


def feature_runs(args: argparse.Namespace) -> list[dict]:
    from distributed import Client

    from model.data.loader import load_tables
    from model.features.builder import FeatureBuilder
    from model.features.distributed import transform_on_dask

    tables = load_tables(args.data)
    builder = FeatureBuilder().fit(tables)
    rows = []
    with PeakRss() as peak:
        started = time.perf_counter()
        expected = builder.transform(tables)
        rows.append({"engine": "pandas, this process", "seconds": time.perf_counter() - started,
                     "driver_gb": peak.peak / 2**30, "worker_gb": None})
    with cluster(2, args.memory_limit) as local, Client(local) as client, PeakRss() as peak:
        started = time.perf_counter()
        got = transform_on_dask(builder, tables, client)
        seconds = time.perf_counter() - started
        workers = client.run(worker_peak_rss)
    if not got.equals(expected):
        raise RuntimeError("the Dask transform differs from the pandas one")
    rows.append({"engine": "Dask, 2 workers (pandas per partition)", "seconds": seconds,
                 "driver_gb": peak.peak / 2**30, "worker_gb": max(workers.values()) / 2**30})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--table", default=None)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--memory-limit", default="6GiB")
    parser.add_argument("--features", action="store_true")
    parser.add_argument("--tmp", type=Path, default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    runs = score_runs(args)
    clients, predict_s, shap_s, build_s = predict_limit(args)
    limit, with_shap = predict_s / clients, (predict_s + shap_s) / clients
    print(f"\nScoring {args.data} ({clients:,} clients), physical limit: predict_proba on their "
          f"feature matrix in one call = {predict_s:.2f} s ({clients / predict_s:,.0f} clients/s); "
          f"their SHAP values in one call = {shap_s:.2f} s; building that matrix in-process: "
          f"{build_s:.1f} s. Load average at the end: "
          f"{' / '.join(f'{x:.1f}' for x in psutil.getloadavg())}\n")
    print("| workers | clients | whole run (s) | clients/s (run) | scoring step (s) | "
          "clients/s (scoring) | per client / predict | per client / (predict + SHAP) | "
          "peak RSS per worker (GiB) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in runs:
        per_client = r["scoring_s"] / r["clients"]
        print(f"| {r['workers']} | {r['clients']:,} | {r['total_s']:.1f} | "
              f"{r['clients'] / r['total_s']:,.0f} | {r['scoring_s']:.1f} | "
              f"{r['clients'] / r['scoring_s']:,.0f} | {per_client / limit:,.1f}x | "
              f"{per_client / with_shap:,.1f}x | {r['peak_gb']:.2f} |")
    if args.features:
        print("\n| feature transform | seconds | driver peak RSS (GiB) | worker peak RSS (GiB) |")
        print("|---|---|---|---|")
        for r in feature_runs(args):
            worker = f"{r['worker_gb']:.2f}" if r["worker_gb"] is not None else "-"
            print(f"| {r['engine']} | {r['seconds']:.1f} | {r['driver_gb']:.2f} | {worker} |")


if __name__ == "__main__":
    main()
