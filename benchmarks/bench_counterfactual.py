"""Latency of "what would change the decision" per refused client, and how many get one.

    python benchmarks/bench_counterfactual.py --artifacts /tmp/i11art [--clients 500] [--within 5]

Runs the app's own service (`webapp.services.clients.client_assessment`, one assessment with
its proposal) on the
refused clients of an artifact set (model probability at or above the threshold) and
prints a Markdown table: clients, share with a proposal, p50 / p95 / max milliseconds.
`--within P`: only the refused clients within P percentage points of the threshold (issue 18:
those a smaller loan or a longer term could plausibly bring under it).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=0, help="at most this many (0: all)")
    parser.add_argument("--within", type=float, default=None,
                        help="only clients within this many percentage points of the threshold")
    args = parser.parse_args()
    os.environ["SCORING_ARTIFACTS"] = str(args.artifacts.resolve())
    from webapp.services.clients import client_assessment
    from webapp.serving import get_state

    def client_counterfactual(client_id: int):
        return client_assessment(client_id, counterfactual=True).counterfactual

    state = get_state()
    matrix = pd.DataFrame(np.asarray(state.features), columns=state.feature_names)
    probability = np.asarray(state.model.predict_proba(matrix))
    threshold = state.model.threshold_
    refused = probability >= threshold
    if args.within is not None:
        refused &= probability < threshold + args.within / 100
    refused = state.clients.index[refused]
    if args.clients:
        refused = refused[:args.clients]
    client_counterfactual(int(refused[0]))  # warm-up
    seconds, found = [], 0
    for client_id in refused:
        started = time.perf_counter()
        result = client_counterfactual(int(client_id))
        seconds.append(time.perf_counter() - started)
        found += result.status == "found"
    ms = 1000 * np.asarray(seconds)
    scope = "all" if args.within is None else f"within {args.within:g} points"
    print("| refused clients | threshold | with a proposal | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|---|")
    print(f"| {len(refused)} ({scope}) | {threshold:.4f} | {found} ({found / len(refused):.1%}) "
          f"| {np.percentile(ms, 50):.0f} "
          f"| {np.percentile(ms, 95):.0f} | {ms.max():.0f} |")


if __name__ == "__main__":
    main()
