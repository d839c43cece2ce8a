"""The decision log's hash chain: each row carries the SHA-256 of the previous row and its own.

Database triggers refuse UPDATE and DELETE, and on PostgreSQL the app's role may only SELECT
and INSERT; but whoever owns the database (or the SQLite file) can still drop a trigger and
rewrite history. The chain makes that visible: `row_hash` = SHA-256 of the row's content
(every column but `id` and `row_hash`, canonical JSON) together with `prev_hash`, the
previous row's `row_hash`. Rewriting a row changes its hash; deleting or inserting one
breaks the next link; rewriting a row *and* every later hash needs every later row to be
rewritten too, which a copy of the last hash kept elsewhere (an export, a backup) exposes.

Rows are appended one at a time: under the process's SQLite write lock, or under a
PostgreSQL transaction-level advisory lock, so two writers never chain to the same row.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable

from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from webapp.db.models import LogEntry

GENESIS = "0" * 64   # prev_hash of the first chained row
# Any constant: the advisory lock that orders appends to the log (PostgreSQL).
_ADVISORY_LOCK = 190_2026
_NOT_HASHED = ("id", "row_hash")


def _canonical(value: Any) -> Any:
    """A value as it reads back from either database: datetimes in UTC to the microsecond
    (SQLite returns them naive), floats by repr, JSON columns as plain JSON."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    return value


def row_hash(values: dict, prev_hash: str) -> str:
    """SHA-256 (hex) of a row's content and the previous row's hash."""
    content = {column.name: _canonical(values.get(column.name))
               for column in LogEntry.__table__.columns if column.name not in _NOT_HASHED}
    content["prev_hash"] = prev_hash
    data = json.dumps(content, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("ascii")).hexdigest()


def chained(connection: Connection, values: dict) -> dict:
    """`values` with `prev_hash` and `row_hash`, chained to the last row (call inside the
    transaction that inserts it; on PostgreSQL this takes the appenders' advisory lock)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK})
    last = connection.execute(select(LogEntry.row_hash).where(LogEntry.row_hash.is_not(None))
                              .order_by(LogEntry.id.desc()).limit(1)).scalar()
    prev_hash = last or GENESIS
    full = {column.name: values.get(column.name) for column in LogEntry.__table__.columns
            if column.name not in _NOT_HASHED}
    full["prev_hash"] = prev_hash
    return {**values, "prev_hash": prev_hash, "row_hash": row_hash(full, prev_hash)}


@dataclass(frozen=True)
class Verdict:
    """What `verify` found: rows checked, unchained rows before the chain, first broken link."""
    checked: int
    unchained: int
    broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None

    def __str__(self) -> str:
        head = f"{self.checked} chained rows checked"
        if self.unchained:
            head += f", {self.unchained} older rows without a hash (written before the chain existed)"
        if self.ok:
            return f"decision log intact: {head}"
        return f"decision log BROKEN at row {self.broken_id}: {self.problem} ({head} before it)"


def verify(rows: Iterable[LogEntry]) -> Verdict:
    """Walk the rows in id order and name the first one whose link or content is wrong.

    Rows without a hash are accepted only before the first chained row (the log kept before
    revision 0002); a hashless row after it is a break.
    """
    expected_prev, checked, unchained = None, 0, 0
    for row in rows:
        values = {column.name: getattr(row, column.name) for column in LogEntry.__table__.columns}
        if row.row_hash is None and expected_prev is None:
            unchained += 1
            continue
        if row.row_hash is None:
            return Verdict(checked, unchained, row.id, "the row has no hash (written or rewritten "
                                                       "outside the app)")
        if row.prev_hash != (expected_prev or GENESIS):
            return Verdict(checked, unchained, row.id, "prev_hash does not match the previous row "
                                                       "(a row was removed, inserted or re-hashed)")
        if row_hash(values, row.prev_hash) != row.row_hash:
            return Verdict(checked, unchained, row.id, "its content does not match its hash "
                                                       "(the row was rewritten)")
        expected_prev, checked = row.row_hash, checked + 1
    return Verdict(checked, unchained)
