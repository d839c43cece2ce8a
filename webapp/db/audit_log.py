"""The decision log: one append-only row per score shown or returned and per decision.

EU AI Act Art. 12 asks a high-risk system to keep automatic records; Art. 14 and the
Consumer Credit Directive (Art. 18) ask for human oversight and review. Scores are
logged best-effort (a database hiccup must not hide a client's file: it is logged as an
error); a decision is logged or refused (`DatabaseError`), so the advisor always knows
whether it was saved.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import urlsplit

import pandas as pd
from sqlalchemy import insert, select

from webapp import db
from webapp.auth.principal import current_principal
from model.scoring import Assessment
from webapp.db.models import LogEntry

log = logging.getLogger(__name__)
MAX_ROWS = 1000
# The client screens, from the page path (Dash callbacks come from the page in `Referer`).
SCREENS = (("/letter.pdf", "letter"), ("/what-if", "whatif"), ("/why", "why"), ("/compare", "compare"),
           ("/new", "new"),
           ("/client/", "client"), ("/audit", "audit"))
COLUMNS = ("id", "at", "kind", "screen", "actor", "actor_type", "role", "client_id",
           "input_fingerprint", "inputs", "artifact_set_id", "model_version", "probability",
           "threshold", "policy_rules", "reasons", "recommendation", "final_decision", "override",
           "reason_category", "override_reason", "review_status", "refers_to")


def fingerprint(inputs: dict | None) -> str | None:
    """SHA-256 of the scored inputs (canonical JSON): identifies an applicant with no ID."""
    if not inputs:
        return None
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()


def _screen() -> str:
    try:
        from flask import has_request_context, request
    except ImportError:  # pragma: no cover
        return "system"
    if not has_request_context():
        return "system"
    if request.path.startswith("/api/"):
        return "api"
    page = request.path if not request.path.startswith("/_dash") else urlsplit(request.referrer or "").path
    for marker, screen in SCREENS:
        if marker in page:
            return screen
    return "app"


def assessment_row(assessment: Assessment, inputs: dict | None = None) -> dict:
    """The log columns of one assessment: who was shown what, by which set, and why.

    `reasons` holds the principal reasons told (concept, driving feature, change of the
    probability), `policy_rules` the lending rules that fired, `recommendation` the outcome
    after them: the record says exactly what the screen, the API or the letter said.
    """
    principal = current_principal()
    return {
        "at": datetime.now(timezone.utc), "screen": _screen(),
        "actor": principal.name, "actor_type": principal.kind, "role": principal.role,
        "client_id": assessment.client_id, "input_fingerprint": fingerprint(inputs),
        "inputs": _jsonable(inputs) if inputs else None,
        "artifact_set_id": assessment.build_id[:80], "model_version": assessment.model_version[:120],
        "probability": float(assessment.probability), "threshold": float(assessment.threshold),
        "policy_rules": [rule.id for rule in assessment.rules],
        "reasons": [[r.concept, r.feature, round(float(r.probability_change), 6)]
                    for r in assessment.reasons],
        "recommendation": assessment.recommendation,
    }


def _jsonable(values: dict) -> dict:
    return json.loads(json.dumps(values, default=str))


def append(row: dict, url: str | None = None) -> int:
    """Insert one row; raises `db.DatabaseError` when it could not be written."""
    values = {"kind": "score", "override": False, "review_status": "none", **row}
    try:
        with db.write_lock(url), db.connection(url) as connection:  # Core insert: no ORM unit of work
            return int(connection.execute(insert(LogEntry).values(**values).returning(LogEntry.id)).scalar_one())
    except db.DatabaseError:
        raise
    except Exception as error:
        log.error("decision log write failed: %s", error)
        raise db.DatabaseError(f"decision log write failed: {type(error).__name__}") from error


def append_all(rows: list[dict], url: str | None = None) -> int:
    """Insert rows in one transaction, all or none (a batch of scores); returns how many.
    Raises `db.DatabaseError` when they could not be written."""
    values = [{"kind": "score", "override": False, "review_status": "none", **row} for row in rows]
    if not values:
        return 0
    try:
        with db.write_lock(url), db.connection(url) as connection:
            connection.execute(insert(LogEntry), values)
        return len(values)
    except db.DatabaseError:
        raise
    except Exception as error:
        log.error("decision log batch write failed: %s", error)
        raise db.DatabaseError(f"decision log write failed: {type(error).__name__}") from error


def record_assessment(assessment: Assessment, inputs: dict | None = None) -> int | None:
    """Log an assessment that is being shown or returned; never raises (logs the failure)."""
    try:
        return append({"kind": "score", **assessment_row(assessment, inputs)})
    except Exception as error:  # the page must still show; the failure is in the server log
        log.error("score of client %s not logged: %s", assessment.client_id, error)
        return None


def latest_decision(client_id: int, url: str | None = None) -> dict | None:
    """The last decision an advisor recorded on a client (None when none was): what the
    customer's letter states."""
    query = (select(LogEntry).where(LogEntry.kind == "decision", LogEntry.client_id == int(client_id))
             .order_by(LogEntry.at.desc(), LogEntry.id.desc()).limit(1))
    with db.session(url) as session:
        row = session.scalars(query).first()
        return {c: getattr(row, c) for c in COLUMNS} if row is not None else None


# --- reading (audit screen, CSV export) ----------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    actor: str | None = None
    start: date | None = None
    end: date | None = None
    outcome: str | None = None          # granted | refused | referred
    overrides_only: bool = False
    review_only: bool = False


def _as_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def filters_from(values: dict) -> Filters:
    """Filters from query-string or form values (unknown or malformed values are ignored)."""
    def flag(key: str) -> bool:
        return str(values.get(key) or "").lower() in ("1", "true", "yes", "on")
    outcome = values.get("outcome") or None
    return Filters(actor=(str(values.get("actor") or "")[:80] or None),
                   start=_as_date(values.get("start")), end=_as_date(values.get("end")),
                   outcome=outcome if outcome in ("granted", "refused", "referred") else None,
                   overrides_only=flag("overrides"), review_only=flag("review"))


def decisions(filters: Filters = Filters(), url: str | None = None, limit: int = MAX_ROWS) -> pd.DataFrame:
    """Recorded decisions, newest first, as a DataFrame with the log's columns."""
    query = select(LogEntry).where(LogEntry.kind == "decision")
    if filters.actor:
        query = query.where(LogEntry.actor == filters.actor)
    if filters.start:
        query = query.where(LogEntry.at >= datetime.combine(filters.start, time.min, timezone.utc))
    if filters.end:
        query = query.where(LogEntry.at < datetime.combine(filters.end + timedelta(days=1), time.min,
                                                           timezone.utc))
    if filters.outcome:
        query = query.where(LogEntry.final_decision == filters.outcome)
    if filters.overrides_only:
        query = query.where(LogEntry.override.is_(True))
    if filters.review_only:
        query = query.where(LogEntry.review_status == "requested")
    query = query.order_by(LogEntry.at.desc(), LogEntry.id.desc()).limit(limit)
    with db.session(url) as session:
        rows = [{c: getattr(e, c) for c in COLUMNS} for e in session.scalars(query)]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def override_rates(frame: pd.DataFrame) -> tuple[float | None, pd.DataFrame]:
    """Share of decisions that differ from the recommendation, overall and per advisor."""
    if frame.empty:
        return None, pd.DataFrame(columns=["actor", "decisions", "overrides", "rate"])
    overrides = frame["override"].astype(bool)
    per = (frame.assign(override=overrides).groupby("actor")["override"]
           .agg(decisions="size", overrides="sum").reset_index())
    per["rate"] = per["overrides"] / per["decisions"]
    return float(overrides.mean()), per.sort_values("rate", ascending=False, ignore_index=True)


def review_queue(url: str | None = None) -> pd.DataFrame:
    """Decisions whose customer asked for a human review and that no later decision answered."""
    requested = decisions(Filters(review_only=True), url)
    if requested.empty:
        return requested
    with db.session(url) as session:
        answered = set(session.scalars(select(LogEntry.refers_to).where(
            LogEntry.kind == "decision", LogEntry.refers_to.is_not(None))))
    return requested[~requested["id"].isin(answered)].reset_index(drop=True)


def entry(entry_id: int, url: str | None = None) -> dict | None:
    with db.session(url) as session:
        row = session.get(LogEntry, int(entry_id))
        return {c: getattr(row, c) for c in COLUMNS} if row is not None else None


CSV_COLUMNS = ("id", "at", "actor", "role", "client_id", "input_fingerprint", "model_version",
               "artifact_set_id", "probability", "threshold", "recommendation", "final_decision",
               "override", "reason_category", "override_reason", "review_status", "refers_to",
               "policy_rules", "reasons", "inputs")


def _cell(value: object) -> object:
    """A CSV cell; text starting with = + - @ is quoted so a spreadsheet never runs it."""
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        value = value.isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else value


def to_csv(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in frame.to_dict("records"):
        writer.writerow([_cell(row.get(column)) for column in CSV_COLUMNS])
    return buffer.getvalue()
