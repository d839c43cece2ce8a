"""`python -m model build`: raw tables to one signed, versioned artifact set the app reads.

Order: load and validate the tables, build features (fitted on training clients
only), compare and train the models, score every client, precompute global SHAP
and the train-vs-test drift report, then publish the set under its build id and
switch the artifacts root's `current` pointer to it (model/artifacts.py).
"""
from __future__ import annotations

import hashlib
import json
import logging
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import joblib
import numpy as np
import pandas as pd

from model import config
from model.artifacts import current_set, holds_any_set, new_set
from model.data.loader import find_table_file, load_tables
from model.data.schema import TABLE_NAMES
from model.scoring.policy import fired_mask, rules_from_config, write_policy
from model.progress import stage

log = logging.getLogger(__name__)

# Raw application columns the screens show without reading the feature matrix.
DISPLAY_COLUMNS = (
    "NAME_CONTRACT_TYPE", "CODE_GENDER", "DAYS_BIRTH", "DAYS_EMPLOYED", "NAME_INCOME_TYPE",
    "AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE",
    "EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3", "CNT_CHILDREN", "NAME_FAMILY_STATUS",
)
# Columns of the drift report besides the model's top features.
TOP_FEATURES_FOR_DRIFT = 20


# Tables the stages after the features still read (client table, applications, fairness,
# drift); the history tables are released once the features are built.
KEPT_TABLES = ("application_train", "application_test")


def peak_memory_gib() -> float:
    """Peak resident memory of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


@contextmanager
def _stage(name: str) -> Iterator[None]:
    """`model.progress.stage`, then the peak memory so far: which stage sets the build's
    peak shows in the log (docs/benchmarks.md, builds at 30,000 to 307,511 clients)."""
    with stage(name, log):
        yield
    log.info("%s: peak memory so far %.2f GiB", name, peak_memory_gib())


# Clients scored at once when every client is scored: the model's routing and its pipeline
# each copy the rows they score (four copies of the 356,255 x 795 matrix at Kaggle size).
SCORING_CHUNK = 50_000


def score_in_chunks(scoring_model, features: pd.DataFrame) -> np.ndarray:
    """`scoring_model.predict_proba` of every row, SCORING_CHUNK rows at a time."""
    return np.concatenate([scoring_model.predict_proba(features.iloc[start:start + SCORING_CHUNK])
                           for start in range(0, len(features), SCORING_CHUNK)])


def _training_rows(features: pd.DataFrame, is_train: np.ndarray) -> pd.DataFrame:
    """The training clients' rows; a slice (no copy of the matrix) when they come first,
    as the builder orders them (train, then test)."""
    n_train = int(is_train.sum())
    if is_train[:n_train].all():
        return features.iloc[:n_train]
    return features[is_train]


def data_fingerprint(data_dir: Path) -> dict[str, dict]:
    """Name, size and sha256 of each input file, so a model can be traced to its data."""
    prints = {}
    for name in TABLE_NAMES:
        path = find_table_file(data_dir, name)
        if path is None:
            continue
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 22), b""):
                digest.update(block)
        prints[path.name] = {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}
    return prints


def client_table(
    tables: dict[str, pd.DataFrame], target: pd.Series, probability: np.ndarray,
    oof: pd.Series | None = None,
) -> pd.DataFrame:
    """One row per client in feature-matrix order: its row number, set, target, score and facts.

    `oof` (calibrated out-of-fold P(default) by client): replaces the final model's
    score of the training clients it covers, so that training and test clients are
    both scored by a model that never saw them (population screens, prediction drift);
    `probability_source` says which score each client has; `probability_final` keeps
    the final model's score (the one the client screens compute live).
    """
    train = tables["application_train"].set_index("SK_ID_CURR")
    test = tables["application_test"].set_index("SK_ID_CURR")
    raw = pd.concat([train.drop(columns="TARGET"), test])
    clients = pd.DataFrame(index=target.index)
    clients["row"] = np.arange(len(clients), dtype=np.int32)
    clients["set"] = pd.Categorical(
        np.where(clients.index.isin(train.index), "train", "test"), categories=["train", "test"]
    )
    clients["TARGET"] = target.astype(np.float32)
    clients["probability"] = probability.astype(np.float32)
    clients["probability_final"] = clients["probability"]  # what the client screens show
    source = np.full(len(clients), "final_model", dtype=object)
    if oof is not None:
        covered = clients.index.isin(oof.index) & (clients["set"] == "train").to_numpy()
        clients.loc[covered, "probability"] = oof.reindex(clients.index[covered]).to_numpy(
            np.float32)
        source[covered] = "out_of_fold"
    clients["probability_source"] = pd.Categorical(source,
                                                   categories=["out_of_fold", "final_model"])
    return clients.join(raw.loc[clients.index, list(DISPLAY_COLUMNS)])


def raw_applications(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Raw application rows of every client (train then test), without the target."""
    train = tables["application_train"].drop(columns="TARGET")
    apps = pd.concat([train, tables["application_test"]], ignore_index=True)
    for column in apps.columns:  # concat of two categoricals with other levels gives str
        if not pd.api.types.is_numeric_dtype(apps[column]):
            apps[column] = apps[column].astype("category")
    return apps


def drift_frames(
    tables: dict[str, pd.DataFrame], features: pd.DataFrame, top: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw application columns plus the model's top engineered features, train vs test."""
    def frame(application: pd.DataFrame) -> pd.DataFrame:
        raw = application.drop(columns=["TARGET"], errors="ignore").set_index("SK_ID_CURR")
        engineered = [c for c in top if c not in raw.columns]
        return raw.join(features.loc[raw.index, engineered]).reset_index(drop=True)

    return frame(tables["application_train"]), frame(tables["application_test"])


def _save_features(folder: Path, features: pd.DataFrame) -> None:
    np.save(folder / "features.npy", np.ascontiguousarray(features.to_numpy(np.float32)))
    (folder / "feature_names.json").write_text(json.dumps(list(features.columns)))


def store_assessments(folder: Path, scoring_model, builder, rules, features: pd.DataFrame,
                      applications: pd.DataFrame) -> None:
    """Every client's assessment, stored with the set (`model.scoring.stored`), by the scorer
    the app will load: the dictionary as the app reads it back from the set."""
    from model.scoring.load import make_explainer
    from model.scoring.scorer import Scorer
    from model.scoring.stored import write_stored

    dictionary = pd.read_csv(folder / "feature_dictionary.csv").set_index("feature")
    scorer = Scorer(scoring_model, builder, make_explainer(scoring_model, dictionary), rules,
                    build_id="", model_version="")
    write_stored(folder, scorer, features, applications.loc[features.index])


def build(
    data_dir: Path | str,
    out_dir: Path | str,
    quick: bool = False,
    budget_seconds: float = 600.0,
    mlruns_dir: Path | None = None,
    scheduler: str | None = None,
) -> Path:
    """Run every stage and publish one complete, signed artifact set under the root `out_dir`.

    Returns the new set's folder (`out_dir/<build id>`), which `out_dir/current` now names.
    `scheduler` ("local" or a Dask address): the feature transform runs on Dask
    (`model.features.build.build_features`); None: in this process.
    """
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    started = time.perf_counter()
    with _stage(f"load tables from {data_dir}"):
        tables = load_tables(data_dir)
    # Heavy libraries are imported only once the data is known to be good.
    from model.drift.report import run_drift
    from model.explain.global_shap import compute_global_shap, top_features
    from model.fairness import write_fairness
    from model.features.build import build_features
    from model.features.dictionary import feature_dictionary
    from model.training.constraints import feature_directions
    from model.training.segments import segment_inputs
    from model.training.train import OOF_FILE, train_models

    with _stage("features"):
        builder, features, target = build_features(tables, scheduler)
    for name in [name for name in tables if name not in KEPT_TABLES]:
        del tables[name]  # history rows: 1-2 GB at Kaggle size, not read again
    is_train = target.notna().to_numpy()
    log.info("%d clients (%d train, %d test), %d features",
             len(features), is_train.sum(), (~is_train).sum(), features.shape[1])

    extra = {"data_dir": str(data_dir), "data": data_fingerprint(data_dir), "quick": quick}
    with new_set(out_dir, manifest_extra=extra) as pending:
        tmp = pending.tmp
        x_train, y_train = _training_rows(features, is_train), target[is_train].astype(int)
        segments = segment_inputs(builder, tables)
        with _stage("training"):
            scoring_model = train_models(
                x_train, y_train, tmp, budget_seconds=budget_seconds, quick=quick,
                mlruns_dir=mlruns_dir, directions=feature_directions(builder.features_),
                segments=segments,
            )
        del segments
        with _stage("scoring every client"):
            probability = score_in_chunks(scoring_model, features)
            oof = pd.read_parquet(tmp / OOF_FILE)["probability"]
        with _stage("saving features and clients"):
            joblib.dump(builder, tmp / "feature_builder.joblib")
            feature_dictionary(builder).to_csv(tmp / "feature_dictionary.csv", index=False)
            _save_features(tmp, features)
            clients = client_table(tables, target, probability, oof)
            clients.to_parquet(tmp / "clients.parquet")
            applications = raw_applications(tables)
            applications.to_parquet(tmp / "applications.parquet", index=False)
        with _stage("policy rules and fairness report"):
            rules = rules_from_config()
            write_policy(tmp, rules)
            write_fairness(tmp, holdout_fairness(tables, tmp, scoring_model, rules))
        with _stage("assessing every stored client"):
            store_assessments(tmp, scoring_model, builder, rules, features,
                              applications.set_index("SK_ID_CURR"))
        del applications
        with _stage("global SHAP"):
            shap_global = compute_global_shap(scoring_model, x_train, y_train, tmp)
        with _stage("drift train vs test"):
            top = top_features(shap_global, TOP_FEATURES_FOR_DRIFT)
            reference, current = drift_frames(tables, features, top)
            run_drift(
                reference, current, tmp / "drift", key_columns=top,
                # training clients by their out-of-fold scores: like with like
                reference_pred=clients["probability"].to_numpy()[is_train],
                current_pred=probability[~is_train],
            )
    log.info("build finished in %.0f s, peak memory %.2f GiB: %s", time.perf_counter() - started,
             peak_memory_gib(), pending.folder)
    return pending.folder


def holdout_fairness(tables: dict[str, pd.DataFrame], folder: Path, scoring_model,
                     rules: tuple) -> dict:
    """Fairness report of the held-out clients written by training, at the model's threshold,
    with the share of each group the lending `rules` fire on."""
    from model.fairness import fairness_report
    from model.training.train import HOLDOUT_FILE

    train = tables["application_train"].set_index("SK_ID_CURR")
    holdout = pd.read_parquet(folder / HOLDOUT_FILE)
    holdout = holdout.join(train.loc[holdout.index, ["CODE_GENDER", "DAYS_BIRTH"]])
    holdout["policy_fired"] = fired_mask(train.loc[holdout.index], rules).any(axis=1)
    return fairness_report(holdout, float(scoring_model.threshold_), train,
                           list(scoring_model.feature_names_))


def ensure_demo_artifacts(root: Path | None = None) -> Path | None:
    """Build a demo set for the app's first start, only when `root` holds no set at all.

    Built from data/raw if the Kaggle files are there, else from synthetic data. A root
    that holds anything set-like (a `current` pointer, a build folder, an old flat set,
    even a broken one) is left exactly as it is: the app then says what is wrong rather
    than replacing real artifacts with a demo. Returns the set being pointed to, if any.
    """
    from model.artifacts import ArtifactError
    from model.data.loader import has_tables

    root = Path(root or config.artifacts_dir())
    if holds_any_set(root):
        try:
            folder = current_set(root)
            log.info("%s serves build %s: no demo build needed", root, folder.name)
            return folder
        except ArtifactError as error:
            log.warning("not building a demo set: %s holds artifacts already (%s)", root, error)
            return None
    if has_tables(config.DATA_DIR):
        log.info("no artifact set in %s yet: building one from %s", root, config.DATA_DIR)
        return build(config.DATA_DIR, root, quick=True)
    if not has_tables(config.SYNTH_DIR):
        from model.synth.generate import generate

        log.info("no data in %s: generating %d synthetic clients into %s",
                 config.DATA_DIR, config.DEMO_CLIENTS, config.SYNTH_DIR)
        generate(n_clients=config.DEMO_CLIENTS, seed=config.SEED, out_dir=config.SYNTH_DIR)
    log.info("no artifact set in %s yet: building a demo set from the synthetic data (quick mode)",
             root)
    return build(config.SYNTH_DIR, root, quick=True)
