"""How often "other" is the largest bar of the why page, before and after concepts.

Before (issue 11): the waterfall showed the 10 largest of ~200 feature groups and summed
the rest into "Other factors"; after: about 13 concepts, all shown by default
(`webapp.services.DEFAULT_TOP_N`). Both waterfalls are walked exactly as the explainer
does (log-odds path through the calibrator), for every client of an artifact set.

    python benchmarks/bench_concepts.py --artifacts /tmp/i11art

Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def largest_is_other(explainer, base: np.ndarray, sums: np.ndarray, history: np.ndarray,
                     top_n: int) -> np.ndarray:
    """Per client: is the summed "other" bar the largest |probability change|?"""
    out = np.zeros(len(sums), dtype=bool)
    for i, row in enumerate(sums):
        order = np.argsort(-np.abs(row), kind="stable")
        shown, rest = row[order[:top_n]], row[order[top_n:]]
        steps = np.concatenate([shown, [rest.sum()]]) if len(rest) else shown
        path = explainer.probability_of_margin(base[i] + np.concatenate([[0.0], np.cumsum(steps)]),
                                               history=bool(history[i]))
        changes = np.abs(np.diff(path))
        out[i] = bool(len(rest)) and int(np.argmax(changes)) == len(steps) - 1
    return out


def main() -> None:
    import joblib

    from model.explain.grouping import feature_groups, group_sums
    from model.explain.local import ClientExplainer
    from webapp.services.clients import DEFAULT_TOP_N

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=Path, required=True)
    args = parser.parse_args()
    folder = args.artifacts
    names = json.loads((folder / "feature_names.json").read_text())
    X = pd.DataFrame(np.asarray(np.load(folder / "features.npy", mmap_mode="r")), columns=names)
    model = joblib.load(folder / "model.joblib")
    dictionary = pd.read_csv(folder / "feature_dictionary.csv")
    explainer = ClientExplainer(model, dictionary)
    base, values = explainer.explain_rows(X)
    base = np.broadcast_to(np.asarray(base, dtype=np.float64), (len(X),))
    history = explainer._history(X)
    array = values.to_numpy()
    groups = feature_groups(names, dictionary)
    codes, uniques = pd.factorize(groups.to_numpy())
    by_group = group_sums(array, codes, len(uniques))
    by_concept = explainer.concept_sums(array).to_numpy()
    concepts = explainer.concept_sums(array).columns
    before = largest_is_other(explainer, base, by_group, history, 10)
    after = largest_is_other(explainer, base, by_concept, history, DEFAULT_TOP_N)
    largest = pd.Series(concepts[np.argmax(np.abs(by_concept), axis=1)])
    print(f"| clients | units | shown | 'other' largest | largest concept (share of clients) |")
    print("|---|---|---|---|---|")
    print(f"| {len(X)} | {len(uniques)} groups (before) | 10 + other | {before.mean():.1%} | — |")
    top = ", ".join(f"{k} {v:.0%}" for k, v in largest.value_counts(normalize=True).head(5).items())
    print(f"| {len(X)} | {len(concepts)} concepts (after) | {DEFAULT_TOP_N} | {after.mean():.1%} "
          f"| {top}; 'details' {np.mean(largest == 'details'):.1%}, 'other' "
          f"{np.mean(largest == 'other'):.1%} |")


if __name__ == "__main__":
    main()
