"""Everything the screens read: one verified artifact set per process, swapped whole.

The feature matrix stays on disk, memory-mapped (the OS shares its pages between
gunicorn workers); only the client table, the raw application rows and the few
columns the screens plot are held in RAM. Nothing here is ever mutated.

Serving: `get_state()` returns the one `AppState` loaded from the set the artifacts
root's `current` pointer names (model/artifacts.py). At most every
`config.RELOAD_CHECK_SECONDS` it re-reads that pointer (a 30-byte read); when it
names another build, the new set is verified (signature first, then hashes and
versions, then shapes) and loaded while the old one keeps serving, and the
reference is swapped under a lock: a request sees one set or the other, never a mix
(a Flask request also keeps the state it first got). A set that fails is remembered
and not verified again; the last good set keeps serving and `/api/health` says so.
Without any good set `get_state()` raises `ArtifactsUnavailable` naming the file
and the problem (never raw exception text; the details go to the log).
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import Any, Callable

import joblib
import numpy as np
import pandas as pd
import pyarrow as pa

from model import config
from model.artifacts import ArtifactError, current_set, verify
from model.matrix_file import pread_rows, read_rows
from model.explain.local import ClientExplainer
from model.features.builder import FeatureBuilder
from model.scoring import Scorer
from model.scoring.applications import typical_application
from model.scoring.load import (build_id, make_explainer, make_scorer, policy_rules, read_file,
                                read_model, reading)
from model.scoring.policy import PolicyRule
from model.scoring.stored import ASSESSMENTS_FILE, StoredAssessments
from model.training.scoring import ScoringModel
from webapp import set_watch
from webapp.service_errors import ServiceError

log = logging.getLogger(__name__)

REQUIRED = (
    "model.joblib", "feature_builder.joblib", "feature_dictionary.csv", "features.npy",
    "feature_names.json", "clients.parquet", "applications.parquet", "metrics.json",
)
# How many of the most important features are kept in RAM for the population plots.
PLOT_FEATURES = 30
# Values derived from a set, filled when the set is loaded (see `derived_value`).
_DERIVATIONS: dict[str, Callable[["AppState"], Any]] = {}
# Rows per positioned read while copying them: 16,384 x 844 float32 = 55 MB of buffer.
PLOT_SLICE_ROWS = 16_384


class UnknownClientError(KeyError):
    """The client ID is not in the artifact set."""

    def __str__(self) -> str:
        return f"client {self.args[0]} is not in the loaded data"


class ArtifactsUnavailable(ServiceError, ArtifactError):
    """No artifact set can be served: the screens show `detail`, the API answers 503."""

    def __init__(self, error: ArtifactError) -> None:
        ArtifactError.__init__(self, error.problem, error.file)
        self.key, self.values = "artifacts_missing", {"detail": str(error)}

    def __str__(self) -> str:
        return self.values["detail"]


@dataclass(frozen=True)
class AppState:
    artifacts_dir: Path
    manifest: dict
    model: ScoringModel
    builder: FeatureBuilder
    dictionary: pd.DataFrame  # indexed by feature
    feature_names: list[str]
    features: np.ndarray  # memory-mapped, one row per client in clients["row"] order
    clients: pd.DataFrame  # indexed by SK_ID_CURR
    applications: pd.DataFrame  # raw application rows indexed by SK_ID_CURR
    plot_columns: pd.DataFrame  # top features, indexed like clients
    metrics: dict
    cost_curve: pd.DataFrame
    comparison_md: str
    shap_global: pd.DataFrame | None
    shap_sample: dict | None
    drift_summary: dict | None
    drift_report_path: Path | None
    explainer: ClientExplainer | None = field(default=None)  # per-client SHAP, built once
    policy_rules: tuple[PolicyRule, ...] = ()  # the set's policy.json
    # The one scoring path (model/scoring): every screen, route, letter and log entry
    # presents what it assesses; nothing in webapp/ calls the model or the builder.
    scorer: Scorer | None = field(default=None)
    fairness: dict | None = None  # fairness.json: outcomes by gender and age band
    # Every stored client's assessment, computed at build time (None: a set built before
    # them, whose clients are assessed on demand).
    stored: StoredAssessments | None = None
    # Values the screens derive from this artifact set (filled at load for those registered
    # with `derived_value`); they live and die with the state, so a reloaded set never sees
    # another set's values.
    _derived: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def build_id(self) -> str:
        return build_id(self.manifest, self.artifacts_dir)

    def derived(self, name: str, compute: Callable[["AppState"], Any]) -> Any:
        """`compute(self)`, computed once per loaded artifact set and kept with it."""
        if name not in self._derived:
            self._derived[name] = compute(self)
        return self._derived[name]

    def feature_row(self, client_id: int) -> pd.DataFrame:
        """The client's feature vector (one row read from the matrix file)."""
        try:
            row = int(self.clients.at[int(client_id), "row"])
        except (KeyError, ValueError):
            raise UnknownClientError(client_id) from None
        try:
            values = _read_row(self.features, row)
        except ArtifactError:  # the file changed under us (truncated): refuse the set
            error = ArtifactError("ends before the rows the set lists (truncated after it was "
                                  "verified)", self.artifacts_dir / "features.npy")
            refuse(self, error)
            raise ArtifactsUnavailable(error) from None
        return pd.DataFrame(values, columns=feature_index(self),
                            index=pd.Index([int(client_id)], name="SK_ID_CURR"))

    def has_client(self, client_id: int) -> bool:
        return int(client_id) in self.clients.index


def derived_value(name: str) -> Callable:
    """Register `compute(state)` as a value derived once per set and precomputed when it loads.

    The decorated function then reads the stored value: `f(state) == state.derived(name, f)`.
    Precomputing before the set is served means no first request pays for it and two
    first requests never race to fill it.
    """
    def register(compute: Callable[[AppState], Any]) -> Callable[[AppState], Any]:
        _DERIVATIONS[name] = compute

        @wraps(compute)
        def read(state: AppState) -> Any:
            return state.derived(name, compute)

        return read

    return register


@derived_value("feature_index")
def feature_index(state: AppState) -> pd.Index:
    """One column Index for every feature row read: the model recognises it without comparing
    800 names (`ScoringModel._matrix`); built when the set loads."""
    return pd.Index(state.feature_names)


def _read_row(features: np.ndarray, row: int) -> np.ndarray:
    """One row (1 x n float32) of the feature matrix, read from the file, not through the map
    (`model.matrix_file`: the resident memory stays flat however many clients are opened)."""
    return read_rows(features, row).astype(np.float32, copy=False)



def _read_shap_sample(path: Path) -> dict:
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def _plot_columns(features: np.ndarray, names: list[str], shap_global: pd.DataFrame | None,
                  index: pd.Index) -> pd.DataFrame:
    """The most important features of every client, copied into RAM for the population plots.

    The matrix is row-major, so these 30 columns are spread over the whole 1.2 GB file:
    copying them through the memory map faulted in every page, and loading a 356,255-client
    set peaked at 1.65 GB RSS (those pages counted until they were dropped). Positioned reads
    of `PLOT_SLICE_ROWS` rows at a time into one reused buffer keep the extra memory to that
    buffer; the pages stay in the OS's file cache, outside the process.
    """
    if shap_global is not None and "feature" in shap_global.columns:
        from model.explain.global_shap import top_features

        top = [f for f in top_features(shap_global) if f in names][:PLOT_FEATURES]
    else:
        top = names[:PLOT_FEATURES]
    positions = np.asarray([names.index(f) for f in top], dtype=np.intp)
    columns = np.empty((features.shape[0], len(top)), dtype=np.float32)
    if getattr(features, "filename", None) is None or not features.flags.c_contiguous:
        columns[:] = features[:, positions]  # an in-memory array (tests)
    else:
        buffer = np.empty((min(PLOT_SLICE_ROWS, features.shape[0]), features.shape[1]), features.dtype)
        with open(features.filename, "rb", buffering=0) as handle:
            for start in range(0, features.shape[0], buffer.shape[0]):
                block = buffer[: min(buffer.shape[0], features.shape[0] - start)]
                pread_rows(handle.fileno(), features, start, block)
                columns[start : start + len(block)] = block[:, positions]
    return pd.DataFrame(columns, columns=top, index=index, copy=False)


def _read_parquet(path: Path) -> pd.DataFrame:
    """A parquet file as a DataFrame, handing Arrow's freed buffers back to the OS.

    Arrow's allocator keeps the pages of the table it converted: reading the two client
    tables of a 356,255-client set left 398 MB resident for 137 MB of frames, 200 MB after
    `release_unused`. (Arrow's `self_destruct` conversion, which would also lower the peak,
    crashed pandas 3.0's reader on the applications table.)
    """
    frame = pd.read_parquet(path)
    pa.default_memory_pool().release_unused()
    return frame


def load_state(artifacts_dir: Path | str) -> AppState:
    """Verify and load one artifact set folder; raise `ArtifactError` naming what is wrong.

    The signature and hashes are checked before any file is unpickled; only files the
    signed manifest lists are read.
    """
    folder = Path(artifacts_dir)
    manifest = verify(folder, required=REQUIRED)
    listed = manifest["files"]

    def read(name: str, reader: Callable[[Path], Any], optional: bool = False) -> Any:
        return read_file(folder, listed, name, reader, optional)

    names = read("feature_names.json", lambda p: json.loads(p.read_text()))
    features = read("features.npy", lambda p: np.load(p, mmap_mode="r"))
    clients = read("clients.parquet", _read_parquet)
    _check_shapes(folder, names, features, clients)
    applications = read("applications.parquet", lambda p: _read_parquet(p).set_index("SK_ID_CURR"))
    shap_global = read("shap_global.parquet", pd.read_parquet, optional=True)
    model = read_model(folder, listed, names)
    dictionary = read("feature_dictionary.csv", lambda p: pd.read_csv(p).set_index("feature"))
    builder = read("feature_builder.joblib", joblib.load)
    with reading(folder / "features.npy"):
        plot_columns = _plot_columns(features, names, shap_global, clients.index)
    explainer = make_explainer(model, dictionary)
    rules = policy_rules(folder, listed)
    train_ids = clients.index[clients["set"].astype(str) == "train"]
    state = AppState(
        artifacts_dir=folder,
        manifest=manifest,
        model=model,
        builder=builder,
        dictionary=dictionary,
        feature_names=names,
        features=features,
        clients=clients,
        applications=applications,
        plot_columns=plot_columns,
        metrics=read("metrics.json", lambda p: json.loads(p.read_text())),
        cost_curve=read("cost_curve.csv", pd.read_csv, optional=True),
        comparison_md=read("comparison.md", Path.read_text, optional=True) or "",
        shap_global=shap_global,
        shap_sample=read("shap_sample.npz", _read_shap_sample, optional=True),
        drift_summary=read("drift/summary.json", lambda p: json.loads(p.read_text()), optional=True),
        drift_report_path=read("drift/report.html", lambda p: p, optional=True),
        explainer=explainer,
        policy_rules=rules,
        fairness=read("fairness.json", lambda p: json.loads(p.read_text()), optional=True),
        stored=_stored_assessments(folder, listed, clients),
        scorer=make_scorer(folder, manifest, model, builder, explainer, rules,
                           typical_application(applications, train_ids)),
    )
    _precompute(state)
    log.info("loaded build %s: %d clients x %d features from %s",
             state.build_id, len(clients), len(names), folder)
    return state


def _stored_assessments(folder: Path, listed: dict, clients: pd.DataFrame
                        ) -> StoredAssessments | None:
    """The set's stored assessments (None when it has none), one per client of the set in
    the feature matrix's row order (a set whose rows moved is refused, not served wrong)."""
    try:
        stored = StoredAssessments.open(folder, listed)
    except (OSError, ValueError, pa.ArrowException) as error:
        raise ArtifactError(f"cannot be read ({error})", folder / ASSESSMENTS_FILE) from None
    if stored is None:
        return None
    in_row_order = clients.index.to_numpy()[np.argsort(clients["row"].to_numpy())]
    if len(stored) != len(clients) or not np.array_equal(stored.client_ids(), in_row_order):
        raise ArtifactError(f"holds {len(stored)} assessments that are not the {len(clients)} "
                            "clients of clients.parquet in the matrix's row order",
                            folder / ASSESSMENTS_FILE)
    return stored


def _check_shapes(folder: Path, names: Any, features: np.ndarray, clients: pd.DataFrame) -> None:
    """The matrix, its column names and the client table must describe the same rows."""
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ArtifactError("is not a list of column names", folder / "feature_names.json")
    if features.ndim != 2 or features.shape[1] != len(names):
        raise ArtifactError(f"has shape {features.shape} but feature_names.json lists "
                            f"{len(names)} columns", folder / "features.npy")
    if "row" not in clients.columns:
        raise ArtifactError("has no 'row' column", folder / "clients.parquet")
    rows = clients["row"].to_numpy()
    if len(clients) != features.shape[0] or (len(rows) and (rows.min() < 0 or rows.max() >= features.shape[0])):
        raise ArtifactError(f"lists {len(clients)} clients but features.npy has "
                            f"{features.shape[0]} rows", folder / "clients.parquet")


def _precompute(state: AppState) -> None:
    """Fill every registered derived value before the set is served.

    The services register theirs when they are imported (the app imports every page, hence
    every service, before it loads a set); serving itself imports no service."""
    for name, compute in list(_DERIVATIONS.items()):
        started = time.perf_counter()
        try:
            state.derived(name, compute)
        except Exception as error:  # inconsistent set: refuse it rather than fail per request
            log.error("cannot derive %s from %s", name, state.artifacts_dir, exc_info=True)
            raise ArtifactError(f"its data does not allow computing {name} "
                                f"({type(error).__name__}); rebuild the set",
                                state.artifacts_dir) from None
        log.debug("derived %s in %.2f s", name, time.perf_counter() - started)


# --- serving -------------------------------------------------------------------------------------

@dataclass
class _Served:
    """What one artifacts root serves: the last good state, and why a newer set is not served."""
    root: Path
    lock: threading.RLock = field(default_factory=threading.RLock)
    state: AppState | None = None
    checked_at: float = float("-inf")
    loading: Path | None = None  # a set being loaded in the background
    error: ArtifactsUnavailable | None = None  # latest problem (None when all is well)
    refused: "OrderedDict[Path, ArtifactsUnavailable]" = field(default_factory=OrderedDict)
    previous: AppState | None = None  # the set served before this one (the fallback)

    def due(self) -> bool:
        return time.monotonic() - self.checked_at >= config.RELOAD_CHECK_SECONDS

    def refresh(self, wait: bool) -> None:
        """Re-read `current` and load a set it newly names (call with `lock` held).

        With a state already served and `wait` false, the new set is loaded in a background
        thread while the old one keeps answering; the reference is swapped when it is ready.
        """
        self.checked_at = time.monotonic()
        try:
            target = current_set(self.root)
        except ArtifactError as error:
            self._failed(None, error)
            return
        if self.state is not None and self.state.artifacts_dir == target:
            self.error = None
            return
        if target in self.refused:  # already verified and refused: not re-hashed
            self.error = self.refused[target]
            return
        if self.loading == target and not wait:
            return
        if wait or self.state is None:
            self._load(target)
            return
        self.loading = target
        threading.Thread(target=self._load, args=(target,), name="artifact-set-loader",
                         daemon=True).start()

    def _load(self, target: Path) -> None:
        try:
            state = load_state(target)
        except Exception as error:  # never leave a loader thread dead and the set unreported
            if not isinstance(error, ArtifactError):
                log.error("cannot load %s", target, exc_info=True)
                error = ArtifactError(f"could not be loaded ({type(error).__name__}); rebuild the "
                                      f"set", target)
            with self.lock:
                self._failed(target, error)
                self.loading = None
            return
        with self.lock:
            previous, self.state, self.error, self.loading = self.state, state, None, None
            self.previous = previous or self.previous
        if previous is None:
            log.info("serving build %s from %s", state.build_id, self.root)
        else:
            log.info("switched from build %s to build %s", previous.build_id, state.build_id)

    def _failed(self, target: Path | None, error: ArtifactError) -> None:
        unavailable = ArtifactsUnavailable(error)
        if target is not None:
            self.refused[target] = unavailable
            while len(self.refused) > 8:
                self.refused.popitem(last=False)
        if self.error is None or str(self.error) != str(unavailable):
            if self.state is None:
                log.error("no artifact set can be served: %s", unavailable)
            else:
                log.error("artifact set refused, still serving build %s: %s",
                          self.state.build_id, unavailable)
        self.error = unavailable


    def refuse_served(self, state: AppState, error: ArtifactError) -> None:
        """The served set failed a re-check (`webapp.set_watch`): refuse it and go back to the
        set served before it, re-verified first; without one, serve nothing (503)."""
        with self.lock:
            if self.state is not state:
                return
            fallback = self.previous if self.previous is not None \
                and self.previous.artifacts_dir != state.artifacts_dir else None
            self.state, self.previous = None, None
            if fallback is not None:
                try:
                    verify(fallback.artifacts_dir, required=REQUIRED)
                    self.state = fallback
                except ArtifactError as fallback_error:
                    self._failed(fallback.artifacts_dir, fallback_error)
            self._failed(state.artifacts_dir, error)  # logs which build is served, if any


_SERVED: "OrderedDict[Path, _Served]" = OrderedDict()
_SERVED_LOCK = threading.Lock()


def _served(root: Path) -> _Served:
    with _SERVED_LOCK:
        served = _SERVED.get(root)
        if served is None:
            served = _SERVED[root] = _Served(root)
            while len(_SERVED) > 2:  # tests switch roots; a process normally has one
                _SERVED.popitem(last=False)
        return served


def get_state() -> AppState:
    """The artifact set being served (loaded on first use if nothing loaded it before).

    Raises `ArtifactsUnavailable` (a `ServiceError` for the screens, an `ArtifactError` for
    the API) when no good set exists. Within one Flask request the same state is returned.
    """
    pinned = _request_pinned()
    root = config.artifacts_dir()
    if pinned is not None and pinned[0] == root:
        return pinned[1]
    served = _served(root)
    state = served.state
    if state is None:
        with served.lock:  # the first load: every request waits for the same one
            if served.state is None and (served.error is None or served.due()):
                served.refresh(wait=True)
            state = served.state
        if state is not None:
            set_watch.start(recheck_served)  # re-verifies the served sets in the background
    elif served.due() and served.lock.acquire(blocking=False):  # a cheap check, never waits
        try:
            if served.due():
                served.refresh(wait=False)
        finally:
            served.lock.release()
    if state is None:
        raise served.error
    _pin_to_request(root, state)
    return state


def refresh(watch: bool = True) -> AppState:
    """Check `current` now and load what it names before returning (start-up, admin, tests).

    `watch`: start this process's background re-verification (`webapp.set_watch`); false in
    a gunicorn master that loads the set before forking its workers, each of which starts
    its own."""
    served = _served(config.artifacts_dir())
    with served.lock:
        served.refresh(wait=True)
    if served.state is None:
        raise served.error
    if watch:
        set_watch.start(recheck_served)
    return served.state


def serving_problem() -> ArtifactsUnavailable | None:
    """Why the newest set is not served while an older one is (None when all is well)."""
    served = _SERVED.get(config.artifacts_dir())
    return served.error if served is not None and served.state is not None else None


def served_states() -> list[AppState]:
    """The states being served now, one per artifacts root (for the background re-check)."""
    with _SERVED_LOCK:
        return [served.state for served in _SERVED.values() if served.state is not None]


def recheck_served() -> list[ArtifactError]:
    """Verify every served set now (signature and file hashes); refuse those that fail.
    Returns the problems found (`webapp.set_watch` calls it every few minutes)."""
    problems = []
    for state in served_states():
        try:
            verify(state.artifacts_dir, required=REQUIRED)
        except ArtifactError as error:
            log.error("served build %s failed its re-check: %s", state.build_id, error)
            refuse(state, error)
            problems.append(error)
    return problems


def refuse(state: AppState, error: ArtifactError) -> None:
    """Refuse a served set whose files no longer match its signed manifest."""
    with _SERVED_LOCK:
        owners = [served for served in _SERVED.values() if served.state is state]
    for served in owners:
        served.refuse_served(state, error)


def _request_pinned() -> tuple[Path, AppState] | None:
    from flask import g, has_request_context

    return g.get("_scoring_state") if has_request_context() else None


def _pin_to_request(root: Path, state: AppState) -> None:
    from flask import g, has_request_context

    if has_request_context():
        g._scoring_state = (root, state)
