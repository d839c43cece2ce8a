"""`python -m model score`: a file of applications in, one assessment row per client out.

The back office scores its whole book and each day's applications with the very scorer
the screens use (`Scorer.assess`, one artifact set, verified once per worker):

    input folder ──split by SK_ID_CURR──> partitions (every row of a client in one)
        ──Dask: Scorer.assess on each partition──> part files ──in order──> the output

- Output (`--out`, parquet or CSV): `SK_ID_CURR`, probability, threshold, the model's outcome,
  the recommendation after the lending rules, the rules fired (JSON), up to four principal
  reasons (concept, feature, value, points), the proposal (JSON, with `--counterfactual`),
  build id, model version, `scored_at`. Written under a temporary name and renamed: a
  crash never leaves a half-written file under the final name.
- Rows that cannot be scored (a text in a numeric column, a negative amount, a client given
  twice, a bad row in a client's history) are listed in `<out stem>.errors.csv` (table, row,
  SK_ID_CURR, column, problem) and their clients are left out; the others are scored.
- A worker that dies mid-run has its partitions run again elsewhere; a partition's result
  is one file replaced whole, so every client is in the output exactly once.
"""
from __future__ import annotations

import json
import logging
import math
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from model import config
from model.artifacts import set_folder, verify
from model.data.rows import KEY, PROBLEM_COLUMNS, problems_frame
from model.progress import Progress, stage
from model.scoring.assessment import Assessment
from model.scoring.dates import add_application_dates, read_application_dates
from model.scoring.load import SCORER_FILES, cached_scorer
from model.scoring.partitions import count_rows, find_input, read_part, split_by_client

log = logging.getLogger(__name__)

REASONS = config.MAX_REASONS
# Clients assessed per `Scorer.assess` call inside a partition. The batch asks for reasons
# only (no client's table of every concept), so a call holds the slice's SHAP values, ~6 KB a
# client in float64: 5,000 at a time is ~35 MB whatever the partition's size.
ASSESS_ROWS = 5000
FORMATS = ("parquet", "csv")


def output_schema(counterfactual: bool) -> pa.Schema:
    """Columns of the output file, in order (fixed: every partition writes the same)."""
    fields = [pa.field(KEY, pa.int64()), pa.field("probability", pa.float64()),
              pa.field("threshold", pa.float64()), pa.field("model_outcome", pa.string()),
              pa.field("recommendation", pa.string()), pa.field("rules", pa.string())]
    for k in range(1, REASONS + 1):
        fields += [pa.field(f"reason_{k}_concept", pa.string()),
                   pa.field(f"reason_{k}_feature", pa.string()),
                   pa.field(f"reason_{k}_value", pa.string()),
                   pa.field(f"reason_{k}_points", pa.float64())]
    if counterfactual:
        fields.append(pa.field("proposal", pa.string()))
    fields += [pa.field("build_id", pa.string()), pa.field("model_version", pa.string()),
               pa.field("scored_at", pa.timestamp("us", tz="UTC"))]
    return pa.schema(fields)


def _value_text(value: object) -> str | None:
    """A reason's value as text: the raw category, or the number in full (None: unknown)."""
    if isinstance(value, str):
        return value
    number = float(value)
    return None if not math.isfinite(number) else repr(number)


def assessment_rows(assessments: Sequence[Assessment], scored_at: datetime,
                    counterfactual: bool) -> pa.Table:
    """The output rows of assessments: numbers and raw values, as `Assessment.to_dict`."""
    rows = []
    for assessment in assessments:
        data = assessment.to_dict()
        row = {KEY: assessment.client_id, "probability": data["probability"],
               "threshold": data["threshold"], "model_outcome": data["model_outcome"],
               "recommendation": data["recommendation"],
               "rules": json.dumps(data["rules"], ensure_ascii=False)}
        for k, reason in enumerate(assessment.reasons[:REASONS], start=1):
            row.update({f"reason_{k}_concept": reason.concept,
                        f"reason_{k}_feature": reason.feature,
                        f"reason_{k}_value": _value_text(reason.value),
                        f"reason_{k}_points": 100.0 * reason.probability_change})
        if counterfactual:
            row["proposal"] = (json.dumps(data["counterfactual"], ensure_ascii=False, default=str)
                               if data["counterfactual"] is not None else None)
        row.update(build_id=assessment.build_id, model_version=assessment.model_version,
                   scored_at=scored_at)
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=output_schema(counterfactual))


def _replace_atomically(table: pa.Table | None, path: Path, write) -> None:
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(table, temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def score_part(set_path: str, work: str, part: int, table: str, counterfactual: bool,
               blocked: np.ndarray, results: str) -> dict:
    """Score one partition on a worker (the set verified once per worker process) and write
    its rows to `results/<part>.parquet`, replaced whole: a partition run twice (its first
    worker died) leaves one file, so no client is counted twice."""
    scorer = cached_scorer(set_path)
    applications, history, problems = read_part(Path(work), part, table)
    if len(applications):
        applications = applications[~applications[KEY].isin(blocked)]
        applications = applications.drop(columns=["TARGET"], errors="ignore")
    pieces = []
    for start in range(0, len(applications), ASSESS_ROWS):
        assessments = scorer.assess(applications.iloc[start:start + ASSESS_ROWS], history,
                                    counterfactual=counterfactual, explanations=False)
        pieces.append(assessment_rows(assessments, datetime.now(timezone.utc), counterfactual))
    rows = pa.concat_tables(pieces) if pieces else assessment_rows([], datetime.now(timezone.utc),
                                                                   counterfactual)
    _replace_atomically(rows, Path(results) / f"{part:05d}.parquet", pq.write_table)
    return {"part": part, "clients": rows.num_rows, "problems": problems}


@dataclass(frozen=True)
class BatchSummary:
    """What a run did: clients scored, rows set aside, where the files are, how fast."""
    output: Path
    errors: Path
    clients: int
    problems: int
    seconds: float  # the whole run: split, scoring, writing
    scoring_seconds: float  # from the first partition sent to the last one scored

    @property
    def clients_per_second(self) -> float:
        return self.clients / self.seconds if self.seconds > 0 else float("nan")


def partition_count(clients: int, partition_clients: int, workers: int) -> int:
    """Partitions of a run: at most `partition_clients` clients each (a worker's memory), and
    at least two per worker so that no worker idles while another finishes a long one."""
    wanted = max(math.ceil(clients / max(1, partition_clients)), 2 * max(1, workers))
    return max(1, min(wanted, clients))


def errors_path(out: Path) -> Path:
    """The bad-rows file beside the output: `<stem>.errors.csv`."""
    return out.with_name(f"{out.name.split('.')[0]}.errors.csv")


def _write_output(results: Path, parts: int, out: Path, file_format: str,
                  counterfactual: bool) -> None:
    """Concatenate the partitions' rows into the output, one partition in memory at a time."""
    schema = output_schema(counterfactual)

    def write(_: None, path: Path) -> None:
        if file_format == "parquet":
            with pq.ParquetWriter(path, schema) as writer:
                for part in range(parts):
                    writer.write_table(pq.read_table(results / f"{part:05d}.parquet"))
            return
        header = True
        for part in range(parts):
            frame = pq.read_table(results / f"{part:05d}.parquet").to_pandas()
            frame.to_csv(path, mode="w" if header else "a", header=header, index=False)
            header = False

    _replace_atomically(None, out, write)


def _write_errors(problems: pd.DataFrame, path: Path) -> None:
    ordered = problems.sort_values(["table", "row"], kind="stable")[list(PROBLEM_COLUMNS)]
    _replace_atomically(ordered, path, lambda frame, p: frame.to_csv(p, index=False))


def score_file(artifacts: Path | str, data: Path | str, out: Path | str, *,
               file_format: str = "parquet", counterfactual: bool = False,
               scheduler: str | None = None, workers: int | None = None,
               memory_limit: str | int | None = None, table: str | None = None,
               partition_clients: int = config.BATCH_PARTITION_CLIENTS,
               work_dir: Path | str | None = None,
               date_column: str | None = None) -> BatchSummary:
    """Score every application of `data` with the set `artifacts`; write `out` and its
    bad-rows file. `work_dir` holds the partitions while the run lasts (beside `out` unless
    given; on a real cluster, a folder every worker sees at the same path). Each row gets
    its `application_date` (`model.scoring.dates`: `date_column`, else APPLICATION_DATE,
    else the scoring day)."""
    from distributed import as_completed

    from model.engine import dask_client

    if file_format not in FORMATS:
        raise ValueError(f"unknown format {file_format!r}; expected one of {', '.join(FORMATS)}")
    started = time.perf_counter()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    folder = set_folder(artifacts)
    verify(folder, required=SCORER_FILES)  # a refused set stops here, before any work
    batch = find_input(data, table)
    dates = read_application_dates(batch.applications, date_column)
    clients = count_rows(batch.applications)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.work-", dir=work_dir or out.parent))
    try:
        with dask_client(scheduler, workers, memory_limit) as client:
            parts = partition_count(clients, partition_clients, len(client.nthreads()))
            with stage(f"split {batch.applications.name} and {len(batch.history)} history "
                       f"tables into {parts} partitions", log):
                split = split_by_client(batch, work / "in", parts)
            results = work / "out"
            results.mkdir()
            problems = [split.problems]
            progress = Progress("score", len(split.clients) - len(split.blocked), log,
                                unit="clients")
            futures = [client.submit(score_part, str(folder), str(work / "in"), part, batch.table,
                                     counterfactual, split.blocked, str(results), pure=False,
                                     key=f"score-part-{part:05d}-{work.name}")
                       for part in range(parts)]
            for future in as_completed(futures):
                result = future.result()
                problems.append(result["problems"])
                progress.advance(result["clients"])
            scored, scoring_seconds = progress.done, time.perf_counter() - progress.started
        with stage(f"write {out.name}", log):
            _write_output(results, parts, out, file_format, counterfactual)
            add_application_dates(out, file_format, dates, datetime.now(timezone.utc).date())
            errors = errors_path(out)
            found = pd.concat(problems, ignore_index=True) if problems else problems_frame([])
            _write_errors(found, errors)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # only the folder this run made
    summary = BatchSummary(out, errors, scored, len(found), time.perf_counter() - started,
                           scoring_seconds)
    log.info("%d clients scored into %s in %.1f s (%.0f clients/s); %d rows set aside in %s",
             summary.clients, out, summary.seconds, summary.clients_per_second,
             summary.problems, errors)
    return summary
