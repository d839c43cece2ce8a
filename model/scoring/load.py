"""A `Scorer` from an artifact set on disk, without the web app: verified first, then unpickled.

The batch job (`python -m model score`, every Dask worker) and the web app
(`webapp/serving.py`) build their scorer here, so both trust a set the same way: the
manifest's signature and every file's sha256 are checked (`model.artifacts.verify`)
before `model.joblib` or `feature_builder.joblib` is unpickled, and only files the signed
manifest lists are read.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
import pandas as pd

from model.artifacts import ArtifactError, set_folder, verify
from model.explain.local import ClientExplainer
from model.features.builder import FeatureBuilder
from model.scoring.applications import typical_application
from model.scoring.scorer import Scorer
from model.training.scoring import ScoringModel

log = logging.getLogger(__name__)

# What a scorer needs from a set; the typical application adds the two client tables.
SCORER_FILES = ("model.joblib", "feature_builder.joblib", "feature_dictionary.csv")
TYPICAL_FILES = ("applications.parquet", "clients.parquet")


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """Turn any failure to read a (verified) file into an `ArtifactError` naming it."""
    try:
        yield
    except ArtifactError:
        raise
    except Exception as error:  # a damaged or foreign file: name it, log the details
        log.error("cannot read %s", path, exc_info=True)
        raise ArtifactError(f"cannot be read ({type(error).__name__}): the file is damaged or "
                            f"was written by other software; rebuild the set", path) from None


def read_file(folder: Path, listed: dict, name: str, reader: Callable[[Path], Any],
              optional: bool = False) -> Any:
    """`reader(folder/name)`, or None for an optional file the manifest does not list."""
    path = folder / name
    if optional and name not in listed:
        return None
    with reading(path):
        return reader(path)


def build_id(manifest: dict, folder: Path) -> str:
    return str(manifest.get("build_id") or folder.name)


def model_version(manifest: dict, model: ScoringModel) -> str:
    """'lightgbm@3f2a…': the model's kind and the first 12 hex digits of its file's hash."""
    model_hash = str((manifest.get("files") or {}).get("model.joblib", ""))[:12]
    return f"{getattr(model, 'kind', 'model')}@{model_hash}"[:120]


def read_model(folder: Path, listed: dict, feature_names: list[str] | None) -> ScoringModel:
    """The pickled scoring model, refused unless it scores the set's feature columns."""
    model = read_file(folder, listed, "model.joblib", joblib.load)
    if not all(hasattr(model, a) for a in ("predict_proba", "threshold_", "kind")):
        raise ArtifactError("does not hold a scoring model", folder / "model.joblib")
    if feature_names is not None and list(getattr(model, "feature_names_", feature_names)) != list(feature_names):
        raise ArtifactError("expects other feature columns than feature_names.json lists",
                            folder / "model.joblib")
    return model


def policy_rules(folder: Path, listed: dict) -> tuple:
    """The rules the set was built with; a set older than `policy.json` gets today's config
    (logged), never no rules at all: an unaffordable loan must not be granted by omission."""
    from model.scoring.policy import POLICY_FILE, read_policy, rules_from_config

    path = folder / POLICY_FILE
    if POLICY_FILE not in listed:  # only files the signed manifest vouches for are read
        log.warning("%s: no %s; applying the configured policy rules", folder, POLICY_FILE)
        return rules_from_config()
    try:
        return read_policy(path)
    except ValueError as error:
        raise ArtifactError("is not a valid policy rule set", path) from error


def make_explainer(model: ScoringModel, dictionary: pd.DataFrame) -> ClientExplainer | None:
    """The per-client SHAP explainer (None for a model kind SHAP cannot explain: the
    assessments then carry no reasons, and the screens say so)."""
    try:
        return ClientExplainer(model, dictionary.reset_index())
    except ValueError as error:
        log.warning("no per-client explanation for this model: %s", error)
        return None


def make_scorer(folder: Path, manifest: dict, model: ScoringModel, builder: FeatureBuilder,
                explainer: ClientExplainer | None, rules: tuple,
                typical: pd.DataFrame | None) -> Scorer:
    """The set's scorer, named by its build id and model version."""
    return Scorer(model, builder, explainer, rules, build_id=build_id(manifest, folder),
                  model_version=model_version(manifest, model), typical=typical)


def load_scorer(path: Path | str, *, typical: bool = True) -> Scorer:
    """The `Scorer` of an artifact set folder or of an artifacts root's current set.

    `typical=False` skips the two client tables (the typical application only fills the
    fields a new applicant's form leaves out; a batch of whole Kaggle rows never needs it),
    which keeps a Dask worker's memory to the model, the builder and the explainer.
    """
    folder = set_folder(path)
    manifest = verify(folder, required=SCORER_FILES + (TYPICAL_FILES if typical else ()))
    listed = manifest["files"]
    names = read_file(folder, listed, "feature_names.json", lambda p: json.loads(p.read_text()),
                      optional=True)
    model = read_model(folder, listed, names)
    builder = read_file(folder, listed, "feature_builder.joblib", joblib.load)
    if not isinstance(builder, FeatureBuilder):
        raise ArtifactError("does not hold a feature builder", folder / "feature_builder.joblib")
    dictionary = read_file(folder, listed, "feature_dictionary.csv",
                           lambda p: pd.read_csv(p).set_index("feature"))
    typical_row = None
    if typical:
        clients = read_file(folder, listed, "clients.parquet", pd.read_parquet)
        applications = read_file(folder, listed, "applications.parquet",
                                 lambda p: pd.read_parquet(p).set_index("SK_ID_CURR"))
        train_ids = clients.index[clients["set"].astype(str) == "train"]
        typical_row = typical_application(applications, train_ids)
    scorer = make_scorer(folder, manifest, model, builder, make_explainer(model, dictionary),
                         policy_rules(folder, listed), typical_row)
    log.info("scorer of build %s loaded from %s", scorer.build_id, folder)
    return scorer


@lru_cache(maxsize=2)
def cached_scorer(folder: str) -> Scorer:
    """One verified scorer per set folder and process (a Dask worker verifies a set once,
    however many partitions it scores; two entries: a worker may see a new set arrive)."""
    return load_scorer(folder, typical=False)
