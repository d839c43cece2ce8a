"""MLflow experiment tracking that can never make training fail.

Runs go to a local store (no server): one run per candidate with its
parameters, metrics, cost curve (CSV + interactive plot) and one run for the
chosen model, which is logged as an MLflow pyfunc and registered. MLflow 3
refuses plain file stores unless `MLFLOW_ALLOW_FILE_STORE` is set, and SQLite
needs SQLAlchemy (absent from mlflow-skinny), so the file store is opted in.
Any MLflow error is logged as a warning and tracking switches itself off.
"""
from __future__ import annotations

import functools
import logging
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from model import config

log = logging.getLogger(__name__)

EXPERIMENT = "credit-scoring"
REGISTERED_MODEL = "credit-scoring-model"


def _never_fail(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Tracker, *args: Any, **kwargs: Any) -> Any:
        if self._client is None:
            return None
        try:
            return method(self, *args, **kwargs)
        except Exception as error:  # noqa: BLE001 - tracking is best effort by design
            log.warning("MLflow tracking disabled after an error in %s: %s",
                        method.__name__, error)
            self._client = None
            return None
    return wrapper


def _flat(metrics: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """Numeric leaves of nested metric dicts, keyed `cv_auc`, `holdout_cost`, ..."""
    flat: dict[str, float] = {}
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flat(value, f"{name}_"))
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
            flat[name] = float(value)
    return flat


def cost_curve_figure(curve: pd.DataFrame, threshold: float, title: str) -> Any:
    """Plotly figure of cost per 1,000 clients against the threshold."""
    import plotly.graph_objects as go

    figure = go.Figure(go.Scatter(x=curve["threshold"], y=curve["cost_per_1000"],
                                  mode="lines", name="cost per 1,000 clients"))
    figure.add_vline(x=threshold, line_dash="dash",
                     annotation_text=f"chosen threshold {threshold:.3f}")
    figure.update_layout(title=title, xaxis_title="threshold on P(default)",
                         yaxis_title="business cost per 1,000 clients")
    return figure


@contextmanager
def _quiet_mlflow() -> Iterator[None]:
    """Hide save_model's expected warnings (pickled python_model, no signature)."""
    mlflow_log = logging.getLogger("mlflow")
    level = mlflow_log.level
    mlflow_log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        mlflow_log.setLevel(level)


class ScoringPyfunc:
    """MLflow pyfunc wrapper: loads model.joblib, returns calibrated P(default)."""

    def load_context(self, context: Any) -> None:
        import joblib

        self.model = joblib.load(context.artifacts["model"])

    def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> Any:
        return self.model.predict_proba(model_input)


class Tracker:
    """Best-effort MLflow logging into `mlruns_dir` (a local file store)."""

    def __init__(self, mlruns_dir: Path | None = None, experiment: str = EXPERIMENT) -> None:
        self.mlruns_dir = Path(mlruns_dir or config.MLRUNS_DIR).resolve()
        self._client = None
        self._experiment_id: str | None = None
        try:
            os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
            os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
            os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
            from mlflow.tracking import MlflowClient

            self.mlruns_dir.mkdir(parents=True, exist_ok=True)
            uri = self.mlruns_dir.as_uri()
            self._client = MlflowClient(tracking_uri=uri, registry_uri=uri)
            found = self._client.get_experiment_by_name(experiment)
            self._experiment_id = (found.experiment_id if found
                                   else self._client.create_experiment(experiment))
        except Exception as error:  # noqa: BLE001
            log.warning("MLflow tracking unavailable (%s); training continues without it", error)
            self._client = None

    @property
    def active(self) -> bool:
        return self._client is not None

    @_never_fail
    def log_candidate(self, name: str, params: dict[str, Any], metrics: dict[str, Any],
                      curve: pd.DataFrame, threshold: float,
                      tags: dict[str, str] | None = None) -> str:
        """One run per candidate: params, flattened metrics, cost curve CSV and plot."""
        run = self._client.create_run(self._experiment_id, run_name=name, tags=tags or {})
        run_id = run.info.run_id
        for key, value in params.items():
            self._client.log_param(run_id, key, value)
        for key, value in _flat(metrics).items():
            self._client.log_metric(run_id, key, value)
        with tempfile.TemporaryDirectory() as tmp:
            curve.to_csv(Path(tmp) / "cost_curve.csv", index=False)
            cost_curve_figure(curve, threshold, f"{name}: cost vs threshold").write_html(
                Path(tmp) / "cost_curve.html", include_plotlyjs="cdn")
            self._client.log_artifacts(run_id, tmp)
        self._client.set_terminated(run_id)
        return run_id

    @_never_fail
    def log_model(self, run_id: str, model_file: Path) -> int | None:
        """Attach the final model (as a pyfunc) to `run_id` and register it; the version."""
        import mlflow.pyfunc
        from mlflow.pyfunc import PythonModel

        wrapper = type("ScoringModelPyfunc", (ScoringPyfunc, PythonModel), {})
        with tempfile.TemporaryDirectory() as tmp, _quiet_mlflow():
            model_path = Path(tmp) / "model"
            mlflow.pyfunc.save_model(
                path=str(model_path), python_model=wrapper(),
                artifacts={"model": str(model_file)},
                pip_requirements=["scikit-learn", "imbalanced-learn", "lightgbm", "pandas"])
            self._client.log_artifacts(run_id, str(model_path), artifact_path="model")
        try:
            self._client.get_registered_model(REGISTERED_MODEL)
        except Exception:  # noqa: BLE001 - not registered yet
            self._client.create_registered_model(REGISTERED_MODEL)
        source = f"{self._client.get_run(run_id).info.artifact_uri}/model"
        version = self._client.create_model_version(REGISTERED_MODEL, source, run_id=run_id)
        log.info("MLflow: registered %s version %s", REGISTERED_MODEL, version.version)
        return int(version.version)

    @_never_fail
    def log_files(self, run_id: str, paths: list[Path]) -> None:
        """Attach report files to a run."""
        for path in paths:
            self._client.log_artifact(run_id, str(path))
