"""The decision log: one append-only row per score shown or returned and per decision.

EU AI Act Art. 12 asks a high-risk system to keep automatic records; Art. 14 and the
Consumer Credit Directive (Art. 18) ask for human oversight and review. A score is on
record before it is shown: when its row cannot be written, `record_score` raises
`ServiceError("log_unavailable")` and the screen or the API says the score is unavailable.
A decision is logged or refused (`DatabaseError`), so the advisor always knows whether it
was saved. Every row is chained to the previous one by SHA-256 (`webapp.db.chain`).
"""
from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Iterator
from urllib.parse import urlsplit

import pandas as pd
from sqlalchemy import insert, select

from webapp import db
from model.scoring import Assessment
from webapp.auth.principal import Principal, current_principal
from webapp.db import chain
from webapp.db.models import LogEntry
from webapp.service_errors import ServiceError

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
            values = chain.chained(connection, values)
            entry_id = int(connection.execute(insert(LogEntry).values(**values).returning(LogEntry.id))
                           .scalar_one())
    except Exception as error:  # database down, read-only, text it cannot encode...
        db.note_write(False, url)
        log.error("decision log write failed: %s", error)
        if isinstance(error, db.DatabaseError):
            raise
        raise db.DatabaseError(f"decision log write failed: {type(error).__name__}") from error
    db.note_write(True, url)
    return entry_id


def append_all(rows: list[dict], url: str | None = None) -> int:
    """Insert rows in one transaction, all or none (a batch of scores), each chained to the
    one before (`webapp.db.chain`); returns how many. Raises `db.DatabaseError` when they
    could not be written."""
    values = [{"kind": "score", "override": False, "review_status": "none", **row} for row in rows]
    if not values:
        return 0
    try:
        with db.write_lock(url), db.connection(url) as connection:
            for row in values:  # one at a time: each row's chain link is the row before
                connection.execute(insert(LogEntry).values(**chain.chained(connection, row)))
    except Exception as error:  # database down, read-only, text it cannot encode...
        db.note_write(False, url)
        log.error("decision log batch write failed: %s", error)
        if isinstance(error, db.DatabaseError):
            raise
        raise db.DatabaseError(f"decision log write failed: {type(error).__name__}") from error
    db.note_write(True, url)
    return len(values)


def record_assessment(assessment: Assessment, inputs: dict | None = None) -> int:
    """Log an assessment that is about to be shown or returned.

    Raises `ServiceError("log_unavailable")` when its row cannot be written: the caller
    then shows that the score is unavailable, never a score that is not on record.
    """
    try:
        return append({"kind": "score", **assessment_row(assessment, inputs)})
    except Exception as error:
        log.error("score of client %s not shown: it could not be logged (%s)",
                  assessment.client_id, error)
        raise ServiceError("log_unavailable") from error


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
    actor = str(values.get("actor") or "")[:80].encode("utf-8", "replace").decode("utf-8")
    return Filters(actor=actor or None,
                   start=_as_date(values.get("start")), end=_as_date(values.get("end")),
                   outcome=outcome if outcome in ("granted", "refused", "referred") else None,
                   overrides_only=flag("overrides"), review_only=flag("review"))


def _query(filters: Filters):
    """The log's decisions matching `filters`, newest first (a SELECT, not run)."""
    query = select(LogEntry).where(LogEntry.kind == "decision")
    if filters.actor:
        query = query.where(LogEntry.actor == filters.actor)
    if filters.start:
        query = query.where(LogEntry.at >= datetime.combine(filters.start, time.min, timezone.utc))
    if filters.end and filters.end < date.max:  # 9999-12-31 has no next day: no upper bound
        query = query.where(LogEntry.at < datetime.combine(filters.end + timedelta(days=1), time.min,
                                                           timezone.utc))
    if filters.outcome:
        query = query.where(LogEntry.final_decision == filters.outcome)
    if filters.overrides_only:
        query = query.where(LogEntry.override.is_(True))
    if filters.review_only:
        query = query.where(LogEntry.review_status == "requested")
    return query.order_by(LogEntry.at.desc(), LogEntry.id.desc())


def decisions(filters: Filters = Filters(), url: str | None = None, limit: int = MAX_ROWS) -> pd.DataFrame:
    """Recorded decisions, newest first (at most `limit`), as a DataFrame with the log's columns."""
    with db.session(url) as session:
        rows = [{c: getattr(e, c) for c in COLUMNS} for e in session.scalars(_query(filters).limit(limit))]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def iter_decisions(filters: Filters = Filters(), url: str | None = None,
                   batch: int = 500) -> Iterator[dict]:
    """Every matching decision, newest first, read `batch` rows at a time (the CSV export
    streams them all: it is never cut at `MAX_ROWS`)."""
    with db.session(url) as session:
        for e in session.scalars(_query(filters).execution_options(yield_per=batch)):
            yield {c: getattr(e, c) for c in COLUMNS}


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


def verify_chain(url: str | None = None) -> chain.Verdict:
    """Check every row's link and hash, in id order (`python -m webapp audit verify`)."""
    with db.session(url) as session:
        rows = session.scalars(select(LogEntry).order_by(LogEntry.id).execution_options(yield_per=1000))
        return chain.verify(rows)


def _may_read(row: LogEntry, principal: Principal) -> bool:
    """A log entry (who scored whom, when, with which inputs) is shown to managers and to
    the person or key that wrote it; outside a request (the command line) to the operator."""
    if principal.kind == "system":
        from flask import has_request_context

        return not has_request_context()
    return principal.may("manager") or (row.actor == principal.name and row.actor_type == principal.kind)


def entry(entry_id: int, url: str | None = None, principal: Principal | None = None) -> dict | None:
    """The log entry `entry_id` if it exists and `principal` (default: the request's) may read it."""
    principal = principal or current_principal()
    with db.session(url) as session:
        row = session.get(LogEntry, int(entry_id))
        if row is None or not _may_read(row, principal):
            return None
        return {c: getattr(row, c) for c in COLUMNS}


MAX_ENTRY_ID = 2**31 - 1   # the log's id column is a 32-bit integer on PostgreSQL


def review_problem(refers_to: object, client_id: int, principal: Principal | None = None,
                   url: str | None = None) -> str | None:
    """Why a decision may not answer the log entry `refers_to` (None when it may).

    It must be the id of a review request (a decision recorded with `review_requested`) on
    the same client that no decision answered yet, and answering it is a manager's act: the
    customer asked for a human review (Consumer Credit Directive Art. 18) by someone other
    than the advisor who decided, so the advisor who owns the request cannot close it.
    """
    principal = principal or current_principal()
    if isinstance(refers_to, bool) or not isinstance(refers_to, int) or not 0 < refers_to <= MAX_ENTRY_ID:
        return "refers_to must be the id (a positive integer) of a review request in the log"
    with db.session(url) as session:
        row = session.get(LogEntry, refers_to)
        if row is None or row.kind != "decision" or row.review_status != "requested":
            return f"entry {refers_to} is not a review request"
        if row.client_id != client_id:
            return f"entry {refers_to} is a review request of another client"
        answered = session.scalar(select(LogEntry.id).where(LogEntry.kind == "decision",
                                                            LogEntry.refers_to == refers_to).limit(1))
    if answered is not None:
        return f"entry {refers_to} was already reviewed (entry {answered})"
    if not principal.may("manager"):
        return "only a manager may close a review request"
    return None


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


def csv_lines(rows: Iterable[dict]) -> Iterator[str]:
    """The CSV export, one line at a time: the header, then one line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in itertools.chain([list(CSV_COLUMNS)],
                                ([_cell(row.get(column)) for column in CSV_COLUMNS] for row in rows)):
        writer.writerow(line)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def to_csv(frame: pd.DataFrame) -> str:
    return "".join(csv_lines(frame.to_dict("records")))
