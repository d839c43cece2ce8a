"""Every client of a set through the one scoring path: are the reasons, the letter and the
recommendation what the customer can check?

For each client: one `Assessment` (with its proposal), the letter's text (in both languages,
without the PDF layout), and checks that the tests run on a sample: every principal reason
raises the risk by at least `config.MIN_REASON_POINTS`, its driving feature raises it, and
the value told is the client's stored value; the letter states the recommendation; no letter
holds "−0,0", "0 crédits", an ISO date or a model's name outside the small print. Also
counted: how many of the reasons the previous rule (any concept raising the risk by 0.05
point, told with the concept's key value) would have given that are under 0.5 point.

    python benchmarks/bench_reasons.py --artifacts ARTIFACTS_ROOT [--clients N]
"""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import math
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
log = logging.getLogger("bench_reasons")

JARGON = ("−0,0", "-0,0", "0 crédits", "0 reported credits", "lightgbm", "logistic", "dummy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=0, help="at most this many (0: all)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    os.environ["SCORING_ARTIFACTS"] = str(args.artifacts.resolve())
    from model import config
    from model.explain.local import MAX_REASONS
    from webapp.serving import get_state
    from webapp.services import clients, letters

    state = get_state()
    ids = state.clients.index.to_numpy()
    if args.clients:
        ids = ids[:args.clients]
    counts = dict(clients=0, reasons=0, without_reason=0, weak=0, driver_lowers=0,
                  value_differs=0, letters_wrong_outcome=0, letters_with_jargon=0,
                  old_rule_reasons=0, old_rule_weak=0)
    outcomes: dict[str, int] = {}
    seconds = []
    started = time.perf_counter()
    for k, client_id in enumerate(ids, start=1):
        client_id = int(client_id)
        t0 = time.perf_counter()
        row = state.feature_row(client_id)
        assessment = clients.client_assessment(client_id)  # the letter's: stored when the set has them
        texts = {lang: letters.compose(assessment, None, lang, dt.date.today()) for lang in ("fr", "en")}
        seconds.append(time.perf_counter() - t0)
        counts["clients"] += 1
        counts["reasons"] += len(assessment.reasons)
        counts["without_reason"] += not assessment.reasons
        outcomes[assessment.recommendation] = outcomes.get(assessment.recommendation, 0) + 1
        for reason in assessment.reasons:
            counts["weak"] += reason.probability_change < config.MIN_REASON_POINTS
            counts["driver_lowers"] += reason.feature_contribution <= 0
            stored = (state.applications.at[client_id, reason.feature]
                      if reason.feature in state.applications.columns
                      else float(row[reason.feature].iloc[0]))
            same = (str(stored) == str(reason.value)) if isinstance(reason.value, str) else (
                (math.isnan(float(stored)) and math.isnan(reason.value))
                or math.isclose(float(stored), reason.value, rel_tol=1e-6, abs_tol=1e-9))
            counts["value_differs"] += not same
        table = assessment.explanation.table
        old = table[table["reasonable"].astype(bool) & (table["probability_change"] >= 0.0005)
                    & (table["contribution"] > 0)].head(MAX_REASONS)
        counts["old_rule_reasons"] += len(old)
        counts["old_rule_weak"] += int((old["probability_change"] < config.MIN_REASON_POINTS).sum())
        for lang, letter in texts.items():
            counts["letters_wrong_outcome"] += letter.outcome != assessment.recommendation
            body = letter.text(small_print=False)
            counts["letters_with_jargon"] += bool(
                any(j in body.lower() for j in JARGON) or re.search(r"\b\d{4}-\d{2}-\d{2}\b", body))
        if k % 1000 == 0:
            log.info("%d / %d clients, %.0f s elapsed", k, len(ids), time.perf_counter() - started)
    ms = 1000 * np.asarray(seconds)
    print(f"set {state.build_id}: {counts['clients']} clients, recommendations {outcomes}")
    print("| measure | value |")
    print("|---|---|")
    for key, value in counts.items():
        print(f"| {key.replace('_', ' ')} | {value} |")
    print(f"| assessment + two letters, p50 / p95 ms | {np.percentile(ms, 50):.0f} / "
          f"{np.percentile(ms, 95):.0f} |")


if __name__ == "__main__":
    main()
