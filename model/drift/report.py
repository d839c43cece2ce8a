"""Data drift between a reference batch of applications and a current one (Evidently 0.7).

`run_drift` compares two frames column by column and writes `summary.json` (every
column: drift flag, test, score, summary statistics of both sides) and
`report.html` (Evidently's page, restricted to the columns that matter so that it
stays a few MB instead of 60; the summary's `report` records what that page itself
counts, so the screen can say that it covers fewer columns). `drift_from_files` is the command-line entry point:
it validates two files in Kaggle's application format and, given a trained
artifact folder, adds the model's top features and the predicted probability.
"""
from __future__ import annotations

import json
import logging
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model import config
from model.artifacts import atomic_file
from model.drift.summary import column_statistics, is_categorical, parse_snapshot
from model.progress import stage

log = logging.getLogger(__name__)

PREDICTION_COLUMN = "PREDICTED_PROBABILITY"
# Identifiers and the label are never compared: the current batch has no TARGET.
IGNORED_COLUMNS = ("SK_ID_CURR", "TARGET")
# Columns drawn in the HTML page: the key ones, the prediction and the most drifted.
MAX_HTML_COLUMNS = 40
MIN_HTML_COLUMNS = 10
SUMMARY_FILE = "summary.json"
REPORT_FILE = "report.html"


def _comparable_columns(
    reference: pd.DataFrame, current: pd.DataFrame, columns: list[str] | None
) -> tuple[list[str], dict[str, str]]:
    """Columns to compare, and the ones left out with the reason why."""
    skipped: dict[str, str] = {}
    if columns is not None:
        for side, frame in (("reference", reference), ("current", current)):
            missing = [c for c in columns if c not in frame.columns]
            if missing:
                raise ValueError(f"{side} data: missing column(s) {', '.join(missing)}")
        return list(columns), skipped
    kept = []
    for column in reference.columns:
        if column in IGNORED_COLUMNS:
            continue
        if column in current.columns:
            kept.append(column)
        else:
            skipped[column] = "only in the reference data"
    for column in current.columns:
        if column not in reference.columns and column not in IGNORED_COLUMNS:
            skipped[column] = "only in the current data"
    return kept, skipped


def _with_prediction(frame: pd.DataFrame, prediction: Any, side: str) -> pd.DataFrame:
    if prediction is None:
        return frame
    values = np.asarray(prediction, dtype=np.float64).ravel()
    if len(values) != len(frame):
        raise ValueError(
            f"{side} predictions: {len(values)} values for {len(frame)} rows"
        )
    return frame.assign(**{PREDICTION_COLUMN: values})


def _for_evidently(frame: pd.DataFrame) -> pd.DataFrame:
    """Categories as plain objects, so that two batches with other levels compare cleanly."""
    out = frame.copy()
    for column in out.columns:
        if is_categorical(out[column]):
            out[column] = out[column].astype("object")
    return out


def _sample(frame: pd.DataFrame, rows: int, seed: int) -> pd.DataFrame:
    if rows and len(frame) > rows:
        return frame.sample(n=rows, random_state=seed)
    return frame


def _evidently_snapshot(current: pd.DataFrame, reference: pd.DataFrame, columns: list[str],
                        page: bool = False):
    """Evidently 0.7 drift of `columns` (note Evidently's argument order: current first).

    For the numbers, one `ValueDrift` metric per column: the very metrics
    DataDriftPreset builds, without the preset's second, legacy pass over every
    column (measured 2.3 times faster). For the HTML page, the preset itself, on
    the few columns the page shows.
    """
    from evidently import Report
    from evidently.metrics import ValueDrift
    from evidently.presets import DataDriftPreset

    metrics = [DataDriftPreset(columns=columns)] if page else [ValueDrift(column=c) for c in columns]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Report(metrics, include_tests=True).run(current[columns], reference[columns])


def _html_columns(results: dict[str, dict], key_columns: list[str], limit: int) -> list[str]:
    """Prediction, key columns, then drifted ones by severity; topped up to a readable minimum.

    Capped at `limit` so that a batch where everything drifts still gives a light page.
    """
    chosen = [PREDICTION_COLUMN] if PREDICTION_COLUMN in results else []
    chosen += [c for c in key_columns if c not in chosen]
    by_severity = sorted(results, key=lambda c: results[c]["severity"] or 0.0, reverse=True)
    chosen += [c for c in by_severity if results[c]["drift_detected"] and c not in chosen]
    chosen += [c for c in by_severity if c not in chosen][: max(MIN_HTML_COLUMNS - len(chosen), 0)]
    return chosen[:limit]


def _write_json(path: Path, payload: dict) -> None:
    tmp = atomic_file(path)
    tmp.write_text(json.dumps(payload, indent=1, allow_nan=False))
    tmp.replace(path)


def _write_html(snapshot, path: Path) -> None:
    tmp = atomic_file(path)
    snapshot.save_html(str(tmp))
    tmp.replace(path)


def run_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    out_dir: Path | str,
    columns: list[str] | None = None,
    sample_rows: int = 5000,
    seed: int = config.SEED,
    reference_pred: Any = None,
    current_pred: Any = None,
    key_columns: list[str] | None = None,
    max_html_columns: int = MAX_HTML_COLUMNS,
    notes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Compare `current` with `reference`; write `summary.json` and `report.html` into `out_dir`.

    `columns` defaults to every column both frames share (identifiers and TARGET aside).
    Predicted probabilities, when given (one per row, in row order), are compared as
    the column `PREDICTED_PROBABILITY` and reported on their own as prediction drift.
    Evidently tests a random sample of `sample_rows` rows per side (fixed `seed`);
    the summary statistics are computed on every row. `key_columns` (e.g. the model's
    top features) always appear in the HTML page, with the drifted columns.
    `notes` (e.g. the input file names) are stored as is. Returns the summary written.
    """
    started = time.perf_counter()
    if (reference_pred is None) != (current_pred is None):
        raise ValueError("prediction drift needs predictions for both reference and current rows")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    compared, skipped = _comparable_columns(reference, current, columns)
    ref = _with_prediction(reference[compared].reset_index(drop=True), reference_pred, "reference")
    cur = _with_prediction(current[compared].reset_index(drop=True), current_pred, "current")
    if reference_pred is not None:
        compared = compared + [PREDICTION_COLUMN]
    ref_sample = _for_evidently(_sample(ref, sample_rows, seed))
    cur_sample = _for_evidently(_sample(cur, sample_rows, seed))
    tested = []
    for column in compared:
        if ref_sample[column].isna().all() or cur_sample[column].isna().all():
            skipped[column] = "empty in the reference or current rows"
        else:
            tested.append(column)
    if not tested:
        raise ValueError("drift: no column with values on both sides to compare")

    with stage(f"drift on {len(tested)} columns x {len(ref_sample)}/{len(cur_sample)} rows", log):
        results = parse_snapshot(_evidently_snapshot(cur_sample, ref_sample, tested).dict())
    key_columns = [c for c in (key_columns or []) if c in results]
    html_columns = _html_columns(results, key_columns, max_html_columns)

    entries = []
    for column in sorted(tested, key=lambda c: (not results[c]["drift_detected"],
                                                 -(results[c]["severity"] or 0.0))):
        entries.append({
            "column": column,
            "kind": "categorical" if is_categorical(ref[column]) else "numerical",
            "key": column in key_columns,
            "in_report": column in html_columns,
            **results[column],
            "reference": column_statistics(ref[column]),
            "current": column_statistics(cur[column]),
        })
    features = [e for e in entries if e["column"] != PREDICTION_COLUMN]
    n_drifted = sum(e["drift_detected"] for e in features)
    summary = {
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **(notes or {}),
        "evidently": "ValueDrift per column (DataDriftPreset's tests); page: DataDriftPreset",
        "rows": {"reference": len(ref), "current": len(cur)},
        "rows_tested": {"reference": len(ref_sample), "current": len(cur_sample)},
        "sample_seed": seed,
        "n_columns": len(features),
        "n_drifted": int(n_drifted),
        "share_drifted": n_drifted / len(features) if features else 0.0,
        "drifted_columns": [e["column"] for e in features if e["drift_detected"]],
        "prediction": next((e for e in entries if e["column"] == PREDICTION_COLUMN), None),
        "key_columns": key_columns,
        "report_columns": html_columns,
        "skipped": skipped,
        "columns": entries,
    }
    with stage(f"drift report page on {len(html_columns)} columns", log):
        page = _evidently_snapshot(cur_sample, ref_sample, html_columns, page=True)
        _write_html(page, out_dir / REPORT_FILE)
    summary["report"] = report_figures(page.dict(), html_columns, results)
    summary["seconds"] = round(time.perf_counter() - started, 1)
    _write_json(out_dir / SUMMARY_FILE, summary)
    log.info("drift: %d of %d columns drifted (%.0f %%)%s; written to %s",
             n_drifted, len(features), 100 * summary["share_drifted"],
             _prediction_note(summary["prediction"]), out_dir)
    return summary


def report_figures(page: dict[str, Any], html_columns: list[str],
                   results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What the HTML page itself says ("Drift is detected for x% of columns (n out of m)").

    The page covers `html_columns` only, the prediction included, so its figures differ
    from the summary's (every tested feature, prediction apart). They are stored so the
    screen can say what the linked page counts; `agrees_with_summary` checks that the
    page's own count is the count of the summary's flags over the same columns.
    """
    counted = next((m["value"] for m in page.get("metrics", [])
                    if m.get("config", {}).get("type", "").endswith(":DriftedColumnsCount")), None)
    from_summary = sum(bool(results[c]["drift_detected"]) for c in html_columns)
    n_drifted = int(round(counted["count"])) if counted else from_summary
    if n_drifted != from_summary:
        log.warning("drift report page counts %d drifted columns, the summary %d on the same "
                    "%d columns", n_drifted, from_summary, len(html_columns))
    return {"n_columns": len(html_columns), "n_drifted": n_drifted,
            "share_drifted": n_drifted / len(html_columns) if html_columns else 0.0,
            "includes_prediction": PREDICTION_COLUMN in html_columns,
            "agrees_with_summary": n_drifted == from_summary}


def _prediction_note(prediction: dict | None) -> str:
    if prediction is None:
        return ""
    return ", prediction drift " + ("detected" if prediction["drift_detected"] else "not detected")


# ---- command line: two files in Kaggle's application format --------------------------
APPLICATION_SCHEMA = "application_test"  # the application columns without TARGET
TOP_FEATURES = 20


def load_applications(path: Path | str, side: str) -> pd.DataFrame:
    """A batch of applications (csv, zip or parquet), validated; TARGET is not required."""
    from model.data.loader import SchemaError, load_table_file

    try:
        return load_table_file(path, APPLICATION_SCHEMA)
    except SchemaError as error:
        raise SchemaError(f"{side} batch {path}: {error}") from error


def load_model(model_dir: Path) -> tuple[Any, Any, pd.DataFrame | None]:
    """Feature builder, scoring model and (if built) global SHAP table of an artifact folder."""
    import joblib

    from model.artifacts import MANIFEST, verify

    needed = ("feature_builder.joblib", "model.joblib")
    missing = [name for name in needed if not (model_dir / name).is_file()]
    if missing:
        raise FileNotFoundError(f"{model_dir}: missing {', '.join(missing)} (not an artifact folder?)")
    if (model_dir / MANIFEST).is_file():
        verify(model_dir, required=needed)
    shap_file = model_dir / "shap_global.parquet"
    shap_global = pd.read_parquet(shap_file) if shap_file.is_file() else None
    return joblib.load(model_dir / needed[0]), joblib.load(model_dir / needed[1]), shap_global


def top_features(model: Any, shap_global: pd.DataFrame | None, n: int = TOP_FEATURES) -> list[str]:
    """The model's n most important features: by mean |SHAP| when precomputed, else by the
    classifier's own importance (LightGBM split gain, |coefficient| of the scaled logistic)."""
    if shap_global is not None and {"feature", "mean_abs_shap"} <= set(shap_global.columns):
        from model.explain.global_shap import top_features as ranked

        return ranked(shap_global, n)
    classifier = model.classifier_
    classifier = getattr(classifier, "trees_", classifier)  # a blend: its trees' importance
    if hasattr(classifier, "feature_importances_"):
        weight = np.asarray(classifier.feature_importances_, dtype=np.float64)
    elif hasattr(classifier, "coef_"):
        weight = np.abs(np.ravel(classifier.coef_))
    else:  # the dummy uses no feature
        return []
    order = np.argsort(-weight, kind="stable")[:n]
    return [model.feature_names_[i] for i in order if weight[i] > 0]


def _with_model_features(app: pd.DataFrame, builder: Any, model: Any, top: list[str]
                         ) -> tuple[pd.DataFrame, np.ndarray]:
    """Raw columns plus the top engineered features, and the predicted probability, per row.

    The batch has no history tables: features are computed as for a new applicant
    (history aggregates empty), on both sides alike.
    """
    features = builder.transform({"application": app})
    features = features.loc[app["SK_ID_CURR"].to_numpy()]
    engineered = [c for c in top if c not in app.columns]
    frame = app.reset_index(drop=True).join(features[engineered].reset_index(drop=True))
    return frame, model.predict_proba(features)


def drift_from_files(
    reference: Path | str,
    current: Path | str,
    out_dir: Path | str,
    model_dir: Path | str | None = None,
    sample_rows: int = 5000,
) -> dict[str, Any]:
    """`python -m model drift`: compare a batch of applications with a reference batch.

    Both files follow Kaggle's application format (TARGET optional); a file with
    missing columns fails naming the file and the columns. With `model_dir` (an
    artifact folder), the model's top features and its predicted probability are
    compared too, computed from the application rows alone.
    """
    ref_app = load_applications(reference, "reference")
    cur_app = load_applications(current, "current")
    ref_pred = cur_pred = None
    top: list[str] = []
    if model_dir is not None:
        with stage(f"scoring both batches with the model in {model_dir}", log):
            builder, model, shap_global = load_model(Path(model_dir))
            top = top_features(model, shap_global)
            ref_app, ref_pred = _with_model_features(ref_app, builder, model, top)
            cur_app, cur_pred = _with_model_features(cur_app, builder, model, top)
    notes = {"reference_file": str(reference), "current_file": str(current),
             "model_dir": None if model_dir is None else str(model_dir)}
    if model_dir is not None:
        notes["features_note"] = "model features computed from the application rows alone"
    summary = run_drift(ref_app, cur_app, out_dir, sample_rows=sample_rows,
                        reference_pred=ref_pred, current_pred=cur_pred, key_columns=top,
                        notes=notes)
    log.info("drift summary: %s", Path(out_dir) / SUMMARY_FILE)
    return summary
