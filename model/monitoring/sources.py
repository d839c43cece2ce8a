"""What `python -m model monitor` reads: score files or the decision log, outcomes, the
training reference of the artifact set, and (optionally) the scored applications' inputs.

Every reader checks its file and names the file, column and client of a problem.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from model import config
from model.monitoring.periods import SCORE
from model.monitoring.psi import PopulationStability
from model.scoring.dates import parse_dates

log = logging.getLogger(__name__)

KEY = "SK_ID_CURR"
SCORE_COLUMNS = (KEY, "probability", "application_date")
OUTCOME_COLUMNS = (KEY, "TARGET", "observed_at")


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def _require(frame: pd.DataFrame, columns: tuple[str, ...], path: Path, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{path.name}: missing column(s) {', '.join(missing)} ({what} need them)")


def read_scores(paths: list[Path]) -> pd.DataFrame:
    """Score files of `python -m model score` (parquet or CSV), one frame; a client scored
    in two files counts once, with its latest application date."""
    frames = []
    for path in map(Path, paths):
        frame = _read(path)
        _require(frame, SCORE_COLUMNS, path, "score files of `python -m model score`")
        frame["application_date"] = parse_dates(frame, "application_date", path.name).dt.date
        probability = pd.to_numeric(frame["probability"], errors="coerce")
        bad = probability.isna() | (probability < 0) | (probability > 1)
        if bad.any():
            row = frame.loc[bad].iloc[0]
            raise ValueError(f"{path.name}: column probability holds {row['probability']!r}, "
                             f"not a probability (client {row[KEY]})")
        frame["probability"] = probability.astype(np.float64)
        frames.append(frame)
    scores = pd.concat(frames, ignore_index=True)
    return (scores.sort_values("application_date", kind="stable")
            .drop_duplicates(KEY, keep="last").reset_index(drop=True))


def read_outcomes(path: Path) -> pd.DataFrame:
    """`SK_ID_CURR, TARGET, observed_at` (0/1 labels and the day each was learnt)."""
    path = Path(path)
    frame = _read(path)
    _require(frame, OUTCOME_COLUMNS, path, "outcome files")
    bad = ~frame["TARGET"].isin([0, 1])
    if bad.any():
        row = frame.loc[bad].iloc[0]
        raise ValueError(f"{path.name}: column TARGET must be 0 or 1 but holds {row['TARGET']!r} "
                         f"(client {row[KEY]})")
    frame["observed_at"] = parse_dates(frame, "observed_at", path.name)
    return frame[list(OUTCOME_COLUMNS)].astype({"TARGET": np.int64})


def read_log(url: str) -> pd.DataFrame:
    """Scores and decisions of the app's decision log, one row per client and day: the
    latest score shown, with the decision recorded on it if any (SQLAlchemy Core, no app)."""
    from sqlalchemy import create_engine, text

    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            frame = pd.read_sql(text(
                "SELECT at, kind, client_id, input_fingerprint, probability, recommendation, "
                "final_decision, override FROM decision_log WHERE kind IN ('score', 'decision') "
                "ORDER BY id"), connection)
    except Exception as error:  # no such table, server down: a message, not a traceback
        raise ValueError(f"decision log {engine.url.render_as_string(hide_password=True)}: "
                         f"cannot be read ({type(error).__name__})") from error
    finally:
        engine.dispose()
    if frame.empty:
        raise ValueError("decision log: no score recorded")
    frame["application_date"] = pd.to_datetime(frame["at"], utc=True).dt.date
    # applicants without an id are told apart by their inputs' fingerprint
    who = frame["client_id"].astype("Int64").astype(str).where(frame["client_id"].notna(),
                                                              frame["input_fingerprint"])
    frame["who"] = who + "|" + frame["application_date"].astype(str)
    decisions = (frame[frame["kind"] == "decision"].drop_duplicates("who", keep="last")
                 .set_index("who")[["final_decision", "override"]])
    scores = frame[frame["kind"] == "score"].drop_duplicates("who", keep="last").set_index("who")
    scores = scores.drop(columns=["final_decision", "override"]).join(decisions)
    scores[KEY] = scores["client_id"]
    return scores.reset_index(drop=True)[[KEY, "probability", "application_date",
                                          "recommendation", "final_decision", "override"]]


@dataclass
class Reference:
    """The training reference of an artifact set: fitted PSI bins over the score and the
    model's most influential inputs, and what computing those inputs needs."""
    folder: Path
    stability: PopulationStability
    top: list[str]
    builder: object
    count_columns: list[str]
    frame: pd.DataFrame           # score + top inputs of the training clients (Evidently)
    share_without_history: float


def load_reference(artifacts: Path | str, top_n: int = config.MONITOR_TOP_INPUTS) -> Reference:
    """Bins fitted on the set's training clients: their out-of-fold probability (a model
    that never saw them, as new clients) and their values of the `top_n` inputs."""
    import json

    from model.artifacts import set_folder
    from model.drift.report import load_model, top_features

    folder = set_folder(artifacts)
    builder, model, shap_global = load_model(folder)
    top = top_features(model, shap_global, top_n)
    clients = pd.read_parquet(folder / "clients.parquet", columns=["row", "set", "probability"])
    train = clients[clients["set"] == "train"]
    names = json.loads((folder / "feature_names.json").read_text())
    matrix = np.load(folder / "features.npy", mmap_mode="r")
    counts = list(builder.history_count_features_)
    wanted = [names.index(c) for c in top + counts]
    values = np.asarray(matrix[train["row"].to_numpy()][:, wanted], dtype=np.float64)
    inputs = pd.DataFrame(values[:, :len(top)], columns=top)
    frame = pd.concat([pd.DataFrame({SCORE: train["probability"].to_numpy(np.float64)}), inputs],
                      axis=1)
    no_history = (values[:, len(top):] == 0).all(axis=1) if counts else np.zeros(len(train), bool)
    return Reference(folder, PopulationStability().fit(frame), top, builder, counts, frame,
                     float(no_history.mean()))


def current_inputs(reference: Reference, data: list[Path]) -> pd.DataFrame:
    """The top inputs and `no_history` of the scored applications (folders in Kaggle's
    layout, as given to `python -m model score`), computed with the set's feature builder."""
    from model.data.loader import load_tables
    from model.data.schema import HISTORY_TABLES
    from model.scoring.partitions import find_input
    from model.progress import stage

    parts = []
    for folder in map(Path, data):
        batch = find_input(folder)
        with stage(f"inputs of {batch.applications.name} ({folder})", log):
            tables = load_tables(folder, (batch.table, *HISTORY_TABLES))
            features = reference.builder.transform(tables)
        part = features[reference.top].astype(np.float64)
        counts = features[reference.count_columns].to_numpy()
        part["no_history"] = (counts == 0).all(axis=1) if reference.count_columns else False
        parts.append(part)
    inputs = pd.concat(parts)
    return inputs[~inputs.index.duplicated(keep="last")]
