"""Latency of one client's SHAP explanation, and time of the global SHAP precomputation.

The dashboard explains a client on demand (stored, new or what-if), so one
explanation must take well under 50 ms with the full feature set; global SHAP
runs once at build time.

    python benchmarks/bench_explain.py                       # real sample, model fitted here
    python benchmarks/bench_explain.py --artifacts artifacts # the model of a built artifact set

Without `--artifacts`, features are built from the real 5,000-client sample and a
LightGBM is fitted with the project's quick default parameters and a fixed number
of trees (`--trees`, no early stopping, so the model is as big as a full-data one).
Prints a Markdown table.
"""
from __future__ import annotations

from types import SimpleNamespace

import argparse
import json
import logging
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model import config  # noqa: E402

log = logging.getLogger("bench_explain")


def _from_artifacts(folder: Path):
    import joblib

    names = json.loads((folder / "feature_names.json").read_text())
    matrix = np.load(folder / "features.npy", mmap_mode="r")
    clients = pd.read_parquet(folder / "clients.parquet")
    X = pd.DataFrame(np.asarray(matrix), columns=names, index=clients.index)
    raw = pd.read_parquet(folder / "applications.parquet").set_index("SK_ID_CURR")
    train = clients["set"].astype(str) == "train"
    return (joblib.load(folder / "model.joblib"), pd.read_csv(folder / "feature_dictionary.csv"),
            X, clients["TARGET"], raw, train.to_numpy())


def _from_sample(kind: str, trees: int):
    from model.data.loader import load_tables
    from model.features.builder import FeatureBuilder
    from model.training.calibration import ProbabilityCalibrator
    from model.training.candidates import Candidate
    from model.training.scoring import ScoringModel

    tables = load_tables(config.SAMPLE_DIR)
    builder = FeatureBuilder().fit(tables)
    X = builder.transform(tables)
    raw = pd.concat([tables["application_train"].drop(columns="TARGET"),
                     tables["application_test"]]).set_index("SK_ID_CURR").loc[X.index]
    target = tables["application_train"].set_index("SK_ID_CURR")["TARGET"].reindex(X.index)
    train = target.notna().to_numpy()
    candidate = Candidate(kind)
    started = time.perf_counter()
    matrix, y = X[train].to_numpy(np.float32), target[train].astype(int).to_numpy()
    params = candidate.default_params(quick=True)
    if kind == "lightgbm":  # a fixed size, as a model trained on the full data would have
        params["n_estimators"] = trees
    pipeline = candidate.build(params, config.SEED)
    if kind == "lightgbm":
        pipeline.set_params(classifier__early_stopping_rounds=0)
    pipeline.fit(matrix, y)
    log.info("fitted %s in %.0f s", kind, time.perf_counter() - started)
    calibrator = ProbabilityCalibrator("sigmoid").fit(pipeline.predict_proba(matrix)[:, 1], y)
    model = ScoringModel(kind, pipeline, calibrator, 0.1, list(X.columns))
    return model, builder.dictionary_, X, target, raw, train


def _percentiles(seconds: list[float]) -> str:
    ms = np.asarray(seconds) * 1000
    return f"{np.median(ms):.1f} / {np.percentile(ms, 95):.1f} / {ms.max():.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=Path, default=None)
    parser.add_argument("--kind", default="lightgbm", choices=["lightgbm", "logistic"],
                        help="model fitted on the sample when --artifacts is not given")
    parser.add_argument("--trees", type=int, default=500,
                        help="LightGBM trees when the model is fitted here (no early stopping)")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--global-sizes", type=int, nargs="+", default=[2000, 4000])
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")

    from model.explain.global_shap import compute_global_shap
    from model.explain.local import ClientExplainer
    from model.scoring import Reason
    from webapp.services.reasons import explanation_sentences

    if args.artifacts:
        model, dictionary, X, target, raw, train = _from_artifacts(args.artifacts)
        source = f"artifacts {args.artifacts}"
    else:
        model, dictionary, X, target, raw, train = _from_sample(args.kind, args.trees)
        source = "real 5,000-client sample, model fitted here (quick defaults, fixed trees)"
    trees = getattr(getattr(model.classifier_, "booster_", None), "num_trees", lambda: None)()

    started = time.perf_counter()
    explainer = ClientExplainer(model, dictionary)
    build_seconds = time.perf_counter() - started

    rng = np.random.default_rng(config.SEED)
    rows = rng.choice(len(X), size=min(args.clients, len(X)), replace=False)
    explainer.explain(X.iloc[[rows[0]]])  # warm-up (first call loads code paths)
    explain_s, with_text_s, shap_only_s, predict_s = [], [], [], []
    for row in rows:
        x = X.iloc[[row]]
        raw_row = raw.loc[[X.index[row]]]
        t0 = time.perf_counter()
        explanation = explainer.explain(x, raw_application_row=raw_row)
        t1 = time.perf_counter()
        explanation_sentences(SimpleNamespace(explanation=explanation,  # as an Assessment
                                              reasons=[Reason.from_explanation(r) for r in
                                                       explanation.principal_reasons]), "fr")
        t2 = time.perf_counter()
        explainer.explain_rows(x)
        t3 = time.perf_counter()
        model.predict_proba(x)
        t4 = time.perf_counter()
        explain_s.append(t1 - t0)
        with_text_s.append(t2 - t0)
        shap_only_s.append(t3 - t2)
        predict_s.append(t4 - t3)

    global_rows = []
    train_X, train_y = X[train], target[train].astype(int)
    for size in args.global_sizes:
        size = min(size, len(train_X))
        out = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench_explain_{size}"
        started = time.perf_counter()
        compute_global_shap(model, train_X, train_y, out, sample_size=size, dictionary=dictionary)
        global_rows.append((size, time.perf_counter() - started,
                            sum(p.stat().st_size for p in out.iterdir()) / 1024))

    print(f"\nSource: {source}; model {model.kind}"
          f"{f', {trees} trees' if trees else ''}; {X.shape[1]} features; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
          f"Python {platform.python_version()}\n")
    print("| measure | value |")
    print("|---|---|")
    print(f"| ClientExplainer build (once per loaded model) | {build_seconds * 1000:.0f} ms |")
    print(f"| explain one client, grouped, top 10 (p50 / p95 / max, {len(rows)} clients) "
          f"| {_percentiles(explain_s)} ms |")
    print(f"| same + 3 sentences | {_percentiles(with_text_s)} ms |")
    print(f"| SHAP values only (explain_rows, 1 row) | {_percentiles(shap_only_s)} ms |")
    print(f"| predict_proba, 1 row (reference) | {_percentiles(predict_s)} ms |")
    for size, seconds, kib in global_rows:
        print(f"| global SHAP, {size} training clients (+ files, {kib:.0f} KiB) | {seconds:.1f} s |")


if __name__ == "__main__":
    main()
