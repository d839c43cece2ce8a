"""Stored clients' assessments: computed once when the set is built, read when a client opens.

A stored client's assessment (probability, lending rules, recommendation, reasons, proposal,
the why page's contributions) depends only on the artifact set, so the build computes every
one through the batch path (`Scorer.assess_features` over slices, reasons and proposals in
numpy) and stores it in the set:

- `assessments.arrow`: one row per client in the feature matrix's row order, an Arrow IPC
  file read through a memory map (columnar numbers; rules, reasons and proposal as JSON);
- `shap_values.npy`: each client's SHAP values (float32, rows x model features), from which
  the why page's table is laid out without calling SHAP (`ClientExplainer.explanation_of`).

Serving a stored client is then a lookup and some formatting: no model or SHAP call. Only an
edit (what-if, new applicant, `POST /api/score`) is scored on demand. Both files are listed
and signed in the set's manifest like every other file.
"""
from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from model.matrix_file import read_rows
from model.progress import Progress
from model.scoring.assessment import Assessment, Reason
from model.scoring.counterfactual import Change, Counterfactual
from model.scoring.policy import FiredRule
from model.scoring.scorer import ALL_CONCEPTS, Scorer

log = logging.getLogger(__name__)

ASSESSMENTS_FILE = "assessments.arrow"
SHAP_FILE = "shap_values.npy"
STORED_FILES = (ASSESSMENTS_FILE, SHAP_FILE)
# Clients assessed per slice at build time: the slice's SHAP values in float64 (~6 KB a
# client) and its proposal grids; the output is written as it goes.
SLICE = 2000
SCHEMA = pa.schema([
    pa.field("SK_ID_CURR", pa.int64()), pa.field("probability", pa.float64()),
    pa.field("model_outcome", pa.string()), pa.field("recommendation", pa.string()),
    pa.field("has_history", pa.bool_()), pa.field("shap_base", pa.float64()),
    pa.field("rules", pa.string()), pa.field("reasons", pa.string()),
    pa.field("proposal", pa.string()),
])


def write_stored(folder: Path, scorer: Scorer, features: pd.DataFrame,
                 applications: pd.DataFrame) -> None:
    """Assess every stored client and write both files into `folder` (a set being built).

    `features`: the set's feature rows in the matrix's order, indexed by SK_ID_CURR;
    `applications`: their raw application rows, same index and order.
    """
    if scorer.explainer is None:
        log.warning("no explainer for this model: stored clients will be assessed on demand")
        return
    if not features.index.equals(applications.index):
        raise ValueError("feature rows and application rows must list the same clients in order")
    shap_values = np.lib.format.open_memmap(folder / SHAP_FILE, mode="w+", dtype=np.float32,
                                            shape=features.shape)
    progress = Progress("assess every stored client", len(features), log, unit="clients")
    with pa.OSFile(str(folder / ASSESSMENTS_FILE), "wb") as sink, \
            pa.ipc.new_file(sink, SCHEMA) as writer:
        for start in range(0, len(features), SLICE):
            rows = features.iloc[start:start + SLICE]
            shap = scorer.explainer.shap_values(rows)
            assessed = scorer.assess_features(rows, applications.iloc[start:start + SLICE],
                                              counterfactual=True, explanations=False, shap=shap)
            shap_values[start:start + len(rows)] = shap[1]
            writer.write_table(_table(assessed, shap[0], shap[2]))
            progress.advance(len(rows))
    shap_values.flush()
    del shap_values


def _table(assessed: list[Assessment], bases: np.ndarray, history: np.ndarray) -> pa.Table:
    return pa.table({
        "SK_ID_CURR": [a.client_id for a in assessed],
        "probability": [a.probability for a in assessed],
        "model_outcome": [a.model_outcome for a in assessed],
        "recommendation": [a.recommendation for a in assessed],
        "has_history": history.astype(bool), "shap_base": bases.astype(np.float64),
        "rules": [json.dumps([{"id": r.id, "value": r.value, "credit_within": r.credit_within}
                              for r in a.rules]) for a in assessed],
        "reasons": [json.dumps([vars(r) for r in a.reasons]) for a in assessed],
        "proposal": [json.dumps(a.counterfactual.to_dict()) if a.counterfactual else None
                     for a in assessed],
    }, schema=SCHEMA)


class StoredAssessments:
    """The stored assessments of one set, memory-mapped; `assessment(row, ...)` rebuilds one."""

    def __init__(self, folder: Path) -> None:
        self._map = pa.memory_map(str(folder / ASSESSMENTS_FILE))
        self._table = pa.ipc.open_file(self._map).read_all()  # zero-copy over the map
        self._columns = {name: self._table.column(name) for name in SCHEMA.names}
        self.shap_values = np.load(folder / SHAP_FILE, mmap_mode="r")
        if self.shap_values.shape[0] != self._table.num_rows:
            raise ValueError(f"{SHAP_FILE} has {self.shap_values.shape[0]} rows for "
                             f"{self._table.num_rows} stored assessments")

    @classmethod
    def open(cls, folder: Path, listed: dict | None = None) -> "StoredAssessments | None":
        """The folder's stored assessments, or None for a set built without them."""
        names = STORED_FILES if listed is None else [n for n in STORED_FILES if n in listed]
        if len(names) < len(STORED_FILES) or not all((folder / n).is_file() for n in names):
            return None
        return cls(folder)

    def __len__(self) -> int:
        return self._table.num_rows

    def client_ids(self) -> np.ndarray:
        """The stored clients' SK_ID_CURR, in row order (checked against the set's clients)."""
        return self._columns["SK_ID_CURR"].to_numpy()

    def record(self, row: int) -> dict[str, Any]:
        return {name: column[row].as_py() for name, column in self._columns.items()}

    def assessment(self, row: int, scorer: Scorer, client_id: int,
                   feature_row: pd.DataFrame | None = None,
                   application: pd.DataFrame | None = None, *,
                   counterfactual: bool = True) -> Assessment:
        """The stored assessment of the client at `row`. Given the client's feature row and
        application row (the values the explanation tells), its explanation is laid out from
        the stored SHAP values; without them it has none (the client file and the letter
        show the reasons, stored as they are, not the table of every concept)."""
        record = self.record(row)
        if record["SK_ID_CURR"] != client_id:
            raise ValueError(f"stored row {row} is client {record['SK_ID_CURR']}, not {client_id}")
        rules = {rule.id: rule for rule in scorer.rules}
        fired = tuple(FiredRule(rules[r["id"]], _number(r["value"]), r["credit_within"])
                      for r in json.loads(record["rules"]))
        explained = None
        if feature_row is not None and application is not None and scorer.explainer is not None:
            explained = scorer.explainer.explanation_of(
                client_id, record["shap_base"], read_rows(self.shap_values, row)[0],
                record["has_history"], feature_row, application.iloc[0].to_dict(),
                top_n=ALL_CONCEPTS, language="fr")
        return Assessment(
            client_id=client_id, probability=record["probability"], threshold=scorer.threshold,
            model_outcome=record["model_outcome"], rules=fired,
            recommendation=record["recommendation"],
            reasons=tuple(Reason(**{**r, "value": _value(r["value"])})
                          for r in json.loads(record["reasons"])),
            explanation=explained, build_id=scorer.build_id,
            model_version=scorer.model_version,
            counterfactual=_proposal(record["proposal"]) if counterfactual else None,
            has_history=record["has_history"])


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


def _value(value: Any) -> float | str:
    return value if isinstance(value, str) else _number(value)


def _proposal(text: str | None) -> Counterfactual | None:
    if text is None:
        return None
    data = json.loads(text)
    return Counterfactual(data["status"], data["original"],
                          [Change(**change) for change in data["changes"]])


__all__ = ["ASSESSMENTS_FILE", "SHAP_FILE", "STORED_FILES", "StoredAssessments", "write_stored"]
