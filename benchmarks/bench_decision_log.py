"""Latency the decision log adds to a page: one `audit_log.record_assessment` per score shown.

Every client file, why, what-if, new-applicant and API answer writes one row, so the
write sits on the page's critical path. This script scores real clients of an artifact
set once (outside the timing), then times the log write alone, sequentially and from 4
threads at once (gunicorn's threads share one SQLite file), on SQLite (WAL, a temp
file) and on PostgreSQL (`--postgres URL`, or a throwaway local cluster when the
Debian binaries are there).

    SCORING_ARTIFACTS=/path/to/artifacts python benchmarks/bench_decision_log.py --writes 500

Prints a Markdown table (target: p95 added < 10 ms).
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))
TARGET_MS = 10.0


def _scored(count: int, seed: int = 42) -> tuple[object, list]:
    from webapp.services import clients
    from webapp.serving import get_state

    state = get_state()
    rng = np.random.default_rng(seed)
    ids = rng.choice(state.clients.index.to_numpy(), size=min(count, len(state.clients)), replace=False)
    results = [(int(client_id), clients.client_assessment(int(client_id), counterfactual=False))
               for client_id in ids[:50]]
    return state, results


def _time_writes(url: str, state, results, writes: int, threads: int) -> np.ndarray:
    """(wall ms, CPU ms of the writing thread) per write: on a loaded machine the wall time
    includes waiting for a core; the thread's CPU time is the write's own cost."""
    from webapp import db
    from webapp.db import audit_log

    os.environ["SCORING_DATABASE_URL"] = url
    db.engine(url)  # migrate outside the timing
    audit_log.record_assessment(results[0][1])

    def one(i: int) -> tuple[float, float]:
        client_id, result = results[i % len(results)]
        start, cpu = time.perf_counter(), time.thread_time()
        audit_log.record_assessment(result)  # raises if not written
        return (time.perf_counter() - start) * 1000, (time.thread_time() - cpu) * 1000

    if threads == 1:
        return np.array([one(i) for i in range(writes)])
    with ThreadPoolExecutor(threads) as pool:
        return np.array(list(pool.map(one, range(writes))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=500)
    parser.add_argument("--postgres", default=None, help="PostgreSQL URL (default: a throwaway cluster)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    state, results = _scored(args.writes)
    targets = [("SQLite (WAL, local file)", f"sqlite:///{tempfile.mkdtemp()}/bench.db", None)]
    cluster = None
    if args.postgres:
        targets.append(("PostgreSQL", args.postgres, None))
    else:
        try:
            from tests.postgres_server import Cluster

            cluster = Cluster.start()
            targets.append((f"PostgreSQL 15 (local, loopback)", cluster.url, None))
        except Exception as error:  # no binaries: SQLite only
            print(f"(PostgreSQL skipped: {error})", file=sys.stderr)
    print(f"{len(state.clients):,} clients loaded; {args.writes} writes per row, "
          f"one row = one score shown (SHAP reasons, probability, model version)\n")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print("| database | threads | p50 ms | p95 ms | max ms | CPU p95 ms | target p95 | met |")
    print("|---|---|---|---|---|---|---|---|")
    try:
        for label, url, _ in targets:
            for threads in (1, 4):
                measured = _time_writes(url, state, results, args.writes, threads)
                times, cpu = measured[:, 0], measured[:, 1]
                p95 = float(np.percentile(times, 95))
                print(f"| {label} | {threads} | {np.percentile(times, 50):.2f} | {p95:.2f} | "
                      f"{times.max():.1f} | {np.percentile(cpu, 95):.2f} | < {TARGET_MS:.0f} | "
                      f"{'yes' if p95 < TARGET_MS else 'no'} |")
    finally:
        from webapp import db

        db.dispose()
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
